"""The static site (``python -m bering site``): built from the committed notebooks, self-contained,
deterministic, every image described. The same site in a real browser: ``test_browser.py``."""

from __future__ import annotations

import base64
import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from bering import export, site

CDN_HOSTS = ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "cdn.plot.ly", "fonts.googleapis.com",
             "fonts.gstatic.com", "code.jquery.com", "ajax.googleapis.com")


BUILD_PROBLEMS: list[str] = []


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """A copy of the repository's notebooks, figures, data and README: the tests build from it, so
    nothing that changes in the working tree meanwhile can make two builds differ."""
    return site.copy_inputs(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="module")
def built(inputs, tmp_path_factory) -> Path:
    target, problems, _ = site.build(tmp_path_factory.mktemp("site") / "_site", root=inputs)
    BUILD_PROBLEMS[:] = problems
    return target


@pytest.fixture(scope="module")
def notebooks(inputs) -> list[Path]:
    return sorted((inputs / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def catalogue(inputs) -> list[site.Figure]:
    return site.load_catalogue(inputs / "figures")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), features="html.parser")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------
# What the site holds


def test_the_build_finds_no_problem(built):
    """Broken links, images without alt text, anything loaded from another host (see check_site)."""
    assert BUILD_PROBLEMS == [], "\n".join(BUILD_PROBLEMS)


def test_every_notebook_has_a_page_and_the_index_links_it(built, notebooks):
    index = _soup(built / "index.html")
    hrefs = {a["href"] for a in index.find_all("a", href=True)}
    assert notebooks
    for path in notebooks:
        assert (built / f"{path.stem}.html").is_file(), path.name
        assert f"{path.stem}.html" in hrefs, f"index does not link {path.stem}.html"
        assert (built / "notebooks" / path.name).read_bytes() == path.read_bytes()
    assert "gallery.html" in hrefs


