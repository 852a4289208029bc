"""The export helper: files written, readable, deterministic, described, and never half-written."""

from __future__ import annotations

import hashlib
import json
import re

import matplotlib.pyplot as plt
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from bering import export

ARGS = dict(title="Costs rose", alt="Bar chart of two projects; B cost twice A.", source="Test data")


def bar_chart():
    fig, ax = plt.subplots()
    ax.bar(["A", "B"], [1, 2])
    ax.set_ylabel("cost (USD bn)")
    return fig


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_matplotlib_formats_catalogue_and_metadata(tmp_path):
    out = export.Exporter("01_test", tmp_path)
    saved = out.figure(bar_chart(), "01_costs", data_files=["megaprojects.csv"], **ARGS)
    assert saved.files == ("01_costs.png", "01_costs.svg", "01_costs.pdf", "01_costs.csv")
    png = Image.open(tmp_path / "01_costs.png")
    assert png.info["Description"] == ARGS["alt"]
    assert png.info.get("dpi", (0,))[0] == pytest.approx(200, abs=1)
    assert b"%PDF" in (tmp_path / "01_costs.pdf").read_bytes()[:8]
    svg = (tmp_path / "01_costs.svg").read_text()
    assert ARGS["alt"] in svg and "<dc:date>" not in svg
    row = export.catalogue(tmp_path).iloc[0]
    assert row["name"] == "01_costs" and row["notebook"] == "01_test"
    assert row["files"] == "01_costs.png;01_costs.svg;01_costs.pdf;01_costs.csv"
    assert row["data_files"] == "megaprojects.csv" and row["source_line"] == "Test data"
    assert not list(tmp_path.glob("*.part"))


def test_method_note_enters_the_catalogue_and_old_catalogues_gain_the_column(tmp_path):
    # a catalogue written before the method_note column existed
    (tmp_path / "catalogue.csv").write_text(
        "name,notebook,title,alt_text,source_line,files,data_files\n01_old,01_test,T,A,S,01_old.png,\n"
    )
    out = export.Exporter("01_test", tmp_path)
    out.figure(bar_chart(), "01_costs", method="Medians  of\nthree runs.", **ARGS)
    table = export.catalogue(tmp_path).set_index("name")
    assert list(table.columns) == export.CATALOGUE_COLUMNS[1:]
    assert table.loc["01_costs", "method_note"] == "Medians of three runs."
    assert table.loc["01_old", "method_note"] == ""


def test_every_catalogued_figure_of_the_collection_has_a_method_note():
    """The real figures/catalogue.csv: every figure says how its values were computed (the figure
    page shows it under "Method"; there is no stand-in text). Notebooks pass ``method=`` to
    ``Exporter.figure``; a catalogue written before that has no method_note column and fails too."""
    from bering import paths

    table = export.catalogue(paths.committed_figures_dir())
    assert not table.empty
    notes = table["method_note"] if "method_note" in table else pd.Series("", index=table.index)
    missing = sorted(table.loc[notes.fillna("").str.strip() == "", "name"])
    assert not missing, f"{len(missing)} of {len(table)} figures have no method note: {', '.join(missing)}"


