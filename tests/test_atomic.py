"""genenorm_edu.atomic: a file is replaced whole or not at all."""

from __future__ import annotations

import os

import pytest

from genenorm_edu.atomic import atomic_write


def test_atomic_write_replaces_an_existing_file(tmp_path):
    target = tmp_path / "sub" / "result.bin"
    for content in (b"first", b"second"):
        with atomic_write(target) as file:
            file.write(content)
    assert target.read_bytes() == b"second"
    assert [path.name for path in target.parent.iterdir()] == ["result.bin"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "result.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as file:
            file.write(b"half")
            raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["result.txt"]


def test_a_failed_flush_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "result.txt"
    target.write_text("old")

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        with atomic_write(target) as file:
            file.write(b"new")
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["result.txt"]


def test_files_get_ordinary_permissions(tmp_path):
    previous = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "result.bin") as file:
            file.write(b"x")
    finally:
        os.umask(previous)
    assert (tmp_path / "result.bin").stat().st_mode & 0o777 == 0o644


def test_the_rename_is_synced_to_the_directory(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.path.realpath(f"/proc/self/fd/{fd}")) or real_fsync(fd))
    with atomic_write(tmp_path / "result.bin") as file:
        file.write(b"x")
    assert str(tmp_path) in synced
