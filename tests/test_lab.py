"""JupyterLab as ./tasks.sh lab starts it: settings shipped in the environment, the repository root
served, figures written to a scratch folder unless the user asks to export.

The same Lab driven in a browser (running notebook 03, moving its widget): test_lab_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_core.paths import jupyter_config_path

REPO = Path(__file__).resolve().parent.parent
PREFIX = Path(sys.prefix)


def _tasks_lab(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BERING_FIGURES_DIR"}
    return subprocess.run(
        ["bash", str(REPO / "tasks.sh"), "lab", *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_lab_settings_are_installed_in_the_environment():
    """setup copies lab/ into the environment, where every Lab started from it reads them."""
    overrides = PREFIX / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    server = PREFIX / "etc" / "jupyter" / "jupyter_server_config.json"
    assert json.loads(overrides.read_text()) == json.loads((REPO / "lab" / "overrides.json").read_text())
    assert json.loads(server.read_text()) == json.loads((REPO / "lab" / "jupyter_server_config.json").read_text())
    assert str(PREFIX / "etc" / "jupyter") in jupyter_config_path()


def test_lab_settings_switch_off_the_news_and_use_ipc():
    overrides = json.loads((REPO / "lab" / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    server = json.loads((REPO / "lab" / "jupyter_server_config.json").read_text())
    assert server["KernelManager"]["transport"] == "ipc"  # no "Kernel is running over TCP without encryption"
    assert server["LabApp"]["news_url"] is None


@pytest.mark.slow
def test_lab_command_uses_a_scratch_figures_folder_and_removes_it():
    result = _tasks_lab("--version")
    assert result.returncode == 0, result.stderr
    match = re.search(r"figures made in this Lab session go to (\S+) \(removed when Lab stops\)", result.stdout)
    assert match, result.stdout
    scratch = Path(match.group(1))
    assert scratch.name.startswith("bering-lab-figures.")
    assert not scratch.exists()
    assert "./tasks.sh lab --export writes figures/ instead" in result.stdout


@pytest.mark.slow
def test_lab_command_exports_when_asked():
    result = _tasks_lab("--export", "--version")
    assert result.returncode == 0, result.stderr
    assert "figures made in this Lab session are written to figures/ (--export)" in result.stdout


def test_lab_command_serves_the_repository_root():
    text = (REPO / "tasks.sh").read_text(encoding="utf-8")
    lab = text[text.index("  lab)") : text.index(";;", text.index("  lab)"))]
    assert '--ServerApp.root_dir="$PWD"' in lab and "lab notebooks" not in lab
