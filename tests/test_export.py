"""The export helper: files written, readable, deterministic, described, and never half-written."""

from __future__ import annotations

import hashlib

import matplotlib.pyplot as plt
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
    assert saved.files == ("01_costs.png", "01_costs.svg", "01_costs.pdf")
    png = Image.open(tmp_path / "01_costs.png")
    assert png.info["Description"] == ARGS["alt"]
    assert png.info.get("dpi", (0,))[0] == pytest.approx(200, abs=1)
    assert b"%PDF" in (tmp_path / "01_costs.pdf").read_bytes()[:8]
    svg = (tmp_path / "01_costs.svg").read_text()
    assert ARGS["alt"] in svg and "<dc:date>" not in svg
    row = export.catalogue(tmp_path).iloc[0]
    assert row["name"] == "01_costs" and row["notebook"] == "01_test"
    assert row["files"] == "01_costs.png;01_costs.svg;01_costs.pdf"
    assert row["data_files"] == "megaprojects.csv" and row["source_line"] == "Test data"
    assert not list(tmp_path.glob("*.part"))


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


@pytest.mark.parametrize("change,message", [
    (dict(title=""), "title is required"),
    (dict(alt="  "), "alt is required"),
    (dict(source=""), "source is required"),
    (dict(alt="Costs rose"), "alt text must describe the figure, not repeat its title"),
])
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
