"""Save figures and headline numbers, the one way every notebook does it.

A notebook makes one :class:`Exporter` and calls :meth:`Exporter.figure` for every chart and
:meth:`Exporter.number` for every headline number:

* a matplotlib figure is written as PNG (200 dpi), SVG and PDF; a plotly figure as an offline
  HTML page that loads ``plotly.min.js`` from the same folder (shipped once, never a CDN);
* the title, the source line and the alt text are required; the title and source line are drawn
  on the figure and the alt text is embedded in the file metadata;
* beside every figure goes ``NN_slug.csv``, exactly the data it plots (one row per plotted point:
  panel, series, kind, x, y, ...), read from the figure itself unless the notebook passes
  ``data=``; it is listed last in the figure's ``files``;
* SVG text stays text (``svg.fonttype: none``) so a graphics desk can edit labels; log axes are
  labelled 0.1, 1, 10 rather than 10^-1, 10^0, 10^1;
* plotly pages size themselves to their container, wrap the source line instead of cutting it,
  and their toolbar has no cloud ("Share chart") button and downloads SVG (:data:`PLOTLY_CONFIG`);
* every file is written to a temporary name and renamed into place, so a failure never leaves a
  half-written figure; a catalogue row is added only after its files exist;
* files carry no timestamps or random ids, so a re-run reproduces them byte for byte.

How a static figure is written, and why (writing the three files was most of notebooks 02, 03 and
04's time): the figure is laid out and measured once (:func:`laid_out_once`: its layout engine
runs and its tight bounding box plus 0.2 in is taken, at the PNG's 200 dpi), then each format is
drawn exactly once into that fixed box, with the layout engine held off. ``bbox_inches="tight"``
per format drew every figure six times (a measuring and a rendering draw per format) and framed
the SVG and PDF a few points differently from the PNG; now the three files share one frame (the
PNGs are the same pixels as before). The PDF embeds its fonts as TrueType (Type 42: text stays
selectable and editable), subset without the OpenType layout tables no PDF viewer reads
(:func:`lean_font_subsets`). Measured (CPU seconds, minimum of 2 interleaved runs, a loaded 2-core
machine): :meth:`Exporter.figure` on the collection's 25 static figures took 58.7 s before and
37.6 s after, 36 % less; per figure 0.2-1.7 s less.

The folder written to is :func:`bering.paths.figures_dir` (``figures/`` unless
``BERING_FIGURES_DIR`` says otherwise), with ``catalogue.csv`` and ``key_numbers.csv``.
"""

from __future__ import annotations

import contextlib
import html
import io
import math
import os
import re
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import matplotlib as mpl
import pandas as pd

from . import escape, paths, style

CATALOGUE = "catalogue.csv"
KEY_NUMBERS = "key_numbers.csv"
PLOTLY_JS = "plotly.min.js"
CATALOGUE_COLUMNS = ["name", "notebook", "title", "alt_text", "source_line", "method_note", "files", "data_files"]
KEY_COLUMNS = ["key", "value", "unit", "notebook", "description"]
STATIC_FORMATS = ("png", "svg", "pdf")
#: Resolution of the PNG (and of the one measuring draw, :func:`laid_out_once`).
DPI = 200
#: White space around the figure's tight bounding box, inches.
PAD_INCHES = 0.2
#: OpenType tables that only a text-shaping engine reads (glyph substitution and positioning, legacy
#: kerning, baselines, justification, math layout). Matplotlib places every glyph itself and a PDF
#: draws glyphs by id, so a PDF's embedded font subset never needs them (:func:`lean_font_subsets`).
LAYOUT_TABLES = ("BASE", "GDEF", "GPOS", "GSUB", "JSTF", "MATH", "kern")

#: The plotly configuration of every interactive chart, in the exported pages and on the site: no
#: plotly logo, no cloud upload ("Share chart" / "Edit in Chart Studio"), a camera button that
#: downloads an SVG, a chart that follows the size of its container.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio"],
    "toImageButtonOptions": {"format": "svg"},
}
#: Characters per line of a plotly source line before it wraps.
PLOTLY_SOURCE_WIDTH = 90

