"""The answer hunt: the student copy of the course answers no graded exercise.

A student hunting for answers calls every function the copy ships. This test
does it: it builds the copy (``genenorm-edu student-bundle``), gives it a
Python that sees the copy's library only, and, one module at a time in a
worker process (``tests/answer_hunt_worker.py``), calls every function and
class of the library -- public and private, methods, the functions kept in
module-level objects (an exercise's mistake recognizers) and those written in
docstring examples -- on each exercise's visible and hidden cases, each call
within a time limit. The copy's own check of the exercise judges each result.
A callable that passes every visible case of an exercise, or more than half
of all its cases, answers it: the test fails naming the callable and the
exercise.

It also searches the copy (library with its docstrings, notebooks, README,
every text file) for the code lines of the solution cells of ``solutions/``.
No file may hold one, but for the places that teach on purpose: an
exercise's hints (the last is nearly the answer) and the lessons' notebooks
(lesson 2 computes the library size before asking for RPKM). Together these
never show every line of a solution.
"""

from __future__ import annotations

import ast
import json
import pickle
import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from course_copies import REPO_ROOT, make_student_bundle, shell_environment, student_environment

from genenorm_edu.exercises import EXERCISES
from genenorm_edu.grading.hidden import hidden_cases

pytestmark = pytest.mark.slow

WORKER = Path(__file__).with_name("answer_hunt_worker.py")

#: Seconds one call may take (the cases are small: a right answer takes milliseconds).
CALL_SECONDS = 2.0

#: Seconds one module's worker may take before the callable it is in is skipped.
MODULE_SECONDS = 240

#: Solution lines shorter than this are too common to be anyone's answer (``return x``).
MIN_LINE_LENGTH = 16


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return make_student_bundle(tmp_path_factory.mktemp("hunt"))


@pytest.fixture(scope="module")
def student_python(bundle) -> Path:
    return student_environment(bundle)


def _cases() -> list[tuple]:
    """Every exercise's visible and hidden cases: (exercise, kind, label, args, expected)."""
    cases = []
    for name, exercise in EXERCISES.items():
        cases += [(name, "visible", case.label, case.args, case.expected) for case in exercise.visible]
        cases += [(name, "hidden", case.label, case.args, case.expected) for case in hidden_cases(name)]
    return cases


def _case_counts(cases: list[tuple]) -> dict[str, tuple[int, int]]:
    """How many visible and hidden cases each exercise has."""
    counts: dict[str, tuple[int, int]] = {}
    for exercise, kind, *_ in cases:
        visible, hidden = counts.get(exercise, (0, 0))
        counts[exercise] = (visible + (kind == "visible"), hidden + (kind == "hidden"))
    return counts


