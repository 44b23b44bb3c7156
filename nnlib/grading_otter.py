"""An otter-grader plugin: on Gradescope and under `otter grade`, the scores come from the sandbox.

Otter's own autograder runs the student's notebook in a Jupyter kernel and runs the tests *in
that kernel*, where the student's code can patch NumPy, otter's classes, the test files or the
results file before they are used (``../shared/reviews/exercises-and-grader.md``). This plugin,
listed in the ``otter_config.json`` of every zip that ``exercises/build.py --gradescope`` writes,
makes otter's entry point grade the way ``exercises/grade.py`` does:

1. ``before_grading`` (before any student code has run in the container) reads the chapter's
   tests into memory and grades the submission with ``grade.py``'s sandbox: the student's cells
   run in a worker process, the tests, expected values, comparisons and scores stay in this
   process.
2. ``before_execution`` hands otter a notebook without the student's cells, so the student's
   code never runs where it could reach otter's tests or results.
3. ``after_grading`` replaces otter's results by the sandbox's: every test case with its message,
   and each question's score (0 for a question answered with nnlib's own function).

``grade.py`` is shipped in the zip next to the tests (``/autograder/source/grade.py``).

A limit, stated in exercises/README.md: Gradescope runs the autograder as root in one container,
and the worker runs there as the same user. It cannot patch the grader, but a notebook written
to attack the container itself could kill the grading process after writing a results file of
its own; Gradescope then shows that file. Nothing inside one container and one user prevents
that; a teacher who fears it grades with ``exercises/grade.py``, which reports a killed run.
"""
import importlib.util
import pathlib

from otter.plugins import AbstractOtterPlugin


def _load_grade_module(source):
    path = pathlib.Path(source) / "grade.py"
    if not path.is_file():
        raise RuntimeError(f"the autograder has no {path}: rebuild it with exercises/build.py --gradescope")
    spec = importlib.util.spec_from_file_location("nnlib_sandbox_grade", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SandboxGrading(AbstractOtterPlugin):
    """Grade in nnlib's sandbox; otter only formats the results (see the module docstring)."""

    def _source_directory(self):
        # Gradescope's layout: /autograder/{source,submission,results}; otter chdirs into submission.
        return pathlib.Path(self.submission_path).resolve().parent.parent / "source"

    def before_grading(self, autograder_config):
        source = self._source_directory()
        grade = _load_grade_module(source)
        tests = grade.Tests()
        for path in sorted(source.glob("tests/q*.py"), key=lambda p: int(p.stem[1:])):
            tests[path.stem] = grade.Question(path.stem, path.read_text())
        self.tests = tests
        self.result = grade.grade_notebook(self.submission_path, tests)

    def before_execution(self, submission):
        import nbformat
        if isinstance(submission, str):
            return "pass\n"
        empty = nbformat.v4.new_notebook(metadata=submission.get("metadata", {}))
        empty.cells.append(nbformat.v4.new_code_cell("pass"))
        return empty

    def after_grading(self, results):
        from otter.test_files.abstract_test import TestCaseResult
        results.clear_results()
        results._catastrophic_error = None
        for name, question in self.tests.items():
            test_file = question.test_file
            by_name = {case.name: case for case in test_file.test_cases}
            outcomes = []
            for case_name, _hidden, _points, passed, message in self.result.tests[name]:
                case = by_name.get(case_name)
                if case is None:           # the "own code" verdict, reported on the first case
                    case = test_file.test_cases[0]
                outcomes.append(TestCaseResult(test_case=case, message=message or None, passed=passed))
            test_file.test_case_results = outcomes
            test_file.update_score(self.result.scores[name])
            results.results[name] = test_file
        if self.result.error:
            results.set_output(f"The notebook could not be graded: {self.result.error}")
        elif self.result.status != "graded":
            results.set_output(f"Grading notes: {self.result.status}")
