"""Measure how long the notebooks take, and how much memory, against the floor this machine sets.

``python -m bering bench [--runs N] [--out docs/performance.md]`` measures four things, each in
its own process so that none inherits another's imports or memory:

``floor``
    for every notebook, start one kernel (as the runner does: same kernel, same client, started
    in ``notebooks/``), run the import statements of the notebook's Imports cell, shut it down.
    Nothing a notebook does can be faster than this.
``notebooks``
    execute every notebook in memory (:func:`bering.runner.execute_notebook`), figures to a
    temporary folder.
``export``
    the full figure export (:func:`bering.runner.export_all`) into a temporary folder.
``nbval``
    the strict nbval suite (``pytest --nbval notebooks``, as ``./tasks.sh test`` runs it) in a
    subprocess, with ``BERING_FIGURES_DIR`` pointing at a temporary copy of ``figures/``.

Each is run ``--runs`` times (default 3), interleaved, and reported as the median, as a ratio to
the floor, and with the peak memory of its whole process tree (kernels included), sampled every
50 ms as the sum of the resident set sizes. The results, with a description of the machine, go
into a generated block of ``docs/performance.md``; the prose around it is kept.

Targets: notebooks and the nbval suite at most 1.5 x the floor, the export at most 2 x, peak
memory under 1.5 GiB, every notebook file under 1 MB.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import json
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

PHASES = ("floor", "notebooks", "export", "nbval")
#: phase -> (target ratio to the floor, what it means)
TARGET_RATIO = {"notebooks": 1.5, "export": 2.0, "nbval": 1.5}
TARGET_PEAK_BYTES = int(1.5 * 2**30)
TARGET_NOTEBOOK_BYTES = 1_000_000
SAMPLE_INTERVAL_S = 0.05
BEGIN, END = "<!-- BEGIN bench -->", "<!-- END bench -->"
PACKAGES = ("numpy", "pandas", "matplotlib", "plotly", "geopandas", "shapely", "pyproj", "nbclient",
            "nbformat", "ipykernel", "jupyter_client", "pyzmq", "nbval", "pytest", "psutil")
PHASE_LABELS = {
    "floor": "floor: start a kernel and run the imports, per notebook",
    "notebooks": "execute every notebook (in memory)",
    "export": "full figure export (`python -m bering figures`)",
    "nbval": "strict nbval suite (`pytest --nbval notebooks`)",
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
        return [line.strip() for line in source.splitlines()
                if re.match(r"^\s*(import|from)\s+\S+", line) and not line.strip().endswith("\\")]
    return [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]


def imports_cell(nb) -> str:
    """The source of the notebook's Imports cell: the code cell after a heading ``## Imports``;
    failing that, the first code cell with an import statement."""
    cells = list(nb.cells)
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and re.match(r"^#+\s*Imports\b", cell.source.strip(), re.I):
            following = next((c for c in cells[i + 1:] if c.cell_type == "code"), None)
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
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
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


class PeakSampler:
    """Sample the RSS of a process tree in a background thread; keep the peak."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL_S):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(self.interval)

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

    from .runner import CELL_TIMEOUT_S, KERNEL

    per = {}
    for path in notebooks:
        nb = floor_notebook(path)
        start = time.perf_counter()
        NotebookClient(nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT_S, record_timing=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        per[path.name] = time.perf_counter() - start
    return per


def _time_notebooks(notebooks: list[Path]) -> dict[str, float]:
    """Execute each notebook in order into one temporary figures folder (as the export does); a
    failing notebook is timed up to its failure and reported, and the others still run."""
    from .runner import NotebookFailed, execute_notebook

    per = {}
    with tempfile.TemporaryDirectory(prefix="bering-bench-") as tmp:
        for path in notebooks:
            start = time.perf_counter()
            try:
                execute_notebook(path, Path(tmp))
            except NotebookFailed as exc:
                _FAILED[path.name] = str(exc)
            per[path.name] = time.perf_counter() - start
    return per


def _time_export(notebooks: list[Path]) -> dict[str, float]:
    from .runner import NotebookFailed, export_all

    with tempfile.TemporaryDirectory(prefix="bering-bench-") as tmp:
        try:
            return dict(export_all(Path(tmp) / "figures", notebooks, progress=False))
        except NotebookFailed as exc:
            _FAILED[str(exc).split(" ", 1)[0]] = str(exc)
            return {}


WORKERS = {"floor": _time_floor, "notebooks": _time_notebooks, "export": _time_export}
_FAILED: dict[str, str] = {}


def _worker(phase: str, notebooks: list[Path], result: Path) -> int:
    # what every phase needs is imported before the clock starts, so that the totals compare
    # kernels and notebooks, not this process's own start-up
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401

    from . import runner  # noqa: F401

    start = time.perf_counter()
    per = WORKERS[phase](notebooks)
    total = time.perf_counter() - start
    result.write_text(json.dumps({"total": total, "per_notebook": per, "failed": _FAILED}), encoding="utf-8")
    return 0


def nbval_command(notebooks: list[Path]) -> list[str]:
    return [sys.executable, "-m", "pytest", *map(str, notebooks), "--nbval",
            "--nbval-sanitize-with", str(paths.REPO_ROOT / "tests" / "nbval_sanitize.cfg"),
            "--nbval-current-env", "-p", "no:cacheprovider", "-q"]


@dataclass
class Measurement:
    phase: str
    seconds: float
    peak_bytes: int
    per_notebook: dict[str, float] = field(default_factory=dict)
    ok: bool = True
    detail: str = ""
    failed_notebooks: list[str] = field(default_factory=list)


def _measure(command: list[str], env: dict[str, str], result: Path | None) -> tuple[float, int, int, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=paths.REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    with PeakSampler(proc.pid) as sampler:
        output, _ = proc.communicate()
    return time.perf_counter() - start, sampler.peak, proc.returncode, output


def measure(phase: str, notebooks: list[Path]) -> Measurement:
    """Run one phase in a fresh process tree; time it and sample its memory."""
    env = dict(os.environ)
    env.pop("BERING_FIGURES_DIR", None)
    with tempfile.TemporaryDirectory(prefix="bering-bench-") as tmp:
        if phase == "nbval":
            figures = Path(tmp) / "figures"
            if paths.committed_figures_dir().exists():
                shutil.copytree(paths.committed_figures_dir(), figures)
            else:
                figures.mkdir()
            env["BERING_FIGURES_DIR"] = str(figures)
            wall, peak, code, output = _measure(nbval_command(notebooks), env, None)
            tail = output.strip().splitlines()[-1:] if output.strip() else [""]
            return Measurement(phase, wall, peak, {}, code == 0, tail[0])
        result = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bering", "bench", "--worker", phase, "--result", str(result),
                   *[arg for nb in notebooks for arg in ("--notebook", str(nb))]]
        wall, peak, code, output = _measure(command, env, result)
        if code != 0 or not result.exists():
            return Measurement(phase, wall, peak, {}, False, output.strip()[-2000:])
        timed = json.loads(result.read_text(encoding="utf-8"))
        failed = timed.get("failed") or {}
        return Measurement(phase, timed["total"], peak, timed["per_notebook"], not failed,
                           "; ".join(failed.values()), sorted(failed))


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
        failed = sorted({n for m in runs for n in m.failed_notebooks})
        out[phase] = Summary(phase, statistics.median(seconds), min(seconds), max(seconds),
                             int(statistics.median(peaks)), max(peaks), len(runs),
                             all(m.ok for m in runs), per, failed)
    return out


def ratio(value: float, floor: float) -> float:
    """``value`` as a multiple of ``floor`` (NaN if there is no floor)."""
    return value / floor if floor > 0 else float("nan")


def fmt_bytes(n: int) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _cell(summary: Summary, name: str) -> str:
    if name not in summary.per_notebook:
        return "failed" if name in summary.failed_notebooks else "—"
    text = f"{summary.per_notebook[name]:.1f} s"
    return text + " (failed)" if name in summary.failed_notebooks else text


def render_results(summaries: dict[str, Summary], sizes: dict[str, int]) -> str:
    """The Markdown tables: phases against the floor, per-notebook times, notebook sizes."""
    floor = summaries["floor"].median_s if "floor" in summaries else 0.0
    lines = ["| measurement | median | range | × floor | target | met | peak memory (tree) | < 1.5 GiB |",
             "|---|---:|---:|---:|---:|:-:|---:|:-:|"]
    for phase, s in summaries.items():
        r = ratio(s.median_s, floor)
        target = TARGET_RATIO.get(phase)
        met = "—" if target is None else verdict(r <= target)
        label = PHASE_LABELS[phase] + ("" if s.ok else " (**failed**)")
        lines.append(f"| {label} | {s.median_s:.1f} s | {s.min_s:.1f}–{s.max_s:.1f} s | {r:.2f}× | "
                     f"{'—' if target is None else f'≤ {target:g}×'} | {met} | {fmt_bytes(s.peak_bytes)} "
                     f"(max {fmt_bytes(s.max_peak_bytes)}) | {verdict(s.max_peak_bytes < TARGET_PEAK_BYTES)} |")
    names = sorted({n for s in summaries.values() for n in s.per_notebook})
    if names:
        phases = [p for p in ("floor", "notebooks", "export") if p in summaries]
        lines += ["", "| notebook | " + " | ".join(phases) + " | notebooks × floor |",
                  "|---|" + "---:|" * (len(phases) + 1)]
        for name in names:
            cells = [_cell(summaries[p], name) for p in phases]
            f = summaries.get("floor")
            n = summaries.get("notebooks")
            ok = f and n and name in n.per_notebook and name not in n.failed_notebooks
            r = f"{ratio(n.per_notebook[name], f.per_notebook.get(name, 0.0)):.2f}×" if ok else "—"
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {r} |")
    if sizes:
        lines += ["", "| notebook file | size | < 1 MB |", "|---|---:|:-:|"]
        for name, size in sorted(sizes.items()):
            lines.append(f"| {name} | {size / 1e3:.0f} kB | {verdict(size < TARGET_NOTEBOOK_BYTES)} |")
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
        "cores": f"{logical} logical" + (f", {physical} physical" if physical else "")
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


def render_block(summaries: dict[str, Summary], sizes: dict[str, int], runs: int,
                 notebooks: list[Path], info: dict[str, str], when: str) -> str:
    lines = [BEGIN,
             f"Measured {when} with `python -m bering bench --runs {runs}` on "
             f"{len(notebooks)} notebook(s): {', '.join(p.name for p in notebooks)}.",
             "",
             render_results(summaries, sizes),
             "",
             "Machine:",
             ""]
    lines += [f"- {key}: {value}" for key, value in info.items()]
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

    parser = argparse.ArgumentParser(prog="python -m bering bench", description=plain(__doc__),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median reported)")
    parser.add_argument("--out", default=str(paths.REPO_ROOT / "docs" / "performance.md"),
                        help="Markdown file to write the results into (default docs/performance.md)")
    parser.add_argument("--no-write", action="store_true", help="print the results only")
    parser.add_argument("--only", action="append", choices=PHASES,
                        help="measure only this phase (repeatable; the floor is always measured)")
    parser.add_argument("--plan", action="store_true",
                        help="show what the floor runs for each notebook, and measure nothing")
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
    phases = ["floor", *[p for p in PHASES[1:] if not args.only or p in args.only]]
    load_before = load_average()
    measurements = []
    for run in range(1, args.runs + 1):
        for phase in phases:
            print(f"run {run}/{args.runs}: {phase} ...", file=sys.stderr, flush=True)
            m = measure(phase, notebooks)
            status = "" if m.ok else f"  FAILED: {m.detail[-300:]}"
            print(f"run {run}/{args.runs}: {phase:<9} {m.seconds:7.1f} s  peak {fmt_bytes(m.peak_bytes)}{status}",
                  file=sys.stderr, flush=True)
            measurements.append(m)
    summaries = summarise(measurements)
    sizes = {p.name: p.stat().st_size for p in notebooks}
    table = render_results(summaries, sizes)
    print(table)
    if not args.no_write:
        when = _dt.datetime.now().strftime("%Y-%m-%d")
        info = machine()
        info["load average (1, 5, 15 min)"] = f"{load_before} before the run, {load_average()} after"
        block = render_block(summaries, sizes, args.runs, notebooks, info, when)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(replace_block(out.read_text(encoding="utf-8") if out.exists() else None, block),
                       encoding="utf-8")
        print(f"written to {out}", file=sys.stderr)
    return 0 if all(s.ok for s in summaries.values()) else 1
