"""ruff (lint and format, configured in pyproject.toml) over the code, as pre-commit runs it.

The whole tree must pass ``ruff check`` and ``ruff format --check`` like any other test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: Files that already pass both checks.
CLEAN = [
    "tests/test_environment.py",
    "tests/test_ci_config.py",
    "tests/test_cli.py",
    "tests/test_lint.py",
    "tests/test_lab.py",
    "tests/test_lab_browser.py",
    "tests/test_tasks_browser.py",
    "tests/test_tasks_python.py",
]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_uses_the_project_configuration():
    result = _ruff("check", "--show-settings", "bering/__main__.py")
    assert result.returncode == 0, result.stderr
    assert "line_length = 120" in result.stdout or "line-length = 120" in result.stdout


@pytest.mark.parametrize("check", [("check",), ("format", "--check")], ids=["check", "format"])
def test_clean_files_stay_clean(check):
    result = _ruff(*check, *CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_flags_what_it_should(tmp_path):
    """The configuration catches an unused import, a long line and unsorted imports."""
    bad = tmp_path / "bad.py"
    bad.write_text("import sys\nimport os\n\nx = '" + "a" * 130 + "'\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(REPO / "pyproject.toml"), "--no-cache", str(bad)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    for code in ("F401", "E501", "I001"):
        assert code in result.stdout, result.stdout


@pytest.mark.parametrize("check", [("check", "."), ("format", "--check", ".")], ids=["check", "format"])
def test_whole_tree(check):
    result = _ruff(*check)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
