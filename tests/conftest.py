"""Shared fixtures (a small, valid data package to break on purpose) and the shape of a test run.

**Tiers.** Integration tests are marked ``slow``: they execute notebooks, start kernels, JupyterLab
or a browser, build the collection's site, draw the collection's maps or export its figures, or
recompute the verdict sensitivity. ``./tasks.sh test fast`` runs the rest (unit tests and data validation). The
browser tests and the notebook test of ``test_bad_input.py`` are marked here, by module and by name;
the others carry the mark in their files. The real site is built once per run and shared
(``real_site``).

**One execution per notebook, one worker per core.** With ``--nbval`` every notebook runs once,
under strict nbval, and its kernel writes its figures into a scratch folder of its own
(``BERING_FIGURES_DIR``, set here before the kernel starts), as the build's kernels do. Every kernel
loads the network guard of ``tests/test_offline.py``. With pytest-xdist (``-n auto``, which
``./tasks.sh test`` passes) the notebooks are spread over the workers a file at a time
(``--dist loadfile``; each notebook's cells stay together and in order): the notebooks first
(longest first, from the build cache's timings), then the other test files (those that drive a
browser first, then the other slow ones, then the unit tests), then the notebooks that read
the others' key numbers or catalogue, which wait until those have finished and are given their
merged tables, as the build gives them; last the tests marked ``after_notebooks``, which wait for
every notebook and then use that same run: ``test_figures_fresh.py`` compares the merged folder
with ``figures/`` byte for byte, ``test_offline.py`` reads the guard's log. Without xdist the order
is the same, so nothing waits. What the workers share is a folder (``BERING_TEST_RUN_DIR``): the
notebooks' figure folders, and a status file per notebook written when its last cell is done. A
failing nbval cell says which command refreshes the stored outputs.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import sys
import tempfile
import time
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
#: The folder the session's processes (the controller and xdist's workers) share.
RUN_DIR_VARIABLE = "BERING_TEST_RUN_DIR"
#: How long a notebook that reads the others' outputs, or a check of the run, waits for them.
WAIT_S = 3600


class NotebookRun:
    """What the one strict-nbval execution of this session did. Every process of the session (the
    controller and each xdist worker) has one; they share ``root``."""

    def __init__(self):
        self.active = False
        self.root: Path | None = None
        self.given: Path | None = None  # BERING_FIGURES_DIR as the user set it (an empty folder)
        self.guard_log: Path | None = None
        self.expected: list[str] = []
        #: this session's notebooks (after -k/-m selection): name -> node id of its last cell, and path
        self.last_cell: dict[str, str] = {}
        self.paths: dict[str, Path] = {}
        self._ok: dict[str, bool] = {}
        self._merged: Path | None = None

    def open(self, root: Path, settings: dict) -> None:
        self.active, self.root = True, root
        self.given = Path(settings["given"]) if settings.get("given") else None
        self.guard_log = Path(settings["guard_log"])
        self.expected = list(settings["expected"])

    @property
    def others(self) -> Path:
        """BERING_FIGURES_DIR for everything but the notebooks: an empty scratch folder."""
        return self.root / "other-figures"

    def folder(self, name: str) -> Path:
        """Where notebook ``name``'s kernel writes its figures."""
        return self.root / "notebooks" / Path(name).stem

    def _status(self, name: str) -> Path:
        return self.root / "status" / f"{name}.json"

    def note(self, name: str, ok: bool, last: bool) -> None:
        """Record a cell's result; after the notebook's last cell, publish the notebook's status."""
        self._ok[name] = self._ok.get(name, True) and ok
        if last:
            status = self._status(name)
            status.parent.mkdir(parents=True, exist_ok=True)
            tmp = status.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"passed": self._ok[name]}), encoding="utf-8")
            os.replace(tmp, status)

    def passed(self) -> dict[str, bool]:
        """Notebook -> all its cells passed, for every notebook that has finished (in any process)."""
        out = {}
        for path in sorted((self.root / "status").glob("*.json")) if self.root else ():
            out[path.stem] = json.loads(path.read_text(encoding="utf-8"))["passed"]
        return out

    def wait_for(self, names) -> None:
        """Block until every notebook in ``names`` has finished (in this process or another worker)."""
        deadline = time.monotonic() + WAIT_S
        while not all(self._status(n).exists() for n in names):
            if time.monotonic() > deadline:
                missing = sorted(n for n in names if not self._status(n).exists())
                raise RuntimeError(f"notebook(s) still not finished after {WAIT_S} s: {', '.join(missing)}")
            time.sleep(0.2)

    def complete(self) -> bool:
        """Every notebook of the collection ran, and every cell passed."""
        passed = self.passed()
        return self.active and bool(self.expected) and all(passed.get(n) is True for n in self.expected)

    @property
    def figures(self) -> Path:
        """The notebooks' figure folders merged as the build merges them (each notebook's own files
        and rows), into a folder of this process's own."""
        if self._merged is None:
            name = os.environ.get("PYTEST_XDIST_WORKER", "main")
            self._merged = self.root / f"merged-{name}"
            self._merged.mkdir(exist_ok=True)
            self.merge_into(self._merged)
        return self._merged

    def merge_into(self, target: Path) -> None:
        from bering import runner

        folders = sorted((self.root / "notebooks").iterdir()) if (self.root / "notebooks").is_dir() else []
        runner.merge_outputs(target, [(folder.name, folder) for folder in folders])


