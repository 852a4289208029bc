"""figures/ is exactly what the notebooks produce now, and its catalogue describes every file.

The notebooks are not executed here: the test session's strict-nbval run (see ``conftest.py``)
wrote every figure into a scratch folder, and this compares that folder with ``figures/`` byte for
byte. The committed files were written by an earlier build (``./tasks.sh update``, notebooks in
parallel), so equality also proves that the build is deterministic and that merging the
notebooks' outputs gives the same bytes as running them one after another.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from conftest import DATA
from PIL import Image

from bering import export, paths

FIGURES = paths.committed_figures_dir()
INFRA = {".gitkeep", export.CATALOGUE, export.KEY_NUMBERS, export.PLOTLY_JS}


def digests(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.name != ".gitkeep"
    }


@pytest.fixture
def fresh(notebook_run):
    if not notebook_run.complete():
        pytest.skip(
            "compares the session's notebook run with figures/: run the whole suite with --nbval (./tasks.sh test)"
        )
    return notebook_run.figures


@pytest.mark.after_notebooks
@pytest.mark.slow
def test_committed_figures_are_not_stale(fresh):
    committed, now = digests(FIGURES), digests(fresh)
    missing = sorted(set(now) - set(committed))
    extra = sorted(set(committed) - set(now))
    changed = sorted(n for n in set(now) & set(committed) if now[n] != committed[n])
    assert not (missing or extra or changed), (
        f"figures/ is stale; run ./tasks.sh update and commit. new: {missing}, gone: {extra}, changed: {changed}"
    )


def test_catalogue_describes_every_file():
    cat = export.catalogue(FIGURES)
    listed = {f for files in cat["files"] for f in files.split(";")}
    present = {p.name for p in FIGURES.iterdir()} - INFRA
    assert listed == present
    assert cat["name"].is_unique
    for row in cat.itertuples():
        assert row.title and row.alt_text and row.source_line
        assert row.alt_text.strip().lower() != row.title.strip().lower()
        assert len(row.alt_text) >= 60, f"{row.name}: alt text too short to describe the figure"
        assert row.name.startswith(row.notebook[:3])
        for data_file in filter(None, row.data_files.split(";")):
            assert (DATA / data_file).exists(), f"{row.name} cites missing data file {data_file}"
        files = row.files.split(";")
        assert files[-1] == f"{row.name}.csv", f"{row.name}: no plotted-data CSV listed last"
        if not files[0].endswith(".html"):
            assert files == [f"{row.name}.png", f"{row.name}.svg", f"{row.name}.pdf", f"{row.name}.csv"]
            png = Image.open(FIGURES / files[0])
            assert png.info["Description"] == row.alt_text
            assert round(png.info["dpi"][0]) >= 200


def test_key_numbers_are_complete():
    table = pd.read_csv(FIGURES / export.KEY_NUMBERS, dtype=str, keep_default_na=False)
    assert list(table.columns) == export.KEY_COLUMNS
    assert table["key"].is_unique
    assert (table[["value", "unit", "notebook", "description"]] != "").all().all()
    assert pd.to_numeric(table["value"]).notna().all()


@pytest.mark.slow
@pytest.mark.after_notebooks
def test_overview_ran_alone_on_an_empty_figures_folder(notebook_run):
    """In this session's strict-nbval run, 00 was given a fresh, empty figures folder (nothing merged
    in from the others), executed in its own kernel, and reproduced its stored outputs."""
    if not notebook_run.active or "00_overview.ipynb" not in notebook_run.last_cell:
        pytest.skip("the notebooks did not run in this session (run ./tasks.sh test)")
    assert notebook_run.passed().get("00_overview.ipynb") is True
    folder = notebook_run.folder("00_overview.ipynb")
    # the overview writes its own key numbers and no figure; nothing of the others' is there
    assert sorted(p.name for p in folder.iterdir()) == [export.KEY_NUMBERS]
    rows = export.key_numbers(folder)
    assert set(rows["notebook"]) == {"00_overview"}
    stored = json.loads((paths.REPO_ROOT / "notebooks" / "00_overview.ipynb").read_text(encoding="utf-8"))
    figures = next(c for c in stored["cells"] if "overview.figure_list()" in "".join(c.get("source", [])))
    shown = "".join(figures["outputs"][0]["data"]["text/markdown"])
    assert all(name in shown for name in export.catalogue(FIGURES)["name"].str.replace("_", "\\_"))
