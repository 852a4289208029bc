"""Execute every notebook headless and regenerate ``figures/`` in one transaction.

The notebooks run in memory (their files are never modified), in reading order, each in a fresh
kernel started in ``notebooks/``. They write into a staging folder beside the target; only when
every notebook has succeeded does the staging folder replace the target. If a notebook fails, or
the run is interrupted, the staging folder is removed and the target keeps its previous contents.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from . import export, paths

KERNEL = "python3"
CELL_TIMEOUT_S = 600


class NotebookFailed(RuntimeError):
    """A notebook raised while executing; names the notebook and the cell."""


def notebook_order(notebooks_dir: Path | None = None) -> list[Path]:
    """The notebooks in execution order: numbered ones ascending, the overview (00) last,
    since it summarises the others' key numbers."""
    found = sorted(Path(notebooks_dir or paths.NOTEBOOKS_DIR).glob("[0-9][0-9]_*.ipynb"))
    return [p for p in found if not p.name.startswith("00_")] + [p for p in found if p.name.startswith("00_")]


def _failing_cell(nb) -> tuple[int, str, str]:
    """Index (1-based, counting all cells), first source line and error of the cell that failed."""
    for i, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = (cell.source.strip().splitlines() or [""])[0]
                return i, first, f"{out.get('ename')}: {out.get('evalue')}"
    return 0, "", ""


def execute_notebook(path: Path, out_dir: Path, env: dict[str, str] | None = None):
    """Execute one notebook in memory with its figures written to ``out_dir``; return it."""
    nb = nbformat.read(path, as_version=4)
    old = {k: os.environ.get(k) for k in ("BERING_FIGURES_DIR", *(env or {}))}
    os.environ["BERING_FIGURES_DIR"] = str(out_dir)
    os.environ.update(env or {})
    try:
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT_S, record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        return nb
    except CellExecutionError as exc:
        index, first, error = _failing_cell(nb)
        raise NotebookFailed(f"{path.name} failed at cell {index} ({first}): {error or exc.ename}") from None
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def export_all(out_dir: Path | None = None, notebooks: list[Path] | None = None,
               progress: bool = True) -> list[tuple[str, float]]:
    """Run every notebook and replace ``out_dir`` (default ``figures/``) with what they wrote.

    Returns ``[(notebook name, seconds)]``. On failure raises :class:`NotebookFailed` and leaves
    ``out_dir`` exactly as it was.
    """
    target = Path(out_dir or paths.committed_figures_dir()).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    notebooks = notebooks or notebook_order()
    if not notebooks:
        raise NotebookFailed(f"no notebooks found in {paths.NOTEBOOKS_DIR}")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-staging-", dir=target.parent))
    timings = []
    try:
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(notebooks, desc="notebooks", unit="nb")
        for path in notebooks:
            if bar is not None:
                bar.set_postfix_str(path.stem)
            start = time.perf_counter()
            execute_notebook(path, staging)
            timings.append((path.name, time.perf_counter() - start))
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        export.replace_dir(staging, target, keep=(".gitkeep",))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return timings


def refresh(notebooks: list[Path] | None = None, out_dir: Path | None = None) -> list[Path]:
    """Re-execute notebooks and store their outputs in the files (for maintainers).

    Figures go to ``out_dir`` (default ``figures/``), exactly as an interactive run would write them.
    Cell ids and metadata are kept; no timing metadata is recorded, so an unchanged notebook
    re-executes to the same bytes.
    """
    written = []
    for path in notebooks or notebook_order():
        nb = execute_notebook(Path(path), Path(out_dir or paths.committed_figures_dir()))
        nb.metadata.pop("widgets", None)
        text = nbformat.writes(nb) + "\n"
        Path(path).write_text(text, encoding="utf-8")
        written.append(Path(path))
    return written
