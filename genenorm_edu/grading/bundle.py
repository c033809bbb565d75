"""The students' copy of the course: lessons and library, without answers.

A graded class must not hand students the repository: it holds the
instructor notebooks (``solutions/``), the reference solutions
(:mod:`genenorm_edu.reference`) and the hidden tests
(:mod:`genenorm_edu.grading`). ``genenorm-edu student-bundle DIR`` writes
what a student needs instead::

    DIR/README.md            two commands: make lab, make check; how to hand in
    DIR/Makefile             sets up .venv/ and the data, opens JupyterLab, checks, hands in
    DIR/pyproject.toml       the library's dependencies (pip install -e .)
    DIR/genenorm_edu/        the library, without reference/, grading/, normalization.py
                             and the median workflow (medians/ keeps only the
                             synthetic corpus writer lesson 4 reads)
    DIR/notebooks/<lesson>/  the released (student) notebooks, without their cells
                             tagged ``full-checkout-only``
    DIR/jupyter/             nbgrader_config.py (course id, exchange) and the
                             JupyterLab settings: Assignment List and Validate,
                             no Formgrader, Create Assignment or Course List

The copy holds no code that computes a graded exercise's answer: the
production ``rpkm`` and ``qnorm`` (:mod:`genenorm_edu.normalization`) and the
median workflow, whose per-file step is lesson 4's ``nonzero_normalized``,
stay in the course repository (the self-study checkout), with the notebook
cells that compare a student's work with them (tagged
:data:`FULL_CHECKOUT_TAG`). ``tests/test_answer_hunt.py`` calls every
function of the copy on every exercise's cases to prove it.

The bundle is written to a scratch folder beside ``DIR`` and renamed into
place when complete, so a failure leaves no half-written copy behind.

Examples
--------
From the course root (where ``nbgrader_config.py`` is)::

    genenorm-edu student-bundle ../genenorm-edu-student
    genenorm-edu student-bundle ../week1 --assignments 01-ndarray-internals \\
        --exchange /srv/nbgrader/exchange
"""

from __future__ import annotations

import argparse
import json
import shutil
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from genenorm_edu.atomic import atomic_write
from genenorm_edu.command_error import CommandError
from genenorm_edu.course import ASSIGNMENTS
from genenorm_edu.grading.copy_contents import (
    ANSWERING_PATHS,
    FULL_CHECKOUT_TAG,
    MEDIANS_DIR,
    STUDENT_MEDIANS_MODULES,
    student_library_files,
    student_medians_init,
    student_notebook,
)
from genenorm_edu.grading.kernel import PACKAGE_DIR

__all__ = [
    "ANSWERING_PATHS",
    "FULL_CHECKOUT_TAG",
    "STUDENT_MEDIANS_MODULES",
    "BundleSettings",
    "course_settings",
    "register_command",
    "student_library_files",
    "student_medians_init",
    "student_notebook",
    "student_pyproject",
    "write_student_bundle",
]

#: Templates of the bundle's own files.
TEMPLATES = Path(__file__).with_name("student_bundle")

#: Markers that only instructor notebooks carry.
_INSTRUCTOR_MARKERS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")



@dataclass(frozen=True)
class BundleSettings:
    """What a student's copy of the course is made of.

    Attributes
    ----------
    course_id : str
        nbgrader's course id (the exchange's folder of the course).
    exchange : Path
        The exchange root students fetch from and submit to.
    release_dir : Path
        The released student notebooks (``notebooks/`` of the course).
    assignments : tuple of str
        The lessons to include; the others reach students through the
        exchange when released (``make fetch``).
    """

    course_id: str
    exchange: Path
    release_dir: Path
    assignments: tuple[str, ...] = ASSIGNMENTS


