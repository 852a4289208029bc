"""Measure the build against the floor this machine sets, side by side in one run.

``python -m bering bench [--runs N] [--out docs/performance.md]`` measures, each in its own process
tree (kernels included) so that none inherits another's imports or memory:

``floor``
    for every notebook, start one kernel (as the runner does, in ``notebooks/``), run the import
    statements of the notebook's Imports cell, shut it down. Nothing a notebook does can be faster.
``cold``
    ``python -m bering update --force`` with an empty build cache, figures to a temporary folder,
    data from a temporary copy of ``data/`` (so the next two phases can edit it).
``unchanged``
    the same command again, nothing changed: no kernel should start.
``one_edit``
    the same command after swapping the last two rows of the data file the fewest notebooks read
    (chosen from the cache records; the overview calls every analysis, so that is one analysis
    notebook and the overview): exactly those notebooks should run again, nothing else.
``test``
    the whole test suite as ``./tasks.sh test`` runs it (unit tests, strict nbval on every
    notebook, the checks that use that run, the browser tests).
``test_fast``
    ``./tasks.sh test fast``: data validation and the tests not marked ``slow``.

Each is run ``--runs`` times (default 1), interleaved, and reported as the median, as a ratio to
the quantity its target is set against, and with the peak memory of its whole process tree: the
sum of the proportional set sizes (PSS: a page that n processes share counts 1/n in each, so the
sum is what the tree occupies; sampled every 2 s), on which the target is judged, and the sum
of the resident set sizes (RSS: shared pages counted once per process, an upper bound; every 50
ms). The
results, with a description of the machine and its load, go into a generated block of
``docs/performance.md``; the prose is kept. The notebooks measured are the ones the build finds
(every ``NN_slug.ipynb`` in ``notebooks/``). A test phase that fails keeps the ids of its failed
tests, listed under the table.

``--only PHASE`` (repeatable) measures those phases and nothing else: ``--only test --only
test_fast`` times the two test runs alone. A ratio whose base was not measured in this run (the
cold build, the floor) is taken from the previous results, which the block also records as JSON in
a comment, and every row carried over from an earlier run says so.

Targets: cold build at most 3 x the summed floor; an unchanged re-run at most 1 x the floor of one
notebook (the mean); the full test run at most 2 x the cold build and the fast tier at most 0.5 x;
peak memory (summed PSS) under 1.5 GiB; every notebook file under 1 MB.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths

PHASES = ("floor", "cold", "unchanged", "one_edit", "test", "test_fast")
#: phase -> (what its target is a multiple of, target ratio). "floor_one" is the floor of one notebook
#: (the summed floor divided by the number of notebooks).
TARGETS = {"cold": ("floor", 3.0), "unchanged": ("floor_one", 1.0), "test": ("cold", 2.0), "test_fast": ("cold", 0.5)}
BASE_LABELS = {"floor": "summed floor", "floor_one": "floor of one notebook", "cold": "cold build"}
TARGET_PEAK_BYTES = int(1.5 * 2**30)
TARGET_NOTEBOOK_BYTES = 1_000_000
SAMPLE_INTERVAL_S = 0.05
#: How often the sampler lists the tree's processes, and reads their PSS (see :class:`PeakSampler`).
PIDS_INTERVAL_S = 0.5
PSS_INTERVAL_S = 2.0
BEGIN, END = "<!-- BEGIN bench -->", "<!-- END bench -->"
#: The block's machine-readable copy of its results (a Markdown comment), read back by ``--only``.
DATA_PREFIX = "<!-- bench-data "
PACKAGES = (
    "numpy",
    "pandas",
    "matplotlib",
    "plotly",
    "geopandas",
    "shapely",
    "pyproj",
    "nbclient",
    "nbformat",
    "ipykernel",
    "jupyter_client",
    "pyzmq",
    "nbval",
    "pytest",
    "psutil",
)
PHASE_LABELS = {
    "floor": "floor: start a kernel and run the imports, summed over notebooks",
    "cold": "cold build (`update --force`, empty cache)",
    "unchanged": "re-run, nothing changed",
    "one_edit": "re-run after editing one data file",
    "test": "full test run (`./tasks.sh test`)",
    "test_fast": "fast tier (`./tasks.sh test fast`)",
}


# ---------------------------------------------------------------------------------------------
# What the floor runs: the import statements of each notebook's Imports cell


def _strip_magics(source: str) -> str:
    return re.sub(r"^\s*[%!].*$", "", source, flags=re.M)


def import_statements(source: str) -> list[str]:
    """The top-level ``import`` / ``from ... import`` statements of a cell, as source lines."""
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError:
        return [
            line.strip()
            for line in source.splitlines()
            if re.match(r"^\s*(import|from)\s+\S+", line) and not line.strip().endswith("\\")
        ]
    return [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]


def imports_cell(nb) -> str:
    """The source of the notebook's Imports cell: the code cell after a heading ``## Imports``;
    failing that, the first code cell with an import statement."""
    cells = list(nb.cells)
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and re.match(r"^#+\s*Imports\b", cell.source.strip(), re.I):
            following = next((c for c in cells[i + 1 :] if c.cell_type == "code"), None)
            if following is not None:
                return following.source
    for cell in cells:
        if cell.cell_type == "code" and import_statements(cell.source):
            return cell.source
    return ""


def floor_source(notebook_path: Path) -> str:
    """The code the floor runs for one notebook: its import statements, nothing else."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    return "\n".join(import_statements(imports_cell(nb)))


