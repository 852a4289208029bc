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
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from pyproj import CRS, Geod, Transformer

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
            f"{name} must be a finite number of degrees within {low:g}..{high:g}; "
            f"got {flat[index]!r}{where}"
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


def _transformer(kind: str, lat_0: float, lon_0: float) -> Transformer:
    return Transformer.from_crs("EPSG:4326", strait_crs(kind, lat_0, lon_0), always_xy=True)


def project(lats, lons, kind: str = "laea", lat_0: float = STRAIT_CENTER[0],
            lon_0: float = STRAIT_CENTER[1], units: str = "km"):
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


def project_geometry(geometry, kind: str = "laea", lat_0: float = STRAIT_CENTER[0],
                     lon_0: float = STRAIT_CENTER[1], units: str = "km"):
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
    out["length_km"] = np.atleast_1d(geodesic_km(out["from_lat"].to_numpy(), out["from_lon"].to_numpy(),
                                                 out["to_lat"].to_numpy(), out["to_lon"].to_numpy()))
    out["cumulative_km"] = out.groupby("alignment_id")["length_km"].cumsum()
    return out


def alignment_summary(places_df: pd.DataFrame, segments_df: pd.DataFrame,
                      alignments_df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Total km per alignment and km by segment type.

    Returns one row per alignment with ``total_km``, ``undersea_tunnel_km``, ``island_km``,
    ``new_land_line_km``, ``existing_line_km`` and ``n_segments`` (the four typed columns add up
    to ``total_km``). If ``alignments_df`` is given, its ``name`` column is joined in and its row
    order kept; alignments without segments then show zeros.
    """
    seg = segment_lengths(places_df, segments_df)
    by_type = seg.pivot_table(index="alignment_id", columns="segment_type", values="length_km",
                              aggfunc="sum", fill_value=0.0)
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


def route_points(places_df: pd.DataFrame, segments_df: pd.DataFrame, alignment_id: str,
                 spacing_km: float = 10.0) -> pd.DataFrame:
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
        lats, lons = great_circle_points(row.from_lat, row.from_lon, row.to_lat, row.to_lon,
                                         spacing_km=spacing_km)
        frames.append(pd.DataFrame({"seq": row.seq, "segment_type": row.segment_type,
                                    "lat": lats, "lon": lons}))
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
    parts = [land_sea_split_km(r.from_lat, r.from_lon, r.to_lat, r.to_lon, land, spacing_km)
             for r in out.itertuples(index=False)]
    out["land_km"] = [p[0] for p in parts]
    out["water_km"] = [p[1] for p in parts]
    return out
