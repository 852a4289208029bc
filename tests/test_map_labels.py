"""The static maps' labels: which places are labelled is data (places.csv, labelled_on), where a label
sits is computed (adjustText), and no two labels cover each other."""

from __future__ import annotations

import itertools
import shutil

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from shapely.geometry import Point

from bering import data, paths
from bering.plots import route as plots

matplotlib.use("Agg")


def layer(rows) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=["place_id", "name", "map_label", "labelled_on"])
    return gpd.GeoDataFrame(frame, geometry=[Point(i, i) for i in range(len(frame))])


def test_labelled_reads_the_column_and_writes_the_label():
    places = layer(
        [
            ["a", "Wales (Kiŋigin)", "", "strait"],
            ["b", "Big Diomede (Ratmanov Island)", "Big Diomede (RU)", "strait;diomedes"],
            ["c", "Nome", None, "region"],
            ["d", "Tin City Long Range Radar Site", "", ""],
        ]
    )
    strait = plots.labelled(places, "strait")
    assert list(strait["place_id"]) == ["a", "b"]
    assert list(strait["label"]) == ["Wales", "Big Diomede (RU)"]
    assert list(plots.labelled(places, "diomedes")["place_id"]) == ["b"]
    assert list(plots.labelled(places, "region")["label"]) == ["Nome"]
    assert plots.labelled(places, "elsewhere").empty


def test_long_labels_wrap_at_the_space_nearest_the_middle():
    assert plots._wrapped("Cape Prince of Wales") == "Cape Prince\nof Wales"
    assert plots._wrapped("Nome") == "Nome"
    assert plots._wrapped("Verylongnamewithoutspaces") == "Verylongnamewithoutspaces"


def test_the_dictionary_constrains_labelled_on(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(paths.data_dir(), folder)
    places = pd.read_csv(folder / "places.csv", dtype=str, keep_default_na=False)
    places.loc[places["place_id"] == "nome", "labelled_on"] = "region;atlas"
    places.to_csv(folder / "places.csv", index=False, lineterminator="\n")
    with pytest.raises(data.DataValidationError, match=r"line 10, column 'labelled_on': \[pattern\] 'region;atlas'"):
        data.load("places", folder)


def _boxes(ax):
    renderer = ax.figure.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.texts if getattr(t, "_bering_anchor", None)]


@pytest.fixture(scope="module")
def maps():
    charts = {"strait": plots.strait_close_up(), "region": plots.region_missing_links()}
    yield charts
    for chart in charts.values():
        plt.close(chart.fig)


@pytest.mark.parametrize("view, panel", [("strait", 0), ("diomedes", 1)])
@pytest.mark.slow
def test_strait_map_labels_the_places_the_data_name_and_no_labels_overlap(maps, view, panel):
    ax = maps["strait"].fig.axes[panel]
    texts = [t.get_text() for t in ax.texts]
    for label in plots.labelled(data.load("places"), view)["label"]:
        assert any(text.startswith(label) for text in texts), label
    boxes = _boxes(ax)
    assert len(boxes) >= 4
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]


@pytest.mark.slow
def test_region_map_labels_the_places_the_data_name_and_the_canadian_railhead(maps):
    ax = maps["region"].fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for label in plots.labelled(data.load("places"), "region")["label"]:
        assert label in texts
    far_end = data.load("link_segments").query("part_of == 'na_km'")["far_end"].iloc[-1]
    assert any(f"({far_end}, off the map)" in t for t in texts)
    assert far_end in maps["region"].alt
    boxes = _boxes(ax)
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
