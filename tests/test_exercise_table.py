"""README's table of exercises lists every exercise, in notebook order, with its points."""

from __future__ import annotations

import re

import nbformat

from genenorm_edu.course import ASSIGNMENTS, REPO_ROOT
from genenorm_edu.exercises import EXERCISES, LESSONS

_ROW = re.compile(r"^\| (\d) \| `(\w+)` \| (\d+) \+ (\d+) \| .+ \|$", re.MULTILINE)


def _points(assignment: str) -> dict[str, int]:
    notebook = nbformat.read(REPO_ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]["points"]
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }


def test_the_readme_table_matches_the_notebooks():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = [(int(lesson), name, int(visible), int(hidden)) for lesson, name, visible, hidden in _ROW.findall(readme)]
    expected = []
    for number, assignment in enumerate(ASSIGNMENTS, start=1):
        points = _points(assignment)
        expected += [(number, name, points[f"test_{name}_visible"], points[f"test_{name}_hidden"])
                     for name in LESSONS[assignment]]
    assert rows == expected
    assert f"with {len(EXERCISES)}\ngraded exercises" in readme or f"with {len(EXERCISES)} graded" in readme
    assert f"the {len(EXERCISES)} graded exercises" in readme


def test_the_course_has_at_least_20_exercises_and_each_lesson_a_new_one():
    assert len(EXERCISES) >= 20
    assert all(len(names) >= 4 for names in LESSONS.values())
