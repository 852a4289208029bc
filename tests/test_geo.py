"""Tests for bering.geo: WGS84 distances, antimeridian handling, projection and route totals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bering import geo

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


# ----------------------------------------------------------------------------- distances


def test_one_degree_of_latitude_at_the_equator():
    # WGS84 meridian arc from 0 to 1 degree north: 110.574 km (textbook value).
    assert geo.geodesic_km(0, 0, 1, 0) == pytest.approx(110.574, abs=0.001)


def test_one_degree_of_longitude_on_the_equator():
    # a * pi / 180 with a = 6378.137 km: 111.319 km.
    assert geo.geodesic_km(0, 0, 0, 1) == pytest.approx(111.319, abs=0.001)
    assert geo.geodesic_km(0, 0, 0, 1) == pytest.approx(6378.137 * np.pi / 180, abs=1e-6)


def test_distance_is_symmetric_and_zero_for_the_same_point():
    d1 = geo.geodesic_km(66.08, -169.65, 65.64, -168.12)
    d2 = geo.geodesic_km(65.64, -168.12, 66.08, -169.65)
    assert d1 == pytest.approx(d2, rel=1e-12)
    assert geo.geodesic_km(65.0, 170.0, 65.0, 170.0) == 0.0


def test_points_straddling_the_antimeridian_are_close():
    d = geo.geodesic_km(66, 179.5, 66, -179.5)
    assert 44 < d < 47, d  # not ~15,000 km
    # same as one degree of longitude anywhere else on the 66N parallel
    assert d == pytest.approx(geo.geodesic_km(66, -0.5, 66, 0.5), rel=1e-9)
    # and consistent with a spherical estimate 111.3 * cos(66 deg)
    assert d == pytest.approx(111.3 * np.cos(np.radians(66)), rel=0.01)


def test_arrays_broadcast_and_scalars_return_floats():
    lats2 = np.array([1.0, 2.0, 3.0])
    out = geo.geodesic_km(0.0, 0.0, lats2, 0.0)
    assert isinstance(out, np.ndarray) and out.shape == (3,)
    assert np.all(np.diff(out) > 0)
    assert isinstance(geo.geodesic_km(0, 0, 1, 1), float)


def test_polyline_is_sum_of_legs_and_equals_geodesic_along_a_meridian():
    lats = [60.0, 61.0, 63.5, 64.0]
    lons = [-150.0] * 4
    legs = sum(geo.geodesic_km(a, -150.0, b, -150.0) for a, b in zip(lats, lats[1:]))
    assert geo.polyline_km(lats, lons) == pytest.approx(legs, rel=1e-12)
    # a meridian is a geodesic, so the legs add up to the end-to-end distance
    assert geo.polyline_km(lats, lons) == pytest.approx(geo.geodesic_km(60, -150, 64, -150), rel=1e-9)
    assert geo.polyline_km([65.0], [170.0]) == 0.0


def test_polyline_across_the_antimeridian():
    lons = [178.0, 179.0, 180.0, -179.0, -178.0]
    total = geo.polyline_km([66.0] * 5, lons)
    assert total == pytest.approx(4 * geo.geodesic_km(66, 0, 66, 1), rel=1e-9)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "args, word",
    [
        ((91, 0, 0, 0), "lat1"),
        ((0, 0, -90.5, 0), "lat2"),
        ((0, 181, 0, 0), "lon1"),
        ((0, 0, 0, -200), "lon2"),
        ((float("nan"), 0, 0, 0), "lat1"),
    ],
)
def test_out_of_range_coordinates_raise_clear_errors(args, word):
    with pytest.raises(ValueError, match=word) as err:
        geo.geodesic_km(*args)
    assert "degrees" in str(err.value)


def test_error_names_the_position_of_the_bad_value():
    with pytest.raises(ValueError, match=r"latitude.*95.*position 2"):
        geo.check_lat([10, 20, 95])


def test_polyline_rejects_empty_and_mismatched_input():
    with pytest.raises(ValueError, match="at least one point"):
        geo.polyline_km([], [])
    with pytest.raises(ValueError, match="same length"):
        geo.polyline_km([1.0, 2.0], [1.0])


# ----------------------------------------------------------------------------- longitudes


def test_unwrap_lon_puts_the_strait_in_one_continuous_range():
    out = geo.unwrap_lon(np.array([179.5, -179.5, 120.0, -130.0]), center=-170)
    np.testing.assert_allclose(out, [-180.5, -179.5, -240.0, -130.0])
    assert np.all((out >= -350) & (out < 10))
    np.testing.assert_allclose(geo.unwrap_lon([179.5, -179.5], center=180), [179.5, 180.5])
    assert geo.unwrap_lon(-169.65) == pytest.approx(-169.65)


def test_unwrap_then_wrap_round_trips():
    lons = np.linspace(-180, 179.9, 50)
    np.testing.assert_allclose(geo.wrap_lon(geo.unwrap_lon(lons)), lons, atol=1e-9)
    assert geo.wrap_lon(180.0) == 180.0
    assert geo.wrap_lon(190.0) == pytest.approx(-170.0)


def test_unwrap_path_removes_the_jump():
    out = geo.unwrap_path([178.0, 179.5, -179.5, -178.0])
    np.testing.assert_allclose(out, [178.0, 179.5, 180.5, 182.0])
    assert np.all(np.abs(np.diff(out)) <= 180)


# ----------------------------------------------------------------------------- projection


def test_projection_is_centred_on_the_strait():
    x, y = geo.project(66.0, -169.0)
    assert abs(x) < 1e-6 and abs(y) < 1e-6
    x_east, _ = geo.project(66.0, -168.0)
    _, y_north = geo.project(67.0, -169.0)
    assert x_east > 0 and y_north > 0


def test_projected_coordinates_are_continuous_across_180():
    lons = geo.wrap_lon(np.arange(175.0, 185.01, 0.1))  # 175E ... 180 ... 175W
    x, y = geo.project(np.full(lons.shape, 66.0), lons)
    steps = np.hypot(np.diff(x), np.diff(y))
    assert np.all(np.diff(x) > 0)  # moves steadily east
    assert steps.max() < 5.0  # 0.1 deg at 66N is ~4.5 km: no seam jump
    assert steps.max() / steps.min() < 1.01
    # the two sides of the meridian meet
    xa, ya = geo.project(66.0, 180.0)
    xb, yb = geo.project(66.0, -180.0)
    assert xa == pytest.approx(xb, abs=1e-6) and ya == pytest.approx(yb, abs=1e-6)


def test_aeqd_preserves_distance_from_the_centre():
    lat, lon = 64.5, -165.4  # near Nome
    x, y = geo.project(lat, lon, kind="aeqd")
    assert np.hypot(x, y) == pytest.approx(geo.geodesic_km(66.0, -169.0, lat, lon), rel=1e-6)


def test_project_accepts_unwrapped_longitudes_and_rejects_bad_kind():
    a = geo.project(66.0, -180.5)
    b = geo.project(66.0, 179.5)
    assert a[0] == pytest.approx(b[0]) and a[1] == pytest.approx(b[1])
    with pytest.raises(ValueError, match="kind"):
        geo.project(66.0, -169.0, kind="mercator")


# ----------------------------------------------------------------------------- great circles


def test_great_circle_points_include_endpoints_and_are_evenly_spaced():
    lats, lons = geo.great_circle_points(66.0, 179.0, 66.0, -179.0, n=11)
    assert len(lats) == 11
    assert (lats[0], lons[0]) == (66.0, 179.0) and (lats[-1], lons[-1]) == (66.0, -179.0)
    legs = geo.geodesic_km(lats[:-1], lons[:-1], lats[1:], lons[1:])
    np.testing.assert_allclose(legs, legs.mean(), rtol=1e-6)
    assert legs.sum() == pytest.approx(geo.geodesic_km(66, 179, 66, -179), rel=1e-6)
    # once unwrapped, the longitudes stay between the endpoints: no trip round the world
    u = geo.unwrap_lon(lons)
    assert np.all((u >= -181.0) & (u <= -179.0))
    # a geodesic bulges poleward of the parallel it connects
    assert lats[5] > 66.0


def test_great_circle_points_by_spacing():
    lats, lons = geo.great_circle_points(66.08, -169.65, 65.64, -168.12, spacing_km=5)
    legs = geo.geodesic_km(lats[:-1], lons[:-1], lats[1:], lons[1:])
    assert legs.max() <= 5.0 + 1e-9
    with pytest.raises(ValueError):
        geo.great_circle_points(0, 0, 1, 1, n=1)


# ----------------------------------------------------------------------------- alignments


@pytest.fixture()
def toy_tables():
    places = pd.DataFrame(
        {
            "place_id": ["a", "b", "c", "d"],
            "lat": [66.0, 66.0, 66.0, 66.0],
            "lon": [179.0, -179.0, -178.0, -170.0],
        }
    )
    segments = pd.DataFrame(
        {
            "alignment_id": ["x", "x", "x", "y"],
            "seq": [2, 1, 3, 1],
            "from_place": ["b", "a", "c", "a"],
            "to_place": ["c", "b", "d", "d"],
            "segment_type": ["island", "undersea_tunnel", "new_land_line", "existing_line"],
        }
    )
    return places, segments


def test_segment_totals_are_the_sum_of_their_parts(toy_tables):
    places, segments = toy_tables
    seg = geo.segment_lengths(places, segments)
    x = seg[seg["alignment_id"] == "x"]
    assert list(x["seq"]) == [1, 2, 3]  # sorted by seq
    assert x["length_km"].iloc[0] == pytest.approx(geo.geodesic_km(66, 179, 66, -179))
    np.testing.assert_allclose(x["cumulative_km"], x["length_km"].cumsum())
    summary = geo.alignment_summary(places, segments).set_index("alignment_id")
    typed = summary[[f"{t}_km" for t in geo.SEGMENT_TYPES]].sum(axis=1)
    np.testing.assert_allclose(summary["total_km"], typed)
    assert summary.loc["x", "total_km"] == pytest.approx(x["length_km"].sum())
    assert summary.loc["x", "island_km"] == pytest.approx(x["length_km"].iloc[1])
    assert summary.loc["y", "existing_line_km"] == pytest.approx(summary.loc["y", "total_km"])
    assert summary.loc["x", "n_segments"] == 3


def test_summary_keeps_alignment_order_and_names(toy_tables):
    places, segments = toy_tables
    alignments = pd.DataFrame({"alignment_id": ["y", "x", "z"], "name": ["Y", "X", "Z"]})
    summary = geo.alignment_summary(places, segments, alignments)
    assert list(summary["alignment_id"]) == ["y", "x", "z"]
    assert list(summary["name"]) == ["Y", "X", "Z"]
    assert summary.loc[2, "total_km"] == 0.0 and summary.loc[2, "n_segments"] == 0


def test_unknown_place_or_type_is_reported(toy_tables):
    places, segments = toy_tables
    bad = segments.copy()
    bad.loc[0, "to_place"] = "atlantis"
    with pytest.raises(ValueError, match="atlantis"):
        geo.segment_lengths(places, bad)
    bad = segments.copy()
    bad.loc[0, "segment_type"] = "bridge"
    with pytest.raises(ValueError, match="bridge"):
        geo.segment_lengths(places, bad)
    with pytest.raises(ValueError, match="unique"):
        geo.segment_lengths(pd.concat([places, places.iloc[[0]]]), segments)


def test_route_points_follow_the_alignment(toy_tables):
    places, segments = toy_tables
    pts = geo.route_points(places, segments, "x", spacing_km=5)
    assert pts["lat"].iloc[0] == 66.0 and pts["lon"].iloc[0] == 179.0
    assert pts["lon"].iloc[-1] == -170.0
    assert np.all(np.abs(np.diff(pts["lon_unwrapped"])) < 1.0)
    with pytest.raises(ValueError, match="nope"):
        geo.route_points(places, segments, "nope")


# ----------------------------------------------------------------------------- committed data


def _load(name):
    return pd.read_csv(DATA / name, keep_default_na=False, na_values=[""])


@pytest.mark.skipif(not (DATA / "places.csv").exists(), reason="data/places.csv not present")
def test_committed_route_data_is_consistent():
    places = _load("places.csv")
    segments = _load("alignment_segments.csv")
    alignments = _load("alignments.csv")
    assert places["lat"].between(-90, 90).all() and places["lon"].between(-180, 180).all()
    assert set(segments["alignment_id"]) <= set(alignments["alignment_id"])
    p = places.set_index("place_id")
    # Chukotka points east of 180 carry negative longitudes
    assert p.loc["cape_dezhnev", "lon"] < -169 and p.loc["big_diomede", "lon"] < -169
    summary = geo.alignment_summary(places, segments, alignments).set_index("alignment_id")
    # published narrowest widths are 82-86 km
    assert 80 < summary.loc["cape_to_cape", "total_km"] < 90
    # going via the islands is longer than cape to cape, but not by much
    assert summary.loc["cape_to_cape", "total_km"] < summary.loc["diomedes_tunnel", "total_km"] < 100


@pytest.mark.skipif(not (DATA / "geo" / "land_bering_10m.geojson").exists(), reason="coastline not present")
def test_coastline_is_split_at_the_antimeridian_and_islands_are_land():
    with open(DATA / "geo" / "land_bering_10m.geojson", encoding="utf-8") as fh:
        collection = json.load(fh)
    for feature in collection["features"]:
        for ring in feature["geometry"]["coordinates"]:
            lons = np.array([pt[0] for pt in ring])
            assert np.all(np.abs(np.diff(lons)) <= 180), "ring wraps around the antimeridian"
    land = geo.land_polygons(DATA / "geo" / "land_bering_10m.geojson")
    # the water gap between the Diomedes is published as about 3.8 km
    land_km, water_km = geo.land_sea_split_km(65.78111, -169.05694, 65.75417, -168.92083, land)
    assert land_km > 0 and 3.0 < water_km < 5.0


# ----------------------------------------------------------------------------- antimeridian crossings


def test_crosses_antimeridian():
    assert geo.crosses_antimeridian(66.0, 179.0, 66.0, -179.0)
    assert geo.crosses_antimeridian(61.96, 129.91, 66.16, -169.81)  # the Lena-Uelen corridor
    assert not geo.crosses_antimeridian(66.0, -170.0, 66.0, -160.0)
    assert not geo.crosses_antimeridian(66.0, 170.0, 66.0, 179.0)
    assert not geo.crosses_antimeridian(66.0, 179.0, 66.0, 180.0)  # ends on the meridian


# ----------------------------------------------------------------------------- land in a projection


def _box(lon0, lat0, lon1, lat1, step=0.01):
    import shapely
    from shapely.geometry import box

    return shapely.segmentize(box(lon0, lat0, lon1, lat1), step)


def test_unproject_round_trips_on_both_sides_of_180():
    lats = np.array([66.0, 65.5, 64.0, 66.2])
    lons = np.array([179.9, -179.9, 177.5, -169.65])
    x, y = geo.project(lats, lons)
    back_lat, back_lon = geo.unproject(x, y)
    np.testing.assert_allclose(back_lat, lats, atol=1e-9)
    np.testing.assert_allclose(back_lon, lons, atol=1e-9)
    with pytest.raises(ValueError, match="units"):
        geo.unproject(0.0, 0.0, units="miles")


def test_project_land_dissolves_pieces_cut_at_the_antimeridian():
    from pyproj import Geod

    east = _box(179.0, 65.0, 180.0, 66.0)
    west = _box(-180.0, 65.0, -179.0, 66.0)
    far = _box(170.0, 65.0, 171.0, 66.0)
    land = geo.project_land([east, west, far])
    parts = geo.polygons_of(land)
    assert len(parts) == 2  # the two halves became one polygon
    merged = max(parts, key=lambda p: p.area)
    # equal-area projection: area equals the ellipsoidal area of the 2 x 1 degree box
    area_km2, perimeter_m = Geod(ellps="WGS84").geometry_area_perimeter(_box(179.0, 65.0, 181.0, 66.0))
    assert merged.area == pytest.approx(abs(area_km2) / 1e6, rel=1e-3)
    # no edge left along the 180th meridian: the outline is the 2-degree box's, not two boxes'
    assert merged.exterior.length == pytest.approx(abs(perimeter_m) / 1e3, rel=5e-3)
    assert len(merged.interiors) == 0


def test_landmass_at_matches_inside_and_near_points_and_refuses_far_ones():
    land = geo.project_land([_box(-170.0, 65.0, -169.0, 66.0), _box(-168.0, 65.0, -167.0, 66.0)])
    x, y = geo.project(65.5, -169.5)
    inside = geo.landmass_at(land, x, y)
    assert inside.contains(__import__("shapely").geometry.Point(x, y))
    x2, y2 = geo.project(65.5, -168.99)  # about 0.5 km east of the first box
    assert geo.landmass_at(land, x2, y2).equals(inside)
    x3, y3 = geo.project(65.5, -168.5)  # mid-way, ~23 km from both
    with pytest.raises(ValueError, match="no land within 5"):
        geo.landmass_at(land, x3, y3)


def test_shore_gap_across_the_antimeridian():
    a = geo.project_land([_box(179.7, 65.9, 179.9, 66.0)])
    b = geo.project_land([_box(-179.9, 65.9, -179.7, 66.0)])
    gap = geo.shore_gap(a, b)
    # 0.2 degrees of longitude along 66N: a cos(phi) / sqrt(1 - e2 sin^2 phi) * 0.2 deg = 9.0809 km;
    # the closest shores are the northern corners, and not 40,000 km apart
    assert gap["gap_km"] == pytest.approx(9.0809, abs=0.01)
    assert gap["from_lat"] == pytest.approx(66.0, abs=1e-3) and gap["to_lat"] == pytest.approx(66.0, abs=1e-3)
    assert gap["from_lon"] == pytest.approx(179.9, abs=1e-3) and gap["to_lon"] == pytest.approx(-179.9, abs=1e-3)
    touching = geo.project_land([_box(-179.7, 65.9, -179.5, 66.0)])
    assert geo.shore_gap(b, touching)["gap_km"] == 0.0


def test_path_land_intervals_across_the_antimeridian():
    island = geo.project_land([_box(179.9, 65.8, 180.0, 66.2), _box(-180.0, 65.8, -179.9, 66.2)])
    out = geo.path_land_intervals([66.0, 66.0], [179.5, -179.5], island)
    assert list(out["surface"]) == ["water", "land", "water"]
    # hand values: 0.4 deg of longitude at 66N on either side, 0.2 deg of land astride 180
    np.testing.assert_allclose(out["length_km"], [18.16, 9.08, 18.16], atol=0.03)
    assert out["length_km"].sum() == pytest.approx(geo.geodesic_km(66, 179.5, 66, -179.5), rel=1e-9)
    assert out["start_km"].iloc[0] == 0.0
    np.testing.assert_allclose(out["start_km"].iloc[1:].to_numpy(), out["end_km"].iloc[:-1].to_numpy())
    with pytest.raises(ValueError, match="two points"):
        geo.path_land_intervals([66.0], [179.5], island)


# ----------------------------------------------------------------------------- the globe


def test_globe_points_centre_horizon_and_antimeridian():
    x, y, vis = geo.globe_points(60.0, -170.0, 60.0, -170.0)
    assert abs(x) < 1e-9 and abs(y) < 1e-9 and bool(vis)
    x, y, vis = geo.globe_points(-30.0, 10.0, 60.0, -170.0)  # the antipode side
    assert not bool(vis) and np.isnan(x)
    # a pole-side point 90 degrees away sits on the horizon circle
    x, y, vis = geo.globe_points(0.0, -80.0, 0.0, -170.0)
    assert np.hypot(x, y) == pytest.approx(geo.GLOBE_RADIUS_KM, rel=1e-9)
    xa, ya, _ = geo.globe_points(66.0, 179.999, 60.0, -170.0)
    xb, yb, _ = geo.globe_points(66.0, -179.999, 60.0, -170.0)
    assert np.hypot(xa - xb, ya - yb) < 0.2


def test_globe_land_clips_the_far_side_and_dissolves_the_cut():
    pieces = [
        _box(170.0, 60.0, 180.0, 70.0, 1.0),
        _box(-180.0, 60.0, -170.0, 70.0, 1.0),
        _box(10.0, -40.0, 20.0, -30.0, 1.0),  # entirely on the far side
        _box(-60.0, 0.0, -20.0, 20.0, 1.0),
    ]  # straddles the horizon
    land = geo.globe_land(pieces, 60.0, -175.0)
    parts = geo.polygons_of(land)
    assert len(parts) == 2
    radius = max(np.hypot(*np.asarray(p.exterior.coords).T).max() for p in parts)
    assert radius <= geo.GLOBE_RADIUS_KM * (1 + 1e-9)
    # the straddling polygon is cut at the horizon, so it reaches the rim
    assert radius == pytest.approx(geo.GLOBE_RADIUS_KM, rel=1e-3)


# ----------------------------------------------------------------------------- the world file and its script


def _coastline_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_coastline", REPO / "scripts" / "make_coastline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_split_at_antimeridian_cuts_a_crossing_ring_and_closes_a_polar_one():
    mc = _coastline_script()
    # a 4 x 2 degree box from 178E to 178W, stored the spherical way (one ring stepping across 180)
    ring = [(178.0, 65.0), (-178.0, 65.0), (-178.0, 67.0), (178.0, 67.0), (178.0, 65.0)]
    pieces = sorted(mc.split_at_antimeridian([ring]), key=lambda p: p.bounds[0])
    assert [tuple(round(v, 9) for v in p.bounds) for p in pieces] == [
        (-180.0, 65.0, -178.0, 67.0),
        (178.0, 65.0, 180.0, 67.0),
    ]
    # a ring round the South Pole at 80S: one piece, closed along the pole, covering every longitude
    polar = [(lon, -80.0) for lon in (-180.0, -90.0, 0.0, 90.0)] + [(-180.0, -80.0)]
    (cap,) = mc.split_at_antimeridian([polar])
    assert cap.bounds == (-180.0, -90.0, 180.0, -80.0)
    assert cap.area == pytest.approx(360.0 * 10.0)
    # a ring that does not cross comes back as it is
    (plain,) = mc.split_at_antimeridian([[(10.0, 0.0), (11.0, 0.0), (11.0, 1.0), (10.0, 0.0)]])
    assert plain.area == pytest.approx(0.5)


@pytest.mark.skipif(not (DATA / "geo" / "land_world_110m.geojson").exists(), reason="world land not present")
def test_world_land_file_has_no_wraparound_and_sensible_area():
    from pyproj import Geod
    from shapely.geometry import shape

    with open(DATA / "geo" / "land_world_110m.geojson", encoding="utf-8") as fh:
        collection = json.load(fh)
    total = 0.0
    for feature in collection["features"]:
        for ring in feature["geometry"]["coordinates"]:
            for a, b in zip(ring, ring[1:]):
                # the one long step allowed runs along the South Pole (Antarctica)
                assert abs(b[0] - a[0]) <= 180 or (a[1] == b[1] == -90.0)
        poly = shape(feature["geometry"])
        assert poly.is_valid
        total += abs(Geod(ellps="WGS84").geometry_area_perimeter(poly)[0])
    # Earth's land is about 149 million km2; a coarse 1:110m outline comes within a few percent
    assert 140e6 < total / 1e6 < 155e6
    # Chukotka arrives cut at 180, and the globe view joins it again into Afro-Eurasia
    land = geo.land_polygons(DATA / "geo" / "land_world_110m.geojson")
    globe = geo.globe_land(land, 60.0, -170.0)
    x1, y1, _ = geo.globe_points(62.0, 129.7, 60.0, -170.0)  # Yakutsk
    x2, y2, _ = geo.globe_points(66.08, -169.65, 60.0, -170.0)  # Cape Dezhnev
    assert geo.landmass_at(globe, float(x1), float(y1)).equals(geo.landmass_at(globe, float(x2), float(y2), max_gap=60))
