"""Generate the README's notebook table and data codebook from the notebooks, key numbers and dictionary.

The README's prose is written by hand; the two tables between the markers
``<!-- BEGIN notebooks -->``/``<!-- END notebooks -->`` and ``<!-- BEGIN codebook -->``/``<!-- END codebook -->``
are generated, so the numbers in them always match ``figures/key_numbers.csv``.
``python -m bering readme`` rewrites them; a test fails when they are out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from . import data, export, paths

README = paths.REPO_ROOT / "README.md"


def notebook_title(path: Path) -> str:
    """The first level-1 heading of a notebook, without its number prefix."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, re.M)
            if match:
                return re.sub(r"^\d\d\s*·\s*", "", match.group(1)).strip()
    return path.stem


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def notebooks_table(figures_dir: Path | None = None) -> str:
    """Markdown table: notebook, question, headline numbers, figures."""
    numbers = export.key_numbers(figures_dir)
    catalogue = export.catalogue(figures_dir)
    rows = ["| notebook | question | headline numbers | figures |", "|---|---|---|---|"]
    for path in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        mine = numbers[numbers["notebook"] == path.stem]
        heads = "<br>".join(f"{_md(r.description)}: **{export.display_number(r.value, r.unit)}** {_md(r.unit)}"
                            for r in mine.itertuples())
        figs = ", ".join(f"[{n}](figures/{f.split(';')[0]})" for n, f in
                         zip(catalogue.loc[catalogue["notebook"] == path.stem, "name"],
                             catalogue.loc[catalogue["notebook"] == path.stem, "files"]))
        rows.append(f"| [{path.stem}](notebooks/{path.name}) | {_md(notebook_title(path))} | {heads or '-'} | {figs or '-'} |")
    return "\n".join(rows)


def codebook_table(data_dir: Path | None = None) -> str:
    """Markdown table: every data file, what it holds, its fields with units, and how many sources it cites."""
    package = data.load_package(data_dir)
    rows = ["| file | what it holds | rows | fields (unit) | sources cited |", "|---|---|---|---|---|"]
    for res in package["resources"]:
        frame = data.load(res["name"], data_dir, cross_checks=False)
        fields = ", ".join(f"`{f['name']}`" + (f" ({_md(f['unit'])})" if f.get("unit") else "")
                           for f in res["schema"]["fields"])
        cited = frame["source_id"].nunique() if "source_id" in frame and res["name"] != "sources" else "-"
        rows.append(f"| [`{res['path']}`](data/{res['path']}) | {_md(res.get('title', res['name']))} | "
                    f"{len(frame)} | {fields} | {cited} |")
    return "\n".join(rows)


def render(text: str, figures_dir: Path | None = None, data_dir: Path | None = None) -> str:
    """``text`` with both generated sections replaced."""
    for name, table in (("notebooks", notebooks_table(figures_dir)), ("codebook", codebook_table(data_dir))):
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
