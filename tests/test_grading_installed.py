"""Grading from a regular (non-editable) install: the package under site-packages.

An instructor or a conda user runs ``pip install .``: the library is then a
copy under ``site-packages``, next to every third-party package. The
sandboxes must still show the kernel the library without its secrets, and
the out-of-reach runner its own three files and nothing else of the library.

The fixture builds that install for real: a virtualenv in a temporary
folder, the package pip-installed (built as a wheel, not editable) into its
``site-packages``, and this test run's third-party packages reachable
through a ``.pth`` file (whose own ``.pth`` files, the editable install of
this repository among them, are not processed). Lesson 1 is then released
and graded by nbgrader run with that virtualenv's Python, from a course
folder outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from catalog.answers import WRONG
from catalog.submissions import Context, Submission, answer, build, insert_cell
from course_copies import grade_cell_points

from genenorm_edu.course import REPO_ROOT

pytestmark = pytest.mark.slow

ASSIGNMENT = "01-ndarray-internals"

#: What the package build reads from the repository.
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "genenorm_edu")

#: A kernel cell that tries to read the secret parts of the installed package.
READS_SECRETS_IN_KERNEL = """
import importlib.util, pathlib
SECRET_FILES = ("reference/lesson1.py", "reference/__init__.py", "grading/hidden.py", "grading/policy.py")
installed = pathlib.Path(importlib.util.find_spec("genenorm_edu").origin).parent
print("library at", installed)
for relative in SECRET_FILES:
    try:
        text = (installed / relative).read_text()
        print("read", relative, len(text), "characters:", text[:3000])
    except OSError as error:
        print("cannot read", relative, type(error).__name__)
compiled = sorted(path for path in installed.rglob("*.pyc") if "reference" in path.parts or path.name.startswith("reference."))
print("compiled reference:", [path.name for path in compiled])
for path in compiled:
    try:
        import marshal
        namespace = {}
        exec(marshal.loads(path.read_bytes()[16:]), namespace)
        if "c_strides" in namespace:
            print("reference from bytecode", namespace["c_strides"]((2, 3), 8))
    except Exception as error:
        print("no bytecode:", type(error).__name__)
try:
    from genenorm_edu.reference import c_strides as reference_c_strides
    print("reference imported", reference_c_strides((2, 3), 8))
except Exception as error:
    print("no reference:", type(error).__name__)
"""

#: An answer that, in the out-of-reach runner, takes the reference solution from the installed file.
READS_REFERENCE_IN_RUNNER = """
def c_strides(shape, itemsize):
    namespace = {}
    exec(open("{package}/reference/lesson1.py").read(), namespace)
    return namespace["c_strides"](shape, itemsize)
