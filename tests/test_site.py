"""The report site (``python -m bering site``): built offline by Sphinx from the committed notebooks,
self-contained, every image described, text from data shown as text, nothing copied from outside
the repository, and a failed check leaving the previous site in place. The same site in a real
browser: ``test_browser.py``."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from pathlib import Path

import markdown_it
import nbformat
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from bering import export, site

CDN_HOSTS = (
    "cdnjs.cloudflare.com",
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdn.plot.ly",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "code.jquery.com",
    "ajax.googleapis.com",
    "mathjax",
)
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SVG = "<svg onload=alert(2)>"

BUILD: dict = {}


@pytest.fixture(scope="module")
def inputs(real_site) -> Path:
    """A copy of the repository's notebooks, figures, data, README and CITATION.cff."""
    return real_site[0]


@pytest.fixture(scope="module")
def built(real_site) -> Path:
    """The site built from ``inputs`` (one build per test run, shared with test_browser.py)."""
    _, target, problems, notes, seconds = real_site
    BUILD.update(problems=problems, notes=notes, seconds=seconds)
    return target


@pytest.fixture(scope="module")
def catalogue(inputs) -> list[site.Figure]:
    return site.load_catalogue(inputs / "figures")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), features="html.parser")


# ---------------------------------------------------------------------------------------------
# The real collection


@pytest.mark.slow
def test_the_build_finds_no_problem(built):
    assert BUILD["problems"] == [], "\n".join(BUILD["problems"])
    assert (built / site.MARKER).is_file() and (built / "index.html").is_file()


