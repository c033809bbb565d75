"""Project-level checks: the conda environment matches pyproject.toml."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def environment_yml_requirements():
    """The requirement lines of environment.yml (conda and pip sections)."""
    text = (ROOT / "environment.yml").read_text()
    dependencies = text.split("\ndependencies:\n", 1)[1]
    lines = []
    for line in dependencies.splitlines():
        item = re.fullmatch(r"\s*-\s+(\S.*)", line.split("#")[0].rstrip())
        if item and not item.group(1).endswith(":"):
            lines.append(item.group(1))
    requirements = requirement_names_and_specs(lines)
    for tool in ("python", "pip"):
        requirements.pop(tool, None)
    return requirements


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    return requirement_names_and_specs(lines)


def test_environment_yml_has_the_same_dependencies_as_pyproject():
    assert environment_yml_requirements() == pyproject_requirements()


def test_environment_yml_python_matches_crick_wheels():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"-\s+python>=3\.11,<3\.14", text)


def test_requirement_parser_sees_a_difference():
    assert requirement_names_and_specs(["numpy>=1.24"]) != requirement_names_and_specs(
        ["numpy>=2"]
    )
    assert requirement_names_and_specs(["Dask[distributed]>=1"]) == {"dask": ">=1"}
