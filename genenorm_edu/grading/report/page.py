"""The class report as one self-contained HTML page and one CSV table.

The page has its style inline and its plots as ``data:`` URIs: it opens from
disk, in any browser, with no server, no script and no other file. Every
text on it is escaped (student ids are folder names).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from html import escape

import numpy as np

from genenorm_edu.grading.report.aggregate import (
    GRADED,
    MISSING,
    NOT_GRADED,
    PARTLY_GRADED,
    SUBMITTED,
    ClassReport,
    ExerciseSummary,
)
from genenorm_edu.grading.report.figures import score_histogram, timing_histogram

__all__ = ["exercises_csv", "index_html", "report_csv", "report_html"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { margin-bottom: 0.2em; } .when { color: #666; margin-top: 0; }
.state { padding: 0.6em 1em; border-radius: 6px; margin: 0.6em 0; }
.state.ok { background: #e6f4ea; } .state.warn { background: #fff4d6; } .state.bad { background: #fde2e1; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.7em; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
section.exercise { border-top: 2px solid #264653; margin-top: 1.5em; padding-top: 0.4em; }
.cols { display: flex; gap: 2em; flex-wrap: wrap; align-items: flex-start; }
.flag { background: #fde2e1; border-radius: 4px; padding: 0 0.3em; margin-right: 0.3em; white-space: nowrap; }
.muted { color: #777; }
"""


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _states(report: ClassReport) -> str:
    name = escape(report.assignment)
    parts = []
    if report.state == NOT_GRADED:
        parts.append(
            f'<p class="state bad" id="state">Not yet graded: no submission of {name} has been '
            f"autograded. Run <code>genenorm-edu autograde {name}</code>, then this report again.</p>"
        )
    elif report.state == PARTLY_GRADED:
        parts.append(
            f'<p class="state warn" id="state">Partly graded: the figures below cover the graded '
            f"students only.</p>"
        )
    else:
        parts.append(f'<p class="state ok" id="state">Graded: every submission of {name} is autograded.</p>')
    lists = (
        (SUBMITTED, "Submitted, not graded yet"),
        (PARTLY_GRADED, "Some notebooks not graded"),
        (MISSING, "Students missing (no submission)"),
    )
    for state, title in lists:
        students = report.students_in(state)
        if students:
            parts.append(
                f'<p class="state warn">{title} ({len(students)}): '
                f"{escape(', '.join(students))}</p>"
            )
    if report.unrecorded:
        parts.append(
            f'<p class="state warn">No autograde record ({len(report.unrecorded)}): '
            f"{escape(', '.join(report.unrecorded))}. Their scores count; their cases and "
            "mistakes do not (graded before records existed: regrade with --force to include them).</p>"
        )
    return "\n".join(parts)


def _overview(report: ClassReport) -> str:
    rows = []
    for item in report.exercises:
        mean = f"{np.mean(item.scores):.2f}" if item.scores else "–"
        rows.append(
            f'<tr><td><a href="#ex-{escape(item.name)}">{escape(item.name)}</a></td>'
            f'<td class="num">{item.max_score:g}</td><td class="num">{len(item.scores)}</td>'
            f'<td class="num">{mean}</td><td class="num">{_pct(item.full_marks_share)}</td>'
            f'<td class="num">{sum(m.students for m in item.mistakes)}</td></tr>'
        )
    return (
        '<table id="overview"><tr><th>exercise</th><th class="num">points</th>'
        '<th class="num">graded</th><th class="num">mean</th><th class="num">full marks</th>'
        '<th class="num">mistakes recognized</th></tr>' + "".join(rows) + "</table>"
    )


def _exercise(item: ExerciseSummary) -> str:
    name = escape(item.name)
    if item.scores:
        figure = (
            f'<img class="figure" alt="score distribution of {name}" '
            f'src="{score_histogram(item.name, item.scores, item.max_score)}">'
        )
    else:
        figure = '<p class="muted">No graded student yet.</p>'
    cases = "".join(
        f'<tr><td>{escape(case.label)}</td><td>{"hidden" if case.hidden else "visible"}</td>'
        f'<td class="num">{case.failed} / {case.run}</td><td class="num">{_pct(case.rate)}</td></tr>'
        for case in item.cases
    )
    cases_table = (
        '<table class="cases"><tr><th>case</th><th>test</th><th class="num">failed</th>'
        f'<th class="num">rate</th></tr>{cases}</table>'
        if item.cases
        else '<p class="muted">No recorded cases.</p>'
    )
    mistakes = "".join(
        f'<tr><td class="num">{mistake.students}</td><td>{escape(mistake.explanation)}</td>'
        f'<td class="muted">{escape(mistake.id)}</td></tr>'
        for mistake in item.mistakes
    )
    mistakes_table = (
        '<table class="mistakes"><tr><th class="num">students</th><th>recognized mistake</th>'
        f"<th>id</th></tr>{mistakes}</table>"
        if item.mistakes
        else '<p class="muted">No recognized mistake.</p>'
    )
    return (
        f'<section class="exercise" id="ex-{name}"><h3>{name}</h3>'
        f"<p>{_pct(item.full_marks_share)} of {len(item.scores)} graded students have full marks "
        f"({item.full_marks}).</p>"
        f'<div class="cols"><div>{figure}</div><div><h4>Cases by failure rate</h4>{cases_table}</div></div>'
        f"<h4>Recognized mistakes</h4>{mistakes_table}</section>"
    )


