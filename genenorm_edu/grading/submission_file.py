"""Read a submitted notebook file, whatever state it is in.

nbgrader stops on a submission it cannot read (invalid JSON, an empty file,
a cell without ``source``) and the student gets no grade and no feedback.
:func:`read_submission` repairs what can be repaired (cells rebuilt from
their type, source and metadata; outputs dropped, as grading clears them
anyway) and otherwise stands in an empty notebook, so that the submission is
graded (0 for what cannot be scored) and its feedback says what happened.
:class:`TolerantNotebookExporter` is the exporter nbgrader's autograde uses
for that (``c.Autograde.exporter_class`` in ``nbgrader_config.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import nbformat
from nbconvert.exporters import NotebookExporter

__all__ = ["ReadSubmission", "TolerantNotebookExporter", "read_submission"]


@dataclass(frozen=True)
class ReadSubmission:
    """A submitted notebook as it could be read.

    Attributes
    ----------
    notebook : NotebookNode
        The notebook (repaired, or an empty stand-in).
    problem : str
        What was wrong with the file, in words; empty if nothing was.
    """

    notebook: nbformat.NotebookNode
    problem: str = ""


def _source_text(source) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return ""


def _rebuilt_cell(raw) -> nbformat.NotebookNode | None:
    """A valid cell with the raw cell's type, source and metadata (None if it has no type)."""
    if not isinstance(raw, dict):
        return None
    source = _source_text(raw.get("source"))
    makers = {
        "code": nbformat.v4.new_code_cell,
        "markdown": nbformat.v4.new_markdown_cell,
        "raw": nbformat.v4.new_raw_cell,
    }
    maker = makers.get(raw.get("cell_type"))
    if maker is None:
        return None
    cell = maker(source)
    if isinstance(raw.get("metadata"), dict):
        cell.metadata = nbformat.from_dict(raw["metadata"])
    if isinstance(raw.get("id"), str) and 0 < len(raw["id"]) <= 64:
        cell["id"] = raw["id"]
    return cell


def _note(problem: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(
        f"**[grader]** This notebook file could not be read as submitted: {problem}"
    )


def _repaired(data) -> nbformat.NotebookNode | None:
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None
    cells = [cell for cell in map(_rebuilt_cell, data["cells"]) if cell is not None]
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=nbformat.from_dict(metadata))
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError:
        notebook.metadata = nbformat.from_dict({})
        try:
            nbformat.validate(notebook)
        except nbformat.ValidationError:
            return None
    return notebook


def read_submission(text: str) -> ReadSubmission:
    """Read a submitted notebook's text; repair it, or stand in an empty notebook.

    Examples
    --------
    >>> read_submission("").problem
    'it is not a notebook (not valid JSON). It was graded as an empty notebook.'
    >>> raw = {"cells": [{"cell_type": "code", "metadata": {}}], "metadata": {}, "nbformat": 4,
    ...        "nbformat_minor": 5}
    >>> read = read_submission(json.dumps(raw))
    >>> read.notebook.cells[1].source, read.problem.startswith("it was damaged")
    ('', True)
    """
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
        return ReadSubmission(notebook)
    except Exception as error:  # any reading or validation failure: repair below
        reason = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
    try:
        data = json.loads(text)
    except ValueError:
        problem = "it is not a notebook (not valid JSON). It was graded as an empty notebook."
        notebook = nbformat.v4.new_notebook(cells=[_note(problem)])
        return ReadSubmission(notebook, problem)
    notebook = _repaired(data)
    if notebook is None:
        problem = f"it is not a valid notebook ({reason}). It was graded as an empty notebook."
        return ReadSubmission(nbformat.v4.new_notebook(cells=[_note(problem)]), problem)
    problem = f"it was damaged ({reason}); its cells were rebuilt from their source and metadata."
    notebook.cells.insert(0, _note(problem))
    return ReadSubmission(notebook, problem)


class TolerantNotebookExporter(NotebookExporter):
    """nbconvert's NotebookExporter, reading damaged notebooks with :func:`read_submission`."""

    def from_file(self, file_stream, resources=None, **kw):
        """Read, repair if needed, then export as usual."""
        try:
            text = file_stream.read()
        except (OSError, UnicodeDecodeError) as error:
            self.log.error("Submission file unreadable: %s", error)
            text = ""
        read = read_submission(text)
        if read.problem:
            self.log.warning(
                "Submission %s: %s", (resources or {}).get("metadata", {}).get("path"), read.problem
            )
        return self.from_notebook_node(read.notebook, resources=resources, **kw)
