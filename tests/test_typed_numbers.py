"""Numbers in the chapters' prose are computed, not typed (issue 13, item 5).

A number in a chapter's Markdown is accepted when one of these holds:

1. it is a result quoted from the output of a cell tagged ``nbval-check-output`` in the
   same notebook, as printed or rounded (nbval re-computes that output in CI, so the
   prose cannot drift away from it);
2. it is a setting the reader can see: the same literal appears in a code cell of the
   notebook (a learning rate, a layer size, an input value);
3. it is listed for that chapter, with a reason, in ``tests/typed_numbers_allowed.toml``
   (formula constants, historical and published figures, a try-it's own arithmetic).

Numbers that are glued into the text (myst-nb's ``{glue:text}`` role) are not typed at
all. Years, small whole numbers (below 100) and anything inside inline code, links,
citations and reference entries (footnote definitions) are not counted. Timings must never be typed: their committed output changes
from run to run, so they are glued or described ("the ratio printed above").
"""
import json
import pathlib
import re
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
ALLOWED_FILE = ROOT / "tests" / "typed_numbers_allowed.toml"

NUMBER = re.compile(
    r"(?<![\w.\-−])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-−+]?\d+)?(?:\s?%)?(?![\w])")
OUTPUT_NUMBER = re.compile(r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def prose_of(markdown):
    """The Markdown with code, links' targets, citations, glue roles and URLs removed."""
    text = re.sub(r"```.*?```|~~~.*?~~~", " ", markdown, flags=re.S)
    text = re.sub(r"\{glue:[a-z]+\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"^\(.*?\)=\s*$", " ", text, flags=re.M)
    text = re.sub(r"^\[\^[^\]]+\]:.*$", " ", text, flags=re.M)      # a reference (footnote definition)
    return text


def canonical(token):
    """'1,004,003' -> '1004003', '−0.5' -> '-0.5', '97.4 %' -> '97.4'."""
    return token.replace("−", "-").replace(",", "").replace("%", "").strip()


def typed_numbers(markdown):
    """The tokens of ``markdown`` this test holds to account, as (token, canonical)."""
    found = []
    for match in NUMBER.finditer(prose_of(markdown)):
        token = match.group(0).strip()
        value = canonical(token)
        mantissa = re.split(r"[eE]", value)[0]
        whole = "." not in mantissa and "%" not in token
        if whole and re.fullmatch(r"1[6-9]\d\d|20[0-4]\d", mantissa):
            continue                                   # a year
        if whole and "e" not in value.lower() and abs(int(mantissa)) < 100:
            continue                                   # a small count
        found.append((token, value))
    return found


def text_of_outputs(cell):
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append("".join(output["text"]))
        for mime in ("text/plain", "text/markdown"):
            if mime in output.get("data", {}):
                parts.append("".join(output["data"][mime]))
    return "\n".join(parts)


def checked_numbers(notebook):
    """Canonical numbers printed by the cells whose output nbval checks."""
    numbers = set()
    for cell in notebook["cells"]:
        if "nbval-check-output" in cell.get("metadata", {}).get("tags", []):
            numbers.update(canonical(t) for t in OUTPUT_NUMBER.findall(text_of_outputs(cell)))
    return numbers


def code_literals(notebook):
    literals = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            literals.update(canonical(t) for t in OUTPUT_NUMBER.findall("".join(cell["source"])))
            literals.update(canonical(t).lstrip("-") for t in OUTPUT_NUMBER.findall("".join(cell["source"])))
    return literals


def quotes(value, printed):
    """True if ``value`` is ``printed`` or ``printed`` rounded to ``value``'s decimals."""
    if value == printed or value.lstrip("-") == printed.lstrip("-"):
        return True
    if "e" in value.lower() or "e" in printed.lower():
        try:
            return float(value) == float(f"{float(printed):.{len(value.split('e')[0].split('.')[-1])}e}")
        except ValueError:
            return False
    decimals = len(value.split(".")[1]) if "." in value else 0
    try:
        return abs(round(float(printed), decimals)) == abs(float(value)) and printed.count(".") == 1 \
            and len(printed.split(".")[1]) >= decimals
    except ValueError:
        return False


def allowed():
    return tomllib.loads(ALLOWED_FILE.read_text()) if ALLOWED_FILE.exists() else {}


def unexplained_numbers(path):
    notebook = json.loads(path.read_text())
    printed = checked_numbers(notebook)
    literals = code_literals(notebook)
    allow = allowed().get(path.stem, {})
    left = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for token, value in typed_numbers("".join(cell["source"])):
            if value in literals or value.lstrip("-") in literals or token in allow or value in allow:
                continue
            if any(quotes(value, p) for p in printed):
                continue
            left.append(token)
    return left


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_computed_or_explained(path):
    left = unexplained_numbers(path)
    assert not left, (
        f"{path.name}: {len(left)} numbers typed into the prose are neither printed by a checked cell "
        f"(tag nbval-check-output), nor a literal of the code, nor in {ALLOWED_FILE.name} "
        f"with a reason: {left}")


def test_every_allowance_has_a_reason_and_is_still_used():
    for chapter, entries in allowed().items():
        path = ROOT / "chapters" / f"{chapter}.ipynb"
        assert path.exists(), f"{ALLOWED_FILE.name}: no chapter {chapter}"
        # cell by cell, as the check above reads them: joined, a "<" in one cell's math and a
        # ">" in a later cell would look like one HTML tag and hide the prose between them
        used = set()
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                for token, value in typed_numbers("".join(cell["source"])):
                    used |= {token, value}
        for number, reason in entries.items():
            assert isinstance(reason, str) and len(reason.split()) >= 2, f"{chapter} {number}: give a reason"
            assert number in used, f"{ALLOWED_FILE.name}: {chapter} allows {number}, which its prose no longer has"


def test_the_rules_flag_what_they_should():
    markdown = ("In 1986 the loss fell to 0.1277 after 250 steps, 97.4 % right, "
                "`lr=0.5` and [link](https://x.org/1234) {cite}`a2019` and {glue:text}`acc:.2f` "
                "with 12 layers and −3.75.")
    assert [t for t, _ in typed_numbers(markdown)] == ["0.1277", "250", "97.4 %", "−3.75"]
    assert quotes("0.128", "0.12770") and quotes("97.4", "97.43") and not quotes("0.127", "0.12770")
    assert quotes("1004003", canonical("1,004,003")) and not quotes("0.13", "0.1")
