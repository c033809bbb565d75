"""What of an answer cell counts when it is graded: its definitions.

When grading, an exercise's answer cell runs on its own, in a fresh Python
(see :mod:`genenorm_edu.grading`). Only its top-level *definitions* run:
imports, functions, classes and assignments. Everything else at top level
(a call such as ``check_exercise(...)`` or ``print(...)``, a loop, an
``if``) is what a student tries out in the cell, not part of the answer: it
is left out, so that it can neither fail the answer nor stall the grader.
The visible tests in the student's notebook define the function the same
way, so that they test what will be graded.
"""

from __future__ import annotations

import ast

__all__ = ["DEFINITIONS", "definitions"]

#: Top-level statements that run when an answer cell is graded.
DEFINITIONS = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
)


def definitions(source: str) -> str:
    """The top-level definitions of a cell's source, as source text.

    A cell that does not parse is returned whole, so that running it
    reports the syntax error.

    Examples
    --------
    >>> cell = '''import numpy as np
    ... SCALE = 2
    ... def double(x):
    ...     return SCALE * x
    ... print(double(3))
    ... check_exercise("double", double)'''
    >>> print(definitions(cell))
    import numpy as np
    SCALE = 2
    def double(x):
        return SCALE * x
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    kept = []
    for node in tree.body:
        if not isinstance(node, DEFINITIONS):
            continue
        first = min([node.lineno, *(decorator.lineno for decorator in getattr(node, "decorator_list", []))])
        kept.extend(lines[first - 1 : node.end_lineno])
    return "\n".join(kept)
