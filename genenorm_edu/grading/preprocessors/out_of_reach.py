"""Grade each exercise out of the student's kernel, and write the verdicts into its test cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer

from genenorm_edu.cores import usable_cores
from genenorm_edu.exercises import exercise
from genenorm_edu.exercises.spec import CaseVerdict, judge
from genenorm_edu.grading.calls import CallBudget, call_in_sandbox
from genenorm_edu.grading.cells import answer_sources, exercises_in, graded_test, nbgrader_metadata
from genenorm_edu.grading.hidden import hidden_cases
from genenorm_edu.grading.policy import RUNNER_LIMITS
from genenorm_edu.grading.sandbox import Limits
from genenorm_edu.grading.preprocessors.record_answers import ANSWERS_KEY

__all__ = [
    "VERDICTS_KEY",
    "ExerciseVerdicts",
    "OutOfReachGrades",
    "PendingVerdicts",
    "grade_exercise",
    "verdict_outputs",
]

#: Where grading started early (by GradingExecute) waits in ``resources``.
VERDICTS_KEY = "genenorm_edu_verdicts"


@dataclass(frozen=True)
class ExerciseVerdicts:
    """The verdicts of one exercise's visible and hidden cases."""

    visible: tuple[CaseVerdict, ...]
    hidden: tuple[CaseVerdict, ...]


def grade_exercise(
    name: str, sources: list[str], budget: CallBudget, limits: Limits = RUNNER_LIMITS
) -> ExerciseVerdicts:
    """Run an exercise's visible and hidden cases on the answer ``sources``, out of reach.

    The student's function runs in a sandboxed interpreter
    (:func:`~genenorm_edu.grading.calls.call_in_sandbox`); each result is
    judged here, in the grader's process.
    """
    item = exercise(name)
    visible, hidden = item.visible, hidden_cases(name)
    cases = (*visible, *hidden)
    calls = call_in_sandbox(item, sources, cases, budget=budget, limits=limits)
    verdicts = tuple(judge(item, case, call, case.expected) for case, call in zip(cases, calls))
    return ExerciseVerdicts(visible=verdicts[: len(visible)], hidden=verdicts[len(visible) :])


@dataclass(frozen=True)
class PendingVerdicts:
    """Exercises being graded out of reach, in background threads: one future each."""

    futures: Mapping[str, Future]
    pool: ThreadPoolExecutor

    def results(self) -> dict[str, ExerciseVerdicts]:
        """Wait for every exercise's verdicts."""
        try:
            return {name: future.result() for name, future in self.futures.items()}
        finally:
            self.pool.shutdown()


def start_grading(
    answers: Mapping[str, Sequence[str]],
    names: Sequence[str],
    budget: CallBudget,
    workers: int,
    limits: Limits = RUNNER_LIMITS,
) -> PendingVerdicts:
    """Start grading exercises ``names`` on their ``answers``, ``workers`` at a time."""
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(names) or 1)))
    futures = {
        name: pool.submit(grade_exercise, name, list(answers.get(name, [])), budget, limits)
        for name in names
    }
    return PendingVerdicts(futures=futures, pool=pool)


def verdict_outputs(name: str, verdicts: tuple[CaseVerdict, ...], hidden: bool) -> list[dict]:
    """The outputs a test cell gets for its verdicts: one line if all passed, else an error.

    Hidden verdicts are described by their labels and value-free summaries only.

    Examples
    --------
    >>> failed = CaseVerdict("an int32 matrix", False, "got [1 2], expected [3 4]", "wrong values")
    >>> [output["evalue"] for output in verdict_outputs("closest_to", (failed,), hidden=True)]
    ['1 of 1 hidden test of closest_to failed. First: an int32 matrix: wrong values']
    """
    kind = "hidden" if hidden else "visible"
    failed = [verdict for verdict in verdicts if not verdict.passed]
    if not failed:
        text = f"[grader] {name}: all {len(verdicts)} {kind} tests passed (run outside your notebook).\n"
        return [new_output("stream", name="stdout", text=text)]
    first = failed[0]
    noun = "test" if len(verdicts) == 1 else "tests"
    detail = first.summary if hidden else first.message
    message = f"{len(failed)} of {len(verdicts)} {kind} {noun} of {name} failed. First: {first.label}: {detail}"
    return [new_output("error", ename="TestFailed", evalue=message, traceback=message.splitlines())]