def course_settings(course_root: Path) -> BundleSettings:
    """Read the course id, exchange and release folder from the course's ``nbgrader_config.py``.

    Raises
    ------
    FileNotFoundError
        If ``course_root`` has no ``nbgrader_config.py``.
    """
    from traitlets.config.loader import PyFileConfigLoader

    config_path = Path(course_root) / "nbgrader_config.py"
    if not config_path.is_file():
        raise FileNotFoundError(
            f"{config_path} not found: run this from the course root (the folder with "
            "nbgrader_config.py), or pass --root"
        )
    config = PyFileConfigLoader(config_path.name, path=str(config_path.parent)).load_config()
    release = config.CourseDirectory.get("release_directory", "release")
    return BundleSettings(
        course_id=str(config.CourseDirectory.get("course_id", "")),
        exchange=Path(config.Exchange.get("root", "/usr/local/share/nbgrader/exchange")),
        release_dir=Path(course_root) / release,
    )


def student_pyproject(distribution: str = "genenorm-edu") -> str:
    """The bundle's ``pyproject.toml``: the library's name, version and runtime dependencies.

    The dependencies are the installed distribution's, without its extras
    (tests), so the bundle installs what the notebooks need and nothing else.

    Examples
    --------
    >>> import tomllib
    >>> project = tomllib.loads(student_pyproject())["project"]
    >>> project["name"], any(d.startswith("nbgrader") for d in project["dependencies"])
    ('genenorm-edu', True)
    >>> any("pytest" in d for d in project["dependencies"])
    False
    """
    info = metadata.metadata(distribution)
    requirements = [
        requirement for requirement in metadata.requires(distribution) or [] if "extra ==" not in requirement
    ]
    dependencies = "".join(f"    {json.dumps(requirement)},\n" for requirement in requirements)
    return (
        "[build-system]\n"
        'requires = ["setuptools>=68"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        f"name = {json.dumps(info['Name'])}\n"
        f"version = {json.dumps(info['Version'])}\n"
        'description = "Advanced NumPy on gene-expression data: the student\'s copy of the course."\n'
        'readme = "README.md"\n'
        f"requires-python = {json.dumps(info['Requires-Python'] or '>=3.11')}\n"
        f"dependencies = [\n{dependencies}]\n\n"
        "[project.scripts]\n"
        'genenorm-edu = "genenorm_edu.cli:main"\n\n'
        "[tool.setuptools.packages.find]\n"
        'include = ["genenorm_edu*"]\n\n'
        "[tool.setuptools.package-data]\n"
        'genenorm_edu = ["*.txt"]\n'
    )


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path) as file:
        file.write(text.encode("utf-8"))


def _copy_library(target: Path) -> None:
    for relative in student_library_files():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PACKAGE_DIR / relative, target / relative)
    if (target / MEDIANS_DIR.name).is_dir():
        _write_text(target / MEDIANS_DIR.name / "__init__.py", student_medians_init())


def _check_released(notebook_path: Path) -> None:
    """Refuse a "released" notebook that still holds solutions or hidden tests."""
    import nbformat  # here, not at the top: `genenorm-edu student-bundle --help` stays fast

    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        for marker in _INSTRUCTOR_MARKERS:
            if marker in cell.source:
                raise ValueError(
                    f"{notebook_path} contains {marker!r}: it is an instructor notebook, not a "
                    "released one; run `genenorm-edu release` (or nbgrader generate_assignment)"
                )


def _copy_lessons(settings: BundleSettings, target: Path) -> None:
    for assignment in settings.assignments:
        source = settings.release_dir / assignment
        notebooks = sorted(source.glob("*.ipynb"))
        if not notebooks:
            raise FileNotFoundError(
                f"no released notebook in {source}: run `genenorm-edu release` (or nbgrader "
                f"generate_assignment {assignment}) first"
            )
        for notebook in notebooks:
            _check_released(notebook)
        shutil.copytree(
            source,
            target / assignment,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "feedback", "__pycache__"),
        )
        import nbformat  # here, not at the top: `genenorm-edu student-bundle --help` stays fast

        for notebook in sorted((target / assignment).glob("*.ipynb")):
            nbformat.write(student_notebook(nbformat.read(notebook, as_version=4)), notebook)


def _render(template: str, **values: object) -> str:
    return (TEMPLATES / template).read_text(encoding="utf-8").format(**values)