RUN = NotebookRun()


@functools.cache
def _reads_outputs(path: Path) -> bool:
    """The notebook reads other notebooks' key numbers or catalogue (and so runs after them)."""
    from bering import runner

    return runner.reads_outputs(path)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "slow: an integration test (notebooks, kernels, JupyterLab, browsers, the site build, the collection's "
        "figures, the sensitivity); left out by ./tasks.sh test fast",
    )
    config.addinivalue_line("markers", "after_notebooks: runs after the nbval items and uses their run")
    if not config.pluginmanager.has_plugin("bering-notebook-run"):
        config.pluginmanager.register(_NotebookRunRecorder(), "bering-notebook-run")
    if hasattr(config.option, "loadscopereorder"):
        # xdist hands out files in the order collected (see the module's docstring), not by size
        config.option.loadscopereorder = False
    if not getattr(config.option, "nbval", False):
        return
    dist = getattr(config.option, "dist", "no")
    if dist not in ("no", "loadfile"):
        raise pytest.UsageError(
            f"--dist {dist}: with --nbval the notebooks must be handed out a file at a time "
            "(--dist loadfile), so that each notebook's cells run in order in one kernel"
        )
    if getattr(config, "workerinput", None) is not None:
        # an xdist worker: the controller made the run's folder and set the environment
        root = Path(os.environ[RUN_DIR_VARIABLE])
        RUN.open(root, json.loads((root / "settings.json").read_text(encoding="utf-8")))
        return
    from test_offline import write_guard

    from bering import runner

    scratch = Path(tempfile.mkdtemp(prefix="bering-test-"))
    config.add_cleanup(lambda: shutil.rmtree(scratch, ignore_errors=True))
    given = os.environ.get("BERING_FIGURES_DIR")
    if given:
        folder = Path(given).resolve()
        if folder.exists() and any(folder.iterdir()):
            raise pytest.UsageError(
                f"BERING_FIGURES_DIR={given} is not empty: the notebooks' figures are merged "
                "there and the freshness check compares them with figures/, so it must start "
                "empty (or leave it unset and a scratch folder is used)"
            )
        folder.mkdir(parents=True, exist_ok=True)
        given = str(folder)
    guard = scratch / "net_guard"
    write_guard(guard)
    settings = {
        "given": given,
        "guard_log": str(scratch / "net_guard.log"),
        "expected": [p.name for p in runner.notebook_order()],
    }
    (scratch / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    RUN.open(scratch, settings)
    RUN.others.mkdir()
    os.environ[RUN_DIR_VARIABLE] = str(scratch)
    os.environ["BERING_FIGURES_DIR"] = str(RUN.others)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(guard), os.environ.get("PYTHONPATH")]))
    os.environ["BERING_NET_GUARD_LOG"] = str(RUN.guard_log)


def pytest_unconfigure(config):
    if RUN.active and RUN.given is not None and getattr(config, "workerinput", None) is None:
        # a folder the user named gets the merged figures of the notebooks that ran
        RUN.merge_into(RUN.given)


def _nbval_file(item) -> Path | None:
    if type(item).__name__ == "IPyNbCell":
        return Path(str(item.fspath))
    return None


