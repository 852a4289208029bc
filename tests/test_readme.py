"""The README's generated tables match the key numbers and the data dictionary."""

from __future__ import annotations

from bering import paths, readme


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


def test_display_number():
    from bering.export import display_number

    assert display_number("667507.2", "USD per year") == "667,507"
    assert display_number("100.926", "USD 2025 bn") == "101"
    assert display_number("3.95375", "km") == "3.95"
    assert display_number("1890", "year") == "1890"
    assert display_number("21", "count") == "21"


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
