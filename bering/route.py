"""Route geometry of the crossing and the missing rail links (notebook 02).

Everything is measured on the WGS84 ellipsoid with :mod:`bering.geo`; this module turns those
lengths into the notebook's tables and figures:

* **gaps** between the mainlands and the Diomedes, shore to shore, from the 1:10m coastline
  (:func:`water_gaps`), and how much of each crossing runs over water (:func:`crossing_surfaces`);
* a **reconciliation** of the lengths quoted in the coverage (``data/published_lengths.csv``) with
  what our coordinates give (:func:`reconcile`);
* **route factors**, published length over straight-line length, for the approach railways whose
  length is published (:func:`route_factors`, :func:`pooled_route_factor`);
* the **missing links**: new railway needed on each side from the existing railheads to the tunnel
  portals, and the tunnel's share of all new construction (:func:`missing_links`,
  :func:`new_construction`);
* the five figures: the strait close up, the region, the globe, the schematic depth profiles and an
  interactive map (:func:`strait_map`, :func:`region_map`, :func:`globe_map`,
  :func:`depth_profiles`, :func:`interactive_map`).

The strait lies next to the 180th meridian. Every map here is drawn in an azimuthal projection
whose only seam is on the far side of the globe, from land whose pieces cut at +-180 have been
dissolved (:func:`bering.geo.project_land`, :func:`bering.geo.globe_land`), so nothing is drawn
across the map and no coastline shows a line along 180.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from . import data, geo, paths, style, units

#: One international statute mile in km (exact by definition).
MILE_KM = units.KM_PER_MILE

#: The island route, west to east: the places the 2007 plan (and, by assumption, the 2025 pitch) joins.
ISLAND_CHAIN = ("cape_dezhnev", "big_diomede", "little_diomede", "cape_prince_of_wales")

#: What each ``measure`` of published_lengths.csv means, in words.
MEASURE_LABELS = {
    "strait_width_narrowest": "narrowest width of the strait",
    "cape_to_cape_distance": "distance between the two capes",
    "island_gap": "water between the Diomedes at their closest shores",
    "tunnel_length": "tunnel length",
    "undersea_length": "length under the sea",
    "corridor_length": "length of the approach railway",
}

#: Which of our computed measures each published measure is compared with. ``None`` stands for
#: the geodesic length of the row's own alignment.
COMPARATORS = {
    "strait_width_narrowest": ("mainland_gap", "cape_to_cape"),
    "cape_to_cape_distance": ("cape_to_cape",),
    "island_gap": ("island_gap",),
    "tunnel_length": (None,),
    "corridor_length": (None,),
}

#: The approach corridor on each side used for the missing-link sums (both are sourced proposals:
#: the Russian Railways 2030 line to Uelen, and the staged plan's Fairbanks-Nome line).
CORRIDORS = {"Russia": "ru_lena_uelen_line", "Alaska": "us_fairbanks_nome_line"}

ASSUMPTION_ROUTE_FACTOR = "route_factor_unsourced_corridor"


# --------------------------------------------------------------------------------------------
# published lengths
# --------------------------------------------------------------------------------------------


def published_km(lengths: pd.DataFrame) -> pd.Series:
    """The km figure of each row of ``published_lengths``: as printed, else miles x 1.609344.

    Raises ValueError naming any row that gives neither.
    """
    for col in ("length_id", "length_km", "length_mi"):
        if col not in lengths.columns:
            raise ValueError(f"published lengths table has no column {col!r}")
    km = pd.to_numeric(lengths["length_km"], errors="coerce").astype(float)
    mi = pd.to_numeric(lengths["length_mi"], errors="coerce").astype(float)
    empty = km.isna() & mi.isna()
    if empty.any():
        raise ValueError(f"rows give neither km nor miles: {lengths.loc[empty, 'length_id'].tolist()}")
    if ((km < 0) | (mi < 0)).any():
        raise ValueError("published lengths must not be negative")
    return km.fillna(mi * MILE_KM).rename("quoted_km")


def _fmt_number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def quoted_as(lengths: pd.DataFrame) -> pd.Series:
    """How each figure was printed, e.g. ``"51 mi (82 km)"`` or ``"3,500 km"``."""
    out = []
    for km, mi in zip(lengths["length_km"], lengths["length_mi"]):
        km_s = None if pd.isna(km) else f"{_fmt_number(float(km))} km"
        mi_s = None if pd.isna(mi) else f"{_fmt_number(float(mi))} mi"
        if km_s and mi_s:
            out.append(f"{mi_s} ({km_s})")
        else:
            out.append(km_s or mi_s)
    return pd.Series(out, index=lengths.index, name="quoted_as")


def load_published_lengths(data_dir=None) -> pd.DataFrame:
    """``published_lengths`` with ``quoted_as`` and ``quoted_km`` added."""
    frame = data.load("published_lengths", data_dir)
    frame["quoted_as"] = quoted_as(frame)
    frame["quoted_km"] = published_km(frame)
    return frame


def load_boundary(path: str | Path | None = None) -> dict:
    """The US-Russia boundary line through the strait (``data/geo/us_russia_boundary_strait.geojson``).

    Returns ``lats``, ``lons`` (arrays) and the feature's properties (``source_id`` among them).
    """
    if path is None:
        path = paths.data_dir() / "geo" / "us_russia_boundary_strait.geojson"
    with open(path, encoding="utf-8") as fh:
        feature = json.load(fh)["features"][0]
    coords = np.asarray(feature["geometry"]["coordinates"], dtype=float)
    return {"lats": coords[:, 1], "lons": coords[:, 0], **feature["properties"]}


def load_world_land(path: str | Path | None = None) -> list:
    """The coarse world land (``data/geo/land_world_110m.geojson``) as shapely polygons in lon/lat."""
    if path is None:
        path = paths.data_dir() / "geo" / "land_world_110m.geojson"
    return geo.land_polygons(path)


#: Sources of the geographic files (not tables, so they carry no source_id column of their own).
GEO_SOURCES = ("natural_earth_10m_land", "natural_earth_110m_land", "world_atlas_npm")


def geodata_sources(boundary: dict | None = None) -> pd.DataFrame:
    """A one-column frame of the source ids behind the maps' geographic files, for
    :func:`bering.notebook.references`."""
    ids = list(GEO_SOURCES)
    if boundary is not None:
        ids += [v for k, v in boundary.items() if k.startswith("source_id")]
    return pd.DataFrame({"source_id": ids})


def assumption_value(assumption_id: str, data_dir=None) -> float:
    """The value of one row of ``assumptions.csv``; a clear error if it is missing."""
    return data.assumption_values([assumption_id], data_dir)[assumption_id]


# --------------------------------------------------------------------------------------------
# gaps and surfaces
# --------------------------------------------------------------------------------------------


def _coords(places: pd.DataFrame, place_id: str) -> tuple[float, float]:
    table = places.set_index("place_id")
    if place_id not in table.index:
        raise ValueError(f"place id {place_id!r} is not in the places table")
    return float(table.loc[place_id, "lat"]), float(table.loc[place_id, "lon"])


def landmass_of(land, places: pd.DataFrame, place_id: str, max_gap_km: float = 5.0):
    """The projected land polygon (from :func:`bering.geo.project_land`, km) a place stands on."""
    lat, lon = _coords(places, place_id)
    x, y = geo.project(lat, lon)
    try:
        return geo.landmass_at(land, x, y, max_gap=max_gap_km)
    except ValueError as err:
        raise ValueError(f"{place_id}: {err}") from None


def water_gaps(land, places: pd.DataFrame, chain: Iterable[str] = ISLAND_CHAIN) -> pd.DataFrame:
    """Shortest water distance between the landmasses of consecutive places of ``chain``.

    ``land`` is projected land in km (:func:`bering.geo.project_land`). One row per hop, plus a
    last row for the first and last place directly (for the island chain: mainland to mainland).
    Columns: ``from_place, to_place, gap_km`` (shore to shore, geodesic), ``centre_km`` (between
    the two place points) and the two nearest shore points. Two places on the same landmass are
    an error: there is no water between them.
    """
    chain = list(chain)
    if len(chain) < 2:
        raise ValueError("a chain needs at least two places")
    masses = {pid: landmass_of(land, places, pid) for pid in chain}
    pairs = list(zip(chain, chain[1:]))
    if len(chain) > 2:
        pairs.append((chain[0], chain[-1]))
    rows = []
    for a, b in pairs:
        if masses[a].equals(masses[b]):
            raise ValueError(f"{a} and {b} are on the same landmass: no water gap between them")
        gap = geo.shore_gap(masses[a], masses[b])
        (lat1, lon1), (lat2, lon2) = _coords(places, a), _coords(places, b)
        rows.append(
            {
                "from_place": a,
                "to_place": b,
                "gap_km": gap["gap_km"],
                "centre_km": float(geo.geodesic_km(lat1, lon1, lat2, lon2)),
                "shore_from_lat": gap["from_lat"],
                "shore_from_lon": gap["from_lon"],
                "shore_to_lat": gap["to_lat"],
                "shore_to_lon": gap["to_lon"],
            }
        )
    return pd.DataFrame(rows)


def crossing_surfaces(segments_land_sea: pd.DataFrame) -> pd.DataFrame:
    """Per alignment: total, water and land km and the share over water.

    Takes the output of :func:`bering.geo.segment_land_sea` (``alignment_id, length_km, land_km,
    water_km``).
    """
    for col in ("alignment_id", "length_km", "land_km", "water_km"):
        if col not in segments_land_sea.columns:
            raise ValueError(f"segments table has no column {col!r} (use geo.segment_land_sea)")
    out = segments_land_sea.groupby("alignment_id", sort=False)[["length_km", "water_km", "land_km"]].sum()
    out = out.rename(columns={"length_km": "total_km"})
    out["water_share"] = out["water_km"] / out["total_km"]
    return out.reset_index()


def route_surfaces(land, places: pd.DataFrame, chain: Iterable[str] = ISLAND_CHAIN) -> pd.DataFrame:
    """Land and water stretches, in order, along the path through ``chain`` (see
    :func:`bering.geo.path_land_intervals`)."""
    coords = [_coords(places, pid) for pid in chain]
    lats = [c[0] for c in coords]
    lons = [c[1] for c in coords]
    return geo.path_land_intervals(lats, lons, land)


# --------------------------------------------------------------------------------------------
# reconciliation
# --------------------------------------------------------------------------------------------


def computed_measures(summary: pd.DataFrame, gaps: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """Our measures that published figures are compared with: ``{key: (km, description)}``.

    Keys: every ``alignment_id`` of ``summary`` (geodesic total through its places),
    ``mainland_gap`` (the chain's first-to-last row of ``gaps``) and ``island_gap`` (the gap
    between the two middle places of the chain).
    """
    out: dict[str, tuple[float, str]] = {}
    for row in summary.itertuples(index=False):
        label = (
            "geodesic between the cape coordinates"
            if row.alignment_id == "cape_to_cape"
            else "geodesic through the alignment's places"
        )
        out[row.alignment_id] = (float(row.total_km), label)
    if len(gaps) >= 2:
        first, last = gaps.iloc[0]["from_place"], gaps.iloc[-2]["to_place"]
        mainland = gaps[(gaps["from_place"] == first) & (gaps["to_place"] == last)]
        if not mainland.empty:
            out["mainland_gap"] = (
                float(mainland["gap_km"].iloc[0]),
                "shortest water distance between the mainland coasts (1:10m)",
            )
    hops = gaps.iloc[:-1] if len(gaps) > 2 else gaps
    if len(hops) >= 3:
        middle = hops.iloc[len(hops) // 2]
        out["island_gap"] = (float(middle["gap_km"]), "shortest water distance between the islands (1:10m)")
    return out


def reconcile(
    lengths: pd.DataFrame, computed: Mapping[str, tuple[float, str]], alignments: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Set each quoted Bering figure beside what our geometry gives.

    ``lengths`` is :func:`load_published_lengths` (needs ``length_id, crossing, alignment_id,
    measure, quoted_as, quoted_km, source_id``); ``computed`` maps a key (see
    :data:`COMPARATORS`) to ``(km, description)``, e.g. from :func:`computed_measures`. Rows of
    other crossings and measures with no comparator are left out. Returns one row per (figure,
    comparison): ``quoted_km, computed_km, difference_km`` (quoted minus computed) and ``ratio``
    (quoted / computed), with what the figure measures and what it is compared with.
    """
    names = {} if alignments is None else dict(zip(alignments["alignment_id"], alignments["name"]))
    rows = []
    bering = lengths[lengths["crossing"] == "bering_strait"]
    for row in bering.itertuples(index=False):
        keys = COMPARATORS.get(row.measure)
        if keys is None:
            continue
        for key in keys:
            if key is None:
                if pd.isna(row.alignment_id):
                    raise ValueError(f"{row.length_id}: a {row.measure} needs an alignment_id to compare with")
                key = row.alignment_id
            if key not in computed:
                raise ValueError(f"{row.length_id}: no computed measure {key!r} to compare with")
            km, label = computed[key]
            measures = MEASURE_LABELS[row.measure]
            if not pd.isna(row.alignment_id) and row.measure in ("tunnel_length", "corridor_length"):
                measures += f": {names.get(row.alignment_id, row.alignment_id)}"
            rows.append(
                {
                    "length_id": row.length_id,
                    "quoted_as": row.quoted_as,
                    "source_id": row.source_id,
                    "measures": measures,
                    "quoted_km": float(row.quoted_km),
                    "compared_with": label,
                    "computed_km": float(km),
                    "difference_km": float(row.quoted_km) - float(km),
                    "ratio": float(row.quoted_km) / float(km) if km else np.nan,
                }
            )
    return pd.DataFrame(rows)


