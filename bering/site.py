"""Build the collection as a static web report: ``python -m bering site [--out DIR]``.

The site is made from what is committed, nothing is executed:

* every notebook in ``notebooks/`` becomes one HTML page with its stored outputs (nbconvert's
  ``lab`` template, with its CDN scripts - require.js, MathJax, mermaid - taken out). Images get
  the alt text of the catalogued figure their cell saved; plotly outputs
  (``application/vnd.plotly.v1+json``) are drawn by one shared, local ``figures/plotly.min.js``;
* ``index.html`` says what the collection answers (the README's introduction) and maps the
  notebooks with their headline numbers from ``figures/key_numbers.csv``;
* ``gallery.html`` shows every figure of ``figures/catalogue.csv`` with its title, alt text,
  source line and notebook, and links to its files and to the data files it used, all copied
  into the site.

The site uses relative links only and loads nothing from another host, so it works opened from
disk (``file://``) and from any static host. (So LaTeX in markdown shows as written: MathJax
would come from a CDN.) Relative links in the notebooks' markdown are rewritten: ``NN_x.ipynb``
to ``NN_x.html``, a repository file (``../data/x.csv``) to a copy of it in the site. Two builds
give byte-identical files. The build checks its own result (:func:`check_site`: broken links and
fragments, images without alt text, scripts, styles or frames from other hosts; and
:func:`network_assets`: plotly maps that would download their base map) and exits non-zero if
anything is wrong.

The site is built in a staging folder beside the target and swapped in only when complete; a
folder that holds something other than a site built here is never replaced.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from . import export, paths

PLOTLY_MIME = "application/vnd.plotly.v1+json"
IMAGE_MIMES = ("image/svg+xml", "image/png", "image/jpeg")
#: Output mimetypes in the order a page shows them (the first one an output has wins).
DISPLAY_PRIORITY = [PLOTLY_MIME, "text/html", "text/markdown", *IMAGE_MIMES, "text/latex", "text/plain"]
MARKER = ".bering-site"
SITE_NAME = "Bering Strait crossing notebooks"
PLOTLY_JS = "figures/plotly.min.js"
DEFAULT_OUT = paths.REPO_ROOT / "_site"

_SAVED_RE = re.compile(r"Saved `(\d\d_[a-z0-9_]+)`")
#: Plotly traces drawn on a ``geo`` subplot, whose base map plotly.js fetches from cdn.plot.ly
#: (``world_110m.json``) unless every base layer is off.
GEO_TRACES = {"scattergeo", "choropleth"}
GEO_LAYERS = ("showland", "showocean", "showcoastlines", "showlakes", "showrivers", "showcountries", "showsubunits")
#: Plotly traces drawn on map tiles, which always come from a tile server.
TILE_TRACES = {"scattermapbox", "choroplethmapbox", "densitymapbox", "scattermap", "choroplethmap", "densitymap"}


class SiteError(RuntimeError):
    """The site cannot be built (missing input, or an output folder that is not ours)."""


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

    @property
    def interactive(self) -> bool:
        return any(f.endswith(".html") for f in self.files)

    @property
    def preview(self) -> str | None:
        return next((f for f in self.files if f.endswith(".png")), None)


@dataclass
class Notebook:
    path: Path
    title: str
    summary: str

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def page(self) -> str:
        return f"{self.path.stem}.html"


@dataclass
class Inputs:
    """What the site is made from, all under one repository root."""

    root: Path

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def figures_dir(self) -> Path:
        return self.root / "figures"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _split(text: str) -> list[str]:
    return [part for part in (text or "").split(";") if part]


def load_catalogue(figures_dir: Path) -> list[Figure]:
    """The figure catalogue, in its own (name) order."""
    return [Figure(r["name"], r["notebook"], r["title"], r["alt_text"], r["source_line"],
                   _split(r["files"]), _split(r["data_files"]))
            for r in _read_csv(figures_dir / "catalogue.csv")]


def load_key_numbers(figures_dir: Path) -> list[dict[str, str]]:
    return _read_csv(figures_dir / "key_numbers.csv")


def _notebook_title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, re.M)
            if match:
                return match.group(1).strip()
    return fallback


def _notebook_summary(nb) -> str:
    """The prose paragraph that opens the notebook's Overview section (markdown), if any."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        match = re.search(r"^## Overview\s*\n(.*?)(?=^## |\Z)", cell.source, re.M | re.S)
        if match:
            for para in re.split(r"\n\s*\n", match.group(1).strip()):
                if para.strip() and not re.match(r"\s*([-*+]|\d+\.)\s", para):
                    return " ".join(para.split())
            return ""
    return ""


