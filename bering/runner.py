"""Execute the notebooks once, in parallel kernels, and build everything from that one execution.

``python -m bering update`` (and its alias ``figures``) calls :func:`build`:

1. every notebook found in ``notebooks/`` (``NN_slug.ipynb``, by pattern) is executed, in its own
   kernel started in ``notebooks/``, unless the build cache holds a result whose inputs are all
   unchanged. Up to ``jobs`` kernels run at once (default: the number of cores);
2. each run writes its figures into a private folder; when every notebook has succeeded, the
   folders are merged (files copied, ``catalogue.csv`` and ``key_numbers.csv`` combined and
   sorted) into a staging folder that is exchanged with the target in one atomic step;
3. the executed notebooks are stored in place (no timing metadata, so an unchanged notebook keeps
   its bytes).

**Inputs of a notebook**, and so the key of its cache entry: its cells (type, source, tags); every
file it opened for reading and every folder it listed while running (data files, the package
modules it imported, anything else outside the Python installation), recorded in the kernel by an
audit hook (:func:`sys.addaudithook`) and hashed by content; the Python version and
``requirements.lock``; the ``BERING_*`` settings; and, for a notebook that reads other notebooks'
key numbers or catalogue (found by reading its code and the package modules it imports), the
tables it was given. Such a notebook runs after the others, with their merged tables in its
folder; the rest run in any order. Files opened by compiled code without Python's ``open`` are not
seen; ``--force`` re-runs everything.

**Failures** name the notebook and the cell: an error, a cell that runs past ``timeout`` seconds,
a kernel that dies. SIGINT and SIGTERM end the run with :class:`Interrupted` (exit status 130 at the
command line). In every case no kernel is left running, the target folder and the stored notebooks
keep their previous contents, and the cache keeps only complete entries.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import paths

KERNEL = "python3"
CELL_TIMEOUT_S = 600
#: Bumped when the cache layout or what a record means changes; older records are ignored.
CACHE_VERSION = 2
#: ``bering.export.CATALOGUE`` and ``KEY_NUMBERS`` (spelled out: an unchanged re-run never imports
#: the exporter and its plotting libraries; a test checks they agree).
TABLES = ("catalogue.csv", "key_numbers.csv")
FIX_COMMAND = "./tasks.sh update"
_READS_OUTPUTS = re.compile(r"\bexport\.(?:key_numbers?|catalogue)\(")


class BuildError(RuntimeError):
    """The build cannot start or cannot finish; the message says where and why."""


class NotebookFailed(BuildError):
    """A notebook raised, timed out or lost its kernel; names the notebook and the cell."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; every kernel has been stopped and nothing was replaced."""

    def __init__(self, signame: str):
        super().__init__(signame)
        self.signame = signame


