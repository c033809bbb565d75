"""One log line per graded notebook: its score and how long grading it took."""

from __future__ import annotations

import time

from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import NbGraderPreprocessor

from genenorm_edu.grading.preprocessors.record_for_report import write_class_record
from genenorm_edu.grading.preprocessors.state import GRADING_KEY

__all__ = ["LogScore", "notebook_score"]


def notebook_score(nb) -> tuple[float, float]:
    """``(score, max score)`` of a graded notebook's grade cells, as nbgrader scores them."""
    score = maximum = 0.0
    for cell in nb.cells:
        if not nbgrader_utils.is_grade(cell):
            continue
        points, max_points = nbgrader_utils.determine_grade(cell)
        score += points or 0.0
        maximum += max_points
    return score, maximum


class LogScore(NbGraderPreprocessor):
    """Log ``student / notebook: score / max points in seconds`` once per notebook.

    It also writes the notebook's class-report record
    (:func:`~genenorm_edu.grading.preprocessors.record_for_report.write_class_record`).
    """

    def preprocess(self, nb, resources):
        """Log the notebook's score; change nothing."""
        info = resources.get("nbgrader", {})
        score, maximum = notebook_score(nb)
        grading = resources.pop(GRADING_KEY, None)
        seconds = f" in {time.monotonic() - grading.started:.1f} s" if grading else ""
        if grading is not None:  # the class report's record (genenorm_edu.grading.class_record)
            write_class_record(self, nb, resources, grading, score, maximum)
        self.log.info(
            "Graded %s / %s: %g of %g points%s",
            info.get("student", "?"),
            info.get("notebook", "?"),
            score,
            maximum,
            seconds,
        )
        return nb, resources
