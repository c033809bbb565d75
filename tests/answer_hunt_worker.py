"""One module of the student copy, hunted for answers (run by ``tests/test_answer_hunt.py``).

Run with the student copy's Python (its ``genenorm_edu`` is the copy's)::

    python answer_hunt_worker.py MODULE CASES.pickle RESULTS.jsonl SKIP.json SECONDS

It imports ``MODULE``, gathers every function and class it defines (public
and private, methods, functions kept in its module-level objects such as an
exercise's mistake recognizers) and every function defined in the examples
of its docstrings (run as doctests would), and calls each one on the
arguments of every case in ``CASES.pickle`` whose arguments it accepts (and
with one more argument, 0 or 1, where it takes one: an ``axis``), each call
within ``SECONDS``. The copy's own :func:`genenorm_edu.exercises.spec.judge`
judges each result with the exercise's check.

``RESULTS.jsonl`` gets one line per callable and exercise with a passing
case, and a last line with the totals. Before each call the worker writes
the callable's name to ``RESULTS.jsonl.progress``, so that the test can
skip (``SKIP.json``) a callable that hangs where no signal reaches it.
"""

from __future__ import annotations

import contextlib
import copy
import doctest
import importlib
import inspect
import io
import json
import pickle
import signal
import sys
import time
import types
from pathlib import Path


class _TimeLimit(BaseException):
    """A call ran past its time limit (a BaseException: student-proof ``except Exception``)."""


def _alarm(signum, frame):
    raise _TimeLimit()


@contextlib.contextmanager
def _limited(seconds: float):
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _in_copy(function, copy_root: str) -> bool:
    code = getattr(function, "__code__", None)
    return code is not None and (code.co_filename.startswith(copy_root) or code.co_filename.startswith("<doctest"))


def _functions_in(value, copy_root: str, depth: int = 0, seen=None):
    """Functions reachable from a module-level value: containers, dataclasses, class bodies."""
    seen = set() if seen is None else seen
    if id(value) in seen or depth > 4:
        return
    seen.add(id(value))
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if isinstance(value, property):
        for accessor in (value.fget, value.fset):
            if accessor is not None:
                yield from _functions_in(accessor, copy_root, depth + 1, seen)
        return
    if isinstance(value, types.FunctionType):
        if _in_copy(value, copy_root):
            yield value
        return
    if isinstance(value, type):
        for member in vars(value).values():
            yield from _functions_in(member, copy_root, depth + 1, seen)
        return
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    elif hasattr(value, "__dataclass_fields__"):
        items = [getattr(value, name, None) for name in value.__dataclass_fields__]
    else:
        return
    for item in items:
        yield from _functions_in(item, copy_root, depth + 1, seen)


def _doctest_functions(module, seconds: float) -> tuple[list, int]:
    """Functions defined by the examples of the module's docstrings, and how many examples ran."""
    found, ran = [], 0
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, module.__name__):
        namespace = dict(test.globs)
        before = set(namespace)
        for example in test.examples:
            ran += 1
            try:
                with _limited(seconds * 5), contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(example.source, f"<doctest {test.name}>", "single"), namespace)  # noqa: S102
            except (Exception, SystemExit, _TimeLimit):
                continue
        for name in set(namespace) - before:
            value = namespace[name]
            if isinstance(value, (types.FunctionType, type)):
                found.append((f"{test.name} (doctest) {name}", value))
    return found, ran


def _gather(module, copy_root: str, seconds: float) -> tuple[list, int]:
    callables, seen = [], set()

    def add(name, value):
        if id(value) not in seen:
            seen.add(id(value))
            callables.append((name, value))

    for name, value in sorted(vars(module).items()):
        if isinstance(value, type) and value.__module__ == module.__name__:
            add(f"{module.__name__}.{name}", value)  # the class itself: its constructor
        for function in _functions_in(value, copy_root):
            if function.__module__ == module.__name__ or function.__code__.co_filename.startswith("<doctest"):
                add(f"{module.__name__}.{function.__qualname__}", function)
    from_doctests, examples = _doctest_functions(module, seconds)
    for name, value in from_doctests:
        add(name, value)
        if isinstance(value, type):
            for function in _functions_in(value, copy_root):
                add(f"{name}.{function.__name__}", function)
    return callables, examples


def _argument_lists(function, args: tuple) -> list[tuple]:
    """The argument lists to try: the case's, and with one more small integer where it fits."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return [args]
    tries = []
    for candidate in (args, args + (0,), args + (1,)):
        try:
            signature.bind(*candidate)
        except TypeError:
            continue
        tries.append(candidate)
    return tries


def main(module_name: str, cases_path: str, results_path: str, skip_path: str, seconds: str) -> None:
    seconds = float(seconds)
    signal.signal(signal.SIGALRM, _alarm)
    import genenorm_edu
    from genenorm_edu.exercises import EXERCISES
    from genenorm_edu.exercises.spec import Call, Case, judge

    copy_root = str(Path(genenorm_edu.__file__).resolve().parent.parent)
    cases = pickle.loads(Path(cases_path).read_bytes())
    skip = set(json.loads(Path(skip_path).read_text()))
    progress = open(results_path + ".progress", "a", buffering=1)  # noqa: SIM115
    started = time.perf_counter()
    module = importlib.import_module(module_name)
    assert Path(module.__file__).resolve().as_posix().startswith(copy_root), module.__file__
    callables, examples = _gather(module, copy_root, seconds)
    calls = 0
    with open(results_path, "w") as results:
        for name, function in callables:
            if name in skip:
                continue
            passed: dict[tuple[str, str], int] = {}
            for exercise_name, kind, label, args, expected in cases:
                exercise = EXERCISES[exercise_name]
                for arguments in _argument_lists(function, args):
                    progress.write(name + "\n")
                    calls += 1
                    arguments = copy.deepcopy(arguments)
                    try:
                        with _limited(seconds), contextlib.redirect_stdout(io.StringIO()):
                            result = function(*arguments)
                        call = Call(result=result, arguments_after=arguments[: len(args)])
                        with _limited(seconds):
                            verdict = judge(exercise, Case(label, args, expected), call, expected)
                    except (Exception, SystemExit, _TimeLimit):
                        continue
                    if verdict.passed:
                        key = (exercise_name, kind)
                        passed[key] = passed.get(key, 0) + 1
                        break  # one passing argument list per case
            for exercise_name in sorted({key[0] for key in passed}):
                results.write(json.dumps({
                    "function": name,
                    "exercise": exercise_name,
                    "visible": passed.get((exercise_name, "visible"), 0),
                    "hidden": passed.get((exercise_name, "hidden"), 0),
                }) + "\n")
        results.write(json.dumps({
            "module": module_name,
            "callables": len(callables),
            "doctest_examples": examples,
            "calls": calls,
            "seconds": time.perf_counter() - started,
        }) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
