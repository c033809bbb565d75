"""The class report from hand-made scores and records: aggregation, records, page, CSV (fast)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from genenorm_edu.exercises import exercise
from genenorm_edu.exercises.spec import CaseVerdict
from genenorm_edu.grading import calls
from genenorm_edu.grading.class_record import (
    FLAGS,
    KERNEL_RESTARTED,
    SANDBOX_REFUSAL,
    SANDBOX_STOPS,
    TIME_LIMIT,
    UNGRADED,
    exercise_record,
    notebook_record,
    record_path,
    verdict_flags,
    write_record,
)
from genenorm_edu.grading.report.aggregate import (
    GRADED,
    MISSING,
    NOT_GRADED,
    PARTLY_GRADED,
    SUBMITTED,
    class_report,
)
from genenorm_edu.grading.report.gradebook import AssignmentScores, NotebookScores
from genenorm_edu.grading.report.page import exercises_csv, report_csv, report_html
from genenorm_edu.grading.report.records import RecordError, parse_record, read_records

QNORM = exercise("qnorm")
SORTED_COLUMNS = f"\nLikely cause: {QNORM.mistakes[2].explanation}."


def _record(student: str, qnorm_cases, seconds=1.0, flags=(), notebook="a") -> dict:
    visible = tuple(CaseVerdict(label, passed, "", "" if passed else "wrong values." + cause) for label, passed, cause in qnorm_cases)
    item = exercise_record("qnorm", visible, (), frozenset(), score=2.0 if all(v.passed for v in visible) else 0.0, max_score=2.0)
    return notebook_record(
        assignment="a", student=student, notebook=notebook, seconds=seconds, score=item["score"],
        max_score=2.0, flags=set(flags), exercises={"qnorm": item},
    )  # fmt: skip


LABELS = [case.label for case in QNORM.visible]


def _scores(graded: dict[str, float], students=(), submitted=()) -> AssignmentScores:
    return AssignmentScores(
        assignment="a",
        notebooks=("a",),
        exercise_max={"qnorm": 2.0},
        students=tuple(students),
        graded={(s, "a"): NotebookScores(s, "a", v, 2.0, {"qnorm": (v, 2.0)}) for s, v in graded.items()},
        submitted=frozenset(submitted) | frozenset(graded),
    )


def test_cases_are_ranked_by_failure_rate_and_mistakes_counted_once_per_student():
    records = [
        parse_record(_record("ada", [(LABELS[0], True, ""), (LABELS[1], True, "")])),
        parse_record(_record("bob", [(LABELS[0], False, SORTED_COLUMNS), (LABELS[1], False, SORTED_COLUMNS)])),
        parse_record(_record("cy", [(LABELS[0], True, ""), (LABELS[1], False, "")])),
    ]
    report = class_report(_scores({"ada": 2.0, "bob": 0.0, "cy": 0.0}, students=("ada", "bob", "cy", "dan")), records)
    (qnorm,) = report.exercises
    assert qnorm.scores == (2.0, 0.0, 0.0) and qnorm.full_marks == 1
    assert qnorm.full_marks_share == pytest.approx(1 / 3)
    assert [(case.label, case.failed, case.run) for case in qnorm.cases] == [(LABELS[1], 2, 3), (LABELS[0], 1, 3)]
    assert [(m.id, m.students, m.explanation) for m in qnorm.mistakes] == [("qnorm/3", 1, QNORM.mistakes[2].explanation)]
    assert report.state == GRADED  # dan has no submission: missing, not ungraded
    assert report.students_in(MISSING) == ("dan",)
    assert report.seconds == (1.0, 1.0, 1.0)


def test_states_not_graded_partly_graded_and_unrecorded():
    nothing = class_report(_scores({}, students=("ada", "bob"), submitted=("ada",)), [])
    assert nothing.state == NOT_GRADED
    assert nothing.students_in(SUBMITTED) == ("ada",) and nothing.students_in(MISSING) == ("bob",)
    assert {row.student: row.flags for row in nothing.students} == {"ada": (UNGRADED,), "bob": ()}
    assert nothing.exercises[0].scores == () and nothing.exercises[0].full_marks_share == 0.0
    partly = class_report(_scores({"ada": 2.0}, students=("ada", "bob"), submitted=("bob",)), [])
    assert partly.state == PARTLY_GRADED and partly.unrecorded == ("ada",)
    two_notebooks = AssignmentScores(
        "a", ("a", "b"), {"qnorm": 2.0}, ("ada",), {("ada", "a"): NotebookScores("ada", "a", 2.0, 2.0, {"qnorm": (2.0, 2.0)})}
    )
    (row,) = class_report(two_notebooks, []).students
    assert row.state == PARTLY_GRADED and row.flags == (UNGRADED,)


def test_a_record_of_a_student_the_gradebook_does_not_grade_is_left_out():
    record = parse_record(_record("ghost", [(LABELS[0], False, SORTED_COLUMNS)], seconds=9.0))
    report = class_report(_scores({"ada": 2.0}), [record])
    assert report.seconds == () and not report.exercises[0].mistakes and not report.exercises[0].cases


def test_flags_come_from_the_records_and_the_verdicts():
    report = class_report(_scores({"ada": 2.0}), [parse_record(_record("ada", [], flags={KERNEL_RESTARTED, TIME_LIMIT}))])
    assert report.students[0].flags == (KERNEL_RESTARTED, TIME_LIMIT)
    stopped = CaseVerdict("x", False, calls._PROCESS_ENDED, calls._PROCESS_ENDED)
    slow = CaseVerdict("y", False, "t", "qnorm did not return within its time limit (...).")
    too_large = CaseVerdict("z", False, "", "the function's result is too large to read back.")
    assert verdict_flags({"qnorm": (stopped,)}) == {SANDBOX_REFUSAL}
    assert verdict_flags({"qnorm": (slow, too_large)}) == {TIME_LIMIT, SANDBOX_REFUSAL}
    assert verdict_flags({"qnorm": (CaseVerdict("x", False, "", "the result has the wrong value."),)}) == set()
    assert calls._PROCESS_ENDED.startswith(SANDBOX_STOPS) and calls._UNREADABLE.startswith(SANDBOX_STOPS)


def test_only_spec_labels_are_recorded():
    hostile = CaseVerdict("<img src=x onerror=alert(1)>", False, "", "wrong." + SORTED_COLUMNS)
    item = exercise_record("qnorm", (hostile,), (), frozenset(), 0.0, 2.0)
    assert item["visible"] == [{"label": "(a case not in the spec)", "passed": False, "mistake": "qnorm/3"}]
    assert item["mistakes"] == {"qnorm/3": QNORM.mistakes[2].explanation}


def test_a_regrade_replaces_the_record(tmp_path):
    first = write_record(tmp_path, _record("ada", [(LABELS[0], False, SORTED_COLUMNS)], seconds=5.0))
    second = write_record(tmp_path, _record("ada", [(LABELS[0], True, "")], seconds=2.0))
    assert first == second == record_path(tmp_path, "a", "ada", "a")
    (record,) = read_records(tmp_path, "a")
    assert record.seconds == 2.0 and record.exercises["qnorm"].visible[0].passed
    assert [path.name for path in second.parent.iterdir()] == ["a.json"]  # no temporary file left


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{", "Expecting"),
        ('{"format": "something else"}', "not a genenorm-edu grading record"),
        (json.dumps({**_record("ada", []), "flags": ["hacked"]}), "unknown flags"),
        (json.dumps({**_record("ada", []), "seconds": "1"}), "seconds is not a number"),
        (json.dumps({**_record("bob", [])}), "not this place"),
    ],
)
def test_a_bad_record_is_named(tmp_path, text, problem):
    path = record_path(tmp_path, "a", "ada", "a")
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(RecordError, match=problem) as raised:
        read_records(tmp_path, "a")
    assert str(path) in str(raised.value)


def test_unsafe_names_and_unknown_flags_are_refused(tmp_path):
    with pytest.raises(ValueError):
        record_path(tmp_path, "a", "..", "a")
    with pytest.raises(ValueError):
        notebook_record(assignment="a", student="s", notebook="a", seconds=0, score=0, max_score=0, flags={"x"}, exercises={})
    assert FLAGS[0] == UNGRADED


def test_the_page_escapes_names_and_inlines_every_figure():
    evil = "<script>alert(1)</script>"
    records = [parse_record(_record("ada", [(LABELS[0], False, SORTED_COLUMNS)]))]
    report = class_report(_scores({"ada": 0.0, evil: 2.0}, students=("=cmd|' /C calc'!A0",)), records)
    page = report_html(report)
    assert "<script" not in page and "&lt;script&gt;" in page
    assert page.count('src="data:image/png;base64,') == 2  # qnorm's scores, the timings
    assert "Partly graded" not in page and "Students missing (no submission) (1)" in page
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[0] == ["student", "state", "qnorm", "total", "max_total", "flags"]
    assert ["'=cmd|' /C calc'!A0", MISSING, "", "", "2", ""] in rows
    assert ["ada", GRADED, "0", "0", "2", ""] in rows


def test_the_command_needs_a_gradebook_and_one_choice(tmp_path, monkeypatch, capsys):
    from genenorm_edu.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["report", "a"]) == 2
    assert "no gradebook.db in" in capsys.readouterr().err
    assert main(["report"]) == 2
    assert capsys.readouterr().err.strip() == "genenorm-edu report: error: name one assignment, or --all (not both)"


def test_the_report_command_module_imports_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys, genenorm_edu.grading.report.command\n"
        "print(sorted(m for m in ('nbgrader', 'matplotlib', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_records_and_the_aggregation_do_not_import_nbgrader():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import genenorm_edu.grading.class_record, genenorm_edu.grading.report.records\n"
        "import genenorm_edu.grading.report.aggregate, genenorm_edu.grading.report.page\n"
        "print('nbgrader' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_exercises_csv_has_full_marks_cases_and_mistakes():
    records = [
        parse_record(_record("ada", [(LABELS[0], True, ""), (LABELS[1], True, "")])),
        parse_record(_record("bob", [(LABELS[0], False, SORTED_COLUMNS), (LABELS[1], True, "")])),
    ]
    rows = list(csv.reader(io.StringIO(exercises_csv(class_report(_scores({"ada": 2.0, "bob": 0.0}), records)))))
    assert rows == [
        ["exercise", "kind", "label", "students", "of", "share"],
        ["qnorm", "full marks", "", "1", "2", "0.500"],
        ["qnorm", "visible case", LABELS[0], "1", "2", "0.500"],
        ["qnorm", "visible case", LABELS[1], "0", "2", "0.000"],
        ["qnorm", "mistake", QNORM.mistakes[2].explanation, "1", "2", "0.500"],
    ]


def test_the_hook_records_a_graded_notebook_and_never_fails_grading(tmp_path):
    """write_class_record, as LogScore calls it, on a plan, verdicts and graded test cells."""
    import logging
    import time
    from types import SimpleNamespace

    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from genenorm_edu.grading.judging import ExerciseVerdicts
    from genenorm_edu.grading.plan import plan_submission
    from genenorm_edu.grading.preprocessors.record_for_report import write_class_record
    from genenorm_edu.grading.preprocessors.state import NotebookGrading

    def test_cell(grade_id, failed):
        outputs = [new_output("error", ename="TestFailed", evalue="x", traceback=[])] if failed else []
        cell = new_code_cell("pass", metadata={"nbgrader": {"grade": True, "grade_id": grade_id, "points": 2}})
        cell.outputs = outputs
        return cell

    nb = new_notebook(cells=[new_code_cell("def qnorm(x):\n    return x"), test_cell("test_qnorm_visible", True)])
    grading = NotebookGrading(plan=plan_submission(nb, None), started=time.monotonic() - 3, kernel_restarted=True)
    grading.verdicts = {
        "qnorm": ExerciseVerdicts(visible=(CaseVerdict(LABELS[0], False, "", "wrong." + SORTED_COLUMNS),), hidden=())
    }
    resources = {"nbgrader": {"assignment": "a", "student": "ada", "notebook": "a"}}
    owner = SimpleNamespace(coursedir=SimpleNamespace(root=str(tmp_path)))
    preprocessor = SimpleNamespace(parent=SimpleNamespace(parent=owner), log=logging.getLogger("test"))
    write_class_record(preprocessor, nb, resources, grading, 0.0, 2.0)
    (record,) = read_records(tmp_path, "a")
    assert record.flags == (KERNEL_RESTARTED,) and record.seconds >= 3
    assert record.exercises["qnorm"].score == 0.0 and record.exercises["qnorm"].max_score == 2.0
    assert record.exercises["qnorm"].visible[0].mistake == "qnorm/3"
    # A course folder that cannot be written: a warning, and grading goes on.
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the course folder should be")
    owner.coursedir.root = str(blocked)
    write_class_record(preprocessor, nb, resources, grading, 0.0, 2.0)
    # Outside an nbgrader run (no coursedir): nothing is written anywhere.
    write_class_record(SimpleNamespace(parent=None, log=preprocessor.log), nb, resources, grading, 0.0, 2.0)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["blocked", "class_report"]
