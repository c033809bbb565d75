"""Grade each exercise out of the student's kernel, and write the verdicts into its test cells."""

from __future__ import annotations

import time

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer

from genenorm_edu.cores import usable_cores
from genenorm_edu.grading.calls import CallBudget
from genenorm_edu.grading.judging import (
    PendingVerdicts,
    kernel_outputs_to_keep,
    start_grading,
    verdict_outputs,
)
from genenorm_edu.grading.plan import SubmissionPlan
from genenorm_edu.grading.policy import RUNNER_LIMITS
from genenorm_edu.grading.preprocessors.state import GRADING_KEY, NotebookGrading, plan_of
from genenorm_edu.grading.sandbox import Limits

__all__ = ["OutOfReachGrades"]


class OutOfReachGrades(NbGraderPreprocessor):
    """Decide every exercise test cell from a run outside the student's kernel.

    For each exercise with test cells in the notebook, the answer cell(s)
    recorded by :class:`~genenorm_edu.grading.preprocessors.RecordAnswers`
    run in a fresh, sandboxed interpreter that only has the lesson's modules,
    and the function is called on the visible and the hidden cases; the
    results come back as plain data and are judged in this process
    (:mod:`genenorm_edu.grading.judging`). Each test cell's outputs then
    carry the verdict, which is what nbgrader scores: a passing cell keeps
    what the kernel printed (stderr included, as plain text) and gets a line
    saying it passed; a failing cell gets one error naming the first failing
    case. Nothing the student's code did in the kernel (patched checks,
    builtins, input transformers) counts.
    """

    seconds_per_case = Float(10.0, help="Time limit of one call of a student's function.").tag(
        config=True
    )
    startup_seconds = Float(30.0, help="Time limit for importing and running the answer cell.").tag(
        config=True
    )
    parallel_exercises = Integer(0, help="Exercises graded at once (0: one per core).").tag(
        config=True
    )
    runner_memory_mib = Integer(
        RUNNER_LIMITS.memory_bytes // 2**20,
        help="Address space of the process calling a function (MiB).",
    ).tag(config=True)
    runner_cpu_seconds = Integer(
        RUNNER_LIMITS.cpu_seconds, help="CPU seconds of the process calling a function, in all."
    ).tag(config=True)
    runner_max_processes = Integer(
        RUNNER_LIMITS.processes, help="Processes and threads of the process calling a function."
    ).tag(config=True)

    @property
    def runner_limits(self) -> Limits:
        """The :class:`~genenorm_edu.grading.sandbox.Limits` of the out-of-reach runs."""
        return Limits(
            memory_bytes=self.runner_memory_mib * 2**20,
            cpu_seconds=self.runner_cpu_seconds,
            processes=self.runner_max_processes,
        )

    def start(self, plan: SubmissionPlan) -> PendingVerdicts:
        """Start grading the exercises of ``plan`` in the background.

        :class:`~genenorm_edu.grading.preprocessors.GradingExecute` calls this
        before it runs the notebook, so that the out-of-reach runs overlap
        with the kernel's.
        """
        if not plan.recorded:
            self.log.warning("No recorded answers (is RecordAnswers a sanitize preprocessor?)")
        budget = CallBudget(
            startup_seconds=self.startup_seconds, seconds_per_case=self.seconds_per_case
        )
        workers = self.parallel_exercises or usable_cores()
        return start_grading(plan.answers, plan.exercises, budget, workers, self.runner_limits)

    def preprocess(self, nb, resources):
        """Write the verdicts of the exercises whose test cells ``nb`` holds."""
        grading = resources.pop(GRADING_KEY, None)
        if grading is None:  # GradingExecute did not run: plan and grade now
            grading = NotebookGrading(plan=plan_of(nb), started=time.monotonic())
        plan = grading.plan
        pending = grading.pending or self.start(plan)
        grading.pending = None
        for grade_id in plan.other_graded:
            self.log.warning(
                "Cell %s is not an exercise test: it is graded in the student's kernel", grade_id
            )
        graded = pending.results()
        grading.verdicts = graded
        for index, test in plan.tests.items():
            cell = nb.cells[index]
            verdicts = graded[test.exercise]
            outputs = verdict_outputs(
                test.exercise, verdicts.hidden if test.hidden else verdicts.visible, test.hidden
            )
            kept = [] if test.hidden else kernel_outputs_to_keep(cell.get("outputs", []))
            cell.outputs = kept + outputs
        resources[GRADING_KEY] = grading  # for LogScore
        return nb, resources
