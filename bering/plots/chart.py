"""A figure together with what the exporter needs to publish it.

Chart functions of :mod:`bering.plots` return a :class:`Chart`, so a notebook exports a figure in
one line (``chart.export(out)``) with a title, alt text, source line and method note that were
computed from the data, not typed into the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    """A figure (matplotlib or plotly) and its metadata for :meth:`bering.export.Exporter.figure`."""

    fig: object
    name: str
    title: str
    alt: str
    source: str
    data_files: tuple[str, ...]
    method: str = ""

    def export(self, out):
        """Save through the notebook's exporter; returns what it returns."""
        return out.figure(
            self.fig,
            self.name,
            title=self.title,
            alt=self.alt,
            source=self.source,
            data_files=list(self.data_files),
            method=self.method,
        )
