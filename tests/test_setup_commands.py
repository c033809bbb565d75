"""The README's commands on a fresh machine: which system packages each make target needs.

``.ci/system-packages`` installs the Debian packages a target needs when they
are missing (as root with apt-get), or stops at once with the exact command
(as another user). A machine without the packages is simulated by pointing
``SYSTEM_PACKAGES_PATH`` at a folder without them; the non-root path runs as
the user ``nobody``. ``make lab`` needs none of them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fresh_machine import path_without, scratch_folder

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "system-packages"
ALL_PACKAGES = "bubblewrap chromium chromium-driver"
EXACT_COMMAND = f"sudo apt-get update && sudo apt-get install -y {ALL_PACKAGES}\n"


def as_nobody() -> list[str]:
    """The command prefix that runs a command as ``nobody`` (only root can switch)."""
    if os.geteuid() != 0:
        return []  # already not root
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed: cannot run as a non-root user")
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    """A scratch folder the user ``nobody`` can read (pytest's tmp_path is root's only)."""
    with scratch_folder("genenorm-edu-setup-", 0o755) as folder:
        yield folder


@pytest.fixture
def no_packages(world_readable_dir) -> Path:
    """A PATH folder without bwrap, chromium, chromedriver: what a fresh machine has."""
    folder = world_readable_dir / "empty-bin"
    folder.mkdir()
    folder.chmod(0o755)
    return folder


@pytest.fixture
def all_packages(world_readable_dir) -> Path:
    """A PATH folder with stand-ins for bwrap, chromium and chromedriver."""
    folder = world_readable_dir / "bin"
    folder.mkdir()
    folder.chmod(0o755)
    for program in ("bwrap", "chromium", "chromedriver"):
        (folder / program).write_text("#!/bin/sh\n")
        (folder / program).chmod(0o755)
    return folder


def system_packages(*features: str, path: Path, prefix=(), **environment) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name != "GENENORM_EDU_SYSTEM_PACKAGES"}
    env.update(SYSTEM_PACKAGES_PATH=str(path), **environment)
    return subprocess.run(
        [*prefix, str(SCRIPT), *features], capture_output=True, text=True, timeout=60, env=env
    )


# --- the script --------------------------------------------------------------------


def test_nothing_missing_does_nothing(all_packages):
    done = system_packages("grading", "browser", path=all_packages)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


def test_a_user_without_root_gets_the_exact_command_at_once(no_packages):
    done = system_packages("grading", "browser", path=no_packages, prefix=as_nobody())
    assert done.returncode == 2
    assert EXACT_COMMAND in done.stderr
    for package, why in (("bubblewrap", "grading sandbox"), ("chromium", "browser tests")):
        assert re.search(rf"^  {package} .*{why}", done.stderr, re.MULTILINE), done.stderr


def test_only_the_missing_packages_are_named(all_packages, no_packages, world_readable_dir):
    only_bwrap = world_readable_dir / "only-bwrap"
    only_bwrap.mkdir()
    only_bwrap.chmod(0o755)
    shutil.copy(all_packages / "bwrap", only_bwrap / "bwrap")
    done = system_packages("grading", "browser", path=only_bwrap, prefix=as_nobody())
    assert "sudo apt-get install -y chromium chromium-driver\n" in done.stderr
    grading_only = system_packages("grading", path=no_packages, prefix=as_nobody())
    assert "sudo apt-get install -y bubblewrap\n" in grading_only.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="the root path of .ci/system-packages needs root")
def test_root_updates_and_installs_noninteractively(no_packages):
    done = system_packages("grading", "browser", path=no_packages, SYSTEM_PACKAGES_DRY_RUN="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        f"DEBIAN_FRONTEND=noninteractive apt-get install -y {ALL_PACKAGES}",
    ]


def test_a_python_without_venv_support_names_its_package(no_packages, world_readable_dir):
    python = world_readable_dir / "python-without-ensurepip"
    python.write_text("#!/bin/sh\nexit 1\n")
    python.chmod(0o755)
    done = system_packages("python-venv", path=no_packages, prefix=as_nobody(), PYTHON=str(python))
    assert done.returncode == 2
    assert "sudo apt-get update && sudo apt-get install -y python3-venv\n" in done.stderr
    assert "GENENORM_EDU_SYSTEM_PACKAGES=skip" not in done.stderr  # cannot go on without it
    real = system_packages("python-venv", path=no_packages, PYTHON=sys.executable)
    assert real.returncode == 0 and real.stderr == ""


def test_skip_goes_on_without_them_and_unknown_features_are_refused(no_packages):
    skipped = system_packages("grading", path=no_packages, prefix=as_nobody(), GENENORM_EDU_SYSTEM_PACKAGES="skip")
    assert skipped.returncode == 0
    unknown = system_packages("graphics", path=no_packages)
    assert unknown.returncode == 2 and "unknown feature 'graphics'" in unknown.stderr


# --- which make target needs what ----------------------------------------------------


def make_plan(target: str) -> list[str]:
    """The commands ``make TARGET`` would run on a fresh machine (no .venv yet)."""
    # Run from inside make (make test-floors), make would print "Entering directory"
    # lines and pass on its flags: a plan as a user's shell would get it.
    env = {name: value for name, value in os.environ.items() if name not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", target, "VENV=/nonexistent/venv", "ASSIGNMENT=x", "DIR=x"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def position(plan: list[str], fragment: str) -> int:
    return next(index for index, line in enumerate(plan) if fragment in line)


@pytest.mark.parametrize("target", ["lab", "data", "check", "student-notebooks"])
def test_student_targets_need_no_system_package_but_python_venv(target):
    plan = make_plan(target)
    checks = [line for line in plan if "system-packages" in line or "apt-get" in line]
    assert checks == ["PYTHON=python3 .ci/system-packages python-venv"], plan


@pytest.mark.parametrize(
    ("target", "features"),
    [
        ("test", "grading browser"),
        ("setup", "grading browser"),
        ("test-fast", "grading"),
        ("test-floors", "grading"),
        ("instructor-lab", "grading"),
        ("benchmark", "grading"),
    ],
)
def test_other_targets_check_their_packages_before_anything_slow(target, features):
    plan = make_plan(target)
    assert position(plan, f".ci/system-packages {features}") == 0, plan  # before the venv, pip, pytest
    assert position(plan, ".ci/system-packages python-venv") < position(plan, "-m venv"), plan


def test_ci_runs_the_readme_commands_and_nothing_of_its_own():
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert [line for line in commands if line.startswith("make")] == ["make test", "make test-floors"]
    assert not [line for line in commands if re.search(r"\b(apt-get|pip|sudo)\b", line)]
    readme = (ROOT / "README.md").read_text()
    assert "make test " in readme and "make test-floors" in readme


def test_make_test_as_a_user_stops_before_setting_anything_up(world_readable_dir, no_packages):
    """A fresh clone, no bubblewrap or Chromium, not root: `make test` stops with the command."""
    clone = world_readable_dir / "clone"
    clone.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, clone / name)
    shutil.copytree(ROOT / ".ci", clone / ".ci")
    for folder in (clone, clone / ".ci"):
        folder.chmod(0o755)
    env = {**os.environ, "SYSTEM_PACKAGES_PATH": str(no_packages)}
    env.pop("GENENORM_EDU_SYSTEM_PACKAGES", None)
    done = subprocess.run(
        [*as_nobody(), "make", "-C", str(clone), "test"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert done.returncode != 0
    assert EXACT_COMMAND in done.stderr
    assert not (clone / ".venv").exists()  # stopped before the Python set-up


@pytest.mark.slow
def test_make_check_without_bubblewrap_never_mentions_it(synthetic_data_dir, tmp_path):
    """A self-study student's `make check` (nbgrader validate) runs without the grading sandbox."""
    env = {**os.environ, "PATH": path_without(tmp_path / "bin"), "GENENORM_EDU_DATA_DIR": str(synthetic_data_dir)}
    for name in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "GENENORM_EDU_SYSTEM_PACKAGES"):
        env.pop(name, None)
    done = subprocess.run(
        ["make", "-C", str(ROOT), "check", "ASSIGNMENT=01-ndarray-internals"],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "not written yet" in done.stdout + done.stderr  # it validated the unanswered lesson
    asked = re.findall(r"bubblewrap|bwrap|sandbox|apt-get|sudo", done.stdout + done.stderr, re.IGNORECASE)
    assert not asked, asked
