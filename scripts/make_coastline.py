"""Make ``data/geo/land_bering_10m.geojson``: Natural Earth 1:10m land around the Bering Strait.

Input
    ``land-10m.json`` from the npm package ``world-atlas@2.0.2`` (TopoJSON built by Mike Bostock
    from Natural Earth 1:10m land, version 4.1.0). Obtain it with::

        cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
        python scripts/make_coastline.py /tmp/package/land-10m.json

Output
    A GeoJSON FeatureCollection (RFC 7946: WGS84 lon/lat, exterior rings counter-clockwise) of the
    land polygons inside the study region: latitude 50N to 75N and longitude 120E eastwards across
    the antimeridian to 130W (that is 120..180 plus -180..-130 in the -180..180 convention).
    Coordinates are rounded to 4 decimals (about 11 m in latitude). Every polygon lies wholly in one
    hemisphere: no ring jumps from +179 to -179. Land that crosses the 180th meridian is cut there,
    so Chukotka comes as two pieces that meet at exactly lon = +180 and lon = -180.

How it works
    1. The TopoJSON arcs are decoded here (no topojson library): each arc is a list of
       quantized, delta-encoded integer positions; the running sum times ``transform.scale`` plus
       ``transform.translate`` gives lon/lat. A negative arc index ``~i`` means arc ``i`` reversed.
       Rings are made by joining their arcs and dropping the first point of every arc after the
       first (it repeats the last point of the previous arc).
    2. Each polygon is checked for antimeridian wrap-around (a step of more than 180 degrees in
       longitude between consecutive vertices). Natural Earth already cuts land at +-180, so none
       is expected; if one is found, its rings are unwrapped to continuous longitudes and the
       polygon is cut at 180 before clipping.
    3. Polygons are clipped (shapely) to two boxes, lon 120..180 and lon -180..-130, lat 50..75.
    4. Coordinates are snapped to a 1e-4 degree grid with ``shapely.set_precision`` (which, unlike
       rounding each vertex on its own, keeps polygons valid), repeated vertices and degenerate
       rings are dropped, rings are oriented counter-clockwise (holes clockwise), and the result is
       written with one Feature per polygon and a ``hemisphere`` property (``east`` for 120..180,
       ``west`` for -180..-130).

No simplification is applied: the output stays under the 3 MB target at full 1:10m detail
(the script prints the size; pass ``--simplify DEGREES`` to thin the lines if that ever changes).

World mode (``--world``)
    ``python scripts/make_coastline.py --world /tmp/package/land-110m.json`` writes
    ``data/geo/land_world_110m.geojson``: the coarse 1:110m land of the whole world, for globe and
    polar views. Nothing is clipped away. world-atlas stores these polygons as *spherical* rings,
    so four of them cross the antimeridian (Afro-Eurasia through Chukotka, Wrangel Island, Fiji)
    or wind round the South Pole (Antarctica). :func:`split_at_antimeridian` makes each ring's
    longitudes continuous, closes a ring that winds round a pole along that pole, and cuts the
    result into pieces that each lie within -180..180 (pieces meet exactly at +-180). The same
    snapping, orientation and ordering as the regional file follow; features carry no properties
    beyond ``hemisphere`` (``east`` if the piece's first vertex has a positive longitude).

Licences: Natural Earth data are in the public domain; world-atlas is ISC-licensed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from shapely import set_precision
from shapely.affinity import translate
from shapely.geometry import Polygon, box
from shapely.geometry.polygon import orient
from shapely.validation import make_valid

from bering.geo import polygons_of

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "data" / "geo" / "land_bering_10m.geojson"
DEFAULT_WORLD_OUT = REPO_ROOT / "data" / "geo" / "land_world_110m.geojson"

LAT_MIN, LAT_MAX = 50.0, 75.0
LON_EAST_MIN = 120.0  # 120E ... 180
LON_WEST_MAX = -130.0  # -180 ... 130W
DECIMALS = 4


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Return every arc of a quantized TopoJSON topology as a list of (lon, lat) tuples.

    Positions in a quantized topology are integers, delta-encoded along the arc: the first is
    absolute, each next one is the step from the previous. ``x = sum(dx) * sx + tx``.
    An unquantized topology (no ``transform``) is returned as is.
    """
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_from_arcs(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join the arcs named by ``indices`` into one ring; ``~i`` (= -i - 1) means arc i reversed."""
    ring: list[tuple[float, float]] = []
    for k, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if k == 0 else arc[1:])
    return ring


def iter_polygons(topology: dict, object_name: str = "land"):
    """Yield each polygon of ``objects[object_name]`` as a list of rings (exterior first)."""
    arcs = decode_arcs(topology)

    def walk(geometry):
        kind = geometry["type"]
        if kind == "GeometryCollection":
            for child in geometry["geometries"]:
                yield from walk(child)
        elif kind == "Polygon":
            yield [ring_from_arcs(r, arcs) for r in geometry["arcs"]]
        elif kind == "MultiPolygon":
            for polygon in geometry["arcs"]:
                yield [ring_from_arcs(r, arcs) for r in polygon]

    yield from walk(topology["objects"][object_name])


def wraps_antimeridian(ring: list[tuple[float, float]]) -> bool:
    """True if two consecutive vertices are more than 180 degrees of longitude apart."""
    return any(abs(b[0] - a[0]) > 180.0 for a, b in zip(ring, ring[1:]))


def unwrap_ring(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a ring's longitudes continuous (values may leave -180..180), keeping the first vertex."""
    out = [ring[0]]
    for lon, lat in ring[1:]:
        prev = out[-1][0]
        while lon - prev > 180.0:
            lon -= 360.0
        while lon - prev < -180.0:
            lon += 360.0
        out.append((lon, lat))
    return out


def clip_to_region(rings: list[list[tuple[float, float]]]):
    """Yield (hemisphere, shapely geometry) pieces of one polygon inside the study region."""
    east_box = box(LON_EAST_MIN, LAT_MIN, 180.0, LAT_MAX)
    west_box = box(-180.0, LAT_MIN, LON_WEST_MAX, LAT_MAX)
    if any(wraps_antimeridian(r) for r in rings):
        # Work in a continuous frame around 180 (longitudes 0..360): cut there, and give the
        # piece east of 180 (180..230 in this frame) its usual negative longitude back.
        frame = [unwrap_ring([(lon % 360.0, lat) for lon, lat in r]) for r in rings]
        poly = make_valid(Polygon(frame[0], frame[1:]))
        yield "east", poly.intersection(box(LON_EAST_MIN, LAT_MIN, 180.0, LAT_MAX)), 0.0
        yield "west", poly.intersection(box(180.0, LAT_MIN, 360.0 + LON_WEST_MAX, LAT_MAX)), 360.0
        return
    poly = Polygon(rings[0], rings[1:])
    if not poly.is_valid:
        poly = make_valid(poly)
    yield "east", poly.intersection(east_box), 0.0
    yield "west", poly.intersection(west_box), 0.0


def _round_ring(coords) -> list[list[float]]:
    """Round one ring to DECIMALS and drop repeated vertices; [] if fewer than 4 positions remain."""
    out: list[list[float]] = []
    for lon, lat in coords:
        p = [round(lon, DECIMALS) + 0.0, round(lat, DECIMALS) + 0.0]  # + 0.0 turns -0.0 into 0.0
        if not out or p != out[-1]:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(list(out[0]))
    return out if len(out) >= 4 else []


def _snapped_features(piece, hemisphere: str | None) -> list[dict]:
    """Snap ``piece`` to the 1e-4 degree grid, orient it (RFC 7946: exterior counter-clockwise) and
    return its polygons as GeoJSON Features; ``hemisphere=None`` takes it from the first vertex."""
    out = []
    for poly in polygons_of(set_precision(piece, 10.0**-DECIMALS)):
        poly = orient(poly, sign=1.0)
        exterior = _round_ring(poly.exterior.coords)
        if not exterior:
            continue
        holes = [h for h in (_round_ring(i.coords) for i in poly.interiors) if h]
        side = hemisphere or ("east" if exterior[0][0] > 0 else "west")
        out.append(
            {
                "type": "Feature",
                "properties": {"hemisphere": side},
                "geometry": {"type": "Polygon", "coordinates": [exterior, *holes]},
            }
        )
    return out


def _sorted(features: list[dict]) -> list[dict]:
    """Stable order: east pieces first, then by first vertex, so reruns give identical files."""
    return sorted(features, key=lambda f: (f["properties"]["hemisphere"] != "east", f["geometry"]["coordinates"][0][0]))


def build_features(topology: dict, simplify: float = 0.0) -> list[dict]:
    """Clip, round and orient the land polygons; return GeoJSON Feature dicts.

    Rounding uses ``shapely.set_precision`` (snap to a 1e-4 degree grid), which keeps every
    polygon valid: plain rounding of each vertex can make a narrow spit cross itself.
    """
    features = []
    for rings in iter_polygons(topology):
        for hemisphere, clipped, shift in clip_to_region(rings):
            for piece in polygons_of(clipped):
                if simplify > 0:
                    piece = piece.simplify(simplify, preserve_topology=True)
                if shift:
                    piece = translate(piece, xoff=-shift)
                features.extend(_snapped_features(piece, hemisphere))
    return _sorted(features)


def _shift_ring_near(ring: list[tuple[float, float]], centre: float) -> list[tuple[float, float]]:
    """Shift a continuous ring by whole turns so that its mean longitude is closest to ``centre``."""
    mean = sum(p[0] for p in ring) / len(ring)
    turns = round((centre - mean) / 360.0)
    return [(lon + 360.0 * turns, lat) for lon, lat in ring]


def split_at_antimeridian(rings: list[list[tuple[float, float]]]) -> list:
    """Cut one spherical polygon (exterior ring first) into shapely polygons within -180..180.

    A ring that never steps more than 180 degrees is returned as it is (made valid). Otherwise
    every ring is unwrapped to continuous longitudes; an exterior whose unwrapped longitudes end a
    whole turn from where they started winds round a pole, and is closed along that pole (the
    South Pole if its mean latitude is negative). The polygon is then cut by the windows
    ``[-180 + 360k, 180 + 360k]`` and each piece shifted back by ``-360k``.
    """
    if not any(wraps_antimeridian(r) for r in rings):
        poly = Polygon(rings[0], rings[1:])
        return polygons_of(poly if poly.is_valid else make_valid(poly))
    exterior = unwrap_ring(rings[0])
    winding = exterior[-1][0] - exterior[0][0]
    if abs(winding) > 180.0:
        mean_lat = sum(p[1] for p in exterior) / len(exterior)
        pole = -90.0 if mean_lat < 0 else 90.0
        exterior = exterior + [(exterior[-1][0], pole), (exterior[0][0], pole), exterior[0]]
    centre = (min(p[0] for p in exterior) + max(p[0] for p in exterior)) / 2.0
    holes = [_shift_ring_near(unwrap_ring(r), centre) for r in rings[1:]]
    poly = Polygon(exterior, holes)
    if not poly.is_valid:
        poly = make_valid(poly)
    lo, hi = poly.bounds[0], poly.bounds[2]
    pieces = []
    for k in range(int((lo + 180.0) // 360.0) - 1, int((hi + 180.0) // 360.0) + 2):
        window = box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0)
        part = poly.intersection(window)
        for piece in polygons_of(part):
            pieces.append(translate(piece, xoff=-360.0 * k))
    return pieces


def build_world_features(topology: dict) -> list[dict]:
    """Every land polygon of the world, cut at the antimeridian, snapped, oriented; Feature dicts."""
    features = []
    for rings in iter_polygons(topology):
        for piece in split_at_antimeridian(rings):
            features.extend(_snapped_features(piece, None))
    return _sorted(features)


def check_world_features(features: list[dict]) -> None:
    """Raise if any ring wraps around the antimeridian or leaves -180..180 / -90..90.

    The one long step allowed runs along a pole (Antarctica's piece is closed along lat -90 from
    +180 to -180, as in Natural Earth's own files).
    """
    for f in features:
        for ring in f["geometry"]["coordinates"]:
            for a, b in zip(ring, ring[1:]):
                if abs(b[0] - a[0]) > 180.0 and not (abs(a[1]) == 90.0 and b[1] == a[1]):
                    raise AssertionError("a ring still wraps around the antimeridian")
            for lon, lat in ring:
                if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                    raise AssertionError(f"position {lon}, {lat} outside the globe")


def check_features(features: list[dict]) -> None:
    """Raise if any ring leaves the region or wraps around the antimeridian."""
    for f in features:
        for ring in f["geometry"]["coordinates"]:
            if wraps_antimeridian(ring):
                raise AssertionError("a ring still wraps around the antimeridian")
            for lon, lat in ring:
                if not (LAT_MIN <= lat <= LAT_MAX):
                    raise AssertionError(f"latitude {lat} outside {LAT_MIN}..{LAT_MAX}")
                if not (LON_EAST_MIN <= lon <= 180.0 or -180.0 <= lon <= LON_WEST_MAX):
                    raise AssertionError(f"longitude {lon} outside the study region")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "land_json", type=Path, help="path to world-atlas@2.0.2 land-10m.json (or land-110m.json with --world)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output GeoJSON path (default: data/geo/land_bering_10m.geojson, "
        "or data/geo/land_world_110m.geojson with --world)",
    )
    parser.add_argument(
        "--simplify",
        type=float,
        default=0.0,
        help="Douglas-Peucker tolerance in degrees (default 0: no simplification)",
    )
    parser.add_argument(
        "--world",
        action="store_true",
        help="write the whole world, cut at the antimeridian, instead of the strait region",
    )
    args = parser.parse_args(argv)

    raw = args.land_json.read_bytes()
    topology = json.loads(raw)
    if args.world:
        if args.simplify:
            parser.error("--simplify is not available with --world")
        args.out = args.out or DEFAULT_WORLD_OUT
        features = build_world_features(topology)
        check_world_features(features)
        collection = {
            "type": "FeatureCollection",
            "name": "land_world_110m",
            "properties": {
                "source": "Natural Earth 1:110m land v4.1.0 via npm world-atlas@2.0.2 land-110m.json",
                "input_sha256": hashlib.sha256(raw).hexdigest(),
                "region": "whole world, polygons cut at the antimeridian",
                "coordinate_decimals": DECIMALS,
                "simplify_degrees": 0.0,
            },
            "features": features,
        }
    else:
        args.out = args.out or DEFAULT_OUT
        features = build_features(topology, simplify=args.simplify)
        check_features(features)
        collection = {
            "type": "FeatureCollection",
            "name": "land_bering_10m",
            "properties": {
                "source": "Natural Earth 1:10m land v4.1.0 via npm world-atlas@2.0.2 land-10m.json",
                "input_sha256": hashlib.sha256(raw).hexdigest(),
                "region": "lat 50..75, lon 120..180 and -180..-130",
                "coordinate_decimals": DECIMALS,
                "simplify_degrees": args.simplify,
            },
            "features": features,
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, separators=(",", ":")) + "\n"
    args.out.write_text(text, encoding="utf-8")
    n_points = sum(len(r) for f in features for r in f["geometry"]["coordinates"])
    print(
        f"wrote {args.out} with {len(features)} polygons, {n_points} positions, "
        f"{len(text.encode('utf-8')) / 1e6:.2f} MB; input sha256 {collection['properties']['input_sha256']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
