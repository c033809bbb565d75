"""Project-level checks: dependency declarations that are true.

- environment.yml declares the dependencies of pyproject.toml under their
  conda-forge names;
- in the floors environment (``make test-floors``) every direct dependency is
  installed at exactly its declared floor;
- nbgrader's JupyterLab extension loads in the installed JupyterLab;
- the license is an SPDX expression with its file, for a setuptools that reads them.
"""

import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]

#: PyPI name -> conda-forge name, where they differ. On conda-forge "dask",
#: "matplotlib" and "seaborn" are bundles (bokeh and pyarrow; Qt;
#: statsmodels); the libraries alone are the "-core"/"-base" packages.
CONDA_FORGE_NAMES = {
    "dask": "dask-core",
    "matplotlib": "matplotlib-base",
    "seaborn": "seaborn-base",
    "playwright": "playwright-python",
}

#: Dependencies environment.yml installs with pip, and why.
PIP_ONLY = {
    "deflate": "Python bindings of libdeflate: no conda-forge package of them confirmed",
}

#: Set by ``make test-floors`` in the environment resolved to the floors.
FLOORS_ENV = "GENENORM_EDU_FLOORS"


def requirement_names_and_specs(lines):
    """Map each requirement's normalized name to its version specifier."""
    requirements = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)", line.strip())
        if match is None or line.strip().startswith("-"):
            continue
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        requirements[name] = match.group(3).replace(" ", "")
    return requirements


def environment_yml_sections():
    """The requirement lines of environment.yml: (conda section, pip section)."""
    text = (ROOT / "environment.yml").read_text()
    dependencies = text.split("\ndependencies:\n", 1)[1]
    conda, pip = [], []
    section = conda
    for line in dependencies.splitlines():
        item = re.fullmatch(r"\s*-\s+(\S.*)", line.split("#")[0].rstrip())
        if item is None:
            continue
        if item.group(1) == "pip:":
            section = pip
        elif not item.group(1).endswith(":"):
            section.append(item.group(1))
    return conda, pip


def environment_yml_requirements():
    """The requirements of environment.yml, conda's and pip's (python, pip and the project left out)."""
    conda, pip = environment_yml_sections()
    requirements = requirement_names_and_specs(conda + pip)
    for tool in ("python", "pip"):
        requirements.pop(tool, None)
    return requirements


def pyproject_requirement_lines():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    return lines


def pyproject_requirements():
    return requirement_names_and_specs(pyproject_requirement_lines())


def as_conda_forge(requirements):
    """Rename PyPI requirement names to their conda-forge names."""
    return {CONDA_FORGE_NAMES.get(name, name): spec for name, spec in requirements.items()}


def test_environment_yml_has_the_same_dependencies_as_pyproject():
    assert environment_yml_requirements() == as_conda_forge(pyproject_requirements())


def test_environment_yml_installs_with_pip_only_the_project_and_named_exceptions():
    _, pip = environment_yml_sections()
    assert pip[-1] == "-e ."
    assert set(requirement_names_and_specs(pip[:-1])) == set(PIP_ONLY)


def test_environment_yml_python_matches_crick_wheels():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"-\s+python>=3\.11,<3\.14", text)


def test_requirement_parser_sees_a_difference():
    assert requirement_names_and_specs(["numpy>=1.24"]) != requirement_names_and_specs(
        ["numpy>=2"]
    )
    assert requirement_names_and_specs(["Dask[distributed]>=1"]) == {"dask": ">=1"}


def test_conda_forge_names_catch_a_pypi_name():
    # "dask" in environment.yml would install conda-forge's dask bundle.
    pypi_names = requirement_names_and_specs(["dask>=2024.1", "numpy>=1.24"])
    assert as_conda_forge(pypi_names) == {"dask-core": ">=2024.1", "numpy": ">=1.24"}
    assert as_conda_forge(pypi_names) != pypi_names


def declared_floors():
    """Each direct dependency's name and the version of its ``>=`` floor."""
    floors = {}
    for line in pyproject_requirement_lines():
        requirement = Requirement(line)
        lower_bounds = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert lower_bounds, f"{line!r} declares no floor (>=)"
        floors[requirement.name] = Version(lower_bounds[0])
    return floors


def test_every_dependency_declares_a_floor():
    floors = declared_floors()
    assert set(floors) == {Requirement(line).name for line in pyproject_requirement_lines()}


@pytest.mark.skipif(
    not os.environ.get(FLOORS_ENV), reason=f"only in the floors environment ({FLOORS_ENV}=1)"
)
def test_every_dependency_is_installed_at_its_floor():
    """The resolver did not have to lift a floor: the declared floors install together."""
    lifted = {}
    for name, floor in declared_floors().items():
        installed = Version(importlib.metadata.version(name))
        if installed != floor:
            lifted[name] = f"declared >={floor}, installed {installed}"
    assert lifted == {}


def test_nbgrader_lab_extension_is_compatible_with_this_jupyterlab():
    """nbgrader's Formgrader and assignment tools show up in JupyterLab.

    JupyterLab marks an extension built against other JupyterLab packages
    with an X and does not load it (nbgrader 0.9.4 and 0.9.5 under JupyterLab
    4.3 and later; 0.9.6 under JupyterLab 4.2 and 4.3).
    """
    result = subprocess.run(
        [sys.executable, "-m", "jupyterlab.labextensions", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    nbgrader_lines = [line for line in listing.splitlines() if "nbgrader" in line]
    assert nbgrader_lines, listing
    assert all(re.search(r"\benabled\s+OK\b", line) for line in nbgrader_lines), listing


def test_license_is_an_spdx_expression_with_its_file():
    """PEP 639: no deprecated license table (setuptools warned about it on every install)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    license_expression = pyproject["project"]["license"]
    assert isinstance(license_expression, str)
    try:  # packaging >= 24.2 knows the SPDX list
        from packaging.licenses import canonicalize_license_expression
    except ImportError:
        assert re.fullmatch(r"[A-Za-z0-9.+-]+", license_expression)
    else:
        assert canonicalize_license_expression(license_expression) == license_expression
    for pattern in pyproject["project"]["license-files"]:
        assert list(ROOT.glob(pattern)), f"license file {pattern} is missing"
    assert "BSD 3-Clause" in (ROOT / "LICENSE").read_text()


def test_build_system_setuptools_reads_an_spdx_license():
    """setuptools 77 is the first to take ``license = "SPDX"`` and ``license-files``."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    setuptools = next(Requirement(line) for line in requires if Requirement(line).name == "setuptools")
    floors = [Version(spec.version) for spec in setuptools.specifier if spec.operator == ">="]
    assert floors and floors[0] >= Version("77")
