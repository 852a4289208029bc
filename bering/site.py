"""Build the collection's report site: ``python -m bering site [--out DIR]``.

The site is a Sphinx project (MyST-NB reading the notebooks, sphinx-book-theme drawing the pages;
the choice and its trial are in ``docs/site.md``) generated from what is committed. Nothing is
executed: MyST-NB shows each notebook's stored outputs. The generated project holds

* every ``notebooks/NN_slug.ipynb``, code cells folded away behind a toggle; plotly outputs drawn
  by one local ``plotly.min.js`` (from ``figures/``) through ``bering-plotly.js``, which reads each
  chart from a JSON block (data, never script); pandas tables rebuilt with the data dictionary's
  column names, no index column and the one shared number format (:func:`bering.fmt.number`);
  outputs of any other kind of HTML or script are dropped for their plain-text form;
* ``index``: what the collection answers (the README's introduction), each notebook with its
  headline numbers, the build date and commit in the footer of every page;
* ``gallery``: every figure of ``figures/catalogue.csv`` as a lazy-loaded thumbnail, each linking
  to its own page (``figures/NAME.html``: title, alt text, source line, method note, the chart,
  downloads of its PNG, SVG, PDF or HTML and of the CSV of exactly the data it plots);
* ``citation``: how to cite the collection, from ``CITATION.cff``.

Text from data never reaches a page as markup: Markdown that the site writes escapes every
character that Markdown gives a meaning to, HTML it writes is escaped, and MyST's raw-HTML syntax
is switched off, so a claim reading ``<img src=x onerror=...>`` shows as those characters. The
build checks its result (:func:`check_site`): broken links, images without alt text, anything
loaded from another host, inline event handlers, ``javascript:`` URLs and inline scripts other
than the theme's own. The site is built in a staging folder and swapped in only when the check
passes, so a failed build leaves the previous site in place. Only files the catalogue lists (and
the data dictionary's files) are copied, and only from inside the repository's ``figures/`` and
``data/`` folders.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from . import export, fmt, paths

PLOTLY_MIME = "application/vnd.plotly.v1+json"
MARKER = ".bering-site"
SITE_NAME = "Bering Strait crossing notebooks"
DEFAULT_OUT = paths.REPO_ROOT / "_site"
ASSETS = Path(__file__).resolve().parent / "site_assets"
BINDER = "https://mybinder.org/v2/gh"
#: Width in pixels of the gallery's thumbnails (made from each figure's PNG at build time): sharp in
#: a gallery column of 240-400 CSS pixels on a screen of two device pixels per CSS pixel.
THUMB_WIDTH = 480
#: Colours kept in a thumbnail (a palette PNG: charts have few colours, and it is a quarter of the size).
THUMB_COLOURS = 256

_SAVED_RE = re.compile(r"Saved `(\d\d_[a-z0-9_]+)`")
_FIGURE_NAME_RE = re.compile(r"^\d\d_[a-z0-9_]+$")
#: Plotly traces drawn on a ``geo`` subplot, whose base map plotly.js fetches from cdn.plot.ly
#: (``world_110m.json``) unless every base layer is off.
GEO_TRACES = {"scattergeo", "choropleth"}
GEO_LAYERS = ("showland", "showocean", "showcoastlines", "showlakes", "showrivers", "showcountries", "showsubunits")
#: Plotly traces drawn on map tiles, which always come from a tile server.
TILE_TRACES = {"scattermapbox", "choroplethmapbox", "densitymapbox", "scattermap", "choroplethmap", "densitymap"}
#: Output kinds a page may show; anything else (scripts, widgets, raw HTML not made here) is dropped.
KEPT_MIMES = ("text/markdown", "image/png", "image/jpeg", "text/plain")


class SiteError(RuntimeError):
    """The site cannot be built (missing or untrusted input, or an output folder that is not ours)."""


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass
class Figure:
    """One row of ``figures/catalogue.csv``."""

    name: str
    notebook: str
    title: str
    alt_text: str
    source_line: str
    files: list[str]
    data_files: list[str]
    method_note: str = ""

    @property
    def interactive(self) -> bool:
        return any(f.endswith(".html") for f in self.files)

    @property
    def preview(self) -> str | None:
        return next((f for f in self.files if f.endswith(".png")), None)

    @property
    def plotted_data(self) -> str | None:
        return next((f for f in self.files if f.endswith(".csv")), None)


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _split(text: str) -> list[str]:
    return [part for part in (text or "").split(";") if part]


def load_catalogue(figures_dir: Path) -> list[Figure]:
    """The figure catalogue, in its own (name) order."""
    figures = []
    for r in _read_csv(Path(figures_dir) / "catalogue.csv"):
        if not _FIGURE_NAME_RE.match(r.get("name") or ""):
            raise SiteError(f"catalogue.csv: figure name {r.get('name')!r} is not NN_slug")
        figures.append(
            Figure(
                r["name"],
                r["notebook"],
                r["title"],
                r["alt_text"],
                r["source_line"],
                _split(r["files"]),
                _split(r["data_files"]),
                r.get("method_note") or "",
            )
        )
    return figures


def load_key_numbers(figures_dir: Path) -> list[dict[str, str]]:
    return _read_csv(Path(figures_dir) / "key_numbers.csv")


def inside(folder: Path, name: str, what: str) -> Path:
    """``folder/name`` for a plain relative file name inside ``folder``; :class:`SiteError` for an
    absolute path, a ``..`` part, a hidden part or a link that leads outside."""
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or "\\" in name or any(p in ("..", "") or p.startswith(".") for p in pure.parts):
        raise SiteError(f"{what}: {name!r} is not a plain file name inside {folder.name}/; refused")
    path = folder / pure
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        raise SiteError(f"{what}: {name!r} leads outside {folder.name}/; refused") from None
    if not path.is_file():
        raise SiteError(f"{what}: {folder.name}/{name} is missing")
    return path


def thumbnail(png: Path, dest: Path, width: int = THUMB_WIDTH) -> tuple[int, int]:
    """Write a small PNG of the image ``png`` to ``dest``: at most ``width`` pixels wide (never
    enlarged), a palette of :data:`THUMB_COLOURS` colours, optimised, without metadata, so the
    same input gives the same bytes. Returns its ``(width, height)``."""
    from PIL import Image

    with Image.open(png) as image:
        image.load()
        picture = image.convert("RGBA")
    has_alpha = picture.getchannel("A").getextrema()[0] < 255
    if not has_alpha:  # matplotlib writes RGBA with every pixel opaque
        picture = picture.convert("RGB")
    if picture.width > width:
        height = max(1, round(picture.height * width / picture.width))
        picture = picture.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    # fast octree keeps a chart's few flat colours and is the smallest of Pillow's own quantizers
    small = picture.quantize(colors=THUMB_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    dest.parent.mkdir(parents=True, exist_ok=True)
    small.save(dest, format="PNG", optimize=True)
    return small.width, small.height


def _notebook_title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, re.M)
            if match:
                return match.group(1).strip()
    return fallback


def readme_intro(readme: Path) -> str:
    """The README's introduction: the markdown between its title and its first section."""
    if not readme.exists():
        return ""
    text = readme.read_text(encoding="utf-8")
    text = re.sub(r"\A\s*# [^\n]*\n", "", text)
    text = re.split(r"^## ", text, maxsplit=1, flags=re.M)[0]
    # the README's lead-figure block is for readers of the README; the site has figure pages
    text = re.sub(r"<!-- BEGIN figure .*?<!-- END figure -->\n?", "", text, flags=re.S)
    return re.sub(r"^!\[.*$", "", text, flags=re.M).strip()