def readme_intro(readme: Path) -> str:
    """The README's introduction: the markdown between its title and its first section."""
    if not readme.exists():
        return ""
    text = readme.read_text(encoding="utf-8")
    text = re.sub(r"\A\s*# [^\n]*\n", "", text)
    return re.split(r"^## ", text, maxsplit=1, flags=re.M)[0].strip()


# ---------------------------------------------------------------------------------------------
# Small helpers


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _markdown(text: str) -> str:
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])(text)


def _script_json(obj) -> str:
    """JSON safe to put inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def favicon() -> bytes:
    """A 16x16 icon (the palette's blue, a white band for the strait), built byte for byte. The site
    ships it at its root, so no browser asks the host for a /favicon.ico that is not there."""
    import zlib

    blue, white = bytes.fromhex("0072B2FF"), bytes.fromhex("FFFFFFFF")
    rows = b"".join(b"\x00" + b"".join(white if 7 <= x <= 8 else blue for x in range(16)) for _ in range(16))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, len(png), 22) + png


def _png_size(path: Path) -> tuple[int, int] | None:
    with path.open("rb") as handle:
        head = handle.read(24)
    if len(head) == 24 and head[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", head[16:24])
    return None


STYLE = """\
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --bg-soft: #f6f8fa; }
html { font-size: 16px; }
body.bering-page { margin: 0; color: var(--ink); background: #fff;
  font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif;
  line-height: 1.5; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.skip-link { position: absolute; left: -999px; top: 0; }
.skip-link:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
.site-nav { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; align-items: baseline;
  padding: 0.7rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--bg-soft);
  font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; font-size: 0.95rem; }
.site-nav a { color: var(--accent); }
.site-nav .home { font-weight: 600; }
.site-nav .pager { margin-left: auto; display: flex; gap: 1rem; }
.bering-page main { max-width: 62rem; margin: 0 auto; padding: 1rem 1.2rem 2rem; }
.bering-page h1 { font-size: 1.9rem; line-height: 1.25; margin: 1.2rem 0 0.8rem; }
.bering-page h2 { font-size: 1.35rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid var(--line); }
.bering-page h3 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; }
.bering-page a { color: var(--accent); }
.lead { font-size: 1.05rem; }
.notebook-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 1rem; }
.notebook-card { border: 1px solid var(--line); border-radius: 6px; padding: 0.8rem 1rem; }
.notebook-card h3 { margin-top: 0; }
.notebook-card .links { font-size: 0.95rem; color: var(--muted); margin: 0.4rem 0 0; }
table.numbers { border-collapse: collapse; width: 100%; font-size: 0.95rem; margin-top: 0.4rem; }
table.numbers th, table.numbers td { text-align: left; padding: 0.25rem 0.5rem; vertical-align: top;
  border-top: 1px solid var(--line); }
table.numbers td.value { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600;
  white-space: nowrap; }
table.numbers td.unit { color: var(--muted); white-space: nowrap; }
.gallery-item { border-top: 1px solid var(--line); padding: 1rem 0 1.4rem; }
h2 + .gallery-item { border-top: 0; }
.gallery-item img { max-width: 100%; height: auto; border: 1px solid var(--line); }
.gallery-item iframe { width: 100%; height: 660px; border: 1px solid var(--line); }
.gallery-item dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem;
  margin: 0.6rem 0 0; font-size: 0.95rem; }
