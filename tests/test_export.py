"""The export helper: files written, readable, deterministic, described, and never half-written."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from bering import export, style

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
        out.figure(constrained_chart(), "01_constrained", **ARGS)
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


# ---------------------------------------------------------------------------------------------
# Static figures: one layout and one draw per format, lean Type 42 PDF fonts


@pytest.fixture
def type42():
    """The collection's PDF font type (``bering.style``; notebooks apply the style, tests do not)."""
    assert style.RC["pdf.fonttype"] == 42
    with mpl.rc_context({"pdf.fonttype": style.RC["pdf.fonttype"]}):
        yield


def constrained_chart():
    fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    ax.barh(["a long project name", "B"], [1, 2], label="cost")
    ax.set_xlabel("cost (USD bn)")
    ax.legend(loc="lower right")
    return fig


def pdf_objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Every indirect object of an uncompressed-xref PDF (as matplotlib writes it): number ->
    (dictionary text, decompressed stream or b"")."""
    import zlib

    objects = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S):
        body = match.group(2)
        head, _, rest = body.partition(b"stream\n")
        stream = rest.rpartition(b"endstream")[0] if rest else b""
        if stream and b"/FlateDecode" in head:
            stream = zlib.decompress(stream)
        objects[int(match.group(1))] = (head, stream)
    return objects


def embedded_fonts(data: bytes) -> dict[str, dict]:
    """The PDF's Type 0 fonts by base name: their embedded TrueType file (a fontTools TTFont, from
    the descriptor's FontFile2), their ToUnicode CMap text and the names of the glyphs their
    CIDToGIDMap reaches."""
    from fontTools.ttLib import TTFont

    objects = pdf_objects(data)

    def ref(head: bytes, key: bytes) -> int:
        return int(re.search(rb"/" + key + rb" (\d+) 0 R", head).group(1))

    fonts = {}
    for head, _ in objects.values():
        if b"/Subtype /Type0" not in head:
            continue
        name = re.search(rb"/BaseFont /([^\s/>]+)", head).group(1).decode()
        descendant = int(re.search(rb"/DescendantFonts \[\s*(\d+) 0 R", head).group(1))
        cid_font = objects[descendant][0]
        descriptor = objects[ref(cid_font, b"FontDescriptor")][0]
        ttf = TTFont(io.BytesIO(objects[ref(descriptor, b"FontFile2")][1]))
        cid_to_gid = objects[ref(cid_font, b"CIDToGIDMap")][1]
        gids = {int.from_bytes(cid_to_gid[i : i + 2], "big") for i in range(0, len(cid_to_gid), 2)}
        fonts[name] = {
            "ttf": ttf,
            "to_unicode": objects[ref(head, b"ToUnicode")][1].decode("ascii"),
            "drawn": {ttf.getGlyphOrder()[gid] for gid in gids if gid},  # glyphs the page can address
        }
    return fonts


def unicode_targets(cmap: str) -> set[str]:
    """The characters a ToUnicode CMap maps to (bfrange arrays and bfchar entries)."""
    found = set()
    for hexa in re.findall(r"<([0-9a-fA-F]+)>", cmap.split("endcodespacerange", 1)[1]):
        if len(hexa) % 4 == 0:
            found.add(bytes.fromhex(hexa).decode("utf-16-be"))
    return found


def test_pdf_embeds_type42_truetype_subsets_without_layout_tables_and_text_stays_extractable(tmp_path, type42):
    export.Exporter("01_test", tmp_path).figure(bar_chart(), "01_costs", **ARGS)
    plt.close("all")
    data = (tmp_path / "01_costs.pdf").read_bytes()
    fonts = embedded_fonts(data)
    # one TrueType font file per face: the title is bold, the rest regular
    faces = sorted(name.split("+")[-1] for name in fonts)
    assert faces == ["DejaVuSans", "DejaVuSans-Bold"], faces
    for name, font in fonts.items():
        tables = set(font["ttf"].keys())
        assert {"glyf", "loca", "cmap", "hmtx"} <= tables, name
        assert not tables & set(export.LAYOUT_TABLES), (name, sorted(tables & set(export.LAYOUT_TABLES)))
    # every character drawn can be copied out: each face's ToUnicode map covers its text
    bold = next(f for n, f in fonts.items() if n.endswith("-Bold"))
    regular = next(f for n, f in fonts.items() if not n.endswith("-Bold"))
    assert set("Costs rose") - {" "} <= unicode_targets(bold["to_unicode"])
    assert set("Source: Test data cost (USD bn) AB") - {" "} <= unicode_targets(regular["to_unicode"])


def test_lean_subsets_keep_the_glyph_outlines_of_the_plain_path(tmp_path, type42):
    """Dropping the layout tables changes no glyph a viewer draws: the page reaches the same glyphs,
    with the same outlines and advance widths, as through matplotlib's own subset."""
    out = export.Exporter("01_test", tmp_path)
    out.figure(bar_chart(), "01_lean", **ARGS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export, "lean_font_subsets", lambda: contextlib.nullcontext(False))
        out.figure(bar_chart(), "01_plain", **ARGS)
    plt.close("all")
    lean = embedded_fonts((tmp_path / "01_lean.pdf").read_bytes())
    plain = embedded_fonts((tmp_path / "01_plain.pdf").read_bytes())
    assert len(lean) == len(plain) == 2
    by_face = {name.split("+")[-1]: font for name, font in plain.items()}
    for name, font in lean.items():
        other = by_face[name.split("+")[-1]]
        assert "GSUB" in other["ttf"] and "GPOS" in other["ttf"]  # what the plain path embeds
        assert font["to_unicode"] == other["to_unicode"]
        # the plain subset also carries glyphs only the layout tables reach (e.g. MATH's bracket
        # pieces); the page addresses the same glyphs, with the same outlines and advance widths
        assert font["drawn"] == other["drawn"] and font["drawn"]
        assert set(font["ttf"].getGlyphOrder()) <= set(other["ttf"].getGlyphOrder())
        for glyph in font["drawn"]:
            assert font["ttf"]["hmtx"][glyph] == other["ttf"]["hmtx"][glyph]
            a, b = font["ttf"]["glyf"][glyph], other["ttf"]["glyf"][glyph]
            assert a.compile(font["ttf"]["glyf"]) == b.compile(other["ttf"]["glyf"]), glyph


