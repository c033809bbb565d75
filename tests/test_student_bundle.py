"""The students' copy of the course (``genenorm-edu student-bundle``).

It must hold no answer: no reference solution, no hidden test, no solution
of ``solutions/``, searched by their source text in every file of the copy
(the search is shown to find them when they are planted). And it must work
on its own: its notebooks run with its library (in a virtualenv that sees
the copy's ``genenorm_edu``, not this repository's), up to the exercises a
student has not answered yet, and all the way with the answers filled in.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from course_copies import REPO_ROOT, make_student_bundle, shell_environment, student_environment

from genenorm_edu.course import ASSIGNMENTS
from genenorm_edu.grading.bundle import (
    FULL_CHECKOUT_TAG,
    BundleSettings,
    student_library_files,
    student_notebook,
    student_pyproject,
    write_student_bundle,
)
from genenorm_edu.grading.hidden import HIDDEN_CASES
from genenorm_edu.grading.kernel import PACKAGE_DIR, SECRET_PATHS

#: Lines shorter than this are too common to be anyone's secret (``return x``).
MIN_SECRET_LENGTH = 16


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """A student copy written by the command line, from a copy of the course root."""
    return make_student_bundle(tmp_path_factory.mktemp("bundles"))


# --- what must not be there ----------------------------------------------------


def _notebook_text(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in notebook.cells)


def _text_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        return _notebook_text(path) + "\n" + path.read_text(encoding="utf-8", errors="replace")
    return path.read_text(encoding="utf-8", errors="replace")


def _public_text() -> str:
    """What the student copy shows anyway: its library files, the released notebooks as it holds them."""
    texts = [_text_of(PACKAGE_DIR / path) for path in student_library_files()]
    for path in sorted((REPO_ROOT / "notebooks").glob("*/*.ipynb")):
        texts.append("\n".join(cell.source for cell in student_notebook(nbformat.read(path, as_version=4)).cells))
    return "\n".join(texts)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_SECRET_LENGTH]


def _reference_secrets() -> list[str]:
    """The code lines of every function of genenorm_edu/reference/ (docstrings left out)."""
    lines = []
    for path in sorted((PACKAGE_DIR / "reference").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                for statement in body:
                    lines += _lines(ast.get_source_segment(text, statement) or "")
    return lines


def _hidden_test_secrets() -> list[str]:
    """The lines of the hidden cases (arguments in source) and their labels."""
    code = [line for line in _lines((PACKAGE_DIR / "grading" / "hidden.py").read_text()) if not line.startswith("#")]
    labels = [case.label for cases in HIDDEN_CASES.values() for case in cases]
    return code + labels


def _solution_secrets() -> list[str]:
    """The lines of solutions/ between the solution and hidden-test markers."""
    lines = []
    for path in sorted((REPO_ROOT / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "### BEGIN SOLUTION" in line or "### BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "### END SOLUTION" in line or "### END HIDDEN TESTS" in line:
                    inside = False
                elif inside:
                    lines += _lines(line)
    return lines


@pytest.fixture(scope="module")
def secrets() -> dict[str, list[str]]:
    """Source text that must not reach students, by kind (minus what students see anyway)."""
    public = _public_text()
    found = {
        "reference solutions": _reference_secrets(),
        "hidden tests": _hidden_test_secrets(),
        "solutions/": _solution_secrets(),
    }
    return {kind: sorted({text for text in texts if text not in public}) for kind, texts in found.items()}


def found_secrets(folder: Path, secrets: dict[str, list[str]]) -> dict[str, list[str]]:
    """The secrets that occur in some file under ``folder``, with where."""
    texts = {path: _text_of(path) for path in sorted(folder.rglob("*")) if path.is_file() and ".venv" not in path.parts}
    leaks: dict[str, list[str]] = {}
    for kind, lines in secrets.items():
        for line in lines:
            for path, text in texts.items():
                if line in text:
                    leaks.setdefault(kind, []).append(f"{path.relative_to(folder)}: {line}")
    return leaks


def test_there_are_secrets_to_look_for(secrets):
    assert len(secrets["reference solutions"]) >= 20
    assert len(secrets["hidden tests"]) >= 20
    assert len(secrets["solutions/"]) >= 6


def test_bundle_holds_no_solution_hidden_test_or_reference_function(bundle, secrets):
    assert found_secrets(bundle, secrets) == {}


def test_the_search_finds_planted_secrets(bundle, secrets, tmp_path):
    planted = tmp_path / "planted"
    shutil.copytree(bundle, planted)
    shutil.copy(PACKAGE_DIR / "reference" / "lesson3.py", planted / "genenorm_edu" / "helpers.py")
    lesson = planted / "notebooks" / ASSIGNMENTS[2] / f"{ASSIGNMENTS[2]}.ipynb"
    notebook = nbformat.read(lesson, as_version=4)
    solution = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENTS[2] / lesson.name, as_version=4)
    notebook.cells = solution.cells
    nbformat.write(notebook, lesson)
    (planted / "cases.json").write_text(json.dumps([case.label for case in HIDDEN_CASES["rpkm"]]))
    leaks = found_secrets(planted, secrets)
    assert set(leaks) == {"reference solutions", "hidden tests", "solutions/"}


#: The corpus writer of lesson 4: the only part of medians/ in the copy.
CORPUS_WRITER = ("medians/__init__.py", "medians/corpus.py", "medians/synthetic.py")


def test_bundle_has_the_student_files_only(bundle):
    files = {path.relative_to(bundle).as_posix() for path in bundle.rglob("*") if path.is_file()}
    library = {f for f in files if f.startswith("genenorm_edu/")}
    secret = tuple(path.resolve() for path in SECRET_PATHS)
    everything = {
        path.relative_to(PACKAGE_DIR).as_posix()
        for path in PACKAGE_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    expected_library = {f"genenorm_edu/{path.as_posix()}" for path in student_library_files()}
    assert library == expected_library | {"genenorm_edu/medians/__init__.py"}
    assert {f"genenorm_edu/{path}" for path in everything} - library == {
        f"genenorm_edu/{path}"
        for path in everything
        if any((PACKAGE_DIR / path).resolve() == s or s in (PACKAGE_DIR / path).resolve().parents for s in secret)
        or path == "normalization.py"
        or (path.startswith("medians/") and path not in CORPUS_WRITER)
    }
    assert "genenorm_edu/normalization.py" not in files
    assert not any(f.startswith(("genenorm_edu/grading/", "genenorm_edu/reference/")) for f in files)
    exercises = {path.relative_to(PACKAGE_DIR.parent).as_posix() for path in (PACKAGE_DIR / "exercises").rglob("*.py")}
    assert "genenorm_edu/exercises/lesson3/ranks.py" in exercises and exercises <= files  # every part of every lesson
    assert {f for f in files if f.startswith("genenorm_edu/medians/")} == {
        f"genenorm_edu/{path}" for path in CORPUS_WRITER
    }
    assert {f"notebooks/{a}/{a}.ipynb" for a in ASSIGNMENTS} <= files
    assert files - library - {f"notebooks/{a}/{a}.ipynb" for a in ASSIGNMENTS} == {
        "README.md",
        "Makefile",
        "pyproject.toml",
        ".gitignore",
        "jupyter/nbgrader_config.py",
        "jupyter/jupyter_server_config.json",
        "jupyter/labconfig/page_config.json",
    }


def test_bundle_notebooks_leave_out_the_full_checkout_cells(bundle):
    """Cells that use what the copy leaves out (production RPKM, the median workflow) are not in it."""
    left_out = 0
    for assignment in ASSIGNMENTS:
        released = nbformat.read(REPO_ROOT / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
        copied = nbformat.read(bundle / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
        kept = [cell for cell in released.cells if FULL_CHECKOUT_TAG not in cell.metadata.get("tags", [])]
        assert [cell.source for cell in copied.cells] == [cell.source for cell in kept]
        left_out += len(released.cells) - len(kept)
        text = "\n".join(cell.source for cell in copied.cells)
        assert "genenorm_edu.normalization" not in text
        assert not re.search(r"from genenorm_edu\.medians import (?!make_corpus\b)", text), assignment
    assert left_out >= 4


def test_bundle_medians_package_is_the_corpus_writer_only(bundle):
    init = (bundle / "genenorm_edu" / "medians" / "__init__.py").read_text()
    imported = {
        node.module for node in ast.walk(ast.parse(init)) if isinstance(node, ast.ImportFrom)
    }
    assert imported == {"genenorm_edu.medians.corpus"}
    assert "make_corpus" in init


def test_bundle_installs_what_the_library_needs(bundle):
    ours = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    theirs = tomllib.loads((bundle / "pyproject.toml").read_text())["project"]
    # the same requirements (the copy's come from the installed metadata, normalized)
    assert [Requirement(line) for line in theirs["dependencies"]] == [
        Requirement(line) for line in ours["dependencies"]
    ]
    assert theirs["name"] == ours["name"]  # data/ of a source checkout: the copy's own
    assert "optional-dependencies" not in theirs


def test_bundle_lab_hides_the_instructor_tools(bundle):
    server = json.loads((bundle / "jupyter" / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    page = json.loads((bundle / "jupyter" / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    assert page["disabledExtensions"]["@jupyter/nbgrader:create-assignment"] is True
    # Every id disabled is one nbgrader's JupyterLab extension really has.
    static = Path(sys.prefix, "share", "jupyter", "labextensions", "@jupyter", "nbgrader", "static")
    plugin_ids = "".join(path.read_text(errors="replace") for path in static.glob("*.js"))
    for plugin in page["disabledExtensions"]:
        assert f'"{plugin}"' in plugin_ids, plugin
    for module in extensions:
        assert hasattr(importlib.import_module(module), "_load_jupyter_server_extension"), module


# --- refusals ------------------------------------------------------------------


def _settings(release_dir: Path, assignments=ASSIGNMENTS) -> BundleSettings:
    return BundleSettings("genenorm-edu", Path("/srv/exchange"), release_dir, tuple(assignments))


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    target = tmp_path / "copy"
    target.mkdir()
    (target / "mine.txt").write_text("a student's file")
    with pytest.raises(FileExistsError, match="not empty"):
        write_student_bundle(target, _settings(REPO_ROOT / "notebooks"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]


def test_refuses_an_instructor_notebook_and_leaves_nothing_behind(tmp_path):
    release = tmp_path / "release"
    shutil.copytree(REPO_ROOT / "solutions" / ASSIGNMENTS[0], release / ASSIGNMENTS[0])
    with pytest.raises(ValueError, match="instructor notebook"):
        write_student_bundle(tmp_path / "copy", _settings(release, ASSIGNMENTS[:1]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_refuses_an_unknown_lesson(tmp_path):
    with pytest.raises(ValueError, match="unknown lesson"):
        write_student_bundle(tmp_path / "copy", _settings(REPO_ROOT / "notebooks", ["05-nope"]))


def test_command_outside_a_course_root_says_where_to_run_it(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "genenorm_edu.cli", "student-bundle", str(tmp_path / "copy")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("genenorm-edu student-bundle: error: ")
    assert "nbgrader_config.py" in done.stderr and "--root" in done.stderr


def test_pyproject_names_no_test_tools():
    assert "pytest" not in student_pyproject() and "playwright" not in student_pyproject()


# --- it works on its own -------------------------------------------------------

_EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient

path, cwd, allow_errors = sys.argv[1], sys.argv[2], sys.argv[3] == "allow-errors"
notebook = nbformat.read(path, as_version=4)
NotebookClient(
    notebook, timeout=600, kernel_name="python3", allow_errors=allow_errors, resources={"metadata": {"path": cwd}}
).execute()
nbformat.write(notebook, path)
"""

