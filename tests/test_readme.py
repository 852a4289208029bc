"""The README's generated tables match the key numbers and the data dictionary."""

from __future__ import annotations

from bering import export, paths, readme


def test_readme_tables_are_current():
    text = readme.README.read_text(encoding="utf-8")
    assert readme.render(text, paths.committed_figures_dir()) == text, (
        "README tables are stale: run ./tasks.sh figures (or python -m bering readme)"
    )


def test_readme_gives_the_two_commands_and_ci_uses_the_test_one():
    text = readme.README.read_text(encoding="utf-8")
    assert "./tasks.sh figures" in text and "./tasks.sh test" in text
    ci = (paths.REPO_ROOT / ".ci" / "run").read_text()
    assert "./tasks.sh test" in ci


def test_fallback_headline_uses_the_one_formatter(tmp_path, monkeypatch):
    (tmp_path / "key_numbers.csv").write_text(
        "key,value,unit,notebook,description\n"
        "a,0.00371429,percent,01_proposal_timeline,Share\n"
        "b,667507.2,USD per year,01_proposal_timeline,Cost\n",
        encoding="utf-8",
    )
    (tmp_path / "catalogue.csv").write_text(",".join(export.CATALOGUE_COLUMNS) + "\n", encoding="utf-8")
    monkeypatch.setattr(readme, "lead_finding", lambda path: None)
    row = next(r for r in readme.notebooks_table(tmp_path).splitlines() if "01_proposal_timeline" in r)
    assert "Share: **0.0037** percent<br>Cost: **667,507** USD per year" in row


def test_binder_launch_links_only_with_a_repository_address(tmp_path):
    """The README's notebook table offers a Binder launch per notebook once CITATION.cff names the
    public repository (planted here in a temporary copy); Binder builds it from binder/."""
    text = readme.README.read_text(encoding="utf-8")
    figures = paths.committed_figures_dir()
    assert "mybinder.org/v2" not in readme.render(text, figures)  # the repository has no public address yet
    cff = (paths.REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "repository-code" not in cff
    (tmp_path / "CITATION.cff").write_text(
        cff + 'repository-code: "https://github.com/example-org/bering-notebooks"\n', encoding="utf-8"
    )
    launched = readme.render(text, figures, root=tmp_path)
    notebooks = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    for path in notebooks:
        url = f"https://mybinder.org/v2/gh/example-org/bering-notebooks/HEAD?urlpath=lab/tree/notebooks/{path.name}"
        assert f"[{path.stem}](notebooks/{path.name}) ([launch]({url}))" in launched
    assert launched.count("mybinder.org/v2") == len(notebooks)
    binder = paths.REPO_ROOT / "binder"
    assert (binder / "requirements.txt").is_file() and (binder / "runtime.txt").is_file()


def test_headline_is_the_lead_finding_or_two_key_numbers(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "findings()",
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    {
                        "text/markdown": (
                            "**Findings**\n\n- The first point, with 42 km\n  over two lines.\n- The second."
                        ),
                        "text/plain": "x",
                    },
                )
            ],
        )
    ]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    assert readme.lead_finding(path) == "The first point, with 42 km over two lines."
    nb.cells = []
    nbformat.write(nb, path)
    assert readme.lead_finding(path) is None
    table = readme.notebooks_table(paths.committed_figures_dir())
    assert "e-0" not in table and all(row.count("<br>") <= 1 for row in table.splitlines())


def test_figure_block_and_cell_text_escape_data(tmp_path):
    assert readme._md("a | b <img src=x onerror=alert(1)>\nc") == "a \\| b &lt;img src=x onerror=alert(1)&gt; c"
    (tmp_path / "catalogue.csv").write_text(
        "name,notebook,title,alt_text,source_line,files,data_files\n"
        "01_a,01_x,A <b>title</b>,Alt [text],made up,01_a.png;01_a.svg,\n",
        encoding="utf-8",
    )
    block = readme.figure_block("01_a", tmp_path)
    assert block.startswith("![Alt (text)](figures/01_a.png)") and "&lt;b&gt;" in block
    import pytest

    with pytest.raises(ValueError, match="does not list"):
        readme.figure_block("01_b", tmp_path)


def test_links_in_a_lead_finding_point_from_the_readme_not_the_notebook(tmp_path):
    import nbformat

    """A notebook writes its links relative to notebooks/; the README at the root gets them rebased,
    and the first point of a numbered list is the lead, not the whole list."""
    text = (
        "**Findings**\n\n1. Costs span USD 2\\.38 bn \\[sic\\] ([01_x](01_x.ipynb); figure "
        "[01_a](../figures/01_a.png); [web](https://example.org/a); [here](#top))\n2. The second."
    )
    nb = nbformat.v4.new_notebook()
    output = nbformat.v4.new_output("display_data", {"text/markdown": text, "text/plain": "x"})
    nb.cells = [nbformat.v4.new_code_cell("findings()", outputs=[output])]
    path = tmp_path / "00_x.ipynb"
    nbformat.write(nb, path)
    assert readme.lead_finding(path) == (
        "Costs span USD 2\\.38 bn \\[sic\\] ([01_x](notebooks/01_x.ipynb); figure [01_a](figures/01_a.png); "
        "[web](https://example.org/a); [here](#top))"
    )
