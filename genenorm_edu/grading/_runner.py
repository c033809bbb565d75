"""Call a student's function on test inputs, in a fresh (sandboxed) interpreter.

Run by the grader as ``python -I -B _runner.py REPLY_FD ANSWER_CELL_PY``,
where ``ANSWER_CELL_PY`` is ``genenorm_edu/exercises/answer_cell.py``: the
one implementation of "the answer cell runs alone" (``run_alone``), loaded
from its file. It talks to the
grader over two pipes the grader made before starting it
(:mod:`genenorm_edu.grading.channel`: 8-byte length, then the message):

1. it reads, from standard input, the job: which function to take from which
   answer-cell sources, and which modules the lesson provides
   (``{"np": "numpy"}``); it runs the answer cells and replies ``ready``
   (or why the function could not be made) on descriptor ``REPLY_FD``;
2. then, one case at a time, it reads the case's encoded arguments
   (:mod:`codec`), calls the function, and replies with the encoded result
   or the exception's type and message, the arguments as the call left
   them, and the seconds it took. An empty request ends the run.

The grader sends a case's arguments only once the previous case replied:
while the function runs, no other case's inputs are in this process, and no
file holds them. The grader judges the replies in its own process; this one
only runs student code and reports what happened. Output the student's code
prints goes to this process's stdout and stderr, which the grader discards.

It imports nothing of the course library (the grader's sandbox does not
even show it), only ``codec.py`` from its own directory and that one file.
"""

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
_encode = codec.encode
_unpack = codec.unpack
_perf_counter = time.perf_counter
_type = type
_str = str
_list = list
_tuple = tuple
_len = len
_BaseException = BaseException
_getpid = os.getpid
_exit = os._exit
_read = os.read
_write = os.write
_from_bytes = int.from_bytes
_HEADER = 8


def _receive():
    def exactly(size):
        chunks, missing = [], size
        while missing:
            chunk = _read(0, missing)
            if not chunk:
                _exit(0)  # the grader closed the pipe: nothing more to do
            chunks.append(chunk)
            missing -= _len(chunk)
        return b"".join(chunks)

    return exactly(_from_bytes(exactly(_HEADER), "big"))


def _reply(fd, record):
    message = _dumps(record).encode("utf-8")
    data = _len(message).to_bytes(_HEADER, "big") + message
    while data:
        data = data[_write(fd, data):]


def _describe(error):
    try:
        message = _str(error)
    except _BaseException:
        message = "(its message could not be read)"
    try:
        name = _str(_type(error).__name__)
    except _BaseException:
        name = "an exception"
    return name, message[:2000]


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


def _load_answer_cell_module(path):
    """``genenorm_edu/exercises/answer_cell.py``, loaded from its file alone."""
    spec = importlib.util.spec_from_file_location("answer_cell", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(reply_fd, answer_cell_path):
    runner_pid = _getpid()
    run_alone = _load_answer_cell_module(answer_cell_path).run_alone
    job = json.loads(_receive().decode("utf-8"))
    function, setup_error = run_alone(
        job["sources"], job["function"], job["modules"],
        import_module=_lazy_module, catch=_BaseException,
    )
    if _getpid() != runner_pid:  # a process the answer cell forked: not ours to report
        _exit(0)
    _reply(reply_fd, {"ready": True, "setup_error": _list(setup_error) if setup_error else None})
    while True:
        request = _receive()
        if not request:
            return
        arguments = _list(_unpack(request, allow_strided=True))
        record = {"arguments_after": None, "seconds": 0.0}
        if setup_error is not None:
            _reply(reply_fd, record)
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
        record["result"] = _encode(result)
        record["arguments_after"] = _encode(_tuple(arguments))
        del arguments, result
        _reply(reply_fd, record)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
