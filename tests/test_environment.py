"""The descriptions of the environment agree: pyproject.toml, requirements.lock, environment.yml,
binder/, tasks.sh and the README; and the lock is complete for every supported Python.

conda and Binder cannot be exercised here, so these tests are what keep their files honest.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution, version
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
#: The platforms the lock must cover: sys_platform, platform_system, os_name.
PLATFORMS = {"linux": ("Linux", "posix"), "darwin": ("Darwin", "posix"), "win32": ("Windows", "nt")}


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def supported() -> list[str]:
    """The supported Python versions, from the classifiers of pyproject.toml."""
    prefix = "Programming Language :: Python :: "
    return [c[len(prefix) :] for c in project()["classifiers"] if re.fullmatch(r"3\.\d+", c[len(prefix) :])]


def top_level() -> list[Requirement]:
    deps = project()["dependencies"] + [d for extra in project()["optional-dependencies"].values() for d in extra]
    return [Requirement(d) for d in deps]


def lock_lines() -> list[tuple[str, str, Marker | None]]:
    """(name, version, marker) for every pin of requirements.lock."""
    pins = []
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)(?:\s*;\s*(.+))?", line.strip())
        assert match, f"requirements.lock: not an exact pin: {line!r}"
        name, ver, marker = match.groups()
        pins.append((canonicalize_name(name), ver, Marker(marker) if marker else None))
    return pins


def environment(python: str, platform: str) -> dict[str, str]:
    system, os_name = PLATFORMS[platform]
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "sys_platform": platform,
        "platform_system": system,
        "os_name": os_name,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_machine": "x86_64",
        "extra": "",
    }


def lock_for(python: str, platform: str) -> dict[str, str]:
    """The pins pip installs from the lock on that Python and platform."""
    env = environment(python, platform)
    chosen: dict[str, str] = {}
    for name, ver, marker in lock_lines():
        if marker is None or marker.evaluate(env):
            assert name not in chosen, f"requirements.lock pins {name} twice for Python {python} on {platform}"
            chosen[name] = ver
    return chosen


def conda() -> tuple[dict[str, str], list[str]]:
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pins, pip_section = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section = dep["pip"]
        else:
            name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)(.*)", dep).groups()
            pins[canonicalize_name(name)] = spec
    return pins, pip_section


def test_supported_versions_are_three_and_agree_everywhere():
    versions = supported()
    assert versions == ["3.11", "3.12", "3.13"]
    assert project()["requires-python"] == f">={versions[0]}"
    tasks = (REPO / "tasks.sh").read_text(encoding="utf-8")
    assert re.search(r'^SUPPORTED_MINORS="([0-9 ]+)"', tasks, re.M).group(1).split() == [
        v.split(".")[1] for v in versions
    ]
    assert re.search(r"^OLDEST=(\S+)", tasks, re.M).group(1) == versions[0]
    assert "--universal" in tasks and '--python-version "$OLDEST"' in tasks


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("python", ["3.11", "3.12", "3.13"])
def test_lock_covers_every_supported_python(python, platform):
    """Each supported Python on each platform gets every top-level package exactly once, at a
    version its specifier allows, and no pin is left over for a marker nobody can match."""
    assert python in supported()
    chosen = lock_for(python, platform)
    env = environment(python, platform)
    for req in top_level():
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        assert name in chosen, f"requirements.lock has no {name} for Python {python} on {platform}; run ./tasks.sh lock"
        assert req.specifier.contains(chosen[name], prereleases=True), (
            f"{name}=={chosen[name]} is outside {req} (Python {python}, {platform})"
        )


def test_lock_has_environment_markers_of_a_universal_lock():
    """A lock made for one interpreter has no markers; the universal one keeps platform-only
    packages (appnope on macOS, pywinpty on Windows) behind their markers."""
    markers = {name: str(marker) for name, _, marker in lock_lines() if marker is not None}
    assert markers.get("appnope") == 'sys_platform == "darwin"'
    assert markers.get("pywinpty") == 'os_name == "nt"'
    assert "appnope" not in lock_for("3.13", "linux") and "appnope" in lock_for("3.13", "darwin")


def test_the_installed_environment_is_closed_under_the_lock():
    """What this interpreter installed from the lock needs nothing the lock leaves out (checked on
    whichever supported Python runs the tests: each CI job runs it on its own)."""
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    chosen = lock_for(here, sys.platform if sys.platform in PLATFORMS else "linux")
    env = environment(here, sys.platform if sys.platform in PLATFORMS else "linux")
    missing = []
    for name in chosen:
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue  # checked by test_installed_versions_are_the_locked_ones for top level
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            dep = canonicalize_name(req.name)
            if dep not in chosen and dep != "rfc3987-syntax":  # left out on purpose: see [tool.uv]
                missing.append(f"{name} needs {req}")
    assert not missing, f"requirements.lock misses dependencies on Python {here}: {missing}"


def test_environment_yml_matches_lock():
    pins, pip_section = conda()
    locked = lock_for("3.11", "linux")
    python = pins.pop("python")
    allowed = SpecifierSet(python)
    assert [v for v in ["3.10", *supported(), "3.14"] if allowed.contains(v)] == supported(), (
        f"environment.yml allows python{python}, not exactly {supported()}"
    )
    assert pins.pop("pip") == ""
    wanted = sorted(canonicalize_name(r.name) for r in top_level())
    assert sorted(pins) == wanted, "environment.yml lists other packages than pyproject.toml"
    wrong = {n: (v, locked[n]) for n, v in pins.items() if v != f"={locked[n]}"}
    assert not wrong, f"environment.yml versions differ from requirements.lock: {wrong}"
    assert pip_section == ["-e ."]


def _requirements(path: Path) -> list[str]:
    """The requirement lines of a pip requirements file, following -r includes."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r "):
            lines += _requirements((path.parent / line[3:].strip()).resolve())
        else:
            lines.append(line)
    return lines


def test_binder_installs_the_lock_and_the_package():
    """Binder (repo2docker) installs binder/requirements.txt: the same packages at the same
    versions as the lock, on a supported Python; postBuild installs the package and Lab settings."""
    binder = REPO / "binder"
    installed = _requirements(binder / "requirements.txt")
    locked = [
        line
        for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert installed == locked
    runtime = (binder / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime.removeprefix("python-") in supported()
    post = (binder / "postBuild").read_text(encoding="utf-8")
    assert "pip install --no-deps --no-cache-dir -e ." in post
    assert "lab/overrides.json" in post and "lab/jupyter_server_config.json" in post
    assert "BERING_FIGURES_DIR" in (binder / "start").read_text(encoding="utf-8")
    for script in ("postBuild", "start"):
        assert (binder / script).stat().st_mode & 0o111, f"binder/{script} must be executable"


def test_readme_says_which_versions_are_tested_and_links_binder():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11, 3.12 or 3.13" in readme
    assert "mybinder.org" in readme and "`binder/`" in readme


def test_installed_versions_are_the_locked_ones():
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    locked = lock_for(here, sys.platform if sys.platform in PLATFORMS else "linux")
    for req in top_level():
        name = canonicalize_name(req.name)
        assert version(name) == locked[name], f"{name} installed {version(name)}, locked {locked[name]}"