def _build_seconds(name: str) -> float:
    """How long the notebook took in the last build (from the build cache), or 0."""
    from bering import runner

    try:
        record = runner.Entry(runner.default_cache_dir() / Path(name).stem).record() or {}
        return float(record.get("seconds") or 0)
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        module = item.module.__name__ if getattr(item, "module", None) else ""
        if module in SLOW_ELSEWHERE or f"{module}::{getattr(item, 'originalname', item.name)}" in SLOW_ELSEWHERE:
            item.add_marker(pytest.mark.slow)
        if _nbval_file(item) is not None:
            item.add_marker(pytest.mark.slow)
    # xdist (--dist loadfile) hands out whole files in this order; without xdist it is the run order.
    # Each notebook's cells stay together and in order.
    position = {id(item): i for i, item in enumerate(items)}
    after = {str(item.fspath) for item in items if item.get_closest_marker("after_notebooks")}
    notebooks = sorted({nb.name for item in items if (nb := _nbval_file(item)) is not None})
    seconds = {name: _build_seconds(name) for name in notebooks}
    # among the other files, the longest first, so that none runs alone at the end: those that drive
    # a browser (a minute or more each), then the other slow ones, then the unit tests
    rank: dict[str, int] = {}
    for item in items:
        mine = 0 if item.get_closest_marker("browser") else 1 if item.get_closest_marker("slow") else 2
        rank[str(item.fspath)] = min(rank.get(str(item.fspath), 2), mine)

    def key(item):
        nb = _nbval_file(item)
        if nb is not None and not _reads_outputs(nb):
            return (0, -seconds[nb.name], nb.name, position[id(item)])
        if nb is not None:
            return (2, 0, nb.name, position[id(item)])
        if str(item.fspath) in after:  # the whole file, so that xdist gives it out last
            return (3, 1 if item.get_closest_marker("after_notebooks") else 0, "", position[id(item)])
        return (1, rank[str(item.fspath)], "", position[id(item)])

    items.sort(key=key)


def pytest_collection_finish(session):
    if RUN.active:
        RUN.last_cell = {}
        for item in session.items:
            nb = _nbval_file(item)
            if nb is not None:
                RUN.last_cell[nb.name] = item.nodeid
                RUN.paths[nb.name] = nb


class _NotebookRunRecorder:
    """Hooks on the notebooks' nbval items. A conftest's run hooks apply only to items below its own
    folder, and the notebooks live in notebooks/, so these are registered as a plugin instead."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        # before the default setup, which starts a notebook's kernel at its first cell
        nb = _nbval_file(item)
        if RUN.active and nb is not None:
            folder = RUN.folder(nb.name)
            if not folder.exists():
                folder.mkdir(parents=True)
                if _reads_outputs(nb):
                    # as the build does: the tables of every notebook that does not read others
                    before = [n for n, p in RUN.paths.items() if not _reads_outputs(p)]
                    RUN.wait_for(before)
                    from bering import runner

                    runner.merge_outputs(folder, [(Path(n).stem, RUN.folder(n)) for n in before], files=False)
            os.environ["BERING_FIGURES_DIR"] = str(folder)
        elif RUN.active:
            os.environ["BERING_FIGURES_DIR"] = str(RUN.others)
            if item.get_closest_marker("after_notebooks"):
                RUN.wait_for(list(RUN.last_cell))
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        nb = _nbval_file(item)
        if nb is None:
            return
        if report.failed:
            report.sections.append(("how to fix", f"{nb.name}: {FIX_HINT}"))
        if RUN.active and (report.when == "call" or report.failed):
            RUN.note(nb.name, report.passed or report.skipped, last=False)
        if RUN.active and report.when == "teardown" and RUN.last_cell.get(nb.name) == item.nodeid:
            RUN.note(nb.name, not report.failed, last=True)


@pytest.fixture(scope="session")
def notebook_run() -> NotebookRun:
    """The session's strict-nbval execution (see the module's docstring)."""
    return RUN


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> tuple[Path, Path, list[str], list[str], float]:
    """(inputs, site, problems, notes, seconds the build took): the collection's site, built once per
    test run from a copy of its inputs (``site.copy_inputs``) and read, never changed, by
    ``test_site.py`` and ``test_browser.py``. Under pytest-xdist the workers share the build: the first to ask builds it
    under a lock in the session's common temporary folder; the others wait for it and read it."""
    from bering import site

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's folder, above each worker's own
    folder = base / "real-site"
    folder.mkdir(exist_ok=True)
    done = folder / "built.json"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            inputs = site.copy_inputs(folder / "inputs")
            start = time.perf_counter()
            target, problems, notes = site.build(folder / "_site", root=inputs)
            seconds = time.perf_counter() - start
            record = {"inputs": str(inputs), "site": str(target), "problems": problems, "notes": notes}
            record["seconds"] = seconds
            tmp = done.with_suffix(".tmp")
            tmp.write_text(json.dumps(record), encoding="utf-8")
            os.replace(tmp, done)
    record = json.loads(done.read_text(encoding="utf-8"))
    return Path(record["inputs"]), Path(record["site"]), record["problems"], record["notes"], record["seconds"]


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