def _write_files(settings: BundleSettings, target: Path) -> None:
    lessons = len(settings.assignments)
    _write_text(target / "README.md", _render("README.md", n_lessons=f"{lessons} lesson{'s' * (lessons != 1)}"))
    _write_text(target / "Makefile", (TEMPLATES / "Makefile").read_text(encoding="utf-8"))
    _write_text(target / ".gitignore", (TEMPLATES / "gitignore").read_text(encoding="utf-8"))
    _write_text(target / "pyproject.toml", student_pyproject())
    jupyter = target / "jupyter"
    _write_text(
        jupyter / "nbgrader_config.py",
        _render("nbgrader_config.py.in", course_id=settings.course_id, exchange=str(settings.exchange)),
    )
    _write_text(
        jupyter / "jupyter_server_config.json",
        (TEMPLATES / "jupyter_server_config.json").read_text(encoding="utf-8"),
    )
    _write_text(
        jupyter / "labconfig" / "page_config.json",
        (TEMPLATES / "page_config.json").read_text(encoding="utf-8"),
    )


def write_student_bundle(target: Path, settings: BundleSettings) -> Path:
    """Write the students' copy of the course to ``target``.

    Parameters
    ----------
    target : Path
        A folder that does not exist yet (or is empty).
    settings : BundleSettings
        Course id, exchange, released notebooks and lessons to include.

    Returns
    -------
    target : Path

    Raises
    ------
    FileExistsError
        If ``target`` exists and is not empty.
    FileNotFoundError
        If a lesson has no released notebook.
    ValueError
        If an unknown lesson is asked for, or a released notebook holds
        solutions or hidden tests.
    """
    target = Path(target)
    unknown = sorted(set(settings.assignments) - set(ASSIGNMENTS))
    if unknown:
        raise ValueError(f"unknown lesson(s) {unknown}; the lessons are {list(ASSIGNMENTS)}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} exists and is not empty: give a new folder for the student copy")
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        _copy_library(scratch / PACKAGE_DIR.name)
        _copy_lessons(settings, scratch / "notebooks")
        _write_files(settings, scratch)
        if target.exists():
            target.rmdir()
        scratch.rename(target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return target


def _run_bundle(args: argparse.Namespace) -> int:
    try:
        settings = course_settings(args.root)
    except FileNotFoundError as error:
        raise CommandError(error) from error
    if args.exchange is not None:
        settings = BundleSettings(settings.course_id, args.exchange.resolve(), settings.release_dir)
    if args.assignments is not None:
        settings = BundleSettings(
            settings.course_id, settings.exchange, settings.release_dir, tuple(args.assignments)
        )
    try:
        target = write_student_bundle(args.target, settings)
    except (FileExistsError, FileNotFoundError, ValueError) as error:
        raise CommandError(error) from error
    print(
        f"wrote the students' copy of the course to {target}: "
        f"{', '.join(settings.assignments) or 'no lessons'}; exchange {settings.exchange}"
    )
    print(f"students: cd {target.name} && make lab")
    return 0


def register_command(subparsers) -> None:
    """Add the ``student-bundle`` subcommand to the ``genenorm-edu`` parser."""
    parser = subparsers.add_parser(
        "student-bundle",
        help="write the students' copy of the course (no solutions, no hidden tests)",
        description="Write the released notebooks, the course library without reference "
        "solutions or grading code, and a Makefile and README (make lab, make check) to a "
        "new folder for students. Run it from the course root (where nbgrader_config.py is).",
    )
    parser.add_argument("target", type=Path, metavar="DIR", help="a new folder")
    parser.add_argument(
        "--assignments",
        nargs="*",
        metavar="LESSON",
        default=None,
        help="lessons to include (default: all); the others reach students through the exchange",
    )
    parser.add_argument(
        "--exchange",
        type=Path,
        default=None,
        metavar="DIR",
        help="the exchange students submit to (default: the course's, from nbgrader_config.py)",
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course root (default: here)")
    parser.set_defaults(func=_run_bundle)
