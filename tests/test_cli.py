"""The ``genenorm-edu`` command line: what each run imports, and how errors are reported.

- ``genenorm-edu --help`` lists every subcommand without importing any
  subcommand's module (its speed is measured in ``benchmarks/bench_cli.py``);
  a subcommand imports its own module only;
- one error convention, checked on several commands in real processes:
  stderr ``genenorm-edu COMMAND: error: MESSAGE``, exit status 1 for bad
  input, 2 for usage and environment errors, documented in every ``--help``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from genenorm_edu import cli
from genenorm_edu.command_error import EXIT_STATUS_EPILOG

#: Libraries a subcommand may need, none of which ``genenorm-edu --help`` may import.
HEAVY = ("numpy", "nbformat", "jsonschema", "nbgrader", "dask", "distributed", "h5py", "crick")

_IMPORTED_BY = """
import json, sys
from genenorm_edu import cli
try:
    status = cli.main(sys.argv[1:])
except SystemExit as stop:
    status = stop.code
print(json.dumps({"status": status, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(*argv: str) -> tuple[int, set[str]]:
    """Run ``genenorm-edu ARGV`` in a fresh interpreter; its exit status and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTED_BY, *argv], capture_output=True, text=True, timeout=120
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["status"], set(report["modules"])


def genenorm_edu(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genenorm_edu.cli", *argv],
        capture_output=True, text=True, timeout=300, cwd=cwd,
    )  # fmt: skip


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


# --- what a run imports -----------------------------------------------------------


def test_help_lists_every_subcommand_and_imports_none_of_them():
    status, modules = imported_by("--help")
    assert status == 0
    assert not top_level(modules) & set(HEAVY), sorted(top_level(modules) & set(HEAVY))
    for command in cli.SUBCOMMANDS:
        assert command.module not in modules
    assert not {"genenorm_edu.data", "genenorm_edu.medians", "genenorm_edu.grading"} & modules
    shown = genenorm_edu("--help").stdout
    for command in cli.SUBCOMMANDS:
        assert command.name in shown


def test_the_import_check_sees_an_import():
    # The check above can fail: `data --help` imports the data package and NumPy.
    status, modules = imported_by("data", "--help")
    assert status == 0
    assert "genenorm_edu.data.command" in modules and "numpy" in modules


#: What no subcommand's argument definitions may import (its run may).
HEAVY_FOR_ANY_HELP = ("nbformat", "jsonschema", "nbgrader", "dask", "distributed")


@pytest.mark.parametrize("command", [entry.name for entry in cli.SUBCOMMANDS])
def test_a_subcommand_imports_no_other_subcommand_and_nothing_heavy_for_its_help(command):
    status, modules = imported_by(command, "--help")
    assert status == 0
    own = next(entry.module for entry in cli.SUBCOMMANDS if entry.name == command)
    assert own in modules
    others = {entry.module for entry in cli.SUBCOMMANDS} - {own}
    assert not others & modules, sorted(others & modules)
    assert not top_level(modules) & set(HEAVY_FOR_ANY_HELP), sorted(top_level(modules) & set(HEAVY_FOR_ANY_HELP))


def test_summaries_in_the_table_are_the_modules_own():
    """``--help`` shows the table's summaries; the modules register theirs: the same text."""
    subparsers = cli.build_parser()._subparsers._group_actions[0]
    registered = {action.dest: action.help for action in subparsers._choices_actions}
    assert registered == {command.name: command.summary for command in cli.SUBCOMMANDS}


def test_listing_order_is_the_tables_whichever_command_is_loaded():
    for load in ((), ("autograde",), None):
        subparsers = cli.build_parser(load=load)._subparsers._group_actions[0]
        assert [action.dest for action in subparsers._choices_actions] == [
            command.name for command in cli.SUBCOMMANDS
        ]


def test_a_students_copy_lists_only_the_students_commands(monkeypatch):
    # The copy has neither grading/ nor medians/command.py (genenorm_edu.grading.bundle).
    real_is_installed = cli._is_installed

    def as_in_the_copy(module):
        left_out = module.startswith("genenorm_edu.grading") or module == "genenorm_edu.medians.command"
        return not left_out and real_is_installed(module)

    monkeypatch.setattr(cli, "_is_installed", as_in_the_copy)
    choices = cli.build_parser(load=())._subparsers._group_actions[0].choices
    assert sorted(choices) == ["data"]


def test_every_subcommand_module_of_this_checkout_is_installed():
    assert all(cli._is_installed(command.module) for command in cli.SUBCOMMANDS)
    assert not cli._is_installed("genenorm_edu.no_such_module")


# --- one error convention ---------------------------------------------------------


def test_every_help_documents_the_error_convention():
    for argv in (["--help"], ["data", "--help"], ["make-corpus", "--help"], ["student-bundle", "--help"]):
        done = genenorm_edu(*argv)
        assert done.returncode == 0
        assert " ".join(EXIT_STATUS_EPILOG.split()) in " ".join(done.stdout.split()), argv


def test_make_corpus_help_shows_a_plain_percent_sign():
    shown = genenorm_edu("make-corpus", "--help").stdout
    assert "90% zeros" in " ".join(shown.split()) and "%%" not in shown


def test_bad_input_file_exits_1_with_the_command_and_the_file(tmp_path):
    (tmp_path / "expr.npy").write_bytes(b"not the real file")
    done = genenorm_edu("data", "--real", "--data-dir", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.startswith("genenorm-edu data: error: ")
    assert "expr.npy" in done.stderr and done.stdout == ""


def test_an_unwritable_data_folder_is_an_environment_error(tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    done = genenorm_edu("data", "--data-dir", str(not_a_folder))
    assert done.returncode == 2
    assert done.stderr.startswith("genenorm-edu data: error: ")
    assert "Traceback" not in done.stderr


def test_student_bundle_errors_go_to_stderr(tmp_path):
    done = genenorm_edu("student-bundle", str(tmp_path / "copy"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("genenorm-edu student-bundle: error: ")
    assert "nbgrader_config.py" in done.stderr and done.stdout == ""


def test_medians_without_input_files_is_a_usage_error(tmp_path):
    (tmp_path / "empty").mkdir()
    done = genenorm_edu("medians", str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 2
    assert done.stderr.startswith("genenorm-edu medians: error: ")


@pytest.mark.parametrize(
    ("argv", "prefix"),
    [
        (["medians", "corpus/"], "genenorm-edu medians: error: "),  # --out missing
        (["make-corpus", "out/", "--genes", "0"], "genenorm-edu make-corpus: error: "),
        (["data", "--no-such-option"], "genenorm-edu data: error: "),
        (["no-such-command"], "genenorm-edu: error: "),
        ([], "genenorm-edu: error: "),
    ],
)
def test_usage_errors_exit_2_naming_the_command(argv, prefix):
    done = genenorm_edu(*argv)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith(prefix), done.stderr


def test_main_prints_a_command_error_and_returns_its_status(monkeypatch, capsys):
    from genenorm_edu.command_error import BadInputError, CommandError
    from genenorm_edu.data import command

    def fails_with(error):
        def run(args):
            raise error

        return run

    for error, status in ((BadInputError("bad.npy: wrong shape"), 1), (CommandError("disk full"), 2)):
        monkeypatch.setattr(command, "_run_data_command", fails_with(error))
        assert cli.main(["data"]) == status
        captured = capsys.readouterr()
        assert captured.err == f"genenorm-edu data: error: {error}\n" and captured.out == ""


def test_the_entry_point_is_cli_main():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["genenorm-edu"] == "genenorm_edu.cli:main"


def test_requested_subcommand_is_what_argparse_takes():
    parser = cli.build_parser()
    for argv in (["medians", "x", "--out", "y"], ["data", "--real"], ["make-corpus", "out"]):
        assert cli._requested_subcommand(argv) == parser.parse_args(argv).command


def test_no_subcommand_module_prints_errors_itself():
    """The modules raise CommandError; only cli.main prints `error:` lines (medians aside: its
    run ends with per-file problems, printed by its own command)."""
    root = Path(cli.__file__).parent
    for module in ("data/command.py", "grading/bundle.py", "grading/parallel/command.py", "grading/release.py"):
        source = (root / module).read_text()
        assert 'print(f"error:' not in source and "print(f'error:" not in source, module


@pytest.mark.slow
def test_autograde_of_an_unknown_assignment_is_a_usage_error(tmp_path):
    """Runs nbgrader (a gradebook is created): the instructor's commands follow the convention too."""
    import os

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-m", "genenorm_edu.cli", "autograde", "lesson-x"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith("genenorm-edu autograde: error: 'lesson-x' is not in the gradebook")