def floor_notebook(notebook_path: Path):
    """A one-cell notebook holding the floor code for ``notebook_path``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(floor_source(notebook_path))]
    return nb


# ---------------------------------------------------------------------------------------------
# Memory of a process tree


def _proc_children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _proc_rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int, use_psutil: bool = True) -> int:
    """Sum of the resident set sizes of ``pid`` and all its descendants, in bytes."""
    if use_psutil:
        try:
            import psutil
        except ImportError:
            use_psutil = False
    if use_psutil:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return total
    children = _proc_children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _proc_rss(current)
        todo.extend(children.get(current, []))
    return total


def _proc_pss(pid: int) -> int:
    """The proportional set size of ``pid`` in bytes (each page shared by n processes counts 1/n),
    from ``/proc/PID/smaps_rollup``; 0 where the kernel does not give it."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _tree_pids(pid: int) -> list[int]:
    children = _proc_children()
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def tree_pss(pid: int) -> int:
    """Sum of the proportional set sizes of ``pid`` and all its descendants, in bytes: the memory
    the tree really occupies (pages the kernels and workers share, such as the libraries each maps,
    count once in all), where :func:`tree_rss` counts them once per process. 0 when the kernel
    gives no PSS (not Linux, or no ``smaps_rollup``)."""
    return sum(_proc_pss(p) for p in _tree_pids(pid))


