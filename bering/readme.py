"""Generate the README's notebook table, its lead figure and the data codebook.

The README's prose is written by hand; what stands between the markers
``<!-- BEGIN notebooks -->``/``<!-- END notebooks -->``, ``<!-- BEGIN figure NAME -->``/``<!-- END figure -->``
and ``<!-- BEGIN codebook -->``/``<!-- END codebook -->`` is generated, so it always matches the
notebooks' stored outputs, ``figures/catalogue.csv`` and ``figures/key_numbers.csv``.
``python -m bering readme`` rewrites them; a test fails when they are out of date.

The notebooks table is kept short: per notebook, the first point of its **Findings** (the
Markdown its Findings cell stored), or, for a notebook without one, its first two key numbers in
the one shared number format (:func:`bering.fmt.number`). Every key number stays in
``figures/key_numbers.csv`` and on the site. When ``CITATION.cff`` names the repository's public
GitHub address (``repository-code``), each notebook also gets a plain "launch" link to Binder
(:func:`bering.site.binder_url`), as the site's notebook pages do; without one there is none.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import nbformat

from . import data, export, fmt, paths
from .overview import notebook_title

README = paths.REPO_ROOT / "README.md"


def _md(text: str) -> str:
    """Text for one Markdown table cell: no line breaks, pipes escaped, no markup from data."""
    flat = " ".join(str(text).split())
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def lead_finding(path: Path) -> str | None:
    """The first point of the Findings a notebook's stored outputs show (None without one), its
    links rewritten from the notebook's folder to the repository root, where the README is."""
    from .site import first_finding

    first = first_finding(nbformat.read(path, as_version=4))
    return None if first is None else _LINK_RE.sub(_from_root, first)


#: A Markdown link ``[text](target)`` (not an escaped ``\[``).
_LINK_RE = re.compile(r"(?<!\\)\[([^\]]*)\]\(([^)\s]*)\)")


def _from_root(match: re.Match) -> str:
    """A link written in a notebook (relative to ``notebooks/``) as the README at the root needs it;
    web addresses, absolute paths and anchors stay as they are."""
    text, target = match.group(1), match.group(2)
    if not target or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|/|#", target):
        return match.group(0)
    return f"[{text}]({posixpath.normpath(posixpath.join('notebooks', target))})"


def notebooks_table(figures_dir: Path | None = None, repository: str = "") -> str:
    """Markdown table: notebook (with a Binder launch link when ``repository`` is the collection's
    GitHub address), question, headline numbers, figures."""
    from .site import binder_url

    numbers = export.key_numbers(figures_dir)
    catalogue = export.catalogue(figures_dir)
    rows = ["| notebook | question | headline | figures |", "|---|---|---|---|"]
    for path in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        mine = numbers[numbers["notebook"] == path.stem].head(2)
        finding = lead_finding(path)
        heads = (
            _md(finding)
            if finding
            else "<br>".join(
                f"{_md(r.description)}: **{fmt.number(str(r.value), r.unit)}** {_md(r.unit)}" for r in mine.itertuples()
            )
        )
        n_figs = int((catalogue["notebook"] == path.stem).sum())
        name = f"[{path.stem}](notebooks/{path.name})"
        if repository:
            name += f" ([launch]({binder_url(repository, f'notebooks/{path.name}')}))"
        rows.append(f"| {name} | {_md(notebook_title(path))} | {heads or '-'} | {n_figs or '-'} |")
    return "\n".join(rows)


def figure_block(name: str, figures_dir: Path | None = None) -> str:
    """The README's picture of one catalogued figure: its PNG with its alt text, its title below."""
    catalogue = export.catalogue(figures_dir)
    row = catalogue[catalogue["name"] == name]
    if row.empty:
        raise ValueError(f"README shows figure {name!r}, which figures/catalogue.csv does not list")
    row = row.iloc[0]
    png = next((f for f in row["files"].split(";") if f.endswith(".png")), None)
    if png is None:
        raise ValueError(f"README shows figure {name!r}, which has no PNG")
    alt = _md(row["alt_text"]).replace("[", "(").replace("]", ")")
    return f"![{alt}](figures/{png})\n\n*{_md(row['title'])}* ({_md(row['source_line'])})"


def codebook_table(data_dir: Path | None = None) -> str:
    """Markdown table: every data file, what it holds, its fields with units, and how many sources it cites."""
    package = data.load_package(data_dir)
    rows = ["| file | what it holds | rows | fields (unit) | sources cited |", "|---|---|---|---|---|"]
    for res in package["resources"]:
        frame = data.load(res["name"], data_dir, cross_checks=False)
        fields = ", ".join(
            f"`{f['name']}`" + (f" ({_md(f['unit'])})" if f.get("unit") else "") for f in res["schema"]["fields"]
        )
        cited = frame["source_id"].nunique() if "source_id" in frame and res["name"] != "sources" else "-"
        rows.append(
            f"| [`{res['path']}`](data/{res['path']}) | {_md(res.get('title', res['name']))} | "
            f"{len(frame)} | {fields} | {cited} |"
        )
    return "\n".join(rows)


def render(text: str, figures_dir: Path | None = None, data_dir: Path | None = None, root: Path | None = None) -> str:
    """``text`` with its generated sections replaced; ``root`` is where ``CITATION.cff`` is read
    (default: this repository)."""
    from .site import citation, repository

    address, _ = repository(citation(Path(root or paths.REPO_ROOT)))
    pattern = re.compile(r"(<!-- BEGIN figure (\d\d_[a-z0-9_]+) -->\n)(?:.*?\n)?(<!-- END figure -->)", re.S)
    text = pattern.sub(lambda m: m.group(1) + figure_block(m.group(2), figures_dir) + "\n" + m.group(3), text)
    for name, table in (("notebooks", notebooks_table(figures_dir, address)), ("codebook", codebook_table(data_dir))):
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n)(?:.*?\n)?(<!-- END {name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"README has no <!-- BEGIN {name} --> ... <!-- END {name} --> section")
        text = pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text)
    return text


def update(readme: Path = README) -> bool:
    """Rewrite the README's generated sections; return whether anything changed."""
    old = readme.read_text(encoding="utf-8")
    new = render(old, paths.committed_figures_dir())
    if new != old:
        readme.write_text(new, encoding="utf-8")
    return new != old
