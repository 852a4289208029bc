"""Which Python ./tasks.sh setup takes (tasks.sh, find_python): the newest supported one that
really runs and can make a virtual environment, or $PYTHON when set.

Fake interpreters first on PATH stand for a working Python, a pyenv shim for a version that is
not selected (on PATH, fails when run) and a Python too new for the lock.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _fake_python(bin_dir: Path, name: str, minor: int | None) -> None:
    """A command that answers find_python's probe as Python 3.minor would, or fails like a shim."""
    body = f"echo {minor}" if minor is not None else f'echo "pyenv: {name}: command not found" >&2; exit 127'
    path = bin_dir / name
    path.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def _find(tmp_path: Path, pythons: dict[str, int | None], python: str | None = None):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for name, minor in pythons.items():
        _fake_python(bin_dir, name, minor)
    env = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    env["PATH"] = f"{bin_dir}:/usr/bin:/bin"  # no other python3.x than the fakes (Debian has python3 only)
    for name in ("python3.11", "python3.12", "python3.13", "python3"):
        if name not in pythons:
            _fake_python(bin_dir, name, None)
    if python:
        env["PYTHON"] = python
    return subprocess.run(
        ["bash", "-c", 'eval "$(sed "/^cmd=/,\\$d" tasks.sh)"; find_python'],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
    )


def test_takes_the_newest_supported_python_that_runs(tmp_path):
    result = _find(tmp_path, {"python3.11": 11, "python3.12": 12, "python3.13": None, "python3": 11})
    assert result.returncode == 0 and result.stdout.strip() == "python3.12"


def test_takes_python3_when_it_is_the_only_one(tmp_path):
    result = _find(tmp_path, {"python3": 13})
    assert result.stdout.strip() == "python3"


def test_refuses_a_python_too_new_or_too_old(tmp_path):
    result = _find(tmp_path, {"python3": 14})
    assert result.returncode == 1
    assert "Python 3.11, 3.12, 3.13 with venv is required" in result.stderr
    assert "apt-get install python3 python3-venv" in result.stderr


def test_python_variable_chooses_and_is_checked(tmp_path):
    ok = _find(tmp_path, {"python3.13": 13, "python3.11": 11}, python="python3.11")
    assert ok.stdout.strip() == "python3.11"
    bad = _find(tmp_path / "other", {"python3.13": 13, "python3.10": 10}, python="python3.10")
    assert bad.returncode == 1
    assert "PYTHON=python3.10 is not a working Python 3.11, 3.12, 3.13 with venv" in bad.stderr
