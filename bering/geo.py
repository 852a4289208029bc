"""Geodesy for the route-geometry notebooks: distances, route lengths, maps across 180 degrees.

Everything here works on the WGS84 ellipsoid through :class:`pyproj.Geod` and accepts scalars or
NumPy arrays (broadcast against each other). Latitudes are degrees north in -90..90, longitudes
degrees east in -180..180; points in Chukotka east of the 180th meridian therefore have *negative*
longitudes (Cape Dezhnev is near -169.7).

The Bering Strait sits right next to the antimeridian, which breaks naive code in three ways, each
handled here:

* distances: a plain ``lon2 - lon1`` between 179.5 and -179.5 is 359 degrees; geodesic formulas
  (:func:`geodesic_km`) give the true ~45 km at 66N;
* plotting in lon/lat: a line from 179.5 to -179.5 is drawn right across the map;
  :func:`unwrap_lon` and :func:`unwrap_path` shift longitudes into one continuous range;
* maps: an azimuthal projection centred on the strait (:func:`project`, default Lambert azimuthal
  equal-area at 66N, 169W) has no seam anywhere near the region, so coastlines and routes on both
  sides of 180 meet without any special treatment.

Data tables used here (``data/places.csv``, ``data/alignment_segments.csv``) are described in
``data/datapackage.json``; :func:`segment_lengths` and :func:`alignment_summary` turn them into
route lengths by segment type.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from pyproj import CRS, Geod, Transformer

from .results import ContentCache, content_key

#: The WGS84 ellipsoid used for every distance in the collection.
GEOD = Geod(ellps="WGS84")

#: Centre used for maps of the strait: latitude, longitude in degrees.
STRAIT_CENTER = (66.0, -169.0)

#: The segment types of ``alignment_segments.csv``, in the order summaries report them.
SEGMENT_TYPES = ("undersea_tunnel", "island", "new_land_line", "existing_line")

_KM = 1000.0


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


def _check(values, name: str, low: float, high: float) -> np.ndarray:
    """Return ``values`` as a float array; raise ValueError naming the first bad value."""
    arr = np.asarray(values, dtype=float)
    bad = ~np.isfinite(arr) | (arr < low) | (arr > high)
    if bad.any():
        flat = np.atleast_1d(arr)
        index = int(np.flatnonzero(np.atleast_1d(bad))[0])
        where = "" if arr.ndim == 0 else f" at position {index}"
        raise ValueError(
            f"{name} must be a finite number of degrees within {low:g}..{high:g}; got {flat[index]!r}{where}"
        )
    return arr


def check_lat(lat, name: str = "latitude") -> np.ndarray:
    """Validate latitudes (degrees, -90..90) and return them as a float array."""
    return _check(lat, name, -90.0, 90.0)


def check_lon(lon, name: str = "longitude") -> np.ndarray:
    """Validate longitudes (degrees, -180..180) and return them as a float array."""
    return _check(lon, name, -180.0, 180.0)


def _scalar_or_array(arr: np.ndarray):
    """A 0-d result comes back as a Python float, anything else as an array."""
    return float(arr) if np.ndim(arr) == 0 else arr


# --------------------------------------------------------------------------------------------
# distances
# --------------------------------------------------------------------------------------------


def geodesic_km(lat1, lon1, lat2, lon2):
    """Shortest distance on the WGS84 ellipsoid between two points, in km.

    Accepts scalars or arrays (broadcast together); returns a float for scalar input and an array
    otherwise. Antimeridian-safe: (66, 179.5) to (66, -179.5) is about 45 km.

    >>> round(geodesic_km(0, 0, 1, 0), 3)   # one degree of latitude at the equator
    110.574
    """
    lat1 = check_lat(lat1, "lat1")
    lat2 = check_lat(lat2, "lat2")
    lon1 = check_lon(lon1, "lon1")
    lon2 = check_lon(lon2, "lon2")
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(lat1, lon1, lat2, lon2)
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    return _scalar_or_array(np.asarray(metres, dtype=float) / _KM)


def polyline_km(lats, lons) -> float:
    """Length in km of the path through ``(lats[i], lons[i])`` along geodesics between vertices.

    A single point has length 0; an empty path is an error.
    """
    lats = np.atleast_1d(check_lat(lats, "lats"))
    lons = np.atleast_1d(check_lon(lons, "lons"))
    if lats.shape != lons.shape or lats.ndim != 1:
        raise ValueError(f"lats and lons must be 1-D and the same length; got {lats.shape} and {lons.shape}")
    if lats.size == 0:
        raise ValueError("a polyline needs at least one point")
    if lats.size == 1:
        return 0.0
    return float(np.sum(geodesic_km(lats[:-1], lons[:-1], lats[1:], lons[1:])))


def great_circle_points(lat1, lon1, lat2, lon2, n: int | None = None, spacing_km: float | None = None):
    """Points along the geodesic from point 1 to point 2, endpoints included, for drawing routes.

    Give either ``n`` (total number of points, at least 2) or ``spacing_km`` (maximum distance
    between neighbours; default 10 km). Returns ``(lats, lons)`` arrays with longitudes in
    -180..180 (pass them through :func:`unwrap_lon` before plotting in lon/lat).
    """
    lat1 = float(check_lat(lat1, "lat1"))
    lat2 = float(check_lat(lat2, "lat2"))
    lon1 = float(check_lon(lon1, "lon1"))
    lon2 = float(check_lon(lon2, "lon2"))
    if n is None:
        spacing = 10.0 if spacing_km is None else float(spacing_km)
        if not spacing > 0:
            raise ValueError(f"spacing_km must be positive; got {spacing_km!r}")
        n = max(2, int(np.ceil(geodesic_km(lat1, lon1, lat2, lon2) / spacing)) + 1)
    elif spacing_km is not None:
        raise ValueError("give n or spacing_km, not both")
    if int(n) < 2:
        raise ValueError(f"n must be at least 2 (the two endpoints); got {n!r}")
    inner = GEOD.npts(lon1, lat1, lon2, lat2, int(n) - 2) if int(n) > 2 else []
    lons = np.array([lon1, *[p[0] for p in inner], lon2], dtype=float)
    lats = np.array([lat1, *[p[1] for p in inner], lat2], dtype=float)
    return lats, wrap_lon(lons)


# --------------------------------------------------------------------------------------------
# longitudes across the antimeridian
# --------------------------------------------------------------------------------------------


def wrap_lon(lons):
    """Bring any longitudes back into -180..180 (180 itself stays 180)."""
    arr = np.asarray(lons, dtype=float)
    wrapped = (arr + 180.0) % 360.0 - 180.0
    wrapped = np.where((wrapped == -180.0) & (arr > 0), 180.0, wrapped)
    return _scalar_or_array(wrapped)


def unwrap_lon(lons, center: float = -170.0):
    """Shift longitudes by whole turns into ``[center - 180, center + 180)``.

    With the default centre (-170, the strait) every point of the study region gets a value in
    -350..10: 179.5E becomes -180.5 and sits next to -179.5, so lines and polygons are continuous
    when plotted in plain lon/lat. Use ``center=180`` to get values in 0..360 instead.
    """
    arr = np.asarray(lons, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError("longitudes must be finite numbers")
    out = (arr - (center - 180.0)) % 360.0 + (center - 180.0)
    return _scalar_or_array(out)


def unwrap_path(lons):
    """Make a path's longitudes continuous: each step is taken as the short way round.

    The first longitude is kept; later ones are shifted by whole turns so that no step between
    neighbours exceeds 180 degrees. Values may leave -180..180 (e.g. 179, -179 -> 179, 181).
    """
    arr = np.atleast_1d(np.asarray(lons, dtype=float))
    if arr.size == 0:
        return arr
    steps = np.diff(arr)
    steps = (steps + 180.0) % 360.0 - 180.0
    return np.concatenate([[arr[0]], arr[0] + np.cumsum(steps)])


def crosses_antimeridian(lat1, lon1, lat2, lon2, spacing_km: float = 25.0) -> bool:
    """True if the geodesic from point 1 to point 2 crosses the 180th meridian.

    The line is densified every ``spacing_km``; it crosses where two neighbouring longitudes
    (in -180..180) are more than 180 degrees apart. A line that only touches 180 at an end does
    not cross.
    """
    _, lons = great_circle_points(lat1, lon1, lat2, lon2, spacing_km=spacing_km)
    return bool(np.any(np.abs(np.diff(lons)) > 180.0))


# --------------------------------------------------------------------------------------------
# map projection centred on the strait
# --------------------------------------------------------------------------------------------


def strait_crs(kind: str = "laea", lat_0: float = STRAIT_CENTER[0], lon_0: float = STRAIT_CENTER[1]) -> CRS:
    """A projected CRS centred on the strait: ``"laea"`` (Lambert azimuthal equal-area, default)
    or ``"aeqd"`` (azimuthal equidistant: true distances from the centre). Units: metres."""
    kinds = {"laea": "laea", "aeqd": "aeqd"}
    if kind not in kinds:
        raise ValueError(f"kind must be one of {sorted(kinds)}; got {kind!r}")
    check_lat(lat_0, "lat_0")
    check_lon(lon_0, "lon_0")
    return CRS.from_proj4(f"+proj={kinds[kind]} +lat_0={lat_0} +lon_0={lon_0} +datum=WGS84 +units=m +no_defs")


@lru_cache(maxsize=32)
def _transformer(kind: str, lat_0: float, lon_0: float) -> Transformer:
    # cached: building a Transformer costs milliseconds, and a coastline has hundreds of polygons
    return Transformer.from_crs("EPSG:4326", strait_crs(kind, lat_0, lon_0), always_xy=True)


def project(
    lats, lons, kind: str = "laea", lat_0: float = STRAIT_CENTER[0], lon_0: float = STRAIT_CENTER[1], units: str = "km"
):
    """Project lon/lat to map coordinates centred on the strait; returns ``(x, y)``.

    ``x`` grows eastwards and ``y`` northwards from the centre. The projection has its only seam
    on the far side of the globe, so points either side of 180 (e.g. 179.9 and -179.9) land next to
    each other. ``units`` is ``"km"`` (default) or ``"m"``. Longitudes outside -180..180 (from
    :func:`unwrap_lon`) are accepted and treated modulo 360.
    """
    if units not in ("km", "m"):
        raise ValueError(f"units must be 'km' or 'm'; got {units!r}")
    lats = check_lat(lats, "lats")
    lons = np.asarray(lons, dtype=float)
    if not np.all(np.isfinite(lons)):
        raise ValueError("longitudes must be finite numbers")
    lats, lons = np.broadcast_arrays(lats, wrap_lon(lons))
    x, y = _transformer(kind, lat_0, lon_0).transform(lons, lats)
    scale = _KM if units == "km" else 1.0
    return _scalar_or_array(np.asarray(x) / scale), _scalar_or_array(np.asarray(y) / scale)


def project_geometry(
    geometry, kind: str = "laea", lat_0: float = STRAIT_CENTER[0], lon_0: float = STRAIT_CENTER[1], units: str = "km"
):
    """Project a shapely geometry given in lon/lat (e.g. a coastline polygon) like :func:`project`."""
    import shapely

    transformer = _transformer(kind, lat_0, lon_0)
    scale = _KM if units == "km" else 1.0

    def fn(coords):
        px, py = transformer.transform(wrap_lon(coords[:, 0]), coords[:, 1])
        return np.column_stack([np.asarray(px) / scale, np.asarray(py) / scale])

    return shapely.transform(geometry, fn)


def land_polygons(path: str | Path | None = None) -> list:
    """Read the committed coastline (``data/geo/land_bering_10m.geojson``) as shapely polygons."""
    from shapely.geometry import shape

    if path is None:
        from . import paths

        path = paths.data_dir() / "geo" / "land_bering_10m.geojson"
    with open(path, encoding="utf-8") as fh:
        collection = json.load(fh)
    return [shape(feature["geometry"]) for feature in collection["features"]]


def land_sea_split_km(lat1, lon1, lat2, lon2, land: Iterable, spacing_km: float = 0.2) -> tuple[float, float]:
    """Split the geodesic from point 1 to point 2 into (km over land, km over water).

    ``land`` is an iterable of shapely polygons in lon/lat (e.g. :func:`land_polygons`). The line
    is densified every ``spacing_km`` and measured in the equal-area projection centred on the
    strait; the two parts are scaled so that they add up to :func:`geodesic_km` exactly. The
    answer is only as good as the coastline: at 1:10m, small islands are generalised.
    """
    from shapely.geometry import LineString
    from shapely.ops import unary_union

    total = geodesic_km(lat1, lon1, lat2, lon2)
    if total == 0:
        return 0.0, 0.0
    lats, lons = great_circle_points(lat1, lon1, lat2, lon2, spacing_km=spacing_km)
    x, y = project(lats, lons)
    line = LineString(np.column_stack([x, y]))
    la, lb = float(np.min(lats)) - 1.0, float(np.max(lats)) + 1.0
    nearby = [p for p in land if not (p.bounds[3] < la or p.bounds[1] > lb)]
    if not nearby:
        return 0.0, float(total)
    land_xy = unary_union([project_geometry(p) for p in nearby])
    fraction = line.intersection(land_xy).length / line.length
    return float(total * fraction), float(total * (1.0 - fraction))


# --------------------------------------------------------------------------------------------
# alignments
# --------------------------------------------------------------------------------------------


def segment_lengths(places_df: pd.DataFrame, segments_df: pd.DataFrame) -> pd.DataFrame:
    """Length of every alignment segment and the running total along its alignment.

    ``places_df`` needs ``place_id, lat, lon``; ``segments_df`` needs ``alignment_id, seq,
    from_place, to_place, segment_type``. Returns the segments sorted by alignment and ``seq`` with
    ``from_lat, from_lon, to_lat, to_lon, length_km`` (geodesic, WGS84) and ``cumulative_km``
    (running total within each alignment) added. Raises ValueError naming any unknown place id,
    duplicate place id, or unknown segment type.
    """
    for col in ("place_id", "lat", "lon"):
        if col not in places_df.columns:
            raise ValueError(f"places table has no column {col!r}")
    for col in ("alignment_id", "seq", "from_place", "to_place", "segment_type"):
        if col not in segments_df.columns:
            raise ValueError(f"segments table has no column {col!r}")
    dupes = places_df["place_id"][places_df["place_id"].duplicated()].unique().tolist()
    if dupes:
        raise ValueError(f"place_id values must be unique; repeated: {dupes}")
    known = set(places_df["place_id"])
    missing = sorted((set(segments_df["from_place"]) | set(segments_df["to_place"])) - known)
    if missing:
        raise ValueError(f"segments refer to place ids not in the places table: {missing}")
    bad_types = sorted(set(segments_df["segment_type"]) - set(SEGMENT_TYPES))
    if bad_types:
        raise ValueError(f"unknown segment_type {bad_types}; expected one of {list(SEGMENT_TYPES)}")

    coords = places_df.set_index("place_id")[["lat", "lon"]].astype(float)
    check_lat(coords["lat"].to_numpy(), "places.lat")
    check_lon(coords["lon"].to_numpy(), "places.lon")
    out = segments_df.sort_values(["alignment_id", "seq"]).reset_index(drop=True).copy()
    out["from_lat"] = out["from_place"].map(coords["lat"])
    out["from_lon"] = out["from_place"].map(coords["lon"])
    out["to_lat"] = out["to_place"].map(coords["lat"])
    out["to_lon"] = out["to_place"].map(coords["lon"])
    out["length_km"] = np.atleast_1d(
        geodesic_km(
            out["from_lat"].to_numpy(), out["from_lon"].to_numpy(), out["to_lat"].to_numpy(), out["to_lon"].to_numpy()
        )
    )
    out["cumulative_km"] = out.groupby("alignment_id")["length_km"].cumsum()
    return out


def alignment_summary(
    places_df: pd.DataFrame, segments_df: pd.DataFrame, alignments_df: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Total km per alignment and km by segment type.

    Returns one row per alignment with ``total_km``, ``undersea_tunnel_km``, ``island_km``,
    ``new_land_line_km``, ``existing_line_km`` and ``n_segments`` (the four typed columns add up
    to ``total_km``). If ``alignments_df`` is given, its ``name`` column is joined in and its row
    order kept; alignments without segments then show zeros.
    """
    seg = segment_lengths(places_df, segments_df)
    by_type = seg.pivot_table(
        index="alignment_id", columns="segment_type", values="length_km", aggfunc="sum", fill_value=0.0
    )
    summary = pd.DataFrame(index=by_type.index)
    for t in SEGMENT_TYPES:
        summary[f"{t}_km"] = by_type[t] if t in by_type.columns else 0.0
    summary.insert(0, "total_km", summary[[f"{t}_km" for t in SEGMENT_TYPES]].sum(axis=1))
    summary["n_segments"] = seg.groupby("alignment_id").size()
    if alignments_df is not None:
        order = alignments_df.set_index("alignment_id")
        summary = summary.reindex(order.index).fillna(0.0)
        summary["n_segments"] = summary["n_segments"].astype(int)
        if "name" in order.columns:
            summary.insert(0, "name", order["name"])
    return summary.reset_index()


