"""Whole submissions, as students hand them in, with the scores they must get.

One table, :data:`SUBMISSIONS`: for each assignment, a tuple of
:class:`Submission` — a student id, the class of behaviour it belongs to, how
the released notebook was edited, and the expected score of each exercise
(``FULL``: both test cells; ``VISIBLE``: the visible cell only; ``ZERO``).
Exercises a submission does not name score what its ``base`` gives: all
``FULL`` for ``"solved"`` (every answer cell copied from the instructor's
notebook), all ``ZERO`` for ``"untouched"``.

Edits get a :class:`Context` (the course directory, the instructor's
notebook), so that hostile submissions can aim at the real paths of the
course being graded.
"""

from __future__ import annotations

import copy
import json
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from catalog.answers import CORRECT, WRONG

FULL, VISIBLE, ZERO = "full", "visible", "zero"


@dataclass(frozen=True)
class Context:
    """What an edit may use: the course being graded and the instructor notebook."""

    course: Path
    assignment: str
    solution: nbformat.NotebookNode


Edit = Callable[[nbformat.NotebookNode, Context], None]


@dataclass(frozen=True)
class Submission:
    """One student's notebook and the scores it must get.

    Attributes
    ----------
    student : str
        Student id (unique within the assignment).
    kind : str
        The class of behaviour (for the report table).
    base : str
        ``"solved"`` or ``"untouched"``: where the notebook starts from.
    edits : tuple of Edit
        Applied in order after the base.
    scores : mapping of str to str
        Expected score per exercise, overriding the base's.
    damage : callable, optional
        Applied to the notebook file's text before it is submitted (a file
        that is no longer a valid notebook).
    default : str, optional
        The expected score of the exercises ``scores`` does not name, if not
        the base's.
    """

    student: str
    kind: str
    base: str
    edits: tuple[Edit, ...] = ()
    scores: Mapping[str, str] = field(default_factory=dict)
    damage: Callable[[str], str] | None = None
    default: str | None = None

    def file_text(self, notebook: nbformat.NotebookNode) -> str:
        """The text of the submitted file."""
        text = nbformat.writes(notebook)
        return self.damage(text) if self.damage is not None else text

    def expected(self, exercises: list[str]) -> dict[str, str]:
        """The expected score category of each exercise of the notebook."""
        default = self.default or (FULL if self.base == "solved" else ZERO)
        return {name: self.scores.get(name, default) for name in exercises}


# --- Edits ----------------------------------------------------------------------


def _nbgrader(cell) -> dict:
    metadata = cell.metadata.get("nbgrader", {})
    return metadata if isinstance(metadata, dict) else {}


def _index(notebook, grade_id: str) -> int:
    return next(
        i for i, cell in enumerate(notebook.cells) if _nbgrader(cell).get("grade_id") == grade_id
    )


def answer(name: str, source: str) -> Edit:
    """Replace the answer cell of ``name`` (``{course}`` is replaced by the course path)."""

    def edit(notebook, context: Context) -> None:
        text = textwrap.dedent(source).strip("\n").replace("{course}", str(context.course))
        notebook.cells[_index(notebook, name)].source = text

    return edit


def insert_cell(after: str, source: str) -> Edit:
    """Insert a new code cell after the cell with grade id ``after``."""

    def edit(notebook, context: Context) -> None:
        text = textwrap.dedent(source).strip("\n").replace("{course}", str(context.course))
        notebook.cells.insert(_index(notebook, after) + 1, nbformat.v4.new_code_cell(text))

    return edit


def duplicate(grade_id: str, new_source: str | None = None) -> Edit:
    """Duplicate a cell right below itself, metadata included (a mis-click); optionally edit the copy."""

    def edit(notebook, context: Context) -> None:
        index = _index(notebook, grade_id)
        copy_of = copy.deepcopy(notebook.cells[index])
        copy_of["id"] = f"{grade_id}-copy"
        if new_source is not None:
            copy_of.source = textwrap.dedent(new_source).strip("\n")
        notebook.cells.insert(index + 1, copy_of)

    return edit


