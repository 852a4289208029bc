"""What every plot function of the collection returns (a figure and what the exporter needs to publish
it), and the few drawing conventions the plot modules share."""

from __future__ import annotations

from dataclasses import dataclass

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

    def export(self, out):
        """Save through the notebook's exporter (:meth:`bering.export.Exporter.figure`); returns what it returns."""
        return out.figure(
            self.fig,
            self.name,
            title=self.title,
            alt=self.alt,
            source=self.source,
            data_files=list(self.data_files),
            data=self.data,
            method=self.method,
        )


#: Screen resolution of the figures as a notebook shows them (the exporter writes files at 200 dpi whatever
#: this says); kept below the style's 100 dpi so the notebooks stay small.
DISPLAY_DPI = 80


def legend_below(ax, handles=None, *, below: float, ncol: int, fontsize: float = 9) -> None:
    """A frameless legend centred under the axes, ``below`` axes heights down, in ``ncol`` columns
    (``handles`` None: the labelled artists of ``ax``)."""
    extra = {} if handles is None else {"handles": handles}
    ax.legend(**extra, frameon=False, fontsize=fontsize, loc="upper center", bbox_to_anchor=(0.5, -below), ncol=ncol)