class PeakSampler:
    """Sample the memory of a process tree in a background thread; keep the peaks of the summed
    RSS (``peak``, an upper bound) and of the summed PSS (``peak_pss``, the footprint).

    The sampling must not slow down what it measures (two cores): the tree's processes are listed
    every :data:`PIDS_INTERVAL_S` (a scan of ``/proc``, about 5 ms), their RSS read every
    ``interval`` (``/proc/PID/statm``, microseconds each) and their PSS every :data:`PSS_INTERVAL_S`
    and on every 5 % rise of the RSS (``smaps_rollup`` walks a process's pages: about 60 ms for
    2 GiB). ``cpu_s`` is the CPU time the
    sampling took. Without ``/proc`` (not Linux) the RSS comes from psutil and there is no PSS."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL_S):
        self.pid, self.interval, self.peak, self.peak_pss, self.cpu_s = pid, interval, 0, 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.thread_time()
        proc = os.path.isdir("/proc")
        pids: list[int] = []
        pids_at = pss_at = -math.inf
        pss_rss = 0
        while not self._stop.is_set():
            now = time.monotonic()
            if not proc:
                self.peak = max(self.peak, tree_rss(self.pid))
            else:
                if now - pids_at >= PIDS_INTERVAL_S:
                    pids, pids_at = _tree_pids(self.pid), now
                rss = sum(_proc_rss(p) for p in pids)
                self.peak = max(self.peak, rss)
                # PSS every PSS_INTERVAL_S, and whenever the RSS has grown 5 % past its level at the
                # last PSS reading (a command shorter than the interval still gets its peak read)
                if now - pss_at >= PSS_INTERVAL_S or rss > 1.05 * pss_rss:
                    self.peak_pss, pss_at = max(self.peak_pss, sum(_proc_pss(p) for p in pids)), now
                    pss_rss = max(pss_rss, rss)
            self._stop.wait(self.interval)
        self.cpu_s = time.thread_time() - start

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------------------------------------
# The phases (run in a worker process: python -m bering bench --worker PHASE)


def _time_floor(notebooks: list[Path]) -> dict[str, float]:
    from nbclient import NotebookClient

    from .runner import CELL_TIMEOUT_S, KERNEL, ipc_kernel_manager

    per = {}
    for path in notebooks:
        nb = floor_notebook(path)
        start = time.perf_counter()
        client = NotebookClient(
            nb,
            kernel_name=KERNEL,
            timeout=CELL_TIMEOUT_S,
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        # the kernel the runner starts: over IPC
        client.km = ipc_kernel_manager(client)
        client.execute()
        per[path.name] = time.perf_counter() - start
    return per


WORKERS = {"floor": _time_floor}
_FAILED: dict[str, str] = {}


def _worker(phase: str, notebooks: list[Path], result: Path) -> int:
    # what the phase needs is imported before the clock starts, so that the totals compare
    # kernels and notebooks, not this process's own start-up
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401

    from . import runner  # noqa: F401

    start = time.perf_counter()
    per = WORKERS[phase](notebooks)
    total = time.perf_counter() - start
    result.write_text(json.dumps({"total": total, "per_notebook": per, "failed": _FAILED}), encoding="utf-8")
    return 0


def update_command(out: Path, cache: Path, force: bool = False) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bering",
        "update",
        "--no-store",
        "--out",
        str(out),
        "--cache-dir",
        str(cache),
        *(["--force"] if force else []),
    ]


def test_command(fast: bool) -> list[str]:
    return [str(paths.REPO_ROOT / "tasks.sh"), "test", *(["fast"] if fast else [])]


_RAN_RE = re.compile(r"^(\S+\.ipynb)\s+ran in ([0-9.]+) s$", re.M)
_EXECUTED_RE = re.compile(r"^(\d+) of (\d+) notebook\(s\) executed(?: \(([^)]*)\))?", re.M)


def executed_notebooks(output: str) -> list[str]:
    """The notebooks an ``update`` run says it executed."""
    match = _EXECUTED_RE.search(output)
    if not match or not match.group(3) or match.group(3) == "nothing changed":
        return []
    return [n.strip() for n in match.group(3).split(",")]


def pick_edit(cache: Path, data_dir: Path) -> tuple[Path, list[str]] | None:
    """A data file that the fewest notebooks' cache records list (one where there is such a file), and
    those notebooks. The overview calls every analysis, so once it exists no data file has a single
    reader: the pick is then a file read by one analysis notebook and the overview."""
    readers: dict[str, list[str]] = {}
    for record_path in sorted(cache.glob("*/record.json")):
        record = json.loads(record_path.read_text(encoding="utf-8"))
        for name in record.get("files", {}):
            if Path(name).parent == data_dir.resolve() and name.endswith(".csv"):
                readers.setdefault(name, []).append(record["notebook"])
    for name, notebooks in sorted(readers.items(), key=lambda item: (len(item[1]), item[0])):
        lines = Path(name).read_text(encoding="utf-8").splitlines(keepends=True)
        if len(lines) >= 4 and lines[-1].endswith("\n"):
            return Path(name), sorted(notebooks)
    return None


def swap_last_rows(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-2], lines[-1] = lines[-1], lines[-2]
    path.write_text("".join(lines), encoding="utf-8")


@dataclass
class Measurement:
    phase: str
    seconds: float
    peak_bytes: int
    per_notebook: dict[str, float] = field(default_factory=dict)
    ok: bool = True
    detail: str = ""
    failed_notebooks: list[str] = field(default_factory=list)
    failed_tests: list[str] = field(default_factory=list)
    #: peak of the tree's summed proportional set size (0: not measured)
    peak_pss_bytes: int = 0


_FAILED_TEST_RE = re.compile(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", re.M)


def failed_tests(output: str) -> list[str]:
    """The ids of the failed (and erroring) tests in pytest's short summary, in order, each once.
    (Node ids may hold spaces: an nbval cell is ``notebooks/01_x.ipynb::Cell 3``.)"""
    return list(dict.fromkeys(m.group(1).strip() for m in _FAILED_TEST_RE.finditer(output)))


def _measure(command: list[str], env: dict[str, str], result: Path | None) -> tuple[float, tuple[int, int], int, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=paths.REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    with PeakSampler(proc.pid) as sampler:
        output, _ = proc.communicate()
    print(f"  (memory sampling took {sampler.cpu_s:.1f} CPU-s)", file=sys.stderr, flush=True)
    return time.perf_counter() - start, (sampler.peak, sampler.peak_pss), proc.returncode, output


def _floor(notebooks: list[Path], env: dict[str, str], tmp: Path) -> Measurement:
    result = tmp / "result.json"
    command = [
        sys.executable,
        "-m",
        "bering",
        "bench",
        "--worker",
        "floor",
        "--result",
        str(result),
        *[arg for nb in notebooks for arg in ("--notebook", str(nb))],
    ]
    wall, peak, code, output = _measure(command, env, result)
    if code != 0 or not result.exists():
        return Measurement("floor", wall, peak[0], {}, False, output.strip()[-2000:], peak_pss_bytes=peak[1])
    timed = json.loads(result.read_text(encoding="utf-8"))
    return Measurement("floor", timed["total"], peak[0], timed["per_notebook"], True, peak_pss_bytes=peak[1])


def measure_build(notebooks: list[Path], env: dict[str, str]) -> list[Measurement]:
    """The cold build, an unchanged re-run and a re-run after one data edit, in one temporary
    setting (figures folder, cache and a copy of the data)."""
    out = []
    with tempfile.TemporaryDirectory(prefix="bering-bench-") as tmp:
        tmp = Path(tmp)
        data_copy = tmp / "data"
        shutil.copytree(paths.data_dir(), data_copy, ignore=shutil.ignore_patterns("_staging"))
        env = {**env, "BERING_DATA_DIR": str(data_copy)}
        figures, cache = tmp / "figures", tmp / "cache"
        for phase in ("cold", "unchanged", "one_edit"):
            detail, expected = "", None
            if phase == "one_edit":
                picked = pick_edit(cache, data_copy)
                if picked is None:
                    out.append(Measurement(phase, 0.0, 0, {}, False, "no data file with four rows or more is read"))
                    continue
                edited, expected = picked
                swap_last_rows(edited)
                detail = f"edited {edited.name}, read by {', '.join(expected)}"
            wall, peak, code, output = _measure(update_command(figures, cache, force=phase == "cold"), env, None)
            per = {m.group(1): float(m.group(2)) for m in _RAN_RE.finditer(output)}
            ran = executed_notebooks(output)
            ok = code == 0
            if phase == "unchanged":
                ok = ok and not ran
                detail = "executed: " + (", ".join(ran) or "none")
            elif phase == "one_edit" and ok:
                detail += "; executed: " + (", ".join(ran) or "none")
                # its readers run again, and nothing else does
                ok = bool(ran) and set(ran) == set(expected)
            if code != 0:
                detail = output.strip()[-1500:]
            out.append(Measurement(phase, wall, peak[0], per, ok, detail, peak_pss_bytes=peak[1]))
    return out


def measure(phase: str, notebooks: list[Path]) -> list[Measurement]:
    """Run one phase (or, for ``cold``, the three build phases) in fresh process trees."""
    env = dict(os.environ)
    env.pop("BERING_FIGURES_DIR", None)
    env.pop("BERING_DATA_DIR", None)
    if phase == "floor":
        with tempfile.TemporaryDirectory(prefix="bering-bench-") as tmp:
            return [_floor(notebooks, env, Path(tmp))]
    if phase == "cold":
        return measure_build(notebooks, env)
    wall, peak, code, output = _measure(test_command(fast=phase == "test_fast"), env, None)
    tail = [ln for ln in output.strip().splitlines() if " passed" in ln or " failed" in ln][-1:] or [""]
    failed = failed_tests(output)
    detail = tail[0].strip("= ") or ("" if code == 0 else output.strip()[-300:])
    return [Measurement(phase, wall, peak[0], {}, code == 0, detail, failed_tests=failed, peak_pss_bytes=peak[1])]


# ---------------------------------------------------------------------------------------------
# Summaries


@dataclass
class Summary:
    phase: str
    median_s: float
    min_s: float
    max_s: float
    peak_bytes: int  # median of the runs' peaks
    max_peak_bytes: int
    runs: int
    ok: bool
    per_notebook: dict[str, float]
    failed_notebooks: list[str] = field(default_factory=list)
    failed_tests: list[str] = field(default_factory=list)
    #: the date of the run it comes from, when it was carried over from an earlier run (``--only``)
    earlier: str = ""
    #: median and maximum of the runs' peak summed PSS (0: not measured, as in runs before it was)
    pss_bytes: int = 0
    max_pss_bytes: int = 0


def summarise(measurements: list[Measurement]) -> dict[str, Summary]:
    """Median time and peak memory per phase, and median time per notebook."""
    out = {}
    for phase in PHASES:
        runs = [m for m in measurements if m.phase == phase]
        if not runs:
            continue
        good = [m for m in runs if m.ok] or runs
        names = sorted({n for m in good for n in m.per_notebook})
        per = {n: statistics.median(m.per_notebook[n] for m in good if n in m.per_notebook) for n in names}
        seconds = [m.seconds for m in good]
        peaks = [m.peak_bytes for m in good]
        pss = [m.peak_pss_bytes for m in good]
        failed = sorted({n for m in runs for n in m.failed_notebooks})
        tests = list(dict.fromkeys(t for m in runs for t in m.failed_tests))
        out[phase] = Summary(
            phase,
            statistics.median(seconds),
            min(seconds),
            max(seconds),
            int(statistics.median(peaks)),
            max(peaks),
            len(runs),
            all(m.ok for m in runs),
            per,
            failed,
            tests,
            pss_bytes=int(statistics.median(pss)),
            max_pss_bytes=max(pss),
        )
    return out


def summaries_to_json(summaries: dict[str, Summary], when: str, details: dict[str, str]) -> str:
    """The results as one line of JSON, for the block's data comment."""
    data = {}
    for phase, s in summaries.items():
        item = dict(s.__dict__)
        item["earlier"] = s.earlier or when
        item["detail"] = details.get(phase, "")
        data[phase] = item
    # "--" cannot appear inside an HTML comment
    return json.dumps(data, sort_keys=True, ensure_ascii=True).replace("--", "-\\u002d")


