"""Tests for bering.route (gaps, reconciliation, route factors, missing links) and its figures
(bering.plots.route)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from bering import data, geo, route
from bering.plots import route as plots

# One degree of longitude on the equator, WGS84: a * pi / 180 with a = 6378.137 km.
DEG_EQ = 6378.137 * np.pi / 180


def _lengths(rows):
    cols = ["length_id", "crossing", "alignment_id", "measure", "length_km", "length_mi", "source_id"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["quoted_as"] = route.quoted_as(frame)
    frame["quoted_km"] = route.published_km(frame)
    return frame


# ----------------------------------------------------------------------------- published lengths


def test_published_km_prefers_the_printed_km_and_converts_miles_exactly():
    frame = pd.DataFrame(
        {"length_id": ["a", "b", "c"], "length_km": [82.0, np.nan, 112.0], "length_mi": [51.0, 64.0, 70.0]}
    )
    out = route.published_km(frame)
    assert out.tolist() == [82.0, pytest.approx(64 * 1.609344), 112.0]
    assert route.MILE_KM == 1.609344


def test_published_km_names_rows_without_a_number_and_refuses_negatives():
    frame = pd.DataFrame({"length_id": ["ok", "empty"], "length_km": [1.0, np.nan], "length_mi": [np.nan, np.nan]})
    with pytest.raises(ValueError, match="empty"):
        route.published_km(frame)
    with pytest.raises(ValueError, match="negative"):
        route.published_km(pd.DataFrame({"length_id": ["x"], "length_km": [-1.0], "length_mi": [np.nan]}))
    with pytest.raises(ValueError, match="length_mi"):
        route.published_km(pd.DataFrame({"length_id": ["x"], "length_km": [1.0]}))


def test_quoted_as_reads_like_the_source():
    frame = pd.DataFrame({"length_km": [82.0, np.nan, 3500.0, 50.45], "length_mi": [51.0, 64.0, np.nan, np.nan]})
    assert route.quoted_as(frame).tolist() == ["51 mi (82 km)", "64 mi", "3,500 km", "50.45 km"]


# ----------------------------------------------------------------------------- reconciliation


@pytest.fixture()
def recon_inputs():
    lengths = _lengths(
        [
            ("w", "bering_strait", "cape_to_cape", "strait_width_narrowest", 82.0, np.nan, "s1"),
            ("t", "bering_strait", "tun", "tunnel_length", np.nan, 10.0, "s2"),
            ("g", "bering_strait", None, "island_gap", 3.8, np.nan, "s3"),
            ("c", "channel_tunnel", None, "tunnel_length", 50.45, np.nan, "s4"),
        ]
    )
    computed = {
        "cape_to_cape": (85.0, "capes"),
        "mainland_gap": (81.0, "shores"),
        "tun": (15.0, "route"),
        "island_gap": (4.0, "islands"),
    }
    return lengths, computed


def test_reconcile_hand_values(recon_inputs):
    lengths, computed = recon_inputs
    out = route.reconcile(lengths, computed).set_index(["length_id", "compared_with"])
    assert len(out) == 4  # width twice, tunnel, gap; Channel left out
    assert out.loc[("w", "shores"), "difference_km"] == pytest.approx(1.0)
    assert out.loc[("w", "capes"), "difference_km"] == pytest.approx(-3.0)
    # 10 miles = 16.09344 km against a 15 km route
    assert out.loc[("t", "route"), "quoted_km"] == pytest.approx(16.09344)
    assert out.loc[("t", "route"), "difference_km"] == pytest.approx(1.09344)
    assert out.loc[("t", "route"), "ratio"] == pytest.approx(16.09344 / 15.0)
    assert out.loc[("g", "islands"), "difference_km"] == pytest.approx(-0.2)
    assert out.loc[("w", "shores"), "measures"] == "narrowest width of the strait"


def test_reconcile_errors_name_the_row(recon_inputs):
    lengths, computed = recon_inputs
    missing = dict(computed)
    del missing["tun"]
    with pytest.raises(ValueError, match="t: no computed measure 'tun'"):
        route.reconcile(lengths, missing)
    bad = lengths.copy()
    bad.loc[bad["length_id"] == "t", "alignment_id"] = None
    with pytest.raises(ValueError, match="t: a tunnel_length needs an alignment_id"):
        route.reconcile(bad, computed)


def test_computed_measures_reads_the_gap_chain():
    summary = pd.DataFrame({"alignment_id": ["cape_to_cape", "x"], "total_km": [85.0, 90.0]})
    gaps = pd.DataFrame(
        {"from_place": ["a", "b", "c", "a"], "to_place": ["b", "c", "d", "d"], "gap_km": [35.0, 4.0, 36.0, 81.0]}
    )
    out = route.computed_measures(summary, gaps)
    assert out["mainland_gap"][0] == 81.0 and out["island_gap"][0] == 4.0
    assert out["cape_to_cape"][0] == 85.0 and out["x"][0] == 90.0


def test_tunnel_vs_water_hand_values():
    lengths = _lengths(
        [
            ("b", "bering_strait", "isl", "tunnel_length", 110.0, np.nan, "s"),
            ("c", "channel_tunnel", None, "tunnel_length", 50.0, np.nan, "s"),
            ("cu", "channel_tunnel", None, "undersea_length", np.nan, 25.0, "s"),
        ]
    )
    surfaces = pd.DataFrame({"alignment_id": ["isl"], "water_km": [88.0]})
    out = route.tunnel_vs_water(lengths, surfaces).set_index("length_id")
    assert out.loc["b", "ratio"] == pytest.approx(110.0 / 88.0)
    assert out.loc["c", "under_water_km"] == pytest.approx(25 * 1.609344)
    assert out.loc["c", "ratio"] == pytest.approx(50.0 / (25 * 1.609344))
    with pytest.raises(ValueError, match="c: no published undersea length for channel_tunnel"):
        route.tunnel_vs_water(lengths[lengths["length_id"] != "cu"], surfaces)
    with pytest.raises(ValueError, match="b: no modelled alignment"):
        route.tunnel_vs_water(lengths, surfaces.iloc[0:0])


# ----------------------------------------------------------------------------- route factors


def test_route_factors_and_the_pooled_factor():
    lengths = _lengths(
        [
            ("a", "bering_strait", "p", "corridor_length", 120.0, np.nan, "s"),
            ("b", "bering_strait", "q", "corridor_length", 300.0, np.nan, "s"),
            ("c", "bering_strait", "t", "tunnel_length", 10.0, np.nan, "s"),
        ]
    )
    summary = pd.DataFrame({"alignment_id": ["p", "q", "t"], "total_km": [100.0, 200.0, 9.0]})
    factors = route.route_factors(lengths, summary)
    assert factors["route_factor"].tolist() == [pytest.approx(1.2), pytest.approx(1.5)]
    # pooled: (120 + 300) / (100 + 200) = 1.4, not the mean of the factors (1.35)
    assert route.pooled_route_factor(factors) == pytest.approx(1.4)
    with pytest.raises(ValueError, match="no corridors"):
        route.pooled_route_factor(factors.iloc[0:0])
    dup = pd.concat([lengths, lengths.iloc[[0]]])
    with pytest.raises(ValueError, match="more than one published length"):
        route.route_factors(dup, summary)
    with pytest.raises(ValueError, match="has no geometry"):
        route.route_factors(lengths, summary[summary["alignment_id"] != "q"])


# ----------------------------------------------------------------------------- missing links


@pytest.fixture()
def toy_network():
    places = pd.DataFrame(
        {
            "place_id": ["rail_ru", "end_ru", "portal_ru", "portal_us", "rail_us"],
            "name": ["Railhead RU", "Line end RU", "Portal RU", "Portal US", "Railhead US"],
            "lat": [0.0, 0.0, 0.0, 0.0, 0.0],
            "lon": [0.0, 1.0, 1.1, 1.2, 3.0],
            "kind": ["railhead", "settlement", "cape", "cape", "railhead"],
            "country": ["RU", "RU", "RU", "US", "US"],
        }
    )
    segments = pd.DataFrame(
        {
            "alignment_id": ["tunnel", "ru_line", "us_line"],
            "seq": [1, 1, 1],
            "from_place": ["portal_ru", "rail_ru", "rail_us"],
            "to_place": ["portal_us", "end_ru", "portal_us"],
            "segment_type": ["undersea_tunnel", "new_land_line", "new_land_line"],
        }
    )
    lengths = _lengths([("ru", "bering_strait", "ru_line", "corridor_length", 150.0, np.nan, "s")])
    return places, segments, lengths


def test_missing_links_hand_values(toy_network):
    places, segments, lengths = toy_network
    links = route.missing_links(
        places, segments, lengths, "tunnel", 1.5, corridors={"Russia": "ru_line", "Alaska": "us_line"}
    )
    assert links["leg"].tolist() == ["corridor", "connector to the portal", "corridor"]
    ru, connector, us = (links.iloc[i] for i in range(3))
    assert ru["length_km"] == 150.0 and ru["basis"] == "published length"
    assert ru["straight_km"] == pytest.approx(DEG_EQ, rel=1e-9)  # 1 degree on the equator
    # connector from the line's end (lon 1.0) to the portal (lon 1.1): 0.1 degree x 1.5
    assert connector["straight_km"] == pytest.approx(0.1 * DEG_EQ, rel=1e-9)
    assert connector["length_km"] == pytest.approx(1.5 * 0.1 * DEG_EQ, rel=1e-9)
    # the US corridor ends at its portal: no connector; 1.8 degrees x 1.5
    assert us["length_km"] == pytest.approx(1.5 * 1.8 * DEG_EQ, rel=1e-9)
    assert np.isnan(us["published_km"]) and us["factor"] == 1.5


def test_missing_links_refuse_bad_input(toy_network):
    places, segments, lengths = toy_network
    with pytest.raises(ValueError, match="at least 1"):
        route.missing_links(places, segments, lengths, "tunnel", 0.9, corridors={"Russia": "ru_line"})
    with pytest.raises(ValueError, match="no segments for crossing 'nope'"):
        route.missing_links(places, segments, lengths, "nope", 1.2, corridors={"Russia": "ru_line"})
    with pytest.raises(ValueError, match="no segments for corridor 'ghost'"):
        route.missing_links(places, segments, lengths, "tunnel", 1.2, corridors={"Russia": "ghost"})
    elsewhere = places.copy()
    elsewhere.loc[elsewhere["place_id"] == "end_ru", "country"] = "CA"
    with pytest.raises(ValueError, match="ends in CA"):
        route.missing_links(elsewhere, segments, lengths, "tunnel", 1.2, corridors={"Russia": "ru_line"})


def test_tunnel_share_and_new_construction(toy_network):
    assert route.tunnel_share(50.0, [150.0, 100.0]) == pytest.approx(50.0 / 300.0)
    assert route.tunnel_share(0.0, [10.0]) == 0.0
    with pytest.raises(ValueError, match="not negative"):
        route.tunnel_share(-1.0, [10.0])
    with pytest.raises(ValueError, match="no construction"):
        route.tunnel_share(0.0, [0.0, 0.0])
    places, segments, lengths = toy_network
    links = route.missing_links(
        places, segments, lengths, "tunnel", 1.5, corridors={"Russia": "ru_line", "Alaska": "us_line"}
    )
    table = route.new_construction(links, 20.0, 0.1 * DEG_EQ).set_index("part")
    ru = 150.0 + 1.5 * 0.1 * DEG_EQ
    us = 1.5 * 1.8 * DEG_EQ
    assert table.loc["new railway, Russia", "km"] == pytest.approx(ru)
    assert table.loc["tunnel", "share"] == pytest.approx(20.0 / (20.0 + ru + us))
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["straight_share"].sum() == pytest.approx(1.0)


def test_nearest_rail_stays_in_the_portal_country(toy_network):
    places, segments, _ = toy_network
    out = route.nearest_rail(places, segments, targets=["portal_ru", "portal_us"])
    assert out.groupby("target")["place_id"].first().to_dict() == {"portal_ru": "rail_ru", "portal_us": "rail_us"}
    assert out.loc[out["target"] == "portal_ru", "distance_km"].iloc[0] == pytest.approx(1.1 * DEG_EQ, rel=1e-9)
    lonely = places[places["country"] == "US"]
    with pytest.raises(ValueError, match="no existing rail point in RU"):
        route.nearest_rail(
            pd.concat([lonely, places[places["place_id"] == "portal_ru"]]), segments, targets=["portal_ru"]
        )


# ----------------------------------------------------------------------------- gaps across 180


def _land(*boxes):
    return geo.project_land([shapely.segmentize(box(*b), 0.01) for b in boxes])


def test_water_gaps_on_islands_straddling_the_antimeridian():
    # "Asia" west of 180 (positive lon), an island cut by 180, "America" east of it
    land = _land(
        (179.0, 65.0, 179.5, 66.5),
        (179.7, 65.8, 180.0, 66.0),
        (-180.0, 65.8, -179.7, 66.0),
        (-179.5, 65.0, -179.0, 66.5),
    )
    places = pd.DataFrame(
        {"place_id": ["asia", "isle", "america"], "lat": [65.5, 65.9, 65.5], "lon": [179.2, 180.0, -179.2]}
    )
    gaps = route.water_gaps(land, places, chain=["asia", "isle", "america"])
    assert gaps["from_place"].tolist() == ["asia", "isle", "asia"]
    # each hop is 0.2 degrees of longitude at about 66N (the closest shores are at 66.0N)
    assert gaps["gap_km"].iloc[0] == pytest.approx(geo.geodesic_km(66.0, 179.5, 66.0, 179.7), abs=0.01)
    assert gaps["gap_km"].iloc[1] == pytest.approx(geo.geodesic_km(66.0, -179.7, 66.0, -179.5), abs=0.01)
    # mainland to mainland: 1 degree of longitude at 66.5N, the northern corners
    assert gaps["gap_km"].iloc[2] == pytest.approx(geo.geodesic_km(66.5, 179.5, 66.5, -179.5), abs=0.01)
    assert (gaps["gap_km"] < gaps["centre_km"] + 1e-9).all()


def test_water_gaps_refuse_places_on_one_landmass():
    land = _land((-170.0, 65.0, -168.0, 66.0))
    places = pd.DataFrame({"place_id": ["a", "b"], "lat": [65.5, 65.5], "lon": [-169.5, -168.5]})
    with pytest.raises(ValueError, match="a and b are on the same landmass"):
        route.water_gaps(land, places, chain=["a", "b"])
    with pytest.raises(ValueError, match="at least two places"):
        route.water_gaps(land, places, chain=["a"])
    far = pd.DataFrame({"place_id": ["a", "c"], "lat": [65.5, 60.0], "lon": [-169.5, -160.0]})
    with pytest.raises(ValueError, match="c: no land within"):
        route.water_gaps(land, far, chain=["a", "c"])


def test_naive_longitude_arithmetic_is_wrong_across_180_and_the_check_finds_it():
    naive = route.naive_planar_km(66.0, 179.5, 66.0, -179.5)
    true = geo.geodesic_km(66.0, 179.5, 66.0, -179.5)
    assert naive > 300 * true  # 359 degrees instead of 1
    assert route.naive_planar_km(66.0, -170.0, 66.0, -169.0) == pytest.approx(
        geo.geodesic_km(66.0, -170.0, 66.0, -169.0), rel=0.01
    )
    places = pd.DataFrame({"place_id": ["w", "e", "f"], "lat": [66.0, 66.0, 66.0], "lon": [179.5, -179.5, -170.0]})
    segments = pd.DataFrame(
        {
            "alignment_id": ["x", "x"],
            "seq": [1, 2],
            "from_place": ["w", "e"],
            "to_place": ["e", "f"],
            "segment_type": ["undersea_tunnel", "new_land_line"],
        }
    )
    out = route.antimeridian_check(places, segments)
    assert out["from_place"].tolist() == ["w"]
    assert out["length_km"].iloc[0] == pytest.approx(true)
    assert out["naive_lon_step"].iloc[0] == pytest.approx(-359.0)


# ----------------------------------------------------------------------------- depth profiles


def test_seabed_polygon_and_symmetric_stretches():
    stretches = [
        {"start_km": 0.0, "end_km": 10.0, "surface": "water"},
        {"start_km": 10.0, "end_km": 12.0, "surface": "land"},
        {"start_km": 12.0, "end_km": 15.0, "surface": "water"},
    ]
    x, d = plots.seabed_polygon(stretches, 40.0, ramp_km=1.5)
    np.testing.assert_allclose(x, [0, 1.5, 8.5, 10, 12, 13, 14, 15])  # short stretch: ramp = a third
    np.testing.assert_allclose(d, [0, 40, 40, 0, 0, 40, 40, 0])
    sym = plots._symmetric_stretches(50.0, 30.0)
    assert [s["end_km"] for s in sym] == [10.0, 40.0, 50.0]
    with pytest.raises(ValueError, match="exceeds the tunnel length"):
        plots._symmetric_stretches(20.0, 30.0)


def test_depth_inputs_name_what_is_missing():
    depths = pd.DataFrame(
        {"crossing": ["bering_strait"], "measure": ["water_depth_range_low"], "depth_m": [30.0], "source_id": ["x"]}
    )
    with pytest.raises(ValueError, match="no published water_depth_range_high for bering_strait"):
        route.depth_profile_inputs(
            depths,
            pd.DataFrame(columns=["crossing", "measure", "quoted_km"]),
            pd.DataFrame(columns=["start_km", "end_km", "surface"]),
        )


# ----------------------------------------------------------------------------- committed data and figures


@pytest.fixture(scope="module")
def committed():
    places = data.load("places")
    segments = data.load("alignment_segments")
    alignments = data.load("alignments")
    lengths = route.load_published_lengths()
    land = geo.project_land(geo.land_polygons())
    seg = geo.segment_lengths(places, segments)
    summary = geo.alignment_summary(places, segments, alignments)
    gaps = route.water_gaps(land, places)
    return dict(
        places=places,
        segments=segments,
        alignments=alignments,
        lengths=lengths,
        land=land,
        seg=seg,
        summary=summary,
        gaps=gaps,
    )


def test_committed_gaps_and_reconciliation(committed):
    gaps = committed["gaps"]
    assert gaps["from_place"].tolist() == ["cape_dezhnev", "big_diomede", "little_diomede", "cape_dezhnev"]
    # published: about 3.8 km between the Diomedes, 82-86 km across the strait
    assert 3.5 < gaps["gap_km"].iloc[1] < 4.5
    assert 78 < gaps["gap_km"].iloc[-1] < 86
    recon = route.reconcile(committed["lengths"], route.computed_measures(committed["summary"], gaps))
    width = recon[recon["length_id"] == "strait_width_wikipedia"].set_index("compared_with")
    shore = width.filter(like="shortest", axis=0)["difference_km"].iloc[0]
    capes = width.filter(like="cape", axis=0)["difference_km"].iloc[0]
    assert abs(shore) < abs(capes)  # 82 km is the shore-to-shore width, not the capes'
    corridors = recon[recon["measures"].str.startswith("length of the approach")]
    assert (corridors["ratio"] > 1).all()  # every railway is longer than its straight line


def test_committed_chukotka_is_one_polygon_in_both_projections(committed):
    places = committed["places"]
    assert route.landmass_of(committed["land"], places, "anadyr").equals(
        route.landmass_of(committed["land"], places, "cape_dezhnev")
    )
    region = geo.project_land(geo.land_polygons(), **plots.REGION_PROJ)
    table = places.set_index("place_id")
    pa = geo.project(table.loc["anadyr", "lat"], table.loc["anadyr", "lon"], **plots.REGION_PROJ)
    pd_ = geo.project(table.loc["cape_dezhnev", "lat"], table.loc["cape_dezhnev", "lon"], **plots.REGION_PROJ)
    assert geo.landmass_at(region, *pa).equals(geo.landmass_at(region, *pd_))


def test_assumed_route_factor_is_the_rounded_pooled_factor(committed):
    factors = route.route_factors(committed["lengths"], committed["summary"])
    assumed = route.assumption_value(route.ASSUMPTION_ROUTE_FACTOR)
    assert assumed == round(route.pooled_route_factor(factors), 2)
    assert factors["route_factor"].min() <= assumed <= factors["route_factor"].max()
    with pytest.raises(KeyError, match="no assumption 'nope'"):
        route.assumption_value("nope")


def test_committed_missing_links_use_published_lengths_where_they_exist(committed):
    links = route.missing_links(
        committed["places"], committed["segments"], committed["lengths"], "putin_trump_2025", 1.37
    )
    ru = links[(links["side"] == "Russia") & (links["leg"] == "corridor")].iloc[0]
    assert ru["length_km"] == 3500.0 and ru["straight_km"] < 3500.0
    assert links.loc[links["side"] == "Russia", "to_place"].iloc[-1] == "cape_dezhnev"
    assert links.loc[links["side"] == "Alaska", "to_place"].iloc[-1] == "cape_prince_of_wales"


def test_boundary_runs_between_the_diomedes(committed):
    boundary = route.load_boundary()
    table = committed["places"].set_index("place_id")
    assert table.loc["big_diomede", "lon"] < boundary["lons"][0] < table.loc["little_diomede", "lon"]
    assert np.all(boundary["lons"] == boundary["lons"][0])  # a meridian
    assert boundary["lats"][0] == 65.5
    assert set(route.geodata_sources(boundary)["source_id"]) >= {"natural_earth_10m_land", boundary["source_id"]}


def test_the_model_imports_without_matplotlib_or_plotly():
    import subprocess
    import sys

    code = "import sys; import bering.route; print('matplotlib' in sys.modules or 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_geometry_bundle_matches_the_key_numbers():
    g = route.geometry()
    v = route.results().set_index("key")["value"]
    assert v["strait_shore_to_shore_km"] == g.gaps["gap_km"].iloc[-1]
    assert v["new_rail_alaska_km"] == pytest.approx(g.links.loc[g.links["side"] == "Alaska", "length_km"].sum())
    computed = route._GEOMETRIES.computed
    again = route.geometry()
    # cached on the content of its inputs: not computed again (a bundle first computed for a copy of
    # the folder comes back naming this folder, its frames shared)
    assert route._GEOMETRIES.computed == computed and again.gaps is g.gaps and again.folder == g.folder


@pytest.fixture(scope="module")
def charts():
    import matplotlib.pyplot as plt

    made = {
        "close_up": plots.strait_close_up(),
        "region": plots.region_missing_links(),
        "globe": plots.globe(),
        "depth": plots.depth_profiles_chart(),
        "interactive": plots.strait_interactive(),
    }
    yield made
    for chart in made.values():
        if hasattr(chart.fig, "savefig"):
            plt.close(chart.fig)


@pytest.mark.slow
def test_every_chart_carries_its_metadata_computed_from_the_data(charts):
    g = route.geometry()
    for chart in charts.values():
        assert chart.name.startswith("02_")
        assert chart.title and chart.alt and chart.source and chart.method and chart.data_files
        assert chart.alt != chart.title
        assert all(not f.startswith("/") for f in chart.data_files)
    narrowest = g.gaps["gap_km"].iloc[-1]
    assert f"{narrowest:.0f}–" in charts["close_up"].title
    assert f"{narrowest:.1f} km" in charts["close_up"].alt
    assert f"{g.factor:g}" in charts["region"].method
    assert f"{narrowest:.0f} km of water" in charts["globe"].title
    assert len(charts["close_up"].fig.axes) == 2


@pytest.mark.slow
def test_static_maps_are_drawn_from_the_geodataframe_layers(charts):
    from matplotlib.collections import LineCollection, PatchCollection

    ax = charts["close_up"].fig.axes[0]
    # GeoDataFrame.plot draws polygons as one PatchCollection and lines as LineCollections
    assert any(isinstance(c, PatchCollection) for c in ax.collections)
    assert sum(isinstance(c, LineCollection) for c in ax.collections) >= 4  # border, island, capes, Uelen
    region = charts["region"].fig.axes[0]
    lines = [c for c in region.collections if isinstance(c, LineCollection)]
    # the Lena-Uelen corridor crosses 180: drawn as one piece, never a jump across the map
    for collection in lines:
        for path in collection.get_paths():
            steps = np.hypot(*np.diff(path.vertices, axis=0).T)
            assert steps.max() < 50


@pytest.mark.slow
def test_interactive_map_has_no_wraparound_and_keeps_every_place(charts):
    ifig = charts["interactive"].fig
    assert len(json.dumps(ifig.to_plotly_json(), default=str)) < 300_000
    x0, x1 = ifig.layout.xaxis.range
    y0, y1 = ifig.layout.yaxis.range
    for trace in ifig.data:
        xs = np.array([np.nan if v is None else v for v in trace.x], dtype=float)
        ys = np.array([np.nan if v is None else v for v in trace.y], dtype=float)
        # a polygon or line wrapped round the antimeridian would leave the window by thousands of km;
        # the land reaches one window size beyond it (wide and tall screens show more than the window)
        pad = 1 + (max(x1 - x0, y1 - y0) if trace.name.startswith("land") else 0)
        assert np.nanmin(xs) >= x0 - pad and np.nanmax(xs) <= x1 + pad, trace.name
        assert np.nanmin(ys) >= y0 - pad and np.nanmax(ys) <= y1 + pad, trace.name
        if trace.name.startswith(("land", "places")):
            continue
        steps = np.hypot(np.diff(xs), np.diff(ys))
        assert np.nanmax(steps) < 20, trace.name  # routes are densified: no long jumps
    places = next(t for t in ifig.data if t.name == "places")
    inside = plots.strait_labels()
    # every place inside the window is a marker with hover text, labelled or not
    assert len(places.x) == len(places.hovertext) == len(inside) >= 8
    assert {"cape_dezhnev", "big_diomede", "little_diomede", "cape_prince_of_wales"} <= set(inside["place_id"])
    labels = [a for a in ifig.layout.annotations if (a.name or "").startswith("label_")]
    assert [a.name for a in labels] == [f"label_{p}" for p in inside.loc[inside["placed"], "place_id"]]
    # labels keep their place in screen pixels: a leader line beyond the nearest distance
    for a, row in zip(labels, inside[inside["placed"]].itertuples()):
        assert a.showarrow == (row.distance_px > plots.LABEL_DISTANCES_PX[0])


def test_label_box_hand_values():
    # 10 characters at 12 px: 74.4 + 4 px wide, 15 + 4 px tall, 6 px from the marker
    assert plots.label_box(100, 50, "x" * 10, "right", 6) == pytest.approx((106, 40.5, 184.4, 59.5))
    assert plots.label_box(100, 50, "x" * 10, "above", 6) == pytest.approx((60.8, 56, 139.2, 75))
    # two lines: twice the line height, the longer line's width
    assert plots.label_box(0, 0, "xx\nxxxx", "left", 10) == pytest.approx((-43.76, -17, -10, 17))
    with pytest.raises(ValueError, match="unknown label direction 'north'"):
        plots.label_box(0, 0, "x", "north")
    assert plots.label_text("Wales (Kiŋigin)") == "Wales"
    assert plots.label_text("Cape Prince of Wales") == "Cape Prince\nof Wales"


def test_no_two_place_labels_overlap_at_the_initial_view():
    labels = plots.strait_labels()
    layer = geo.map_layers()["places"].set_index("place_id").loc[labels["place_id"]]
    for view in plots.LABEL_VIEWS:
        sx, sy, area = plots._screen(layer.geometry.x, layer.geometry.y, plots.INTERACTIVE_WINDOW, view)
        boxes = [
            plots.label_box(x, y, text, d, r)
            for x, y, text, d, r, ok in zip(
                sx, sy, labels["text"], labels["direction"], labels["distance_px"], labels["placed"]
            )
            if ok
        ]
        half = plots.LABEL_MARKER_PX / 2
        markers = [(x - half, y - half, x + half, y + half) for x, y in zip(sx, sy)]
        for i, a in enumerate(boxes):
            assert area[0] <= a[0] and a[2] <= area[2] and area[1] <= a[1] and a[3] <= area[3]
            assert not any(plots._overlaps(a, m) for m in markers)
            for b in boxes[i + 1 :]:
                assert not plots._overlaps(a, b)
    # the crossing's own places come first and are labelled
    crossing = ["cape_dezhnev", "big_diomede", "little_diomede", "cape_prince_of_wales"]
    assert labels.set_index("place_id").loc[crossing, "placed"].all()


def test_place_labels_move_a_label_that_would_collide():
    import geopandas as gpd

    # two places 1 km apart: the second label cannot sit to the right as well
    layer = gpd.GeoDataFrame(
        {"place_id": ["a", "b"], "name": ["Alpha", "Beta"]}, geometry=gpd.points_from_xy([0.0, 0.0], [0.0, 1.0])
    )
    out = plots.place_labels(layer, window=(-50, -50, 50, 50), views=[(500, 500)])
    assert out["direction"].tolist()[0] == "right"
    assert out["direction"].tolist()[1] != "right" and out["placed"].all()
    # no room at all: the label is left blank but the row stays
    tiny = plots.place_labels(layer, window=(-50, -50, 50, 50), views=[(20, 20)])
    assert tiny["text"].tolist() == ["", ""] and not tiny["placed"].any()
