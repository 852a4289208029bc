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
* the published numbers behind the schematic depth profiles (:func:`depth_profile_inputs`);
* every intermediate table of the notebook in one cached bundle (:func:`geometry`) and its key
  numbers (:func:`results`, :func:`findings`).

This module is the model: it imports neither matplotlib nor plotly. The figures that draw it (the
strait close up, the region, the globe, the depth profiles and the interactive map) are in
:mod:`bering.plots.route`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from . import data, geo, paths, units
from . import results as results_cache

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


def dms(value: float, positive: str, negative: str) -> str:
    """Degrees as degrees, minutes and whole seconds with a hemisphere letter, e.g. ``168°58′37″W``."""
    hemisphere = positive if value >= 0 else negative
    seconds = int(round(abs(float(value)) * 3600))
    d, rest = divmod(seconds, 3600)
    m, sec = divmod(rest, 60)
    return f"{d}°{m:02d}′{sec:02d}″{hemisphere}"


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
# depth profiles: the published numbers behind the schematic
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
# the notebook's tables in one bundle
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """Every table notebook 02 computes from one data folder (see :func:`geometry`).

    Shared between :func:`results` and the figures of :mod:`bering.plots.route`; treat the frames
    as read-only (they are cached).
    """

    folder: Path
    places: pd.DataFrame
    segments: pd.DataFrame
    alignments: pd.DataFrame
    lengths: pd.DataFrame
    seg: pd.DataFrame
    summary: pd.DataFrame
    land_lonlat: list
    land: object
    gaps: pd.DataFrame
    surfaces: pd.DataFrame
    stretches: pd.DataFrame
    factors: pd.DataFrame
    factor: float
    links: pd.DataFrame
    tunnel_km: float
    tunnel_straight_km: float
    boundary: dict
    depths: pd.DataFrame

    def depth_inputs(self) -> dict:
        """:func:`depth_profile_inputs` for this folder."""
        return depth_profile_inputs(self.depths, self.lengths, self.stretches)


def _folder(data_dir=None) -> Path:
    return Path(data_dir).resolve() if data_dir else paths.data_dir().resolve()


def geometry(data_dir=None) -> Geometry:
    """The notebook's tables for ``data_dir`` (default: the collection's data folder), cached on the
    content of what they are computed from (:data:`GEOMETRY_TABLES`, :data:`GEOMETRY_FILES` and the
    assumed route factor), so a copy of the folder with the same inputs shares them.

    ``land`` is the 1:10m coastline projected to the strait's equal-area map in km with the cut at
    180 dissolved (:func:`bering.geo.project_land`); ``gaps`` are the island chain's
    :func:`water_gaps`; ``surfaces`` the land and water along each undersea crossing;
    ``stretches`` those along the island route; ``links`` the :func:`missing_links` of the 2025
    crossing with the assumed route ``factor``.
    """
    return _geometry(_folder(data_dir))


#: What :func:`geometry` reads from a data folder: the tables it loads, the other files it opens and
#: the assumptions it reads. They are its cache key (``tests/test_performance.py`` checks the lists
#: against what a computation really loads).
GEOMETRY_TABLES = ("places", "alignment_segments", "alignments", "published_lengths", "depths")
GEOMETRY_FILES = ("geo/land_bering_10m.geojson", "geo/us_russia_boundary_strait.geojson")
GEOMETRY_ASSUMPTIONS = (ASSUMPTION_ROUTE_FACTOR,)
#: What :func:`results` reads on top of the geometry (:func:`link_segments`).
RESULTS_TABLES = GEOMETRY_TABLES + ("link_segments", "megaprojects")

#: Computed bundles and key numbers by the content of their inputs (a copy of the data folder with
#: the same route inputs, such as the ledger's assumption variants, shares them); bounded.
_GEOMETRIES = results_cache.ContentCache(8)
_RESULTS = results_cache.ContentCache(16)


def _geometry(folder: Path) -> Geometry:
    key = results_cache.content_key(folder, GEOMETRY_TABLES, GEOMETRY_FILES, GEOMETRY_ASSUMPTIONS)
    g = _GEOMETRIES.get(key, lambda: _compute_geometry(folder))
    return g if g.folder == folder else dataclasses.replace(g, folder=folder)


def _compute_geometry(folder: Path) -> Geometry:
    places = data.load("places", folder)
    segments = data.load("alignment_segments", folder)
    alignments = data.load("alignments", folder)
    lengths = load_published_lengths(folder)
    land_lonlat = geo.land_polygons(folder / "geo" / "land_bering_10m.geojson")
    land = geo.project_land(land_lonlat)
    seg = geo.segment_lengths(places, segments)
    summary = geo.alignment_summary(places, segments, alignments)
    surfaces = crossing_surfaces(geo.segment_land_sea(seg[seg["segment_type"] == "undersea_tunnel"], land_lonlat))
    factor = assumption_value(ASSUMPTION_ROUTE_FACTOR, folder)
    return Geometry(
        folder=folder,
        places=places,
        segments=segments,
        alignments=alignments,
        lengths=lengths,
        seg=seg,
        summary=summary,
        land_lonlat=land_lonlat,
        land=land,
        gaps=water_gaps(land, places),
        surfaces=surfaces,
        stretches=route_surfaces(land, places),
        factors=route_factors(lengths, summary),
        factor=factor,
        links=missing_links(places, segments, lengths, LINK_CROSSING, factor),
        tunnel_km=float(lengths.set_index("length_id").loc["tunnel_putin_trump_2025", "quoted_km"]),
        tunnel_straight_km=float(summary.set_index("alignment_id").loc[LINK_CROSSING, "total_km"]),
        boundary=load_boundary(folder / "geo" / "us_russia_boundary_strait.geojson"),
        depths=data.load("depths", folder),
    )


# --------------------------------------------------------------------------------------------
# key numbers (the contract shared by the analysis modules; see bering.results)
# --------------------------------------------------------------------------------------------

RESULT_COLUMNS = ["key", "value", "unit", "description"]


def results(data_dir=None, scenario: str = "baseline") -> pd.DataFrame:
    """Notebook 02's key numbers computed from the data folder: ``key, value, unit, description``.

    The geometry does not depend on the cost model's scenario; ``scenario`` is accepted so every
    analysis module can be called alike. Cached on the content of its inputs (:data:`RESULTS_TABLES`,
    :data:`GEOMETRY_FILES`, the assumed route factor), not on the folder's path.
    """
    folder = _folder(data_dir)
    key = results_cache.content_key(folder, RESULTS_TABLES, GEOMETRY_FILES, GEOMETRY_ASSUMPTIONS)
    return _RESULTS.get(key, lambda: _compute_results(folder)).copy()


def _compute_results(folder: Path) -> pd.DataFrame:
    g = _geometry(folder)
    gaps, links, tunnel_km = g.gaps, g.links, g.tunnel_km
    summary = g.summary.set_index("alignment_id")
    island = g.surfaces.set_index("alignment_id").loc["diomedes_tunnel"]
    build = new_construction(links, tunnel_km, g.tunnel_straight_km).set_index("part")
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
            tunnel_km - g.tunnel_straight_km,
            "km",
            "Published 2025 tunnel length minus the geodesic island route",
        ),
        (
            "route_factor_pooled",
            float(pooled_route_factor(g.factors)),
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