def _kernel_outputs_to_keep(outputs) -> list:
    """What the kernel showed, as plain text and displays: it carries no verdict now.

    Streams (stderr too) become stdout text, errors a line of text, and
    results are dropped (nbgrader would read a number there as partial credit).
    """
    kept = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            kept.append(new_output("stream", name="stdout", text=output.get("text", "")))
        elif kind == "display_data":
            kept.append(output)
        elif kind == "error":
            text = f"[in your kernel] {output.get('ename', 'Error')}: {output.get('evalue', '')}\n"
            kept.append(new_output("stream", name="stdout", text=text))
    return kept


class OutOfReachGrades(NbGraderPreprocessor):
    """Decide every exercise test cell from a run outside the student's kernel.

    For each exercise with test cells in the notebook, the answer cell(s)
    recorded by :class:`~genenorm_edu.grading.preprocessors.RecordAnswers`
    run in a fresh, sandboxed interpreter that only has the lesson's modules,
    and the function is called on the visible and the hidden cases; the
    results come back as plain data and are judged here. Each test cell's
    outputs then carry the verdict, which is what nbgrader scores: a passing
    cell keeps what the kernel printed (stderr included, as plain text) and
    gets a line saying it passed; a failing cell gets one error naming the
    first failing case. Nothing the student's code did in the kernel
    (patched checks, builtins, input transformers) counts.
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
        RUNNER_LIMITS.memory_bytes // 2**20, help="Address space of the process calling a function (MiB)."
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

    def start(self, nb) -> PendingVerdicts:
        """Start grading the exercises whose test cells ``nb`` holds, in the background.

        :class:`~genenorm_edu.grading.preprocessors.GradingExecute` calls this
        before it runs the notebook, so that the out-of-reach runs overlap
        with the kernel's.
        """
        answers = nb.metadata.get(ANSWERS_KEY)
        if answers is None:  # RecordAnswers did not run: take the answers as they are now
            self.log.warning("No recorded answers (is RecordAnswers a sanitize preprocessor?)")
            answers = {name: answer_sources(nb, name) for name in exercises_in(nb)}
        budget = CallBudget(
            startup_seconds=self.startup_seconds, seconds_per_case=self.seconds_per_case
        )
        workers = self.parallel_exercises or usable_cores()
        return start_grading(answers, exercises_in(nb), budget, workers, self.runner_limits)

    def preprocess(self, nb, resources):
        """Grade the exercises whose test cells ``nb`` holds; write the verdicts."""
        pending = resources.pop(VERDICTS_KEY, None) or self.start(nb)
        nb.metadata.pop(ANSWERS_KEY, None)
        tests = {}
        for index, cell in enumerate(nb.cells):
            test = graded_test(nbgrader_metadata(cell).get("grade_id"))
            if test is not None and nbgrader_metadata(cell).get("grade"):
                tests[index] = test
            elif nbgrader_metadata(cell).get("grade") and cell.cell_type == "code":
                self.log.warning(
                    "Cell %s is not an exercise test: it is graded in the student's kernel",
                    nbgrader_metadata(cell).get("grade_id"),
                )
        graded = pending.results()
        for index, test in tests.items():
            cell = nb.cells[index]
            verdicts = graded[test.exercise]
            outputs = verdict_outputs(
                test.exercise, verdicts.hidden if test.hidden else verdicts.visible, test.hidden
            )
            kept = [] if test.hidden else _kernel_outputs_to_keep(cell.get("outputs", []))
            cell.outputs = kept + outputs
        return nb, resources
