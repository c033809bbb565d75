"""Build the student notebooks of the course from the instructor notebooks.

The instructor notebooks in ``solutions/`` carry the solutions and the hidden
tests (nbgrader's *source* directory). The student notebooks in
``notebooks/`` (nbgrader's *release* directory) are made from them by
``nbgrader generate_assignment``, then stripped of outputs and execution
counts so that git keeps only what a student should start from.

Regenerate the student notebooks after editing a solution notebook::

    python -m genenorm_edu.course release          # or: make student-notebooks
    python -m genenorm_edu.course release --check  # exit 1 if notebooks/ is stale

The release runs in a temporary course directory with its own gradebook, so
it never touches a gradebook of a real class.

This module also holds two nbgrader preprocessors that ``nbgrader_config.py``
installs: :class:`RestoreMissingCells` (autograde) and
:class:`ClearHiddenTestsAndTracebacks` (feedback).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells
from traitlets import List

#: The course's assignments, in teaching order; each holds one notebook of
#: the same name.
ASSIGNMENTS = (
    "01-ndarray-internals",
    "02-axes-and-broadcasting",
    "03-fancy-indexing",
    "04-nonzero-medians",
)

#: The repository root of a source checkout (where ``nbgrader_config.py`` is).
REPO_ROOT = Path(__file__).resolve().parent.parent


class ClearHiddenTestsAndTracebacks(ClearHiddenTests):
    """Remove hidden tests from feedback, including from their tracebacks.

    nbgrader's :class:`~nbgrader.preprocessors.ClearHiddenTests` removes the
    ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region of a cell's
    source. When a hidden test fails, the cell's error output still quotes
    the failing test line in its traceback; this preprocessor also cuts the
    traceback of such cells down to the error's name and message.
    """

    # nbconvert's HTML exporter configures ``display_data_priority`` on every
    # preprocessor of the feedback pipeline; nbgrader's base class has the
    # trait but does not mark it configurable (GetGrades does), which makes
    # traitlets warn "Config option `display_data_priority` not recognized".
    display_data_priority = List(
        ["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png"]
        + ["image/jpeg", "text/plain"]
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        """Clear the hidden-test region and, if there was one, the tracebacks."""
        had_hidden_tests = self.begin_test_delimeter in cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had_hidden_tests and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
        return cell, resources


class RestoreMissingCells(OverwriteCells):
    """nbgrader's OverwriteCells, restoring deleted test cells more robustly.

    With ``OverwriteCells.add_missing_cells = True``, nbgrader 0.9 puts a
    deleted test cell back right after the grade or solution cell that
    precedes it in the instructor notebook. If that cell lost its nbgrader
    metadata too (a student who deletes the metadata of an answer cell and
    of its test cells, for instance), nbgrader stops with a ``KeyError`` and
    the student gets no grade at all. This version finds the preceding cell
    by its nbgrader ``grade_id`` or, failing that, by its notebook cell id
    (the course notebooks use the grade id as cell id, and editors keep cell
    ids when metadata is edited), and otherwise by walking further back; a
    cell with no anchor at all goes to the end of the notebook.
    """

    def add_missing_grade_cells(self, nb, resources):
        """Insert missing grade cells after their closest surviving predecessor."""
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_cell_ids = [cell.name for cell in source_nb.source_cells]
        source_cells = {cell.name: cell for cell in source_nb.source_cells}
        grade_cells = {cell.name: cell for cell in source_nb.grade_cells}
        solution_cell_ids = {cell.name for cell in source_nb.solution_cells}

        for position, name in enumerate(source_cell_ids):
            if name not in grade_cells or name in self._graded_positions(nb):
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", name)
            restored = self.missing_cell_transform(
                source_cells[name],
                grade_cells[name].max_score,
                is_solution=name in solution_cell_ids,
            )
            anchors = self._anchor_positions(nb)
            previous = [anchors[p] for p in reversed(source_cell_ids[:position]) if p in anchors]
            insert_at = previous[0] + 1 if previous else len(nb.cells)
            nb.cells.insert(insert_at, restored)
        return nb, resources

    @staticmethod
    def _graded_positions(nb) -> dict[str, int]:
        return {
            cell["metadata"]["nbgrader"]["grade_id"]: index
            for index, cell in enumerate(nb.cells)
            if nbgrader_utils.is_grade(cell) or nbgrader_utils.is_solution(cell)
        }

    @classmethod
    def _anchor_positions(cls, nb) -> dict[str, int]:
        by_cell_id = {cell.get("id"): index for index, cell in enumerate(nb.cells)}
        by_cell_id.pop(None, None)
        return {**by_cell_id, **cls._graded_positions(nb)}


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
    return nbformat.writes(notebook) + "\n"


def ensure_alembic_on_path() -> None:
    """Put this interpreter's ``bin`` directory on ``PATH`` if it is missing.

    When nbgrader creates a new gradebook it runs the ``alembic`` command
    found on ``PATH``. Without an activated virtualenv that command is not
    found, the gradebook is left half-made, and the command fails. (Running
    ``.venv/bin/python -m genenorm_edu.course`` does not activate anything.)
    """
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + path


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


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m genenorm_edu.course release [--check]``."""
    parser = argparse.ArgumentParser(
        prog="python -m genenorm_edu.course",
        description="Generate the student notebooks (notebooks/) from solutions/.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    release = subparsers.add_parser("release", help="regenerate notebooks/ from solutions/")
    release.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if notebooks/ differs from a fresh release",
    )
    release.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    args = parser.parse_args(argv)

    source_dir, release_dir = args.root / "solutions", args.root / "notebooks"
    if args.check:
        stale = stale_notebooks(source_dir, release_dir)
        for name in stale:
            print(f"stale: notebooks/{name}")
        if stale:
            print("run: python -m genenorm_edu.course release")
            return 1
        print("notebooks/ is up to date")
        return 0
    for path in generate_release(source_dir, release_dir):
        print(f"wrote {path.relative_to(args.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
