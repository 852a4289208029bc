"""The geographic tables as GeoDataFrames: CRS, coordinates and the 180th meridian."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bering import data, geo


def test_places_layer_is_wgs84_points_at_the_table_coordinates():
    table = data.load("places")
    layer = geo.places_layer()
    assert layer.crs.to_epsg() == 4326
    assert set(layer.geom_type) == {"Point"}
    dezhnev = layer.set_index("place_id").loc["cape_dezhnev"]
    row = table.set_index("place_id").loc["cape_dezhnev"]
    assert (dezhnev.geometry.x, dezhnev.geometry.y) == (row["lon"], row["lat"])
    assert len(layer) == table[["lat", "lon"]].notna().all(axis=1).sum()


def test_points_layer_drops_unlocated_rows_and_refuses_bad_coordinates():
    frame = pd.DataFrame({"name": ["a", "b"], "lat": [65.0, None], "lon": [-168.0, None]})
    assert list(geo.points_layer(frame)["name"]) == ["a"]
    with pytest.raises(ValueError, match="lat"):
        geo.points_layer(pd.DataFrame({"lat": [95.0], "lon": [0.0]}))


def test_projected_distance_across_the_strait_matches_the_geodesic():
    # Cape Dezhnev to Cape Prince of Wales: the equal-area map centred on the strait distorts
    # distances there by far less than 1 %, so the planar length must match the geodesic.
    capes = geo.places_layer().set_index("place_id").loc[["cape_dezhnev", "cape_prince_of_wales"]]
    projected = geo.to_strait(capes.reset_index())
    planar_km = projected.geometry.iloc[0].distance(projected.geometry.iloc[1]) / 1000
    geodesic = geo.geodesic_km(capes["lat"].iloc[0], capes["lon"].iloc[0], capes["lat"].iloc[1], capes["lon"].iloc[1])
    assert planar_km == pytest.approx(geodesic, rel=0.005)


def test_a_line_across_the_antimeridian_projects_as_one_short_piece():
    # 179.5 E to 179.5 W at 66 N is about 45 km; drawn naively in lon/lat it spans 359 degrees.
    import geopandas as gpd
    from shapely.geometry import LineString

    lons = geo.unwrap_lon(np.array([179.5, -179.5]), center=-169.0)
    line = gpd.GeoDataFrame(geometry=[LineString([(lons[0], 66.0), (lons[1], 66.0)])], crs=geo.LAYER_CRS)
    assert abs(lons[1] - lons[0]) == pytest.approx(1.0)
    projected_km = geo.to_strait(line).geometry.iloc[0].length / 1000
    assert projected_km == pytest.approx(geo.geodesic_km(66.0, 179.5, 66.0, -179.5), rel=0.01)


def test_alignment_lines_keep_their_geodesic_lengths():
    layer = geo.alignments_layer()
    assert layer.crs.to_epsg() == 4326
    assert set(layer.geom_type) == {"LineString"}
    expected = geo.segment_lengths(data.load("places"), data.load("alignment_segments"))
    expected = expected.groupby("alignment_id")["length_km"].sum()
    got = layer.set_index("alignment_id")["length_km"]
    assert got.to_dict() == pytest.approx(expected.loc[got.index].to_dict())
    # the projected line agrees with the geodesic length to within the map's distortion
    projected = geo.to_strait(layer).set_index("alignment_id").geometry.length / 1000
    assert projected["cape_to_cape"] == pytest.approx(got["cape_to_cape"], rel=0.005)


def test_coastline_and_boundary_read_with_geopandas():
    land = geo.land_layer()
    assert land.crs.to_epsg() == 4326 and len(land) > 0
    assert set(land.geom_type) <= {"Polygon", "MultiPolygon"}
    boundary = geo.boundary_layer()
    line = boundary.geometry.iloc[0]
    assert line.coords[0][0] == pytest.approx(-168.976944)
    # the boundary runs between the Diomedes: Big Diomede west of it, Little Diomede east
    places = geo.places_layer().set_index("place_id")
    assert places.loc["big_diomede"].geometry.x < line.coords[0][0] < places.loc["little_diomede"].geometry.x


# ----------------------------------------------------------------------------- the maps' layers


def test_map_crs_is_the_strait_projection_in_km():
    crs = geo.map_crs()
    assert crs.axis_info[0].unit_name == "kilometre"
    assert geo.map_crs(units="m").equals(geo.strait_crs())
    with pytest.raises(ValueError, match="units must be 'km' or 'm'"):
        geo.map_crs(units="mi")


def test_map_land_has_no_seam_along_the_antimeridian():
    # the file cuts Chukotka at 180; on the map it is one polygon, as with geo.project_land
    land = geo.map_land()
    assert land.crs.equals(geo.map_crs())
    places = geo.to_map(geo.places_layer()).set_index("place_id")
    anadyr, dezhnev = places.loc["anadyr"].geometry, places.loc["cape_dezhnev"].geometry
    holder = land.distance(anadyr).idxmin()
    assert land.distance(dezhnev).idxmin() == holder
    # the same land as geo.project_land (whose seam-free union tests/test_geo.py checks), drawn via to_crs
    reference = geo.project_land(geo.land_polygons())
    assert land.geometry.area.sum() == pytest.approx(reference.area, rel=1e-6)
    assert len(land) == len(geo.polygons_of(reference))


def test_map_layers_share_one_crs_and_keep_lines_across_180_in_one_piece():
    layers = geo.map_layers(spacing_km=10.0, lat_0=64.0, lon_0=171.0)
    assert {name: layer.crs.equals(geo.map_crs(lat_0=64.0, lon_0=171.0)) for name, layer in layers.items()} == {
        "land": True,
        "places": True,
        "alignments": True,
        "boundary": True,
    }
    lena = layers["alignments"].set_index("alignment_id").loc["ru_lena_uelen_line"].geometry
    coords = np.asarray(lena.coords)
    # the corridor crosses 180: densified every 10 km, no step on the map is longer than that
    assert np.hypot(*np.diff(coords, axis=0).T).max() < 11
    assert lena.length == pytest.approx(
        geo.alignments_layer().set_index("alignment_id").loc["ru_lena_uelen_line", "length_km"], rel=0.02
    )
    # cached, but every call hands out its own copies
    again = geo.map_layers(spacing_km=10.0, lat_0=64.0, lon_0=171.0)
    again["places"].loc[0, "name"] = "changed"
    assert geo.map_layers(spacing_km=10.0, lat_0=64.0, lon_0=171.0)["places"].loc[0, "name"] != "changed"


def test_the_land_is_projected_once_per_view_and_the_layers_follow_an_edit(data_copy):
    before = geo._LANDS.computed
    close = geo.map_layers(data_copy, spacing_km=0.5)
    wide = geo.map_layers(data_copy, spacing_km=2.0)
    default = geo.map_land()
    # one coastline, one view: projected and united at most once (the real folder's file has the same content)
    assert geo._LANDS.computed - before <= 1
    assert close["land"].geometry.equals(wide["land"].geometry) and default.geometry.equals(close["land"].geometry)
    close["land"].loc[close["land"].index[0], "geometry"] = None  # a copy: the next call is unchanged
    assert geo.map_layers(data_copy, spacing_km=0.5)["land"].geometry.notna().all()
    # a moved place is drawn where it now is
    places = data_copy / "places.csv"
    table = pd.read_csv(places, dtype=str, keep_default_na=False)
    table.loc[table["place_id"] == "anadyr", "lat"] = "65.0"
    table.to_csv(places, index=False, lineterminator="\n")
    moved = geo.map_layers(data_copy, spacing_km=0.5)["places"].set_index("place_id")
    assert moved.loc["anadyr", "geometry"] != close["places"].set_index("place_id").loc["anadyr", "geometry"]