def previous_results(text: str | None) -> tuple[dict[str, Summary], dict[str, str]]:
    """The summaries (each marked with the date it was measured) and details recorded in a document's
    block, or nothing if it has none."""
    if not text or BEGIN not in text:
        return {}, {}
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    line = next((ln for ln in block.splitlines() if ln.startswith(DATA_PREFIX)), None)
    if line is None:
        return {}, {}
    try:
        data = json.loads(line[len(DATA_PREFIX) :].rsplit("-->", 1)[0])
    except ValueError:
        return {}, {}
    names = set(Summary.__dataclass_fields__)
    summaries, details = {}, {}
    for phase in PHASES:
        if phase in data:
            details[phase] = data[phase].pop("detail", "")
            summaries[phase] = Summary(**{k: v for k, v in data[phase].items() if k in names})
    return summaries, details


def carry_over(
    summaries: dict[str, Summary], details: dict[str, str], earlier: dict[str, Summary], earlier_details: dict[str, str]
) -> tuple[dict[str, Summary], dict[str, str]]:
    """This run's summaries, plus the earlier run's for the phases not measured now, in phase order."""
    merged = {**earlier, **summaries}
    kept = {**{p: d for p, d in earlier_details.items() if p not in summaries}, **details}
    return {p: merged[p] for p in PHASES if p in merged}, kept


