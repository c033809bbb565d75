"""The class report opens from disk in Chromium: every figure drawn, no console error, nothing fetched.

The page is made from hand-made gradebook scores and records (several
exercises, cases, mistakes, flags, a missing student); a screenshot is kept
in ``test-artifacts/e2e/`` and checked not to be blank.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from playwright.sync_api import sync_playwright

from e2e_support import ARTIFACT_DIR, launch_chromium
from genenorm_edu.exercises import exercise
from genenorm_edu.exercises.spec import CaseVerdict
from genenorm_edu.grading.class_record import KERNEL_RESTARTED, exercise_record, notebook_record
from genenorm_edu.grading.report.aggregate import class_report
from genenorm_edu.grading.report.gradebook import AssignmentScores, NotebookScores
from genenorm_edu.grading.report.page import report_html
from genenorm_edu.grading.report.records import parse_record

pytestmark = pytest.mark.e2e

EXERCISES = ("qnorm", "ordinal_ranks", "top_genes")


def _class() -> tuple[AssignmentScores, list]:
    rng = np.random.default_rng(3)
    graded, records = {}, []
    for number in range(12):
        student = f"student-{number:02d}"
        items, points = {}, {}
        for name in EXERCISES:
            item = exercise(name)
            verdicts = []
            for case in item.visible:
                passed = bool(rng.random() < 0.7)
                cause = f"\nLikely cause: {item.mistakes[0].explanation}." if not passed and item.mistakes else ""
                verdicts.append(CaseVerdict(case.label, passed, "", "" if passed else "wrong." + cause))
            score = 2.0 * sum(v.passed for v in verdicts) // len(verdicts)
            items[name] = exercise_record(name, tuple(verdicts), (), frozenset(), score, 2.0)
            points[name] = (float(score), 2.0)
        flags = {KERNEL_RESTARTED} if number == 4 else set()
        total = sum(score for score, _ in points.values())
        record = notebook_record(
            assignment="a", student=student, notebook="a", seconds=float(rng.uniform(2, 20)),
            score=total, max_score=6.0, flags=flags, exercises=items,
        )  # fmt: skip
        records.append(parse_record(record))
        graded[(student, "a")] = NotebookScores(student, "a", total, 6.0, points)
    scores = AssignmentScores(
        "a", ("a",), {name: 2.0 for name in EXERCISES}, tuple(s for s, _ in graded) + ("absent",), graded,
        submitted=frozenset({"late"}),
    )  # fmt: skip
    return scores, records


def test_the_report_page_opens_from_disk_with_every_figure(tmp_path, chromium_executable):
    report = class_report(*_class())
    path = tmp_path / "a.html"
    path.write_text(report_html(report), encoding="utf-8")
    errors, requests = [], []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium_executable)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            widths = page.eval_on_selector_all("img", "images => images.map(i => i.complete ? i.naturalWidth : 0)")
            assert len(widths) == len(EXERCISES) + 1  # one per exercise, the timings
            assert all(width > 0 for width in widths), widths
            assert page.locator("#students tr").count() == 1 + 12 + 2  # header, graded, absent, late
            assert page.locator("#state").inner_text().startswith("Partly graded")
            assert "kernel restarted" in page.locator("#students").inner_text()
            ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
            shot = page.screenshot(full_page=True, path=str(ARTIFACT_DIR / "class-report.png"))
        finally:
            browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(shot), format="png")[..., :3]
    assert pixels.shape[0] > 900  # the whole page, longer than one screen
    assert pixels.std() > 0.05  # not blank
    assert len(np.unique((pixels.reshape(-1, 3) * 255).astype(np.uint8), axis=0)) > 50  # figures' colours drawn
