"""The front door of the collection (notebook 00): its notebooks, their findings, its data.

Nothing here is typed by hand. Each notebook's question is its own first heading; its findings are
the key numbers it recorded in ``figures/key_numbers.csv``; its figures are its rows of
``figures/catalogue.csv``; the data files, their descriptions and row counts come from
``data/datapackage.json`` and the files themselves. The export runs notebook 00 last, so every
other notebook has recorded its numbers by then.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import data, export, paths
from .notebook import Markdown
from .readme import notebook_title

OVERVIEW_STEM = "00_overview"


def readable_number(value: float) -> str:
    """A number for prose: from 100 up rounded to a whole number, below that three significant digits."""
    value = float(value)
    if abs(value) >= 100 or value.is_integer():
        return f"{round(value):d}"
    return f"{value:.3g}"


def markdown_table(frame: pd.DataFrame) -> Markdown:
    """``frame`` as a Markdown table, shown in full in a notebook (no truncated cells)."""
    def cell(value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        text = readable_number(value) if isinstance(value, float) else str(value)
        return text.replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return Markdown("\n".join(lines))


def analysis_notebooks(notebooks_dir: Path | None = None) -> list[Path]:
    """The numbered notebooks other than this overview, in reading order."""
    folder = Path(notebooks_dir or paths.NOTEBOOKS_DIR)
    return [p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb")) if p.stem != OVERVIEW_STEM]


def findings(numbers: pd.DataFrame, notebook: str) -> str:
    """The key numbers one notebook recorded, as 'description: value unit' joined by semicolons."""
    mine = numbers[numbers["notebook"] == notebook]
    return "; ".join(f"{r.description}: {readable_number(r.value)} {r.unit}" for r in mine.itertuples())


def _figure_ref(name: str, files: str, links: bool) -> str:
    first = str(files).split(";")[0]
    return f"[{name}](../figures/{first})" if links and first else name


def notebook_map(notebooks_dir: Path | None = None, figures_dir: Path | None = None,
                 links: bool = False) -> pd.DataFrame:
    """One row per notebook: its question (title), headline findings (key numbers) and figures.

    With ``links`` the figures are Markdown links to their first file, relative to ``notebooks/``.
    """
    numbers = export.key_numbers(figures_dir)
    catalogue = export.catalogue(figures_dir)
    rows = []
    for path in analysis_notebooks(notebooks_dir):
        mine = catalogue[catalogue["notebook"] == path.stem]
        figures = [_figure_ref(n, f, links) for n, f in zip(mine["name"], mine["files"])]
        rows.append({"notebook": path.stem, "question": notebook_title(path),
                     "headline findings": findings(numbers, path.stem) or "(no key numbers recorded yet)",
                     "figures": ", ".join(figures) or "-"})
    return pd.DataFrame(rows, columns=["notebook", "question", "headline findings", "figures"])


def figure_list(figures_dir: Path | None = None) -> pd.DataFrame:
    """Every figure in the catalogue: name, notebook, title and the files it was written as."""
    catalogue = export.catalogue(figures_dir)
    table = catalogue[["name", "notebook", "title", "files"]].copy()
    table["files"] = table["files"].str.replace(";", ", ", regex=False)
    return table.sort_values("name", kind="stable").reset_index(drop=True)


def data_files(data_dir: Path | None = None) -> pd.DataFrame:
    """Every data file in the dictionary: path, title, rows, fields, sources cited, description."""
    package = data.load_package(data_dir)
    rows = []
    for res in package["resources"]:
        frame = data.load(res["name"], data_dir, cross_checks=False)
        cited = (int(frame["source_id"].nunique()) if "source_id" in frame.columns and res["name"] != "sources"
                 else None)
        rows.append({"file": f"data/{res['path']}", "title": res.get("title", res["name"]),
                     "rows": len(frame), "fields": len(res["schema"]["fields"]),
                     "sources cited": cited, "description": res.get("description", "")})
    table = pd.DataFrame(rows)
    table["sources cited"] = table["sources cited"].astype("Int64")
    return table


def assumptions(data_dir: Path | None = None) -> pd.DataFrame:
    """The values nobody publishes, which notebooks use them, and the value chosen."""
    table = data.load("assumptions", data_dir)
    return table[["assumption_id", "value", "unit", "description", "used_in"]]


def headline(notebooks_dir: Path | None = None, figures_dir: Path | None = None,
             data_dir: Path | None = None) -> list[tuple[str, int, str, str]]:
    """The overview's own key numbers as ``(key, value, unit, description)``."""
    package = data.load_package(data_dir)
    return [
        ("n_notebooks", len(analysis_notebooks(notebooks_dir)), "notebooks",
         "Analysis notebooks in the collection (besides this overview)"),
        ("n_data_files", len(package["resources"]), "files", "Data files described in data/datapackage.json"),
        ("n_sources", len(data.load("sources", data_dir)), "sources", "Sources cited by the data (data/sources.csv)"),
        ("n_assumptions", len(data.load("assumptions", data_dir)), "assumptions",
         "Values no source publishes, each with its rationale (data/assumptions.csv)"),
        ("n_figures", len(export.catalogue(figures_dir)), "figures", "Figures in figures/catalogue.csv"),
    ]