def ratio(value: float, floor: float) -> float:
    """``value`` as a multiple of ``floor`` (NaN if there is no floor)."""
    return value / floor if floor > 0 else float("nan")


def fmt_bytes(n: int) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def footprint(summary: Summary) -> int:
    """The peak the memory target is judged on: the summed PSS when it was measured (what the tree
    occupies), else the summed RSS (an upper bound: shared pages count once per process)."""
    return summary.max_pss_bytes or summary.max_peak_bytes


def memory_cell(summary: Summary) -> str:
    rss = f"{fmt_bytes(summary.peak_bytes)}, max {fmt_bytes(summary.max_peak_bytes)}"
    if not summary.max_pss_bytes:
        return f"not measured (RSS {rss})"
    return f"{fmt_bytes(summary.pss_bytes)}, max {fmt_bytes(summary.max_pss_bytes)} (RSS {rss})"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _cell(summary: Summary, name: str) -> str:
    if name not in summary.per_notebook:
        return "failed" if name in summary.failed_notebooks else "—"
    text = f"{summary.per_notebook[name]:.1f} s"
    return text + " (failed)" if name in summary.failed_notebooks else text


def base_seconds(summaries: dict[str, Summary], base: str) -> float:
    """The quantity a target is a multiple of, in seconds (0 if not measured)."""
    if base == "floor_one":
        floor = summaries.get("floor")
        return floor.median_s / max(1, len(floor.per_notebook)) if floor else 0.0
    return summaries[base].median_s if base in summaries else 0.0


