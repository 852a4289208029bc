"""The figure catalogue comes from the package (bering.plots.catalogue), not from figures/.

Every plot module registers the figures it draws (:func:`bering.plots.chart.registered`), so the
overview (notebook 00) lists the collection's figures computed from the data and can run alone, on an
empty figures folder, in any order. These tests hold the package's catalogue to the committed
``figures/catalogue.csv`` that the notebooks wrote.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bering import export, plots, runner
from bering.plots import chart

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "figures" / "catalogue.csv"
#: Notebooks whose figures no plot module registers yet: their charts are still drawn and titled in
#: the notebook (out.figure with texts computed in cells), so the package cannot draw them alone.
UNREGISTERED: set[str] = set()


def committed() -> pd.DataFrame:
    table = export.catalogue(COMMITTED.parent)
    return table[~table["notebook"].isin(UNREGISTERED)].sort_values("name").reset_index(drop=True)


def test_every_committed_figure_is_registered_with_its_notebook():
    recipes = plots.recipes()
    table = committed()
    assert sorted(recipes) == list(table["name"])
    assert [recipes[n].notebook for n in table["name"]] == list(table["notebook"])


def test_unregistered_notebooks_are_exactly_those_without_a_recipe():
    notebooks = {r.notebook for r in plots.recipes().values()}
    in_catalogue = set(export.catalogue(COMMITTED.parent)["notebook"])
    assert in_catalogue - notebooks == UNREGISTERED


def test_registering_a_second_function_under_a_name_is_refused():
    name = "01_timeline_by_era"
    plots.recipes()
    known = chart.RECIPES[name]
    with pytest.raises(ValueError, match="figure '01_timeline_by_era' is registered twice"):

        @chart.registered(name, "01_proposal_timeline")
        def another(data_dir=None):  # pragma: no cover - never drawn
            raise AssertionError

    assert chart.RECIPES[name] is known


def test_a_figure_must_carry_its_notebooks_number():
    with pytest.raises(ValueError, match="figure '02_x' must start with its notebook's number '01_'"):
        chart.registered("02_x", "01_proposal_timeline")


def test_files_follow_the_exporters_formats():
    assert plots.files_of("01_a", interactive=False) == ["01_a.png", "01_a.svg", "01_a.pdf", "01_a.csv"]
    assert plots.files_of("01_b", interactive=True) == ["01_b.html", "01_b.csv"]


def test_figure_index_lists_the_committed_figures_and_files_without_drawing(monkeypatch):
    """The overview's list (name, notebook, files) comes from the registrations alone: no recipe runs."""
    recipes = plots.recipes()

    def refuse(data_dir=None):  # pragma: no cover - called only if the index draws
        raise AssertionError("the figure index drew a figure")

    for name, recipe in recipes.items():
        monkeypatch.setitem(chart.RECIPES, name, chart.Recipe(name, recipe.notebook, refuse, recipe.interactive))
    index = plots.figure_index()
    theirs = committed()
    assert list(index.columns) == ["name", "notebook", "files"]
    assert index.to_dict("records") == theirs[["name", "notebook", "files"]].to_dict("records")


def test_a_recipe_that_misstates_its_kind_is_refused(monkeypatch, tmp_path):
    """A figure registered as static that draws a plotly page would be listed with the wrong files."""
    import plotly.graph_objects as go

    monkeypatch.setattr(chart, "RECIPES", {})
    monkeypatch.setattr(plots, "MODULES", ())

    @chart.registered("01_page", "01_proposal_timeline")
    def page(data_dir=None):
        return chart.Chart(go.Figure(), "01_page", title="t", alt="a", source="s", data_files=("x.csv",))

    with pytest.raises(ValueError, match="registered as '01_page' says interactive=False, but draws a plotly figure"):
        plots.catalogue(tmp_path)


@pytest.mark.slow
def test_package_catalogue_equals_the_committed_one():
    """Names, notebooks, titles, alt text, source lines and files, drawn from the data. (Method notes
    say how a figure is drawn; figures/ is regenerated from the notebooks, and the freshness check
    compares every byte of it.)"""
    ours = plots.catalogue().sort_values("name").reset_index(drop=True)
    theirs = committed()
    columns = ["name", "notebook", "title", "alt_text", "source_line", "files", "data_files"]
    for column in columns:
        mismatched = [
            (n, a, b) for n, a, b in zip(theirs["name"], ours[column], theirs[column].fillna("")) if str(a) != str(b)
        ]
        assert not mismatched, f"{column}: {mismatched[:3]}"


def test_no_notebook_reads_another_notebooks_outputs():
    """No notebook, nor any package module it imports, reads figures/ back (key numbers, catalogue):
    every notebook, the overview included, runs alone and in any order."""
    readers = [p.name for p in runner.notebook_order() if runner.reads_outputs(p)]
    assert readers == []
    assert runner.notebook_order()[0].name.startswith("00_")