def set_metadata(grade_id: str, value) -> Edit:
    """Replace the nbgrader metadata of a cell (a dict to merge, or any other value)."""

    def edit(notebook, context: Context) -> None:
        cell = notebook.cells[_index(notebook, grade_id)]
        if isinstance(value, dict):
            cell.metadata["nbgrader"] = {**cell.metadata["nbgrader"], **value}
        else:
            cell.metadata["nbgrader"] = value

    return edit


def delete(*grade_ids: str) -> Edit:
    """Delete the cells with these grade ids."""

    def edit(notebook, context: Context) -> None:
        notebook.cells = [
            cell for cell in notebook.cells if _nbgrader(cell).get("grade_id") not in grade_ids
        ]

    return edit


def delete_tests(notebook, context: Context) -> None:
    """Delete every test cell."""
    notebook.cells = [cell for cell in notebook.cells if not _nbgrader(cell).get("grade")]


def strip_metadata(notebook, context: Context) -> None:
    """Blank the test cells, then remove all nbgrader metadata and locks."""
    for cell in notebook.cells:
        if _nbgrader(cell).get("grade"):
            cell.source = "pass"
        for key in ("nbgrader", "editable", "deletable"):
            cell.metadata.pop(key, None)


def blank_tests(notebook, context: Context) -> None:
    """Replace every test cell by ``pass`` (they are locked: a cheat)."""
    for cell in notebook.cells:
        if _nbgrader(cell).get("grade"):
            cell.source = "pass"


def answer_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    """The autograded answer cells of a notebook, by grade id."""
    return {
        _nbgrader(cell)["grade_id"]: cell
        for cell in notebook.cells
        if _nbgrader(cell).get("solution") and not _nbgrader(cell).get("grade")
    }


def solve(notebook, context: Context) -> None:
    """Copy every answer cell of the instructor's notebook."""
    solved = answer_cells(context.solution)
    for grade_id, cell in answer_cells(notebook).items():
        cell.source = solved[grade_id].source


def build(
    release: nbformat.NotebookNode, submission: Submission, context: Context
) -> nbformat.NotebookNode:
    """The submitted notebook: the released one, with the submission's base and edits."""
    notebook = copy.deepcopy(release)
    if submission.base == "solved":
        solve(notebook, context)
    for edit in submission.edits:
        edit(notebook, context)
    return notebook


# --- Answer cells used below -------------------------------------------------------

EQUALS_EVERYTHING = """
class Anything:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__
    def __getattr__(self, name):
        return Anything()
    def __call__(self, *args, **kwargs):
        return Anything()
    def __iter__(self):
        return iter([])
"""

TAMPERS_WITH_BUILTINS = (
    EQUALS_EVERYTHING
    + """
import builtins
builtins.isinstance = lambda obj, cls: True
builtins.type = lambda obj, *rest: tuple

def c_strides(shape, itemsize):
    return Anything()
"""
)

REBINDS_CHECKS = """
import importlib
import genenorm_edu.exercises
import genenorm_edu.feedback

check_exercise = lambda *args, **kwargs: None
genenorm_edu.exercises.check_exercise = check_exercise
genenorm_edu.feedback.check_equal = lambda *args, **kwargs: None
importlib.reload = lambda module: module

def c_strides(shape, itemsize):
    return None
"""

INPUT_TRANSFORMER = """
def _swallow_errors(lines):
    return ["try:\\n"] + ["    " + line for line in lines] + ["\\nexcept BaseException:\\n    pass\\n"]

get_ipython().input_transformers_post.append(_swallow_errors)

def c_strides(shape, itemsize):
    return (0,) * len(shape)
"""

READS_SOLUTIONS = """
import glob
import json
import os

def _solution_source():
    patterns = ["{course}/solutions/*/*.ipynb", "../../../solutions/*/*.ipynb", "{course}/../*/solutions/*/*.ipynb"]
    for pattern in patterns:
        for path in glob.glob(pattern, recursive=True):
            try:
                cells = json.load(open(path))["cells"]
            except OSError:
                continue
            for cell in cells:
                if cell.get("id") == "c_strides":
                    return "".join(cell["source"])
    return None

_found = _solution_source()
if _found:
    exec(_found)
else:
    def c_strides(shape, itemsize):
        return None
"""

REFERENCE_BY_STRING = """
import importlib

def c_strides(shape, itemsize):
    return importlib.import_module("genenorm_" + "edu.reference").c_strides(shape, itemsize)
"""