def citation(root: Path) -> dict:
    """``CITATION.cff`` as a dictionary (empty when there is none)."""
    import yaml

    path = root / "CITATION.cff"
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


#: A GitHub repository address: owner (letters, digits, hyphens) and repository name (not . or ..).
_GITHUB_RE = re.compile(r"https://github\.com/[A-Za-z0-9][A-Za-z0-9-]*/[\w-][\w.-]*")


def repository(cff: dict) -> tuple[str, str]:
    """The public GitHub address ``CITATION.cff`` gives as ``repository-code``, and a note saying
    why there is none (``("", note)``): Binder launch links are offered only for such an address."""
    address = str(cff.get("repository-code") or "").strip().rstrip("/")
    if not address:
        return "", "CITATION.cff names no repository-code: no Binder launch links"
    if not _GITHUB_RE.fullmatch(address):
        return "", f"CITATION.cff repository-code {address!r} is not a GitHub URL: no Binder launch links"
    return address.removesuffix(".git"), ""


def binder_url(address: str, path: str) -> str:
    """The Binder link that opens ``path`` (relative to the repository root) in JupyterLab, for the
    GitHub repository at ``address``; Binder builds it from the repository's ``binder/`` folder.
    The same form as the site's launch buttons (sphinx-book-theme's)."""
    owner_repo = urlsplit(address).path.strip("/")
    return f"{BINDER}/{owner_repo}/HEAD?urlpath=lab/tree/{quote(path)}"