def route_points(
    places_df: pd.DataFrame, segments_df: pd.DataFrame, alignment_id: str, spacing_km: float = 10.0
) -> pd.DataFrame:
    """Densified points along one alignment (geodesic between its places), for drawing it.

    Returns ``seq, segment_type, lat, lon, lon_unwrapped`` with consecutive segments joined
    (shared vertices appear once per segment boundary). ``lon_unwrapped`` comes from
    :func:`unwrap_lon` with the strait centre, ready for lon/lat plots.
    """
    seg = segment_lengths(places_df, segments_df)
    seg = seg[seg["alignment_id"] == alignment_id]
    if seg.empty:
        raise ValueError(f"no segments for alignment_id {alignment_id!r}")
    frames = []
    for row in seg.itertuples(index=False):
        lats, lons = great_circle_points(row.from_lat, row.from_lon, row.to_lat, row.to_lon, spacing_km=spacing_km)
        frames.append(pd.DataFrame({"seq": row.seq, "segment_type": row.segment_type, "lat": lats, "lon": lons}))
    out = pd.concat(frames, ignore_index=True)
    out["lon_unwrapped"] = unwrap_lon(out["lon"].to_numpy(), center=STRAIT_CENTER[1])
    return out


def segment_land_sea(segments: pd.DataFrame, land: Iterable, spacing_km: float = 0.2) -> pd.DataFrame:
    """Add ``land_km`` and ``water_km`` to the output of :func:`segment_lengths`.

    Each segment's geodesic is split with :func:`land_sea_split_km` against ``land`` (shapely
    polygons in lon/lat, e.g. :func:`land_polygons`). Useful to see how much of an "undersea"
    segment drawn between island centre points actually runs over an island.
    """
    land = list(land)
    out = segments.copy()
    parts = [
        land_sea_split_km(r.from_lat, r.from_lon, r.to_lat, r.to_lon, land, spacing_km)
        for r in out.itertuples(index=False)
    ]
    out["land_km"] = [p[0] for p in parts]
    out["water_km"] = [p[1] for p in parts]
    return out