def _library_modules(bundle: Path) -> list[str]:
    package = bundle / "genenorm_edu"
    modules = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(bundle).with_suffix("").parts
        modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def _hunt_module(python: Path, module: str, cases_path: Path, folder: Path) -> tuple[list[dict], dict]:
    """Run the worker on one module; skip (and report) a callable that hangs past every signal."""
    results, skip = folder / f"{module}.jsonl", folder / f"{module}.skip.json"
    skipped: list[str] = []
    environment = shell_environment(home=folder, MPLBACKEND="Agg")
    while True:
        skip.write_text(json.dumps(skipped))
        progress = Path(f"{results}.progress")
        progress.unlink(missing_ok=True)
        try:
            done = subprocess.run(
                [str(python), str(WORKER), module, str(cases_path), str(results), str(skip), str(CALL_SECONDS)],
                cwd=folder, env=environment, capture_output=True, text=True, timeout=MODULE_SECONDS,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            stuck = progress.read_text().splitlines()[-1] if progress.is_file() else ""
            assert stuck and stuck not in skipped and len(skipped) < 3, f"{module}: the hunt hangs at {stuck!r}"
            skipped.append(stuck)
            continue
        assert done.returncode == 0, f"{module}: the worker failed:\n{done.stderr[-4000:]}"
        lines = [json.loads(line) for line in results.read_text().splitlines()]
        summary = {**lines[-1], "skipped": skipped}
        return lines[:-1], summary


def _answers(found: dict, counts: dict[str, tuple[int, int]]) -> bool:
    visible, hidden = counts[found["exercise"]]
    return found["visible"] == visible or found["visible"] + found["hidden"] > (visible + hidden) / 2


def test_no_callable_of_the_student_copy_answers_an_exercise(bundle, student_python, tmp_path):
    cases = _cases()
    cases_path = tmp_path / "cases.pickle"
    cases_path.write_bytes(pickle.dumps(cases))
    counts = _case_counts(cases)
    modules = _library_modules(bundle)
    assert "genenorm_edu.exercises.lesson3" in modules and "genenorm_edu.normalization" not in modules
    started = time.perf_counter()
    answered, partial, summaries = [], [], []
    for module in modules:
        found, summary = _hunt_module(student_python, module, cases_path, tmp_path)
        summaries.append(summary)
        for item in found:
            (answered if _answers(item, counts) else partial).append(item)
    seconds = time.perf_counter() - started
    callables = sum(summary["callables"] for summary in summaries)
    calls = sum(summary["calls"] for summary in summaries)
    print(
        f"answer hunt: {len(modules)} modules, {callables} callables, "
        f"{sum(s['doctest_examples'] for s in summaries)} doctest examples, {calls} calls on "
        f"{len(cases)} cases of {len(EXERCISES)} exercises in {seconds:.0f} s"
    )
    for item in partial:  # a mistake recognizer's computation is right where the mistake cannot show
        print(f"  passes some cases only: {item}")
    # The hunt reached the library: the exercises' mistake recognizers were called.
    assert callables > 100 and calls > 10_000, summaries
    assert not [s for s in summaries if s["skipped"]], [s for s in summaries if s["skipped"]]
    assert answered == [], "\n".join(
        f"{item['function']} answers {item['exercise']} ({item['visible']} visible, {item['hidden']} hidden "
        "cases passed)"
        for item in answered
    )


def test_the_hunt_finds_a_planted_answer(bundle, student_python, tmp_path):
    """The hunt is not blind: an answer planted in a private helper and one in a doctest are found."""
    planted = tmp_path / "planted"
    shutil.copytree(bundle, planted, ignore=shutil.ignore_patterns(".venv"))
    python = student_environment(planted)
    (planted / "genenorm_edu" / "planted.py").write_text(
        '"""A module with answers.\n\n'
        "Examples\n--------\n"
        ">>> def tied(column):\n"
        "...     values, counts = np.unique(column, return_counts=True)\n"
        "...     return values[counts > 1], counts[counts > 1]\n"
        '"""\n\n'
        "import numpy as np\n\n\n"
        "def _offset(index, strides):\n"
        "    return sum(i * s for i, s in zip(index, strides))\n"
    )
    cases = [c for c in _cases() if c[0] in ("byte_offset", "tie_blocks", "rpkm")]
    cases_path = tmp_path / "cases.pickle"
    cases_path.write_bytes(pickle.dumps(cases))
    found, summary = _hunt_module(python, "genenorm_edu.planted", cases_path, tmp_path)
    counts = _case_counts(cases)
    answered = {(item["function"].rsplit(" ", 1)[-1].rsplit(".", 1)[-1], item["exercise"])
                for item in found if _answers(item, counts)}
    assert answered == {("_offset", "byte_offset"), ("tied", "tie_blocks")}, found
    assert summary["callables"] == 2


# --- the search for solution lines ---------------------------------------------------


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _solution_lines() -> dict[str, list[str]]:
    """The code lines of each solution cell of solutions/, by exercise (grade id)."""
    lines: dict[str, list[str]] = {}
    for path in sorted((REPO_ROOT / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            for line in cell.source.splitlines():
                if "### BEGIN SOLUTION" in line:
                    inside = True
                elif "### END SOLUTION" in line:
                    inside = False
                elif inside and len(line.strip()) >= MIN_LINE_LENGTH and not line.strip().startswith("#"):
                    lines.setdefault(grade_id, []).append(_normalized(line))
    return lines


def _hint_lines(tree: ast.AST) -> set[int]:
    """The source lines of the ``hints=`` of the exercises of a module."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "hints":
            lines |= set(range(node.value.lineno, node.value.end_lineno + 1))
    return lines


def _searchable_text(path: Path) -> str:
    """A file of the copy as a student could read it (hints left out: they teach on purpose)."""
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
        return "\n".join(cell.source for cell in notebook.cells)
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".py":
        hints = _hint_lines(ast.parse(text))
        text = "\n".join(line for number, line in enumerate(text.splitlines(), 1) if number not in hints)
        text = re.sub(r"^\s*(>>>|\.\.\.) ?", "", text, flags=re.MULTILINE)  # doctest prompts
    return text


def _found_lines(folder: Path, lines: dict[str, list[str]]) -> list[str]:
    """Solution lines in the files under ``folder`` but the lessons' notebooks, with where."""
    texts = {
        path: _normalized(_searchable_text(path))
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and ".venv" not in path.parts
        and path.suffix in (".py", ".ipynb", ".md", ".txt", ".toml", ".cfg", ".json", ".in", "")
        and not (path.suffix == ".ipynb" and "notebooks" in path.relative_to(folder).parts)
    }
    return [
        f"{path.relative_to(folder)}: {exercise}: {line}"
        for exercise, code in lines.items()
        for line in code
        for path, text in texts.items()
        if line in text
    ]


def _taught_lines(folder: Path, exercise: str, code: list[str]) -> list[str]:
    """The lines of a solution that its hints or the copy's lesson notebooks show."""
    from genenorm_edu.exercises import EXERCISES as BY_NAME

    hints = _normalized(" ".join(BY_NAME[exercise].hints)).replace("`", "")
    notebooks = " ".join(
        _normalized(_searchable_text(path)) for path in sorted((folder / "notebooks").glob("*/*.ipynb"))
    )
    return [line for line in code if line in hints or line in notebooks]


def test_there_are_solution_lines_to_look_for():
    lines = _solution_lines()
    assert set(lines) == set(EXERCISES)
    assert sum(map(len, lines.values())) >= 40


def test_the_copy_holds_no_code_line_of_a_solution(bundle):
    assert _found_lines(bundle, _solution_lines()) == []


def test_the_search_finds_a_planted_line(bundle, tmp_path):
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "README.md").write_text("Tip:\n\n    order = np.argsort(x, axis=0, kind=\"stable\")\n")
    (planted / "helpers.py").write_text('"""\n>>> position = stats.rankdata(x, method="average", axis=0) - 1\n"""\n')
    found = _found_lines(planted, _solution_lines())
    assert sorted(entry.split(": ")[1] for entry in found) == ["ordinal_ranks", "qnorm"], found


def test_hints_and_lessons_never_show_a_whole_solution(bundle):
    for exercise, code in _solution_lines().items():
        shown = _taught_lines(bundle, exercise, code)
        assert len(shown) < len(code), (exercise, shown)