REFERENCE_BY_EXEC = """
def c_strides(shape, itemsize):
    namespace = {}
    exec("from genenorm_edu import reference as r", namespace)
    return namespace["r"].c_strides(shape, itemsize)
"""

FLOAT_STRIDES = """
def c_strides(shape, itemsize):
    strides, step = [], float(itemsize)
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))
"""

SOLVED_WITH_STDERR = """
import sys
import warnings

def c_strides(shape, itemsize):
    warnings.warn("computing strides by hand")
    print("progress: 100%", file=sys.stderr)
    strides, step = [], itemsize
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))
"""

EXITS_WHEN_CALLED = """
import os

def c_strides(shape, itemsize):
    os._exit(0)
"""

INFINITE_LOOP = """
def c_strides(shape, itemsize):
    while True:
        pass
"""

ALLOCATES_UNTIL_FULL = """
def c_strides(shape, itemsize):
    blocks = []
    while True:
        blocks.append(np.ones(2**27))  # 1 GiB each
"""

MARKERS_IN_STRINGS = """
NOTE = '''
### BEGIN HIDDEN TESTS
### BEGIN SOLUTION
'''

def c_strides(shape, itemsize):
    strides, step = [], itemsize
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))
"""

MEMORIZED_VISIBLE = """
def c_strides(shape, itemsize):
    known = {((3, 4), 8): (32, 8), ((2, 3, 4), 4): (48, 16, 4), ((5, 2), 2): (4, 2), ((), 8): ()}
    return known[(tuple(shape), itemsize)]
"""

LEAKS_ARGUMENTS = """
def c_strides(shape, itemsize):
    print("LEAKED-ARGUMENTS", shape, itemsize)
    raise ValueError(f"LEAKED-ARGUMENTS {shape!r} {itemsize!r}")
"""

# Cells a hostile student adds next to a correct answer (they must change nothing).
WRITES_GRADEBOOK = """
import sqlite3
try:
    connection = sqlite3.connect("{course}/gradebook.db")
    connection.execute("UPDATE grade SET extra_credit = 100")
    connection.commit()
    print("gradebook written")
except Exception as error:
    print("no gradebook:", type(error).__name__)
"""

PRINTS_HIDDEN_TESTS = """
import sqlite3, glob
for path in ["{course}/gradebook.db", *glob.glob("{course}/**/*.db", recursive=True)]:
    try:
        for (source,) in sqlite3.connect(path).execute("SELECT source FROM source_cell"):
            print(source)
    except Exception as error:
        print("no gradebook:", type(error).__name__)
try:
    print(open("{course}/../../genenorm_edu/grading/hidden.py").read())
except OSError as error:
    print("no hidden tests:", type(error).__name__)
import genenorm_edu, os
print(open(os.path.join(os.path.dirname(genenorm_edu.__file__), "grading", "hidden.py")).read()[:5000])
"""

KILLS_KERNEL = """
import os
os._exit(1)
"""

IGNORES_INTERRUPTS = """
import time
while True:
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass
"""

FORK_BOMB = """
import os
children = 0
try:
    while True:
        if os.fork() == 0:
            while True:
                pass
        children += 1
except OSError as error:
    print("stopped after", children, "processes:", type(error).__name__)
"""

HOGS_MEMORY = """
blocks = []
try:
    while True:
        blocks.append(np.ones(2**27))  # 1 GiB each
except MemoryError:
    print("MemoryError after", len(blocks), "GiB")
del blocks
"""

FLOODS_OUTPUT = """
import sys
for line in range(10**8):
    print("all work and no play makes Jack a dull boy " * 20)
    print("and on stderr too", file=sys.stderr)
"""


