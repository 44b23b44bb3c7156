"""How heavy is each page of the built book, and how fast does the heaviest load on "Fast 4G"?

Builds nothing: it reads the HTML book in ``_build/html`` (``make book`` first) and

1. lists every page's HTML weight (bytes, and gzip-compressed bytes, which is what a host such
   as GitHub Pages sends); the issue's goal is at most 600 KB of HTML for the heaviest page;
2. serves the book on 127.0.0.1 and opens the heaviest pages (and the introduction, as a light
   reference) in Debian's Chromium, driven by Playwright, with an empty cache each time, under
   Chrome DevTools' "Fast 4G" network profile, set through the DevTools protocol
   (``Network.emulateNetworkConditions``): 9 Mbit/s down and 1.5 Mbit/s up, each times 0.9, and a
   60 ms round trip times 2.75 = 165 ms of latency per request. These are DevTools' own preset
   figures (devtools-frontend ``front_end/core/sdk/NetworkManager.ts``, copied by Puppeteer as
   ``PredefinedNetworkConditions['Fast 4G']``; Lighthouse calls the slower preset "Slow 4G").
   It reports DOMContentLoaded and load (from the page's Navigation Timing), the bytes that
   crossed the emulated network and the number of requests, as the median of ``--runs`` loads.
   The goal is at most 3 s to DOMContentLoaded for the heaviest page.

The server is Python's, with HTTP/1.1 keep-alive. By default it gzips text files (HTML, CSS,
JavaScript, SVG) when the browser asks for it, as common static hosts do; ``--no-gzip`` serves
every file as it is on disk, like ``python -m http.server``. The CPU is not slowed down.

Run from the repository root:

    .venv/bin/python benchmarks/page_load.py [--runs 3] [--pages 4] [--no-gzip]

Nothing is asserted: timings depend on the machine and on what else it is doing (the load
average is printed for that reason).
"""
import argparse
import functools
import gzip
import http.server
import os
import pathlib
import platform
import re
import statistics
import sys
import threading

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tests"))

# Chrome DevTools "Fast 4G" (see the docstring): bytes per second and milliseconds.
FAST_4G = {"offline": False, "downloadThroughput": 9_000_000 / 8 * 0.9,
           "uploadThroughput": 1_500_000 / 8 * 0.9, "latency": 60 * 2.75}
TEXT_TYPES = (".html", ".css", ".js", ".svg", ".json", ".txt", ".map")


def toc_pages():
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:root|- file):\s*(\S+)", text, flags=re.MULTILINE)


def page_weights(html_dir):
    """(page, HTML bytes, gzip bytes) for every page of the table of contents, heaviest first."""
    rows = []
    for name in toc_pages() + ["search", "genindex"]:
        data = (html_dir / f"{name}.html").read_bytes()
        rows.append((name, len(data), len(gzip.compress(data, compresslevel=6))))
    return sorted(rows, key=lambda row: -row[1])


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"                 # keep-alive, as any real host
    use_gzip = True
    _compressed = {}

    def log_message(self, *args):
        pass

    def send_head(self):
        path = pathlib.Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.use_gzip and wants_gzip and path.suffix in TEXT_TYPES and path.is_file()):
            return super().send_head()
        body = self._compressed.get(path)
        if body is None:
            body = self._compressed[path] = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io
        return io.BytesIO(body)


def serve(html_dir, use_gzip):
    handler = type("BookHandler", (Handler,), {"use_gzip": use_gzip, "_compressed": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(html_dir)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def load_once(browser, url, conditions):
    """One load with an empty cache; returns (DCL ms, load ms, bytes over the network, requests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if conditions is not None:
        cdp.send("Network.emulateNetworkConditions", conditions)
    transferred = {"bytes": 0, "requests": 0}

    def finished(event):
        transferred["bytes"] += event.get("encodedDataLength", 0)
        transferred["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load", timeout=180_000)
    timing = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return [n.domContentLoadedEventEnd, n.loadEventEnd || performance.now()]; }""")
    context.close()
    return timing[0], timing[1], transferred["bytes"], transferred["requests"]


def measure(browser, base, names, conditions, runs):
    results = {}
    for name in names:
        loads = [load_once(browser, f"{base}/{name}.html", conditions) for _ in range(runs)]
        results[name] = tuple(statistics.median(values) for values in zip(*loads))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html", type=pathlib.Path, default=HTML, help="the built book (default _build/html)")
    parser.add_argument("--runs", type=int, default=3, help="loads per page and profile (median)")
    parser.add_argument("--pages", type=int, default=4, help="how many of the heaviest pages to load")
    parser.add_argument("--no-gzip", action="store_true", help="serve files uncompressed")
    args = parser.parse_args()
    if not (args.html / "chapters").is_dir():
        raise SystemExit(f"{args.html} holds no built book: run `make book` first")

    weights = page_weights(args.html)
    print("## Page weights (HTML only)\n\n| page | HTML KB | gzip KB |\n| --- | --- | --- |")
    for name, size, packed in weights:
        print(f"| {name} | {size / 1000:.0f} | {packed / 1000:.0f} |")
    print(f"\nheaviest: {weights[0][0]} {weights[0][1] / 1000:.0f} KB (goal <= 600 KB); "
          f"total HTML {sum(w[1] for w in weights) / 1e6:.2f} MB over {len(weights)} pages\n")

    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM_FLAGS, find_chromium

    names = [w[0] for w in weights[:args.pages]]
    if "chapters/intro" not in names:
        names.append("chapters/intro")
    httpd, base = serve(args.html, use_gzip=not args.no_gzip)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
            load_once(browser, f"{base}/{names[-1]}.html", None)           # warm the server and the disk
            local = measure(browser, base, names, None, args.runs)
            fast4g = measure(browser, base, names, FAST_4G, args.runs)
            browser.close()
    finally:
        httpd.shutdown()
    served = "uncompressed" if args.no_gzip else "gzip for text files"
    print(f"## Load times, empty cache, median of {args.runs} ({served})\n")
    print("| page | HTML KB | requests | transferred KB | localhost DCL / load ms | "
          "Fast 4G DCL / load ms |\n| --- | --- | --- | --- | --- | --- |")
    sizes = {w[0]: w[1] for w in weights}
    for name in names:
        l_dcl, l_load, _, _ = local[name]
        dcl, load, moved, requests = fast4g[name]
        print(f"| {name} | {sizes[name] / 1000:.0f} | {requests:.0f} | {moved / 1000:.0f} | "
              f"{l_dcl:.0f} / {l_load:.0f} | {dcl:.0f} / {load:.0f} |")
    heaviest = fast4g[names[0]]
    print(f"\nheaviest page {names[0]}: DOMContentLoaded {heaviest[0] / 1000:.2f} s on Fast 4G (goal <= 3 s)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