"""


def _purelib(python: Path) -> Path:
    done = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A virtualenv with genenorm-edu pip-installed (not editable) in its site-packages."""
    root = tmp_path_factory.mktemp("installed")
    source = root / "source"
    source.mkdir()
    for name in PACKAGE_SOURCES:
        if (REPO_ROOT / name).is_dir():
            shutil.copytree(REPO_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO_ROOT / name, source / name)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = _purelib(python)
    # This run's third-party packages; their .pth files (the editable install) are not processed.
    (purelib / "third-party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--target", str(purelib), str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.rmtree(source)  # only the installed copy is left outside the repository
    where = subprocess.run(
        [str(python), "-c", "import genenorm_edu; print(genenorm_edu.__file__)"],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    package = Path(where).parent
    assert package == purelib / "genenorm_edu", where
    # pip compiled every module: the reference solutions are also bytecode beside them.
    assert list((package / "reference" / "__pycache__").glob("lesson1.*.pyc")), sorted(package.rglob("*.pyc"))[:5]
    return {"python": python, "package": package, "root": root}


def _environment(python: Path) -> dict[str, str]:
    from genenorm_edu.data import DATA_DIR_ENV, data_dir

    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    # nbgrader runs `alembic` from PATH: the installed one is this run's.
    env["PATH"] = os.pathsep.join([str(python.parent), str(Path(sys.executable).parent), env.get("PATH", "")])
    env[DATA_DIR_ENV] = str(data_dir())  # reuse the cached course data
    env["MPLBACKEND"] = "Agg"
    return env


def _nbgrader(python: Path, course: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(python), "-m", "nbgrader", *args],
        cwd=course, env=_environment(python), capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def graded(installed, tmp_path_factory) -> dict:
    """Lesson 1 graded by the installed package: solved, wrong and secret-seeking submissions."""
    python, package = installed["python"], installed["package"]
    course = tmp_path_factory.mktemp("course")
    shutil.copy(REPO_ROOT / "nbgrader_config.py", course)
    shutil.copytree(REPO_ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    _nbgrader(python, course, "generate_assignment", ASSIGNMENT, "--force")

    name = f"{ASSIGNMENT}.ipynb"
    release = nbformat.read(course / "notebooks" / ASSIGNMENT / name, as_version=4)
    solution = nbformat.read(course / "solutions" / ASSIGNMENT / name, as_version=4)
    context = Context(course=course, assignment=ASSIGNMENT, solution=solution)
    wrong, _ = WRONG["c_strides"]["Fortran order"]
    submissions = (
        Submission("solved", "correct", "solved"),
        Submission("wrong", "wrong", "solved", (answer("c_strides", wrong),)),
        Submission(
            "reads-secrets",
            "reaching outside",
            "solved",
            (
                insert_cell("c_strides", READS_SECRETS_IN_KERNEL),
                answer("c_strides", READS_REFERENCE_IN_RUNNER.replace("{package}", str(package))),
            ),
        ),
    )
    for submission in submissions:
        target = course / "submitted" / submission.student / ASSIGNMENT / name
        target.parent.mkdir(parents=True)
        target.write_text(submission.file_text(build(release, submission, context)), encoding="utf-8")
    log = _nbgrader(python, course, "autograde", ASSIGNMENT, "--force")

    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submitted in gradebook.assignment_submissions(ASSIGNMENT):
            (notebook,) = submitted.notebooks
            scores[submitted.student_id] = {grade.name: grade.score for grade in notebook.grades}
    return {
        "course": course,
        "scores": scores,
        "points": grade_cell_points(solution),
        "log": log.stdout + log.stderr,
    }


def _outputs(course: Path, student: str) -> str:
    path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    texts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            texts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(texts)


def test_the_package_is_installed_outside_the_repository(installed):
    assert installed["package"].resolve() != (REPO_ROOT / "genenorm_edu").resolve()
    assert REPO_ROOT.resolve() not in installed["package"].resolve().parents


def test_a_correct_submission_scores_full_marks_from_an_install(graded):
    assert graded["scores"]["solved"] == graded["points"], graded["log"][-4000:]


def test_a_wrong_answer_scores_less_from_an_install(graded):
    scores, points = graded["scores"]["wrong"], graded["points"]
    assert scores["test_c_strides_visible"] == 0 and scores["test_c_strides_hidden"] == 0
    others = {cell: score for cell, score in scores.items() if "c_strides" not in cell}
    assert others == {cell: p for cell, p in points.items() if "c_strides" not in cell}


def test_student_code_cannot_read_the_installed_secrets(graded):
    printed = _outputs(graded["course"], "reads-secrets")
    assert "library at" in printed  # the hostile cell ran
    for relative in ("reference/lesson1.py", "reference/__init__.py", "grading/hidden.py", "grading/policy.py"):
        assert f"cannot read {relative}" in printed or f"read {relative} 0 characters" in printed, printed
    assert "reference imported" not in printed and "reference from bytecode" not in printed
    assert "compiled reference: []" in printed, printed
    assert "HIDDEN_CASES" not in printed and "def c_strides" not in printed
    # In the runner the installed library is out of sight: the copied reference cannot be read.
    scores, points = graded["scores"]["reads-secrets"], graded["points"]
    assert scores["test_c_strides_visible"] == 0 and scores["test_c_strides_hidden"] == 0
    others = {cell: score for cell, score in scores.items() if "c_strides" not in cell}
    assert others == {cell: p for cell, p in points.items() if "c_strides" not in cell}
