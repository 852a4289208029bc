"""A relative BERING_DATA_DIR or BERING_FIGURES_DIR means one folder, in every process.

The entry point names it from its working directory once; kernels started elsewhere (they start
in ``notebooks/``) inherit the absolute path and see the same folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bering import paths

REPO = Path(__file__).resolve().parent.parent

CHILD = (
    "import os, sys\n"
    "from bering import paths\n"
    "print(paths.data_dir()); print(paths.figures_dir()); print(os.environ['BERING_DATA_DIR'])\n"
)


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in paths.FOLDER_VARIABLES}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def test_absolute_names_a_relative_path_from_the_base():
    assert paths.absolute("data", "/srv/x") == Path("/srv/x/data")
    assert paths.absolute("../data", "/srv/x/notebooks") == Path("/srv/x/data")
    assert paths.absolute("/abs/data", "/elsewhere") == Path("/abs/data")
    assert paths.absolute("~/d") == Path.home() / "d"


def test_pin_environment_rewrites_relative_folders_once():
    env = {"BERING_DATA_DIR": "mydata", "BERING_FIGURES_DIR": "/abs/figs", "OTHER": "x"}
    assert paths.pin_environment(env, base="/work/repo") == {"BERING_DATA_DIR": "/work/repo/mydata"}
    assert env == {"BERING_DATA_DIR": "/work/repo/mydata", "BERING_FIGURES_DIR": "/abs/figs", "OTHER": "x"}
    assert paths.pin_environment(env, base="/work/repo/notebooks") == {}
    assert env["BERING_DATA_DIR"] == "/work/repo/mydata"


def test_folders_are_absolute_even_when_set_after_import(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BERING_DATA_DIR", "d")
    monkeypatch.setenv("BERING_FIGURES_DIR", "f")
    assert paths.data_dir() == tmp_path / "d"
    assert paths.figures_dir() == tmp_path / "f"
    monkeypatch.delenv("BERING_DATA_DIR")
    assert paths.data_dir() == paths.REPO_ROOT / "data"


@pytest.mark.slow
def test_a_kernel_started_in_another_folder_sees_the_same_data(tmp_path):
    """The entry point (started in tmp_path) pins the folder; a child started in notebooks/-like
    folder elsewhere inherits the absolute path and resolves to the same folder."""
    (tmp_path / "notebooks").mkdir()
    parent = (
        "import subprocess, sys\n"
        "from bering import paths\n"
        f"out = subprocess.run([sys.executable, '-c', {CHILD!r}], cwd='notebooks', capture_output=True,"
        " text=True, check=True)\n"
        "print(paths.data_dir()); print(out.stdout, end='')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", parent],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(BERING_DATA_DIR="mydata", BERING_FIGURES_DIR="figs"),
    )
    assert result.returncode == 0, result.stderr
    own, child_data, child_figures, child_env = result.stdout.split("\n")[:4]
    assert own == child_data == child_env == str(tmp_path / "mydata")
    assert child_figures == str(tmp_path / "figs")


def test_unset_variables_mean_the_repository_folders(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from bering import paths; print(paths.data_dir());print(paths.figures_dir())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(REPO / "data"), str(REPO / "figures")]
