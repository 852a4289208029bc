"""The front door: the notebook map, the data listing and the overview's own numbers."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from bering import data, overview


def make_notebook(folder: Path, stem: str, heading: str | None) -> None:
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell("Some text first.")]
    if heading:
        cells.append(nbformat.v4.new_markdown_cell(f"# {heading}\n\n## Overview\nmore"))
    nb.cells = cells
    nbformat.write(nb, folder / f"{stem}.ipynb")


@pytest.fixture
def collection(tmp_path):
    """Four notebooks, the key numbers two of them computed, and the figure catalogue of one."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    make_notebook(notebooks, "00_overview", "00 · The front door")
    make_notebook(notebooks, "01_alpha", "01 · 135 years of proposals")
    make_notebook(notebooks, "02_beta", "02 · How wide is the strait?")
    make_notebook(notebooks, "03_gamma", None)
    numbers = pd.DataFrame(
        [
            ["first_year", 1890.0, "year", "01_alpha", "First proposal"],
            ["cost_max", 100.926, "USD 2025 bn", "01_alpha", "Highest cost"],
            ["width_km", 85.43, "km", "02_beta", "Cape to cape"],
        ],
        columns=["key", "value", "unit", "notebook", "description"],
    )
    figures = pd.DataFrame(
        [
            ["01_chart", "01_alpha", "A chart", "alt", "src", "01_chart.png;01_chart.svg", "x.csv"],
            ["01_map", "01_alpha", "A map", "alt", "src", "01_map.html", "x.csv"],
        ],
        columns=["name", "notebook", "title", "alt_text", "source_line", "files", "data_files"],
    )
    return notebooks, figures, numbers


@pytest.mark.parametrize(
    "value,unit,text",
    [
        (100.926, "", "101"),
        (21.0, "", "21"),
        (2.45326, "", "2.45"),
        (0.012345, "", "0.0123"),
        (1890, "year", "1890"),
        (1399.97, "km", "1,400"),
        (3515.66, "km", "3,516"),
        (-406.144, "", "-406"),
        (0.00371429, "", "0.0037"),
        (667507, "USD", "667,507"),
    ],
)
def test_readable_number(value, unit, text):
    assert overview.readable_number(value, unit) == text


def test_notebook_map_reads_titles_key_numbers_and_figures(collection):
    notebooks, figures, numbers = collection
    table = overview.notebook_map(notebooks, figures, numbers=numbers)
    assert list(table["notebook"]) == ["01_alpha", "02_beta", "03_gamma"]  # the overview itself is left out
    first = table.iloc[0]
    assert first["question"] == "135 years of proposals"
    assert first["headline findings"] == "First proposal: 1890; Highest cost: 101 USD 2025 bn"
    assert first["figures"] == "01_chart, 01_map"
    assert table.iloc[1]["question"] == "How wide is the strait?"
    assert table.iloc[1]["headline findings"] == "Cape to cape: 85.4 km"
    assert table.iloc[1]["figures"] == "-"
    assert table.iloc[2]["question"] == "03_gamma"  # no heading: the file name stands in
    assert table.iloc[2]["headline findings"] == "(no key numbers recorded yet)"
    linked = overview.notebook_map(notebooks, figures, links=True, numbers=numbers)
    # figure names are escaped text inside the link (an underscore is a Markdown character)
    assert linked.iloc[0]["figures"].text == (
        "[01\\_chart](../figures/01_chart.png), [01\\_map](../figures/01_map.html)"
    )


def test_notebook_map_with_no_key_numbers_or_figures(collection):
    notebooks, figures, numbers = collection
    table = overview.notebook_map(notebooks, figures.iloc[:0], numbers=numbers.iloc[:0])
    assert (table["headline findings"] == "(no key numbers recorded yet)").all()
    assert (table["figures"] == "-").all()


def test_figure_list(collection):
    _, figures, _ = collection
    table = overview.figure_list(figures)
    assert list(table["name"]) == ["01_chart", "01_map"]
    assert table.loc[0, "files"] == "01_chart.png, 01_chart.svg"


def test_figure_list_without_titles(collection):
    """The overview's default list comes from the registrations (no title without drawing)."""
    _, figures, _ = collection
    table = overview.figure_list(figures[["name", "notebook", "files"]])
    assert list(table.columns) == ["name", "notebook", "files"]
    assert list(table["files"]) == ["01_chart.png, 01_chart.svg", "01_map.html"]


def test_data_files_counts_rows_and_cited_sources(mini):
    table = overview.data_files(mini).set_index("file")
    assert table.loc["data/places.csv", "rows"] == 2
    assert table.loc["data/places.csv", "fields"] == 7
    assert table.loc["data/places.csv", "sources cited"] == 2
    assert pd.isna(table.loc["data/sources.csv", "sources cited"])


def test_data_files_match_the_real_package(data_copy):
    table = overview.data_files(data_copy)
    package = data.load_package(data_copy)
    assert list(table["file"]) == [f"data/{r['path']}" for r in package["resources"]]
    lines = sum(1 for _ in open(data_copy / "timeline.csv", encoding="utf-8")) - 1
    assert table.set_index("file").loc["data/timeline.csv", "rows"] == lines


