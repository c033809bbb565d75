"""The nbgrader preprocessors of the course's grading pipeline, one per module.

``nbgrader_config.py`` installs them:

sanitizing a submission (``Autograde.sanitize_preprocessors``)
    :class:`RecordAnswers` (the answer cells' sources, before anything
    changes them), :class:`RepairCellMetadata` (nbgrader metadata back to the
    gradebook's), :class:`RestoreMissingCells` (deleted test cells back);
grading it (``Autograde.autograde_preprocessors``)
    :class:`GradingExecute` (the notebook run in a sandboxed kernel, hidden
    tests left out, stuck or dead kernels restarted), :class:`OutOfReachGrades`
    (each exercise's tests run out of the kernel's reach, and their verdicts
    written into the test cells), :class:`LogScore` (one log line per notebook);
feedback (``GenerateFeedback.preprocessors``)
    :class:`FeedbackWithoutHiddenTests`.
"""

from genenorm_edu.grading.preprocessors.execute import GradingExecute
from genenorm_edu.grading.preprocessors.feedback import FeedbackWithoutHiddenTests
from genenorm_edu.grading.preprocessors.log_score import LogScore
from genenorm_edu.grading.preprocessors.out_of_reach import OutOfReachGrades
from genenorm_edu.grading.preprocessors.record_answers import RecordAnswers
from genenorm_edu.grading.preprocessors.repair_metadata import RepairCellMetadata
from genenorm_edu.grading.preprocessors.restore_cells import RestoreMissingCells

__all__ = [
    "FeedbackWithoutHiddenTests",
    "GradingExecute",
    "LogScore",
    "OutOfReachGrades",
    "RecordAnswers",
    "RepairCellMetadata",
    "RestoreMissingCells",
]