# --------------------------------------------------------------------------------------------
# land in a projection: seam-free union, landmasses, shore-to-shore gaps
# --------------------------------------------------------------------------------------------


def unproject(
    x, y, kind: str = "laea", lat_0: float = STRAIT_CENTER[0], lon_0: float = STRAIT_CENTER[1], units: str = "km"
):
    """Inverse of :func:`project`: map coordinates back to ``(lats, lons)``, longitudes in -180..180."""
    if units not in ("km", "m"):
        raise ValueError(f"units must be 'km' or 'm'; got {units!r}")
    scale = _KM if units == "km" else 1.0
    x = np.asarray(x, dtype=float) * scale
    y = np.asarray(y, dtype=float) * scale
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("map coordinates must be finite numbers")
    back = Transformer.from_crs(strait_crs(kind, lat_0, lon_0), "EPSG:4326", always_xy=True)
    lons, lats = back.transform(x, y)
    return _scalar_or_array(np.asarray(lats, dtype=float)), _scalar_or_array(wrap_lon(np.asarray(lons, dtype=float)))


def project_land(
    polygons: Iterable,
    kind: str = "laea",
    lat_0: float = STRAIT_CENTER[0],
    lon_0: float = STRAIT_CENTER[1],
    units: str = "km",
    grid: float | None = None,
):
    """Project lon/lat land polygons and dissolve them into one seam-free geometry.

    The coastline files cut land at the antimeridian, so Chukotka arrives as pieces that meet
    along lon = +180 / -180. Projected one by one they would share an edge, which a map draws as
    a line down the 180th meridian. Here every piece is projected with :func:`project_geometry`,
    snapped to a grid (default 1 m: ``0.001`` in km, ``1`` in m) so that the shared edges match
    exactly, and united: the pieces become one polygon with no seam. Returns a shapely Polygon or
    MultiPolygon in map units. Use it for a projection whose far side holds none of the land
    (e.g. the regional files with the default strait-centred projection).
    """
    import shapely

    polygons = list(polygons)
    if not polygons:
        raise ValueError("no land polygons given")
    if grid is None:
        grid = 0.001 if units == "km" else 1.0

    rest = dissolve_antimeridian(polygons)
    parts = [project_geometry(p, kind=kind, lat_0=lat_0, lon_0=lon_0, units=units) for p in rest]
    parts = polygons_of(shapely.set_precision(shapely.MultiPolygon(parts), grid)) if len(parts) > 1 else parts
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def dissolve_antimeridian(polygons: Iterable) -> list:
    """Lon/lat polygons with the pieces cut at the antimeridian united again; returns polygons.

    Only pieces with a vertex on +-180 can share a seam. They are united in lon/lat with the
    western pieces shifted by +360 degrees, so that both sides of a cut lie on the same straight
    line x = 180 (exact, whatever vertices each side has). The united pieces keep longitudes
    beyond 180, which :func:`project_geometry` and ``GeoDataFrame.to_crs`` accept: any map whose
    seam is elsewhere then shows them as one polygon, with no line along 180.
    """
    import shapely
    from shapely.affinity import translate

    def touches_seam(poly) -> bool:
        return bool(np.any(np.abs(np.asarray(poly.exterior.coords)[:, 0]) == 180.0))

    polygons = [p for geom in polygons for p in polygons_of(geom)]
    seam = [p for p in polygons if touches_seam(p)]
    rest = [p for p in polygons if not touches_seam(p)]
    if seam:
        shifted = [translate(p, xoff=360.0) if p.bounds[0] == -180.0 else p for p in seam]
        rest = rest + polygons_of(shapely.union_all(np.array(shifted, dtype=object)))
    return rest


