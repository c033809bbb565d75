"""``genenorm-edu report``: where a class struggled, and which mistakes it made.

From the gradebook and the records autograde writes
(:mod:`genenorm_edu.grading.class_record`), one self-contained HTML page and
one CSV per assignment.

Modules
-------
records
    Read and validate the autograde records of an assignment (no nbgrader).
gradebook
    Read an assignment's scores per student and exercise from nbgrader's gradebook.
aggregate
    The class report from scores and records: per exercise, per student,
    timings, the assignment's state (no nbgrader).
figures
    The report's plots, as inline PNG data URIs.
page
    The HTML page and the CSV table.
command
    The ``genenorm-edu report`` command.
"""