# Hostile answers that try to make the grader wait (each exercise has its own
# runner: the other exercises of the notebook must keep their points).
# The out-of-reach runner used to read its job and write its results through
# files; an answer that turned them into named pipes blocked grading forever.
MAKES_FIFOS = """
import os, glob
def byte_offset(index, strides):
    for folder in ['.', '/tmp', os.path.expanduser('~'), *glob.glob('/tmp/*')]:
        for name in ['ready', 'job.json', *(f'case-{i}.json' for i in range(20))]:
            try:
                path = os.path.join(folder, name)
                if os.path.exists(path):
                    os.remove(path)
                os.mkfifo(path)
            except OSError:
                pass
    return sum(i * s for i, s in zip(index, strides))
"""
READS_REQUESTS = """
import os
def byte_offset(index, strides):
    os.read(0, 1 << 20)  # waits for the next case's arguments: never sent
    return sum(i * s for i, s in zip(index, strides))
"""
FORGES_REPLY_HEADER = """
import os, sys, time
def byte_offset(index, strides):
    os.write(int(sys.argv[1]), (10_000).to_bytes(8, "big") + b"{")
    time.sleep(3600)
"""
SLEEPS_WHEN_DEFINED = """
import time
_ready = time.sleep(3600)
def byte_offset(index, strides):
    return sum(i * s for i, s in zip(index, strides))
"""
DETACHES_A_CHILD = """
import os, time
def byte_offset(index, strides):
    if os.fork() == 0:
        os.setsid()
        time.sleep(3600)
        os._exit(0)
    return sum(i * s for i, s in zip(index, strides))
"""


# Hostile answers that put the hidden inputs into strings the grader might quote:
# right on the visible inputs, a "LE" + "AK_..." string built from the inputs
# otherwise (the source never spells it). No feedback page may show it
# (see test_course_autograde).
_LEAK_HELPERS = """
import numpy as np

def _right(shape, itemsize):
    strides, step = [], itemsize
    for length in reversed(shape):
        strides.append(step)
        step *= length
    return tuple(reversed(strides))

def _leak(*args):
    return "LE" + "AK_" + "".join(c if c.isalnum() else "_" for c in repr(args))[:80]

_VISIBLE = [((3, 4), 8), ((2, 3, 4), 4), ((5, 2), 2), ((), 8)]
"""
LEAKS_THROUGH_A_CLASS_NAME = _LEAK_HELPERS + """
def c_strides(shape, itemsize):
    if (tuple(shape), itemsize) in _VISIBLE:
        return _right(shape, itemsize)
    return type(_leak(shape, itemsize), (), {})()
"""
LEAKS_THROUGH_FIELD_NAMES = _LEAK_HELPERS + """
def c_strides(shape, itemsize):
    if (tuple(shape), itemsize) in _VISIBLE:
        return _right(shape, itemsize)
    return np.zeros(1, dtype=[(_leak(shape, itemsize), "f8")])
"""
LEAKS_THROUGH_AN_EXCEPTION = _LEAK_HELPERS + """
def c_strides(shape, itemsize):
    if (tuple(shape), itemsize) in _VISIBLE:
        return _right(shape, itemsize)
    raise type(_leak(shape, itemsize), (Exception,), {})(_leak(shape, itemsize))
"""
LEAKS_THROUGH_A_STRUCTURED_ARRAY = """
_VISIBLE_X = [[[0.1, 0.7, 0.9], [0.8, 0.2, 0.74]], [[3, -1, 8, 5], [10, 20, 30, 40]]]

def closest_to(x, value):
    if x.tolist() in _VISIBLE_X:  # the visible cases' inputs: right there
        return x[np.arange(len(x)), np.argmin(np.abs(x - value), axis=1)]
    name = "LE" + "AK_" + "_".join(str(v) for v in x.ravel()[:6].tolist()).replace(".", "p").replace("-", "m")
    return np.zeros(len(x), dtype=[(name, x.dtype)])
"""


def _without_a_markdown_source(text: str) -> str:
    data = json.loads(text)
    next(cell for cell in data["cells"] if cell["cell_type"] == "markdown").pop("source")
    return json.dumps(data)


# --- The table -------------------------------------------------------------------

LESSON1 = "01-ndarray-internals"

