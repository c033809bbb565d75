"""medians/ stays changeable: one reader per format behind the registry, a cheap command module.

Module sizes and import cycles are checked for the whole package by
``tests/test_grading_layout.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import genenorm_edu.medians

PACKAGE = Path(genenorm_edu.medians.__file__).parent


def test_the_driver_never_looks_at_file_name_endings():
    """Only the registry of readers (formats) maps a file name to a reader."""
    for path in PACKAGE.glob("*.py"):
        if path.stem in ("formats", "corpus"):  # the registry; the generator names what it writes
            continue
        text = path.read_text()
        assert '".loom"' not in text and '".h5ad"' not in text and ".suffix" not in text, path.name


def test_the_command_module_imports_no_numerical_library():
    code = (
        "import sys, genenorm_edu.medians.command\n"
        "heavy = [m for m in ('numpy', 'h5py', 'crick', 'distributed', 'anndata') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