def test_files_are_byte_identical_on_rerun(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        out = export.Exporter("01_test", folder)
        out.figure(bar_chart(), "01_costs", **ARGS)
        fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
        out.figure(fig, "01_costs_interactive", **ARGS)
        out.number("n_projects", 2, "count", "projects")
        plt.close("all")
    assert digest(a) == digest(b)


def test_plotly_is_offline_html_with_shared_js(tmp_path):
    out = export.Exporter("02_test", tmp_path)
    out.figure(go.Figure(go.Bar(x=["A"], y=[1])), "02_bar", **ARGS)
    page = (tmp_path / "02_bar.html").read_text()
    assert '<script src="plotly.min.js"></script>' in page
    assert "cdn" not in page.lower() and "https://cdn.plot.ly" not in page
    assert f'aria-label="{ARGS["alt"]}"' in page and "<title>Costs rose</title>" in page
    assert (tmp_path / "plotly.min.js").stat().st_size > 1_000_000


@pytest.mark.parametrize(
    "change,message",
    [
        (dict(title=""), "title is required"),
        (dict(alt="  "), "alt is required"),
        (dict(source=""), "source is required"),
        (dict(alt="Costs rose"), "alt text must describe the figure, not repeat its title"),
    ],
)
def test_required_descriptions(tmp_path, change, message):
    out = export.Exporter("01_test", tmp_path)
    with pytest.raises(ValueError, match=message):
        out.figure(bar_chart(), "01_costs", **{**ARGS, **change})
    assert list(tmp_path.iterdir()) == []


def test_name_must_match_notebook(tmp_path):
    out = export.Exporter("01_test", tmp_path)
    with pytest.raises(ValueError, match="must start with this notebook's number '01_'"):
        out.figure(bar_chart(), "02_costs", **ARGS)
    with pytest.raises(ValueError, match="must look like 'NN_slug'"):
        out.figure(bar_chart(), "Costs Chart", **ARGS)
    with pytest.raises(TypeError, match="expected a matplotlib or plotly figure"):
        out.figure("not a figure", "01_costs", **ARGS)


def test_failed_write_leaves_nothing_behind(tmp_path):
    out = export.Exporter("01_test", tmp_path)
    out.figure(bar_chart(), "01_costs", **ARGS)
    before = digest(tmp_path)

    class Broken:
        def savefig(self, *a, **k):
            raise RuntimeError("disk full")

        def suptitle(self, *a, **k):
            pass

        def text(self, *a, **k):
            pass

        transFigure = None

    with pytest.raises(RuntimeError, match="disk full"):
        out.figure(Broken(), "01_other", **ARGS)
    assert digest(tmp_path) == before
    assert list(export.catalogue(tmp_path)["name"]) == ["01_costs"]


def test_key_numbers_upsert_and_format(tmp_path):
    out = export.Exporter("03_test", tmp_path)
    assert out.number("cost_per_km", 123.456789123, "USD 2025 per km", "cost") == 123.456789123
    out.number("count", 12.0, "count", "how many")
    out.number("cost_per_km", 2 / 3, "USD 2025 per km", "cost")
    table = export.key_numbers(tmp_path)
    assert table["key"].tolist() == ["cost_per_km", "count"]
    raw = (tmp_path / "key_numbers.csv").read_text()
    assert "cost_per_km,0.666667," in raw and "count,12,count" in raw
    assert export.key_number("count", tmp_path) == 12
    with pytest.raises(KeyError, match="no key number 'missing'"):
        export.key_number("missing", tmp_path)
    with pytest.raises(ValueError, match="already belongs to notebook 03_test"):
        export.Exporter("04_other", tmp_path).number("count", 1, "count", "clash")
    with pytest.raises(ValueError, match="must be finite"):
        out.number("bad", float("nan"), "count", "nan")
    with pytest.raises(ValueError, match="lower-case snake_case"):
        out.number("Bad Key", 1, "count", "x")


def test_plotted_data_csv_holds_exactly_what_is_drawn(tmp_path):
    fig, ax = plt.subplots()
    ax.bar(["A", "B"], [1, 2], label="cost")
    ax.plot([0, 1], [1.5, 2.5], label="trend")
    ax.scatter([0.5], [3], label="claim")
    out = export.Exporter("01_test", tmp_path)
    out.figure(fig, "01_costs", **ARGS)
    plt.close(fig)
    table = pd.read_csv(tmp_path / "01_costs.csv", keep_default_na=False)
    assert list(table.columns) == ["panel", "series", "kind", "x", "y", "x_label", "y_label"]
    rows = {(r.series, r.kind, r.x, r.y, r.x_label) for r in table.itertuples()}
    assert rows == {
        ("trend", "line", 0.0, 1.5, "A"),
        ("trend", "line", 1.0, 2.5, "B"),
        ("claim", "point", 0.5, 3.0, ""),
        ("cost", "bar", 0.0, 1.0, "A"),
        ("cost", "bar", 1.0, 2.0, "B"),
    }
    given = pd.DataFrame({"project": ["A", "B"], "cost": [1, 2]})
    out.figure(bar_chart(), "01_given", data=given, **ARGS)
    assert (tmp_path / "01_given.csv").read_text() == "project,cost\nA,1\nB,2\n"
    pfig = go.Figure([go.Scatter(x=[1, 2], y=[3, 4], name="a", text=["p", "q"]), go.Bar(x=["u"], y=[5], name="b")])
    out.figure(pfig, "01_inter", **ARGS)
    ptable = pd.read_csv(tmp_path / "01_inter.csv", keep_default_na=False)
    assert ptable[["series", "kind", "x", "y", "text"]].astype(str).values.tolist() == [
        ["a", "scatter", "1", "3", "p"],
        ["a", "scatter", "2", "4", "q"],
        ["b", "bar", "u", "5", ""],
    ]
    assert export.catalogue(tmp_path).set_index("name").loc["01_inter", "files"] == "01_inter.html;01_inter.csv"


def test_svg_keeps_text_editable_and_log_axes_read_plainly(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([1, 1000], [0.1, 100])
    ax.set_yscale("log")
    ax.set_xscale("log")
    export.Exporter("01_test", tmp_path).figure(fig, "01_log", **ARGS)
    plt.close(fig)
    svg = (tmp_path / "01_log.svg").read_text()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "Costs rose" in texts and "0.1" in texts and "1,000" in texts
    assert not any("10^" in t or "\\mathdefault" in t for t in texts)
    assert "font-family: 'DejaVu Sans'" in svg and "sans-serif" in svg
    assert '<path id="DejaVuSans' not in svg  # no glyph outlines


def test_plotly_config_has_no_cloud_button_svg_download_and_wrapped_source(tmp_path):
    long_source = "A source line long enough that it must wrap onto a second line rather than being cut " * 2
    out = export.Exporter("02_test", tmp_path)
    out.figure(go.Figure(go.Bar(x=["A"], y=[1])), "02_bar", **{**ARGS, "source": long_source})
    page = (tmp_path / "02_bar.html").read_text()
    config = json.loads(re.search(r'\{"displaylogo".*?\}\}', page).group(0))
    assert config["displaylogo"] is False and config["responsive"] is True
    assert "sendDataToCloud" in config["modeBarButtonsToRemove"] and config.get("showSendToCloud") is False
    assert config["toImageButtonOptions"] == {"format": "svg", "filename": "02_bar"}
    source = next(
        a for a in json.loads(re.search(r'"annotations":(\[.*?\])', page).group(1)) if a.get("name") == "source_line"
    )
    lines = source["text"].split("<br>")
    assert len(lines) >= 2 and all(len(line) <= export.PLOTLY_SOURCE_WIDTH for line in lines)
    assert 'style="height:' in page and "width:100%" in page