_NAME_RE = re.compile(r"^(\d\d)_[a-z0-9_]+$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


# ---------------------------------------------------------------------------------------------
# Atomic file writing


def atomic_write(path: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def replace_dir(staging: Path, target: Path, keep: Iterable[str] = ()) -> None:
    """Put the folder ``staging`` in ``target``'s place (files named in ``keep`` are carried over
    from the old ``target``), with normal permissions; the old contents are removed afterwards.

    On Linux the two folders are exchanged in one atomic step (:func:`bering.runner.exchange`);
    elsewhere two renames are used."""
    from .runner import exchange, normal_permissions

    for name in keep:
        if (target / name).exists():
            shutil.copy2(target / name, staging / name)
    normal_permissions(staging)
    if target.exists() and exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now the old contents
        return
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` as the collection writes every CSV it exports (the catalogue, the key numbers,
    the plotted data): UTF-8, LF, no index, atomically, and with every text cell that a spreadsheet
    would run as a formula neutralised (:func:`bering.escape.spreadsheet_cell`; numbers, negative ones
    included, are left as they are). A line break inside a text cell is written as LF (a lone CR would
    not be quoted and would split the row). :func:`read_csv` reads it back as the values written."""
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype):
            frame[col] = frame[col].map(
                lambda v: v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v
            )
    text = escape.spreadsheet_frame(frame).to_csv(index=False, lineterminator="\n")
    atomic_write(path, lambda h: h.write(text.encode("utf-8")))


def read_csv(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A CSV written by :func:`write_csv`, as text, with the formula neutralisation undone (an empty
    table with ``columns`` if the file does not exist)."""
    if path.exists():
        return escape.unescape_frame(pd.read_csv(path, dtype=str, keep_default_na=False))
    return pd.DataFrame(columns=columns or [])


# the names the export used before; other modules may still call them
_write_table = write_csv
_read_table = read_csv


# ---------------------------------------------------------------------------------------------
# Static figures: one layout and one measurement for the three formats, lean PDF font subsets


@contextlib.contextmanager
def laid_out_once(fig, dpi: float = DPI, pad: float = PAD_INCHES):
    """Lay ``fig`` out and measure its tight bounding box once, for every format written inside.

    Yields the bounding box (inches, padded by ``pad``) to pass to ``savefig(bbox_inches=...)``.
    ``bbox_inches="tight"`` would draw the figure once to measure and again to render, per format;
    here the measuring draw (with the figure's layout engine, at the PNG's ``dpi``, so the box is the
    one a tight PNG gets) happens once, and the layout engine is switched off while the files are
    written (the positions it computed stay), so each format is drawn exactly once. Restored after.
    Anything that is not a matplotlib figure yields None: the caller saves with ``"tight"`` as before.
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        yield None
        return
    canvas = fig.canvas
    manager, old_dpi = canvas.manager, fig.dpi
    canvas.manager = None  # as savefig does: a window, if any, is not resized by the dpi change
    try:
        fig.set_dpi(dpi)
        fig.draw_without_rendering()
        bbox = fig.get_tightbbox().padded(pad)
    finally:
        fig.set_dpi(old_dpi)
        canvas.manager = manager
    engine = fig.get_layout_engine()
    # None (not "none", whose placeholder engine makes savefig draw to measure anyway); the rc
    # settings below would otherwise turn None into a new engine
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    try:
        yield bbox
    finally:
        with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(engine)


class _LeanSubset:
    """``fontTools.subset`` as matplotlib's PDF backend sees it inside :func:`lean_font_subsets`: the
    same module, except that a loaded font loses its :data:`LAYOUT_TABLES` before it is subset."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name)

    def load_font(self, *args, **kwargs):
        font = self._module.load_font(*args, **kwargs)
        for tag in LAYOUT_TABLES:
            if tag in font:
                del font[tag]  # the font is loaded lazily: a table deleted is never decompiled
        return font


def _subsetting_module():
    """Matplotlib's PDF/PS helper module, if its font subsetting still works as
    :func:`lean_font_subsets` expects (``get_glyphs_subset`` loads the font through
    ``fontTools.subset.load_font``, reached as the module global ``subset``); else None."""
    try:
        from fontTools import subset
        from matplotlib.backends import _backend_pdf_ps as helper
    except ImportError:
        return None
    function = getattr(helper, "get_glyphs_subset", None)
    code = getattr(function, "__code__", None)
    if (
        getattr(helper, "subset", None) is not subset
        or code is None
        or not {"subset", "load_font"} <= set(code.co_names)
    ):
        return None
    return helper


@contextlib.contextmanager
def lean_font_subsets():
    """While active, the TrueType fonts matplotlib embeds in a PDF (Type 42, ``pdf.fonttype`` 42)
    are subset without their OpenType layout tables (:data:`LAYOUT_TABLES`). Yields True if it
    applies, False if matplotlib's internals differ from what it expects (then nothing is changed
    and the PDF is written as matplotlib always writes it).

    Why: fontTools decompiles and subsets GSUB, GPOS, GDEF, kern and MATH for every PDF (DejaVu Sans
    has them), which no PDF viewer reads: matplotlib has already placed each glyph, and the PDF
    addresses glyphs by id (fontTools 4.68 decompiles them even when told to drop them, so they are
    deleted from the lazily loaded font instead). Measured on six of the collection's figures (CPU
    seconds, best of 3, one draw per format): a PDF took 0.34-0.94 s with matplotlib's own subsets,
    0.21-0.70 s without these tables (one face: 0.20-0.23 s to subset, 0.06 s); Type 3 fonts would
    save only about 0.03-0.06 s more and lose editable text. The embedded font is still TrueType
    (FontFile2), the text still selectable through its ToUnicode map, and the glyphs the page draws
    and their outlines are the same (``tests/test_export.py``). Only the PDF helper module sees the
    change (``_backend_pdf_ps.subset``), only inside the ``with``; not thread-safe, like savefig.
    """
    helper = _subsetting_module()
    if helper is None:
        yield False
        return
    module = helper.subset
    helper.subset = _LeanSubset(module)
    try:
        yield True
    finally:
        helper.subset = module


# ---------------------------------------------------------------------------------------------
# Values


def format_value(value) -> str:
    """A stable text form of a number: integers as integers, others to 6 significant digits."""
    if isinstance(value, bool):
        raise TypeError("a key number must be a number, not a boolean")
    if isinstance(value, str):
        raise TypeError(f"a key number must be a number, not the text {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"a key number must be finite, not {value!r}")
    rounded = float(f"{number:.6g}")
    if rounded.is_integer() and abs(rounded) < 1e15:
        return str(int(rounded))
    return repr(rounded)


@dataclass(frozen=True)
class Saved:
    """What :meth:`Exporter.figure` wrote; shows as one line in a notebook."""

    name: str
    files: tuple[str, ...]

    def _repr_markdown_(self) -> str:
        return f"Saved `{self.name}`: " + ", ".join(f"`{f}`" for f in self.files)

    def __repr__(self) -> str:
        return f"Saved {self.name}: {', '.join(self.files)}"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False))


class Exporter:
    """Writes one notebook's figures and key numbers.

    ``notebook`` is the notebook's file stem, e.g. ``"01_proposal_timeline"``; figure names must
    start with its two-digit number.
    """

    def __init__(self, notebook: str, out_dir: Path | None = None):
        match = re.match(r"^(\d\d)_[a-z0-9_]+$", notebook)
        if not match:
            raise ValueError(f"notebook '{notebook}' must look like 'NN_slug' (e.g. 01_proposal_timeline)")
        self.notebook = notebook
        self.number_prefix = match.group(1)
        self.out_dir = Path(out_dir) if out_dir else paths.figures_dir()

    # -- figures -------------------------------------------------------------------------------

    def figure(
        self,
        fig,
        name: str,
        *,
        title: str,
        alt: str,
        source: str,
        data_files: Iterable[str] = (),
        data: pd.DataFrame | None = None,
        method: str = "",
    ) -> Saved:
        """Save ``fig`` (matplotlib or plotly) as ``name`` with its title, alt text and source line.

        ``data`` is the plotted data when the notebook has it as a table; without it the data are
        read from the figure's artists or traces (:func:`plotted_data`). ``method`` is a short note
        on how the plotted values were computed (the figure page and the catalogue show it).
        """
        self._check_figure_args(name, title, alt, source)
        data_files = sorted(set(data_files))
        if hasattr(fig, "savefig"):
            files = self._save_matplotlib(fig, name, title, alt, source)
        elif hasattr(fig, "to_plotly_json"):
            files = self._save_plotly(fig, name, title, alt, source)
        else:
            raise TypeError(f"figure '{name}': expected a matplotlib or plotly figure, got {type(fig).__name__}")
        table = plotted_data(fig) if data is None else pd.DataFrame(data).reset_index(drop=True)
        _write_table(self.out_dir / f"{name}.csv", table)
        files.append(f"{name}.csv")
        row = {
            "name": name,
            "notebook": self.notebook,
            "title": title,
            "alt_text": alt,
            "source_line": source,
            "method_note": " ".join(str(method or "").split()),
            "files": ";".join(files),
            "data_files": ";".join(data_files),
        }
        self._upsert(CATALOGUE, CATALOGUE_COLUMNS, "name", row)
        return Saved(name, tuple(files))

    def _check_figure_args(self, name: str, title: str, alt: str, source: str) -> None:
        match = _NAME_RE.match(name or "")
        if not match:
            raise ValueError(f"figure name '{name}' must look like 'NN_slug' (lower case, digits, underscores)")
        if match.group(1) != self.number_prefix:
            raise ValueError(f"figure name '{name}' must start with this notebook's number '{self.number_prefix}_'")
        for label, text in (("title", title), ("alt", alt), ("source", source)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"figure '{name}': {label} is required and must be non-empty text")
        if alt.strip().lower() == title.strip().lower():
            raise ValueError(f"figure '{name}': alt text must describe the figure, not repeat its title")

    def _save_matplotlib(self, fig, name: str, title: str, alt: str, source: str) -> list[str]:
        if getattr(fig, "_bering_decorated", None) != (title, source):
            fig.suptitle(_wrap(title, 90), x=0.01, ha="left", fontweight="bold", fontsize=style.RC["figure.titlesize"])
            fig.text(
                0.01,
                0.0,
                _wrap(f"Source: {source}", 130),
                ha="left",
                va="top",
                fontsize=style.MIN_FONT_PT,
                color=style.GREY,
                transform=fig.transFigure,
            )
            fig._bering_decorated = (title, source)
        human_log_ticks(fig)
        metadata = {
            "png": {"Title": title, "Description": alt, "Software": None},
            "svg": {"Title": title, "Description": alt, "Date": None},
            "pdf": {"Title": title, "Subject": alt, "CreationDate": None, "ModDate": None},
        }
        files = []
        # a fixed salt makes SVG element ids repeatable; the rest of the style is the caller's
        with mpl.rc_context({k: style.RC[k] for k in ("svg.hashsalt", "svg.fonttype")}), laid_out_once(fig) as bbox:
            for fmt in STATIC_FORMATS:
                filename = f"{name}.{fmt}"
                frame = (
                    {"bbox_inches": bbox} if bbox is not None else {"bbox_inches": "tight", "pad_inches": PAD_INCHES}
                )
                fonts = lean_font_subsets() if fmt == "pdf" else contextlib.nullcontext()
                with fonts:
                    atomic_write(
                        self.out_dir / filename,
                        lambda h, fmt=fmt, frame=frame: fig.savefig(
                            h, format=fmt, dpi=DPI, metadata=metadata[fmt], **frame
                        ),
                    )
                files.append(filename)
        return files

    def _save_plotly(self, fig, name: str, title: str, alt: str, source: str) -> list[str]:
        import plotly.io as pio
        import plotly.offline

        source_lines = textwrap.wrap(f"Source: {source}", width=PLOTLY_SOURCE_WIDTH, break_on_hyphens=False)
        fig.update_layout(title={"text": html.escape(title), "x": 0.01, "xanchor": "left"}, **style.PLOTLY_LAYOUT)
        # the source line sits below the plot, one line per wrapped row, with room made for it
        margin_b = style.PLOTLY_LAYOUT["margin"]["b"] + 18 * (len(source_lines) - 1)
        fig.update_layout(margin={"b": margin_b}, width=None, autosize=True)
        annotations = [a for a in fig.layout.annotations if getattr(a, "name", None) != "source_line"]
        annotations.append(
            dict(
                name="source_line",
                text="<br>".join(html.escape(line) for line in source_lines),
                showarrow=False,
                xref="paper",
                yref="paper",
                x=0,
                y=0,
                yshift=-(margin_b - 12),
                xanchor="left",
                yanchor="bottom",
                align="left",
                font={"size": 12, "color": style.GREY},
            )
        )
        fig.update_layout(annotations=annotations)
        js_path = self.out_dir / PLOTLY_JS
        plotly_js = plotly.offline.get_plotlyjs().encode("utf-8")
        if not js_path.exists() or js_path.stat().st_size != len(plotly_js):
            atomic_write(js_path, lambda h: h.write(plotly_js))
        height = fig.layout.height or 520
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=False,
            div_id=name,
            default_width="100%",
            default_height=f"{height}px",
            config={**PLOTLY_CONFIG, "toImageButtonOptions": {"format": "svg", "filename": name}},
        )
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n"
            f'<meta name="description" content="{html.escape(alt)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<script src="{PLOTLY_JS}"></script>\n'
            '</head>\n<body style="margin:0">\n'
            f'<figure role="img" aria-label="{html.escape(alt)}" style="margin:0">\n{div}\n'
            f'<figcaption style="font-family:sans-serif;font-size:14px;color:#444;padding:0 8px">'
            f"{html.escape(alt)}</figcaption>\n</figure>\n</body>\n</html>\n"
        )
        filename = f"{name}.html"
        atomic_write(self.out_dir / filename, lambda h: h.write(page.encode("utf-8")))
        return [filename]

    # -- key numbers ---------------------------------------------------------------------------

    def number(self, key: str, value, unit: str, description: str):
        """Record a headline number in ``key_numbers.csv`` and return it unchanged."""
        if not _KEY_RE.match(key or ""):
            raise ValueError(f"key '{key}' must be lower-case snake_case")
        if not unit or not description:
            raise ValueError(f"key '{key}': unit and description are required")
        row = {
            "key": key,
            "value": format_value(value),
            "unit": unit,
            "notebook": self.notebook,
            "description": description,
        }
        self._upsert(KEY_NUMBERS, KEY_COLUMNS, "key", row)
        return value

    def numbers(self) -> pd.DataFrame:
        """This notebook's key numbers as recorded so far."""
        table = key_numbers(self.out_dir)
        return table[table["notebook"] == self.notebook].reset_index(drop=True)

    def _upsert(self, filename: str, columns: list[str], key: str, row: dict) -> None:
        path = self.out_dir / filename
        # a file written before a column was added gains it, empty
        table = _read_table(path, columns).reindex(columns=columns, fill_value="")
        if key == "key":
            clash = table[(table["key"] == row["key"]) & (table["notebook"] != row["notebook"])]
            if len(clash):
                raise ValueError(f"key '{row['key']}' already belongs to notebook {clash['notebook'].iloc[0]}")
        table = table[table[key] != row[key]]
        table = pd.concat([table, pd.DataFrame([row], columns=columns)], ignore_index=True)
        table = table.sort_values(["notebook", key] if key == "key" else key, kind="stable")
        _write_table(path, table[columns])


# ---------------------------------------------------------------------------------------------
# Figure helpers: log-axis labels, the plotted data


def _plain_tick(value: float, _pos=None) -> str:
    """0.1, 1, 10, 1,000 rather than 10^-1, 10^0, 10^1, 10^3."""
    return f"{value:,.12g}"


def human_log_ticks(fig) -> None:
    """Label every log axis of a matplotlib figure with plain numbers, where the default
    (``LogFormatterSciNotation``) is still in place."""
    from matplotlib import ticker

    for ax in getattr(fig, "axes", []):
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log" and type(axis.get_major_formatter()) is ticker.LogFormatterSciNotation:
                axis.set_major_formatter(ticker.FuncFormatter(_plain_tick))
                axis.set_minor_formatter(ticker.NullFormatter())


def _tick_names(axis) -> dict[float, str]:
    """Tick positions and their text on a categorical axis (empty when the ticks are numbers)."""
    names = {}
    for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels()):
        text = label.get_text()
        if text and not re.fullmatch(r"[\s\d.,\-\u2212%e+]*", text):
            names[round(float(loc), 9)] = text
    return names


def plotted_data(fig) -> pd.DataFrame:
    """The data a figure draws, one row per point: lines, scatter points and bars of a matplotlib
    figure (base-map polygons excepted: their files are the figure's ``data_files``), or every
    trace of a plotly figure. Categorical positions carry their tick label in ``x_label``/``y_label``."""
    rows: list[dict] = []
    if hasattr(fig, "to_plotly_json"):
        for number, trace in enumerate(fig.data, start=1):
            spec = trace.to_plotly_json()
            columns = [
                k
                for k in ("x", "y", "z", "lat", "lon", "text", "hovertext")
                if spec.get(k) is not None and not isinstance(spec.get(k), (str, int, float))
            ]
            length = max((len(spec[k]) for k in columns), default=0)
            for i in range(length):
                row = {"panel": "", "series": spec.get("name") or f"trace {number}", "kind": spec.get("type", "")}
                row.update({k: spec[k][i] if i < len(spec[k]) else "" for k in columns})
                rows.append(row)
        return pd.DataFrame(rows)
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer

    for number, ax in enumerate(fig.axes, start=1):
        panel = ax.get_title() or f"panel {number}"
        xnames, ynames = _tick_names(ax.xaxis), _tick_names(ax.yaxis)

        def add(series, kind, x, y, panel=panel, xnames=xnames, ynames=ynames):
            x, y = float(x), float(y)
            rows.append(
                {
                    "panel": panel,
                    "series": series,
                    "kind": kind,
                    "x": x,
                    "y": y,
                    "x_label": xnames.get(round(x, 9), ""),
                    "y_label": ynames.get(round(y, 9), ""),
                }
            )

        for line in ax.get_lines():
            label = "" if line.get_label().startswith("_") else line.get_label()
            for x, y in zip(line.get_xdata(orig=False), line.get_ydata(orig=False)):
                add(label, "line", x, y)
        for coll in ax.collections:
            if isinstance(coll, PathCollection):
                label = "" if coll.get_label().startswith("_") else coll.get_label()
                for x, y in coll.get_offsets():
                    add(label, "point", x, y)
        for container in ax.containers:
            if isinstance(container, BarContainer):
                label = "" if (container.get_label() or "_").startswith("_") else container.get_label()
                horizontal = getattr(container, "orientation", "vertical") == "horizontal"
                for patch in container.patches:
                    if horizontal:
                        add(label, "bar", patch.get_x() + patch.get_width(), patch.get_y() + patch.get_height() / 2)
                    else:
                        add(label, "bar", patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height())
    return pd.DataFrame(rows, columns=["panel", "series", "kind", "x", "y", "x_label", "y_label"])


def key_numbers(out_dir: Path | None = None) -> pd.DataFrame:
    """All recorded key numbers (``value`` as float)."""
    path = Path(out_dir or paths.figures_dir()) / KEY_NUMBERS
    table = _read_table(path, KEY_COLUMNS)
    table["value"] = table["value"].astype(float)
    return table


def key_number(key: str, out_dir: Path | None = None) -> float:
    """One recorded key number; a clear error if no notebook has recorded it."""
    table = key_numbers(out_dir)
    hit = table.loc[table["key"] == key, "value"]
    if hit.empty:
        raise KeyError(
            f"no key number '{key}' in {Path(out_dir or paths.figures_dir()) / KEY_NUMBERS}; "
            "run the notebook that records it (python -m bering figures)"
        )
    return float(hit.iloc[0])


def catalogue(out_dir: Path | None = None) -> pd.DataFrame:
    """The figure catalogue."""
    return _read_table(Path(out_dir or paths.figures_dir()) / CATALOGUE, CATALOGUE_COLUMNS)