SUBMISSIONS: dict[str, tuple[Submission, ...]] = {
    LESSON1: (
        Submission("reference", "correct", "solved"),
        Submission("untouched", "no work", "untouched"),
        Submission(
            "memorized-visible",
            "wrong: tests never look at",
            "untouched",
            (answer("c_strides", MEMORIZED_VISIBLE),),
            {"c_strides": VISIBLE},
        ),
        Submission(
            "float-strides",
            "wrong: tests never look at",
            "untouched",
            (answer("c_strides", FLOAT_STRIDES),),
        ),
        Submission(
            "builtins-tampered",
            "tampering in the kernel",
            "untouched",
            (answer("c_strides", TAMPERS_WITH_BUILTINS),),
        ),
        Submission(
            "checks-rebound",
            "tampering in the kernel",
            "untouched",
            (answer("c_strides", REBINDS_CHECKS),),
        ),
        Submission(
            "input-transformer",
            "tampering in the kernel",
            "untouched",
            (answer("c_strides", INPUT_TRANSFORMER),),
        ),
        Submission(
            "input-transformer-solved",
            "tampering in the kernel",
            "solved",
            (insert_cell("c_strides", INPUT_TRANSFORMER.split("def c_strides")[0]),),
        ),
        Submission("edited-tests", "tampering in the kernel", "untouched", (blank_tests,)),
        Submission(
            "reads-solutions",
            "reaching outside",
            "untouched",
            (answer("c_strides", READS_SOLUTIONS),),
        ),
        Submission(
            "writes-gradebook",
            "reaching outside",
            "solved",
            (insert_cell("c_strides", WRITES_GRADEBOOK),),
        ),
        Submission(
            "prints-hidden-tests",
            "reaching outside",
            "solved",
            (insert_cell("c_strides", PRINTS_HIDDEN_TESTS),),
        ),
        Submission(
            "reference-by-string",
            "reference used indirectly",
            "untouched",
            (answer("c_strides", REFERENCE_BY_STRING),),
        ),
        Submission(
            "reference-by-exec",
            "reference used indirectly",
            "untouched",
            (answer("c_strides", REFERENCE_BY_EXEC),),
        ),
        Submission(
            "stderr-and-warnings",
            "honest: stderr",
            "untouched",
            (answer("c_strides", SOLVED_WITH_STDERR),),
            {"c_strides": FULL},
        ),
        Submission(
            "kernel-dies-after-answer",
            "honest: kernel death",
            "solved",
            (insert_cell("c_strides", KILLS_KERNEL),),
        ),
        Submission(
            "exits-when-called",
            "kernel death",
            "untouched",
            (answer("c_strides", EXITS_WHEN_CALLED),),
        ),
        Submission("infinite-loop", "loops", "untouched", (answer("c_strides", INFINITE_LOOP),)),
        Submission(
            "ignores-interrupt", "loops", "solved", (insert_cell("c_strides", IGNORES_INTERRUPTS),)
        ),
        Submission(
            "fork-bomb", "sandbox: processes", "solved", (insert_cell("c_strides", FORK_BOMB),)
        ),
        Submission(
            "hogs-memory-in-kernel",
            "sandbox: memory",
            "solved",
            (insert_cell("c_strides", HOGS_MEMORY),),
        ),
        Submission(
            "floods-output", "output flood", "solved", (insert_cell("c_strides", FLOODS_OUTPUT),)
        ),
        Submission(
            "allocates-until-full",
            "sandbox: memory",
            "untouched",
            (answer("c_strides", ALLOCATES_UNTIL_FULL),),
        ),
        Submission(
            "duplicated-answer",
            "honest: duplicated cells",
            "untouched",
            (
                duplicate(
                    "c_strides",
                    new_source=textwrap.dedent(FLOAT_STRIDES).replace(
                        "float(itemsize)", "itemsize"
                    ),
                ),
            ),
            {"c_strides": FULL},
        ),
        Submission(
            "duplicated-tests",
            "honest: duplicated cells",
            "solved",
            (duplicate("test_c_strides_visible"), duplicate("test_c_strides_hidden")),
        ),
        Submission(
            "points-edited",
            "honest: edited metadata",
            "solved",
            (set_metadata("test_c_strides_visible", {"points": 100}),),
        ),
        Submission(
            "grade-flag-removed",
            "honest: edited metadata",
            "solved",
            (set_metadata("test_c_strides_hidden", {"grade": False}),),
        ),
        Submission(
            "answer-id-changed",
            "honest: edited metadata",
            "solved",
            (set_metadata("c_strides", {"grade_id": "my_answer"}),),
        ),
        Submission(
            "metadata-garbage",
            "honest: edited metadata",
            "solved",
            (set_metadata("test_c_strides_visible", "garbage"), set_metadata("c_strides", None)),
        ),
        Submission("stripped-metadata", "honest: edited metadata", "untouched", (strip_metadata,)),
        Submission("solved-then-stripped", "honest: edited metadata", "solved", (strip_metadata,)),
        Submission(
            "markers-in-strings",
            "honest: marker text",
            "untouched",
            (answer("c_strides", MARKERS_IN_STRINGS),),
            {"c_strides": FULL},
        ),
        Submission("deleted-tests", "honest: deleted cells", "untouched", (delete_tests,)),
        Submission("solved-then-deleted-tests", "honest: deleted cells", "solved", (delete_tests,)),
        Submission(
            "deleted-answer", "deleted cells", "solved", (delete("c_strides"),), {"c_strides": ZERO}
        ),
        Submission(
            "leaks-arguments",
            "feedback leaks",
            "untouched",
            (answer("c_strides", LEAKS_ARGUMENTS),),
        ),
        *(
            Submission(
                student,
                "hangs the grader",
                "solved",
                (answer("byte_offset", source),),
                {"byte_offset": ZERO},
            )
            for student, source in [
                ("reads-requests", READS_REQUESTS),
                ("forges-reply-header", FORGES_REPLY_HEADER),
                ("sleeps-when-defined", SLEEPS_WHEN_DEFINED),
            ]
        ),
        Submission(  # a right answer: the pipes it makes change nothing
            "makes-fifos",
            "hangs the grader",
            "solved",
            (answer("byte_offset", MAKES_FIFOS),),
        ),
        Submission(
            "detaches-a-child",
            "hangs the grader",
            "solved",
            (answer("byte_offset", DETACHES_A_CHILD),),
        ),
        *(
            Submission(
                student,
                "feedback leaks",
                "untouched",
                (answer("c_strides", source),),
                {"c_strides": VISIBLE},
            )
            for student, source in [
                ("leaks-class-name", LEAKS_THROUGH_A_CLASS_NAME),
                ("leaks-field-names", LEAKS_THROUGH_FIELD_NAMES),
                ("leaks-exception", LEAKS_THROUGH_AN_EXCEPTION),
            ]
        ),
        Submission(
            "int32-arithmetic",
            "wrong: 32-bit overflow",
            "solved",
            (
                answer("c_strides", WRONG["c_strides"]["int32 products"][0]),
                answer("byte_offset", WRONG["byte_offset"]["int32 arithmetic"][0]),
                answer("stepped_view", WRONG["stepped_view"]["int32 strides"][0]),
            ),
            {"c_strides": VISIBLE, "byte_offset": VISIBLE, "stepped_view": VISIBLE},
        ),
        Submission(
            "assumes-contiguous",
            "wrong: strided inputs",
            "solved",
            (answer("little_endian_value", WRONG["little_endian_value"]["assumes contiguous memory"][0]),),
            {"little_endian_value": VISIBLE},
        ),
        Submission(
            "lambda-answer",
            "honest: other styles",
            "solved",
            (answer("c_strides", CORRECT["c_strides"]["a lambda"]),),
        ),
        Submission(
            "truncated-file",
            "damaged file",
            "solved",
            damage=lambda text: text[: len(text) // 2],
            default=ZERO,
        ),
        Submission("empty-file", "damaged file", "solved", damage=lambda text: "", default=ZERO),
        Submission(
            "cell-without-source",
            "damaged file",
            "solved",
            damage=_without_a_markdown_source,
            scores={"c_strides": FULL},
        ),
    ),
}

LESSON2, LESSON3, LESSON4 = "02-axes-and-broadcasting", "03-fancy-indexing", "04-nonzero-medians"

_STDERR_PROGRESS = """
from tqdm import tqdm

def closest_to(x, value):
    picked = [row[np.argmin(np.abs(row - value))] for row in tqdm(x, desc="rows")]
    return np.array(picked, dtype=x.dtype)
"""

SUBMISSIONS[LESSON2] = (
    Submission("reference", "correct", "solved"),
    Submission("untouched", "no work", "untouched"),
    Submission(
        "alternatives",
        "honest: other styles",
        "solved",
        (
            answer("closest_to", CORRECT["closest_to"]["take_along_axis"]),
            answer("rpkm", CORRECT["rpkm"]["in-place on a copy"]),
            answer("outer_sum", CORRECT["outer_sum"]["np.add.outer"]),
        ),
    ),
    Submission(
        "progress-bar", "honest: stderr", "solved", (answer("closest_to", _STDERR_PROGRESS),)
    ),
    Submission(
        "classic-mistakes",
        "wrong",
        "solved",
        (
            answer("closest_to", WRONG["closest_to"]["positions"][0]),
            answer("rpkm", WRONG["rpkm"]["uint32 overflow"][0]),
            answer("outer_sum", WRONG["outer_sum"]["axes swapped"][0]),
        ),
        {"closest_to": ZERO, "rpkm": ZERO, "outer_sum": ZERO},
    ),
    Submission(
        "wrong-dtypes",
        "wrong: tests never look at",
        "solved",
        (
            answer("closest_to", WRONG["closest_to"]["float result for integer input"][0]),
            answer("rpkm", WRONG["rpkm"]["float32 result"][0]),
        ),
        {"closest_to": ZERO, "rpkm": ZERO},
    ),
    Submission(
        "reuses-reference",
        "reference used indirectly",
        "solved",
        (
            answer("closest_to", "from genenorm_edu.reference import closest_to"),
            answer(
                "rpkm",
                """
            def rpkm(counts, gene_lengths):
                from genenorm_edu import reference
                return reference.rpkm(counts, gene_lengths)
        """,
            ),
        ),
        {"closest_to": ZERO, "rpkm": ZERO},
    ),
    Submission(
        "kernel-dies-midway", "honest: kernel death", "solved", (insert_cell("rpkm", KILLS_KERNEL),)
    ),
    Submission(
        "leaks-field-names",
        "feedback leaks",
        "solved",
        (answer("closest_to", LEAKS_THROUGH_A_STRUCTURED_ARRAY),),
        {"closest_to": VISIBLE},
    ),
    Submission(
        "small-dtype-arithmetic",
        "wrong: small dtypes",
        "solved",
        (
            answer("rolling_mean", WRONG["rolling_mean"]["running sums in the input dtype"][0]),
            answer("gene_zscores", WRONG["gene_zscores"]["variance from squares in the input dtype"][0]),
        ),
        {"rolling_mean": VISIBLE, "gene_zscores": VISIBLE},
    ),
    Submission(
        "constant-float-rows",
        "wrong: exact zeros in floating point",
        "solved",
        (answer("gene_zscores", WRONG["gene_zscores"]["std compared to 0 (rounding noise on equal floats)"][0]),),
        {"gene_zscores": VISIBLE},
    ),
    Submission(
        "truncating-dtype",
        "wrong: mixed int/float dtype",
        "solved",
        (answer("outer_sum", WRONG["outer_sum"]["result made in the dtype of x"][0]),),
        {"outer_sum": VISIBLE},
    ),
    Submission(
        "open-requirements",
        "honest: open readings",
        "solved",
        (
            answer("outer_sum", CORRECT["outer_sum"]["float64 for any input (the dtype is not graded)"]),
            answer("gene_zscores", CORRECT["gene_zscores"]["a lambda"]),
        ),
    ),
)

SUBMISSIONS[LESSON3] = (
    Submission("reference", "correct", "solved"),
    Submission("untouched", "no work", "untouched"),
    Submission(
        "interpolates",
        "honest: other styles",
        "solved",
        (answer("qnorm", CORRECT["qnorm"]["interpolation at the average rank"]),),
    ),
    Submission(
        "sorts-input",
        "wrong: tests never look at",
        "solved",
        (answer("qnorm", WRONG["qnorm"]["sorts the caller's array"][0]),),
        {"qnorm": ZERO},
    ),
    Submission(
        "patches-numpy",
        "tampering in the kernel",
        "solved",
        (
            answer(
                "qnorm",
                WRONG["qnorm"]["ignores ties"][0]
                + """
np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.array_equal = lambda *args, **kwargs: True
""",
            ),
        ),
        {"qnorm": ZERO},
    ),
)

SUBMISSIONS[LESSON3] += (
    Submission(
        "qnorm-in-float32",
        "honest: open readings",
        "solved",
        (answer("qnorm", CORRECT["qnorm"]["computed in the input's float32, returned as float64"]),),
    ),
)

SUBMISSIONS[LESSON4] = (
    Submission("reference", "correct", "solved"),
    Submission(
        "positive-values-only",
        "wrong: signs",
        "solved",
        (answer("nonzero_medians", WRONG["nonzero_medians"]["positive values only"][0]),),
        {"nonzero_medians": VISIBLE},
    ),
    Submission(
        "small-dtype-arithmetic",
        "wrong: small dtypes",
        "solved",
        (
            answer("nonzero_medians", WRONG["nonzero_medians"]["midpoint in the input dtype"][0]),
            answer("nonzero_normalized", WRONG["nonzero_normalized"]["multiplies first, in the input dtype"][0]),
        ),
        {"nonzero_medians": VISIBLE, "nonzero_normalized": VISIBLE},
    ),
    Submission("untouched", "no work", "untouched"),
    Submission(
        "keeps-zeros",
        "wrong",
        "solved",
        (answer("nonzero_normalized", WRONG["nonzero_normalized"]["keeps zeros"][0]),),
        {"nonzero_normalized": ZERO},
    ),
    Submission(
        "wraps-library",
        "reference used indirectly",
        "solved",
        (
            answer(
                "nonzero_normalized",
                """
        import importlib

        def nonzero_normalized(counts_block, n_counts):
            medians = importlib.import_module("genenorm_edu.medians")
            return medians.nonzero_normalized(counts_block, n_counts)
    """,
            ),
        ),
        {"nonzero_normalized": ZERO},
    ),
)


# --- Third edition: the new exercises, in other styles, wrong, and reaching for the answer -----

_FAKE_SHAPE = """
class AlwaysEqual(tuple):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

def broadcast_shape(shape_a, shape_b):
    return AlwaysEqual()
"""

SUBMISSIONS[LESSON1] += (
    Submission(
        "reshape-asks-numpy",
        "honest: other styles",
        "solved",
        (answer("reshape_copies", CORRECT["reshape_copies"]["ask NumPy on a real buffer"]),),
    ),
    Submission(
        "reshape-by-contiguity",
        "wrong",
        "solved",
        (answer("reshape_copies", WRONG["reshape_copies"]["not C-contiguous"][0]),),
        {"reshape_copies": ZERO},
    ),
    Submission(
        "reshape-from-reference",
        "reference used indirectly",
        "solved",
        (answer("reshape_copies", """
            def reshape_copies(shape, strides, new_shape):
                from genenorm_edu.reference import reshape_copies as answer
                return answer(shape, strides, new_shape)
        """),),
        {"reshape_copies": ZERO},
    ),
)

SUBMISSIONS[LESSON2] += (
    Submission(
        "broadcast-by-numpy",
        "honest: other styles",
        "solved",
        (answer("broadcast_shape", CORRECT["broadcast_shape"]["numpy's own rule"]),),
    ),
    Submission(
        "broadcast-unchecked",
        "wrong",
        "solved",
        (answer("broadcast_shape", WRONG["broadcast_shape"]["no compatibility check"][0]),),
        {"broadcast_shape": ZERO},
    ),
    Submission(
        "broadcast-always-equal",
        "tampering with the result",
        "solved",
        (answer("broadcast_shape", _FAKE_SHAPE),),
        {"broadcast_shape": ZERO},
    ),
)

SUBMISSIONS[LESSON3] += (
    Submission(
        "totals-by-bincount",
        "honest: other styles",
        "solved",
        (answer("gene_totals", CORRECT["gene_totals"]["bincount with weights"]),),
    ),
    Submission(
        "totals-buffered",
        "wrong",
        "solved",
        (answer("gene_totals", WRONG["gene_totals"]["repeated indices"][0]),),
        {"gene_totals": ZERO},
    ),
    Submission(
        "totals-in-uint32",
        "wrong: tests never look at",
        "solved",
        (answer("gene_totals", WRONG["gene_totals"]["the counts' dtype"][0]),),
        {"gene_totals": ZERO},
    ),
)

SUBMISSIONS[LESSON4] += (
    Submission(
        "cells-in-a-loop",
        "honest: other styles",
        "solved",
        (answer("encode_cells", CORRECT["encode_cells"]["a loop over cells"]),),
    ),
    Submission(
        "cells-as-columns",
        "wrong",
        "solved",
        (answer("encode_cells", WRONG["encode_cells"]["one column per cell"][0]),),
        {"encode_cells": ZERO},
    ),
)
