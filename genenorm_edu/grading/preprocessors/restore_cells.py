"""Restore deleted test cells; stay quiet about test cells students never saw whole."""

from __future__ import annotations

import nbformat
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells

__all__ = ["RestoreMissingCells", "released_source"]


def released_source(source: str) -> str:
    """A test cell's source as students received it: hidden-test regions removed.

    Examples
    --------
    >>> print(released_source("# visible\\n### BEGIN HIDDEN TESTS\\nsecret()\\n### END HIDDEN TESTS"))
    # visible
    """
    cell = nbformat.v4.new_code_cell(source)
    try:
        ClearHiddenTests()._remove_hidden_test_region(cell)
    except RuntimeError:  # unbalanced markers: not a released cell
        return source
    return cell.source


class RestoreMissingCells(OverwriteCells):
    """nbgrader's OverwriteCells: restores deleted test cells more robustly, logs less.

    - With ``OverwriteCells.add_missing_cells = True``, nbgrader 0.9 puts a
      deleted test cell back right after the grade or solution cell that
      precedes it in the instructor notebook. If that cell lost its nbgrader
      metadata too, nbgrader stops with a ``KeyError`` and the student gets
      no grade at all. This version finds the preceding cell by its grade
      id or, failing that, by its notebook cell id (the course notebooks use
      the grade id as cell id, and editors keep cell ids when metadata is
      edited), and otherwise by walking further back; a cell with no anchor
      at all goes to the end of the notebook.
    - A hidden-test cell reaches students without its hidden region, so its
      checksum never matches the gradebook's: nbgrader logs "checksum has
      changed" for every student. This version logs a changed locked cell
      only when the student's source differs from the released one, so
      that a real change stands out.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        """OverwriteCells' checks, without the warning for untouched hidden-test cells."""
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        self._untouched = False
        if grade_id is not None and nbgrader_utils.is_locked(cell):
            try:
                source_cell = self.gradebook.find_source_cell(
                    grade_id, self.notebook_id, self.assignment_id
                )
            except Exception:  # unknown cell: OverwriteCells reports it
                source_cell = None
            if source_cell is not None:
                self._untouched = cell.source.strip() == released_source(source_cell.source).strip()
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        """Log a change, except the checksum of an untouched released cell."""
        if attr == "checksum" and self._untouched:
            return
        super().report_change(name, attr, old, new)

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
