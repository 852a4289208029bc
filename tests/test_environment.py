"""The three descriptions of the environment agree: pyproject.toml, requirements.lock, environment.yml.

conda cannot be exercised here, so this test is what keeps environment.yml honest.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")


def top_level() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    return [_name(d) for d in deps]


def lock() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (REPO / "requirements.lock").read_text(), re.M)
    return {name.lower().replace("_", "-"): ver for name, ver in pins}


def conda() -> tuple[dict[str, str], list]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pins, pip_section = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section = dep["pip"]
        else:
            name, _, ver = dep.partition("=")
            pins[name.lower()] = ver
    return pins, pip_section


def test_lock_pins_every_top_level_package_exactly():
    pins = lock()
    missing = [name for name in top_level() if name not in pins]
    assert not missing, f"requirements.lock lacks {missing}; run ./tasks.sh lock"
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+-]*", v) for v in pins.values())


def test_environment_yml_matches_lock():
    pins, pip_section = conda()
    locked = lock()
    assert pins.pop("python") == "3.11"
    assert "pip" in pins and pins.pop("pip") == ""
    assert sorted(pins) == sorted(top_level()), "environment.yml lists other packages than pyproject.toml"
    wrong = {n: (v, locked[n]) for n, v in pins.items() if v != locked[n]}
    assert not wrong, f"environment.yml versions differ from requirements.lock: {wrong}"
    assert pip_section == ["-e ."]


def test_python_version_agrees():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.12"
    assert "--python-version 3.11" in (REPO / "tasks.sh").read_text()


def test_installed_versions_are_the_locked_ones():
    locked = lock()
    for name in top_level():
        assert version(name) == locked[name], f"{name} installed {version(name)}, locked {locked[name]}"
