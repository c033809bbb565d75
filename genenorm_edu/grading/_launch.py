"""Apply resource limits to this process, then replace it with a command.

Run as ``python -I -S _launch.py [--memory B] [--cpu S] [--file-size B]
[--open-files N] [--processes N] [--cgroup DIR] -- COMMAND...`` by the
grader, in front of every sandboxed student process (kernel or hidden-test
runner). The limits are inherited by everything the command starts:

- ``--memory``: address space (``RLIMIT_AS``): a runaway allocation raises
  ``MemoryError`` instead of exhausting the machine;
- ``--cpu``: CPU seconds (``RLIMIT_CPU``): the process is killed past them;
- ``--file-size``: largest file it may write (``RLIMIT_FSIZE``);
- ``--open-files``: open file descriptors (``RLIMIT_NOFILE``);
- ``--processes``: processes and threads. With ``--cgroup``, this process
  joins that (already limited) process cgroup; otherwise ``RLIMIT_NPROC`` is
  set to the user's current count plus this number (not enforced for root,
  which is why the grader prefers a cgroup).

Standard library only, and no site packages (``-S``): it starts in a few
milliseconds.
"""

import os
import resource
import sys


def _tasks_of_user(uid):
    """Processes and threads this user runs now (what RLIMIT_NPROC counts)."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                count += len(os.listdir(f"/proc/{entry}/task"))
        except OSError:  # the process ended meanwhile
            continue
    return count


def _set_limit(kind, value):
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))


def main(arguments):
    options = {}
    while arguments and arguments[0] != "--":
        name, value = arguments[0], arguments[1]
        options[name] = value
        arguments = arguments[2:]
    command = arguments[1:]
    if not command:
        sys.exit("usage: _launch.py [options] -- COMMAND...")
    cgroup = options.get("--cgroup")
    if cgroup:
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    for option, kind in [
        ("--memory", resource.RLIMIT_AS),
        ("--cpu", resource.RLIMIT_CPU),
        ("--file-size", resource.RLIMIT_FSIZE),
        ("--open-files", resource.RLIMIT_NOFILE),
    ]:
        if option in options:
            _set_limit(kind, int(options[option]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if "--processes" in options and not cgroup and os.getuid() != 0:
        _set_limit(resource.RLIMIT_NPROC, _tasks_of_user(os.getuid()) + int(options["--processes"]))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