@pytest.mark.slow
def test_every_notebook_has_a_page_in_the_sidebar_with_code_folded(built, inputs):
    notebooks = sorted((inputs / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    index = _soup(built / "index.html")
    sidebar = {a["href"] for a in index.select("nav.bd-docs-nav a[href]")}
    for path in notebooks:
        page = built / "notebooks" / f"{path.stem}.html"
        assert page.is_file(), path.stem
        assert f"notebooks/{path.stem}.html" in sidebar
        soup = _soup(page)
        code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        folded = soup.select("div.cell details.hide")
        assert len(folded) == len(code), f"{path.stem}: {len(folded)} of {len(code)} code cells folded"
        assert all(d.find("summary") and not d.has_attr("open") for d in folded)


@pytest.mark.slow
def test_index_states_the_question_headline_numbers_build_date_and_commit(built, inputs):
    text = _soup(built / "index.html").get_text(" ")
    assert "Kirill Dmitriev" in text
    for path in sorted((inputs / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        lead = site.lead_point(nbformat.read(path, as_version=4))
        assert lead, f"{path.stem} has no Findings"
        # the lead finding, as the page shows it (Markdown escapes and emphasis gone)
        shown = " ".join(BeautifulSoup(markdown_it.MarkdownIt().render(lead), "html.parser").get_text().split())
        assert shown in " ".join(text.split()), path.stem
    assert _soup(built / "index.html").select_one('a[href="gallery.html"]') is not None
    info = site.build_info(inputs)
    assert f"Built {info['date']}" in text
    if info["commit"]:
        assert info["commit"][:12] in text


@pytest.mark.slow
def test_search_index_and_page_exist(built):
    assert (built / "search.html").is_file()
    index = (built / "searchindex.js").read_text(encoding="utf-8")
    assert "tunnel" in index.lower()


@pytest.mark.slow
def test_citation_page_comes_from_citation_cff(built, inputs):
    cff = site.citation(inputs)
    soup = _soup(built / "citation.html")
    text = soup.get_text(" ")
    assert cff["title"] in text and "@software{" in text and str(cff["version"]) in text
    assert (built / "downloads" / "CITATION.cff").read_bytes() == (inputs / "CITATION.cff").read_bytes()


@pytest.mark.slow
def test_every_figure_has_a_page_with_its_facts_and_downloads(built, inputs, catalogue):
    assert catalogue
    gallery = _soup(built / "gallery.html")
    for fig in catalogue:
        page = built / "figures" / f"{fig.name}.html"
        soup = _soup(page)
        text = " ".join(soup.get_text(" ").split())
        for fact in (fig.title, fig.alt_text, fig.source_line, fig.method_note):
            assert " ".join(fact.split()) in text, (fig.name, fact[:40])
        assert ("Method" in text) == bool(fig.method_note.strip()), fig.name  # no stand-in text
        links = {a["href"] for a in soup.select("ul.bering-downloads a[href]")}
        wanted = [".html"] if fig.interactive else [".png", ".svg", ".pdf"]
        for suffix in wanted:
            assert f"../downloads/figures/{fig.name}{suffix}" in links, (fig.name, suffix)
        for name in fig.data_files:
            assert f"../downloads/data/{name}" in links
        if fig.plotted_data:  # figures exported since the plotted-data CSV exists: exactly that file
            assert f"../downloads/figures/{fig.plotted_data}" in links
            assert (built / "downloads" / "figures" / fig.plotted_data).read_bytes() == (
                inputs / "figures" / fig.plotted_data
            ).read_bytes()
        assert gallery.find("a", href=f"figures/{fig.name}.html") is not None
        if fig.interactive:
            assert soup.select_one("div.plotly-graph-div[data-figure]") is not None
    thumbs = gallery.select("ul.bering-gallery img")
    assert thumbs and all(img.get("loading") == "lazy" and img.get("alt") for img in thumbs)


@pytest.mark.slow
def test_the_gallery_shows_small_thumbnails_sized_in_advance(built, inputs, catalogue):
    gallery = _soup(built / "gallery.html")
    with_png = [fig for fig in catalogue if fig.preview]
    assert with_png
    full_bytes = thumb_bytes = 0
    for fig in with_png:
        img = gallery.select_one(f'ul.bering-gallery a[href="figures/{fig.name}.html"] img')
        assert img is not None, fig.name
        assert img["src"] == f"thumbs/{fig.name}.png" and img["alt"] == fig.alt_text
        assert img["loading"] == "lazy"
        thumb, full = built / img["src"], inputs / "figures" / fig.preview
        with Image.open(thumb) as small, Image.open(full) as big:
            # width and height attributes are the image's own, so the page does not shift as it loads
            assert (int(img["width"]), int(img["height"])) == small.size, fig.name
            assert small.width == min(site.THUMB_WIDTH, big.width)
            assert abs(small.height / small.width - big.height / big.width) < 0.01, fig.name
        assert thumb.stat().st_size * 4 < full.stat().st_size, (fig.name, thumb.stat().st_size)
        full_bytes += full.stat().st_size
        thumb_bytes += thumb.stat().st_size
    assert not [i for i in gallery.select("ul.bering-gallery img") if "downloads/" in i["src"]]
    assert thumb_bytes * 5 < full_bytes, (thumb_bytes, full_bytes)


def test_thumbnails_are_repeatable_and_never_enlarged(tmp_path):
    wide = tmp_path / "wide.png"
    Image.new("RGB", (1600, 900), "#0072B2").save(wide)
    assert site.thumbnail(wide, tmp_path / "a.png") == (480, 270)
    assert site.thumbnail(wide, tmp_path / "b.png") == (480, 270)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    narrow = tmp_path / "narrow.png"
    Image.new("RGBA", (300, 500), (0, 0, 0, 0)).save(narrow)
    assert site.thumbnail(narrow, tmp_path / "c.png") == (300, 500)
    with Image.open(tmp_path / "c.png") as small:
        assert small.mode == "P" and not (set(small.info) & {"dpi", "Software", "Title"})


@pytest.mark.slow
def test_the_figure_tables_download_as_exported(built, inputs):
    gallery = _soup(built / "gallery.html")
    links = {a["href"] for a in gallery.select("ul.bering-tables a[href]")}
    for name in (export.CATALOGUE, export.KEY_NUMBERS):
        assert f"downloads/figures/{name}" in links
        copied = built / "downloads" / "figures" / name
        assert copied.read_bytes() == (inputs / "figures" / name).read_bytes()


@pytest.mark.slow
def test_plotly_charts_are_json_drawn_by_one_local_plotly(built):
    pages = sorted(built.rglob("*.html"))
    charts = 0
    for page in pages:
        soup = _soup(page)
        for div in soup.select("div.plotly-graph-div[data-figure]"):
            charts += 1
            spec = soup.find("script", id=f"{div['data-figure']}-spec")
            assert spec["type"] == "application/json"
            config = json.loads(spec.string)["config"]
            assert config["displaylogo"] is False and "sendDataToCloud" in config["modeBarButtonsToRemove"]
            assert config["toImageButtonOptions"]["format"] == "svg"
        if soup.select("div.plotly-graph-div") and "downloads" not in page.parts:
            srcs = [s.get("src", "") for s in soup.find_all("script") if s.get("src")]
            assert any(s.split("?")[0].endswith("_static/plotly.min.js") for s in srcs), page
    assert charts >= 4
    assert (built / "_static" / "plotly.min.js").stat().st_size > 1_000_000


@pytest.mark.slow
def test_nothing_is_loaded_from_another_host(built):
    for page in sorted(built.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for host in CDN_HOSTS:
            assert host not in text, f"{page.relative_to(built)} mentions {host}"


@pytest.mark.slow
def test_tables_have_human_names_no_index_and_one_number_format(built):
    soup = _soup(built / "notebooks" / "01_proposal_timeline.html")
    tables = soup.select("table.bering-table")
    assert tables and not soup.select("table.dataframe")
    heads = [th.get_text() for th in tables[0].select("thead th")]
    assert "Year" in heads and "Source id" in heads and "year" not in heads
    first_cells = [tr.find("td") for tr in tables[0].select("tbody tr")]
    assert first_cells[0].get_text() != "0" and all(td is not None for td in first_cells)
    years = [tr.select("td")[heads.index("Year")].get_text() for tr in tables[0].select("tbody tr")]
    assert all("," not in y for y in years)


@pytest.mark.slow
def test_only_catalogued_files_are_copied(built, inputs, catalogue):
    listed = {f"downloads/figures/{f}" for fig in catalogue for f in fig.files}
    listed |= {f"downloads/data/{f}" for fig in catalogue for f in fig.data_files}
    copied = {p.relative_to(built).as_posix() for p in (built / "downloads").rglob("*") if p.is_file()}
    extra = (
        copied
        - listed
        - {
            "downloads/CITATION.cff",
            f"downloads/figures/{export.CATALOGUE}",
            f"downloads/figures/{export.KEY_NUMBERS}",
            "downloads/data/datapackage.json",
            "downloads/data/sources.csv",
            "downloads/figures/plotly.min.js",
            "downloads/figures/bering-plotly.js",
        }
    )
    assert not extra, extra


@pytest.mark.slow
def test_the_build_is_fast_enough(built):
    """On 2 cores the real site builds in well under two minutes (about 15-30 s here)."""
    assert 0 < BUILD["seconds"] < 120, f"the site took {BUILD['seconds']:.0f} s to build"


# ---------------------------------------------------------------------------------------------
# The check, on hand-written pages (no Sphinx needed)


def _page(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(f"<!DOCTYPE html><html><head></head><body>{body}</body></html>", encoding="utf-8")


def test_check_site_reports_each_kind_of_problem(tmp_path):
    _page(
        tmp_path,
        "a.html",
        '<a href="b.html#here">ok</a><a href="missing.html">gone</a>'
        '<img src="x.png"><img src="x.png" alt="fine">'
        '<script src="https://cdn.plot.ly/plotly.js"></script>'
        '<a href="javascript:alert(1)">js</a>'
        '<p onclick="alert(1)">handler</p><svg onload="alert(2)"></svg>'
        "<script>alert(3)</script>"
        '<script type="application/json">{"data": 1}</script>'
        "<script>DOCUMENTATION_OPTIONS.pagename = 'a';</script>"
        '<a href="https://example.org/">a link a reader follows</a>',
    )
    _page(tmp_path, "b.html", '<p id="here">here</p><a href="a.html#nowhere">x</a>')
    (tmp_path / "x.png").write_bytes(b"")
    problems = site.check_site(tmp_path)
    text = "\n".join(problems)
    assert "broken link missing.html" in text
    assert 'no id "nowhere"' in text
    assert "has no alt text" in text and text.count("has no alt text") == 1
    assert 'cdn.plot.ly/plotly.js"> loads from another host' in text
    assert 'href="javascript:alert(1)"> is not allowed' in text
    assert "<p onclick=...>" in text and "<svg onload=...>" in text
    assert "inline script the site did not write: 'alert(3)'" in text
    assert "pagename" not in text and "example.org" not in text and '"data"' not in text
    assert len(problems) == 8, problems


def test_theme_scripts_are_recognised_exactly():
    assert site.theme_script("DOCUMENTATION_OPTIONS.pagename = 'notebooks/01_x';")
    assert not site.theme_script("DOCUMENTATION_OPTIONS.pagename = 'x'; alert(1);")
    assert not site.theme_script("DOCUMENTATION_OPTIONS.pagename = 'x');alert(1);//';")


def test_markdown_and_html_escaping():
    assert site.md_text("# <b>x</b> [a](b) `c`") == "\\# \\<b\\>x\\<\\/b\\> \\[a\\]\\(b\\) \\`c\\`"
    assert site.md_text("line\n```{raw} html") == "line \\`\\`\\`\\{raw\\} html"
    assert site.h('<"`>') == "&lt;&quot;&#96;&gt;"
    assert "</script" not in site.script_json({"a": "</script><b>"})


@pytest.mark.parametrize("name", ["../../SECRET.txt", "/etc/passwd", "sub/../../x.csv", ".hidden.csv", ""])
def test_inside_refuses_paths_that_leave_the_folder(tmp_path, name):
    (tmp_path / "data").mkdir()
    with pytest.raises(site.SiteError, match="refused"):
        site.inside(tmp_path / "data", name, "test")


def test_build_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(site.SiteError, match="refusing to replace"):
        site.build(foreign)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert site.main(["--out", str(foreign)]) == 1


# ---------------------------------------------------------------------------------------------
# A small made-up repository: hostile text, links, untrusted paths, failed builds


def _tiny_png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "#0072B2").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


_PNG = _tiny_png()
_PLOTLY_PAGE = (
    '<html><body><div id="01_b"></div><script>Plotly.newPlot("01_b", '
    '[{"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "</script><b>"}], '
    '{"height": 300, "title": {"text": "B"}}, {"displaylogo": false})</script></body></html>'
)


def _fake_repo(root: Path, data_files: str = "a.csv") -> Path:
    (root / "notebooks").mkdir(parents=True)
    (root / "figures").mkdir()
    (root / "data").mkdir()
    (root / "README.md").write_text(
        f"# Title\n\nWhat the collection answers {XSS_IMG}.\n\n## Next\nnot in the intro\n", encoding="utf-8"
    )
    (root / "CITATION.cff").write_text(
        f'cff-version: 1.2.0\ntitle: "Made up {XSS_SVG}"\nversion: 0.0.1\nauthors:\n  - name: "Someone"\n',
        encoding="utf-8",
    )
    (root / "data" / "a.csv").write_text("x,source_id\n1,s\n", encoding="utf-8")
    (root / "data" / "sources.csv").write_text("source_id\ns\n", encoding="utf-8")
    (root / "data" / "datapackage.json").write_text(
        json.dumps(
            {
                "resources": [
                    {
                        "name": "a",
                        "path": "a.csv",
                        "schema": {"fields": [{"name": "x", "title": "The x value"}, {"name": "source_id"}]},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    (root / "figures" / "plotly.min.js").write_text("/* stand-in */", encoding="utf-8")
    (root / "figures" / "01_a.png").write_bytes(base64.b64decode(_PNG))
    for ext in ("svg", "pdf"):
        (root / "figures" / f"01_a.{ext}").write_bytes(b"stand-in")
    (root / "figures" / "01_a.csv").write_text("x,y\n0,1\n", encoding="utf-8")
    (root / "figures" / "01_b.html").write_text(_PLOTLY_PAGE, encoding="utf-8")
    (root / "figures" / "01_b.csv").write_text("x,y\n1,3\n2,4\n", encoding="utf-8")
    alt_a = f"Bar chart of one value {XSS_SVG}, drawn to test that a saved figure's alt text reaches the page."
    alt_b = "Interactive line chart of one value, drawn to test the plotly output of a notebook page."
    with (root / "figures" / "catalogue.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(export.CATALOGUE_COLUMNS)
        writer.writerow(
            [
                "01_a",
                "01_one",
                f"A finding {XSS_IMG}",
                alt_a,
                f"made up {XSS_IMG}",
                f"Counted by hand {XSS_SVG}",
                "01_a.png;01_a.svg;01_a.pdf;01_a.csv",
                data_files,
            ]
        )
        writer.writerow(["01_b", "01_one", "B finding", alt_b, "made up", "", "01_b.html;01_b.csv", "a.csv"])
    (root / "figures" / "key_numbers.csv").write_text(
        f"key,value,unit,notebook,description\nthe_answer,42.1234,km,01_one,The answer {XSS_IMG}\n", encoding="utf-8"
    )
    nb = nbformat.v4.new_notebook()
    image = {"image/png": _PNG, "text/plain": "<Figure>"}
    claim_md = f"| claim | verdict |\n|---|---|\n| {XSS_IMG} | {XSS_SVG} |\n\nFinding: {XSS_IMG} holds."
    table = (
        '<table border="1" class="dataframe"><thead><tr style="text-align: right;"><th></th><th>x</th>'
        f"<th>source_id</th></tr></thead><tbody><tr><th>0</th><td>1234.5</td><td>{XSS_IMG.replace('<', '&lt;')}"
        "</td></tr></tbody></table>"
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# 01 · One\n\n## Overview\nA summary line.\n\n"
            "See [the data](../data/a.csv), [the next one](02_two.ipynb) "
            "and [the figure](../figures/01_a.png)."
        ),
        nbformat.v4.new_code_cell(
            "out.figure(fig, name)",
            outputs=[
                nbformat.v4.new_output(
                    "execute_result",
                    {"text/markdown": "Saved `01_a`: `01_a.png`", "text/plain": "Saved"},
                    execution_count=1,
                ),
                nbformat.v4.new_output("display_data", image),
            ],
        ),
        nbformat.v4.new_code_cell(
            "ledger.findings()",
            outputs=[
                nbformat.v4.new_output("display_data", {"text/markdown": claim_md, "text/plain": "x"}),
                nbformat.v4.new_output("display_data", {"text/html": f"<b>{XSS_SVG}</b>", "text/plain": XSS_SVG}),
                nbformat.v4.new_output("display_data", {"application/javascript": "alert(4)", "text/plain": "js"}),
                nbformat.v4.new_output(
                    "execute_result", {"text/html": table, "text/plain": "table"}, execution_count=2
                ),
            ],
        ),
        nbformat.v4.new_code_cell(
            'out.figure(ifig, "01_b", title="B")\nifig',
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    {
                        site.PLOTLY_MIME: {
                            "data": [{"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "</script><b>"}],
                            "layout": {"height": 300},
                        }
                    },
                )
            ],
        ),
    ]
    nbformat.write(nb, root / "notebooks" / "01_one.ipynb")
    two = nbformat.v4.new_notebook()
    two.cells = [nbformat.v4.new_markdown_cell("# 02 · Two\n\nBack to [one](01_one.ipynb).")]
    nbformat.write(two, root / "notebooks" / "02_two.ipynb")
    return root


@pytest.fixture(scope="module")
def fake_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("fake")
    root = _fake_repo(base / "repo")
    out, problems, notes = site.build(base / "out", root=root)
    return root, out, problems, notes


def test_hostile_text_from_data_shows_as_text_everywhere(fake_site):
    _, out, problems, _ = fake_site
    assert problems == [], problems
    for page in sorted(out.rglob("*.html")):
        soup = _soup(page)
        assert not soup.find_all(lambda tag: any(a.startswith("on") for a in tag.attrs)), page
        assert not [img for img in soup.find_all("img") if img.get("src") == "x"], page
        assert not soup.find_all("svg", onload=True)
    nb_text = _soup(out / "notebooks" / "01_one.html").get_text(" ")
    assert XSS_IMG in nb_text and XSS_SVG in nb_text and "alert(4)" not in nb_text
    fig_text = _soup(out / "figures" / "01_a.html").get_text(" ")
    assert f"A finding {XSS_IMG}" in fig_text and XSS_SVG in fig_text
    assert f"Method Counted by hand {XSS_SVG}" in " ".join(fig_text.split())
    assert "Method" not in _soup(out / "figures" / "01_b.html").get_text(" ")  # no note, no stand-in
    assert XSS_IMG in _soup(out / "index.html").get_text(" ")
    assert XSS_SVG in _soup(out / "citation.html").get_text(" ")
    assert XSS_IMG in _soup(out / "gallery.html").get_text(" ")


def test_made_up_repository_links_tables_alt_text_and_charts(fake_site):
    _, out, _, notes = fake_site
    assert "CITATION.cff names no repository-code: no Binder launch links" in notes
    assert not [p for p in out.rglob("*.html") if "mybinder" in p.read_text(encoding="utf-8")]
    soup = _soup(out / "notebooks" / "01_one.html")
    links = {a.get_text(): a["href"] for a in soup.select("article a[href]")}
    assert links["the next one"] == "02_two.html"
    assert links["the figure"] == "../figures/01_a.html"
    assert soup.find("img", alt=lambda a: a and a.startswith("Bar chart of one value")) is not None
    table = soup.select_one("table.bering-table")
    assert [th.get_text() for th in table.select("thead th")] == ["The x value", "Source id"]
    assert table.select_one("td.num").get_text() == "1,234"  # the shared formatter: no index column
    div = soup.select_one("div.plotly-graph-div[data-figure]")
    spec = soup.find("script", id=f"{div['data-figure']}-spec")
    assert "</script><b>" not in spec.string and json.loads(spec.string)["data"][0]["name"] == "</script><b>"
    chart = (out / "downloads" / "figures" / "01_b.html").read_text(encoding="utf-8")
    assert "Plotly.newPlot" not in chart and 'src="bering-plotly.js"' in chart
    assert (out / "downloads" / "figures" / "plotly.min.js").is_file()


@pytest.mark.slow
def test_two_builds_are_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    root = _fake_repo(tmp_path / "repo")
    a, _, _ = site.build(tmp_path / "a", root=root)
    b, _, _ = site.build(tmp_path / "b", root=root)
    assert site.tree_digest(a) == site.tree_digest(b)
    assert "Built 2026-01-01" in (a / "index.html").read_text(encoding="utf-8")


def test_a_data_file_outside_the_repository_is_refused_and_nothing_is_written(tmp_path):
    (tmp_path / "SECRET.txt").write_text("secret", encoding="utf-8")
    root = _fake_repo(tmp_path / "work" / "repo", data_files="../../SECRET.txt")
    before = sorted(p for p in tmp_path.rglob("*"))
    with pytest.raises(site.SiteError, match=r"'\.\./\.\./SECRET\.txt' is not a plain file name inside data/"):
        site.build(tmp_path / "work" / "out", root=root)
    after = sorted(p for p in tmp_path.rglob("*"))
    assert after == before
    assert site.main(["--out", str(tmp_path / "work" / "out"), "--root", str(root)]) == 1


def test_a_symlink_out_of_the_data_folder_is_refused(tmp_path):
    (tmp_path / "SECRET.txt").write_text("secret", encoding="utf-8")
    root = _fake_repo(tmp_path / "repo", data_files="link.csv")
    os.symlink(tmp_path / "SECRET.txt", root / "data" / "link.csv")
    with pytest.raises(site.SiteError, match="leads outside data/"):
        site.build(tmp_path / "out", root=root)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_failed_check_leaves_the_previous_site_in_place(fake_site, tmp_path, capsys):
    root, out, _, _ = fake_site
    before = site.tree_digest(out)
    nb = nbformat.read(root / "notebooks" / "02_two.ipynb", as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "fig",
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    {site.PLOTLY_MIME: {"data": [{"type": "scattergeo", "lon": [0], "lat": [0]}], "layout": {}}},
                )
            ],
        )
    )
    nb.cells.append(nbformat.v4.new_markdown_cell("[gone](../docs/missing.md)"))
    nbformat.write(nb, root / "notebooks" / "02_two.ipynb")
    png = root / "figures" / "01_a.png"
    good_png = png.read_bytes()
    png.write_bytes(good_png[:40])  # a PNG cut short: no thumbnail can be made of it
    try:
        assert site.main(["--out", str(out), "--root", str(root)]) == 1
    finally:
        nb.cells = nb.cells[:-2]
        nbformat.write(nb, root / "notebooks" / "02_two.ipynb")
        png.write_bytes(good_png)
    err = capsys.readouterr().err
    assert "world_110m.json" in err and "the site was not written" in err
    assert "figures/01_a.png (figure 01_a) is not a readable PNG" in err
    assert site.tree_digest(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}-staging-")]


def test_maps_that_would_fetch_their_base_map_are_found():
    scatter = {"type": "scattergeo", "lon": [0], "lat": [0]}
    off = {
        f"show{layer}": False for layer in ("land", "ocean", "coastlines", "lakes", "rivers", "countries", "subunits")
    }
    assert site.network_assets({"data": [scatter], "layout": {"geo": off}}) == []
    assert site.network_assets({"data": [{"type": "scatter"}], "layout": {}}) == []
    default = site.network_assets({"data": [scatter], "layout": {}})
    assert default and "showcoastlines" in default[0] and "cdn.plot.ly" in default[0]
    assert site.network_assets({"data": [{"type": "choropleth", "locations": ["RUS"]}], "layout": {"geo": off}})
    assert site.network_assets({"data": [{"type": "scattermap"}], "layout": {}})


def test_spec_is_read_from_an_exported_page():
    spec = site.spec_from_page(_PLOTLY_PAGE)
    assert spec["data"][0]["name"] == "</script><b>" and spec["layout"]["height"] == 300
    assert site.spec_from_page("<html>no chart</html>") is None


@pytest.mark.slow
def test_binder_launch_links_come_from_the_repository_address(tmp_path):
    root = _fake_repo(tmp_path / "repo")
    with (root / "CITATION.cff").open("a", encoding="utf-8") as handle:
        handle.write('repository-code: "https://github.com/example-org/bering-notebooks"\n')
    out, problems, notes = site.build(tmp_path / "out", root=root)
    assert problems == [] and not [n for n in notes if "Binder" in n]
    wanted = "https://mybinder.org/v2/gh/example-org/bering-notebooks/HEAD?urlpath=lab/tree/notebooks/01_one.ipynb"
    assert site.binder_url("https://github.com/example-org/bering-notebooks", "notebooks/01_one.ipynb") == wanted
    launch = [a["href"] for a in _soup(out / "notebooks" / "01_one.html").find_all("a", href=True)]
    assert wanted in launch
    assert not [h for h in _soup(out / "gallery.html").find_all("a", href=True) if "mybinder" in h["href"]]


@pytest.mark.parametrize(
    "address,why",
    [
        ("", "names no repository-code"),
        ("https://gitlab.com/a/b", "is not a GitHub URL"),
        ("https://github.com/a/b/../c", "is not a GitHub URL"),
    ],
)
def test_no_binder_link_without_a_github_address(address, why):
    found, note = site.repository({"repository-code": address})
    assert found == "" and why in note and note.endswith("no Binder launch links")
    assert site.repository({"repository-code": "https://github.com/a/b.git/"}) == ("https://github.com/a/b", "")


def test_lead_point_is_the_first_finding_with_plain_links():
    nb = nbformat.v4.new_notebook()
    findings = (
        "**Findings**\n\n1. First, with 2\\.38 bn \\[sic\\] ([01_x](01_x.ipynb); figure [01_a](../figures/01_a.png))\n"
        "   over two lines.\n2. Second."
    )
    nb.cells = [
        nbformat.v4.new_code_cell("f()", outputs=[nbformat.v4.new_output("display_data", {"text/markdown": findings})])
    ]
    assert site.lead_point(nb) == "First, with 2\\.38 bn \\[sic\\] (01_x; figure 01_a) over two lines."
    nb.cells = []
    assert site.lead_point(nb) is None


def test_index_intro_leaves_out_the_readme_figure_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\nWhat it answers.\n\n<!-- BEGIN figure 03_x -->\n![alt](figures/03_x.png)\n\n*A caption*\n"
        "<!-- END figure -->\n\nMore.\n\n## Two commands\n",
        encoding="utf-8",
    )
    intro = site.readme_intro(readme)
    assert intro.startswith("What it answers.") and intro.endswith("More.")
    assert "BEGIN" not in intro and "caption" not in intro
