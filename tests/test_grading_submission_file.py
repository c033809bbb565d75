"""Reading submitted notebook files, damaged ones included."""

from __future__ import annotations

import json

import nbformat
import pytest

from genenorm_edu.grading.submission_file import read_submission


def notebook_text(*sources: str) -> str:
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


def test_a_good_notebook_is_read_as_it_is():
    read = read_submission(notebook_text("x = 1", "print(x)"))
    assert read.problem == "" and [cell.source for cell in read.notebook.cells] == ["x = 1", "print(x)"]


def test_a_damaged_cell_is_rebuilt_and_the_others_kept():
    data = json.loads(notebook_text("x = 1", "print(x)"))
    del data["cells"][0]["source"]
    data["cells"][1]["outputs"] = [{"output_type": "bogus"}]
    data["cells"][1]["metadata"] = {"nbgrader": {"grade_id": "answer"}}
    read = read_submission(json.dumps(data))
    assert "its cells were rebuilt" in read.problem
    note, first, second = read.notebook.cells
    assert note.cell_type == "markdown" and "could not be read as submitted" in note.source
    assert (first.source, second.source) == ("", "print(x)")
    assert second.metadata["nbgrader"] == {"grade_id": "answer"} and second.outputs == []


def test_source_given_as_a_list_of_lines_is_joined():
    data = json.loads(notebook_text("unused"))
    data["cells"][0] = {"cell_type": "code", "source": ["a = 1\n", "b = 2"], "metadata": {}, "bad": 1}
    assert read_submission(json.dumps(data)).notebook.cells[1].source == "a = 1\nb = 2"


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", '{"cells": 5}', "\x89PNG"])
def test_anything_else_becomes_an_empty_notebook_that_says_why(text):
    read = read_submission(text)
    assert "graded as an empty notebook" in read.problem
    assert [cell.cell_type for cell in read.notebook.cells] == ["markdown"]
    nbformat.validate(read.notebook)
