"""What every notebook does first and last: style, exporter, summary and references.

>>> out = notebook.start("01_proposal_timeline")   # style applied, plotly set to store JSON
>>> ...
>>> notebook.summary(out)                         # the headline numbers this notebook recorded
>>> notebook.references(frame_a, frame_b)         # the sources its tables cite
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import data, export, style


def start(notebook: str) -> export.Exporter:
    """Apply the shared style, make plotly store figures as JSON, and return the notebook's exporter.

    Plotly figures are shown through the ``application/vnd.plotly.v1+json`` mimetype: JupyterLab
    renders it interactively, and the stored output is plain JSON that strict nbval can compare
    (no embedded plotly.js, no random ids).
    """
    import plotly.io as pio

    style.apply()
    pio.renderers.default = "plotly_mimetype"
    pd.set_option("display.max_colwidth", 80)
    pd.set_option("display.width", 120)
    return export.Exporter(notebook)


def summary(out: export.Exporter) -> pd.DataFrame:
    """The notebook's headline numbers, as written to ``key_numbers.csv``."""
    table = out.numbers()[["key", "value", "unit", "description"]]
    table["value"] = table["value"].map(export.format_value)
    return table


def references(*frames: pd.DataFrame) -> pd.DataFrame:
    """Publisher, title, date and URL of every source the given tables cite."""
    cited = data.sources_for(frames)
    return cited[["source_id", "publisher", "title", "date_published", "url"]]


@dataclass(frozen=True)
class Markdown:
    """Text shown as Markdown in a notebook (and as itself anywhere else)."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text