.gallery-item dt { font-weight: 600; color: var(--muted); }
.gallery-item dd { margin: 0; }
.site-footer { border-top: 1px solid var(--line); color: var(--muted); font-size: 0.9rem;
  padding: 1rem 1.2rem 2rem; font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
.site-footer p { max-width: 62rem; margin: 0.3rem auto; }
/* notebook pages */
figure.bering-figure { margin: 0; }
figure.bering-figure img { max-width: 100%; height: auto; }
figure.bering-figure figcaption { font-size: 0.9rem; color: var(--muted); margin: 0.3rem 0 0.8rem; }
figure.bering-figure figcaption a, .site-footer a, .site-nav a { color: var(--accent); text-decoration: underline; }
.site-nav a.home { text-decoration: none; }
.bering-plotly { width: 100%; }
"""

_NBCONVERT_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{#- Nothing from a CDN: no require.js, MathJax, mermaid or widget manager. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<link rel="icon" href="favicon.ico">
<link rel="stylesheet" href="site.css">
{%- if resources.bering.plotly %}
<script src="{{ resources.bering.plotly_js }}"></script>
{%- endif %}
{%- endblock extra_css -%}
{%- block body_header -%}
<body class="jp-Notebook bering-notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.bering.header }}
<main id="content">
{%- endblock body_header -%}
{%- block body_footer -%}
</main>
{{ resources.bering.footer }}
</body>
{%- endblock body_footer -%}
{%- block data_png scoped -%}{{ output.metadata.bering_html }}{%- endblock data_png -%}
{%- block data_jpg scoped -%}{{ output.metadata.bering_html }}{%- endblock data_jpg -%}
{%- block data_svg scoped -%}{{ output.metadata.bering_html }}{%- endblock data_svg -%}
{%- block data_other scoped -%}{{ output.metadata.get('bering_html', '') }}{%- endblock data_other -%}
{%- block data_javascript scoped -%}{%- endblock data_javascript -%}
{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}
"""


def _exporter(localize):
    """nbconvert's HTML exporter with the template above; ``localize`` rewrites the links of every
    piece of markdown it renders (cells and markdown outputs)."""
    from jinja2 import DictLoader, pass_context
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    class Exporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):
            return localize(super().markdown2html(context, source))

    config = Config({"NbConvertBase": {"display_data_priority": DISPLAY_PRIORITY}})
    return Exporter(config=config, template_name="lab", template_file="bering_site.html.j2",
                    extra_loaders=[DictLoader({"bering_site.html.j2": _NBCONVERT_TEMPLATE})])


# ---------------------------------------------------------------------------------------------
# Page chrome


def _header(current: str, notebooks: list[Notebook]) -> str:
    links = [f'<a class="home" href="index.html">{_e(SITE_NAME)}</a>',
             '<a href="index.html#notebooks">Notebooks</a>',
             '<a href="gallery.html">Figure gallery</a>']
    pager = ""
    stems = [nb.stem for nb in notebooks]
    if current in stems:
        i = stems.index(current)
        parts = []
        if i > 0:
            parts.append(f'<a rel="prev" href="{_e(notebooks[i - 1].page)}">&larr; {_e(notebooks[i - 1].title)}</a>')
        if i + 1 < len(notebooks):
            parts.append(f'<a rel="next" href="{_e(notebooks[i + 1].page)}">{_e(notebooks[i + 1].title)} &rarr;</a>')
        pager = f'<span class="pager">{"".join(parts)}</span>' if parts else ""
    return ('<a class="skip-link" href="#content">Skip to content</a>\n'
            f'<header><nav class="site-nav" aria-label="Site">{" ".join(links)}{pager}</nav></header>')


def _footer(extra: str = "", sources: bool = True) -> str:
    where = '<a href="data/sources.csv">data/sources.csv</a>' if sources else "data/sources.csv"
    return ('<footer class="site-footer">\n'
            + (f"<p>{extra}</p>\n" if extra else "")
            + "<p>Built from the committed notebooks and their stored outputs; nothing here loads from "
              "another site. Code: MIT licence. Data compilation, figures and notebook text: CC BY 4.0; "
              f"third-party sources keep their own terms (see each source in {where}).</p>\n"
              "</footer>")


def _page(title: str, body: str, *, current: str, notebooks: list[Notebook], sources: bool = True) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)}</title>\n<link rel=\"icon\" href=\"favicon.ico\">\n"
            "<link rel=\"stylesheet\" href=\"site.css\">\n</head>\n<body class=\"bering-page\">\n"
            f"{_header(current, notebooks)}\n<main id=\"content\">\n{body}\n</main>\n{_footer(sources=sources)}\n"
            "</body>\n</html>\n")


# ---------------------------------------------------------------------------------------------
# Links from markdown to files of the repository