def _parts(geometry, kind: str) -> list:
    """The parts of type ``kind`` (e.g. ``"Polygon"``) inside a shapely geometry or collection."""
    if geometry.is_empty:
        return []
    if geometry.geom_type == kind:
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [found for part in geometry.geoms for found in _parts(part, kind)]
    return []


def polygons_of(geometry) -> list:
    """The polygons inside a shapely Polygon, MultiPolygon or GeometryCollection (others dropped)."""
    return _parts(geometry, "Polygon")


def landmass_at(land, x: float, y: float, max_gap: float = 5.0):
    """The polygon of ``land`` (projected, e.g. from :func:`project_land`) at map point ``(x, y)``.

    A point that falls just offshore (cape coordinates are often a few hundred metres off a
    generalised coastline; Anadyr is 1.8 km off the 1:10m coast) is matched to the nearest polygon
    if it lies within ``max_gap`` map units of it (default 5, i.e. 5 km in km units); farther away
    is an error.
    """
    from shapely.geometry import Point

    point = Point(float(x), float(y))
    parts = polygons_of(land)
    if not parts:
        raise ValueError("land is empty")
    distances = np.array([p.distance(point) for p in parts])
    best = int(np.argmin(distances))
    if distances[best] > max_gap:
        raise ValueError(
            f"no land within {max_gap:g} map units of ({x:.3f}, {y:.3f}); nearest is {distances[best]:.3f} away"
        )
    return parts[best]


