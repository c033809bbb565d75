"""Call a student's function on test inputs, in a fresh (sandboxed) interpreter.

Run by the grader as ``python -I -B _runner.py JOB_DIR OUT_DIR``, where
``JOB_DIR/job.json`` says which function to take from which answer-cell
sources, which modules the lesson provides (``{"np": "numpy"}``), and the
encoded arguments of each case (``codec.py``). For each case, in order, it
writes ``OUT_DIR/ready`` once the answer cells ran, then ``OUT_DIR/case-<i>.json``: the encoded result, or the exception's
type and message, the arguments as the call left them, and the seconds it
took. The grader judges those files in its own process; this one only runs
student code and reports what happened. Output the student's code prints
goes to this process's stdout and stderr, which the grader discards.

It imports nothing of the course library (the grader's sandbox does not
even show it), only ``codec.py`` from its own directory.
"""

import builtins
import importlib
import importlib.util
import json
import os
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import codec  # noqa: E402  -- from this file's directory, see above

# Bound before the student's code runs: rebinding builtins or module
# attributes later does not change what this file calls.
_dumps = codec.dumps
_open = open
_perf_counter = time.perf_counter
_encode = codec.encode
_decode = codec.decode
_type = type
_str = str
_BaseException = BaseException
_getpid = os.getpid
_exit = os._exit


def _write(out_dir, index, record):
    with _open(f"{out_dir}/case-{index}.json", "w", encoding="utf-8") as file:
        file.write(_dumps(record))


def _encoded(value, out_dir, prefix):
    try:
        return _encode(value, out_dir, prefix)
    except _BaseException:  # noqa: BLE001 -- e.g. an array too large to write
        return {"t": "opaque", "type": "a value that could not be saved"}


def _describe(error):
    try:
        message = _str(error)
    except _BaseException:
        message = "(its message could not be read)"
    return _type(error).__name__, message[:2000]


def _lazy_module(name):
    """The module ``name``, whose code runs when the answer first uses it.

    A lesson provides modules most answers never touch (``scipy.stats``
    alone takes about a second to import): each exercise's run pays for
    them only when the student's code uses them.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _load_function(job):
    """Run the answer-cell sources; return (function, None) or (None, (type, message))."""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    for alias, module in job["modules"].items():
        namespace[alias] = _lazy_module(module)
    for number, source in enumerate(job["sources"]):
        try:
            exec(compile(source, f"<answer cell {number + 1}>", "exec"), namespace)
        except _BaseException as error:  # noqa: BLE001 -- student code may raise anything
            name, message = _describe(error)
            return None, (name, f"while running the answer cell: {message}")
    function = namespace.get(job["function"])
    if not callable(function):
        return None, (
            "NameError",
            f"the answer cell does not define a function named {job['function']!r}",
        )
    return function, None


def main(job_dir, out_dir):
    runner_pid = _getpid()
    with _open(f"{job_dir}/job.json", encoding="utf-8") as file:
        job = json.load(file)
    function, setup_error = _load_function(job)
    with _open(f"{out_dir}/ready", "w") as marker:
        marker.write("ready")
    for index, encoded_arguments in enumerate(job["cases"]):
        arguments = list(_decode(encoded_arguments, job_dir))
        record = {"arguments_after": None, "seconds": 0.0}
        if setup_error is not None:
            record["error_type"], record["error_message"] = setup_error
            _write(out_dir, index, record)
            continue
        start = _perf_counter()
        try:
            result = function(*arguments)
        except _BaseException as error:  # noqa: BLE001 -- student code may raise anything
            record["error_type"], record["error_message"] = _describe(error)
            result = None
        if _getpid() != runner_pid:  # a process the student's code forked: not ours to report
            _exit(0)
        record["seconds"] = _perf_counter() - start
        record["result"] = _encoded(result, out_dir, f"case{index}-result")
        record["arguments_after"] = _encoded(tuple(arguments), out_dir, f"case{index}-arguments")
        _write(out_dir, index, record)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