def test_headline(collection, data_copy):
    notebooks, figures, _ = collection
    heads = {key: value for key, value, _, _ in overview.headline(notebooks, figures, data_copy)}
    assert heads["n_notebooks"] == 3
    assert heads["n_figures"] == 2
    assert heads["n_sources"] == sum(1 for _ in open(data_copy / "sources.csv", encoding="utf-8")) - 1
    assert heads["n_data_files"] == len(data.load_package(data_copy)["resources"])


def test_markdown_table_escapes_pipes_and_formats_numbers():
    frame = pd.DataFrame({"a": ["x|y", None], "b": [2.45326, 3.0]})
    text = overview.markdown_table(frame).text
    assert text.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | 2.45 |", "|  | 3 |"]


def test_markdown_table_escapes_html_from_the_data():
    frame = pd.DataFrame({"a": ["<img src=x onerror=alert(1)>", "<svg onload=alert(2)>"]})
    text = overview.markdown_table(frame).text
    assert "<img" not in text and "<svg" not in text and "&lt;img src=x onerror=alert\\(1\\)&gt;" in text


KEYS = pd.DataFrame(
    [
        ("first_proposal_year", 1890, "year"),
        ("distinct_proposals", 21, "count"),
        ("cost_claim_min_usd2025_bn", 2.453, "USD 2025 bn"),
        ("cost_claim_max_usd2025_bn", 100.93, "USD 2025 bn"),
        ("tunnel_share_of_new_construction", 112 / (112 + 7644.6), "fraction"),
        ("new_rail_russia_km", 3515.66, "km"),
        ("new_rail_whole_link_km", 7644.6, "km"),
        ("strait_shore_to_shore_km", 81.31, "km"),
        ("claim_65bn_scope", "crossing_and_approaches", "scope"),
        ("tunnel_share_of_whole_link_cost", 0.4004, "fraction"),
    ],
    columns=["key", "value", "unit"],
)


def test_collection_findings_are_computed_and_linked():
    claims = pd.DataFrame(
        {"verdict": ["consistent", "consistent", "unsupported", "not checkable"], "appearances": [2, 1, 2, 3]}
    )
    found = overview.collection_findings(KEYS, claims)
    assert [f["notebook"] for f in found] == ["01_proposal_timeline", "02_route_geometry", "05_claims_ledger"]
    assert found[0]["text"] == (
        "The 2025 pitch is the latest of 21 proposals and studies of a crossing since 1890; "
        "their stated costs span USD 2.45 bn to 101 bn in 2025 dollars."
    )
    # rounded to two significant figures, as prose writes them
    assert "7,600 km of new railway (3,500 km of it in Russia)" in found[1]["text"]
    # 112 / (112 + 7644.6) = 1.444 % of the length; 0.4004 of the median cost
    assert "1.4 % of the new construction by length, though about 40 % of its median cost" in found[1]["text"]
    assert found[2]["text"].startswith(
        "Of the 4 distinct figures and dates in the October 2025 coverage (8 appearances)"
    )
    assert "2 consistent, 0 inconsistent, 1 unsupported, 0 contested and 1 not checkable" in found[2]["text"]
    assert overview.missing_findings(KEYS) == ["03_cost_benchmarks", "04_critical_minerals"]
    text = overview.findings_markdown(found).text
    assert (
        "([01_proposal_timeline](01_proposal_timeline.ipynb); figure [01_timeline_by_era]"
        "(../figures/01_timeline_by_era.png))" in text
    )
    # a changed number changes the sentence
    changed = KEYS.assign(value=KEYS["value"].where(KEYS["key"] != "distinct_proposals", 22))
    assert "latest of 22 proposals" in overview.collection_findings(changed)[0]["text"]


def test_notebook_map_from_computed_numbers(collection):
    notebooks, figures, _ = collection
    keys = pd.DataFrame(
        [("first_year", 1857.0, "year", "First idea", "01_alpha")],
        columns=["key", "value", "unit", "description", "notebook"],
    )
    numbers = overview.collection_numbers(keys, [("claims_distinct", 34, "claims", "Distinct claims")])
    assert numbers["notebook"].tolist() == ["01_alpha", "05_claims_ledger"]
    table = overview.notebook_map(notebooks, figures, numbers=numbers)
    assert table.iloc[0]["headline findings"] == "First idea: 1857"  # not the 1890 of key_numbers.csv


@pytest.mark.parametrize(
    "pct, text",
    [
        (0.72, "below the 1st percentile"),
        (1.0, "at the 1st percentile"),
        (17.12, "at the 17th percentile"),
        (2.4, "at the 2nd percentile"),
        (11.0, "at the 11th percentile"),
        (22.6, "at the 23rd percentile"),
        (93, "at the 93rd percentile"),
    ],
)
def test_percentile_phrase(pct, text):
    assert overview._percentile_phrase(pct) == text