def shore_gap(
    a, b, kind: str = "laea", lat_0: float = STRAIT_CENTER[0], lon_0: float = STRAIT_CENTER[1], units: str = "km"
) -> dict:
    """Shortest water distance between two projected land polygons, measured on the ellipsoid.

    The closest pair of shore points is found in the map plane (shapely ``nearest_points``); the
    two points are mapped back to lon/lat and the distance between them is the WGS84 geodesic, so
    the answer carries no projection scale error. (Over a strait the equal-area projection moves the
    closest pair by metres at most.) Returns ``gap_km`` and the two points as ``from_lat,
    from_lon, to_lat, to_lon``. Polygons that touch or overlap have a gap of 0.
    """
    from shapely.ops import nearest_points

    if a.is_empty or b.is_empty:
        raise ValueError("both land polygons must be non-empty")
    pa, pb = nearest_points(a, b)
    lat1, lon1 = unproject(pa.x, pa.y, kind, lat_0, lon_0, units)
    lat2, lon2 = unproject(pb.x, pb.y, kind, lat_0, lon_0, units)
    gap = 0.0 if a.distance(b) == 0 else geodesic_km(lat1, lon1, lat2, lon2)
    return {
        "gap_km": float(gap),
        "from_lat": float(lat1),
        "from_lon": float(lon1),
        "to_lat": float(lat2),
        "to_lon": float(lon2),
    }


