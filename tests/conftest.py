"""Shared fixtures (a small, valid data package to break on purpose) and the shape of a test run.

**Tiers.** Tests that execute notebooks, start kernels or start a browser are marked ``slow``;
``./tasks.sh test fast`` runs the rest (unit tests and data validation). The browser tests and the
notebook test of ``test_bad_input.py`` are marked here, by module and by name, since their files
belong to other parts of the collection.

**One execution per notebook.** With ``--nbval`` the notebooks run once, under strict nbval, in the
order the build uses (notebooks that read others' key numbers after those), writing their figures
into one empty scratch folder (``BERING_FIGURES_DIR``, made here unless set to an empty folder).
Every kernel loads the network guard of ``tests/test_offline.py``. The tests marked
``after_notebooks`` run last and use that same run: ``test_figures_fresh.py`` compares the scratch
folder with ``figures/`` byte for byte, ``test_offline.py`` reads the guard's log. A failing nbval
cell says which command refreshes the stored outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import matplotlib
import pytest

from bering import paths  # noqa: F401  (pins a relative BERING_*_DIR before any notebook kernel starts)

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))

#: Tests in files owned elsewhere that start a browser or a kernel: module name, or module::test name.
SLOW_ELSEWHERE = ("test_browser", "test_bad_input::test_notebook_on_broken_data_names_notebook_cell_and_problem")
FIX_HINT = (
    "stored outputs differ from what the notebook gives now: run ./tasks.sh update "
    "(or: .venv/bin/python -m bering update), check the diff and commit the notebook"
)


class NotebookRun:
    """What the one strict-nbval execution of this session did."""

    def __init__(self):
        self.active = False
        self.figures: Path | None = None
        self.guard_log: Path | None = None
        self.expected: list[str] = []
        self.passed: dict[str, bool] = {}

    def complete(self) -> bool:
        """Every notebook of the collection ran, and every cell passed."""
        return self.active and bool(self.expected) and all(self.passed.get(n) is True for n in self.expected)


RUN = NotebookRun()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: executes notebooks, starts kernels or a browser (left out by ./tasks.sh test fast)"
    )
    config.addinivalue_line("markers", "after_notebooks: runs after the nbval items and uses their run")
    if not config.pluginmanager.has_plugin("bering-notebook-run"):
        config.pluginmanager.register(_NotebookRunRecorder(), "bering-notebook-run")
    if not getattr(config.option, "nbval", False) or getattr(config, "workerinput", None) is not None:
        return
    from test_offline import write_guard

    from bering import runner

    RUN.active = True
    RUN.expected = [p.name for p in runner.notebook_order()]
    scratch = Path(tempfile.mkdtemp(prefix="bering-test-"))
    config.add_cleanup(lambda: shutil.rmtree(scratch, ignore_errors=True))
    given = os.environ.get("BERING_FIGURES_DIR")
    if given:
        folder = Path(given).resolve()
        if folder.exists() and any(folder.iterdir()):
            raise pytest.UsageError(
                f"BERING_FIGURES_DIR={given} is not empty: the notebooks write their figures "
                "there and the freshness check compares them with figures/, so it must start "
                "empty (or leave it unset and a scratch folder is used)"
            )
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = scratch / "figures"
        folder.mkdir()
    RUN.figures = folder
    os.environ["BERING_FIGURES_DIR"] = str(folder)
    guard = scratch / "net_guard"
    write_guard(guard)
    RUN.guard_log = scratch / "net_guard.log"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(guard), os.environ.get("PYTHONPATH")]))
    os.environ["BERING_NET_GUARD_LOG"] = str(RUN.guard_log)


def _nbval_file(item) -> Path | None:
    if type(item).__name__ == "IPyNbCell":
        return Path(str(item.fspath))
    return None


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        module = item.module.__name__ if getattr(item, "module", None) else ""
        if module in SLOW_ELSEWHERE or f"{module}::{getattr(item, 'originalname', item.name)}" in SLOW_ELSEWHERE:
            item.add_marker(pytest.mark.slow)
        if _nbval_file(item) is not None:
            item.add_marker(pytest.mark.slow)
    # notebooks in build order (each notebook's cells stay together and in order), then the checks
    # that use their run
    from bering import runner

    order = {p.name: i for i, p in enumerate(runner.execution_order(runner.notebook_order()))}
    position = {id(item): i for i, item in enumerate(items)}

    def key(item):
        nb = _nbval_file(item)
        if nb is not None:
            return (1, order.get(nb.name, len(order)), position[id(item)])
        if item.get_closest_marker("after_notebooks"):
            return (2, 0, position[id(item)])
        return (0, 0, position[id(item)])

    items.sort(key=key)


class _NotebookRunRecorder:
    """Hooks on the notebooks' nbval items. A conftest's run hooks apply only to items below its own
    folder, and the notebooks live in notebooks/, so these are registered as a plugin instead."""

    def pytest_runtest_logreport(self, report):
        if report.when != "call" and not report.failed:
            return
        name = Path(report.nodeid.split("::")[0]).name
        if name.endswith(".ipynb") and RUN.active:
            ok = report.passed or report.skipped
            RUN.passed[name] = RUN.passed.get(name, True) and ok

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.failed and _nbval_file(item) is not None:
            report.sections.append(("how to fix", f"{_nbval_file(item).name}: {FIX_HINT}"))


@pytest.fixture(scope="session")
def notebook_run() -> NotebookRun:
    """The session's strict-nbval execution (see the module's docstring)."""
    return RUN


MINI_SOURCES = (
    "source_id,publisher,title,url,date_published,date_accessed,licence,notes\n"
    "src_a,Agency A,Table A,https://example.org/a,2024-05-01,2026-11-22,CC BY 4.0,\n"
    "src_b,Agency B,Table B,https://example.org/b,2023,2026-11-22,public domain,\n"
)
MINI_PLACES = (
    "place_id,name,lat,lon,kind,length_km,source_id\n"
    "cape_a,Cape A,66.0,-169.0,cape,1.5,src_a\n"
    "cape_b,Cape B,65.5,-168.0,cape,2,src_b\n"
)
MINI_PACKAGE = {
    "name": "mini",
    "resources": [
        {
            "name": "sources",
            "path": "sources.csv",
            "schema": {
                "fields": [
                    {"name": "source_id", "type": "string", "constraints": {"required": True, "pattern": "[a-z0-9_]+"}},
                    {"name": "publisher", "type": "string", "constraints": {"required": True}},
                    {"name": "title", "type": "string", "constraints": {"required": True}},
                    {"name": "url", "type": "string", "constraints": {"required": True, "pattern": "https?://\\S+"}},
                    {
                        "name": "date_published",
                        "type": "string",
                        "constraints": {"required": True, "pattern": "\\d{4}(-\\d{2}(-\\d{2})?)?"},
                    },
                    {"name": "date_accessed", "type": "date", "constraints": {"required": True}},
                    {"name": "licence", "type": "string", "constraints": {"required": True}},
                    {"name": "notes", "type": "string"},
                ],
                "primaryKey": ["source_id"],
            },
        },
        {
            "name": "places",
            "path": "places.csv",
            "schema": {
                "fields": [
                    {"name": "place_id", "type": "string", "constraints": {"required": True}},
                    {"name": "name", "type": "string", "constraints": {"required": True}},
                    {
                        "name": "lat",
                        "type": "number",
                        "unit": "degree",
                        "constraints": {"required": True, "minimum": -90, "maximum": 90},
                    },
                    {
                        "name": "lon",
                        "type": "number",
                        "unit": "degree",
                        "constraints": {"required": True, "minimum": -180, "maximum": 180},
                    },
                    {"name": "kind", "type": "string", "constraints": {"enum": ["cape", "island"]}},
                    {"name": "length_km", "type": "number", "unit": "km", "constraints": {"minimum": 0}},
                    {"name": "source_id", "type": "string", "constraints": {"required": True}},
                ],
                "primaryKey": ["place_id"],
                "foreignKeys": [
                    {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}}
                ],
            },
        },
    ],
}


@pytest.fixture
def mini(tmp_path) -> Path:
    """A valid two-table data package in a temporary folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps(MINI_PACKAGE, indent=1), encoding="utf-8")
    (folder / "sources.csv").write_text(MINI_SOURCES, encoding="utf-8")
    (folder / "places.csv").write_text(MINI_PLACES, encoding="utf-8")
    return folder


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A copy of the repository's real data folder, to plant errors in."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("_staging"))
    return target
