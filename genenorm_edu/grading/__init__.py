"""Instructor tooling: grading the course with nbgrader, out of the students' reach.

Not part of the students' copy of the course (``genenorm-edu student-bundle``),
and hidden from students' code while grading.

Modules
-------
hidden
    The hidden test cases of every exercise.
preprocessors
    The nbgrader preprocessors ``nbgrader_config.py`` installs (sanitizing,
    executing, out-of-reach verdicts, score log, feedback).
calls
    Call a student's function on test cases in a sandboxed interpreter
    (``_runner.py``) and read back what happened.
codec
    Plain data (JSON and ``.npy``) across that process boundary.
sandbox
    bubblewrap sandbox and resource limits (``_launch.py``) for student code.
kernel
    The sandboxed Jupyter kernel that runs a notebook while it is graded.
cells
    Which cell of a notebook is an exercise's answer or test.
submission_file
    Read a submitted notebook file, repairing a damaged one.
release
    The student notebooks made from the instructor notebooks
    (``genenorm-edu release``).
environment
    What nbgrader needs from the process environment.
"""