def path_land_intervals(lats, lons, land, spacing_km: float = 0.2) -> pd.DataFrame:
    """Split a path (vertices in lon/lat, joined by geodesics) into alternating land and water stretches.

    ``land`` is projected land in km (from :func:`project_land` with the default strait-centred
    projection). Each leg is densified every ``spacing_km`` and the path is cut where it crosses
    the coast. Returns ``start_km, end_km, length_km, surface`` (``"land"`` or ``"water"``) in order
    along the path; distances are geodesic km (the map-plane lengths are rescaled leg by leg), so
    ``length_km`` adds up to :func:`polyline_km`.
    """
    from shapely.geometry import LineString, Point

    lats = np.atleast_1d(check_lat(lats, "lats"))
    lons = np.atleast_1d(check_lon(lons, "lons"))
    if lats.shape != lons.shape or lats.size < 2:
        raise ValueError("a path needs at least two points, with as many latitudes as longitudes")
    rows = []
    offset = 0.0
    for i in range(lats.size - 1):
        total = float(geodesic_km(lats[i], lons[i], lats[i + 1], lons[i + 1]))
        if total == 0:
            continue
        plat, plon = great_circle_points(lats[i], lons[i], lats[i + 1], lons[i + 1], spacing_km=spacing_km)
        x, y = project(plat, plon)
        line = LineString(np.column_stack([x, y]))
        scale = total / line.length
        cuts = []
        for piece in _lines_of(line.intersection(land)):
            ends = sorted((line.project(Point(piece.coords[0])), line.project(Point(piece.coords[-1]))))
            cuts.append((ends[0] * scale, ends[1] * scale))
        cuts.sort()
        position = 0.0
        for start, end in cuts:
            if start > position:
                rows.append((offset + position, offset + start, "water"))
            rows.append((offset + start, offset + end, "land"))
            position = end
        if position < total:
            rows.append((offset + position, offset + total, "water"))
        offset += total
    frame = pd.DataFrame(rows, columns=["start_km", "end_km", "surface"])
    # merge neighbours on the same surface (e.g. a vertex that lies on land)
    frame = frame[frame["end_km"] - frame["start_km"] > 1e-9]
    group = (frame["surface"] != frame["surface"].shift()).cumsum()
    merged = (
        frame.groupby(group)
        .agg(start_km=("start_km", "first"), end_km=("end_km", "last"), surface=("surface", "first"))
        .reset_index(drop=True)
    )
    merged.insert(2, "length_km", merged["end_km"] - merged["start_km"])
    return merged


def _lines_of(geometry) -> list:
    return _parts(geometry, "LineString")


# --------------------------------------------------------------------------------------------
# the globe: orthographic view without seams or wrap-around
# --------------------------------------------------------------------------------------------

#: Radius of the sphere used for globe views (mean Earth radius, km). Only for pictures: every
#: distance in the collection is measured on the WGS84 ellipsoid.
GLOBE_RADIUS_KM = 6371.0088


def _angular_distance(lat_0: float, lon_0: float, lats, lons) -> np.ndarray:
    """Great-circle angle (radians) on the sphere from (lat_0, lon_0) to each point."""
    p0, l0 = np.radians(lat_0), np.radians(lon_0)
    p, lam = np.radians(np.asarray(lats, dtype=float)), np.radians(np.asarray(lons, dtype=float))
    cos_c = np.sin(p0) * np.sin(p) + np.cos(p0) * np.cos(p) * np.cos(lam - l0)
    return np.arccos(np.clip(cos_c, -1.0, 1.0))


def globe_points(lats, lons, lat_0: float, lon_0: float, radius_km: float = GLOBE_RADIUS_KM):
    """Orthographic (globe) coordinates in km of points in lon/lat, seen from above (lat_0, lon_0).

    Returns ``(x, y, visible)``; points on the far side of the globe get ``visible`` False and NaN
    coordinates, so a line drawn through them breaks at the horizon instead of cutting across.
    """
    lats = check_lat(lats, "lats")
    lons = check_lon(wrap_lon(lons), "lons")
    c = _angular_distance(lat_0, lon_0, lats, lons)
    p0, l0 = np.radians(lat_0), np.radians(lon_0)
    p, lam = np.radians(lats), np.radians(lons)
    x = radius_km * np.cos(p) * np.sin(lam - l0)
    y = radius_km * (np.cos(p0) * np.sin(p) - np.sin(p0) * np.cos(p) * np.cos(lam - l0))
    visible = c <= np.pi / 2 + 1e-9  # points on the horizon itself count as visible
    x = np.where(visible, x, np.nan)
    y = np.where(visible, y, np.nan)
    return x, y, visible


def globe_land(
    polygons: Iterable, lat_0: float, lon_0: float, radius_km: float = GLOBE_RADIUS_KM, densify_deg: float = 1.0
):
    """Land on the visible hemisphere of an orthographic globe centred on (lat_0, lon_0), in km.

    An orthographic projection cannot show the far side, and clipping in lon/lat does not give the
    visible disc. So: edges are densified (``densify_deg``), polygons entirely on the far side are
    dropped, the rest go to a spherical azimuthal equidistant projection with the same centre (in
    which the visible hemisphere is exactly the disc of radius ``R * pi / 2`` and whose only seam
    is the antipode), are united there (pieces cut at 180 merge; no seam), clipped to that disc,
    and finally moved radially from ``R * c`` to ``R * sin(c)``, which is the orthographic view.
    Raises ValueError if a kept polygon contains the antipode (it cannot be drawn this way).
    """
    import shapely
    from shapely.geometry import Point

    check_lat(lat_0, "lat_0")
    check_lon(lon_0, "lon_0")
    kept = []
    for poly in polygons:
        dense = shapely.segmentize(poly, densify_deg)
        coords = np.asarray(dense.exterior.coords)
        if np.min(_angular_distance(lat_0, lon_0, coords[:, 1], coords[:, 0])) < np.radians(95.0):
            kept.append(dense)
    if not kept:
        return shapely.Polygon()
    anti_lat, anti_lon = -lat_0, float(wrap_lon(lon_0 + 180.0))
    antipode = Point(anti_lon, anti_lat)
    if any(p.contains(antipode) for p in kept):
        raise ValueError("a polygon contains the antipode of the globe centre; choose another centre")
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat_0} +lon_0={lon_0} +R={radius_km * _KM} +units=m +no_defs")
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def to_aeqd(coords):
        px, py = fwd.transform(wrap_lon(coords[:, 0]), coords[:, 1])
        return np.column_stack([np.asarray(px) / _KM, np.asarray(py) / _KM])

    projected = shapely.set_precision(np.array([shapely.transform(p, to_aeqd) for p in kept], dtype=object), 0.001)
    united = shapely.union_all(projected, grid_size=0.001)
    disc = Point(0.0, 0.0).buffer(radius_km * np.pi / 2, quad_segs=256)
    visible = united.intersection(disc)

    def to_ortho(coords):
        rho = np.hypot(coords[:, 0], coords[:, 1])
        c = rho / radius_km
        factor = np.where(c > 1e-12, np.sin(c) / np.where(c > 1e-12, c, 1.0), 1.0)
        return coords * factor[:, None]

    return shapely.transform(visible, to_ortho)