def render_results(summaries: dict[str, Summary], sizes: dict[str, int], details: dict[str, str] | None = None) -> str:
    """The Markdown tables: each phase against its target's base, per-notebook times, notebook sizes."""
    details = details or {}
    lines = [
        "| measurement | median | range | against | × | target | met | peak memory of the tree, PSS (RSS) "
        "| < 1.5 GiB |",
        "|---|---:|---:|---|---:|---:|:-:|---:|:-:|",
    ]
    for phase, s in summaries.items():
        base, target = TARGETS.get(phase, ("floor", None))
        r = ratio(s.median_s, base_seconds(summaries, base))
        met = verdict(s.ok) if target is None else verdict(s.ok and r <= target)
        label = PHASE_LABELS[phase] + ("" if s.ok else " (**failed**)")
        if s.earlier:
            label += f" (earlier run, {s.earlier})"
        if details.get(phase):
            label += f": {details[phase]}"
        lines.append(
            f"| {label} | {s.median_s:.1f} s | {s.min_s:.1f}–{s.max_s:.1f} s | {BASE_LABELS[base]} | "
            f"{r:.2f}× | {'—' if target is None else f'≤ {target:g}×'} | {met} | {memory_cell(s)} | "
            f"{verdict(footprint(s) < TARGET_PEAK_BYTES)} |"
        )
    names = sorted({n for s in summaries.values() for n in s.per_notebook})
    if names:
        phases = [p for p in ("floor", "cold") if p in summaries]
        lines += ["", "| notebook | " + " | ".join(phases) + " | cold × floor |", "|---|" + "---:|" * (len(phases) + 1)]
        for name in names:
            cells = [_cell(summaries[p], name) for p in phases]
            f = summaries.get("floor")
            n = summaries.get("cold")
            ok = f and n and name in n.per_notebook and name not in n.failed_notebooks
            r = f"{ratio(n.per_notebook[name], f.per_notebook.get(name, 0.0)):.2f}×" if ok else "—"
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {r} |")
    if sizes:
        lines += ["", "| notebook file | size | < 1 MB |", "|---|---:|:-:|"]
        for name, size in sorted(sizes.items()):
            lines.append(f"| {name} | {size / 1e3:.0f} kB | {verdict(size < TARGET_NOTEBOOK_BYTES)} |")
    for phase, s in summaries.items():
        if s.failed_tests:
            ids = ", ".join("`" + t.replace("`", "'") + "`" for t in s.failed_tests)
            lines += ["", f"Failed in the {PHASE_LABELS[phase].split(' (')[0]}: {ids}."]
    return "\n".join(lines)


def machine() -> dict[str, str]:
    """CPU, cores, memory, OS, Python and package versions of this machine."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    logical = os.cpu_count() or 0
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
        memory = psutil.virtual_memory().total
    except ImportError:
        physical, memory = None, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:
        available = logical
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    return {
        "CPU": cpu,
        "cores": f"{logical} logical"
        + (f", {physical} physical" if physical else "")
        + (f", {available} available to this process" if available != logical else ""),
        "memory": fmt_bytes(memory),
        "OS": platform.platform(),
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "packages": ", ".join(versions),
    }


def load_average() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def render_block(
    summaries: dict[str, Summary],
    sizes: dict[str, int],
    runs: int,
    notebooks: list[Path],
    info: dict[str, str],
    when: str,
    details: dict[str, str] | None = None,
) -> str:
    lines = [
        BEGIN,
        f"Measured {when} with `python -m bering bench --runs {runs}` on "
        f"{len(notebooks)} notebook(s): {', '.join(p.name for p in notebooks)}.",
        "",
        render_results(summaries, sizes, details),
        "",
        "Machine:",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    lines.append(DATA_PREFIX + summaries_to_json(summaries, when, details or {}) + " -->")
    lines.append(END)
    return "\n".join(lines)


DEFAULT_DOC = """# Performance

