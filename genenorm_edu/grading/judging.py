"""Judge an exercise out of the student's reach, and turn verdicts into a test cell's outputs.

No nbgrader here: :func:`grade_exercise` runs a student's function on an
exercise's visible and hidden cases in the sandbox
(:func:`~genenorm_edu.grading.calls.call_in_sandbox`) and judges each call
in this process (:func:`~genenorm_edu.exercises.spec.judge`);
:func:`start_grading` does it for several exercises on background threads
(they overlap with the kernel running the notebook);
:func:`verdict_outputs` writes what a test cell shows, and
:func:`kernel_outputs_to_keep` what it keeps of the kernel's outputs. The
preprocessor :class:`~genenorm_edu.grading.preprocessors.OutOfReachGrades`
only puts these into the notebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from nbformat.v4 import new_output

from genenorm_edu.exercises import exercise
from genenorm_edu.exercises.spec import CaseVerdict, judge
from genenorm_edu.grading.calls import CallBudget, call_in_sandbox
from genenorm_edu.grading.hidden import hidden_cases
from genenorm_edu.grading.policy import RUNNER_LIMITS
from genenorm_edu.grading.sandbox import Limits

__all__ = [
    "ExerciseVerdicts",
    "PendingVerdicts",
    "grade_exercise",
    "kernel_outputs_to_keep",
    "start_grading",
    "verdict_outputs",
]


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


def kernel_outputs_to_keep(outputs) -> list:
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