_PROBE = """
import importlib.util, sys
import genenorm_edu
print("library:", genenorm_edu.__file__)
print("python:", sys.executable)
print("reference:", importlib.util.find_spec("genenorm_edu.reference"))
print("grading:", importlib.util.find_spec("genenorm_edu.grading"))
"""


@pytest.fixture(scope="module")
def student_python(bundle) -> Path:
    return student_environment(bundle)


def _run_notebook(
    python: Path, notebook: nbformat.NotebookNode, folder: Path, home: Path, allow_errors: bool = False
) -> nbformat.NotebookNode:
    path = folder / "run.ipynb"
    nbformat.write(notebook, path)
    done = subprocess.run(
        [str(python), "-c", _EXECUTE, str(path), str(folder), "allow-errors" if allow_errors else "stop"],
        cwd=folder, env=shell_environment(home=home), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return nbformat.read(path, as_version=4)


def _is_answer(cell) -> bool:
    metadata = cell.metadata.get("nbgrader", {})
    return bool(metadata.get("solution")) and not metadata.get("grade")


def _probe_output(notebook) -> str:
    return "".join(output.get("text", "") for output in notebook.cells[-1].outputs)


def test_bundle_command_line_has_the_student_commands_only(bundle, student_python, tmp_path):
    done = subprocess.run(
        [str(student_python), "-m", "genenorm_edu.cli", "--help"],
        cwd=bundle, env=shell_environment(home=tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "data" in done.stdout
    # The median workflow is researcher tooling: its per-file step answers lesson 4.
    for researcher_command in ("medians", "make-corpus"):
        assert researcher_command not in done.stdout
    for instructor_command in ("autograde", "student-bundle", "release", "generate-feedback"):
        assert instructor_command not in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("source", ["bundle", "exchange"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_runs_in_the_bundle_up_to_the_unanswered_exercises(
    bundle, student_python, assignment, source, tmp_path
):
    """Run All in the copy: only the visible tests and the cells noted as needing an exercise fail.

    A lesson released later through the exchange comes whole: there, the cells
    for the full checkout stop at their import, which says why.
    """
    released = REPO_ROOT / "notebooks" / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(bundle / "notebooks" / assignment / released.name, as_version=4)
    if source == "exchange":
        notebook = nbformat.read(released, as_version=4)
        if not any(FULL_CHECKOUT_TAG in cell.metadata.get("tags", []) for cell in notebook.cells):
            pytest.skip("the lesson has no cell for the full checkout only: the same notebook as the bundle's")
    notebook.cells.append(nbformat.v4.new_code_cell(_PROBE))
    ran = _run_notebook(student_python, notebook, tmp_path, tmp_path, allow_errors=True)
    for cell in ran.cells:
        for output in cell.get("outputs", []):
            if output.output_type != "error":
                continue
            if cell.metadata.get("nbgrader", {}).get("grade_id", "").endswith("_visible"):
                assert "is not written yet" in output["evalue"], output["evalue"]
            elif FULL_CHECKOUT_TAG in cell.metadata.get("tags", []):
                assert output["ename"] in ("ImportError", "ModuleNotFoundError"), (cell.source[:200], output["evalue"])
                assert "not in the student copy" in cell.source
            else:
                assert cell.source.startswith("# Uses your "), (cell.source[:80], output["ename"], output["evalue"])
    probe = _probe_output(ran)
    assert f"library: {bundle.resolve() / 'genenorm_edu' / '__init__.py'}" in probe
    assert f"python: {student_python.parent}" in probe
    assert "reference: None" in probe and "grading: None" in probe


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answered_notebook_passes_its_visible_tests_in_the_bundle(bundle, student_python, assignment, tmp_path):
    notebook = nbformat.read(bundle / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
    solution = nbformat.read(REPO_ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in solution.cells if _is_answer(cell)}
    for cell in notebook.cells:
        if _is_answer(cell):
            cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
    notebook.cells.append(nbformat.v4.new_code_cell(_PROBE))
    ran = _run_notebook(student_python, notebook, tmp_path, tmp_path)  # raises on any error
    visible = [cell for cell in ran.cells if cell.source.startswith("check_exercise(")]
    assert visible and all(
        "passed" in "".join(output.get("text", "") for output in cell.outputs) for cell in visible
    )
    assert "reference: None" in _probe_output(ran)