def _timings(report: ClassReport) -> str:
    if not report.seconds:
        return '<p class="muted">No recorded grading times.</p>'
    data = np.asarray(report.seconds)
    return (
        f'<img class="figure" alt="grading time per notebook" src="{timing_histogram(report.seconds)}">'
        f"<p>{data.size} notebooks: median {np.median(data):.1f} s, slowest {data.max():.1f} s.</p>"
    )


def _students(report: ClassReport) -> str:
    names = [item.name for item in report.exercises]
    head = "".join(f'<th class="num">{escape(name)}</th>' for name in names)
    rows = []
    for row in report.students:
        cells = "".join(
            f'<td class="num">{"–" if row.scores.get(name) is None else f"{row.scores[name]:g}"}</td>'
            for name in names
        )
        total = "–" if row.total is None else f"{row.total:g}"
        flags = "".join(f'<span class="flag">{escape(flag)}</span>' for flag in row.flags)
        rows.append(
            f"<tr><td>{escape(row.student)}</td><td>{escape(row.state)}</td>{cells}"
            f'<td class="num">{total} / {row.max_total:g}</td><td>{flags}</td></tr>'
        )
    return (
        f'<table id="students"><tr><th>student</th><th>state</th>{head}<th class="num">total</th>'
        f"<th>flags</th></tr>{''.join(rows)}</table>"
    )


def report_html(report: ClassReport, generated: datetime | None = None) -> str:
    """The whole page of ``report`` (one HTML document, nothing to fetch)."""
    when = (generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    name = escape(report.assignment)
    graded = sum(1 for row in report.students if row.state in (GRADED, PARTLY_GRADED))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report: {name}</title><style>{_STYLE}</style></head>
<body>
<h1>Class report: {name}</h1>
<p class="when">Generated {when} by genenorm-edu report · {graded} of {len(report.students)} students graded</p>
{_states(report)}
<h2>Exercises</h2>
{_overview(report)}
{''.join(_exercise(item) for item in report.exercises)}
<h2>Grading time</h2>
{_timings(report)}
<h2>Students</h2>
{_students(report)}
</body></html>
"""


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text (no formula from a name starting with = + - @)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def report_csv(report: ClassReport) -> str:
    """One row per student: state, the score of each exercise, total, flags.

    An exercise not graded is an empty cell; flags are joined with ``;``.
    """
    names = [item.name for item in report.exercises]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "state", *names, "total", "max_total", "flags"])
    for row in report.students:
        scores = ["" if row.scores.get(name) is None else f"{row.scores[name]:g}" for name in names]
        total = "" if row.total is None else f"{row.total:g}"
        writer.writerow([_cell(row.student), row.state, *scores, total, f"{row.max_total:g}", ";".join(row.flags)])
    return buffer.getvalue()


def exercises_csv(report: ClassReport) -> str:
    """One row per exercise and case or mistake: what failed how often, what was recognized.

    Columns: ``exercise, kind, label, students, of, share``; ``kind`` is
    ``full marks``, ``visible case``, ``hidden case`` (``students`` failed it)
    or ``mistake`` (``label`` is the explanation, ``students`` made it).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["exercise", "kind", "label", "students", "of", "share"])
    for item in report.exercises:
        graded = len(item.scores)
        writer.writerow([item.name, "full marks", "", item.full_marks, graded, f"{item.full_marks_share:.3f}"])
        for case in item.cases:
            kind = "hidden case" if case.hidden else "visible case"
            writer.writerow([item.name, kind, case.label, case.failed, case.run, f"{case.rate:.3f}"])
        for mistake in item.mistakes:
            share = mistake.students / graded if graded else 0.0
            writer.writerow([item.name, "mistake", mistake.explanation, mistake.students, graded, f"{share:.3f}"])
    return buffer.getvalue()


def index_html(reports: list[ClassReport]) -> str:
    """A page linking the report of each assignment, with its state (``report --all``)."""
    rows = "".join(
        f'<tr><td><a href="{escape(report.assignment)}.html">{escape(report.assignment)}</a></td>'
        f"<td>{escape(report.state)}</td>"
        f'<td class="num">{len(report.students_in(GRADED)) + len(report.students_in(PARTLY_GRADED))}'
        f" / {len(report.students)}</td></tr>"
        for report in reports
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Class reports</title><style>{_STYLE}</style></head>
<body><h1>Class reports</h1>
<table id="assignments"><tr><th>assignment</th><th>state</th><th class="num">students graded</th></tr>{rows}</table>
</body></html>
"""