@dataclass
class _Build:
    inputs: Inputs
    out: Path
    catalogue: list[Figure]
    notebooks: list[Notebook] = field(default_factory=list)
    copies: set[str] = field(default_factory=set)          # repository-relative paths to copy
    anchors: dict[str, set[str]] = field(default_factory=dict)  # page -> figure ids emitted
    notes: list[str] = field(default_factory=list)
    offline: list[str] = field(default_factory=list)   # what would load from another host at run time

    def localize(self, url: str, base: Path) -> str:
        """A relative link written in the repository (from ``base``) as a link inside the site."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            return url
        target = Path(os.path.normpath(base / unquote(parts.path)))
        try:
            rel = PurePosixPath(target.relative_to(self.inputs.root).as_posix())
        except ValueError:
            return url
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if rel.suffix == ".ipynb" and rel.parent == PurePosixPath("notebooks") and target.is_file():
            return f"{rel.stem}.html{fragment}"
        if target.is_file() and not any(p.startswith(".") for p in rel.parts):
            self.copies.add(str(rel))
            return f"{rel}{fragment}"
        return url


def _localize_html(fragment_html: str, build: _Build, base: Path) -> str:
    """``fragment_html`` with its repository-relative links turned into links inside the site."""
    if "href=" not in fragment_html and "src=" not in fragment_html:
        return fragment_html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment_html, features="html.parser")
    for tag in soup.find_all(True):
        for attr in ("href", "src"):
            if tag.has_attr(attr):
                tag[attr] = build.localize(tag[attr], base)
    return str(soup)


# ---------------------------------------------------------------------------------------------
# Notebook pages


def _cell_figures(cell, by_name: dict[str, Figure]) -> list[Figure]:
    """Catalogued figures a cell saves: names quoted in its source, then 'Saved `NAME`' outputs."""
    found: list[tuple[int, str]] = []
    for name in by_name:
        match = re.search(r"[\"']" + re.escape(name) + r"[\"']", cell.source)
        if match:
            found.append((match.start(), name))
    names = [name for _, name in sorted(found)]
    for out in cell.get("outputs", []):
        text = out.get("data", {}).get("text/markdown", "") if "data" in out else ""
        for name in _SAVED_RE.findall(text if isinstance(text, str) else "".join(text)):
            if name in by_name and name not in names:
                names.append(name)
    return [by_name[n] for n in names]


def _section_heading(cells, index: int) -> str:
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown":
            headings = re.findall(r"^#{1,6}\s+(.+)$", cell.source, re.M)
            if headings:
                return headings[-1].strip()
    return ""


def _image_html(out, mime: str, fig: Figure | None, alt: str) -> str:
    data = out["data"][mime]
    if mime == "image/svg+xml":
        import base64

        text = data if isinstance(data, str) else "".join(data)
        src = "data:image/svg+xml;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")
    else:
        src = f"data:{mime};base64," + ("".join(data) if isinstance(data, list) else data).replace("\n", "")
    ident = f' id="fig-{_e(fig.name)}"' if fig else ""
    caption = ""
    if fig:
        caption = (f'<figcaption>Figure <code>{_e(fig.name)}</code>: files, source and data in the '
                   f'<a href="gallery.html#{_e(fig.name)}">figure gallery</a>.</figcaption>')
    return (f'<figure class="bering-figure jp-RenderedImage jp-OutputArea-output"{ident}>'
            f'<img src="{src}" alt="{_e(alt)}">{caption}</figure>')


def _plotly_html(spec: dict, fig: Figure | None, fallback_alt: str, dom_id: str) -> str:
    layout = dict(spec.get("layout") or {})
    height = layout.get("height") or 525
    config = {**(spec.get("config") or {}), "displaylogo": False, "responsive": True}
    alt = fig.alt_text if fig else fallback_alt
    ident = f' id="fig-{_e(fig.name)}"' if fig else ""
    gallery = (f' Files, source and data in the <a href="gallery.html#{_e(fig.name)}">figure gallery</a>.'
               if fig else "")
    label = f"Interactive chart <code>{_e(fig.name)}</code>" if fig else "Interactive chart"
    return (f'<figure class="bering-figure jp-OutputArea-output"{ident}>'
            f'<div id="{_e(dom_id)}" class="plotly-graph-div bering-plotly" role="img" aria-label="{_e(alt)}" '
            f'style="height:{int(height)}px;width:100%"></div>'
            f"<script>Plotly.newPlot({_script_json(dom_id)},{_script_json(spec.get('data') or [])},"
            f"{_script_json(layout)},{_script_json(config)});</script>"
            f"<figcaption>{label}: {_e(alt)}{gallery}</figcaption></figure>")


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
                found.append(f"map ({key}) with base layers {', '.join(shown)}: plotly.js fetches "
                             "world_110m.json from cdn.plot.ly")
        if any(t.get("locations") is not None for t in traces if t.get("type") in GEO_TRACES):
            found.append("map with 'locations': plotly.js fetches its outlines from cdn.plot.ly")
    return found


def _first_mime(data) -> str | None:
    return next((m for m in DISPLAY_PRIORITY if m in data), None)


def _prepare_notebook(nb, notebook: Notebook, build: _Build) -> bool:
    """Attach the HTML of image and plotly outputs (with alt text) to the outputs; True if plotly."""
    by_name = {f.name: f for f in build.catalogue}
    has_plotly = False
    emitted = build.anchors.setdefault(notebook.page, set())
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        figures = _cell_figures(cell, by_name)
        static = [f for f in figures if not f.interactive]
        interactive = [f for f in figures if f.interactive]
        n_image = n_plot = 0
        for k, out in enumerate(cell.get("outputs", [])):
            if "data" not in out:
                continue
            mime = _first_mime(out["data"])
            if mime in IMAGE_MIMES:
                fig = static[n_image] if n_image < len(static) else None
                n_image += 1
                if fig and f"fig-{fig.name}" in emitted:
                    fig = None
                if fig:
                    alt = fig.alt_text
                else:
                    heading = _section_heading(nb.cells, index)
                    where = f"the section \u201c{heading}\u201d" if heading else f"code cell {index + 1}"
                    alt = (f"Chart drawn in {where} of notebook {notebook.stem}; it is not in the figure "
                           "catalogue, so the prose around it describes what it shows.")
                    build.notes.append(f"{notebook.path.name}, cell {index + 1}: an image that is not a "
                                       "catalogued figure (alt text derived from its section)")
                out.setdefault("metadata", {})["bering_html"] = _image_html(out, mime, fig, alt)
            elif mime == PLOTLY_MIME:
                has_plotly = True
                fig = interactive[n_plot] if n_plot < len(interactive) else None
                n_plot += 1
                if fig and f"fig-{fig.name}" in emitted:
                    fig = None
                heading = _section_heading(nb.cells, index)
                fallback = (f"Interactive chart in the section \u201c{heading or 'untitled'}\u201d of notebook "
                            f"{notebook.stem}; the prose around it describes what it shows.")
                dom_id = f"plot-{fig.name}" if fig else f"plot-cell{index + 1}-{k + 1}"
                for what in network_assets(out["data"][PLOTLY_MIME]):
                    build.offline.append(f"{notebook.page}, cell {index + 1}: {what}; turn every base layer "
                                         "off (show...=False) and draw land from data/geo/ as a trace")
                out.setdefault("metadata", {})["bering_html"] = _plotly_html(out["data"][PLOTLY_MIME], fig,
                                                                            fallback, dom_id)
            else:
                continue
            if fig:
                emitted.add(f"fig-{fig.name}")
    return has_plotly


def render_notebook(exporter, notebook: Notebook, build: _Build) -> str:
    import nbformat

    nb = nbformat.read(notebook.path, as_version=4)
    has_plotly = _prepare_notebook(nb, notebook, build)
    source_link = f"notebooks/{notebook.path.name}"
    build.copies.add(source_link)
    resources = {
        "metadata": {"name": f"{notebook.title} \u2014 {SITE_NAME}", "path": str(notebook.path.parent)},
        "bering": {
            "plotly": has_plotly,
            "plotly_js": PLOTLY_JS,
            "header": _header(notebook.stem, build.notebooks),
            "footer": _footer(f'This page is the notebook <a href="{_e(source_link)}">{_e(source_link)}</a> '
                              "as committed, with its stored outputs.", "data/sources.csv" in build.copies),
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


# ---------------------------------------------------------------------------------------------
# Index and gallery


def render_index(build: _Build, key_numbers: list[dict[str, str]]) -> str:
    intro = readme_intro(build.inputs.readme)
    intro_html = _localize_html(_markdown(intro), build, build.inputs.root) if intro else ""
    by_notebook: dict[str, list[dict[str, str]]] = {}
    for row in key_numbers:
        by_notebook.setdefault(row["notebook"], []).append(row)
    figure_counts: dict[str, int] = {}
    for fig in build.catalogue:
        figure_counts[fig.notebook] = figure_counts.get(fig.notebook, 0) + 1
    cards = []
    for nb in build.notebooks:
        rows = by_notebook.get(nb.stem, [])
        table = ""
        if rows:
            body = "\n".join(
                f'<tr><td class="value"><data value="{_e(r["value"])}">{_e(export.display_number(r["value"], r["unit"]))}'
                f'</data></td><td class="unit">{_e(r["unit"])}</td><td>{_e(r["description"])}</td></tr>'
                for r in rows)
            table = (f'<table class="numbers"><caption class="visually-hidden">Headline numbers of '
                     f'{_e(nb.stem)}</caption><thead><tr><th scope="col">value</th><th scope="col">unit</th>'
                     f'<th scope="col">what it is</th></tr></thead><tbody>\n{body}\n</tbody></table>')
        n_fig = figure_counts.get(nb.stem, 0)
        links = [f'<a href="{_e(nb.page)}">read the notebook</a>']
        if n_fig:
            links.append(f'<a href="gallery.html#nb-{_e(nb.stem)}">{n_fig} figure{"s" if n_fig != 1 else ""} '
                         "in the gallery</a>")
        links.append(f'<a href="notebooks/{_e(nb.path.name)}">download the .ipynb</a>')
        summary = f"<p>{_e(nb.summary)}</p>" if nb.summary else ""
        cards.append(f'<li class="notebook-card"><h3><a href="{_e(nb.page)}">{_e(nb.title)}</a></h3>'
                     f'{summary}{table}<p class="links">{" · ".join(links)}</p></li>')
    data_links = sorted(c for c in build.copies if c.startswith("data/"))
    data_list = "".join(f'<li><a href="{_e(c)}">{_e(c)}</a></li>' for c in data_links)
    body = (f"<h1>{_e(SITE_NAME)}</h1>\n"
            f'<section class="lead" aria-label="What the collection answers">\n{intro_html}\n</section>\n'
            '<h2 id="notebooks">The notebooks</h2>\n'
            "<p>Read them in order. Each card gives the notebook's headline numbers as it computed them "
            "(from <code>figures/key_numbers.csv</code>).</p>\n"
            f'<ol class="notebook-list">\n' + "\n".join(cards) + "\n</ol>\n"
            '<h2 id="figures">Figures</h2>\n'
            f'<p>The <a href="gallery.html">figure gallery</a> shows all {len(build.catalogue)} figures with '
            "their alt text and source lines, and links to each one as PNG, SVG and PDF (or as an "
            "interactive page) and to the data it was drawn from.</p>\n"
            '<h2 id="data">Data</h2>\n'
            "<p>The data files used by the figures; every row names its source in "
            '<a href="data/sources.csv">data/sources.csv</a>.</p>\n'
            f"<ul>{data_list}</ul>")
    return _page(SITE_NAME, body, current="index", notebooks=build.notebooks,
                 sources="data/sources.csv" in build.copies)


def render_gallery(build: _Build) -> str:
    pages = {nb.stem: nb for nb in build.notebooks}
    groups: dict[str, list[Figure]] = {}
    for fig in build.catalogue:
        groups.setdefault(fig.notebook, []).append(fig)
    sections = []
    for stem in sorted(groups):
        nb = pages.get(stem)
        heading = _e(nb.title) if nb else _e(stem)
        items = []
        for fig in groups[stem]:
            if fig.interactive:
                page = next(f for f in fig.files if f.endswith(".html"))
                view = (f'<iframe src="figures/{_e(page)}" title="{_e(fig.title)} (interactive chart)">'
                        "</iframe>")
            elif fig.preview:
                size = _png_size(build.inputs.figures_dir / fig.preview)
                dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
                view = (f'<a href="figures/{_e(fig.preview)}"><img src="figures/{_e(fig.preview)}" '
                        f'alt="{_e(fig.alt_text)}"{dims}></a>')
            else:
                view = ""
            files = " · ".join(f'<a href="figures/{_e(f)}">{_e(f.rsplit(".", 1)[-1].upper())}</a>'
                               for f in fig.files)
            data_files = " · ".join(f'<a href="data/{_e(d)}">{_e(d)}</a>' for d in fig.data_files) or "none"
            if nb:
                anchor = f"fig-{fig.name}"
                target = nb.page + (f"#{anchor}" if anchor in build.anchors.get(nb.page, set()) else "")
                where = f'<a href="{_e(target)}">{_e(nb.title)}</a>'
            else:
                where = _e(fig.notebook)
            kind = "interactive chart" if fig.interactive else "static chart"
            items.append(
                f'<article class="gallery-item" id="{_e(fig.name)}">\n<h3>{_e(fig.title)}</h3>\n{view}\n<dl>'
                f"<dt>Figure</dt><dd><code>{_e(fig.name)}</code> ({kind})</dd>"
                f"<dt>Description</dt><dd>{_e(fig.alt_text)}</dd>"
                f"<dt>Source</dt><dd>{_e(fig.source_line)}</dd>"
                f"<dt>Notebook</dt><dd>{where}</dd>"
                f"<dt>Files</dt><dd>{files}</dd>"
                f"<dt>Data</dt><dd>{data_files}</dd></dl>\n</article>")
        sections.append(f'<section aria-labelledby="nb-{_e(stem)}">\n<h2 id="nb-{_e(stem)}">{heading}</h2>\n'
                        + "\n".join(items) + "\n</section>")
    body = ("<h1>Figure gallery</h1>\n"
            f"<p>All {len(build.catalogue)} figures of the collection, as listed in "
            "<code>figures/catalogue.csv</code>. Each has a title that states its finding, a description "
            "for readers who cannot see it, the source line printed on it, and links to its files and "
            "to the data files it was drawn from.</p>\n" + "\n".join(sections))
    return _page(f"Figure gallery \u2014 {SITE_NAME}", body, current="gallery", notebooks=build.notebooks,
                 sources="data/sources.csv" in build.copies)


# ---------------------------------------------------------------------------------------------
# Building


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def _build_into(staging: Path, inputs: Inputs) -> _Build:
    import nbformat

    if not inputs.notebooks_dir.is_dir():
        raise SiteError(f"no notebooks folder at {inputs.notebooks_dir}")
    catalogue = load_catalogue(inputs.figures_dir)
    build = _Build(inputs=inputs, out=staging, catalogue=catalogue)
    for path in sorted(inputs.notebooks_dir.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        build.notebooks.append(Notebook(path, _notebook_title(nb, path.stem), _notebook_summary(nb)))
    if not build.notebooks:
        raise SiteError(f"no notebooks (NN_slug.ipynb) in {inputs.notebooks_dir}")

    # figures and the data they were drawn from
    for fig in catalogue:
        for name in fig.files:
            if not (inputs.figures_dir / name).is_file():
                raise SiteError(f"catalogue lists {name} for figure {fig.name}, but figures/{name} is missing")
            build.copies.add(f"figures/{name}")
        for name in fig.data_files:
            if not (inputs.data_dir / name).is_file():
                raise SiteError(f"catalogue lists data file {name} for figure {fig.name}, "
                                f"but data/{name} is missing")
            build.copies.add(f"data/{name}")
    for name in ("sources.csv", "datapackage.json"):
        if (inputs.data_dir / name).is_file():
            build.copies.add(f"data/{name}")

    plotly_needed = any(f.interactive for f in catalogue)
    current = {"base": inputs.notebooks_dir}
    exporter = _exporter(lambda fragment: _localize_html(fragment, build, current["base"]))
    for nb in build.notebooks:
        current["base"] = nb.path.parent
        page = render_notebook(exporter, nb, build)
        plotly_needed = plotly_needed or f'src="{PLOTLY_JS}"' in page
        _write(staging / nb.page, page)
    if plotly_needed:
        if not (inputs.figures_dir / "plotly.min.js").is_file():
            raise SiteError("a page shows plotly charts but figures/plotly.min.js is missing "
                            "(run python -m bering figures)")
        build.copies.add(PLOTLY_JS)

    _write(staging / "gallery.html", render_gallery(build))
    _write(staging / "index.html", render_index(build, load_key_numbers(inputs.figures_dir)))
    _write(staging / "site.css", STYLE)
    (staging / "favicon.ico").write_bytes(favicon())
    for rel in sorted(build.copies):
        _copy(inputs.root / rel, staging / rel)
    _write(staging / MARKER, "A static site built by `python -m bering site`; safe to delete.\n")
    return build


def copy_inputs(dest: Path, root: Path | None = None) -> Path:
    """Copy what a build reads (README, notebooks, figures, data) from ``root`` into ``dest``.

    Tests build from such a copy, so files that change while they run (a notebook being
    refreshed, figures being exported) cannot make two builds differ.
    """
    inputs = Inputs(Path(root or paths.REPO_ROOT).resolve())
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if inputs.readme.exists():
        shutil.copyfile(inputs.readme, dest / "README.md")
    (dest / "notebooks").mkdir(exist_ok=True)
    for path in sorted(inputs.notebooks_dir.glob("*.ipynb")):
        shutil.copyfile(path, dest / "notebooks" / path.name)
    ignore = shutil.ignore_patterns(".*", "_staging", "__pycache__", "*.part")
    for name in ("figures", "data"):
        if (inputs.root / name).is_dir():
            shutil.copytree(inputs.root / name, dest / name, ignore=ignore, dirs_exist_ok=True)
    return dest


def build(out: Path | None = None, root: Path | None = None) -> tuple[Path, list[str], list[str]]:
    """Build the site into ``out`` (default ``_site/``) from the repository at ``root``.

    Returns ``(out, problems, notes)``: problems are what :func:`check_site` found (the site is
    written all the same, so it can be looked at); notes are harmless remarks.
    """
    inputs = Inputs(Path(root or paths.REPO_ROOT).resolve())
    target = Path(out or DEFAULT_OUT).resolve()
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists())):
        raise SiteError(f"refusing to replace {target}: it is not a site built by this command "
                        f"(no {MARKER} in it); choose an empty or new folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-staging-", dir=target.parent))
    try:
        result = _build_into(staging, inputs)
        problems = result.offline + check_site(staging)
        os.chmod(staging, 0o755)
        export.replace_dir(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target, problems, result.notes


# ---------------------------------------------------------------------------------------------
# Checking a built site (also used by the tests)

#: Elements whose URL attribute makes the browser load something (not a link a reader follows).
_LOADING_ATTRS = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("frame", "src"),
                  ("source", "src"), ("source", "srcset"), ("img", "srcset"), ("video", "src"),
                  ("video", "poster"), ("audio", "src"), ("embed", "src"), ("object", "data"),
                  ("track", "src"), ("input", "src"), ("image", "href"), ("use", "href")}
_CSS_URL_RE = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)


class _PageScan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []   # (tag, attribute, url)
        self.css: list[str] = []
        self.images_without_alt: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        for key in ("id", "name"):
            if attrs_d.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs_d[key])
        for attr, value in attrs:
            if value is None:
                continue
            if attr in ("href", "src", "data", "poster", "action", "xlink:href", "srcset"):
                self.refs.append((tag, "href" if attr == "xlink:href" else attr, value.strip()))
            if attr == "style":
                self.css.append(value)
        if tag == "img" and not (attrs_d.get("alt") or "").strip():
            self.images_without_alt.append(attrs_d.get("src", "")[:60])
        if tag == "style":
            self._in_style = True

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.css.append(data)


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
    (links a reader follows to other sites are fine); every ``<img>`` has non-empty alt text.
    """
    site = Path(site)
    problems: list[str] = []
    pages = sorted(site.rglob("*.html"))
    scans = {p: scan_page(p) for p in pages}
    for page, scan in scans.items():
        name = page.relative_to(site).as_posix()
        for src in scan.images_without_alt:
            problems.append(f"{name}: <img src=\"{src}...\"> has no alt text")
        for css in scan.css:
            for url in _CSS_URL_RE.findall(css):
                if _is_external(url):
                    problems.append(f"{name}: a style loads {url} from another host")
        for tag, attr, url in scan.refs:
            if not url or url.startswith(("data:", "mailto:")):
                continue
            if attr == "srcset" or url.lower().startswith("javascript:"):
                problems.append(f"{name}: <{tag} {attr}=\"{url[:80]}\"> is not allowed")
                continue
            if _is_external(url):
                if (tag, attr) in _LOADING_ATTRS or (tag == "link") or attr == "action":
                    problems.append(f"{name}: <{tag} {attr}=\"{url}\"> loads from another host")
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
            if parts.fragment and target.suffix == ".html":
                ids = scans[target].ids if target in scans else scan_page(target).ids
                # browsers try the fragment as written, then percent-decoded (HTML, "indicated part")
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:
                    problems.append(f"{name}: broken link {url} (no id \"{parts.fragment}\" "
                                    f"in {target.relative_to(site).as_posix()})")
    for css_file in sorted(site.rglob("*.css")):
        for url in _CSS_URL_RE.findall(css_file.read_text(encoding="utf-8")):
            if _is_external(url):
                problems.append(f"{css_file.relative_to(site).as_posix()}: loads {url} from another host")
    return problems


