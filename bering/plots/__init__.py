"""Figures and widgets, apart from the models they draw (which import no plotting library).

Each figure the collection publishes is registered by the plot module that draws it
(:func:`bering.plots.chart.registered`), so :func:`catalogue` lists every figure, the notebook that
exports it, its title and the files it is written as, computed from the data alone: no module reads
the catalogue back from ``figures/``.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

#: The plot modules, imported by :func:`catalogue` so that every figure is registered.
MODULES = ("timeline", "route", "costs", "minerals", "ledger", "economics")


def recipes() -> dict:
    """Every registered figure by name (:class:`bering.plots.chart.Recipe`), in name order."""
    from .chart import RECIPES

    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return dict(sorted(RECIPES.items()))


def files_of(name: str, interactive: bool) -> list[str]:
    """The files the exporter writes for figure ``name`` (:meth:`bering.export.Exporter.figure`): an
    HTML page for an interactive figure, PNG, SVG and PDF for a static one, and its data as CSV."""
    from ..export import STATIC_FORMATS

    kinds = ["html"] if interactive else list(STATIC_FORMATS)
    return [f"{name}.{kind}" for kind in [*kinds, "csv"]]


def figure_index():
    """Every figure the collection publishes (name, notebook, files), from the registrations alone: no
    figure is drawn, so it costs an import. :func:`catalogue` adds what drawing gives (title, alt text,
    source line, method note, data files)."""
    import pandas as pd

    rows = [
        {"name": name, "notebook": r.notebook, "files": ";".join(files_of(name, r.interactive))}
        for name, r in recipes().items()
    ]
    return pd.DataFrame(rows, columns=["name", "notebook", "files"])


@functools.cache
def _catalogue(folder: str):
    import matplotlib.pyplot as plt
    import pandas as pd

    rows = []
    for name, recipe in recipes().items():
        chart = recipe.build(Path(folder))
        if chart.name != name:
            raise ValueError(f"the recipe registered as '{name}' draws '{chart.name}'")
        if chart.interactive != recipe.interactive:
            raise ValueError(
                f"the recipe registered as '{name}' says interactive={recipe.interactive}, but draws "
                f"{'a plotly' if chart.interactive else 'a matplotlib'} figure"
            )
        if not chart.interactive:
            plt.close(chart.fig)
        rows.append(
            {
                "name": name,
                "notebook": recipe.notebook,
                "title": chart.title,
                "alt_text": chart.alt,
                "source_line": chart.source,
                "method_note": " ".join(chart.method.split()),
                "files": ";".join(files_of(name, chart.interactive)),
                "data_files": ";".join(sorted(set(chart.data_files))),
            }
        )
    return pd.DataFrame(rows)


def catalogue(data_dir: Path | str | None = None):
    """Every figure the collection publishes, one row per figure, with the columns of
    ``figures/catalogue.csv`` (name, notebook, title, alt text, source line, method note, files, data
    files), computed from the data folder by drawing each figure once (cached per folder)."""
    from .. import paths

    return _catalogue(str(paths.absolute(data_dir or paths.data_dir()))).copy()