def test_index_states_the_question_and_the_headline_numbers(built, inputs):
    text = (built / "index.html").read_text(encoding="utf-8")
    intro = site.readme_intro(inputs / "README.md")
    assert intro, "README has no introduction before its first section"
    intro_text = _soup(built / "index.html").find("section", class_="lead").get_text(" ")
    assert " ".join(intro.split()[:4]) in " ".join(intro_text.split())
    values = {d["value"] for d in (tag.attrs for tag in _soup(built / "index.html").find_all("data"))}
    with (inputs / "figures" / "key_numbers.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert row["value"] in values, f"key number {row['key']} is not on the index"
            assert row["description"].replace("'", "&#x27;") in text or row["description"] in text


def test_gallery_has_every_catalogued_figure_with_its_files_and_data(built, inputs, catalogue):
    gallery = _soup(built / "gallery.html")
    for fig in catalogue:
        item = gallery.find(id=fig.name)
        assert item is not None, f"{fig.name} is not in the gallery"
        text = item.get_text(" ")
        assert fig.title in text and fig.alt_text in text and fig.source_line in text
        hrefs = {a["href"] for a in item.find_all("a", href=True)}
        for name in fig.files:
            assert f"figures/{name}" in hrefs
            assert (built / "figures" / name).read_bytes() == (inputs / "figures" / name).read_bytes()
        for name in fig.data_files:
            assert f"data/{name}" in hrefs
            assert (built / "data" / name).read_bytes() == (inputs / "data" / name).read_bytes()
        if fig.preview:
            img = item.find("img")
            assert img["alt"] == fig.alt_text


def test_notebook_images_carry_the_alt_text_of_the_figure_their_cell_saved(built, notebooks, catalogue):
    for path in notebooks:
        page = _soup(built / f"{path.stem}.html")
        images = page.find_all("img")
        for img in images:
            assert img.get("alt", "").strip(), f"{path.stem}: an image without alt text"
            assert "No description has been provided" not in img["alt"]
        for fig in (f for f in catalogue if f.notebook == path.stem and not f.interactive):
            shown = page.find(id=f"fig-{fig.name}")
            if shown is not None:
                assert shown.find("img")["alt"] == fig.alt_text


def test_plotly_outputs_become_charts_drawn_by_one_local_plotly(built, inputs, notebooks):
    copies = [p for p in built.rglob("*.js")]
    assert [p.relative_to(built).as_posix() for p in copies] in ([], [site.PLOTLY_JS])
    for path in notebooks:
        text = (built / f"{path.stem}.html").read_text(encoding="utf-8")
        page = BeautifulSoup(text, features="html.parser")
        expected = site.plotly_outputs(path)
        assert len(page.select("div.plotly-graph-div")) == expected, path.stem
        scripts = [s["src"] for s in page.find_all("script", src=True)]
        assert scripts == ([site.PLOTLY_JS] if expected else []), path.stem
        assert text.count("Plotly.newPlot(") == expected
    if copies:
        assert copies[0].read_bytes() == (inputs / "figures" / "plotly.min.js").read_bytes()


def test_nothing_is_loaded_from_another_host(built):
    for page in built.rglob("*.html"):
        soup = _soup(page)
        text = page.read_text(encoding="utf-8")
        for host in CDN_HOSTS:
            assert host not in text, f"{page.name} mentions {host}"
        for tag in soup.find_all(["script", "link", "img", "iframe", "source", "embed", "object"]):
            for attr in ("src", "href", "data"):
                value = tag.get(attr) or ""
                assert not value.startswith(("http:", "https:", "//")), f"{page.name}: <{tag.name} {attr}={value}>"


def test_links_are_relative_and_resolve(built):
    for page in built.rglob("*.html"):
        for a in _soup(page).find_all("a", href=True):
            href = a["href"]
            assert not href.startswith(("/", "file:")), f"{page.name}: absolute link {href}"


def test_two_builds_are_identical(built, inputs, tmp_path):
    site.build(tmp_path / "again", root=inputs)
    first, second = _tree(built), _tree(tmp_path / "again")
    assert sorted(first) == sorted(second)
    changed = [name for name in first if first[name] != second[name]]
    assert changed == [], f"differ between two builds: {changed}"


def test_command_line(tmp_path, capsys):
    root = _fake_repo(tmp_path / "repo")
    assert site.main(["--out", str(tmp_path / "_site"), "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "site written to" in out and "01_one.html" in out and (tmp_path / "_site" / "index.html").is_file()


# ---------------------------------------------------------------------------------------------
# The checker and the builder refuse what they should


def test_check_site_reports_each_kind_of_problem(built, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(built, copy)
    page = copy / "gallery.html"
    text = page.read_text(encoding="utf-8")
    text = text.replace("</main>", '<a href="missing.html">x</a><a href="index.html#nowhere">y</a>'
                                   '<img src="figures/x.png"><img src="figures/x.png" alt="  ">'
                                   '<script src="https://cdn.example.org/lib.js"></script>'
                                   '<link rel="stylesheet" href="//fonts.example.org/a.css">'
                                   '<a href="https://example.org/reference">a reference</a>'
                                   '<div style="background:url(https://example.org/i.png)"></div></main>')
    page.write_text(text, encoding="utf-8")
    problems = "\n".join(site.check_site(copy))
    assert "broken link missing.html" in problems
    assert 'no id "nowhere"' in problems
    assert problems.count("has no alt text") == 2
    assert "https://cdn.example.org/lib.js" in problems
    assert "//fonts.example.org/a.css" in problems
    assert "https://example.org/i.png" in problems
    assert "example.org/reference" not in problems        # a link a reader follows is fine


def test_build_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(site.SiteError, match="refusing to replace"):
        site.build(foreign)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert site.main(["--out", str(foreign)]) == 1


# ---------------------------------------------------------------------------------------------
# A small made-up repository: link rewriting and alt text in the cases the real notebooks lack

_PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")).decode()


def _fake_repo(root: Path) -> Path:
    (root / "notebooks").mkdir(parents=True)
    (root / "figures").mkdir()
    (root / "data").mkdir()
    (root / "README.md").write_text("# Title\n\nWhat the collection answers, in [one line](data/a.csv).\n\n"
                                    "## Next\nnot in the intro\n", encoding="utf-8")
    (root / "data" / "a.csv").write_text("x,source_id\n1,s\n", encoding="utf-8")
    (root / "data" / "sources.csv").write_text("source_id\ns\n", encoding="utf-8")
    (root / "figures" / "plotly.min.js").write_text("/* stand-in */", encoding="utf-8")
    (root / "figures" / "01_a.png").write_bytes(base64.b64decode(_PNG))
    (root / "figures" / "01_b.html").write_text("<!DOCTYPE html><title>b</title>", encoding="utf-8")
    alt_a = "Bar chart of one value, drawn to test that a saved figure's alt text reaches the page."
    alt_b = "Interactive line chart of one value, drawn to test the plotly output of a notebook page."
    with (root / "figures" / "catalogue.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "notebook", "title", "alt_text", "source_line", "files", "data_files"])
        writer.writerow(["01_a", "01_one", "A finding", alt_a, "made up", "01_a.png", "a.csv"])
        writer.writerow(["01_b", "01_one", "B finding", alt_b, "made up", "01_b.html", "a.csv"])
    (root / "figures" / "key_numbers.csv").write_text(
        "key,value,unit,notebook,description\nthe_answer,42.1234,km,01_one,The answer\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    image = {"image/png": _PNG, "text/plain": "<Figure>"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 01 · One\n\n## Overview\nA summary line.\n\n- a bullet\n\n"
                                      "See [the data](../data/a.csv), [the next one](02_two.ipynb#top) "
                                      "and [elsewhere](https://example.org/page)."),
        nbformat.v4.new_code_cell("out.figure(fig, name)", outputs=[
            nbformat.v4.new_output("execute_result", {"text/markdown": "Saved `01_a`: `01_a.png`",
                                                      "text/plain": "Saved"}, execution_count=1),
            nbformat.v4.new_output("display_data", image)]),
        nbformat.v4.new_markdown_cell("## A chart nobody saved"),
        nbformat.v4.new_code_cell("plt.plot()", outputs=[nbformat.v4.new_output("display_data", image)]),
        nbformat.v4.new_code_cell('out.figure(ifig, "01_b", title="B")\nifig', outputs=[
            nbformat.v4.new_output("display_data", {site.PLOTLY_MIME: {
                "data": [{"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "</script><b>"}],
                "layout": {"height": 300}}})]),
    ]
    nbformat.write(nb, root / "notebooks" / "01_one.ipynb")
    two = nbformat.v4.new_notebook()
    two.cells = [nbformat.v4.new_markdown_cell('# 02 · Two\n\n<a id="top"></a>Back to [one](01_one.ipynb).')]
    nbformat.write(two, root / "notebooks" / "02_two.ipynb")
    return root


def test_made_up_repository(tmp_path):
    root = _fake_repo(tmp_path / "repo")
    out, problems, notes = site.build(tmp_path / "out", root=root)
    assert problems == []
    assert any("not a catalogued figure" in n for n in notes)
    page = _soup(out / "01_one.html")
    links = {a.get_text(): a["href"] for a in page.select(".jp-RenderedMarkdown a[href]")}
    assert links["the data"] == "data/a.csv" and (out / "data" / "a.csv").is_file()
    assert links["the next one"] == "02_two.html#top"
    assert links["elsewhere"] == "https://example.org/page"
    alts = [img["alt"] for img in page.find_all("img")]
    assert alts[0].startswith("Bar chart of one value")
    assert "A chart nobody saved" in alts[1] and "not in the figure catalogue" in alts[1]
    figure = page.find(id="fig-01_b")
    assert figure.select_one("div.plotly-graph-div")["aria-label"].startswith("Interactive line chart")
    script = figure.find("script").string
    assert "</script>" not in script and "\\u003c/script\\u003e" in script
    spec, _ = json.JSONDecoder().raw_decode(script, script.index("[{"))
    assert spec[0]["name"] == "</script><b>"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "What the collection answers" in index and "not in the intro" not in index
    assert '<data value="42.1234">42.1</data>' in index and "A summary line." in index
    gallery = _soup(out / "gallery.html")
    assert gallery.find(id="01_a").find("a", href="01_one.html#fig-01_a") is not None
    assert gallery.find(id="01_b").find("iframe")["src"] == "figures/01_b.html"
    back = {a.get_text(): a["href"] for a in _soup(out / "02_two.html").select(".jp-RenderedMarkdown a[href]")}
    assert back["one"] == "01_one.html"


def test_made_up_repository_with_a_broken_link_fails(tmp_path, capsys):
    root = _fake_repo(tmp_path / "repo")
    nb = nbformat.read(root / "notebooks" / "02_two.ipynb", as_version=4)
    nb.cells[0].source += "\n\n[gone](../docs/missing.md) and [no anchor](01_one.ipynb#nope)"
    nbformat.write(nb, root / "notebooks" / "02_two.ipynb")
    _, problems, _ = site.build(tmp_path / "out", root=root)
    assert any("missing.md" in p for p in problems)
    assert any('no id "nope"' in p for p in problems)


def test_maps_that_would_fetch_their_base_map_are_found():
    scatter = {"type": "scattergeo", "lon": [0], "lat": [0]}
    off = {f"show{layer}": False for layer in ("land", "ocean", "coastlines", "lakes", "rivers", "countries",
                                                "subunits")}
    assert site.network_assets({"data": [scatter], "layout": {"geo": off}}) == []
    assert site.network_assets({"data": [{"type": "scatter"}], "layout": {}}) == []
    default = site.network_assets({"data": [scatter], "layout": {}})
    assert default and "showcoastlines" in default[0] and "cdn.plot.ly" in default[0]
    template = {"template": {"layout": {"geo": {"showland": True}}}}
    from_template = site.network_assets({"data": [scatter], "layout": {**template, "geo": {**off, "showland": None}}})
    assert len(from_template) == 1 and "showland" in from_template[0]
    assert site.network_assets({"data": [{"type": "choropleth", "locations": ["RUS"]}],
                                "layout": {"geo": off}})
    assert site.network_assets({"data": [{"type": "scattermap"}], "layout": {}})


def test_a_notebook_map_that_would_fetch_its_base_map_fails_the_build(tmp_path):
    root = _fake_repo(tmp_path / "repo")
    nb = nbformat.read(root / "notebooks" / "02_two.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("fig", outputs=[nbformat.v4.new_output("display_data", {
        site.PLOTLY_MIME: {"data": [{"type": "scattergeo", "lon": [0], "lat": [0]}], "layout": {}}})]))
    nbformat.write(nb, root / "notebooks" / "02_two.ipynb")
    _, problems, _ = site.build(tmp_path / "out", root=root)
    assert len(problems) == 1 and "02_two.html" in problems[0] and "world_110m.json" in problems[0]


@pytest.mark.parametrize("value,unit,shown", [
    ("1890", "year", "1890"), ("21", "count", "21"), ("1234567", "USD", "1,234,567"),
    ("100.926", "USD 2025 bn", "101"), ("2.45326", "USD 2025 bn", "2.45"), ("42.1234", "km", "42.1"),
    ("0.000123", "share", "1.23e-04"), ("667507", "USD 2025 per year", "667,507")])
def test_display_number(value, unit, shown):
    assert export.display_number(value, unit) == shown