def plotly_outputs(notebook: Path) -> int:
    """How many stored plotly outputs a notebook has."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return sum(1 for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
               if PLOTLY_MIME in out.get("data", {}))


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bering site",
        description="Build the static HTML report (notebooks with their stored outputs, an index and a "
                    "figure gallery) from the committed notebooks and figures/. Nothing is executed.")
    parser.add_argument("--out", help=f"folder to write (default: {DEFAULT_OUT.relative_to(paths.REPO_ROOT)}/)")
    parser.add_argument("--root", help="repository to build from (default: this one)")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    try:
        target, problems, notes = build(Path(args.out) if args.out else None,
                                        Path(args.root) if args.root else None)
    except SiteError as exc:
        print(f"site not built: {exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"note: {note}")
    if not args.root:
        from . import runner   # stored outputs older than their inputs make a site that contradicts itself

        stale = runner.stale_notebooks()
        if stale:
            print(f"warning: {runner.stale_message(stale)}", file=sys.stderr)
        elif stale is None:
            print(f"note: no build cache, so the stored outputs were not checked against their inputs; "
                  f"{runner.FIX_COMMAND} brings them up to date")
    pages = sorted(p.relative_to(target).as_posix() for p in target.glob("*.html"))
    print(f"site written to {target}: {len(pages)} pages ({', '.join(pages)})")
    print(f"open {target / 'index.html'} in a browser, or serve the folder from any static host")
    if problems:
        for problem in problems:
            print(f"problem: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem(s) in the site", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