def build_info(root: Path) -> dict[str, str]:
    """Commit and date of the build: ``git`` in ``root`` (else in this repository); the date is
    ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today (UTC)."""
    commit = ""
    for where in (root, paths.REPO_ROOT):
        try:
            done = subprocess.run(
                ["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=20
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", done.stdout.strip()):
            commit = done.stdout.strip()
            break
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = (
        dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() else dt.datetime.now(dt.timezone.utc)
    )
    return {"commit": commit, "date": when.strftime("%Y-%m-%d")}


# ---------------------------------------------------------------------------------------------
# Escaping: text from data becomes characters, never markup


def md_text(text) -> str:
    """``text`` as literal Markdown: every ASCII punctuation character backslash-escaped, line
    breaks made spaces (so nothing can open a heading, list, fence, link or directive)."""
    flat = " ".join(str(text).split())
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", flat)


def h(text) -> str:
    """``text`` escaped for HTML (attributes too); backticks as entities, so an escaped block can
    never close the Markdown fence around it."""
    return html.escape(str(text), quote=True).replace("`", "&#96;")


def script_json(obj) -> str:
    """JSON safe inside ``<script type="application/json">``."""
    text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def raw_html(markup: str) -> str:
    """A MyST ``raw html`` block around markup this module wrote (and escaped)."""
    return f"```{{raw}} html\n{markup}\n```\n"


# ---------------------------------------------------------------------------------------------
# Plotly


def network_assets(spec: dict) -> list[str]:
    """What a plotly figure would fetch from another host when drawn (empty when nothing).

    A ``scattergeo``/``choropleth`` subplot with any base layer on (land, ocean, coastlines - on by
    default -, lakes, rivers, countries, subunits) or with ``locations`` makes plotly.js download
    its base map from cdn.plot.ly; tile maps download tiles.
    """
    traces = spec.get("data") or []
    kinds = {t.get("type") for t in traces}
    found = []
    if kinds & TILE_TRACES:
        found.append(f"tile map ({', '.join(sorted(kinds & TILE_TRACES))}) loads its tiles from a tile server")
    if kinds & GEO_TRACES:
        layout = spec.get("layout") or {}
        template = ((layout.get("template") or {}).get("layout") or {}).get("geo") or {}
        for key in sorted(k for k in layout if re.fullmatch(r"geo\d*", k)) or ["geo"]:
            geo = {**template, **{k: v for k, v in (layout.get(key) or {}).items() if v is not None}}
            shown = [name for name in GEO_LAYERS if geo.get(name, name == "showcoastlines")]
            if shown:
                found.append(
                    f"map ({key}) with base layers {', '.join(shown)}: plotly.js fetches "
                    "world_110m.json from cdn.plot.ly"
                )
        if any(t.get("locations") is not None for t in traces if t.get("type") in GEO_TRACES):
            found.append("map with 'locations': plotly.js fetches its outlines from cdn.plot.ly")
    return found


def spec_from_page(text: str) -> dict | None:
    """The figure (data, layout) of a page written by :class:`bering.export.Exporter`, read as
    JSON from its ``Plotly.newPlot(id, data, layout, config)`` call; None when there is none."""
    match = re.search(r'Plotly\.newPlot\(\s*"[^"]*",\s*', text)
    if not match:
        return None
    decoder = json.JSONDecoder()
    try:
        data, end = decoder.raw_decode(text, match.end())
        end = re.match(r"\s*,\s*", text[end:]).end() + end
        layout, _ = decoder.raw_decode(text, end)
    except (ValueError, AttributeError):
        return None
    return {"data": data, "layout": layout} if isinstance(data, list) and isinstance(layout, dict) else None


def chart_page(spec: dict, fig: "Figure") -> str:
    """A standalone page of one interactive chart, written by the site (no script but the two files
    beside it): the download offered for an interactive figure."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{h(fig.title)}</title>\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n<script src="plotly.min.js"></script>\n'
        '<script src="bering-plotly.js"></script>\n</head>\n'
        '<body style="margin:0;font-family:sans-serif">\n'
        + plotly_html(spec, f"plot-{fig.name}", fig.alt_text, fig.name)
        + f'\n<p style="padding:0 8px;color:#444">{h(fig.alt_text)}</p>\n</body>\n</html>\n'
    )


def plotly_html(spec: dict, dom_id: str, alt: str, name: str = "chart") -> str:
    """A chart container and its JSON; ``bering-plotly.js`` draws it. Sized by its container."""
    layout = dict(spec.get("layout") or {})
    height = layout.get("height") or 520
    layout.pop("width", None)
    config = {**export.PLOTLY_CONFIG, "toImageButtonOptions": {"format": "svg", "filename": name}}
    payload = {"data": spec.get("data") or [], "layout": layout, "config": config}
    return (
        f'<figure class="bering-figure" role="group" aria-label="{h(alt)}">'
        f'<div class="plotly-graph-div" id="{h(dom_id)}" data-figure="{h(dom_id)}" role="img" '
        f'aria-label="{h(alt)}" style="height:{int(height)}px"></div>'
        f'<script type="application/json" id="{h(dom_id)}-spec">{script_json(payload)}</script>'
        f"</figure>"
    )


# ---------------------------------------------------------------------------------------------
# Tables: pandas HTML rebuilt with human column names, no index, one number format


class _TableParse(HTMLParser):
    """Rows of a pandas ``DataFrame.to_html`` table: header rows and body rows of (tag, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.head: list[list[tuple[str, str]]] = []
        self.body: list[list[tuple[str, str]]] = []
        self.tables = 0
        self._section = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables += 1
        elif tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = [tag, ""]

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append((self._cell[0], self._cell[1].strip()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (self.head if self._section == "thead" else self.body).append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data


def column_labels(data_dir: Path) -> dict[str, tuple[str, str]]:
    """Field name -> (human name, unit) from the data dictionary (``title`` where a field has one,
    else its name in words)."""
    labels: dict[str, tuple[str, str]] = {}
    try:
        package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return labels
    for resource in package.get("resources", []) if isinstance(package, dict) else []:
        fields = ((resource or {}).get("schema") or {}).get("fields") or [] if isinstance(resource, dict) else []
        for field in fields:
            if isinstance(field, dict) and isinstance(field.get("name"), str) and field["name"] not in labels:
                name = field.get("title") or field["name"].replace("_", " ")
                labels[field["name"]] = (str(name)[:1].upper() + str(name)[1:], str(field.get("unit") or ""))
    return labels


def human_column(name: str, labels: dict[str, tuple[str, str]]) -> str:
    if name in labels:
        return labels[name][0]
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?(e[-+]?\d+)?$", re.I)


def table_html(fragment: str, labels: dict[str, tuple[str, str]]) -> str | None:
    """A pandas table rebuilt (escaped) as the site shows tables; None if ``fragment`` is not one."""
    if 'class="dataframe' not in fragment:
        return None
    parsed = _TableParse()
    parsed.feed(fragment)
    parsed.close()
    if parsed.tables != 1 or not parsed.head or not parsed.body:
        return None
    n_index = sum(1 for tag, _ in parsed.body[0] if tag == "th")
    header = [text for _, text in parsed.head[0]]
    index_names = [text for _, text in parsed.head[1]][:n_index] if len(parsed.head) > 1 else []
    index_values = [[text for tag, text in row[:n_index]] for row in parsed.body]
    keep_index = n_index > 0 and not (
        n_index == 1
        and all(re.fullmatch(r"\d+", v[0] or "") for v in index_values if v)
        and [int(v[0]) for v in index_values if v and v[0].isdigit()]
        == sorted(int(v[0]) for v in index_values if v and v[0].isdigit())
    )
    names = header[n_index:]
    if keep_index:
        names = [(index_names[i] if i < len(index_names) else "") or header[i] for i in range(n_index)] + names
    out = ['<div class="bering-table-wrap"><table class="bering-table"><thead><tr>']
    out += [f'<th scope="col">{h(human_column(n, labels))}</th>' for n in names]
    out.append("</tr></thead><tbody>")
    for row in parsed.body:
        cells = row if keep_index else row[n_index:]
        out.append("<tr>")
        for i, (_, text) in enumerate(cells):
            name = names[i] if i < len(names) else ""
            unit = labels.get(name, ("", ""))[1]
            if "year" in name:
                unit = "year"
            if _NUMBER_RE.match(text):
                out.append(f'<td class="num">{h(fmt.number(text, unit))}</td>')
            else:
                out.append(f"<td>{h('' if text in ('NaN', 'None', '<NA>', 'NaT') else text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Notebooks


def _cell_figures(cell, names: set[str]) -> list[str]:
    """Catalogued figures a cell saves: ``Saved `NAME``` outputs, else names quoted in its source."""
    found = []
    for out in cell.get("outputs", []):
        text = out.get("data", {}).get("text/markdown", "") if "data" in out else ""
        text = text if isinstance(text, str) else "".join(text)
        found += [n for n in _SAVED_RE.findall(text) if n in names and n not in found]
    if not found:
        hits = sorted(
            (m.start(), n) for n in names for m in [re.search(rf"[\"']{re.escape(n)}[\"']", cell.source)] if m
        )
        found = [n for _, n in hits]
    return found


_FIGURE_LINK_RE = re.compile(r"(!?)\[([^\]]*)\]\(\.\./figures/(\d\d_[a-z0-9_]+)\.(\w+)\)")


def site_links(markdown: str) -> str:
    """A link from a notebook to a figure's file (``../figures/NAME.png``) leads to the figure's
    page; an image embed keeps its path (the site's sources hold the catalogued PNGs there)."""
    return _FIGURE_LINK_RE.sub(
        lambda m: m.group(0) if m.group(1) else f"[{m.group(2)}](../figures/{m.group(3)}.md)", markdown
    )


def prepare_notebook(nb, stem: str, by_name: dict[str, Figure], labels, build) -> None:
    """Make a stored notebook safe and readable for the site, in place (see the module docstring)."""
    import nbformat

    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = site_links(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.setdefault("tags", [])
        if "hide-input" not in tags and "remove-input" not in tags:
            tags.append("hide-input")
        figures = [by_name[n] for n in _cell_figures(cell, set(by_name))]
        static = [f for f in figures if not f.interactive]
        interactive = [f for f in figures if f.interactive]
        if static:
            cell.metadata["mystnb"] = {"image": {"alt": static[0].alt_text}}
        else:
            cell.metadata["mystnb"] = {
                "image": {
                    "alt": f"Chart drawn by code cell {index + 1} of notebook {stem}; "
                    "the text around it says what it shows."
                }
            }
        outputs = []
        n_plot = 0
        for k, out in enumerate(cell.get("outputs", [])):
            if out.get("output_type") not in ("display_data", "execute_result"):
                outputs.append(out)
                continue
            data = out.get("data", {})
            kept = {}
            if PLOTLY_MIME in data:
                fig = interactive[n_plot] if n_plot < len(interactive) else None
                n_plot += 1
                spec = data[PLOTLY_MIME]
                for what in network_assets(spec):
                    build["problems"].append(
                        f"{stem}, cell {index + 1}: {what}; turn every base layer off "
                        "(show...=False) and draw land from data/geo/ as a trace"
                    )
                alt = fig.alt_text if fig else f"Interactive chart of notebook {stem}, cell {index + 1}."
                dom_id = f"plot-{fig.name}" if fig else f"plot-{stem}-{index + 1}-{k + 1}"
                kept["text/html"] = plotly_html(spec, dom_id, alt, fig.name if fig else stem)
                build["plotly"] = True
                if fig:
                    build["specs"].setdefault(fig.name, spec)
            elif "text/html" in data:
                fragment = data["text/html"] if isinstance(data["text/html"], str) else "".join(data["text/html"])
                table = table_html(fragment, labels)
                if table:
                    kept["text/html"] = table
            if not kept:
                kept = {m: data[m] for m in KEPT_MIMES if m in data}
                if "text/markdown" in kept:
                    text = kept["text/markdown"]
                    kept["text/markdown"] = site_links(text if isinstance(text, str) else "".join(text))
                if "image/png" in kept or "image/jpeg" in kept:
                    kept.pop("text/plain", None)
            if kept:
                new = nbformat.from_dict({**out, "data": kept})
                new["metadata"] = {
                    k2: v for k2, v in (out.get("metadata") or {}).items() if k2 in ("image/png", "image/jpeg")
                }
                outputs.append(new)
        cell["outputs"] = outputs


# ---------------------------------------------------------------------------------------------
# Generated pages


def figure_page(fig: Figure, notebook_title: str, spec: dict | None) -> str:
    """The page of one figure, as Our World in Data makes them."""
    base = "../downloads/figures"
    if fig.interactive and spec is not None:
        chart = plotly_html(spec, f"plot-{fig.name}", fig.alt_text, fig.name)
    elif fig.interactive:
        page = next(f for f in fig.files if f.endswith(".html"))
        chart = (
            f'<iframe src="{base}/{h(quote(page))}" title="{h(fig.alt_text)}" loading="lazy" '
            f'style="width:100%;height:640px;border:0"></iframe>'
        )
    elif fig.preview:  # the image opens at full size, for a reader on a small screen
        png = f"{base}/{h(quote(fig.preview))}"
        chart = f'<figure class="bering-figure"><a href="{png}"><img src="{png}" alt="{h(fig.alt_text)}"></a></figure>'

    else:
        chart = ""
    kinds = {
        ".png": "PNG image",
        ".svg": "SVG (editable text)",
        ".pdf": "PDF",
        ".html": "Interactive HTML",
        ".csv": "CSV of the plotted data",
    }
    downloads = "".join(
        f'<li><a href="{base}/{h(quote(f))}" download>{h(kinds.get(Path(f).suffix, f))}</a></li>' for f in fig.files
    )
    sources = "".join(f'<li><a href="../downloads/data/{h(quote(f))}" download>{h(f)}</a></li>' for f in fig.data_files)
    if sources:
        sources = (
            '<h3 id="source-data">Source data</h3><p>The files of <code>data/</code> the figure is computed from '
            f'(their sources: <a href="../downloads/data/sources.csv" download>sources.csv</a>).</p>'
            f'<ul class="bering-downloads">{sources}</ul>'
        )
    # every catalogued figure carries its method note (tests/test_export.py checks the catalogue);
    # the title, the page's heading, is the finding
    method = f"<dt>Method</dt><dd>{h(fig.method_note)}</dd>" if fig.method_note.strip() else ""
    meta = (
        f'<dl class="bering-meta"><dt>What it shows</dt><dd>{h(fig.alt_text)}</dd>'
        f"{method}"
        f"<dt>Source</dt><dd>{h(fig.source_line)}</dd>"
        f'<dt>Notebook</dt><dd><a href="../notebooks/{h(quote(fig.notebook))}.html">{h(notebook_title)}</a></dd>'
        f"</dl>"
    )
    return f"# {md_text(fig.title)}\n\n" + raw_html(
        chart + meta + f'<h2 id="downloads">Downloads</h2><ul class="bering-downloads">{downloads}</ul>' + sources
    )


def gallery_page(catalogue: list[Figure], thumbs: dict[str, tuple[str, int, int]], tables: list[str] = ()) -> str:
    """The gallery: every figure as a thumbnail (``thumbs``: name -> (file in ``thumbs/``, width,
    height)) linking to its page, and links to the figure tables (``tables``: the catalogue and the
    key numbers, those of the two that exist)."""
    items = []
    for fig in catalogue:
        if fig.name in thumbs:
            file, width, height = thumbs[fig.name]
            thumb = (
                f'<img src="thumbs/{h(quote(file))}" alt="{h(fig.alt_text)}" '
                f'loading="lazy" decoding="async" width="{int(width)}" height="{int(height)}">'
            )
        else:
            thumb = '<span class="bering-nothumb">Interactive chart</span>'
        items.append(
            f'<li><a href="figures/{h(quote(fig.name))}.html">{thumb}</a>'
            f'<p><a href="figures/{h(quote(fig.name))}.html">{h(fig.title)}</a></p></li>'
        )
    toctree = "\n".join(f"figures/{f.name}" for f in catalogue)
    what = {
        export.CATALOGUE: "every figure's title, alt text, source line, method note and files",
        export.KEY_NUMBERS: "every key number of the notebooks, with its unit and description",
    }
    links = "".join(
        f'<li><a href="downloads/figures/{h(quote(name))}" download>{h(name)}</a>: {h(what[name])}</li>'
        for name in tables
        if name in what
    )
    tables = f'<h2 id="tables">The figure tables</h2><ul class="bering-tables">{links}</ul>' if links else ""
    return (
        "# Figure gallery\n\nEvery figure of the collection, each with its own page: what it shows, its "
        "source and method, and downloads of the image and of the data it plots.\n\n"
        + raw_html(f'<ul class="bering-gallery">{"".join(items)}</ul>' + tables)
        + f"\n```{{toctree}}\n:hidden:\n\n{toctree}\n```\n"
    )


_POINT_RE = re.compile(r"^\s*(?:[-*]|\d+\.)\s+(.+(?:\n(?!\s*(?:[-*]|\d+\.)\s).+)*)", re.M)
_MD_LINK_RE = re.compile(r"(?<!\\)\[([^\]]*)\]\([^)\s]*\)")


def first_finding(nb) -> str | None:
    """The first point of the **Findings** a notebook's stored outputs show, as one line of the
    Markdown the notebook wrote (its links as written, relative to the notebook); None without."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            text = (out.get("data") or {}).get("text/markdown", "")
            text = text if isinstance(text, str) else "".join(text)
            if re.match(r"\s*(\*\*Findings\*\*|#+ Findings)", text):
                body = re.sub(r"^\s*(\*\*Findings\*\*|#+ Findings)\s*", "", text).strip()
                points = _POINT_RE.findall(body)
                first = points[0] if points else body.split("\n\n")[0]
                return " ".join(first.split()) or None
    return None


def lead_point(nb) -> str | None:
    """:func:`first_finding` with its links made plain text (they are relative to the notebook)."""
    first = first_finding(nb)
    return (_MD_LINK_RE.sub(r"\1", first) or None) if first else None


def index_page(
    intro: str, notebooks: list[tuple[str, str]], numbers: list[dict[str, str]], leads: dict[str, str] | None = None
) -> str:
    """The home page: what the collection answers, then each notebook with the first point of its
    Findings (or, for a notebook without one, its first two key numbers), then where the figures are."""
    leads = leads or {}
    parts = [f"# {md_text(SITE_NAME)}\n", intro, "\n## The notebooks\n"]
    for stem, title in notebooks:
        parts.append(raw_html(f'<h3><a href="notebooks/{h(quote(stem))}.html">{h(title)}</a></h3>'))
        if leads.get(stem):
            parts.append(f"{leads[stem]}\n")  # Markdown the notebook wrote, its data escaped there
            continue
        mine = [r for r in numbers if r.get("notebook") == stem][:2]
        lines = "".join(
            f"<li>{h(r['description'])}: <strong>{h(fmt.with_unit(r['value'], r['unit']))}</strong></li>" for r in mine
        )
        if lines:
            parts.append(raw_html(f'<ul class="bering-headlines">{lines}</ul>'))
    parts.append(
        raw_html(
            '<h2 id="figures-and-data">Figures and data</h2><p>Every figure, with what it shows, its method, its '
            'source and the data it plots: the <a href="gallery.html">figure gallery</a>. Every key number: '
            '<a href="downloads/figures/key_numbers.csv" download>key_numbers.csv</a>. How to cite the '
            'collection: <a href="citation.html">citation</a>.</p>'
        )
    )
    toctree = "\n".join(f"notebooks/{stem}" for stem, _ in notebooks)
    parts.append(f"\n```{{toctree}}\n:hidden:\n:caption: Notebooks\n\n{toctree}\n```\n")
    parts.append("\n```{toctree}\n:hidden:\n:caption: Reference\n\ngallery\ncitation\n```\n")
    return "\n".join(parts)


def citation_page(cff: dict, info: dict[str, str]) -> str:
    authors = cff.get("authors") or []
    names = ", ".join(
        str(a.get("name") or " ".join(filter(None, (a.get("given-names"), a.get("family-names")))))
        for a in authors
        if isinstance(a, dict)
    )
    title = cff.get("title") or SITE_NAME
    year = str(cff.get("date-released") or info["date"])[:4]
    version = cff.get("version") or ""
    text = f"{names} ({year}). {title}" + (f", version {version}" if version else "") + "."
    bib_key = re.sub(r"[^a-z0-9]", "", str(title).lower())[:20] + year
    bibtex = (
        f"@software{{{bib_key},\n  author = {{{names}}},\n  title = {{{title}}},\n  year = {{{year}}},\n"
        + (f"  version = {{{version}}},\n" if version else "")
        + "}"
    )
    body = (
        f"<p>{h(' '.join(str(cff.get('message') or '').split()))}</p>"
        f'<h2 id="as-text">As text</h2><p>{h(text)}</p>'
        f'<h2 id="bibtex">BibTeX</h2><pre>{h(bibtex)}</pre>'
        f'<h2 id="about">About</h2><p>{h(" ".join(str(cff.get("abstract") or "").split()))}</p>'
        f"<p>Licence of the code: {h(cff.get('license') or '')}. This site was built on {h(info['date'])}"
        + (f" from commit <code>{h(info['commit'])}</code>" if info["commit"] else "")
        + ".</p>"
        '<p><a href="downloads/CITATION.cff" download>CITATION.cff</a></p>'
    )
    return "# How to cite\n\n" + raw_html(body)


# ---------------------------------------------------------------------------------------------
# The Sphinx project


def sphinx_conf(info: dict[str, str], repository: str) -> str:
    footer = f"Built {info['date']}"
    if info["commit"]:
        footer += f" from commit {info['commit'][:12]}"
    options = {
        "home_page_in_toc": True,
        "show_navbar_depth": 1,
        "use_download_button": False,
        "use_fullscreen_button": False,
        "navigation_with_keys": False,
    }
    if repository:
        options.update(
            {
                "repository_url": repository,
                "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
                "path_to_docs": "",
                "repository_branch": "HEAD",
            }
        )
    conf = {
        "project": SITE_NAME,
        "author": "Bering Strait crossing notebooks contributors",
        "copyright": f"{info['date'][:4]}, Bering Strait crossing notebooks contributors",
        "extensions": ["myst_nb"],
        "nb_execution_mode": "off",
        "nb_merge_streams": True,
        # Markdown outputs go through MyST too, so its raw-HTML switch-off applies to them
        "nb_render_markdown_format": "myst",
        "myst_disable_syntax": ["html_block", "html_inline"],
        "myst_heading_anchors": 3,
        "html_theme": "sphinx_book_theme",
        "html_title": SITE_NAME,
        "html_theme_options": options,
        "html_static_path": ["_static"],
        "html_css_files": ["bering.css"],
        "html_js_files": [],
        "html_extra_path": ["_extra"],
        "html_copy_source": False,
        "html_show_sourcelink": False,
        "html_last_updated_fmt": None,
        "html_context": {"bering_build": footer, "bering_commit": info["commit"], "default_mode": "light"},
        "html_favicon": "_static/favicon.svg",
        "exclude_patterns": ["_build", "_extra", "**.ipynb_checkpoints"],
        "suppress_warnings": ["myst.header", "mystnb.unknown_mime_type", "toc.not_included"],
        "templates_path": ["_templates"],
        "language": "en",
        "smartquotes": False,  # text from data shown exactly as it is (a quoted figure keeps its quotes)
    }
    lines = ["# Generated by python -m bering site; do not edit.\n"]
    lines += [f"{key} = {value!r}\n" for key, value in conf.items()]
    lines.append(PLOTLY_ONLY_WHERE_DRAWN)
    return "".join(lines)


#: plotly.min.js (4.6 MB) is loaded only by the pages that draw a chart.
PLOTLY_ONLY_WHERE_DRAWN = """

def _plotly_where_drawn(app, pagename, templatename, context, doctree):
    if 'class="plotly-graph-div"' in context.get("body", ""):
        app.add_js_file("plotly.min.js")
        app.add_js_file("bering-plotly.js")


def setup(app):
    app.connect("html-page-context", _plotly_where_drawn)
"""


#: The page layout: sphinx-book-theme's, with the build date and commit under every page, and its
#: print-only title escaped (the theme writes ``{{ pagetitle }}`` unescaped, which would turn a
#: title from data into markup); the rest of ``docs_body`` is pydata-sphinx-theme's.
FOOTER_TEMPLATE = """\
{%- extends "!layout.html" %}
{%- block docs_body %}
<div id="jb-print-docs-body" class="onlyprint">
    <h1>{{ pagetitle|e }}</h1>
</div>
{% include "components/searchbox.html" %}
<article class="bd-article">
  {% block body %}{% endblock %}
</article>
{%- endblock docs_body %}
{%- block footer %}
{{ super() }}
<div class="bering-build-info" style="text-align:center;font-size:.85rem;padding:.5rem">
  {{ bering_build|e }}. <a href="{{ pathto('citation') }}">How to cite</a>.
</div>
{%- endblock %}
"""

FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" '
    'fill="#0072B2"/><rect x="7" width="2" height="16" fill="#fff"/></svg>\n'
)


def write_sources(src: Path, root: Path, info: dict[str, str]) -> dict:
    """Write the Sphinx project for the repository at ``root`` into ``src``; return build notes."""
    import nbformat

    root = root.resolve()
    figures_dir, data_dir, notebooks_dir = root / "figures", root / "data", root / "notebooks"
    if not notebooks_dir.is_dir():
        raise SiteError(f"no notebooks folder at {notebooks_dir}")
    nb_paths = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    if not nb_paths:
        raise SiteError(f"no notebooks (NN_slug.ipynb) in {notebooks_dir}")
    catalogue = load_catalogue(figures_dir)
    by_name = {f.name: f for f in catalogue}
    labels = column_labels(data_dir)
    build = {"problems": [], "notes": [], "plotly": False, "specs": {}}
    extra = src / "_extra" / "downloads"
    copies: dict[Path, Path] = {}
    pages: dict[str, dict] = {}
    for fig in catalogue:
        for name in fig.files:
            path = inside(figures_dir, name, f"catalogue.csv, figure {fig.name}, files")
            if name.endswith(".html"):
                spec = spec_from_page(path.read_text(encoding="utf-8"))
                if spec is None:
                    raise SiteError(f"figures/{name} (figure {fig.name}) holds no plotly chart the site can read")
                pages[fig.name] = spec
                for what in network_assets(spec):
                    build["problems"].append(f"figures/{name}: {what}")
            else:
                copies[extra / "figures" / name] = path
                if name.endswith(".png"):  # for notebooks that embed a figure as an image
                    copies[src / "figures" / name] = path
        for name in fig.data_files:
            copies[extra / "data" / name] = inside(data_dir, name, f"catalogue.csv, figure {fig.name}, data_files")
    tables = [name for name in (export.CATALOGUE, export.KEY_NUMBERS) if (figures_dir / name).is_file()]
    for name in tables:  # as the export wrote them, every column kept
        copies[extra / "figures" / name] = inside(figures_dir, name, "figure tables")
    for name in ("datapackage.json", "sources.csv"):
        if (data_dir / name).is_file():
            copies[extra / "data" / name] = inside(data_dir, name, "data dictionary")
    if (root / "CITATION.cff").is_file():
        copies[extra / "CITATION.cff"] = root / "CITATION.cff"
    # notebooks link to data files as ../data/x.csv: the site serves every data file the
    # dictionary describes at data/x.csv
    try:
        package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
        resources = [r.get("path") for r in package.get("resources", []) if isinstance(r, dict)]
    except (OSError, ValueError, AttributeError):
        resources = []
    for name in resources:
        if isinstance(name, str):
            copies[src / "data" / name] = inside(data_dir, name, "datapackage.json, resource path")
    for dst, path in sorted(copies.items()):
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dst)

    titles, leads = [], {}
    (src / "notebooks").mkdir(parents=True, exist_ok=True)
    for path in nb_paths:
        nb = nbformat.read(path, as_version=4)
        titles.append((path.stem, re.sub(r"[`*_\[\]<>]", "", _notebook_title(nb, path.stem))))
        leads[path.stem] = lead_point(nb)
        prepare_notebook(nb, path.stem, by_name, labels, build)
        nbformat.write(nb, src / "notebooks" / path.name)
    title_of = dict(titles)
    (src / "figures").mkdir(exist_ok=True)
    for fig in catalogue:
        spec = pages.get(fig.name) or build["specs"].get(fig.name)
        if fig.name in pages:
            page = next(f for f in fig.files if f.endswith(".html"))
            (extra / "figures").mkdir(parents=True, exist_ok=True)
            (extra / "figures" / page).write_text(chart_page(pages[fig.name], fig), encoding="utf-8")
        (src / "figures" / f"{fig.name}.md").write_text(
            figure_page(fig, title_of.get(fig.notebook, fig.notebook), spec), encoding="utf-8"
        )
        if fig.interactive:
            build["plotly"] = True
    thumbs = {}
    for fig in catalogue:
        if fig.preview:
            file = f"{fig.name}.png"
            try:
                width, height = thumbnail(figures_dir / fig.preview, src / "_extra" / "thumbs" / file)
            except OSError as exc:  # Pillow's UnidentifiedImageError and broken data streams are OSErrors
                build["problems"].append(f"figures/{fig.preview} (figure {fig.name}) is not a readable PNG: {exc}")
                continue
            thumbs[fig.name] = (file, width, height)
    build["thumbs"] = thumbs
    (src / "gallery.md").write_text(gallery_page(catalogue, thumbs, tables), encoding="utf-8")
    (src / "index.md").write_text(
        index_page(readme_intro(root / "README.md"), titles, load_key_numbers(figures_dir), leads), encoding="utf-8"
    )
    cff = citation(root)
    (src / "citation.md").write_text(citation_page(cff, info), encoding="utf-8")
    static = src / "_static"
    static.mkdir(exist_ok=True)
    for asset in ("bering.css", "bering-plotly.js"):
        shutil.copyfile(ASSETS / asset, static / asset)
    (static / "favicon.svg").write_text(FAVICON, encoding="utf-8")
    plotly_js = figures_dir / export.PLOTLY_JS
    if plotly_js.is_file():
        shutil.copyfile(plotly_js, static / export.PLOTLY_JS)
        if pages:
            shutil.copyfile(plotly_js, extra / "figures" / export.PLOTLY_JS)
            shutil.copyfile(ASSETS / "bering-plotly.js", extra / "figures" / "bering-plotly.js")
    elif build["plotly"]:
        raise SiteError(
            "a page shows plotly charts but figures/plotly.min.js is missing (run python -m bering figures)"
        )
    else:
        (static / export.PLOTLY_JS).write_text("/* no plotly charts in this collection */\n", encoding="utf-8")
    (src / "_templates").mkdir(exist_ok=True)
    (src / "_templates" / "layout.html").write_text(FOOTER_TEMPLATE, encoding="utf-8")
    address, why_not = repository(cff)
    if why_not:
        build["notes"].append(why_not)
    (src / "conf.py").write_text(sphinx_conf(info, address), encoding="utf-8")
    return build


def run_sphinx(src: Path, out: Path, doctrees: Path) -> list[str]:
    """Run Sphinx (html builder) in a child process; return its warnings."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "-j", "1", "-d", str(doctrees), str(src), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SiteError(f"sphinx-build failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return [line for line in done.stderr.splitlines() if line.strip()]


def copy_inputs(dest: Path, root: Path | None = None) -> Path:
    """Copy what a build reads (README, CITATION.cff, notebooks, figures, data) from ``root`` into
    ``dest``, so files that change meanwhile cannot make two builds differ."""
    root = Path(root or paths.REPO_ROOT).resolve()
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("README.md", "CITATION.cff"):
        if (root / name).exists():
            shutil.copyfile(root / name, dest / name)
    (dest / "notebooks").mkdir(exist_ok=True)
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        shutil.copyfile(path, dest / "notebooks" / path.name)
    ignore = shutil.ignore_patterns(".*", "_staging", "__pycache__", "*.part")
    for name in ("figures", "data"):
        if (root / name).is_dir():
            shutil.copytree(root / name, dest / name, ignore=ignore, dirs_exist_ok=True)
    return dest


def build(out: Path | None = None, root: Path | None = None) -> tuple[Path, list[str], list[str]]:
    """Build the site into ``out`` (default ``_site/``) from the repository at ``root``.

    Returns ``(out, problems, notes)``. With problems (what :func:`check_site` found) the site is
    NOT put in place: ``out`` keeps what it held before. Notes are harmless remarks.
    """
    root = Path(root or paths.REPO_ROOT).resolve()
    target = Path(out or DEFAULT_OUT).resolve()
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists())):
        raise SiteError(
            f"refusing to replace {target}: it is not a site built by this command "
            f"(no {MARKER} in it); choose an empty or new folder"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-staging-", dir=target.parent))
    try:
        src, html_out = work / "src", work / "html"
        src.mkdir()
        notes = write_sources(src, root, build_info(root))
        warnings = run_sphinx(src, html_out, work / "doctrees")
        notes["notes"] += [f"sphinx: {w}" for w in warnings]
        (html_out / ".buildinfo").unlink(missing_ok=True)
        for leftover in (".doctrees", "_sources"):
            shutil.rmtree(html_out / leftover, ignore_errors=True)
        for macros in (html_out / "_static").glob("*macros.html"):  # theme template parts, not pages
            macros.unlink()
        (html_out / MARKER).write_text(
            "A static site built by `python -m bering site`; safe to delete.\n", encoding="utf-8"
        )
        problems = notes["problems"] + check_site(html_out)
        if not problems:
            os.chmod(html_out, 0o755)
            export.replace_dir(html_out, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target, problems, notes["notes"]


# ---------------------------------------------------------------------------------------------
# Checking a built site (also used by the tests)

#: Elements whose URL attribute makes the browser load something (not a link a reader follows).
_LOADING_ATTRS = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("frame", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("img", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("track", "src"),
    ("input", "src"),
    ("image", "href"),
    ("use", "href"),
}
_CSS_URL_RE = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)
#: Inline scripts the theme writes (Sphinx and pydata-sphinx-theme), each as a regular expression
#: over the script's text with its white space collapsed. Any other inline script fails the check.
THEME_SCRIPTS = (
    re.compile(
        r'document\.documentElement\.dataset\.mode = localStorage\.getItem\("mode"\) \|\| '
        r'"(?:light|dark|auto|)"; document\.documentElement\.dataset\.theme = '
        r'localStorage\.getItem\("theme"\) \|\| "(?:light|dark|auto|)";'
    ),
    re.compile(r"DOCUMENTATION_OPTIONS\.pagename = '[a-z0-9_/]+';"),
    re.compile(r"DOCUMENTATION_OPTIONS\.search_as_you_type = (?:true|false);"),
    re.compile(
        r"// Activate the search field on page load let searchInput = document\.querySelector\("
        r'"form\.bd-search input"\); if \(searchInput\) \{ searchInput\.focus\(\); searchInput\.select\(\); '
        r'console\.log\("\[PST\]: Set focus on search field\."\); \}'
    ),
)


def theme_script(text: str) -> bool:
    """Whether an inline script is exactly one the theme writes."""
    flat = " ".join(text.split())
    return any(pattern.fullmatch(flat) for pattern in THEME_SCRIPTS)


class _PageScan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.css: list[str] = []
        self.images_without_alt: list[str] = []
        self.handlers: list[str] = []  # inline event handler attributes
        self.scripts: list[str] = []  # inline scripts (executable ones)
        self._in_style = False
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        for key in ("id", "name"):
            if attrs_d.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs_d[key])
        for attr, value in attrs:
            if attr.startswith("on"):
                self.handlers.append(f"<{tag} {attr}=...>")
            if value is None:
                continue
            if attr in ("href", "src", "data", "poster", "action", "xlink:href", "srcset", "formaction"):
                self.refs.append((tag, "href" if attr == "xlink:href" else attr, value.strip()))
            if attr == "style":
                self.css.append(value)
        if tag == "img" and not (attrs_d.get("alt") or "").strip():
            self.images_without_alt.append(attrs_d.get("src", "")[:60])
        if tag == "style":
            self._in_style = True
        if tag == "script" and "src" not in attrs_d:
            kind = (attrs_d.get("type") or "text/javascript").lower()
            self._script = [] if kind in ("text/javascript", "module", "application/javascript") else None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._script = None

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data):
        if self._in_style:
            self.css.append(data)
        if self._script is not None:
            self._script.append(data)


def scan_page(path: Path) -> _PageScan:
    scan = _PageScan()
    scan.feed(path.read_text(encoding="utf-8"))
    scan.close()
    return scan


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme in ("http", "https", "ftp", "ws", "wss")


def check_site(site: Path) -> list[str]:
    """Everything wrong with a built site, one line each (empty when all is well).

    Checks: every relative link, script, stylesheet, image and frame points to a file in the
    site (and a ``#fragment`` to an id on that page); nothing is loaded from another host
    (links a reader follows to other sites are fine); every ``<img>`` has alt text; no inline
    event handler (``onerror=``, ``onload=`` ...), no ``javascript:`` URL, and no inline script
    except the theme's own (:data:`THEME_SCRIPTS`).
    """
    site = Path(site)
    problems: list[str] = []
    pages = sorted(site.rglob("*.html"))
    scans = {p: scan_page(p) for p in pages}
    for page, scan in scans.items():
        name = page.relative_to(site).as_posix()
        for handler in scan.handlers:
            problems.append(f"{name}: inline event handler {handler} (script the site did not write)")
        for script in scan.scripts:
            if not theme_script(script):
                problems.append(f"{name}: inline script the site did not write: {' '.join(script.split())[:120]!r}")
        for src in scan.images_without_alt:
            problems.append(f'{name}: <img src="{src}..."> has no alt text')
        for css in scan.css:
            for url in _CSS_URL_RE.findall(css):
                if _is_external(url):
                    problems.append(f"{name}: a style loads {url} from another host")
        for tag, attr, url in scan.refs:
            if not url or url.startswith(("data:", "mailto:")):
                continue
            if attr == "srcset" or re.sub(r"[\s\x00-\x1f]", "", url).lower().startswith(("javascript:", "vbscript:")):
                problems.append(f'{name}: <{tag} {attr}="{url[:80]}"> is not allowed')
                continue
            if _is_external(url):
                if (tag, attr) in _LOADING_ATTRS or (tag == "link") or attr == "action":
                    problems.append(f'{name}: <{tag} {attr}="{url}"> loads from another host')
                continue
            parts = urlsplit(url)
            if parts.path:
                target = Path(os.path.normpath(page.parent / unquote(parts.path)))
                try:
                    target.relative_to(site)
                except ValueError:
                    problems.append(f"{name}: {url} points outside the site")
                    continue
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    problems.append(f"{name}: broken link {url} (no {target.relative_to(site).as_posix()})")
                    continue
            else:
                target = page
            if parts.fragment and target.suffix == ".html" and target in scans:
                ids = scans[target].ids
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:
                    problems.append(
                        f'{name}: broken link {url} (no id "{parts.fragment}" in {target.relative_to(site).as_posix()})'
                    )
    for css_file in sorted(site.rglob("*.css")):
        for url in _CSS_URL_RE.findall(css_file.read_text(encoding="utf-8", errors="replace")):
            if _is_external(url):
                problems.append(f"{css_file.relative_to(site).as_posix()}: loads {url} from another host")
    return problems


def plotly_outputs(notebook: Path) -> int:
    """How many stored plotly outputs a notebook has."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if PLOTLY_MIME in out.get("data", {})
    )


def tree_digest(folder: Path) -> str:
    """One digest of every file in ``folder`` (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bering site",
        description="Build the report site (Sphinx, MyST-NB, sphinx-book-theme) from the committed notebooks "
        "and figures/. Nothing is executed.",
    )
    parser.add_argument("--out", help=f"folder to write (default: {DEFAULT_OUT.relative_to(paths.REPO_ROOT)}/)")
    parser.add_argument("--root", help="repository to build from (default: this one)")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    started = time.monotonic()
    try:
        target, problems, notes = build(Path(args.out) if args.out else None, Path(args.root) if args.root else None)
    except SiteError as exc:
        print(f"site not built: {exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"note: {note}")
    if not args.root:
        from . import runner  # stored outputs older than their inputs make a site that contradicts itself

        stale = runner.stale_notebooks()
        if stale:
            print(f"warning: {runner.stale_message(stale)}", file=sys.stderr)
        elif stale is None:
            print(
                f"note: no build cache, so the stored outputs were not checked against their inputs; "
                f"{runner.FIX_COMMAND} brings them up to date"
            )
    if problems:
        for problem in problems:
            print(f"problem: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem(s): the site was not written; {target} is as it was", file=sys.stderr)
        return 1
    pages = sorted(target.rglob("*.html"))
    print(f"site written to {target}: {len(pages)} pages in {time.monotonic() - started:.0f} s")
    print(f"open {target / 'index.html'} in a browser, or serve the folder from any static host")
    return 0


if __name__ == "__main__":
    sys.exit(main())
