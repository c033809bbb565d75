"""Put the nbgrader metadata of a submission back to what the gradebook says."""

from __future__ import annotations

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["RepairCellMetadata"]


def _truth(notebook_record) -> dict[str, dict]:
    """The nbgrader metadata every grade id of a gradebook notebook should carry."""
    grade = {cell.name: cell for cell in notebook_record.grade_cells}
    solution = {cell.name for cell in notebook_record.solution_cells}
    task = {cell.name for cell in notebook_record.task_cells}
    truth = {}
    for source in notebook_record.source_cells:
        metadata = {
            "grade": source.name in grade,
            "grade_id": source.name,
            "locked": bool(source.locked),
            "schema_version": 3,
            "solution": source.name in solution,
            "task": source.name in task,
        }
        if source.name in grade:
            metadata["points"] = float(grade[source.name].max_score)
        truth[source.name] = metadata
    return truth


class RepairCellMetadata(NbGraderPreprocessor):
    """Make every cell's nbgrader metadata match the gradebook, or remove it.

    Students edit metadata (by accident or not): points raised, a test cell
    turned into a plain one, a grade id changed, a cell duplicated with its
    metadata, ``nbgrader`` set to something that is not a dict. nbgrader
    stops on most of these and the student gets no grade. Here, before the
    other sanitizing steps:

    - a cell whose grade id the gradebook knows gets exactly the gradebook's
      metadata for it (its source is restored later, if it is locked);
    - of several cells with the same grade id, the last keeps it (as
      nbgrader's ``DeduplicateIds`` decides) and the others become plain
      cells;
    - any other nbgrader metadata is removed: the cell is a plain cell.

    A test cell left without metadata is then restored from the gradebook
    (``OverwriteCells.add_missing_cells``).
    """

    def preprocess(self, nb, resources):
        """Repair the metadata of every cell of ``nb``."""
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            record = gradebook.find_notebook(info["notebook"], info["assignment"])
            truth = _truth(record)
        last_with_id = {}
        for index, cell in enumerate(nb.cells):
            metadata = cell.get("metadata", {}).get("nbgrader")
            grade_id = metadata.get("grade_id") if isinstance(metadata, dict) else None
            if grade_id in truth:
                last_with_id[grade_id] = index
        for index, cell in enumerate(nb.cells):
            if "nbgrader" not in cell.get("metadata", {}):
                continue
            metadata = cell.metadata["nbgrader"]
            grade_id = metadata.get("grade_id") if isinstance(metadata, dict) else None
            if grade_id in truth and last_with_id[grade_id] == index:
                if metadata != {**metadata, **truth[grade_id]}:
                    self.log.warning("Cell %s: nbgrader metadata edited; restored", grade_id)
                cell.metadata["nbgrader"] = dict(truth[grade_id])
            else:
                if grade_id in truth:
                    self.log.warning("Cell %s appears more than once; keeping the last", grade_id)
                else:
                    self.log.warning("Cell %d has unknown nbgrader metadata; removed", index)
                del cell.metadata["nbgrader"]
        return nb, resources