How long the notebooks take and how much memory they need, measured against the floor set by
starting a kernel and importing the libraries. Regenerate the block below with
`python -m bering bench` (about four minutes per run; `--runs 1` for a quick look).

{block}
"""


def replace_block(text: str | None, block: str) -> str:
    """``text`` with its generated block replaced by ``block`` (or a new document around it)."""
    if not text:
        return DEFAULT_DOC.format(block=block)
    if BEGIN not in text or END not in text:
        return text.rstrip() + "\n\n" + block + "\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + block + tail


# ---------------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    from .__main__ import plain

    parser = argparse.ArgumentParser(
        prog="python -m bering bench", description=plain(__doc__), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="runs of each measurement (median reported)")
    parser.add_argument(
        "--out",
        default=str(paths.REPO_ROOT / "docs" / "performance.md"),
        help="Markdown file to write the results into (default docs/performance.md)",
    )
    parser.add_argument("--no-write", action="store_true", help="print the results only")
    parser.add_argument(
        "--only",
        action="append",
        choices=PHASES,
        help="measure only this phase (repeatable; cold includes unchanged and one_edit); ratios to a phase "
        "not measured use its result recorded in --out",
    )
    parser.add_argument(
        "--plan", action="store_true", help="show what the floor runs for each notebook, and measure nothing"
    )
    parser.add_argument("--notebook", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    notebooks = [Path(n) for n in args.notebook]
    if args.worker:
        return _worker(args.worker, notebooks, Path(args.result))
    from .runner import notebook_order

    notebooks = notebooks or notebook_order()
    if not notebooks:
        print("no notebooks to measure", file=sys.stderr)
        return 1
    if args.plan:
        for path in notebooks:
            print(f"{path.name}:\n  " + (floor_source(path).replace("\n", "\n  ") or "(no imports)"))
        return 0
    wanted = [p for p in PHASES if not args.only or p in args.only]
    if any(p in wanted for p in ("unchanged", "one_edit")) and "cold" not in wanted:
        wanted.insert(wanted.index("floor") + 1 if "floor" in wanted else 0, "cold")  # they re-run its build
    phases = [p for p in wanted if p not in ("unchanged", "one_edit")]
    out = Path(args.out)
    earlier, earlier_details = previous_results(out.read_text(encoding="utf-8") if out.exists() else None)
    load_before = load_average()
    measurements = []
    details: dict[str, str] = {}
    for run in range(1, args.runs + 1):
        for phase in phases:
            print(f"run {run}/{args.runs}: {phase} ...", file=sys.stderr, flush=True)
            for m in measure(phase, notebooks):
                status = "" if m.ok else f"  FAILED: {m.detail[-300:]}"
                print(
                    f"run {run}/{args.runs}: {m.phase:<9} {m.seconds:7.1f} s  peak {fmt_bytes(m.peak_bytes)}{status}",
                    file=sys.stderr,
                    flush=True,
                )
                measurements.append(m)
                if m.detail and m.phase in ("unchanged", "one_edit", "test", "test_fast"):
                    details[m.phase] = m.detail.replace("|", "/").replace("\n", " ")[:200]
    summaries, details = carry_over(summarise(measurements), details, earlier, earlier_details)
    sizes = {p.name: p.stat().st_size for p in notebooks}
    table = render_results(summaries, sizes, details)
    print(table)
    if not args.no_write:
        when = _dt.datetime.now().strftime("%Y-%m-%d")
        info = machine()
        info["load average (1, 5, 15 min)"] = f"{load_before} before the run, {load_average()} after"
        block = render_block(summaries, sizes, args.runs, notebooks, info, when, details)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            replace_block(out.read_text(encoding="utf-8") if out.exists() else None, block), encoding="utf-8"
        )
        print(f"written to {out}", file=sys.stderr)
    return 0 if all(s.ok for s in summaries.values() if not s.earlier) else 1
