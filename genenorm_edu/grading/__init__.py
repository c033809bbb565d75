"""Instructor tooling: grading the course with nbgrader, out of the students' reach.

Not part of the students' copy of the course (``genenorm-edu student-bundle``),
and hidden from students' code while grading.

How a submission is graded (``nbgrader_config.py`` installs the preprocessors):
the answers are recorded when it is sanitized; then :mod:`.plan` reads the
notebook once, :mod:`.judging` grades each exercise in a sandboxed runner
(:mod:`.calls`) while the kernel (:mod:`.kernel`) runs the notebook, and the
verdicts are written into the test cells.

Modules
-------
plan
    One submission as the grader sees it (exercises, answers, test cells,
    demonstrations), found once.
judging
    Grade an exercise out of reach and turn its verdicts into a test cell's
    outputs (no nbgrader).
hidden
    The hidden test cases of every exercise.
calls
    Call a student's function on test cases in a sandboxed interpreter
    (``_runner.py``) over pipes, every step with a deadline.
channel
    Length-prefixed messages over a pipe, read and written with a deadline.
codec
    Plain data (JSON, arrays as inline ``.npy``) across that process boundary;
    nothing the student's code names comes back.
policy
    What sandboxed student code sees: the kernel's and the runner's commands.
sandbox
    bubblewrap sandbox and resource limits (``_launch.py``) for student code.
kernel
    The sandboxed Jupyter kernel that runs a notebook while it is graded.
cells
    Which cell of a notebook is an exercise's answer or test.
preprocessors
    The nbgrader preprocessors, one per module, sharing one
    ``NotebookGrading`` (``preprocessors/state.py``).
parallel
    ``genenorm-edu autograde`` / ``generate-feedback``: many students at once
    (gradebook rows, worker pool, log parsing, summary, command).
submission_file
    Read a submitted notebook file, repairing a damaged one.
release
    The student notebooks made from the instructor notebooks
    (``genenorm-edu release``).
bundle
    The students' copy of the course (``genenorm-edu student-bundle``).
environment
    What nbgrader needs from the process environment.
class_record
    What autograde records of each notebook for the class report
    (``class_report/records/``; fixed text only).
report
    ``genenorm-edu report``: the class report (HTML page and CSV) from the
    gradebook and those records.
"""
