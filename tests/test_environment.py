"""environment.yml must list exactly the dependencies of pyproject.toml (one list, mirrored)."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pyproject_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [dep for group in project["optional-dependencies"].values() for dep in group]
    return {dep.replace(" ", "") for dep in project["dependencies"] + extras}


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_environment_yml_mirrors_pyproject():
    conda = [d for d in _environment()["dependencies"] if isinstance(d, str)]
    listed = {d.replace(" ", "") for d in conda if not d.startswith(("python=", "pip"))}
    assert listed == _pyproject_dependencies()


def test_environment_yml_pins_python_311_and_installs_the_package():
    env = _environment()
    assert "conda-forge" in env["channels"]
    assert "python=3.11" in env["dependencies"]
    pip_section = next(d for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section["pip"] == ["-e ."]


def test_lock_pins_every_direct_dependency():
    lock = (ROOT / "requirements.lock").read_text().lower()
    pinned = {line.split("==")[0] for line in lock.splitlines() if "==" in line}
    for dep in _pyproject_dependencies():
        name = dep.split(">")[0].split("<")[0].split("=")[0].split("[")[0].lower()
        assert name in pinned, f"{name} is not pinned in requirements.lock"