# --------------------------------------------------------------------------------------------
# GeoDataFrame layers
# --------------------------------------------------------------------------------------------
#
# The tables and coastlines as GeoDataFrames in WGS84 (EPSG:4326), for readers who work with
# geopandas: ``layer.to_crs(strait_crs())`` gives the equal-area map of the strait, where lines
# that cross the 180th meridian need no special treatment. Distances stay geodesic
# (:func:`geodesic_km`); a projected length is only a check on them.

#: Coordinate reference system of every layer: WGS84 longitude/latitude.
LAYER_CRS = "EPSG:4326"


def points_layer(frame: pd.DataFrame, lat: str = "lat", lon: str = "lon"):
    """A GeoDataFrame of points from the ``lat``/``lon`` columns of ``frame`` (degrees, WGS84).

    Rows without coordinates are dropped (a table may list a place that no source locates);
    coordinates out of range raise :class:`ValueError` naming the column.
    """
    import geopandas as gpd

    located = frame.dropna(subset=[lat, lon]).reset_index(drop=True)
    lats = check_lat(located[lat].to_numpy(dtype=float), lat)
    lons = check_lon(located[lon].to_numpy(dtype=float), lon)
    return gpd.GeoDataFrame(located, geometry=gpd.points_from_xy(lons, lats), crs=LAYER_CRS)


def places_layer(data_dir: str | Path | None = None):
    """``data/places.csv`` (capes, islands, railheads, towns) as a point layer."""
    from . import data

    return points_layer(data.load("places", data_dir))


def deposits_layer(data_dir: str | Path | None = None):
    """``data/deposits.csv`` (rare-earth deposits) as a point layer; unlocated deposits are left out."""
    from . import data

    return points_layer(data.load("deposits", data_dir))


def waypoints_layer(data_dir: str | Path | None = None):
    """``data/route_waypoints.csv`` (ports, capes, straits on the freight routes) as a point layer."""
    from . import data

    return points_layer(data.load("route_waypoints", data_dir))


def alignments_layer(data_dir: str | Path | None = None, spacing_km: float = 10.0):
    """Every alignment in ``data/alignments.csv`` as one geodesic LineString, with its length.

    The line follows the geodesic between consecutive places (densified every ``spacing_km``) and
    keeps longitudes continuous across the 180th meridian (``lon_unwrapped``), so it is drawn as
    one piece in lon/lat; ``length_km`` is the geodesic sum from :func:`segment_lengths`, not a
    planar length.
    """
    import geopandas as gpd
    from shapely.geometry import LineString

    from . import data

    places_df = data.load("places", data_dir)
    segments_df = data.load("alignment_segments", data_dir)
    meta = data.load("alignments", data_dir).set_index("alignment_id")
    lengths = segment_lengths(places_df, segments_df).groupby("alignment_id")["length_km"].sum()
    rows, lines = [], []
    for alignment_id in meta.index:
        if alignment_id not in lengths.index:
            continue
        pts = route_points(places_df, segments_df, alignment_id, spacing_km=spacing_km)
        lines.append(LineString(np.column_stack([pts["lon_unwrapped"], pts["lat"]])))
        rows.append(
            {
                "alignment_id": alignment_id,
                "name": meta.at[alignment_id, "name"],
                "length_km": float(lengths[alignment_id]),
            }
        )
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=lines, crs=LAYER_CRS)


def land_layer(path: str | Path | None = None):
    """The committed 1:10m coastline of the region (``data/geo/land_bering_10m.geojson``)."""
    import geopandas as gpd

    from . import paths

    return gpd.read_file(path or paths.data_dir() / "geo" / "land_bering_10m.geojson")


def boundary_layer(path: str | Path | None = None):
    """The 1867 convention line through the strait (``data/geo/us_russia_boundary_strait.geojson``)."""
    import geopandas as gpd

    from . import paths

    return gpd.read_file(path or paths.data_dir() / "geo" / "us_russia_boundary_strait.geojson")


def to_strait(layer, kind: str = "laea"):
    """``layer`` re-projected to the map of the strait (:func:`strait_crs`), in metres."""
    return layer.to_crs(strait_crs(kind))


def map_crs(
    kind: str = "laea", lat_0: float = STRAIT_CENTER[0], lon_0: float = STRAIT_CENTER[1], units: str = "km"
) -> CRS:
    """:func:`strait_crs` with a choice of ``units`` (``"km"``, the maps' unit, or ``"m"``)."""
    if units not in ("km", "m"):
        raise ValueError(f"units must be 'km' or 'm'; got {units!r}")
    strait_crs(kind, lat_0, lon_0)  # checks the kind and the centre
    return CRS.from_proj4(f"+proj={kind} +lat_0={lat_0} +lon_0={lon_0} +datum=WGS84 +units={units} +no_defs")