def default_jobs() -> int:
    """Kernels run at once by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_cache_dir() -> Path:
    return paths.REPO_ROOT / ".bering-cache"


# ---------------------------------------------------------------------------------------------
# Discovery and dependencies


def notebook_order(notebooks_dir: Path | None = None) -> list[Path]:
    """Every ``NN_slug.ipynb`` in the folder, in reading order (by number; the overview, 00, first
    like any other: it computes what it shows from the data, not from the other notebooks' outputs)."""
    return sorted(Path(notebooks_dir or paths.NOTEBOOKS_DIR).glob("[0-9][0-9]_*.ipynb"))


_READ_CACHE: dict[tuple, object] = {}


class _Node(dict):
    """A dict read from notebook JSON whose keys are also attributes, like nbformat's nodes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def read_notebook(path: Path):
    """A notebook's cells and metadata, read as plain JSON: no nbformat import and no schema
    validation (both slow; the kernel reports a broken notebook anyway); memoised by path, size
    and mtime. Multi-line sources are joined, as nbformat does."""
    path = Path(path)
    info = path.stat()
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    if key not in _READ_CACHE:
        raw = json.loads(path.read_text(encoding="utf-8"))
        cells = []
        for cell in raw.get("cells", []):
            source = cell.get("source", "")
            cells.append(
                _Node(
                    cell_type=cell.get("cell_type"),
                    metadata=cell.get("metadata", {}),
                    source="".join(source) if isinstance(source, list) else source,
                )
            )
        _READ_CACHE[key] = _Node(cells=cells, metadata=raw.get("metadata", {}))
    return _READ_CACHE[key]


def execution_order(notebooks: list[Path]) -> list[Path]:
    """The notebooks that read no other notebook's outputs first, then those that do, each group in
    the given order. The first group may run in any order, or all at once."""
    readers = [p for p in notebooks if reads_outputs(p)]
    return [p for p in notebooks if p not in readers] + readers


#: The committed page whose benchmark block records each notebook's cold-build time (rewritten only
#: by ``python -m bering bench``, never by a build).
BENCH_PAGE = paths.REPO_ROOT / "docs" / "performance.md"


#: The machine-readable line of that block (:data:`bering.bench.DATA_PREFIX`; read here without
#: importing the benchmark, which would make every notebook depend on the command line).
_BENCH_DATA = re.compile(r"^<!-- bench-data (\{.*\}) -->$", re.M)


def benchmarked_seconds(page: Path | None = None) -> dict[str, float]:
    """``{notebook file name: seconds}`` of the cold build recorded in the benchmark block of
    ``page`` (default :data:`BENCH_PAGE`); empty when there is no page or no such record."""
    try:
        match = _BENCH_DATA.search(Path(page or BENCH_PAGE).read_text(encoding="utf-8"))
        per_notebook = json.loads(match.group(1))["cold"]["per_notebook"] if match else {}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(per_notebook, dict):
        return {}
    return {str(k): float(v) for k, v in per_notebook.items() if isinstance(v, (int, float))}


def expected_seconds(notebooks: Iterable[Path], cache_dir: Path | None = None, page: Path | None = None) -> dict:
    """How long each notebook is expected to run: the time the build cache recorded for its last run,
    else its time in the last benchmarked cold build (:func:`benchmarked_seconds`), else None."""
    cache = Path(cache_dir or default_cache_dir())
    bench_s = None
    out = {}
    for path in notebooks:
        path = Path(path)
        record = Entry(cache / path.stem).record() or {}
        seconds = record.get("seconds")
        if not isinstance(seconds, (int, float)):
            if bench_s is None:
                bench_s = benchmarked_seconds(page)
            seconds = bench_s.get(path.name)
        out[path] = float(seconds) if isinstance(seconds, (int, float)) else None
    return out


def longest_first(notebooks: list[Path], expected: dict) -> list[Path]:
    """``notebooks`` with those expected to run longest first (:func:`expected_seconds`), then those
    with no expectation, each in the given order. Only the start order changes, never an output:
    with fewer kernels than notebooks, starting the longest first keeps one long notebook from
    running alone at the end."""
    known = [p for p in notebooks if expected.get(p) is not None]
    unknown = [p for p in notebooks if expected.get(p) is None]
    return sorted(known, key=lambda p: -expected[p]) + unknown


def _code(nb) -> str:
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            # magics and shell escapes are not Python
            lines += [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.|bering\b)(\.?\w*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.M)
_PLAIN_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#]+)", re.M)


def _imported_modules(code: str) -> set[str]:
    """Modules of the package that ``code`` imports by name (``from bering import x``, ``import
    bering.x``, ``from bering.x import y``, and ``from . import x`` / ``from .x import y`` inside the
    package). A regular expression, not a parse: fast, and it also reads code with syntax errors."""
    found = set()
    for base, sub, names in _FROM_IMPORT.findall(code):
        sub = sub.lstrip(".")
        if sub:
            found.add(sub)
        else:
            found.update(n.split(" as ")[0].strip() for n in names.strip("()").replace("\n", " ").split(","))
    for names in _PLAIN_IMPORT.findall(code):
        for name in names.split(","):
            parts = name.split(" as ")[0].strip().split(".")
            if parts[0] == "bering" and len(parts) > 1:
                found.add(parts[1])
    return {n for n in found if n.isidentifier()}


_MODULE_INFO: dict[tuple, tuple[bool, set[str]]] = {}


def _module_info(path: Path) -> tuple[bool, set[str]]:
    """(reads other notebooks' outputs, modules it imports) for one package module, memoised."""
    info = path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns)
    if key not in _MODULE_INFO:
        source = path.read_text(encoding="utf-8")
        # export and the runner handle the outputs themselves; a notebook importing them reads nothing back
        infrastructure = path.stem in ("export", "runner")
        _MODULE_INFO[key] = (not infrastructure and bool(_READS_OUTPUTS.search(source)), _imported_modules(source))
    return _MODULE_INFO[key]


def reads_outputs(nb_path: Path, package_dir: Path | None = None) -> bool:
    """True if the notebook, or a package module it imports (directly or through others), reads the
    key numbers or the catalogue that notebooks write (``export.key_number(s)``, ``export.catalogue``)."""
    package_dir = Path(package_dir or Path(__file__).parent)
    code = _code(read_notebook(nb_path))
    if _READS_OUTPUTS.search(code):
        return True
    seen, todo = set(), list(_imported_modules(code))
    while todo:
        name = todo.pop()
        source_file = package_dir / f"{name}.py"
        if name in seen or not source_file.is_file():
            continue
        seen.add(name)
        reads, imports = _module_info(source_file)
        if reads:
            return True
        todo.extend(imports)
    return False


# ---------------------------------------------------------------------------------------------
# Hashing


def sha256_file(path: Path) -> str | None:
    """Content hash of a file, or None if it is missing or not a regular file."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None
    return digest.hexdigest()


def input_digest(path: Path) -> str | None:
    """Content hash of a file a notebook read. Another notebook's file counts by its cells' sources
    (:func:`source_digest`), not its bytes: what a notebook reads from one is its text (the overview
    reads each notebook's title), and the build stores fresh outputs into the notebook files after
    the runs, which must not make the readers stale for the next build."""
    path = Path(path)
    if path.suffix == ".ipynb":
        import nbformat

        try:
            return source_digest(nbformat.read(path, as_version=4))
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - not a readable notebook: its bytes decide
            pass
    return sha256_file(path)


def listing_digest(folder: Path) -> str | None:
    """The names in ``folder``, hashed; hidden entries (``.ipynb_checkpoints`` that Lab makes, editors'
    swap files) are not part of what a notebook lists, so they never make it stale."""
    try:
        names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
    except OSError:
        return None
    return hashlib.sha256("\n".join(names).encode("utf-8", "surrogateescape")).hexdigest()


def source_digest(nb) -> str:
    """What of a notebook decides its outputs: each cell's type, source and tags, and the kernel."""
    cells = [[c.cell_type, c.source, sorted(c.get("metadata", {}).get("tags", []))] for c in nb.cells]
    kernel = nb.metadata.get("kernelspec", {}).get("name", KERNEL)
    return hashlib.sha256(json.dumps([kernel, cells]).encode("utf-8")).hexdigest()


def environment_key() -> dict[str, str]:
    """Settings outside the notebook that change its outputs."""
    settings = {
        k: v
        for k, v in sorted(os.environ.items())
        if k.startswith("BERING_") and k not in ("BERING_FIGURES_DIR", "BERING_NET_GUARD_LOG")
    }
    settings["data_dir"] = str(paths.data_dir().resolve())
    settings["python"] = sys.version
    settings["lock"] = sha256_file(paths.REPO_ROOT / "requirements.lock") or ""
    settings["runner"] = str(CACHE_VERSION)
    return settings


def seed_digest(outputs: list[tuple[str, Path]] | None) -> str:
    """What a reader notebook was given: the tables written by the notebooks that ran before it
    (``[(stem, output folder)]``), hashed as they are; "" for a notebook that reads none."""
    if outputs is None:
        return ""
    digest = hashlib.sha256()
    for stem, folder in sorted(outputs, key=lambda item: item[0]):
        for name in TABLES:
            digest.update(f"{stem}\0{name}\0{sha256_file(Path(folder) / name) or ''}\0".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Tracing what a kernel reads

#: Run (hidden, not stored) before the notebook's first cell: record every file opened for reading
#: and every folder listed. The hook never raises, and ignores the Python installation.
TRACE_START = r"""
def __bering_trace_install():
    import os, sys
    skip = tuple({os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
                 | {"/usr/", "/etc/", "/proc/", "/sys/", "/dev/", "/run/", "/var/"})
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    files, folders = set(), set()
    fsdecode, isabs, join, getcwd = os.fsdecode, os.path.isabs, os.path.join, os.getcwd

    def hook(event, args):
        try:
            if event == "open":
                path, mode, flags = args
                if path is None or isinstance(path, int):
                    return
                if mode is not None and any(c in mode for c in "wax+"):
                    return
                if mode is None and flags & writing:
                    return
                target = files
            elif event in ("os.listdir", "os.scandir"):
                path = args[0] if args else "."
                if path is None or isinstance(path, int):
                    return
                if "importlib" in sys._getframe(1).f_code.co_filename:
                    return   # the import system caching a folder of sys.path; imports are recorded apart
                target = folders
            else:
                return
            path = fsdecode(path)
            if not isabs(path):
                path = join(getcwd(), path)
            if not (path + os.sep).startswith(skip):
                target.add(path)
        except Exception:
            pass

    sys.addaudithook(hook)
    return files, folders

__bering_trace = __bering_trace_install()
del __bering_trace_install
"""

#: Run (hidden) after the last cell: print what was read, and the source files of imported modules.
TRACE_END = r"""
def __bering_trace_report():
    import json, os, sys
    files, folders = __bering_trace
    modules = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.endswith(".py"):
            modules.add(os.path.abspath(path))
    print("\n__BERING_TRACE__" + json.dumps({"files": sorted(files), "folders": sorted(folders),
                                             "modules": sorted(modules)}))

__bering_trace_report()
"""


#: Never inputs: the kernel's view of the system, not files of the collection.
SYSTEM_FOLDERS = ("/proc/", "/sys/", "/dev/", "/run/", "/etc/", "/usr/", "/var/")


def _installation_prefixes() -> tuple[str, ...]:
    import sysconfig

    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    prefixes.update(p for p in (sysconfig.get_paths().get(k) for k in ("purelib", "platlib", "stdlib")) if p)
    return tuple(os.path.realpath(p) + os.sep for p in prefixes)


def _inputs_from_trace(trace: dict, ignore: Iterable[Path]) -> tuple[list[str], list[str]]:
    """Files and folders worth hashing: not in the Python installation, not the run's own output,
    not in a home folder's caches, and existing after the run."""
    skip = _installation_prefixes() + SYSTEM_FOLDERS + tuple(str(Path(p).resolve()) + os.sep for p in ignore)
    home = Path.home()
    skip += tuple(
        str(home / d) + os.sep for d in (".cache", ".config", ".local", ".ipython", ".jupyter", ".matplotlib")
    )
    files = set()
    for raw in [*trace.get("files", []), *trace.get("modules", [])]:
        path = os.path.realpath(raw)
        if path.startswith(skip) or "/__pycache__/" in path or not os.path.isfile(path):
            continue
        files.add(path)
    folders = {os.path.realpath(p) for p in trace.get("folders", [])}
    folders = {p for p in folders if not (p + os.sep).startswith(skip) and os.path.isdir(p)}
    return sorted(files), sorted(folders)


# ---------------------------------------------------------------------------------------------
# Executing one notebook

_LIVE_KERNELS: set[int] = set()


def _failing_cell(nb) -> tuple[int, str, str]:
    """Index (1-based, counting all cells), first source line and error of the cell that failed."""
    for i, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = (cell.source.strip().splitlines() or [""])[0]
                return i, first, f"{out.get('ename')}: {out.get('evalue')}"
    return 0, "", ""


def _first_line(cell) -> str:
    return (cell.source.strip().splitlines() or [""])[0]


async def _run_hidden(client, source: str) -> str:
    """Run code in the kernel without storing it or counting it; return its standard output."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    try:
        await client.async_execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
    finally:
        client.nb.cells.pop()
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


#: Longest path a Unix socket may have (``sun_path`` is 108 bytes on Linux, 104 on macOS), less the
#: ``-N`` suffix each of the kernel's five sockets adds.
_SOCKET_PATH_MAX = 100
_KERNEL_NUMBERS = itertools.count(1)


def ipc_kernel_manager(client):
    """The client's kernel manager, set to talk to its kernel over Unix sockets (IPC), as JupyterLab
    is configured to here (``lab/jupyter_server_config.json``): nothing listens on a TCP port, and the
    kernel does not warn that it runs "over TCP without encryption". The sockets and the connection
    file go into Jupyter's runtime folder (a temporary folder if that path is too long for a socket)
    and are removed when the kernel is shut down."""
    from jupyter_core.paths import jupyter_runtime_dir

    km = client.create_kernel_manager()
    # unique while this process lives (no two live processes share a pid); nothing random
    name = f"kernel-bering-{os.getpid()}-{next(_KERNEL_NUMBERS)}"
    folder = jupyter_runtime_dir()
    if len(os.path.join(folder, name + "-ipc")) > _SOCKET_PATH_MAX:
        folder = tempfile.gettempdir()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    km.transport = "ipc"
    km.connection_file = os.path.join(folder, name + ".json")
    km.ip = os.path.join(folder, name + "-ipc")
    return km


async def execute_async(
    path: Path, out_dir: Path, env: dict[str, str] | None = None, timeout: float = CELL_TIMEOUT_S, trace: bool = False
):
    """Execute one notebook in memory, figures to ``out_dir``; return ``(notebook, trace or None)``."""
    import nbformat
    from jupyter_core.utils import ensure_async
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=int(timeout) if timeout else None,
        record_timing=False,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    kernel_env = {**os.environ, **(env or {}), "BERING_FIGURES_DIR": str(Path(out_dir).resolve())}
    if kernel_env.get("BERING_DATA_DIR"):
        kernel_env["BERING_DATA_DIR"] = str(Path(kernel_env["BERING_DATA_DIR"]).resolve())
    client.km = ipc_kernel_manager(client)
    pid = None
    index, cell = 0, None
    try:
        await client.async_start_new_kernel(env=kernel_env)
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        if pid:
            _LIVE_KERNELS.add(pid)
        await client.async_start_new_kernel_client()
        reply = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
        if reply and "language_info" in reply["content"]:
            nb.metadata["language_info"] = reply["content"]["language_info"]
        if trace:
            await _run_hidden(client, TRACE_START)
        count = 0
        for index, cell in enumerate(list(nb.cells)):
            if cell.cell_type == "code" and cell.source.strip():
                count += 1
            await client.async_execute_cell(cell, index, execution_count=count)
        report = None
        if trace:
            text = await _run_hidden(client, TRACE_END)
            marker = text.rfind("__BERING_TRACE__")
            report = json.loads(text[marker + len("__BERING_TRACE__") :]) if marker >= 0 else {}
        client.set_widgets_metadata()
        return nb, report
    except CellTimeoutError:
        raise NotebookFailed(
            f"{path.name} failed at cell {index + 1} ({_first_line(cell)}): "
            f"still running after {timeout:g} s (raise --timeout if it needs longer)"
        ) from None
    except DeadKernelError:
        if _being_cancelled():  # nbclient reports its own cancellation as a dead kernel
            raise asyncio.CancelledError from None
        raise NotebookFailed(
            f"{path.name} failed at cell {index + 1} ({_first_line(cell)}): "
            "the kernel died (out of memory, a crash in compiled code, or killed)"
        ) from None
    except CellExecutionError as exc:
        where, first, error = _failing_cell(nb)
        raise NotebookFailed(f"{path.name} failed at cell {where} ({first}): {error or exc.ename}") from None
    finally:
        with contextlib.suppress(Exception):
            await asyncio.shield(client._async_cleanup_kernel())
        if pid:
            _kill_group(pid)
            _LIVE_KERNELS.discard(pid)


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return bool(task is not None and task.cancelling())


def _kill_group(pid: int) -> None:
    """Make sure a kernel (started in its own session) and anything it started are gone."""
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            kill()
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _run(coro):
    """Run a coroutine; SIGINT and SIGTERM cancel it, stop every kernel and raise :class:`Interrupted`."""
    loop = asyncio.new_event_loop()
    task = loop.create_task(coro)
    received = []

    def on_signal(signame):
        if not received:
            received.append(signame)
            task.cancel()

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal, sig.name)
            installed.append(sig)
        except (RuntimeError, ValueError):  # not the main thread
            pass
    try:
        return loop.run_until_complete(task)
    except asyncio.CancelledError:
        if received:
            raise Interrupted(received[0]) from None
        raise
    except KeyboardInterrupt:
        task.cancel()
        with contextlib.suppress(BaseException):
            loop.run_until_complete(task)
        raise Interrupted("SIGINT") from None
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        for pid in list(_LIVE_KERNELS):
            _kill_group(pid)
            _LIVE_KERNELS.discard(pid)
        leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in leftover:
            t.cancel()
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def execute_notebook(path: Path, out_dir: Path, env: dict[str, str] | None = None, timeout: float = CELL_TIMEOUT_S):
    """Execute one notebook in memory with its figures written to ``out_dir``; return it."""
    return _run(execute_async(path, out_dir, env, timeout))[0]


# ---------------------------------------------------------------------------------------------
# The cache


@dataclass
class Entry:
    """One notebook's cache folder: ``record.json``, ``notebook.ipynb`` and ``out/``."""

    folder: Path

    @property
    def record_path(self) -> Path:
        return self.folder / "record.json"

    @property
    def notebook_path(self) -> Path:
        return self.folder / "notebook.ipynb"

    @property
    def out(self) -> Path:
        return self.folder / "out"

    def record(self) -> dict | None:
        try:
            return json.loads(self.record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None


def why_stale(record: dict | None, source: str, env_key: dict, seed: str, hashes: dict) -> str | None:
    """None if the record still holds for the current inputs, else the first difference found."""
    if record is None:
        return "not in the cache"
    if record.get("version") != CACHE_VERSION:
        return "cache from another runner version"
    if record.get("source") != source:
        return "notebook cells changed"
    if record.get("env") != env_key:
        changed = sorted(
            k for k in set(env_key) | set(record.get("env", {})) if env_key.get(k) != record.get("env", {}).get(k)
        )
        return f"setting changed: {', '.join(changed)}"
    if record.get("seed") != seed:
        return "key numbers of the notebooks it reads changed"
    for name, digest in record.get("files", {}).items():
        if name not in hashes:
            hashes[name] = input_digest(Path(name))
        if hashes[name] != digest:
            return f"input changed: {_short(name)}"
    for name, digest in record.get("folders", {}).items():
        if listing_digest(Path(name)) != digest:
            return f"folder listing changed: {_short(name)}"
    return None


def _short(name: str) -> str:
    try:
        return str(Path(name).relative_to(paths.REPO_ROOT))
    except ValueError:
        return name


def _store_entry(entry: Entry, nb_text: str, run_dir: Path, record: dict) -> None:
    """Replace a cache entry; the record is written last, so a killed write is never served."""
    from . import export

    entry.folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        entry.record_path.unlink()
    if entry.out.exists():
        shutil.rmtree(entry.out)
    os.replace(run_dir, entry.out)
    export.atomic_write(entry.notebook_path, lambda h: h.write(nb_text.encode("utf-8")))
    text = json.dumps(record, indent=1, sort_keys=True)
    export.atomic_write(entry.record_path, lambda h: h.write(text.encode("utf-8")))


# ---------------------------------------------------------------------------------------------
# Merging outputs and swapping folders


def _read_rows(path: Path):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def merge_outputs(target: Path, outputs: list[tuple[str, Path]], replace: bool = True, files: bool = True) -> None:
    """Copy each notebook's files into ``target`` and merge its rows of the two tables.

    ``outputs`` is ``[(notebook stem, folder)]``. Only a notebook's own rows are taken (a notebook
    that read others' tables has them in its folder too); with ``replace`` the rows already in
    ``target`` for those notebooks are dropped first. Two notebooks writing one file name with
    different contents is an error.
    """
    import pandas as pd

    from . import export

    sort = {
        export.CATALOGUE: (["name"], export.CATALOGUE_COLUMNS),  # as Exporter._upsert sorts
        export.KEY_NUMBERS: (["notebook", "key"], export.KEY_COLUMNS),
    }
    written: dict[str, str] = {}
    for stem, folder in outputs if files else ():
        for item in sorted(Path(folder).iterdir()):
            if item.name in TABLES or not item.is_file():
                continue
            dest = target / item.name
            if item.name in written and written[item.name] != stem and sha256_file(dest) != sha256_file(item):
                raise BuildError(f"{stem} and {written[item.name]} both write figures/{item.name}, differently")
            shutil.copyfile(item, dest)
            written[item.name] = stem
    stems = {stem for stem, _ in outputs}
    for table in TABLES:
        order, columns = sort[table]
        frames = []
        if (target / table).exists():
            existing = _read_rows(target / table)
            frames.append(existing[~existing["notebook"].isin(stems)] if replace else existing)
        for stem, folder in outputs:
            if (Path(folder) / table).exists():
                rows = _read_rows(Path(folder) / table)
                frames.append(rows[rows["notebook"] == stem])
        frames = [f for f in frames if len(f)]
        if not frames:
            with contextlib.suppress(FileNotFoundError):
                (target / table).unlink()
            continue
        # tables written before a column was added gain it, empty
        merged = pd.concat(frames, ignore_index=True).reindex(columns=columns, fill_value="")
        merged = merged.sort_values(order if table == export.KEY_NUMBERS else order[0], kind="stable")
        export.atomic_write(
            target / table, lambda h, m=merged: h.write(m.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def normal_permissions(folder: Path) -> None:
    """Folders 0777 and files 0666, less the umask, as any tool would create them."""
    mask = _umask()
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o777 & ~mask)
        for name in files:
            os.chmod(os.path.join(root, name), 0o666 & ~mask)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system or the file system cannot."""
    func = _renameat2()
    if func is None:
        return False
    if func(_AT_FDCWD, os.fsencode(str(a)), _AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, f"cannot exchange {a} and {b}: {os.strerror(err)}")


def _pause(step: str) -> None:
    """Testing aid: ``BERING_SWAP_PAUSE=seconds`` sleeps at each step of a swap (see tests)."""
    delay = os.environ.get("BERING_SWAP_PAUSE")
    if delay:
        time.sleep(float(delay))


def swap_in(staging: Path, target: Path, keep: Iterable[str] = (".gitkeep",)) -> None:
    """Put the complete folder ``staging`` in ``target``'s place.

    Files named in ``keep`` are carried over from the old ``target``; the folder gets normal
    permissions. On Linux the exchange is one ``renameat2(RENAME_EXCHANGE)``, so at every moment
    ``target`` is either the old folder or the new one, complete. Elsewhere two renames are used
    (a kill between them leaves no ``target``; the next run restores it from the cache).
    """
    for name in keep:
        if (target / name).is_file():
            shutil.copy2(target / name, staging / name)
    normal_permissions(staging)
    _pause("before exchange")
    if not target.exists():
        os.rename(staging, target)
        return
    if exchange(staging, target):
        _pause("after exchange")
        shutil.rmtree(staging, ignore_errors=True)  # now the old contents
        return
    old = target.parent / f".{target.name}-old-{os.getpid()}"
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def locked_target(target: Path):
    """Check that ``target`` can be replaced, hold a lock on it for the run, and remove staging
    folders that killed runs left behind (under the lock nobody else is using them)."""
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    problems = []
    if not os.access(parent, os.W_OK | os.X_OK):
        problems.append(f"{parent} is not writable")
    if target.exists() and not target.is_dir():
        problems.append(f"{target} exists and is not a folder")
    elif target.exists() and not os.access(target, os.W_OK | os.X_OK):
        problems.append(f"{target} is not writable (read-only folders are never replaced)")
    if problems:
        raise BuildError("; ".join(problems) + "; nothing was run")
    lock_path = parent / f".{target.name}.lock"
    handle = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is writing {target} (lock {lock_path}); nothing was run") from None
        for stale in [*parent.glob(f".{target.name}-staging-*"), *parent.glob(f".{target.name}-old-*")]:
            shutil.rmtree(stale, ignore_errors=True)
        yield target
    finally:
        handle.close()


@contextlib.contextmanager
def _locked_cache(cache: Path):
    """One build at a time per cache: it removes the leftovers of killed runs when it starts."""
    cache.mkdir(parents=True, exist_ok=True)
    handle = open(cache / ".lock", "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is using the cache {cache}; nothing was run") from None
        yield cache
    finally:
        handle.close()


def tree_digest(folder: Path) -> str | None:
    """Content hash of a folder's files (``.gitkeep`` aside); None if it is not a folder."""
    if not Path(folder).is_dir():
        return None
    digest = hashlib.sha256()
    for item in sorted(Path(folder).iterdir()):
        if item.name != ".gitkeep":
            digest.update(f"{item.name}\0{sha256_file(item)}\0".encode())
    return digest.hexdigest()


def fingerprint(files: Iterable[Path]) -> str:
    """Content hash of the given files, names included (a missing file counts as such)."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path}\0{sha256_file(Path(path)) or 'missing'}\0".encode())
    return digest.hexdigest()


def data_fingerprint(data_dir: Path) -> str:
    """Every file of the data folder, and the package modules that hold the validation rules."""
    data_dir = Path(data_dir).resolve()
    files = sorted(p for p in data_dir.rglob("*") if p.is_file() and "_staging" not in p.parts)
    package = Path(__file__).parent
    return fingerprint([*files, package / "data.py", package / "checks.py"])


def marker(name: str, cache_dir: Path | None = None) -> dict:
    """A small JSON note the build keeps in its cache (what was last validated, assembled, ...)."""
    try:
        return json.loads((Path(cache_dir or default_cache_dir()) / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def set_marker(name: str, value: dict, cache_dir: Path | None = None) -> None:
    cache = Path(cache_dir or default_cache_dir())
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{name}.json.part"
    tmp.write_text(json.dumps(value, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, cache / f"{name}.json")


def same_tree(a: Path, b: Path) -> bool:
    """True if both folders hold the same file names with the same bytes (``.gitkeep`` aside)."""

    def listing(folder):
        return {p.name for p in folder.iterdir() if p.name != ".gitkeep"} if folder.is_dir() else None

    names = listing(a)
    if names is None or names != listing(b):
        return False
    return all(sha256_file(a / n) == sha256_file(b / n) for n in names)


# ---------------------------------------------------------------------------------------------
# The build


@dataclass
class Outcome:
    notebook: str
    ran: bool
    seconds: float
    reason: str


@dataclass
class Report:
    target: Path | None
    outcomes: list[Outcome] = field(default_factory=list)
    figures_changed: bool = False
    stored: list[Path] = field(default_factory=list)

    @property
    def executed(self) -> list[str]:
        return [o.notebook for o in self.outcomes if o.ran]


def _notebook_text(nb) -> str:
    import nbformat

    nb.metadata.pop("widgets", None)
    return nbformat.writes(nb) + "\n"


class _Build:
    def __init__(self, notebooks, *, force, jobs, timeout, cache_dir, progress):
        self.notebooks = [Path(p).resolve() for p in notebooks]
        self.force = force
        self.jobs = max(1, jobs or default_jobs())
        self.timeout = timeout
        self.cache = Path(cache_dir or default_cache_dir()).resolve()
        self.progress = progress or (lambda line: None)
        self.env_key = environment_key()
        self.hashes: dict[str, str | None] = {}
        self.results: dict[str, tuple[str, Path]] = {}  # stem -> (notebook text, output folder)
        self.outcomes: dict[str, Outcome] = {}

    def entry(self, path: Path) -> Entry:
        return Entry(self.cache / path.stem)

    async def one(self, path: Path, before: list[str] | None, gate: asyncio.Semaphore) -> None:
        """Serve ``path`` from the cache or run it; ``before`` are the notebooks whose tables a
        reader is given (None for a notebook that reads none)."""
        entry = self.entry(path)
        source = source_digest(read_notebook(path))
        given = None if before is None else [(s, self.results[s][1]) for s in before]
        seed = seed_digest(given)
        reason = "--force" if self.force else why_stale(entry.record(), source, self.env_key, seed, self.hashes)
        if reason is None:
            self.results[path.stem] = (entry.notebook_path.read_text(encoding="utf-8"), entry.out)
            self.outcomes[path.stem] = Outcome(path.name, False, 0.0, "unchanged")
            self.progress(f"{path.name:<40} unchanged (cached)")
            return
        async with gate:
            self.progress(f"{path.name:<40} running ({reason})")
            run_dir = Path(tempfile.mkdtemp(prefix=f".run-{path.stem}-", dir=self.cache))
            try:
                if given:
                    merge_outputs(run_dir, given, files=False)
                start = time.perf_counter()
                executed, trace = await execute_async(path, run_dir, timeout=self.timeout, trace=True)
                seconds = time.perf_counter() - start
                files, folders = _inputs_from_trace(trace or {}, [run_dir, self.cache])
                record = {
                    "version": CACHE_VERSION,
                    "notebook": path.name,
                    "source": source,
                    "env": self.env_key,
                    "seed": seed,
                    "seconds": round(seconds, 1),
                    "files": {f: input_digest(Path(f)) for f in files},
                    "folders": {d: listing_digest(Path(d)) for d in folders},
                }
                text = _notebook_text(executed)
                record["stored"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
                _store_entry(entry, text, run_dir, record)
            finally:
                if run_dir.exists():
                    shutil.rmtree(run_dir, ignore_errors=True)
        self.results[path.stem] = (text, entry.out)
        self.outcomes[path.stem] = Outcome(path.name, True, seconds, reason)
        self.progress(f"{path.name:<40} ran in {seconds:.1f} s")

    async def run(self) -> None:
        self.cache.mkdir(parents=True, exist_ok=True)
        for leftover in [*self.cache.glob(".run-*"), *self.cache.glob(".seed-*")]:
            shutil.rmtree(leftover, ignore_errors=True)
        gate = asyncio.Semaphore(self.jobs)
        ordered = execution_order(self.notebooks)
        readers = [p for p in ordered if reads_outputs(p)]
        first = [p for p in ordered if p not in readers]
        # the gate lets kernels in the order they ask: the longest expected first
        first = longest_first(first, expected_seconds(first, self.cache))
        await _all([self.one(p, None, gate) for p in first])
        done = [p.stem for p in first]
        for path in readers:  # in reading order, each seeing what ran before it
            await self.one(path, list(done), gate)
            done.append(path.stem)


async def _all(coroutines) -> None:
    """Run concurrently; on the first failure cancel the rest, wait for their clean-up, re-raise."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    if not tasks:
        return
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    failed = [t for t in tasks if t in done and not t.cancelled() and t.exception() is not None]
    if failed:
        raise failed[0].exception()


def build(
    notebooks: list[Path] | None = None,
    *,
    out_dir: Path | None = None,
    store: bool = True,
    force: bool = False,
    jobs: int | None = None,
    timeout: float = CELL_TIMEOUT_S,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    merge_into_existing: bool = False,
) -> Report:
    """Execute what changed, then replace ``out_dir`` (default: :func:`bering.paths.figures_dir`)
    and, with ``store``, write the executed notebooks in place.

    With ``merge_into_existing`` (for a subset of notebooks) the other notebooks' files and rows in
    ``out_dir`` are kept; otherwise ``out_dir`` holds exactly what these notebooks wrote. Raises
    :class:`NotebookFailed`, :class:`BuildError` or :class:`Interrupted`, leaving ``out_dir`` and
    the notebooks as they were.
    """
    notebooks = list(notebooks) if notebooks is not None else notebook_order()
    if not notebooks:
        raise BuildError(f"no notebooks (NN_slug.ipynb) found in {paths.NOTEBOOKS_DIR}")
    missing = [str(p) for p in notebooks if not Path(p).is_file()]
    if missing:
        raise BuildError(f"no such notebook: {', '.join(missing)}")
    target = Path(out_dir or paths.figures_dir()).resolve()
    if store:
        unwritable = [str(p) for p in notebooks if not os.access(p, os.W_OK)]
        if unwritable:
            raise BuildError(f"cannot store outputs in read-only notebook(s): {', '.join(unwritable)}; nothing was run")
    report = Report(target)
    with locked_target(target), _locked_cache(Path(cache_dir or default_cache_dir())):
        run = _Build(notebooks, force=force, jobs=jobs, timeout=timeout, cache_dir=cache_dir, progress=progress)
        _run(run.run())
        report.outcomes = [run.outcomes[Path(p).stem] for p in notebooks]
        # what these records assemble into; if the target still holds exactly that, leave it alone
        records = fingerprint([run.entry(Path(p).resolve()).record_path for p in notebooks])
        assembled = marker("assembled", run.cache)
        previous = assembled.get(str(target), {})
        unchanged = (
            not report.executed
            and not merge_into_existing
            and previous.get("records") == records
            and previous.get("tree") is not None
            and previous.get("tree") == tree_digest(target)
        )
        staging = None if unchanged else Path(tempfile.mkdtemp(prefix=f".{target.name}-staging-", dir=target.parent))
        try:
            if staging is not None:
                if merge_into_existing and target.is_dir():
                    for item in target.iterdir():
                        if item.is_file():
                            shutil.copy2(item, staging / item.name)
                merge_outputs(staging, [(Path(p).stem, run.results[Path(p).stem][1]) for p in notebooks])
                if not same_tree(staging, target):
                    swap_in(staging, target)
                    report.figures_changed = True
                if not merge_into_existing:
                    assembled[str(target)] = {"records": records, "tree": tree_digest(target)}
                    set_marker("assembled", assembled, run.cache)
        finally:
            if staging is not None and staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    if store:
        for path in notebooks:
            text = run.results[Path(path).stem][0]
            if Path(path).read_text(encoding="utf-8") != text:
                from . import export

                export.atomic_write(Path(path), lambda h, t=text: h.write(t.encode("utf-8")))
                os.chmod(path, 0o666 & ~_umask())
                report.stored.append(Path(path))
    return report


def export_all(
    out_dir: Path | None = None, notebooks: list[Path] | None = None, progress: bool = True
) -> list[tuple[str, float]]:
    """Execute every notebook afresh (no cache) and replace ``out_dir`` with what they wrote; the
    notebook files are not touched. Returns ``[(notebook name, seconds)]``."""
    with tempfile.TemporaryDirectory(prefix="bering-cache-") as cache:
        report = build(
            notebooks,
            out_dir=out_dir,
            store=False,
            force=True,
            cache_dir=Path(cache),
            progress=print if progress else None,
        )
    return [(o.notebook, o.seconds) for o in report.outcomes]


def refresh(notebooks: list[Path] | None = None, out_dir: Path | None = None) -> list[Path]:
    """Re-execute notebooks (all by default) and store their outputs in the files; their figures go
    into ``out_dir`` (default :func:`bering.paths.figures_dir`) beside the other notebooks' ones."""
    notebooks = [Path(p) for p in (notebooks or notebook_order())]
    build(notebooks, out_dir=out_dir, store=True, force=True, merge_into_existing=True)
    return notebooks


def stale_notebooks(notebooks: list[Path] | None = None, cache_dir: Path | None = None) -> dict[str, str] | None:
    """Notebooks whose stored outputs may not be what their inputs give now, with the reason.

    Judged from the build cache: a notebook is current when its cache entry holds for the present
    inputs and the stored file is the one that run wrote. None when there is no cache to judge by.
    """
    cache = Path(cache_dir or default_cache_dir())
    if not cache.is_dir():
        return None
    env_key, hashes, stale = environment_key(), {}, {}
    notebooks = [Path(p) for p in (notebooks or notebook_order())]
    readers = {p for p in notebooks if reads_outputs(p)}
    first = [p for p in notebooks if p not in readers]
    done = []
    for path in [*first, *[p for p in notebooks if p in readers]]:
        record = Entry(cache / path.stem).record()
        given = None
        if path in readers:
            if any(s in stale for s in done):
                stale[path.stem] = "a notebook it reads is stale"
                done.append(path.stem)
                continue
            given = [(s, cache / s / "out") for s in done]
        reason = why_stale(record, source_digest(read_notebook(path)), env_key, seed_digest(given), hashes)
        if reason is None and record.get("stored") != hashlib.sha256(path.read_bytes()).hexdigest():
            reason = "stored outputs differ from the last build"
        if reason:
            stale[path.stem] = reason
        done.append(path.stem)
    return stale


def stale_message(stale: dict[str, str]) -> str:
    lines = [f"stored outputs are stale in {len(stale)} notebook(s); run {FIX_COMMAND} to fix:"]
    lines += [f"  {name}: {reason}" for name, reason in sorted(stale.items())]
    return "\n".join(lines)
