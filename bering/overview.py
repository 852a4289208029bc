"""The front page of the collection (notebook 00): its findings, its notebooks, its data.

Nothing here is typed by hand. The findings of the whole collection are sentences computed from the
key numbers the package's analysis modules compute (:func:`bering.results.key_numbers`) and from the
claims ledger, each linking to the notebook and figure that proves it. Each notebook's question is
its own first heading; its figures are the package's catalogue (:func:`bering.plots.catalogue`, every
registered figure drawn from the data), never read back from ``figures/``, so this notebook runs alone,
on an empty figures folder, in any order; the data files, their descriptions and row counts come from
``data/datapackage.json`` and the files themselves. Numbers
are written by :func:`bering.fmt.number`, and text from the data is escaped before it becomes
Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from . import data, fmt, paths
from .notebook import Markdown

OVERVIEW_STEM = "00_overview"


def readable_number(value: float, unit: str = "") -> str:
    """A number for prose, by the collection's one formatter (:func:`bering.fmt.number`)."""
    return fmt.number(value, unit)


def markdown_table(frame: pd.DataFrame) -> Markdown:
    """``frame`` as a Markdown table, shown in full in a notebook (no truncated cells).

    Text cells are escaped (HTML and Markdown syntax show as text); a cell that is already
    :class:`Markdown` (a link the package built) is kept, with only its pipes escaped.
    """

    def cell(value) -> str:
        if isinstance(value, Markdown):
            return value.text.replace("|", "\\|").replace("\n", " ")
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, (float, int)) and not isinstance(value, bool):
            return readable_number(value)
        return fmt.markdown(value)

    lines = ["| " + " | ".join(fmt.markdown(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return Markdown("\n".join(lines))


def notebook_title(path: Path) -> str:
    """The first level-1 heading of a notebook, without its number prefix."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, re.M)
            if match:
                return re.sub(r"^\d\d\s*·\s*", "", match.group(1)).strip()
    return path.stem


def analysis_notebooks(notebooks_dir: Path | None = None) -> list[Path]:
    """The numbered notebooks other than this overview, in reading order."""
    folder = Path(notebooks_dir or paths.NOTEBOOKS_DIR)
    return [p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb")) if p.stem != OVERVIEW_STEM]


def findings(numbers: pd.DataFrame, notebook: str) -> str:
    """The key numbers one notebook recorded, as 'description: value unit' joined by semicolons."""
    mine = numbers[numbers["notebook"] == notebook]
    return "; ".join(f"{r.description}: {fmt.with_unit(r.value, r.unit)}" for r in mine.itertuples())


def _figure_ref(name: str, files: str, links: bool) -> str:
    from urllib.parse import quote

    first = str(files).split(";")[0]
    return f"[{fmt.markdown(name)}](../figures/{quote(first)})" if links and first else name


def collection_numbers(keys: pd.DataFrame, ledger_rows=()) -> pd.DataFrame:
    """Key numbers of every notebook, computed: the modules' ``keys`` plus the ledger's headline rows."""
    rows = pd.DataFrame(list(ledger_rows), columns=["key", "value", "unit", "description"]).assign(
        notebook="05_claims_ledger"
    )
    return pd.concat([keys[["key", "value", "unit", "description", "notebook"]], rows], ignore_index=True)


def figure_catalogue(data_dir: Path | None = None) -> pd.DataFrame:
    """Every figure the collection publishes: name, notebook and files (:func:`bering.plots.figure_index`).

    From the plot modules' registrations, without drawing a figure: drawing all of them to compute their
    titles would repeat the other notebooks' work (the verdict sensitivity alone takes half a minute).
    ``data_dir`` is accepted for symmetry with the other tables; the list does not depend on it."""
    from . import plots

    return plots.figure_index()


def notebook_map(
    notebooks_dir: Path | None = None,
    figures: pd.DataFrame | None = None,
    links: bool = False,
    numbers: pd.DataFrame | None = None,
    data_dir: Path | None = None,
) -> pd.DataFrame:
    """One row per notebook: its question (title), headline findings (key numbers) and figures.

    ``figures`` is the figure catalogue (columns ``name, notebook, files``; by default
    :func:`figure_catalogue`) and ``numbers`` the key numbers with a ``notebook`` column (by default
    :func:`bering.results.key_numbers`), both computed from ``data_dir``. With ``links`` the figures are
    Markdown links to their first file, relative to ``notebooks/``.
    """
    if numbers is None:
        from . import results

        numbers = results.key_numbers(data_dir=data_dir)
    catalogue = figure_catalogue(data_dir) if figures is None else figures
    rows = []
    for path in analysis_notebooks(notebooks_dir):
        mine = catalogue[catalogue["notebook"] == path.stem]
        refs = [_figure_ref(n, f, links) for n, f in zip(mine["name"], mine["files"])]
        figure_cell = ", ".join(refs) or "-"
        rows.append(
            {
                "notebook": path.stem,
                "question": notebook_title(path),
                "headline findings": findings(numbers, path.stem) or "(no key numbers recorded yet)",
                "figures": Markdown(figure_cell) if links else figure_cell,
            }
        )
    return pd.DataFrame(rows, columns=["notebook", "question", "headline findings", "figures"])


def figure_list(figures: pd.DataFrame | None = None, data_dir: Path | None = None) -> pd.DataFrame:
    """Every figure in the catalogue (by default :func:`figure_catalogue`): name, notebook, the files it
    is written as, and its title when ``figures`` has one (:func:`bering.plots.catalogue` does)."""
    catalogue = figure_catalogue(data_dir) if figures is None else figures
    columns = [c for c in ("name", "notebook", "title", "files") if c in catalogue.columns]
    table = catalogue[columns].copy()
    table["files"] = table["files"].str.replace(";", ", ", regex=False)
    return table.sort_values("name", kind="stable").reset_index(drop=True)


def data_files(data_dir: Path | None = None) -> pd.DataFrame:
    """Every data file in the dictionary: path, title, rows, fields, sources cited, description."""
    package = data.load_package(data_dir)
    rows = []
    for res in package["resources"]:
        frame = data.load(res["name"], data_dir, cross_checks=False)
        cited = int(frame["source_id"].nunique()) if "source_id" in frame.columns and res["name"] != "sources" else None
        rows.append(
            {
                "file": f"data/{res['path']}",
                "title": res.get("title", res["name"]),
                "rows": len(frame),
                "fields": len(res["schema"]["fields"]),
                "sources cited": cited,
                "description": res.get("description", ""),
            }
        )
    table = pd.DataFrame(rows)
    table["sources cited"] = table["sources cited"].astype("Int64")
    return table


def assumptions(data_dir: Path | None = None) -> pd.DataFrame:
    """The values nobody publishes, which notebooks use them, and the value chosen."""
    table = data.load("assumptions", data_dir)
    return table[["assumption_id", "value", "unit", "description", "used_in"]]


def headline(
    notebooks_dir: Path | None = None, figures: pd.DataFrame | None = None, data_dir: Path | None = None
) -> list[tuple[str, int, str, str]]:
    """The overview's own key numbers as ``(key, value, unit, description)``; ``figures`` is the figure
    catalogue (by default :func:`figure_catalogue`)."""
    package = data.load_package(data_dir)
    figures = figure_catalogue(data_dir) if figures is None else figures
    return [
        (
            "n_notebooks",
            len(analysis_notebooks(notebooks_dir)),
            "notebooks",
            "Analysis notebooks in the collection (besides this overview)",
        ),
        ("n_data_files", len(package["resources"]), "files", "Data files described in data/datapackage.json"),
        ("n_sources", len(data.load("sources", data_dir)), "sources", "Sources cited by the data (data/sources.csv)"),
        (
            "n_assumptions",
            len(data.load("assumptions", data_dir)),
            "assumptions",
            "Values no source publishes, each with its rationale (data/assumptions.csv)",
        ),
        ("n_figures", len(figures), "figures", "Figures the notebooks publish (figures/catalogue.csv)"),
    ]


# ---------------------------------------------------------------------------------------------
# The findings of the whole collection


def _link(notebook: str, figure: str) -> str:
    return f"([{notebook}]({notebook}.ipynb); figure [{figure}](../figures/{figure}.png))"


def collection_findings(keys: pd.DataFrame, claims: pd.DataFrame | None = None) -> list[dict]:
    """The findings of the collection, each a computed sentence with the notebook and figure that prove it.

    ``keys`` are the key numbers (:func:`bering.results.key_numbers`); ``claims`` the distinct claims
    of the ledger (:func:`bering.ledger.distinct`). A finding whose numbers are not computed (its
    module is absent) is left out, and :func:`missing_findings` names it.
    """
    numbers = pd.to_numeric(keys["value"], errors="coerce")  # a label (a scope, say) is not a number
    value = {k: float(v) for k, v in zip(keys["key"], numbers) if pd.notna(v)}
    n = fmt.number
    out = []

    def add(notebook, figure, needs, sentence):
        if all(k in value for k in needs):
            out.append({"notebook": notebook, "figure": figure, "text": sentence()})

    add(
        "01_proposal_timeline",
        "01_timeline_by_era",
        ("first_proposal_year", "distinct_proposals", "cost_claim_min_usd2025_bn", "cost_claim_max_usd2025_bn"),
        lambda: (
            f"The 2025 pitch is the latest of {n(value['distinct_proposals'])} proposals and studies of a "
            f"crossing since {n(value['first_proposal_year'], 'year')}; their stated costs span USD "
            f"{n(value['cost_claim_min_usd2025_bn'])} bn to {n(value['cost_claim_max_usd2025_bn'])} bn "
            "in 2025 dollars."
        ),
    )
    add(
        "02_route_geometry",
        "02_region_missing_links",
        (
            "tunnel_share_of_new_construction",
            "new_rail_whole_link_km",
            "new_rail_russia_km",
            "strait_shore_to_shore_km",
            "tunnel_share_of_whole_link_cost",
        ),
        lambda: (
            f"The tunnel is the short part: the strait is {n(value['strait_shore_to_shore_km'])} km across at "
            f"its narrowest, but a link to connected railways on both sides also needs about "
            f"{fmt.rounded(value['new_rail_whole_link_km'])} km of new railway "
            f"({fmt.rounded(value['new_rail_russia_km'])} km of it in Russia), so the tunnel is "
            f"{fmt.rounded(100 * value['tunnel_share_of_new_construction'])} % of the new construction by length, "
            f"though about {fmt.rounded(100 * value['tunnel_share_of_whole_link_cost'])} % of its median cost "
            "(notebook 03)."
        ),
    )
    add(
        "03_cost_benchmarks",
        "03_cost_distribution",
        ("tunnel_cost_p50_usd2025", "tunnel_cost_p10_usd2025", "tunnel_cost_p90_usd2025", "percentile_of_8bn_claim"),
        lambda: (
            f"Judged by the unit costs of comparable long tunnels (built or, where still building, their "
            f"estimates uplifted for overruns), the tunnel alone would cost about USD "
            f"{fmt.rounded(value['tunnel_cost_p50_usd2025'])} bn (P50; P10 to P90: "
            f"{fmt.rounded(value['tunnel_cost_p10_usd2025'])} to {fmt.rounded(value['tunnel_cost_p90_usd2025'])} bn, "
            f"2025 dollars); the pitched USD 8 bn lies {_percentile_phrase(value['percentile_of_8bn_claim'])} of "
            "that estimate."
        ),
    )
    add(
        "04_critical_minerals",
        "04_route_comparison",
        (
            "russia_share_ree_mine_production_2024",
            "china_share_ree_mine_production_2024",
            "overland_cheaper_pairs_central",
        ),
        lambda: (
            f"The rare-earth case is thin: Russia mined {n(value['russia_share_ree_mine_production_2024'])} % "
            f"of the world's rare earths in 2024 against China's "
            f"{n(value['china_share_ree_mine_production_2024'])} %, and overland through the crossing beats "
            f"the best sea route for {n(value['overland_cheaper_pairs_central'])} of the deposit-destination "
            "pairs in the central scenario."
        ),
    )
    if claims is not None and len(claims):
        counts = claims["verdict"].value_counts()
        parts = [
            f"{n(int(counts.get(v, 0)))} {v}"
            for v in ("consistent", "inconsistent", "unsupported", "contested", "not checkable")
        ]
        out.append(
            {
                "notebook": "05_claims_ledger",
                "figure": "05_scorecard",
                "text": (
                    f"Of the {n(len(claims))} distinct figures and dates in the October 2025 coverage "
                    f"({n(int(claims['appearances'].sum()))} appearances), the data find "
                    + ", ".join(parts[:-1])
                    + f" and {parts[-1]}"
                    + (
                        " (inconsistent forecasts are implausible against projects already built, not shown "
                        "false; notebook 05 shows which verdicts change under other reasonable assumptions)."
                        if counts.get("inconsistent", 0)
                        else "."
                    )
                ),
            }
        )
    return out


def _percentile_phrase(pct: float) -> str:
    """Where a value sits in a simulated distribution, as a reader says it: 'below the 1st percentile',
    'at the 17th percentile'."""
    if pct < 1:
        return "below the 1st percentile"
    k = int(round(pct))
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"at the {k}{suffix} percentile"


def missing_findings(keys: pd.DataFrame) -> list[str]:
    """The notebooks whose finding is left out because their key numbers are not computed."""
    have = {f["notebook"] for f in collection_findings(keys)}
    wanted = ["01_proposal_timeline", "02_route_geometry", "03_cost_benchmarks", "04_critical_minerals"]
    return [nb for nb in wanted if nb not in have]


def findings_markdown(found: list[dict]) -> Markdown:
    """The findings as a numbered Markdown list, each linking to its notebook and figure."""
    lines = [
        f"{i}. {fmt.markdown(f['text'])} {_link(f['notebook'], f['figure'])}" for i, f in enumerate(found, start=1)
    ]
    return Markdown("**Findings**\n\n" + "\n".join(lines))
