"""Keep the answer cells' sources as the student submitted them."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from genenorm_edu.exercises import EXERCISES, LESSONS
from genenorm_edu.grading.cells import answer_sources

from genenorm_edu.grading.preprocessors.state import ANSWERS_KEY

__all__ = ["RecordAnswers"]


class RecordAnswers(NbGraderPreprocessor):
    """Record each exercise's answer-cell sources in the notebook's metadata.

    Runs first when a submission is sanitized, before nbgrader drops the
    metadata of duplicated cells: the answer is found even in a duplicated
    cell, or in a cell whose metadata the student edited (see
    :func:`~genenorm_edu.grading.cells.answer_sources`). The grading step
    (:class:`~genenorm_edu.grading.preprocessors.OutOfReachGrades`) runs
    these sources out of the student's kernel, then removes the record.
    Whatever the submitted notebook had under the same key is replaced.
    """

    def preprocess(self, nb, resources):
        """Replace the record with the answers found in ``nb``."""
        assignment = resources.get("nbgrader", {}).get("assignment")
        names = LESSONS.get(assignment, tuple(EXERCISES))
        nb.metadata[ANSWERS_KEY] = {name: answer_sources(nb, name) for name in names}
        return nb, resources
