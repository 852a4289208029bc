"""What every plot function of the collection returns (a figure and what the exporter needs to publish
it), and the few drawing conventions the plot modules share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd


@dataclass(frozen=True)
class Chart:
    """A figure (matplotlib or plotly) with its name, a title that states the finding, alt text, a source
    line, the data files it draws on and a note on how its values were computed, all computed from the
    data; ``data`` is the plotted table when the figure's artists do not hold it (None: read them).

    A notebook exports it in one line: ``plots.some_chart(...).export(out)``.
    """

    fig: object
    name: str
    title: str
    alt: str
    source: str
    data_files: tuple[str, ...]
    method: str = ""
    data: pd.DataFrame | None = None

    @property
    def interactive(self) -> bool:
        """A plotly figure (written as an HTML page), not a static one (PNG, SVG and PDF)."""
        return not hasattr(self.fig, "savefig")

    def export(self, out, show: bool = False):
        """Save through the notebook's exporter (:meth:`bering.export.Exporter.figure`); returns what it
        returns, or with ``show`` the figure itself, so that a notebook cell exports and shows an
        interactive figure in one line."""
        saved = out.figure(
            self.fig,
            self.name,
            title=self.title,
            alt=self.alt,
            source=self.source,
            data_files=list(self.data_files),
            data=self.data,
            method=self.method,
        )
        return self.fig if show else saved


@dataclass(frozen=True)
class Recipe:
    """How the package draws one published figure: its name, the notebook that exports it, and a
    function of the data folder returning its :class:`Chart` (see :func:`registered`)."""

    name: str
    notebook: str
    build: Callable[[Path | None], Chart]
    interactive: bool = False


#: Every published figure by name, filled by :func:`registered` as the plot modules are imported
#: (:func:`bering.plots.catalogue` imports them all).
RECIPES: dict[str, Recipe] = {}


def registered(name: str, notebook: str, interactive: bool = False):
    """Decorator: ``build(data_dir=None)`` returns the :class:`Chart` that ``notebook`` exports as
    ``name``, computed from the data folder as the notebook computes it. This records what the package
    publishes, so that the figure catalogue is computed from the data (:func:`bering.plots.catalogue`)
    rather than read back from ``figures/``; it selects nothing. ``interactive`` says the figure is a plotly
    page (written as HTML), so the list of figures and their files (:func:`bering.plots.figure_index`) is
    known without drawing any; :func:`bering.plots.catalogue` checks it against the drawn figure."""
    if not name.startswith(notebook[:3]):
        raise ValueError(f"figure '{name}' must start with its notebook's number '{notebook[:3]}'")

    def where(function) -> str:
        return f"{function.__module__}.{function.__qualname__}"

    def register(build):
        known = RECIPES.get(name)
        # the same function again (a module imported anew) replaces itself; another one is an error
        if known is not None and where(known.build) != where(build):
            raise ValueError(f"figure '{name}' is registered twice ({where(known.build)}, {where(build)})")
        RECIPES[name] = Recipe(name, notebook, build, interactive)
        return build

    return register


#: Screen resolution of the figures as a notebook shows them (the exporter writes files at 200 dpi whatever
#: this says); kept below the style's 100 dpi so the notebooks stay small.
DISPLAY_DPI = 80


def legend_below(ax, handles=None, *, below: float, ncol: int, fontsize: float = 9) -> None:
    """A frameless legend centred under the axes, ``below`` axes heights down, in ``ncol`` columns
    (``handles`` None: the labelled artists of ``ax``)."""
    extra = {} if handles is None else {"handles": handles}
    ax.legend(**extra, frameon=False, fontsize=fontsize, loc="upper center", bbox_to_anchor=(0.5, -below), ncol=ncol)