def tunnel_vs_water(lengths: pd.DataFrame, surfaces: pd.DataFrame) -> pd.DataFrame:
    """Tunnel length per km under water: the quoted Bering tunnels against the water along their
    modelled alignment (:func:`crossing_surfaces`), and the Channel and Seikan tunnels against their
    published undersea lengths. A ratio above 1 is tunnel beyond the sea: approaches under land."""
    water = surfaces.set_index("alignment_id")["water_km"]
    rows = []
    tunnels = lengths[lengths["measure"] == "tunnel_length"]
    for row in tunnels.itertuples(index=False):
        if row.crossing == "bering_strait":
            if pd.isna(row.alignment_id) or row.alignment_id not in water.index:
                raise ValueError(f"{row.length_id}: no modelled alignment to measure the water along")
            under, basis = float(water[row.alignment_id]), "water along our alignment (1:10m coast)"
        else:
            sea = lengths[(lengths["crossing"] == row.crossing) & (lengths["measure"] == "undersea_length")]
            if sea.empty:
                raise ValueError(f"{row.length_id}: no published undersea length for {row.crossing}")
            under, basis = float(sea["quoted_km"].iloc[0]), "published undersea length"
        rows.append(
            {
                "crossing": row.crossing,
                "length_id": row.length_id,
                "quoted_as": row.quoted_as,
                "tunnel_km": float(row.quoted_km),
                "under_water_km": under,
                "ratio": float(row.quoted_km) / under,
                "basis": basis,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# route factors and missing links
# --------------------------------------------------------------------------------------------


def route_factors(lengths: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Published length over straight-line (geodesic) length for every corridor with a published length.

    ``summary`` is :func:`bering.geo.alignment_summary` (``alignment_id, total_km``, optionally
    ``name``). Raises ValueError if a corridor has no geometry or more than one published length.
    """
    corridors = lengths[lengths["measure"] == "corridor_length"]
    dupes = corridors["alignment_id"][corridors["alignment_id"].duplicated()].tolist()
    if dupes:
        raise ValueError(f"more than one published length for {sorted(set(dupes))}")
    straight = summary.set_index("alignment_id")["total_km"]
    rows = []
    for row in corridors.itertuples(index=False):
        if row.alignment_id not in straight.index or not straight[row.alignment_id] > 0:
            raise ValueError(f"{row.length_id}: corridor {row.alignment_id!r} has no geometry")
        rows.append(
            {
                "alignment_id": row.alignment_id,
                "published_km": float(row.quoted_km),
                "straight_km": float(straight[row.alignment_id]),
                "route_factor": float(row.quoted_km) / float(straight[row.alignment_id]),
                "source_id": row.source_id,
            }
        )
    out = pd.DataFrame(rows)
    if "name" in summary.columns and len(out):
        out.insert(1, "name", out["alignment_id"].map(summary.set_index("alignment_id")["name"]))
    return out


def pooled_route_factor(factors: pd.DataFrame) -> float:
    """All sourced corridors together: total published km over total straight km."""
    if factors.empty:
        raise ValueError("no corridors with a published length")
    return float(factors["published_km"].sum() / factors["straight_km"].sum())


def nearest_rail(
    places: pd.DataFrame,
    segments: pd.DataFrame,
    targets: Iterable[str] = (ISLAND_CHAIN[0], ISLAND_CHAIN[-1]),
    n: int = 3,
) -> pd.DataFrame:
    """For each target place, the ``n`` nearest existing rail points in the same country.

    Rail points are places of kind ``railhead`` and the places on ``existing_line`` segments.
    Returns ``target, place_id, name, distance_km`` (geodesic), nearest first for each target.
    """
    on_lines = set(segments.loc[segments["segment_type"] == "existing_line", ["from_place", "to_place"]].stack())
    rail = places[(places["kind"] == "railhead") | places["place_id"].isin(on_lines)]
    country = places.set_index("place_id")["country"]
    frames = []
    for target in targets:
        lat, lon = _coords(places, target)
        own = rail[rail["country"] == country[target]].copy()
        if own.empty:
            raise ValueError(f"no existing rail point in {country[target]} (for {target})")
        own["distance_km"] = np.atleast_1d(
            geo.geodesic_km(lat, lon, own["lat"].to_numpy(float), own["lon"].to_numpy(float))
        )
        own.insert(0, "target", target)
        frames.append(own.sort_values("distance_km").head(n))
    return pd.concat(frames, ignore_index=True)[["target", "place_id", "name", "distance_km"]]


def missing_links(
    places: pd.DataFrame,
    segments: pd.DataFrame,
    lengths: pd.DataFrame,
    crossing_id: str,
    route_factor: float,
    corridors: Mapping[str, str] = CORRIDORS,
) -> pd.DataFrame:
    """New railway needed on each side, from the railhead to the tunnel portal of ``crossing_id``.

    For each side, ``corridors`` names an approach alignment. Its length is the published one if
    ``lengths`` has a ``corridor_length`` for it, else its straight length times ``route_factor``.
    If the corridor ends somewhere other than the crossing's portal on that side (the portal is
    the crossing's end in the same country as the corridor's end), a connector is added: straight
    length times ``route_factor``. Returns one row per leg with ``straight_km``, ``published_km``
    (NaN if none), ``factor`` (NaN where the published length is used), ``length_km`` and
    ``basis``.
    """
    if not route_factor >= 1.0:
        raise ValueError(
            f"a route factor is at least 1 (a railway is never shorter than the straight line); got {route_factor!r}"
        )
    seg = geo.segment_lengths(places, segments)
    country = places.set_index("place_id")["country"]
    crossing = seg[seg["alignment_id"] == crossing_id]
    if crossing.empty:
        raise ValueError(f"no segments for crossing {crossing_id!r}")
    portals = {
        country[crossing["from_place"].iloc[0]]: crossing["from_place"].iloc[0],
        country[crossing["to_place"].iloc[-1]]: crossing["to_place"].iloc[-1],
    }
    published = lengths[lengths["measure"] == "corridor_length"].set_index("alignment_id")["quoted_km"]
    rows = []
    for side, alignment_id in corridors.items():
        legs = seg[seg["alignment_id"] == alignment_id]
        if legs.empty:
            raise ValueError(f"no segments for corridor {alignment_id!r} ({side})")
        start, end = legs["from_place"].iloc[0], legs["to_place"].iloc[-1]
        if country[end] not in portals:
            raise ValueError(
                f"corridor {alignment_id!r} ends in {country[end]}, where crossing {crossing_id!r} has no portal"
            )
        straight = float(legs["length_km"].sum())
        if alignment_id in published.index:
            length, factor, basis, pub = (
                float(published[alignment_id]),
                np.nan,
                "published length",
                float(published[alignment_id]),
            )
        else:
            length, factor, basis, pub = (
                straight * route_factor,
                route_factor,
                "straight x route factor (assumption)",
                np.nan,
            )
        rows.append(
            {
                "side": side,
                "leg": "corridor",
                "alignment_id": alignment_id,
                "from_place": start,
                "to_place": end,
                "straight_km": straight,
                "published_km": pub,
                "factor": factor,
                "length_km": length,
                "basis": basis,
            }
        )
        portal = portals[country[end]]
        if portal != end:
            (lat1, lon1), (lat2, lon2) = _coords(places, end), _coords(places, portal)
            link = float(geo.geodesic_km(lat1, lon1, lat2, lon2))
            rows.append(
                {
                    "side": side,
                    "leg": "connector to the portal",
                    "alignment_id": None,
                    "from_place": end,
                    "to_place": portal,
                    "straight_km": link,
                    "published_km": np.nan,
                    "factor": route_factor,
                    "length_km": link * route_factor,
                    "basis": "straight x route factor (assumption)",
                }
            )
    return pd.DataFrame(rows)


def tunnel_share(tunnel_km: float, new_rail_km: Iterable[float]) -> float:
    """The tunnel's share of all new construction: tunnel / (tunnel + all new railway)."""
    rail = np.asarray(list(new_rail_km), dtype=float)
    if not np.isfinite(tunnel_km) or tunnel_km < 0 or np.any(~np.isfinite(rail)) or np.any(rail < 0):
        raise ValueError("lengths must be finite and not negative")
    total = float(tunnel_km) + float(rail.sum())
    if total <= 0:
        raise ValueError("there is no construction to share")
    return float(tunnel_km) / total


#: Sides of :func:`missing_links` that data/link_segments.csv names as ``route:<side>``.
LINK_ROUTE_SIDES = ("Russia", "Alaska")
#: The crossing whose portals the approach lines reach (data/alignments.csv).
LINK_CROSSING = "putin_trump_2025"
#: The whole link's parts (link_segments.part_of), in the order tables show them.
LINK_PARTS = ("tunnel_km", "russia_km", "alaska_km", "na_km")


def link_segments(data_dir=None) -> pd.DataFrame:
    """The whole link's segments (data/link_segments.csv) with their length in km resolved, column ``km``.

    ``length_from`` says where a length comes from: ``claim`` (the pitch's tunnel length in
    data/megaprojects.csv), ``route:<side>`` (:func:`missing_links` with the assumed route factor,
    the same calculation as notebook 02's maps), ``published:<length_id>`` (data/published_lengths.csv)
    or ``length_km`` (the row's own sourced value). This is the one source of the new-construction
    lengths for notebooks 02, 03 and 06.
    """
    from .benchmarks import CLAIM_PROJECT

    table = data.load("link_segments", data_dir).copy()
    lengths = load_published_lengths(data_dir)
    links = missing_links(
        data.load("places", data_dir),
        data.load("alignment_segments", data_dir),
        lengths,
        LINK_CROSSING,
        assumption_value(ASSUMPTION_ROUTE_FACTOR, data_dir),
    )
    side_km = links.groupby("side")["length_km"].sum()
    published = lengths.set_index("length_id")["quoted_km"]
    claim_km = float(data.load("megaprojects", data_dir).set_index("project_id").loc[CLAIM_PROJECT, "length_km"])
    km = []
    for row in table.itertuples(index=False):
        kind, _, ref = str(row.length_from).partition(":")
        if kind == "claim":
            km.append(claim_km)
        elif kind == "route":
            if ref not in LINK_ROUTE_SIDES:
                raise ValueError(
                    f"link segment {row.segment_id}: unknown route side '{ref}'; "
                    f"use one of: {', '.join(LINK_ROUTE_SIDES)}"
                )
            km.append(float(side_km[ref]))
        elif kind == "published":
            if ref not in published.index:
                raise ValueError(f"link segment {row.segment_id}: no published length '{ref}'")
            km.append(float(published[ref]))
        elif kind == "length_km":
            if not row.length_km > 0:
                raise ValueError(f"link segment {row.segment_id}: length_from is length_km but length_km is blank")
            km.append(float(row.length_km))
        else:
            raise ValueError(f"link segment {row.segment_id}: unknown length_from '{row.length_from}'")
    table["km"] = km
    return table


def new_construction_lengths(data_dir=None) -> dict[str, float]:
    """Km of new construction in each part of the whole link (:data:`LINK_PARTS`), from :func:`link_segments`.

    The whole link reaches a connected network on both sides: the tunnel, the new line from the
    Lena railhead, the new line from Fairbanks and the lines from the Alaska Railroad to the
    Canadian network.
    """
    km = link_segments(data_dir).groupby("part_of")["km"].sum()
    unknown = sorted(set(km.index) - set(LINK_PARTS))
    if unknown:
        raise ValueError(f"data/link_segments.csv: unknown part_of {unknown}; use one of: {', '.join(LINK_PARTS)}")
    return {part: float(km.get(part, 0.0)) for part in LINK_PARTS}


def new_construction(links: pd.DataFrame, tunnel_km: float, tunnel_straight_km: float) -> pd.DataFrame:
    """New railway per side plus the tunnel, on two bases: as used (published lengths and route
    factors) and straight lines only; each with its share of the total."""
    sides = links.groupby("side", sort=False)[["length_km", "straight_km"]].sum()
    table = pd.DataFrame(
        {
            "part": [f"new railway, {s}" for s in sides.index] + ["tunnel"],
            "km": list(sides["length_km"]) + [float(tunnel_km)],
            "straight_km": list(sides["straight_km"]) + [float(tunnel_straight_km)],
        }
    )
    table["share"] = table["km"] / table["km"].sum()
    table["straight_share"] = table["straight_km"] / table["straight_km"].sum()
    return table


def naive_planar_km(lat1, lon1, lat2, lon2, radius_km: float = geo.GLOBE_RADIUS_KM):
    """The wrong way, kept to show what the 180th meridian does to naive code: an equirectangular
    distance that takes ``lon2 - lon1`` at face value (no wrap, no ellipsoid)."""
    lat1, lat2 = geo.check_lat(lat1, "lat1"), geo.check_lat(lat2, "lat2")
    lon1, lon2 = geo.check_lon(lon1, "lon1"), geo.check_lon(lon2, "lon2")
    mean = np.radians((lat1 + lat2) / 2)
    dx = np.radians(lon2 - lon1) * np.cos(mean)
    dy = np.radians(lat2 - lat1)
    return geo._scalar_or_array(radius_km * np.hypot(dx, dy))


def antimeridian_check(places: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Every segment that crosses the 180th meridian, with its geodesic length and what naive
    longitude arithmetic would make of it."""
    seg = geo.segment_lengths(places, segments)
    crosses = [geo.crosses_antimeridian(r.from_lat, r.from_lon, r.to_lat, r.to_lon) for r in seg.itertuples()]
    seg = seg[np.asarray(crosses, dtype=bool)].copy()
    seg["naive_km"] = np.atleast_1d(
        naive_planar_km(
            seg["from_lat"].to_numpy(), seg["from_lon"].to_numpy(), seg["to_lat"].to_numpy(), seg["to_lon"].to_numpy()
        )
    )
    seg["naive_lon_step"] = seg["to_lon"] - seg["from_lon"]
    return seg[
        ["alignment_id", "from_place", "to_place", "from_lon", "to_lon", "naive_lon_step", "length_km", "naive_km"]
    ].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# figures: shared drawing helpers
# --------------------------------------------------------------------------------------------

#: Resolution of the maps as shown inside the notebook. The exported files are written at 200 dpi
#: whatever this says; a lower screen resolution keeps the detailed maps from bloating the notebook.
SCREEN_DPI = 72

LAND_FACE = "#E4E4E4"
LAND_EDGE = "#8C8C8C"
WATER_FACE = "#EEF5FA"
ROUTE_COLOURS = {
    "island": style.PALETTE["blue"],
    "cape_to_cape": style.PALETTE["black"],
    "interbering_2011": style.PALETTE["orange"],
    "gap": style.PALETTE["green"],
    "border": style.PALETTE["purple"],
    "existing": style.PALETTE["black"],
    "ru_lena_uelen_line": style.PALETTE["vermillion"],
    "ru_magadan_line": style.PALETTE["orange"],
    "us_fairbanks_nome_line": style.PALETTE["blue"],
    "us_northern_rail_extension": style.PALETTE["sky"],
}


def _draw_land(ax, land, window=None, face=LAND_FACE, edge=LAND_EDGE, lw=0.5, **kw):
    """Fill projected (Multi)Polygon ``land`` on a matplotlib axis, holes included."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath
    from shapely.geometry import box

    if window is not None:
        land = land.intersection(box(*window))
    for poly in geo.polygons_of(land):
        rings = [np.asarray(poly.exterior.coords)] + [np.asarray(r.coords) for r in poly.interiors]
        verts = np.concatenate(rings)
        codes = np.concatenate([[MPath.MOVETO] + [MPath.LINETO] * (len(r) - 2) + [MPath.CLOSEPOLY] for r in rings])
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor=face, edgecolor=edge, lw=lw, **kw))


def _graticule(
    ax,
    lons,
    lats,
    lat_range,
    lon_range,
    proj: dict,
    labels: bool = True,
    color="#C8C8C8",
    label_size=9,
    n=200,
    special: Mapping[float, dict] | None = None,
):
    """Draw meridians and parallels (projected with ``proj``); label them where they leave the axes."""
    special = special or {}
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for lon in lons:
        lat = np.linspace(*lat_range, n)
        x, y = geo.project(lat, np.full(n, lon), **proj)
        kw = {"color": color, "lw": 0.6, "zorder": 1}
        kw.update(special.get(lon, {}))
        ax.plot(x, y, **kw)
        if labels:
            inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            # meridians are labelled where they meet the bottom edge (parallels own the left edge)
            if inside.any() and y[np.flatnonzero(inside)[0]] - y0 < 0.02 * (y1 - y0):
                i = int(np.flatnonzero(inside)[0])
                ax.annotate(
                    _lon_label(lon),
                    (x[i], y[i]),
                    xytext=(2, 3),
                    textcoords="offset points",
                    fontsize=label_size,
                    color=style.GREY,
                    clip_on=True,
                )
    for lat in lats:
        lon = np.linspace(*lon_range, n)
        x, y = geo.project(np.full(n, lat), geo.wrap_lon(lon), **proj)
        ax.plot(x, y, color=color, lw=0.6, zorder=1)
        if labels:
            inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            if inside.any():
                i = int(np.flatnonzero(inside)[0])
                ax.annotate(
                    f"{lat:g}°N",
                    (x[i], y[i]),
                    xytext=(3, 2),
                    textcoords="offset points",
                    fontsize=label_size,
                    color=style.GREY,
                    clip_on=True,
                )


def dms(value: float, positive: str, negative: str) -> str:
    """Degrees as degrees, minutes and whole seconds with a hemisphere letter, e.g. ``168°58′37″W``."""
    hemisphere = positive if value >= 0 else negative
    seconds = int(round(abs(float(value)) * 3600))
    d, rest = divmod(seconds, 3600)
    m, sec = divmod(rest, 60)
    return f"{d}°{m:02d}′{sec:02d}″{hemisphere}"


def _lon_label(lon: float) -> str:
    lon = float(geo.wrap_lon(lon))
    if lon in (180.0, -180.0):
        return "180°"
    return f"{abs(lon):g}°{'E' if lon > 0 else 'W'}"


def _project_path(lats, lons, proj: dict):
    return geo.project(np.asarray(lats, float), np.asarray(lons, float), **proj)


def _geodesic_xy(lat1, lon1, lat2, lon2, proj: dict, spacing_km: float = 2.0):
    lats, lons = geo.great_circle_points(lat1, lon1, lat2, lon2, spacing_km=spacing_km)
    return _project_path(lats, lons, proj)


def _label_box(color="white"):
    return {"boxstyle": "round,pad=0.2", "fc": color, "ec": "none", "alpha": 0.85}


def _segment_label(ax, seg_row, proj, text, offset=(0, 0), color="black", fontsize=10, ha="center"):
    lats, lons = geo.great_circle_points(seg_row.from_lat, seg_row.from_lon, seg_row.to_lat, seg_row.to_lon, n=3)
    x, y = geo.project(lats[1], lons[1], **proj)
    ax.annotate(
        text,
        (x, y),
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va="center",
        fontsize=fontsize,
        color=color,
        bbox=_label_box(),
    )


# --------------------------------------------------------------------------------------------
# figure 1: the strait close up
# --------------------------------------------------------------------------------------------


def _along(lat1, lon1, lat2, lon2, fraction: float, proj: Mapping | None = None) -> tuple[float, float]:
    """Map point at ``fraction`` of the way along the geodesic from point 1 to point 2."""
    lats, lons = geo.great_circle_points(lat1, lon1, lat2, lon2, n=201)
    i = int(round(fraction * 200))
    x, y = geo.project(lats[i], lons[i], **(proj or {}))
    return float(x), float(y)


def _callout(ax, text, point, text_xy, color="black", fontsize=10, ha="center"):
    """Label ``point`` with ``text`` placed at ``text_xy`` (data coordinates), joined by a thin line."""
    ax.annotate(
        text,
        point,
        xytext=text_xy,
        textcoords="data",
        ha=ha,
        va="center",
        fontsize=fontsize,
        color=color,
        bbox=_label_box(),
        zorder=9,
        arrowprops={"arrowstyle": "-", "color": color, "lw": 0.8, "shrinkA": 0, "shrinkB": 2},
    )


#: Where the strait map puts its labels (km in the strait-centred projection), tuned so that no
#: label covers a route, a place or another label at the committed coordinates.
STRAIT_LABELS = {
    ("diomedes_tunnel", 1): (0.5, (-40.0, -14.0)),
    ("diomedes_tunnel", 2): (0.5, (-22.0, -42.0)),
    ("diomedes_tunnel", 3): (0.5, (12.0, -52.0)),
    ("cape_to_cape", 1): (0.6, (36.0, -6.0)),
    ("interbering_2011", 1): (0.5, (24.0, 12.0)),
    "mainland_gap": (0.82, (50.0, -22.0)),
    "border": (66.25, (-14.0, 27.0)),
}


def strait_map(
    land,
    places: pd.DataFrame,
    segments: pd.DataFrame,
    gaps: pd.DataFrame,
    boundary: dict,
    label_places: Iterable[str] = (
        "cape_dezhnev",
        "uelen",
        "big_diomede",
        "little_diomede",
        "cape_prince_of_wales",
        "wales",
    ),
):
    """The strait in the strait-centred Lambert azimuthal equal-area projection, with a zoom on the Diomedes.

    ``land``: projected land in km (:func:`bering.geo.project_land`); ``segments``: the output of
    :func:`bering.geo.segment_lengths`; ``gaps``: :func:`water_gaps` of the island chain;
    ``boundary``: :func:`load_boundary`. Draws the island route (2007 plan, assumed for 2025),
    the cape-to-cape reference line, the 2011 Uelen route, the shortest water gaps, and the
    border (with the date line marked as approximately there), with every segment's length.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    proj: dict = {}
    window = (-82.0, -62.0, 68.0, 34.0)
    zoom = (-8.5, -32.0, 9.5, -18.0)
    ratios = [(window[2] - window[0]) / (window[3] - window[1]), (zoom[2] - zoom[0]) / (zoom[3] - zoom[1])]
    fig, (ax, zx) = plt.subplots(
        1, 2, figsize=(14, 6.4), dpi=SCREEN_DPI, gridspec_kw={"width_ratios": ratios, "wspace": 0.12}
    )
    for a, (x0, y0, x1, y1) in ((ax, window), (zx, zoom)):
        a.set_facecolor(WATER_FACE)
        a.set_xlim(x0, x1)
        a.set_ylim(y0, y1)
        a.set_aspect("equal")
        a.grid(False)
        _draw_land(a, land, window=(x0 - 5, y0 - 5, x1 + 5, y1 + 5), zorder=2)
    _graticule(
        ax,
        lons=np.arange(-172, -165, 1.0),
        lats=np.arange(65.0, 67.01, 0.5),
        lat_range=(64.5, 67.5),
        lon_range=(-173, -165),
        proj=proj,
    )
    _graticule(zx, lons=[-169.0], lats=[65.75], lat_range=(65.5, 66.0), lon_range=(-169.3, -168.7), proj=proj)

    seg = segments.set_index(["alignment_id", "seq"])
    colour = ROUTE_COLOURS
    # border (the date line runs near it)
    b_lat = np.linspace(boundary["lats"].min(), boundary["lats"].max(), 60)
    bx, by = geo.project(b_lat, np.full_like(b_lat, boundary["lons"][0]))
    for a in (ax, zx):
        a.plot(bx, by, color=colour["border"], lw=1.6, ls=(0, (6, 2, 1, 2)), zorder=3)
    # routes
    for r in segments[segments["alignment_id"] == "diomedes_tunnel"].itertuples():
        x, y = _geodesic_xy(r.from_lat, r.from_lon, r.to_lat, r.to_lon, proj, 0.5)
        for a in (ax, zx):
            a.plot(x, y, color=colour["island"], lw=2.6, zorder=5, solid_capstyle="round")
    c2c = seg.loc[("cape_to_cape", 1)]
    ax.plot(
        *_geodesic_xy(c2c.from_lat, c2c.from_lon, c2c.to_lat, c2c.to_lon, proj),
        color=colour["cape_to_cape"],
        lw=1.2,
        ls="--",
        zorder=4,
    )
    ib = seg.loc[("interbering_2011", 1)]
    ax.plot(
        *_geodesic_xy(ib.from_lat, ib.from_lon, ib.to_lat, ib.to_lon, proj),
        color=colour["interbering_2011"],
        lw=1.8,
        zorder=4,
    )
    # shortest water gaps: mainland to mainland on the left, between the islands in the zoom
    mainland, island_gap = gaps.iloc[-1], gaps.iloc[1]
    ends = (mainland.shore_from_lat, mainland.shore_from_lon, mainland.shore_to_lat, mainland.shore_to_lon)
    ax.plot(*_geodesic_xy(*ends, proj), color=colour["gap"], lw=1.8, ls=":", zorder=4)
    zends = (island_gap.shore_from_lat, island_gap.shore_from_lon, island_gap.shore_to_lat, island_gap.shore_to_lon)
    zx.plot(*_geodesic_xy(*zends, proj, 0.1), color=colour["gap"], lw=2.4, ls=":", zorder=6)

    # length labels
    for key, (fraction, text_xy) in STRAIT_LABELS.items():
        if not isinstance(key, tuple):
            continue
        r = seg.loc[key]
        point = _along(r.from_lat, r.from_lon, r.to_lat, r.to_lon, fraction)
        text = {
            "cape_to_cape": f"cape to cape\n{r.length_km:.1f} km",
            "interbering_2011": f"Uelen route\n{r.length_km:.1f} km",
        }.get(key[0], f"{r.length_km:.1f} km")
        col = {"cape_to_cape": "black", "interbering_2011": colour["interbering_2011"]}.get(key[0], colour["island"])
        _callout(ax, text, point, text_xy, color=col)
    fraction, text_xy = STRAIT_LABELS["mainland_gap"]
    _callout(
        ax, f"shortest, shore to shore\n{mainland.gap_km:.1f} km", _along(*ends, fraction), text_xy, color=colour["gap"]
    )
    lat_b, text_xy = STRAIT_LABELS["border"]
    _callout(
        ax,
        "US–Russia border;\ndate line runs near it",
        geo.project(lat_b, boundary["lons"][0]),
        text_xy,
        color=colour["border"],
    )
    r = seg.loc[("diomedes_tunnel", 2)]
    _callout(
        zx,
        f"centre to centre\n{r.length_km:.2f} km",
        _along(r.from_lat, r.from_lon, r.to_lat, r.to_lon, 0.62),
        (6.3, -23.3),
        color=colour["island"],
    )
    _callout(
        zx, f"shortest water gap\n{island_gap.gap_km:.2f} km", _along(*zends, 0.5), (0.5, -30.0), color=colour["gap"]
    )
    _callout(
        zx,
        f"border ({dms(boundary['lons'][0], 'E', 'W')});\ndate line near it",
        geo.project(65.83, boundary["lons"][0]),
        (5.2, -19.3),
        color=colour["border"],
    )

    # places
    table = places.set_index("place_id")
    offsets = {
        "cape_dezhnev": (-6, 8, "right"),
        "uelen": (-6, 6, "right"),
        "big_diomede": (-8, 6, "right"),
        "little_diomede": (6, -11, "left"),
        "cape_prince_of_wales": (7, 9, "left"),
        "wales": (8, -2, "left"),
        "tin_city": (8, -8, "left"),
    }
    short = {
        "big_diomede": "Big Diomede (RU)",
        "little_diomede": "Little Diomede (US)",
        "wales": "Wales",
        "cape_prince_of_wales": "Cape Prince\nof Wales",
        "tin_city": "Tin City radar site",
    }
    for pid in label_places:
        px, py = geo.project(table.loc[pid, "lat"], table.loc[pid, "lon"])
        dx, dy, ha = offsets.get(pid, (6, 6, "left"))
        ax.plot(px, py, "o", ms=4, color="black", zorder=7)
        ax.annotate(
            short.get(pid, table.loc[pid, "name"]),
            (px, py),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=10,
            zorder=8,
            bbox=_label_box(),
        )
    for pid, (tx, ty) in (("big_diomede", (-5.5, -26.5)), ("little_diomede", (6.5, -29.5))):
        px, py = geo.project(table.loc[pid, "lat"], table.loc[pid, "lon"])
        zx.plot(px, py, "o", ms=4, color="black", zorder=7)
        _callout(zx, short[pid] + "\ncentre point", (px, py), (tx, ty))
    ax.text(0.02, 0.97, "CHUKOTKA (Russia)", transform=ax.transAxes, fontsize=10, color=style.GREY, va="top")
    ax.text(0.98, 0.12, "ALASKA (US)", transform=ax.transAxes, fontsize=10, color=style.GREY, ha="right")
    ax.add_patch(
        Rectangle((zoom[0], zoom[1]), zoom[2] - zoom[0], zoom[3] - zoom[1], fill=False, ec=style.GREY, lw=0.9, zorder=6)
    )
    ax.set_title("The strait (grey box: zoom at right)", fontsize=11, loc="left")
    zx.set_title("The Diomedes", fontsize=11, loc="left")

    handles = [
        Line2D([], [], color=colour["island"], lw=2.6, label="island route: 2007 plan (assumed for 2025)"),
        Line2D([], [], color=colour["interbering_2011"], lw=1.8, label="2011 InterBering route from Uelen"),
        Line2D([], [], color="black", lw=1.2, ls="--", label="cape to cape (reference)"),
        Line2D([], [], color=colour["gap"], lw=1.8, ls=":", label="shortest water gap (1:10m coastline)"),
        Line2D(
            [],
            [],
            color=colour["border"],
            lw=1.6,
            ls=(0, (6, 2, 1, 2)),
            label="US–Russia border (date line approximately)",
        ),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9.5, frameon=False, bbox_to_anchor=(0.5, 0.01))
    ax.set_xlabel("km east of 66°N 169°W (Lambert azimuthal equal-area)")
    ax.set_ylabel("km north of 66°N 169°W")
    zx.set_xlabel("km east of 66°N 169°W")
    fig.subplots_adjust(left=0.06, right=0.99, top=0.9, bottom=0.21)
    return fig


# --------------------------------------------------------------------------------------------
# figure 2: the region, Yakutsk to Fairbanks
# --------------------------------------------------------------------------------------------

REGION_PROJ = {"lat_0": 64.0, "lon_0": 171.0}


def region_map(
    land,
    places: pd.DataFrame,
    segments: pd.DataFrame,
    factors: pd.DataFrame,
    links: pd.DataFrame,
    proj: Mapping[str, float] = REGION_PROJ,
):
    """Yakutsk to Fairbanks: existing railheads and lines, proposed corridors and the gaps.

    ``land`` must be projected with the same ``proj`` (:func:`bering.geo.project_land`);
    ``segments`` is :func:`bering.geo.segment_lengths`; ``factors`` is :func:`route_factors`;
    ``links`` is :func:`missing_links`. Corridors are drawn as straight geodesics between their
    end points (no published route geometry), labelled with their straight and published or
    assumed lengths. The 180th meridian is drawn to show that the geometry crosses it unbroken.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    proj = dict(proj)
    fig, ax = plt.subplots(figsize=(14, 7.4), dpi=SCREEN_DPI)
    window = (-2150.0, -480.0, 2150.0, 1120.0)
    ax.set_facecolor(WATER_FACE)
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    ax.set_aspect("equal")
    ax.grid(False)
    # about one pixel of the saved figure is 1.5 km: thin the 1:10m coast to that before drawing
    _draw_land(
        ax,
        land.simplify(1.5, preserve_topology=True),
        window=(window[0] - 50, window[1] - 50, window[2] + 50, window[3] + 50),
        zorder=2,
    )
    _graticule(
        ax,
        lons=[130, 140, 150, 160, 170, 180, -170, -160, -150, -140],
        lats=[55, 60, 65, 70],
        lat_range=(50, 75),
        lon_range=(115, 230),
        proj=proj,
        special={180: {"color": style.PALETTE["black"], "lw": 1.0, "ls": "--", "zorder": 3}},
    )

    published = factors.set_index("alignment_id")["published_km"] if len(factors) else pd.Series(dtype=float)
    link_km = links.groupby("alignment_id")["length_km"].sum() if len(links) else pd.Series(dtype=float)
    styles = {
        "ru_lena_uelen_line": dict(lw=2.4, ls="-"),
        "ru_magadan_line": dict(lw=1.8, ls="--"),
        "us_fairbanks_nome_line": dict(lw=2.4, ls="-"),
        "us_northern_rail_extension": dict(lw=1.8, ls="--"),
        "alaska_railroad_existing": dict(lw=2.0, ls="-"),
        "diomedes_tunnel": dict(lw=3.0, ls="-"),
    }
    colours = dict(
        ROUTE_COLOURS, alaska_railroad_existing=ROUTE_COLOURS["existing"], diomedes_tunnel=style.PALETTE["purple"]
    )
    for alignment_id, kw in styles.items():
        rows = segments[segments["alignment_id"] == alignment_id]
        for r in rows.itertuples():
            x, y = _geodesic_xy(r.from_lat, r.from_lon, r.to_lat, r.to_lon, proj, 10.0)
            ax.plot(x, y, color=colours[alignment_id], zorder=5, solid_capstyle="round", **kw)

    def label_for(alignment_id: str) -> str:
        straight = segments.loc[segments["alignment_id"] == alignment_id, "length_km"].sum()
        text = f"{straight:,.0f} km straight"
        if alignment_id in published.index:
            text += f"\n{published[alignment_id]:,.0f} km published"
        elif alignment_id in link_km.index:
            text += f"\n≈{link_km[alignment_id]:,.0f} km with route factor\n(assumption)"
        return text

    placements = {
        "ru_lena_uelen_line": ("Lena–Uelen line (RZD 2030 plan)\n", 0.55, (0, 34)),
        "ru_magadan_line": ("Nizhny Bestyakh–Magadan (2021 study)\n", 0.45, (110, 0)),
        "us_fairbanks_nome_line": ("Fairbanks–Nome–Cape Prince of Wales\n", 0.45, (70, -95)),
    }
    for alignment_id, (name, frac, off) in placements.items():
        rows = segments[segments["alignment_id"] == alignment_id]
        r = rows.iloc[0]
        lats, lons = geo.great_circle_points(r.from_lat, r.from_lon, r.to_lat, r.to_lon, n=101)
        i = int(frac * 100)
        x, y = geo.project(lats[i], lons[i], **proj)
        ax.annotate(
            name + label_for(alignment_id),
            (x, y),
            xytext=off,
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=9.5,
            color=colours[alignment_id],
            bbox=_label_box(),
            arrowprops={"arrowstyle": "-", "color": colours[alignment_id], "lw": 0.7, "shrinkB": 0},
        )

    table = places.set_index("place_id")
    marks = {
        "nizhny_bestyakh": ("Nizhny Bestyakh\n(AYaM railhead)", (8, -16), "left", "s"),
        "yakutsk": ("Yakutsk", (-6, 8), "right", "o"),
        "magadan": ("Magadan", (-6, -12), "right", "o"),
        "anadyr": ("Anadyr", (6, -10), "left", "o"),
        "uelen": ("Uelen", (-6, 8), "right", "o"),
        "nome": ("Nome", (6, -10), "left", "o"),
        "fairbanks": ("Fairbanks (railhead)", (0, 12), "center", "s"),
        "anchorage": ("Anchorage", (6, -6), "left", "s"),
        "delta_junction": ("Delta Junction", (6, -8), "left", "o"),
    }
    for pid, (text, off, ha, marker) in marks.items():
        px, py = geo.project(table.loc[pid, "lat"], table.loc[pid, "lon"], **proj)
        ax.plot(px, py, marker, ms=5, color="black", zorder=7)
        ax.annotate(
            text, (px, py), xytext=off, textcoords="offset points", ha=ha, fontsize=9.5, zorder=8, bbox=_label_box()
        )
    x180, y180 = geo.project(72.5, 180.0, **proj)
    ax.annotate(
        "180th meridian: the Russian corridor crosses it",
        (x180, y180),
        xytext=(8, -4),
        textcoords="offset points",
        fontsize=9.5,
        bbox=_label_box(),
    )

    handles = [
        Line2D(
            [],
            [],
            color=ROUTE_COLOURS["existing"],
            lw=2.0,
            label="existing: Alaska Railroad (stations joined straight)",
        ),
        Line2D([], [], color=ROUTE_COLOURS["ru_lena_uelen_line"], lw=2.4, label="proposed: Lena–Uelen (to the strait)"),
        Line2D(
            [],
            [],
            color=ROUTE_COLOURS["ru_magadan_line"],
            lw=1.8,
            ls="--",
            label="proposed: Magadan line (not to the strait)",
        ),
        Line2D([], [], color=ROUTE_COLOURS["us_fairbanks_nome_line"], lw=2.4, label="proposed: Fairbanks–Nome–strait"),
        Line2D(
            [],
            [],
            color=ROUTE_COLOURS["us_northern_rail_extension"],
            lw=1.8,
            ls="--",
            label="planned: Northern Rail Extension",
        ),
        Line2D([], [], color=style.PALETTE["purple"], lw=3.0, label="tunnel (island route)"),
        Line2D([], [], color="black", marker="s", ls="", ms=5, label="railhead or station on existing line"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9.5, frameon=False, bbox_to_anchor=(0.5, 0.0))
    ax.set_xlabel(f"km east of {proj['lat_0']:g}°N {_lon_label(proj['lon_0'])} (Lambert azimuthal equal-area)")
    ax.set_ylabel(f"km north of {proj['lat_0']:g}°N {_lon_label(proj['lon_0'])}")
    fig.subplots_adjust(left=0.07, right=0.99, top=0.93, bottom=0.17)
    return fig


# --------------------------------------------------------------------------------------------
# figure 3: the globe
# --------------------------------------------------------------------------------------------

GLOBE_CENTRE = (57.0, -170.0)


def globe_map(world, places: pd.DataFrame, mainland_gap_km: float, centre: tuple[float, float] = GLOBE_CENTRE):
    """An orthographic globe centred on the North Pacific: Afro-Eurasia and the Americas nearly touch
    at the strait. ``world`` is lon/lat land polygons (the 1:110m world file)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    lat_0, lon_0 = centre
    radius = geo.GLOBE_RADIUS_KM
    land = geo.globe_land(world, lat_0, lon_0)
    table = places.set_index("place_id")

    def at(pid):
        x, y, _ = geo.globe_points(table.loc[pid, "lat"], table.loc[pid, "lon"], lat_0, lon_0)
        return float(x), float(y)

    eurasia = geo.landmass_at(land, *at("yakutsk"))
    americas = geo.landmass_at(land, *at("fairbanks"))
    fig, ax = plt.subplots(figsize=(7.6, 7.6), dpi=SCREEN_DPI)
    ax.add_patch(Circle((0, 0), radius, fc=WATER_FACE, ec=style.GREY, lw=0.8, zorder=0))
    others = [p for p in geo.polygons_of(land) if not (p.equals(eurasia) or p.equals(americas))]
    from shapely.geometry import MultiPolygon

    if others:
        _draw_land(ax, MultiPolygon(others), face=LAND_FACE, edge=LAND_EDGE, lw=0.4, zorder=2)
    _draw_land(ax, eurasia, face="#F3C77A", edge=LAND_EDGE, lw=0.4, zorder=2)
    _draw_land(ax, americas, face="#9CC7E4", edge=LAND_EDGE, lw=0.4, zorder=2)
    # graticule: every 30 degrees of longitude, every 30 degrees of latitude, broken at the horizon
    for lon in range(-180, 180, 30):
        lat = np.linspace(-90, 90, 361)
        x, y, _ = geo.globe_points(lat, np.full_like(lat, lon), lat_0, lon_0)
        ax.plot(x, y, color="#C8C8C8", lw=0.5, zorder=1)
    for lat in (-30, 0, 30, 60):
        lon = np.linspace(-180, 180, 721)
        x, y, _ = geo.globe_points(np.full_like(lon, lat), lon, lat_0, lon_0)
        ax.plot(x, y, color="#C8C8C8", lw=0.5, zorder=1)
    sx, sy = at("cape_dezhnev")
    ax.add_patch(Circle((sx, sy), 330, fill=False, ec=style.PALETTE["vermillion"], lw=2.0, zorder=4))
    ax.annotate(
        f"Bering Strait: {mainland_gap_km:.0f} km of water\nbetween the two landmasses",
        (sx, sy - 330),
        xytext=(0, -70),
        textcoords="offset points",
        ha="center",
        fontsize=10.5,
        color=style.PALETTE["vermillion"],
        bbox=_label_box(),
        arrowprops={"arrowstyle": "-", "color": style.PALETTE["vermillion"], "lw": 1.0},
    )
    for text, (lat, lon), colour in (
        ("AFRO-EURASIA", (56.0, 100.0), "#8A5A00"),
        ("THE AMERICAS", (55.0, -112.0), "#1F5F8B"),
    ):
        x, y, vis = geo.globe_points(lat, lon, lat_0, lon_0)
        if bool(vis):
            ax.text(float(x), float(y), text, ha="center", va="center", fontsize=11, fontweight="bold", color=colour)
    ax.set_xlim(-radius * 1.02, radius * 1.02)
    ax.set_ylim(-radius * 1.02, radius * 1.02)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.text(
        0.5,
        -0.01,
        f"Orthographic view centred on {lat_0:g}°N {_lon_label(lon_0)}; Natural Earth 1:110m land",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=9,
        color=style.GREY,
    )
    fig.subplots_adjust(left=0.02, right=0.98, top=0.92, bottom=0.05)
    return fig


# --------------------------------------------------------------------------------------------
# figure 4: schematic depth profiles
# --------------------------------------------------------------------------------------------


def _pick(depths: pd.DataFrame, crossing: str, measure: str, source_id: str | None = None) -> float:
    rows = depths[(depths["crossing"] == crossing) & (depths["measure"] == measure)]
    if source_id is not None:
        rows = rows[rows["source_id"] == source_id]
    if rows.empty:
        raise ValueError(f"no published {measure} for {crossing}" + (f" from {source_id}" if source_id else ""))
    return float(rows["depth_m"].iloc[0])


def _length(lengths: pd.DataFrame, crossing: str, measure: str) -> float:
    rows = lengths[(lengths["crossing"] == crossing) & (lengths["measure"] == measure)]
    if rows.empty:
        raise ValueError(f"no published {measure} for {crossing}")
    return float(rows["quoted_km"].iloc[0])


def depth_profile_inputs(depths: pd.DataFrame, lengths: pd.DataFrame, bering_stretches: pd.DataFrame) -> dict:
    """The published numbers each schematic profile is drawn from (all shown on the figure).

    Bering: land and water stretches along our island route (:func:`route_surfaces`), the
    published range of typical depth and the maxima. Channel and Seikan: tunnel and undersea
    lengths, water depths, and the tunnel's lowest point below sea level and below the seabed.
    """
    return {
        "bering_strait": {
            "stretches": bering_stretches[["start_km", "end_km", "surface"]].to_dict("records"),
            "water_low": _pick(depths, "bering_strait", "water_depth_range_low"),
            "water_high": _pick(depths, "bering_strait", "water_depth_range_high"),
            "water_max": _pick(
                depths, "bering_strait", "water_depth_max", "springer_eastern_arctic_seas_bering_strait"
            ),
            "water_max_route": _pick(depths, "bering_strait", "water_depth_max", "moscow_times_2007_bering_tunnel"),
        },
        "channel_tunnel": {
            "tunnel_km": _length(lengths, "channel_tunnel", "tunnel_length"),
            "undersea_km": _length(lengths, "channel_tunnel", "undersea_length"),
            "water_low": _pick(depths, "channel_tunnel", "water_depth_range_low"),
            "water_high": _pick(depths, "channel_tunnel", "water_depth_range_high"),
            "tunnel_low_point": _pick(depths, "channel_tunnel", "tunnel_below_sea_level_max"),
            "cover": _pick(depths, "channel_tunnel", "tunnel_below_seabed_max"),
        },
        "seikan_tunnel": {
            "tunnel_km": _length(lengths, "seikan_tunnel", "tunnel_length"),
            "undersea_km": _length(lengths, "seikan_tunnel", "undersea_length"),
            "water_low": _pick(depths, "seikan_tunnel", "water_depth_at_tunnel"),
            "water_high": _pick(depths, "seikan_tunnel", "water_depth_at_tunnel"),
            "tunnel_low_point": _pick(depths, "seikan_tunnel", "tunnel_below_sea_level_max"),
            "cover": _pick(depths, "seikan_tunnel", "tunnel_below_seabed", "howstuffworks_seikan_tunnel"),
        },
    }


def _symmetric_stretches(total_km: float, undersea_km: float) -> list[dict]:
    if undersea_km > total_km:
        raise ValueError(f"undersea length {undersea_km} exceeds the tunnel length {total_km}")
    side = (total_km - undersea_km) / 2
    return [
        {"start_km": 0.0, "end_km": side, "surface": "land"},
        {"start_km": side, "end_km": side + undersea_km, "surface": "water"},
        {"start_km": side + undersea_km, "end_km": total_km, "surface": "land"},
    ]


def seabed_polygon(stretches: list[dict], depth: float, ramp_km: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Schematic seabed through the water stretches: down from 0 at each shore to ``depth`` over
    ``ramp_km`` (or a third of the stretch if shorter), flat between. Returns (km, depth) vertices."""
    xs, ds = [], []
    for s in stretches:
        if s["surface"] != "water":
            continue
        a, b = s["start_km"], s["end_km"]
        ramp = min(ramp_km, (b - a) / 3)
        xs += [a, a + ramp, b - ramp, b]
        ds += [0.0, depth, depth, 0.0]
    return np.asarray(xs), np.asarray(ds)


def depth_profiles(inputs: dict):
    """Three schematic cross-sections on one length and depth scale: the Bering Strait on the
    island route, the Channel Tunnel and the Seikan Tunnel. Shapes are schematic; only the
    numbers marked on the figure are published."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    panels = [
        ("bering_strait", "Bering Strait, island route (our geometry; no tunnel depth published)"),
        ("channel_tunnel", "Channel Tunnel"),
        ("seikan_tunnel", "Seikan Tunnel"),
    ]
    fig, axes = plt.subplots(3, 1, figsize=(11, 8.2), dpi=SCREEN_DPI, sharex=True, sharey=True)
    water = style.PALETTE["sky"]
    tunnel = style.PALETTE["vermillion"]
    for ax, (key, title) in zip(axes, panels):
        p = inputs[key]
        stretches = p.get("stretches") or _symmetric_stretches(p["tunnel_km"], p["undersea_km"])
        end = max(s["end_km"] for s in stretches)
        for s in stretches:
            if s["surface"] == "land":
                ax.add_patch(Rectangle((s["start_km"], -16), s["end_km"] - s["start_km"], 16, fc="#BDBDBD", ec="none"))
        x_hi, d_hi = seabed_polygon(stretches, p["water_high"])
        x_lo, d_lo = seabed_polygon(stretches, p["water_low"])
        ax.fill_between(x_lo, 0, d_lo, color=water, alpha=0.55, lw=0)
        if p["water_high"] > p["water_low"]:
            ax.fill_between(x_hi, d_lo if len(d_lo) == len(d_hi) else 0, d_hi, color=water, alpha=0.22, lw=0)
        ax.plot(x_hi, d_hi, color="#2B6C8F", lw=1.0)
        ax.axhline(0, color="#2B6C8F", lw=0.8)
        # every label sits in a column to the right of the crossing, joined to the depth it describes
        if p["water_high"] > p["water_low"]:
            water_text = f"water {p['water_low']:.0f}–{p['water_high']:.0f} m deep (published range)"
        else:
            water_text = f"water {p['water_high']:.0f} m deep at the tunnel"
        notes = [(water_text, (p["water_low"] + p["water_high"]) / 2, "#2B6C8F")]
        if key == "bering_strait":
            for depth, text, ls in (
                (p["water_max_route"], "deepest on the 2007 route (reported)", ":"),
                (p["water_max"], "strait maximum", "--"),
            ):
                ax.plot([0, end], [depth, depth], color="#2B6C8F", lw=0.9, ls=ls)
                notes.append((f"{text}: {depth:.0f} m", depth, "#2B6C8F"))
        text_y = [35.0 + 45.0 * i for i in range(len(notes))] if key == "bering_strait" else [n[1] for n in notes]
        for (text, depth, colour), ty in zip(notes, text_y):
            ax.annotate(
                text,
                (end, depth),
                xytext=(end + 4, ty),
                textcoords="data",
                va="center",
                fontsize=9.5,
                color=colour,
                arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.7, "shrinkB": 0},
            )
        if key == "bering_strait":
            islands = [s for s in stretches if s["surface"] == "land" and s["end_km"] - s["start_km"] > 1.0]
            if islands:
                ax.annotate(
                    "the two Diomedes",
                    ((islands[0]["start_km"] + islands[-1]["end_km"]) / 2, -16),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=9,
                    color=style.GREY,
                )
            ax.annotate(
                f"{end:.1f} km, cape to cape via the islands",
                (end, 0),
                xytext=(6, 8),
                textcoords="offset points",
                fontsize=9,
                va="bottom",
            )
        else:
            side = stretches[0]["end_km"]
            low = p["tunnel_low_point"]
            tx = [0.0, side, end - side, end]
            tz = [0.0, low, low, 0.0]
            ax.plot(tx, tz, color=tunnel, lw=2.2)
            ax.annotate(
                f"tunnel: lowest point {low:.0f} m below sea level, {p['cover']:.0f} m below the seabed",
                (end, low),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=9.5,
                color=tunnel,
            )
            ax.annotate(
                f"{p['tunnel_km']:g} km portal to portal, {p['undersea_km']:g} km under the sea",
                (end, 0),
                xytext=(6, 8),
                textcoords="offset points",
                fontsize=9,
                va="bottom",
            )
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_ylabel("depth (m below sea level)")
        ax.grid(axis="x", visible=False)
    axes[0].set_ylim(300, -45)
    axes[0].set_xlim(-2, 128)
    axes[-1].set_xlabel("distance along the crossing (km)")
    fig.text(
        0.985, 0.5, "SCHEMATIC", rotation=90, ha="right", va="center", fontsize=22, color="#B0B0B0", fontweight="bold"
    )
    fig.text(
        0.01,
        0.012,
        "SCHEMATIC: seabed and tunnel shapes are not surveyed; each panel shows only the published "
        "depths and lengths marked on it. Vertical scale exaggerated about 300 times; land (grey) not to height.",
        fontsize=9,
        color=style.GREY,
    )
    fig.tight_layout(rect=(0, 0.03, 0.965, 0.93))
    return fig


# --------------------------------------------------------------------------------------------
# figure 5: interactive map (plotly, projected km, no tiles)
# --------------------------------------------------------------------------------------------


def _rings_xy(geometry, decimals: int = 2) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for poly in geo.polygons_of(geometry):
        c = np.round(np.asarray(poly.exterior.coords), decimals)
        xs += c[:, 0].tolist() + [None]
        ys += c[:, 1].tolist() + [None]
    return xs, ys


def interactive_map(
    land,
    places: pd.DataFrame,
    segments: pd.DataFrame,
    gaps: pd.DataFrame,
    boundary: dict,
    alignments: pd.DataFrame,
    window: tuple[float, float, float, float] = (-260, -210, 240, 130),
    tolerance_km: float = 1.0,
):
    """Plotly map of the strait drawn from our own projected geometry (km), no tiles, no topojson.

    The coastline is clipped to ``window`` and simplified with a ``tolerance_km`` Douglas-Peucker
    tolerance in the projected plane (so the stored figure stays small). Hovering a route shows
    its segment and length; hovering a place shows its name and distance to both capes.
    """
    import plotly.graph_objects as go
    from shapely.geometry import box

    clipped = land.intersection(box(*window)).simplify(tolerance_km, preserve_topology=True)
    fig = go.Figure()
    lx, ly = _rings_xy(clipped)
    fig.add_trace(
        go.Scatter(
            x=lx,
            y=ly,
            mode="lines",
            fill="toself",
            fillcolor=LAND_FACE,
            line={"color": LAND_EDGE, "width": 0.6},
            hoverinfo="skip",
            name="land (1:10m, simplified)",
        )
    )
    b_lat = np.linspace(boundary["lats"].min(), boundary["lats"].max(), 200)
    bx, by = geo.project(b_lat, np.full_like(b_lat, boundary["lons"][0]))
    keep = (by >= window[1]) & (by <= window[3])
    bx, by = bx[keep], by[keep]
    fig.add_trace(
        go.Scatter(
            x=np.round(bx, 2),
            y=np.round(by, 2),
            mode="lines",
            name="US–Russia border (≈ date line)",
            line={"color": ROUTE_COLOURS["border"], "width": 2, "dash": "dashdot"},
            hovertemplate=(
                f"US–Russia border, {dms(boundary['lons'][0], 'E', 'W')}<br>date line runs near it<extra></extra>"
            ),
        )
    )
    names = dict(zip(alignments["alignment_id"], alignments["name"]))
    pname = places.set_index("place_id")["name"]
    drawn = {
        "cape_to_cape": ("cape to cape (reference)", "black", "dash", 1.5),
        "diomedes_tunnel": ("island route, 2007 (assumed for 2025)", ROUTE_COLOURS["island"], "solid", 3.5),
        "interbering_2011": ("2011 Uelen route", ROUTE_COLOURS["interbering_2011"], "solid", 2.5),
        "us_fairbanks_nome_line": ("Nome–Cape Prince of Wales link (straight)", style.PALETTE["sky"], "dot", 2),
    }
    for alignment_id, (label, colour, dash, width) in drawn.items():
        rows = segments[segments["alignment_id"] == alignment_id]
        xs: list = []
        ys: list = []
        texts: list = []
        for r in rows.itertuples():
            lats, lons = geo.great_circle_points(r.from_lat, r.from_lon, r.to_lat, r.to_lon, n=12)
            x, y = geo.project(lats, lons)
            if not ((x >= window[0]) & (x <= window[2]) & (y >= window[1]) & (y <= window[3])).all():
                continue  # segments reaching beyond the map (Fairbanks-Nome) are left to the region map
            text = (
                f"{names.get(alignment_id, alignment_id)}<br>{pname[r.from_place]} → {pname[r.to_place]}: "
                f"{r.length_km:.1f} km<br>running total {r.cumulative_km:.1f} km"
            )
            xs += np.round(x, 2).tolist() + [None]
            ys += np.round(y, 2).tolist() + [None]
            texts += [text] * len(x) + [None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=label,
                text=texts,
                line={"color": colour, "dash": dash, "width": width},
                hovertemplate="%{text}<extra></extra>",
            )
        )
    labels = {
        0: "shortest gap, Chukotka – Big Diomede",
        1: "shortest gap between the Diomedes",
        2: "shortest gap, Little Diomede – Alaska",
        3: "shortest gap, mainland to mainland",
    }
    gx: list = []
    gy: list = []
    gt: list = []
    for i, g in gaps.reset_index(drop=True).iterrows():
        lats, lons = geo.great_circle_points(g.shore_from_lat, g.shore_from_lon, g.shore_to_lat, g.shore_to_lon, n=6)
        x, y = geo.project(lats, lons)
        gx += np.round(x, 2).tolist() + [None]
        gy += np.round(y, 2).tolist() + [None]
        gt += [f"{labels.get(i, 'gap')}: {g.gap_km:.2f} km of water"] * len(x) + [None]
    fig.add_trace(
        go.Scatter(
            x=gx,
            y=gy,
            mode="lines",
            name="shortest water gaps (1:10m)",
            text=gt,
            line={"color": ROUTE_COLOURS["gap"], "dash": "dot", "width": 2},
            hovertemplate="%{text}<extra></extra>",
        )
    )
    shown = places[
        places["place_id"].isin(
            [
                "cape_dezhnev",
                "uelen",
                "lavrentiya",
                "big_diomede",
                "little_diomede",
                "cape_prince_of_wales",
                "wales",
                "tin_city",
                "nome",
            ]
        )
    ]
    px, py = geo.project(shown["lat"].to_numpy(float), shown["lon"].to_numpy(float))
    (dlat, dlon), (wlat, wlon) = _coords(places, "cape_dezhnev"), _coords(places, "cape_prince_of_wales")
    to_d = geo.geodesic_km(dlat, dlon, shown["lat"].to_numpy(float), shown["lon"].to_numpy(float))
    to_w = geo.geodesic_km(wlat, wlon, shown["lat"].to_numpy(float), shown["lon"].to_numpy(float))
    hover = [
        f"<b>{n}</b> ({c})<br>{lat:.4f}°N {abs(lon):.4f}°W<br>to Cape Dezhnev {d:.1f} km<br>"
        f"to Cape Prince of Wales {w:.1f} km"
        for n, c, lat, lon, d, w in zip(shown["name"], shown["country"], shown["lat"], shown["lon"], to_d, to_w)
    ]
    fig.add_trace(
        go.Scatter(
            x=np.round(px, 2),
            y=np.round(py, 2),
            mode="markers+text",
            name="places",
            text=shown["name"].tolist(),
            textposition="top center",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            marker={"color": "black", "size": 7},
            textfont={"size": 12},
        )
    )
    fig.update_layout(
        height=680,
        hovermode="closest",
        plot_bgcolor=WATER_FACE,
        xaxis={
            "title": "km east of 66°N 169°W (Lambert azimuthal equal-area)",
            "range": [window[0], window[2]],
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={
            "title": "km north of 66°N 169°W",
            "range": [window[1], window[3]],
            "scaleanchor": "x",
            "scaleratio": 1,
            "showgrid": False,
            "zeroline": False,
        },
        legend={"orientation": "h", "y": -0.2, "x": 0, "font": {"size": 12}},
    )
    return fig


def factor_sensitivity(
    places: pd.DataFrame,
    segments: pd.DataFrame,
    lengths: pd.DataFrame,
    crossing_id: str,
    factors: pd.DataFrame,
    assumed: float,
    tunnel_km: float,
    corridors: Mapping[str, str] = CORRIDORS,
) -> pd.DataFrame:
    """New railway per side and the tunnel's share with the lowest sourced route factor, the
    assumed one, and the highest sourced one (for the corridors without a published length)."""
    cases = [
        ("lowest sourced", float(factors["route_factor"].min())),
        ("assumed", float(assumed)),
        ("highest sourced", float(factors["route_factor"].max())),
    ]
    rows = []
    for label, factor in cases:
        links = missing_links(places, segments, lengths, crossing_id, factor, corridors)
        per_side = links.groupby("side", sort=False)["length_km"].sum()
        row = {"case": label, "route_factor": factor}
        row.update({f"new_rail_{side.lower()}_km": km for side, km in per_side.items()})
        row["tunnel_share"] = tunnel_share(tunnel_km, per_side.to_numpy())
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# key numbers (the contract shared by the analysis modules; see bering.results)
# --------------------------------------------------------------------------------------------

RESULT_COLUMNS = ["key", "value", "unit", "description"]


def results(data_dir=None, scenario: str = "baseline") -> pd.DataFrame:
    """Notebook 02's key numbers computed from the data folder: ``key, value, unit, description``.

    The geometry does not depend on the cost model's scenario; ``scenario`` is accepted so every
    analysis module can be called alike. Cached per resolved data folder.
    """
    folder = Path(data_dir).resolve() if data_dir else paths.data_dir().resolve()
    return _results(folder).copy()


@functools.cache
def _results(folder: Path) -> pd.DataFrame:
    places = data.load("places", folder)
    segments = data.load("alignment_segments", folder)
    alignments = data.load("alignments", folder)
    lengths = load_published_lengths(folder)
    land_lonlat = geo.land_polygons(folder / "geo" / "land_bering_10m.geojson")
    land = geo.project_land(land_lonlat)
    seg = geo.segment_lengths(places, segments)
    summary = geo.alignment_summary(places, segments, alignments).set_index("alignment_id")
    surfaces = crossing_surfaces(geo.segment_land_sea(seg[seg["segment_type"] == "undersea_tunnel"], land_lonlat))
    island = surfaces.set_index("alignment_id").loc["diomedes_tunnel"]
    gaps = water_gaps(land, places)
    factors = route_factors(lengths, summary.reset_index())
    factor = assumption_value(ASSUMPTION_ROUTE_FACTOR, folder)
    links = missing_links(places, segments, lengths, "putin_trump_2025", factor)
    tunnel_km = float(lengths.set_index("length_id").loc["tunnel_putin_trump_2025", "quoted_km"])
    tunnel_straight_km = float(summary.loc["putin_trump_2025", "total_km"])
    build = new_construction(links, tunnel_km, tunnel_straight_km).set_index("part")
    side_km = links.groupby("side")["length_km"].sum()
    whole = new_construction_lengths(folder)
    rows = [
        (
            "strait_cape_to_cape_km",
            float(summary.loc["cape_to_cape", "total_km"]),
            "km",
            "WGS84 geodesic between the published coordinates of Cape Dezhnev and Cape Prince of Wales",
        ),
        (
            "strait_shore_to_shore_km",
            float(gaps["gap_km"].iloc[-1]),
            "km",
            "Shortest water distance between the Asian and North American mainland coasts (Natural Earth 1:10m)",
        ),
        (
            "diomede_gap_km",
            float(gaps["gap_km"].iloc[1]),
            "km",
            "Shortest water distance between Big and Little Diomede (Natural Earth 1:10m)",
        ),
        (
            "route_via_diomedes_km",
            float(island["total_km"]),
            "km",
            "Island route Cape Dezhnev - Big Diomede - Little Diomede - Cape Prince of Wales, geodesic",
        ),
        (
            "route_via_diomedes_water_km",
            float(island["water_km"]),
            "km",
            "Part of the island route over water (Natural Earth 1:10m coastline)",
        ),
        (
            "route_via_diomedes_undersea_share",
            float(island["water_share"]),
            "fraction",
            "Share of the island route over water",
        ),
        (
            "tunnel_2025_excess_over_island_route_km",
            tunnel_km - tunnel_straight_km,
            "km",
            "Published 2025 tunnel length minus the geodesic island route",
        ),
        (
            "route_factor_pooled",
            float(pooled_route_factor(factors)),
            "ratio",
            "Published length over straight length, pooled over the sourced approach corridors",
        ),
        (
            "new_rail_russia_km",
            float(side_km["Russia"]),
            "km",
            "New railway from the Lena railhead to a portal at Cape Dezhnev (published length plus connector "
            "with the assumed route factor)",
        ),
        (
            "new_rail_alaska_km",
            float(side_km["Alaska"]),
            "km",
            "New railway from Fairbanks via Nome to Cape Prince of Wales (straight length times the assumed "
            "route factor)",
        ),
        (
            "tunnel_share_of_new_construction_to_fairbanks",
            float(build.loc["tunnel", "share"]),
            "fraction",
            "The 2025 tunnel's published length as a share of tunnel plus the new railway to the Lena railhead and "
            "to Fairbanks (the Alaska Railroad, which has no rail link to Canada)",
        ),
        (
            "new_rail_north_america_km",
            whole["na_km"],
            "km",
            "New railway from the Alaska Railroad to the Canadian network (data/link_segments.csv)",
        ),
        (
            "new_rail_whole_link_km",
            whole["russia_km"] + whole["alaska_km"] + whole["na_km"],
            "km",
            "New railway of the whole link on both sides, to connected railheads (data/link_segments.csv)",
        ),
        (
            "tunnel_share_of_new_construction",
            whole["tunnel_km"] / sum(whole.values()),
            "fraction",
            "The tunnel's length as a share of all new construction of the whole link: tunnel plus new railway to "
            "connected railheads on both sides (data/link_segments.csv)",
        ),
    ]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def findings(data_dir=None):
    """Notebook 02's opening: three to five sentences, every number computed from :func:`results`."""
    from . import fmt
    from .notebook import Markdown

    v = results(data_dir).set_index("key")["value"].astype(float)
    n = fmt.number
    tunnel_km = v["route_via_diomedes_km"] + v["tunnel_2025_excess_over_island_route_km"]
    lines = [
        f"The strait is {n(v['strait_shore_to_shore_km'])} km wide between the mainland shores at their closest and "
        f"{n(v['strait_cape_to_cape_km'])} km between the published coordinates of its two capes; the Diomedes "
        f"split it, with {n(v['diomede_gap_km'])} km of water between them.",
        f"The island route from Cape Dezhnev to Cape Prince of Wales is {n(v['route_via_diomedes_km'])} km, "
        f"{n(100 * v['route_via_diomedes_undersea_share'])} % of it over water; the 2025 pitch's {n(tunnel_km)} km "
        f"tunnel is {n(v['tunnel_2025_excess_over_island_route_km'])} km longer, room for portals inland.",
        f"The tunnel is the short part: a link that reaches connected railways on both sides also needs about "
        f"{n(v['new_rail_russia_km'])} km of new railway in Russia, {n(v['new_rail_alaska_km'])} km in Alaska to "
        f"Fairbanks and {n(v['new_rail_north_america_km'])} km from the Alaska Railroad to the Canadian network "
        f"({n(v['new_rail_whole_link_km'])} km in all), so the tunnel is "
        f"{n(100 * v['tunnel_share_of_new_construction'])} % of the new construction "
        f"({n(100 * v['tunnel_share_of_new_construction_to_fairbanks'])} % if the link stopped at Fairbanks).",
        f"Published corridor lengths run {n(v['route_factor_pooled'])} times the straight line between their ends "
        "(pooled); that route factor, rounded, is the assumption used where no length is published.",
    ]
    return Markdown("**Findings**\n\n" + "\n".join(f"- {line}" for line in lines))