def to_map(layer, kind: str = "laea", lat_0: float = STRAIT_CENTER[0], lon_0: float = STRAIT_CENTER[1]):
    """``layer`` re-projected with ``to_crs`` to an azimuthal map in km (:func:`map_crs`).

    Lines from :func:`alignments_layer` keep continuous longitudes across 180 (beyond -180 or 180
    where they cross it); the projection takes them modulo 360, so a line across the meridian stays
    one short piece.
    """
    return layer.to_crs(map_crs(kind, lat_0, lon_0, "km"))


def map_land(
    layer=None,
    kind: str = "laea",
    lat_0: float = STRAIT_CENTER[0],
    lon_0: float = STRAIT_CENTER[1],
    grid: float = 0.001,
):
    """A land layer (default :func:`land_layer`) as seam-free polygons on an azimuthal map in km.

    The pieces cut at +-180 are united in lon/lat (:func:`dissolve_antimeridian`), projected with
    ``to_crs``, snapped to ``grid`` km (1 m) and united again, so no coastline shows a line along
    the 180th meridian. Returns a GeoDataFrame of polygons in :func:`map_crs`.
    """
    if layer is None:
        from . import paths

        land = _land_on_map(paths.data_dir().resolve() / LAND_FILE, kind, float(lat_0), float(lon_0), float(grid))
        return land.copy()
    return _map_land(layer, kind, lat_0, lon_0, grid)


def _land_on_map(path: Path, kind: str, lat_0: float, lon_0: float, grid: float):
    """:func:`map_land` of the coastline file ``path``, kept per content of the file and view (every
    map of the strait draws the same land; projecting and uniting it costs most of a second)."""
    digest = content_key(path.parent, files=[path.name])
    key = None if digest is None else (digest, kind, lat_0, lon_0, grid)
    return _LANDS.get(key, lambda: _map_land(land_layer(path), kind, lat_0, lon_0, grid))


#: Projected coastlines by the content of their file and the view (not the file's path); bounded.
_LANDS = ContentCache(4)


def _map_land(layer, kind: str, lat_0: float, lon_0: float, grid: float):
    import geopandas as gpd
    import shapely

    pieces = dissolve_antimeridian(layer.to_crs(LAYER_CRS).geometry)
    if not pieces:
        raise ValueError("no land polygons given")
    crs = map_crs(kind, lat_0, lon_0, "km")
    projected = gpd.GeoSeries(pieces, crs=LAYER_CRS).to_crs(crs)
    united = shapely.union_all(shapely.set_precision(projected.to_numpy(), grid), grid_size=grid)
    return gpd.GeoDataFrame(geometry=polygons_of(united), crs=crs)


def map_layers(
    data_dir: str | Path | None = None,
    kind: str = "laea",
    lat_0: float = STRAIT_CENTER[0],
    lon_0: float = STRAIT_CENTER[1],
    spacing_km: float = 2.0,
    boundary_step_deg: float = 0.01,
) -> dict:
    """The layers a map of the region draws, projected to one azimuthal map in km (:func:`map_crs`).

    ``land`` (:func:`map_land`), ``places``, ``alignments`` (geodesics densified every
    ``spacing_km``) and ``boundary`` (densified every ``boundary_step_deg`` degrees, so a meridian
    away from the map's centre curves as it should). ``data_dir`` defaults to the collection's data.
    Cached per content of what they are drawn from (:data:`MAP_TABLES`, :data:`MAP_FILES`), folder and
    view, the land per content of its file and view; each call returns copies.
    """
    from . import paths

    folder = (Path(data_dir) if data_dir else paths.data_dir()).resolve()
    view = (kind, float(lat_0), float(lon_0), float(spacing_km), float(boundary_step_deg))
    key = content_key(folder, MAP_TABLES, MAP_FILES)
    layers = _map_layers(folder, key, *view) if key is not None else _map_layers.__wrapped__(folder, key, *view)
    return {name: layer.copy() for name, layer in layers.items()}


#: The coastline every map of the strait draws, in a data folder.
LAND_FILE = "geo/land_bering_10m.geojson"
#: What :func:`map_layers` reads from a data folder (its cache key): the tables of the places and
#: alignments layers, the coastline and the boundary.
MAP_TABLES = ("places", "alignment_segments", "alignments")
MAP_FILES = (LAND_FILE, "geo/us_russia_boundary_strait.geojson")


@lru_cache(maxsize=8)
def _map_layers(
    folder: Path, key: bytes | None, kind: str, lat_0: float, lon_0: float, spacing_km: float, boundary_step_deg: float
):
    boundary = boundary_layer(folder / "geo" / "us_russia_boundary_strait.geojson")
    boundary = boundary.set_geometry(boundary.geometry.segmentize(boundary_step_deg))
    view = {"kind": kind, "lat_0": lat_0, "lon_0": lon_0}
    return {
        "land": _land_on_map(folder / LAND_FILE, grid=0.001, **view),
        "places": to_map(places_layer(folder), **view),
        "alignments": to_map(alignments_layer(folder, spacing_km=spacing_km), **view),
        "boundary": to_map(boundary, **view),
    }
