"""Catalogs of student work used by the grading tests.

``answers``
    For each exercise: answer cells written in several correct styles, and
    wrong ones with the message the student must see. Judged in-process and
    in the grader's sandbox (fast: no notebook runs).
``submissions``
    Whole notebooks as students hand them in (correct, wrong, hostile),
    with the score nbgrader must give each test cell, graded by the real
    ``nbgrader autograde`` through the course's ``nbgrader_config.py``.
"""
