"""The grading sandbox: what student code can see, write and use."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from genenorm_edu.grading import sandbox
from genenorm_edu.grading.sandbox import (
    Limits,
    Mounts,
    ProcessGroupLimit,
    sandbox_support,
    sandboxed_command,
)


@pytest.fixture(scope="module")
def support():
    """The machine's sandbox support; CI must have bubblewrap (.ci/run installs it)."""
    found = sandbox_support()
    if not found.isolated:
        message = "no working bubblewrap: " + "; ".join(found.problems)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def run_sandboxed(
    code: str,
    *,
    mounts: Mounts,
    chdir: Path,
    limits: Limits = Limits(),
    keep_out=(),
    cgroup=None,
    network=False,
    environment=None,
) -> subprocess.CompletedProcess:
    command = sandboxed_command(
        [sys.executable, "-I", "-c", textwrap.dedent(code)],
        mounts=mounts,
        limits=limits,
        chdir=chdir,
        environment=environment or {"HOME": str(chdir)},
        keep_out=keep_out,
        network=network,
        cgroup=cgroup,
    )
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, start_new_session=True
    )


@pytest.fixture
def course(tmp_path):
    """A fake course: secrets, a read-only folder, a writable scratch folder."""
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "answers.ipynb").write_text("the answers")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data.txt").write_text("course data")
    (tmp_path / "shared" / "secret.py").write_text("HIDDEN = 1")
    (tmp_path / "shared" / "private").mkdir()
    (tmp_path / "shared" / "private" / "key.txt").write_text("key")
    (tmp_path / "scratch").mkdir()
    return tmp_path


def test_student_code_sees_only_what_is_mounted(support, course):
    done = run_sandboxed(
        f"""
        import os
        def can_read(path):
            try:
                return open(path).read()
            except OSError as error:
                return type(error).__name__
        print(can_read({str(course / "solutions" / "answers.ipynb")!r}))
        print(can_read({str(course / "shared" / "data.txt")!r}))
        print(repr(can_read({str(course / "shared" / "secret.py")!r})))
        print(os.listdir({str(course / "shared" / "private")!r}))
        """,
        mounts=Mounts(
            read_only=(course / "shared",),
            writable=(course / "scratch",),
            hidden=(course / "shared" / "secret.py", course / "shared" / "private"),
        ),
        chdir=course / "scratch",
        keep_out=(course,),
    )
    assert done.stdout.splitlines() == ["FileNotFoundError", "course data", "''", "[]"], done.stderr


def test_student_code_writes_only_to_writable_folders(support, course):
    done = run_sandboxed(
        f"""
        for path in [{str(course / "scratch" / "out.txt")!r}, {str(course / "shared" / "out.txt")!r}, "/tmp/t.txt"]:
            try:
                open(path, "w").write("x")
                print("wrote")
            except OSError as error:
                print(type(error).__name__)
        """,
        mounts=Mounts(read_only=(course / "shared",), writable=(course / "scratch",)),
        chdir=course / "scratch",
    )
    assert done.stdout.splitlines() == ["wrote", "OSError", "wrote"], done.stderr
    assert (course / "scratch" / "out.txt").exists() and not (
        course / "shared" / "out.txt"
    ).exists()