def test_lean_subsets_fall_back_to_the_plain_path_when_matplotlib_differs(tmp_path, type42, monkeypatch):
    """If matplotlib's subsetting no longer loads the font through ``fontTools.subset.load_font``
    (here: ``get_glyphs_subset`` replaced by another function), nothing is patched and the PDF is
    written as matplotlib writes it, layout tables included."""
    from fontTools import subset
    from matplotlib.backends import _backend_pdf_ps

    original = _backend_pdf_ps.get_glyphs_subset

    def other_subsetter(fontfile, glyphs):
        return original(fontfile, glyphs)

    monkeypatch.setattr(_backend_pdf_ps, "get_glyphs_subset", other_subsetter)
    with export.lean_font_subsets() as applied:
        assert applied is False
        assert _backend_pdf_ps.subset is subset
    export.Exporter("01_test", tmp_path).figure(bar_chart(), "01_costs", **ARGS)
    plt.close("all")
    fonts = embedded_fonts((tmp_path / "01_costs.pdf").read_bytes())
    assert len(fonts) == 2 and all("GSUB" in font["ttf"] for font in fonts.values())
    assert _backend_pdf_ps.subset is subset


def test_lean_subsets_apply_only_inside_and_are_undone_after_an_error():
    from fontTools import subset
    from matplotlib.backends import _backend_pdf_ps

    with export.lean_font_subsets() as applied:
        assert applied is True and _backend_pdf_ps.subset is not subset
        assert _backend_pdf_ps.subset.Options is subset.Options  # everything else passes through
    assert _backend_pdf_ps.subset is subset
    with pytest.raises(RuntimeError, match="disk full"):
        with export.lean_font_subsets():
            raise RuntimeError("disk full")
    assert _backend_pdf_ps.subset is subset


def test_each_format_is_drawn_once_after_one_measuring_layout(tmp_path):
    fig = constrained_chart()
    engine, dpi = fig.get_layout_engine(), fig.dpi
    draws = []
    draw = fig.draw

    def counting_draw(renderer):
        draws.append(type(renderer).__name__)
        return draw(renderer)

    fig.draw = counting_draw
    export.Exporter("01_test", tmp_path).figure(fig, "01_costs", **ARGS)
    # one measuring draw, then one draw per format (bbox_inches="tight" took two per format)
    assert len(draws) == 1 + len(export.STATIC_FORMATS), draws
    assert fig.get_layout_engine() is engine  # the constrained layout is back for the notebook
    assert fig.dpi == dpi  # measured at 200 dpi, then put back
    plt.close(fig)


def test_the_three_formats_share_one_frame(tmp_path):
    """PNG, SVG and PDF are cut to the same box: the PNG's size at 200 dpi is the SVG's and the
    PDF's page size in points (within a pixel's rounding)."""
    export.Exporter("01_test", tmp_path).figure(constrained_chart(), "01_costs", **ARGS)
    plt.close("all")
    width, height = Image.open(tmp_path / "01_costs.png").size
    svg = (tmp_path / "01_costs.svg").read_text()
    svg_size = [float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()]
    box = re.search(rb"/MediaBox \[\s*([\d.\s]+)\]", (tmp_path / "01_costs.pdf").read_bytes()).group(1).split()
    pdf_size = [float(box[2]), float(box[3])]
    pixel = 72 / export.DPI
    for size in (svg_size, pdf_size):
        assert size[0] == pytest.approx(width * pixel, abs=pixel)
        assert size[1] == pytest.approx(height * pixel, abs=pixel)
    # the frame is the figure's tight box plus the padding, not the whole 6 x 3.5 in canvas
    assert width != 6 * export.DPI or height != 3.5 * export.DPI
