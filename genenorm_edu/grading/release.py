"""Make the student notebooks from the instructor notebooks (nbgrader's release).

The instructor notebooks in ``solutions/`` carry the solutions and the hidden
tests (nbgrader's *source* directory). The student notebooks in
``notebooks/`` (nbgrader's *release* directory) are made from them by
``nbgrader generate_assignment``, then stripped of outputs and execution
counts so that git keeps only what a student should start from.

Regenerate the student notebooks after editing a solution notebook::

    genenorm-edu release          # or: make student-notebooks
    genenorm-edu release --check  # exit 1 if notebooks/ is stale

The release runs in a temporary course directory with its own gradebook, so
it never touches a gradebook of a real class.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from genenorm_edu.course import ASSIGNMENTS, RELEASE_DIRECTORY, REPO_ROOT, SOURCE_DIRECTORY
from genenorm_edu.grading.environment import ensure_alembic_on_path

__all__ = ["generate_release", "register_command", "stale_notebooks", "strip_notebook"]


def strip_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs, execution counts and execution timings, in place.

    Parameters
    ----------
    notebook : NotebookNode
        A notebook read with :func:`nbformat.read`.

    Returns
    -------
    notebook : NotebookNode
        The same object, for chaining.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("1 + 1", execution_count=3)
    >>> cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"})]
    >>> notebook = strip_notebook(nbformat.v4.new_notebook(cells=[cell]))
    >>> notebook.cells[0].outputs, notebook.cells[0].execution_count
    ([], None)
    """
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    return notebook


def _notebook_text(notebook: nbformat.NotebookNode) -> str:
    """Serialize a notebook the way the repository stores it."""
    import nbformat  # here, not at the top: `genenorm-edu release --help` does not pay for it

    return nbformat.writes(notebook) + "\n"


def generate_release(
    source_dir: Path, output_dir: Path, assignments: Sequence[str] = ASSIGNMENTS
) -> list[Path]:
    """Run ``nbgrader generate_assignment`` and write stripped student notebooks.

    Parameters
    ----------
    source_dir : Path
        The instructor notebooks (``solutions/``).
    output_dir : Path
        Where to write the student notebooks (``notebooks/``); one
        sub-directory per assignment is replaced.
    assignments : sequence of str
        Assignment ids to release.

    Returns
    -------
    paths : list of Path
        The student notebooks written.

    Raises
    ------
    RuntimeError
        If nbgrader fails (for example on invalid cell metadata); the message
        carries nbgrader's log.
    """
    import nbformat
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    ensure_alembic_on_path()
    written = []
    with tempfile.TemporaryDirectory(prefix="genenorm-edu-release-") as tmp:
        course = Path(tmp)
        config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.source_directory = "source"
        config.CourseDirectory.release_directory = "release"
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        for assignment in assignments:
            shutil.copytree(Path(source_dir) / assignment, course / "source" / assignment)
        coursedir = CourseDirectory(config=config)
        api = NbGraderAPI(coursedir=coursedir, config=config)
        for assignment in assignments:
            result = api.generate_assignment(assignment)
            if not result["success"]:
                raise RuntimeError(
                    f"nbgrader generate_assignment {assignment} failed:\n"
                    f"{result.get('error', '')}\n{result.get('log', '')}"
                )
            released = course / "release" / assignment
            target = Path(output_dir) / assignment
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for notebook_path in sorted(released.glob("*.ipynb")):
                notebook = strip_notebook(nbformat.read(notebook_path, as_version=4))
                out_path = target / notebook_path.name
                out_path.write_text(_notebook_text(notebook), encoding="utf-8")
                written.append(out_path)
    return written


def stale_notebooks(source_dir: Path, release_dir: Path) -> list[str]:
    """Names of student notebooks that differ from a fresh release.

    Parameters
    ----------
    source_dir, release_dir : Path
        ``solutions/`` and ``notebooks/``.

    Returns
    -------
    stale : list of str
        Relative paths (``assignment/notebook.ipynb``) that are missing,
        extra or different; empty when ``release_dir`` is up to date.
    """
    with tempfile.TemporaryDirectory(prefix="genenorm-edu-check-") as tmp:
        fresh_dir = Path(tmp)
        generate_release(source_dir, fresh_dir)
        fresh = {p.relative_to(fresh_dir).as_posix(): p for p in fresh_dir.glob("*/*.ipynb")}
        committed = {
            p.relative_to(release_dir).as_posix(): p
            for assignment in ASSIGNMENTS
            for p in (Path(release_dir) / assignment).glob("*.ipynb")
        }
        stale = sorted(set(fresh) ^ set(committed))
        for name in sorted(set(fresh) & set(committed)):
            if fresh[name].read_text(encoding="utf-8") != committed[name].read_text(
                encoding="utf-8"
            ):
                stale.append(name)
    return stale


def _run_release(args: argparse.Namespace) -> int:
    source_dir, release_dir = args.root / SOURCE_DIRECTORY, args.root / RELEASE_DIRECTORY
    if args.check:
        stale = stale_notebooks(source_dir, release_dir)
        for name in stale:
            print(f"stale: {RELEASE_DIRECTORY}/{name}")
        if stale:
            print("run: genenorm-edu release")
            return 1
        print(f"{RELEASE_DIRECTORY}/ is up to date")
        return 0
    for path in generate_release(source_dir, release_dir):
        print(f"wrote {path.relative_to(args.root)}")
    return 0


def register_command(subparsers) -> None:
    """Add the ``release`` subcommand to the ``genenorm-edu`` parser."""
    release = subparsers.add_parser(
        "release",
        help="regenerate the student notebooks (notebooks/) from solutions/",
        description="Run nbgrader generate_assignment on every lesson in a scratch course "
        "and write the student notebooks, stripped of outputs, to notebooks/.",
    )
    release.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if notebooks/ differs from a fresh release",
    )
    release.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    release.set_defaults(func=_run_release)