def test_student_code_has_no_network_and_a_clean_environment(support, course, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        done = run_sandboxed(
            f"""
            import os, socket
            print(os.environ.get("GRADER_SECRET"))
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2)
                print("connected")
            except OSError as error:
                print(type(error).__name__)
            """,
            mounts=Mounts(writable=(course / "scratch",)),
            chdir=course / "scratch",
        )
    assert done.stdout.splitlines() == ["None", "ConnectionRefusedError"], done.stderr


def test_memory_limit_raises_memory_error(support, course):
    done = run_sandboxed(
        """
        import numpy as np
        blocks = []
        try:
            while True:
                blocks.append(np.ones(2**27))
        except MemoryError:
            print("MemoryError after", len(blocks), "GiB")
        """,
        mounts=Mounts(writable=(course / "scratch",)),
        chdir=course / "scratch",
        limits=Limits(memory_bytes=2 * 2**30),
    )
    assert done.stdout.startswith("MemoryError after 1 GiB"), done.stdout + done.stderr


def test_process_limit_stops_a_fork_bomb(support, course):
    if support.cgroup_root is None and os.getuid() == 0:
        pytest.skip("no pids cgroup here, and RLIMIT_NPROC does not bind root")
    with ProcessGroupLimit(support.cgroup_root, 16) as limit:
        done = run_sandboxed(
            """
            import os, time
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(30)
                        os._exit(0)
                    children += 1
            except OSError as error:
                print("stopped after", children, type(error).__name__)
            """,
            mounts=Mounts(writable=(course / "scratch",)),
            chdir=course / "scratch",
            limits=Limits(processes=16),
            cgroup=limit.path,
        )
    assert done.stdout.startswith("stopped after"), done.stdout + done.stderr
    assert int(done.stdout.split()[2]) < 16


def test_python_paths_leave_out_course_directories(tmp_path, monkeypatch):
    repository = tmp_path / "repo"
    (repository / ".venv" / "lib").mkdir(parents=True)
    monkeypatch.setattr(
        sys, "path", [str(repository), str(repository / ".venv" / "lib"), str(tmp_path)]
    )
    paths = sandbox.python_paths(keep_out=[repository])
    assert repository / ".venv" / "lib" in paths
    assert repository not in paths and tmp_path not in paths


def test_without_bubblewrap_commands_still_run_with_limits_and_a_clean_environment(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("GENENORM_EDU_NO_SANDBOX", "1")
    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    sandbox_support.cache_clear()
    try:
        support = sandbox_support()
        assert not support.isolated and "GENENORM_EDU_NO_SANDBOX" in support.problems[0]
        command = sandboxed_command(
            [
                sys.executable,
                "-I",
                "-c",
                "import os, resource; print(os.environ.get('GRADER_SECRET'), "
                "resource.getrlimit(resource.RLIMIT_AS)[0])",
            ],
            mounts=Mounts(),
            limits=Limits(memory_bytes=3 * 2**30),
            chdir=tmp_path,
            environment={},
            support=support,
        )
        assert "bwrap" not in " ".join(command)
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=tmp_path)
        assert done.stdout.split() == ["None", str(3 * 2**30)]
    finally:
        sandbox_support.cache_clear()


def test_python_paths_are_absolute_even_for_relative_sys_path_entries(tmp_path, monkeypatch):
    """A relative sys.path entry ("tests") must not reach bubblewrap as a relative path."""
    (tmp_path / "helpers").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend("helpers")
    paths = sandbox.python_paths()
    assert all(path.is_absolute() for path in paths)
    assert tmp_path / "helpers" in paths


def test_a_file_mounted_inside_a_hidden_folder_is_seen_and_the_rest_stays_hidden(support, course):
    """The runner's case: its own file is shown inside the hidden package (the mount order)."""
    shown = course / "shared" / "data.txt"
    done = run_sandboxed(
        f"""
        import os
        print(open({str(shown)!r}).read())
        print(sorted(os.listdir({str(course / "shared")!r})))
        try:
            open({str(course / "shared" / "secret.py")!r}, "w")
        except OSError as error:
            print(type(error).__name__)
        """,
        mounts=Mounts(read_only=(shown,), hidden=(course / "shared",)),
        chdir=Path("/tmp"),
        keep_out=(course,),
    )
    assert done.stdout.splitlines() == ["course data", "['data.txt']", "OSError"], done.stderr


def test_python_installed_below_tmp_is_still_seen(support, tmp_path, monkeypatch):
    """A virtualenv in /tmp (CI, throwaway installs): the sandbox's own /tmp must not hide it."""
    if not str(tmp_path.resolve()).startswith("/tmp/"):
        pytest.skip("the test folder is not below /tmp")
    library = tmp_path / "site-packages"
    (library / "below_tmp").mkdir(parents=True)
    (library / "below_tmp" / "__init__.py").write_text("WHERE = 'below /tmp'\n")
    monkeypatch.syspath_prepend(str(library))
    command = sandboxed_command(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(library)!r}); "
         "import below_tmp; print(below_tmp.WHERE)"],
        mounts=Mounts(), limits=Limits(), chdir=Path("/tmp"), environment={"HOME": "/tmp"},
    )  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, start_new_session=True)
    assert done.stdout.strip() == "below /tmp", done.stderr


def _folder_with_package(folder: Path, record: str) -> Path:
    """``folder/genenorm_edu`` and, beside it, the record of distribution ``fake-course``."""
    (folder / "genenorm_edu").mkdir(parents=True)
    (folder / "genenorm_edu" / "__init__.py").write_text("")
    info = folder / record
    info.mkdir()
    (info / ("METADATA" if record.endswith(".dist-info") else "PKG-INFO")).write_text(
        "Metadata-Version: 2.1\nName: fake-course\nVersion: 1.0\n"
    )
    listing = "genenorm_edu/__init__.py,,\n"
    (info / ("RECORD" if record.endswith(".dist-info") else "SOURCES.txt")).write_text(listing)
    return folder / "genenorm_edu"


def test_an_installed_library_keeps_site_packages_visible(tmp_path, monkeypatch):
    from genenorm_edu.grading.policy import source_checkout

    installed = _folder_with_package(tmp_path / "site-packages", "fake_course-1.0.dist-info")
    monkeypatch.syspath_prepend(str(tmp_path / "site-packages"))
    assert source_checkout(installed, "fake-course") is None


def test_a_source_checkout_is_kept_out_even_with_its_egg_info(tmp_path, monkeypatch):
    from genenorm_edu.course import REPO_ROOT
    from genenorm_edu.grading.policy import source_checkout

    checkout = _folder_with_package(tmp_path / "checkout", "fake_course.egg-info")
    monkeypatch.syspath_prepend(str(tmp_path / "checkout"))
    assert source_checkout(checkout, "fake-course") == tmp_path / "checkout"
    # This test run imports the library from the repository (an editable install).
    assert source_checkout() == REPO_ROOT
