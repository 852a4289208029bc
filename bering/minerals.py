"""Critical minerals and the freight a Bering crossing could carry (notebook 04).

The REEx opinion of 21 October 2025 argues that a Bering corridor would link Russia's rare-earth
deposits (Tomtor, Lovozero, Zashikhinskoye) to North American markets and cut dependence on China.
This module supplies the numbers to test that claim:

* **concentration** - each country's share of world rare-earth mine production and the
  Herfindahl-Hirschman index (HHI: shares in percent, squared, summed) for the years whose
  production table is complete (:func:`table_completeness`, :func:`shares`, :func:`hhi_by_year`).
  "Other countries" is handled two ways: as one country (an upper bound on the HHI) or left out
  (a lower bound, as if it were split into infinitely many small producers);
* **Russia's targets** - the output each stated 2030 target implies, next to actual output
  (:func:`target_gaps`);
* **routes** - freight routes from each Russian deposit to an Alaskan refinery site (Fairbanks) and
  to the US Gulf Coast (Houston) overland through the crossing, by the Northern Sea Route, and by
  the ice-free sea lanes; lengths are geodesic polylines through sourced waypoints
  (:func:`route_legs`), costs and transit times follow from sourced rates (:func:`unit_rates`,
  :func:`route_table`), each as a low / central / high range (:data:`SCENARIOS`);
* **volume** - Russia's rare-earth output against the freight capacity claimed for the crossing
  (:func:`volume_table`);
* **verdict** - the cost and time saved (or lost) by the overland route, as ranges
  (:func:`verdict_table`).

Land legs drawn as straight geodesics are shorter than real track or road; they are scaled by the
route factors of the corridors whose lengths are published (:func:`route_factors`). Sea legs run
through waypoints placed in the shipping lanes and are not scaled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import geo, money
from .notebook import Markdown

# ------------------------------------------------------------------------------------------
# constants

WORLD = "World total"
OTHER = "Other countries"
#: 1 short ton-mile in tonne-km (0.90718474 t x 1.609344 km).
SHORT_TON_MILE_TKM = 0.90718474 * 1.609344
MILE_KM = 1.609344
KNOT_KMH = 1.852
#: Scenario names, in the order tables show them. "low" is the cheap-and-fast end of every range.
SCENARIOS = ("low", "central", "high")

#: Transport modes of a route leg: which rate and speed apply, whether the geodesic is scaled by
#: the land route factor, and which network the cargo is on (a change of network is a transfer).
MODES = {
    "truck": dict(rate="truck", speed="truck", land=True, network="road", label="truck"),
    "rail_ru": dict(rate="rail_russia", speed="rail_russia", land=True, network="rail_ru",
                    label="existing Russian rail"),
    "rail_ru_new": dict(rate="rail_russia", speed="rail_russia", land=True, network="rail_ru",
                        label="new Russian line"),
    "tunnel": dict(rate="rail_north_america", speed="rail_north_america", land=False,
                   network="rail_na", label="Bering tunnel"),
    "rail_na_new": dict(rate="rail_north_america", speed="rail_north_america", land=True,
                        network="rail_na", label="new North American line"),
    "rail_na": dict(rate="rail_north_america", speed="rail_north_america", land=True,
                    network="rail_na", label="existing North American rail"),
    "sea_nsr": dict(rate="sea_nsr", speed="sea", land=False, network="sea",
                    label="Northern Sea Route"),
    "sea": dict(rate="sea", speed="sea", land=False, network="sea", label="open sea"),
}

#: Route options, in display order.
OPTIONS = {
    "overland": "Overland through the crossing",
    "nsr": "Northern Sea Route, east",
    "nsr_west": "Northern Sea Route, west, then Atlantic",
    "conventional": "Ice-free sea lanes (Atlantic, Panama or Pacific)",
    "suez_bound": "Via Suez (lower bound on length)",
}
DESTINATIONS = {"alaska": "Fairbanks, Alaska (refinery site)", "gulf": "Houston, US Gulf Coast"}
DEPOSITS = ("tomtor", "lovozero", "zashikhinskoye")


def _align(alignment_id: str, reverse: bool = False) -> str:
    return f"alignment:{alignment_id}" + (":reverse" if reverse else "")


# Building blocks of the routes. A leg is (mode, stops); stops are point ids or an alignment of
# data/alignment_segments.csv. Every choice of port, railhead or lane is a modelling choice,
# shown in the notebook.
_TO_CROSSING = [  # from the AYaM railhead on the Lena to the Alaskan side of the strait
    ("rail_ru_new", _align("ru_lena_uelen_line")),
    ("rail_ru_new", ["uelen", "cape_dezhnev"]),
    ("tunnel", _align("putin_trump_2025")),
    ("rail_na_new", _align("us_fairbanks_nome_line", reverse=True)),
]
_FAIRBANKS_TO_GULF = [
    ("rail_na", ["fairbanks", "eielson_afb"]),
    ("rail_na_new", _align("us_northern_rail_extension")),
    ("rail_na_new", ["delta_junction", "fort_mcmurray"]),
    ("rail_na", ["fort_mcmurray", "port_of_houston"]),
]
_SEWARD_TO_FAIRBANKS = [("rail_na", ["seward", "anchorage", "nenana", "fairbanks"])]
_GULF_OF_ALASKA = ["unimak_pass", "chirikof_island", "ugak_bay", "seward"]
_PACIFIC_TO_GULF = ["revillagigedo_islands", "cocos_island", "panama_canal", "yucatan_channel",
                    "port_of_houston"]
_ATLANTIC_TO_GULF = ["north_cape", "cape_race", "straits_of_florida", "port_of_houston"]
_NSR_KOLA_TO_BERING = ["kola_bay", "kara_strait", "cape_chelyuskin", "sannikov_strait",
                       "long_strait", "bering_strait"]
_NSR_TIKSI_TO_BERING = ["tiksi", "sannikov_strait", "long_strait", "bering_strait"]
_VLADIVOSTOK_OUT = ["vladivostok", "tsugaru_strait", "cape_erimo"]

#: First legs from each deposit: to the railhead of the overland route, to its Arctic port, and to
#: its port on the ice-free lanes.
_FIRST = {
    "tomtor": {
        "rail": [("truck", ["tomtor", "nizhny_bestyakh"])],
        "arctic": [("truck", ["tomtor", "tiksi"])],
        "pacific": [("truck", ["tomtor", "nizhny_bestyakh"]),
                    ("rail_ru", ["nizhny_bestyakh", "tynda", "khabarovsk", "vladivostok"])],
    },
    "lovozero": {
        "rail": [("truck", ["lovozero", "kola_bay"]),
                 ("rail_ru", ["kola_bay", "yekaterinburg", "tulun", "tynda", "nizhny_bestyakh"])],
        "arctic": [("truck", ["lovozero", "kola_bay"])],
        "atlantic": [("truck", ["lovozero", "kola_bay"])],
    },
    "zashikhinskoye": {
        "rail": [("truck", ["zashikhinskoye", "tulun"]),
                 ("rail_ru", ["tulun", "tynda", "nizhny_bestyakh"])],
        "pacific": [("truck", ["zashikhinskoye", "tulun"]),
                    ("rail_ru", ["tulun", "tynda", "khabarovsk", "vladivostok"])],
    },
}


def route_specs() -> pd.DataFrame:
    """Every modelled route: ``deposit, destination, option, legs`` (legs as (mode, stops) tuples).

    Options a deposit cannot sensibly use are left out: Zashikhinskoye (southern Siberia) has no
    Arctic port, Lovozero (Kola Peninsula) no Pacific one. The Suez routing is computed only as a
    lower bound on length, and only where it could be a contender.
    """
    rows = []

    def add(dep, dest, option, legs):
        rows.append({"deposit": dep, "destination": dest, "option": option, "legs": legs})

    for dep, first in _FIRST.items():
        add(dep, "alaska", "overland", first["rail"] + _TO_CROSSING)
        add(dep, "gulf", "overland", first["rail"] + _TO_CROSSING + _FAIRBANKS_TO_GULF)
        if "arctic" in first:
            nsr = _NSR_TIKSI_TO_BERING if dep == "tomtor" else _NSR_KOLA_TO_BERING
            add(dep, "alaska", "nsr", first["arctic"] + [("sea_nsr", nsr),
                ("sea", ["bering_strait", *_GULF_OF_ALASKA])] + _SEWARD_TO_FAIRBANKS)
            add(dep, "gulf", "nsr", first["arctic"] + [("sea_nsr", nsr),
                ("sea", ["bering_strait", "unimak_pass", *_PACIFIC_TO_GULF])])
        if dep == "tomtor":
            add(dep, "gulf", "nsr_west", first["arctic"] + [
                ("sea_nsr", ["tiksi", "cape_chelyuskin", "kara_strait", "kola_bay"]),
                ("sea", ["kola_bay", *_ATLANTIC_TO_GULF])])
        if "pacific" in first:
            add(dep, "alaska", "conventional", first["pacific"] + [
                ("sea", [*_VLADIVOSTOK_OUT, *_GULF_OF_ALASKA])] + _SEWARD_TO_FAIRBANKS)
            add(dep, "gulf", "conventional", first["pacific"] + [
                ("sea", [*_VLADIVOSTOK_OUT, *_PACIFIC_TO_GULF])])
            add(dep, "gulf", "suez_bound", first["pacific"] + [
                ("sea", ["vladivostok", "singapore_strait", "port_said", "port_of_houston"])])
        if "atlantic" in first:
            add(dep, "gulf", "conventional", first["atlantic"] + [("sea", ["kola_bay", *_ATLANTIC_TO_GULF])])
            add(dep, "alaska", "conventional", first["atlantic"] + [
                ("sea", ["kola_bay", "north_cape", "cape_race", "straits_of_florida", "yucatan_channel",
                         "panama_canal", "cocos_island", "revillagigedo_islands", *_GULF_OF_ALASKA])]
                + _SEWARD_TO_FAIRBANKS)
            add(dep, "alaska", "suez_bound", first["atlantic"] + [
                ("sea", ["kola_bay", "port_said", "singapore_strait", "seward"])] + _SEWARD_TO_FAIRBANKS)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# production shares and concentration


def _check_production(prod: pd.DataFrame) -> None:
    for col in ("country", "year", "production_t_reo"):
        if col not in prod.columns:
            raise ValueError(f"production table has no column {col!r}")
    if (pd.to_numeric(prod["production_t_reo"]) < 0).any():
        raise ValueError("production must not be negative")
    dupes = prod.duplicated(["country", "year"])
    if dupes.any():
        first = prod.loc[dupes, ["country", "year"]].iloc[0]
        raise ValueError(f"country {first['country']!r} appears twice for {int(first['year'])}")


def production_wide(prod: pd.DataFrame) -> pd.DataFrame:
    """Production in t REO, one row per year and one column per country (incl. world total)."""
    _check_production(prod)
    wide = prod.pivot(index="year", columns="country", values="production_t_reo").astype(float)
    wide.index = wide.index.astype(int)
    return wide.sort_index()


def table_completeness(prod: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Whether each year's table is complete enough for an HHI.

    A year is complete when it has a world total and its listed rows (countries and "Other
    countries") add up to that total within ``tolerance`` (a fraction). Returns ``year,
    world_total_t, listed_t, n_listed, has_other, gap_pct`` (listed minus world, percent of world)
    and ``complete`` with a ``reason`` for incomplete years.
    """
    if not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be a fraction in [0, 1); got {tolerance!r}")
    wide = production_wide(prod)
    listed_cols = [c for c in wide.columns if c != WORLD]
    world = wide[WORLD] if WORLD in wide.columns else pd.Series(np.nan, index=wide.index)
    listed = wide[listed_cols].sum(axis=1, min_count=1)
    out = pd.DataFrame({
        "world_total_t": world,
        "listed_t": listed,
        "n_listed": wide[listed_cols].notna().sum(axis=1),
        "has_other": wide[OTHER].notna() if OTHER in wide.columns else False,
    })
    out["gap_pct"] = (out["listed_t"] - out["world_total_t"]) / out["world_total_t"] * 100
    out["complete"] = out["world_total_t"].notna() & (out["gap_pct"].abs() <= tolerance * 100)
    out["reason"] = np.select(
        [out["world_total_t"].isna(), ~out["complete"]],
        ["no world total", "listed countries miss the world total by more than the tolerance"],
        default="")
    out.index.name = "year"
    return out.reset_index()


def shares(prod: pd.DataFrame) -> pd.DataFrame:
    """Each listed row's share of world production, percent: ``year, country, production_t,
    share_pct``. Years without a world total are left out."""
    wide = production_wide(prod)
    if WORLD not in wide.columns:
        raise ValueError(f"production table has no {WORLD!r} rows, so shares cannot be computed")
    world = wide[WORLD].dropna()
    long = (wide.drop(columns=WORLD).loc[world.index].reset_index()
            .melt(id_vars="year", var_name="country", value_name="production_t").dropna())
    long["share_pct"] = long["production_t"] / long["year"].map(world) * 100
    return long.sort_values(["year", "country"]).reset_index(drop=True)


def hhi_from_shares(named_pct, other_pct: float = 0.0) -> tuple[float, float]:
    """HHI bounds from shares in percent: ``(upper, lower)``.

    ``named_pct``: shares of the named countries. ``other_pct``: the share of everything not
    named ("Other countries" plus any unlisted remainder). Upper bound: that remainder is one
    producer (its share squared is added). Lower bound: it is split into infinitely many tiny
    producers (it adds nothing). A single producer with 100% gives 10,000.

    >>> hhi_from_shares([60, 30], 10)
    (4600.0, 4500.0)
    """
    s = np.asarray(named_pct, dtype=float)
    if np.any(~np.isfinite(s)) or np.any(s < 0) or not np.isfinite(other_pct) or other_pct < 0:
        raise ValueError("shares must be finite and not negative")
    if s.sum() + other_pct > 100.5:
        raise ValueError(f"shares add up to {s.sum() + other_pct:.2f}%, more than 100%")
    lower = float(np.sum(s ** 2))
    return lower + float(other_pct) ** 2, lower


def hhi_by_year(prod: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """HHI bounds for every complete year; incomplete years are kept with NaN and their reason.

    Shares are of the world total. The remainder (world total minus named countries, at least
    "Other countries", at least zero) is treated as one producer for ``hhi_upper`` and left out for
    ``hhi_lower``. ``equivalent_producers_*`` is 10,000 / HHI, the number of equal-sized
    producers that would give the same index.
    """
    comp = table_completeness(prod, tolerance).set_index("year")
    wide = production_wide(prod)
    named_cols = [c for c in wide.columns if c not in (WORLD, OTHER)]
    world = wide[WORLD] if WORLD in wide.columns else pd.Series(np.nan, index=wide.index)
    named_pct = wide[named_cols].div(world, axis=0) * 100
    named_sum = named_pct.sum(axis=1, min_count=1)
    other_pct = (wide[OTHER] / world * 100).fillna(0) if OTHER in wide.columns else 0.0
    remainder = np.maximum(100 - named_sum, other_pct).clip(lower=0)
    lower = (named_pct ** 2).sum(axis=1, min_count=1)
    upper = lower + remainder ** 2
    out = comp[["complete", "reason", "gap_pct"]].copy()
    out["hhi_upper"] = upper.where(out["complete"])
    out["hhi_lower"] = lower.where(out["complete"])
    out["remainder_pct"] = remainder.where(out["complete"])
    out["equivalent_producers_upper"] = 10_000 / out["hhi_upper"]
    out["equivalent_producers_lower"] = 10_000 / out["hhi_lower"]
    return out.reset_index()


def rank(prod: pd.DataFrame, year: int, country: str) -> int:
    """Rank of ``country`` among the named producers of ``year`` (1 = largest)."""
    wide = production_wide(prod)
    if year not in wide.index:
        raise ValueError(f"no production data for {year}")
    row = wide.loc[year].drop(labels=[c for c in (WORLD, OTHER) if c in wide.columns]).dropna()
    if country not in row.index:
        raise ValueError(f"{country!r} has no production figure for {year}")
    return int((row > row[country]).sum() + 1)


# ------------------------------------------------------------------------------------------
# Russia's targets


def target_gaps(targets: pd.DataFrame, prod: pd.DataFrame, year: int = 2024,
                country: str = "Russia") -> pd.DataFrame:
    """The output each stated target implies, against ``country``'s mine output in ``year``.

    Targets come in many units; each is turned into tonnes a year where that is possible:
    ``t per year`` as stated; a ``multiple of current output`` or ``percent growth`` applied to
    the ``year`` output; a percent of world production or market applied to the ``year`` world
    total; a ``world rank`` as the output of the producer holding that rank in ``year``. Targets
    in other units (money, import shares, procedural orders) get NaN and say why. The product
    basis of most targets (metal, oxide, concentrate) is not stated, so the comparison with
    USGS oxide tonnage is approximate; the notes column says so.
    """
    wide = production_wide(prod)
    if year not in wide.index or country not in wide.columns or pd.isna(wide.loc[year, country]):
        raise ValueError(f"no {country} production figure for {year}")
    current = float(wide.loc[year, country])
    world = float(wide.loc[year, WORLD])
    named = wide.loc[year].drop(labels=[c for c in (WORLD, OTHER) if c in wide.columns]).dropna()
    by_rank = named.sort_values(ascending=False).to_numpy()
    rows = []
    for t in targets.itertuples(index=False):
        unit = "" if pd.isna(t.unit) else str(t.unit)
        value = np.nan if pd.isna(t.value) else float(t.value)
        required, basis = np.nan, ""
        if unit == "t per year":
            required, basis = value, "stated tonnage (product basis not stated)"
        elif unit == "multiple of current output":
            required, basis = value * current, f"{value:g} x {country}'s {year} mine output"
        elif unit == "percent growth":
            required, basis = (1 + value / 100) * current, f"{year} mine output plus {value:g}%"
        elif unit in ("percent of world production", "percent of world market"):
            required, basis = value / 100 * world, f"{value:g}% of {year} world mine output"
        elif unit == "world rank":
            k = int(value)
            if k <= len(by_rank):
                required = float(by_rank[k - 1])
                basis = f"output of the number-{k} producer in {year}"
        else:
            basis = "not a tonnage target" if unit else "no quantity stated"
        rows.append({"target_id": t.target_id, "target_year": t.target_year, "value": value,
                     "unit": unit, "required_t": required, "basis": basis})
    out = pd.DataFrame(rows)
    out["current_t"] = current
    out["multiple_of_current"] = out["required_t"] / current
    out["share_of_world_pct"] = out["required_t"] / world * 100
    return out


# ------------------------------------------------------------------------------------------
# points


def bering_strait_point(places: pd.DataFrame) -> tuple[float, float]:
    """The geodesic midpoint of Cape Dezhnev and Cape Prince of Wales: where ships pass the strait."""
    pts = places.set_index("place_id")
    a, b = pts.loc["cape_dezhnev"], pts.loc["cape_prince_of_wales"]
    lats, lons = geo.great_circle_points(a["lat"], a["lon"], b["lat"], b["lon"], n=3)
    return float(lats[1]), float(lons[1])


def point_from(lat: float, lon: float, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """The point ``distance_km`` from (lat, lon) along the geodesic leaving at ``bearing_deg``."""
    geo.check_lat(lat)
    geo.check_lon(lon)
    if not distance_km >= 0:
        raise ValueError(f"distance_km must be zero or more; got {distance_km!r}")
    lon2, lat2, _ = geo.GEOD.fwd(lon, lat, bearing_deg, distance_km * 1000.0)
    return float(lat2), float(geo.wrap_lon(lon2))


def route_points(places: pd.DataFrame, waypoints: pd.DataFrame, deposits: pd.DataFrame,
                 zash_bearing_deg: float, zash_distance_km: float) -> pd.DataFrame:
    """All points a route may use: ``point_id, name, kind, lat, lon, table, approximate``.

    Combines ``places.csv``, ``route_waypoints.csv`` and the deposits with coordinates, and adds
    two derived points: ``bering_strait`` (:func:`bering_strait_point`) and, since its coordinates
    are unpublished, ``zashikhinskoye`` placed ``zash_distance_km`` from Tulun at
    ``zash_bearing_deg`` (flagged ``approximate``). Raises ValueError on an id used twice.
    """
    cols = ["point_id", "name", "kind", "lat", "lon", "table"]
    located = deposits.dropna(subset=["lat", "lon"])
    frames = [
        places.assign(point_id=places["place_id"], table="places")[cols],
        waypoints.assign(point_id=waypoints["waypoint_id"], table="route_waypoints")[cols],
        located.assign(point_id=located["deposit_id"], kind="deposit", table="deposits")[cols],
    ]
    pts = pd.concat(frames, ignore_index=True)
    pts["lat"] = pts["lat"].astype(float)
    pts["lon"] = pts["lon"].astype(float)
    pts["approximate"] = False
    extra = []
    if "bering_strait" not in set(pts["point_id"]):
        lat, lon = bering_strait_point(places)
        extra.append({"point_id": "bering_strait", "name": "Bering Strait (mid-strait)", "kind": "strait",
                      "lat": lat, "lon": lon, "table": "derived", "approximate": False})
    if "zashikhinskoye" not in set(pts["point_id"]):
        tulun = pts.set_index("point_id").loc["tulun"]
        lat, lon = point_from(tulun["lat"], tulun["lon"], zash_bearing_deg, zash_distance_km)
        extra.append({"point_id": "zashikhinskoye", "name": "Zashikhinskoye (approximate)", "kind": "deposit",
                      "lat": lat, "lon": lon, "table": "derived", "approximate": True})
    pts = pd.concat([pts, pd.DataFrame(extra)], ignore_index=True)
    dupes = pts["point_id"][pts["point_id"].duplicated()].unique().tolist()
    if dupes:
        raise ValueError(f"point ids must be unique across places, waypoints and deposits; repeated: {dupes}")
    return pts


def _stops(stops, segments: pd.DataFrame) -> list[str]:
    """Expand an ``alignment:<id>[:reverse]`` reference into its ordered place ids."""
    if isinstance(stops, (list, tuple)):
        return list(stops)
    parts = str(stops).split(":")
    if len(parts) < 2 or parts[0] != "alignment":
        raise ValueError(f"stops must be a list of point ids or 'alignment:<id>'; got {stops!r}")
    seg = segments[segments["alignment_id"] == parts[1]].sort_values("seq")
    if seg.empty:
        raise ValueError(f"no segments for alignment {parts[1]!r}")
    ids = [seg["from_place"].iloc[0], *seg["to_place"]]
    return ids[::-1] if len(parts) > 2 and parts[2] == "reverse" else ids


def route_legs(specs: pd.DataFrame, points: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """One row per leg: ``deposit, destination, option, leg, mode, stops, geodesic_km``.

    ``geodesic_km`` is the length of the geodesic polyline through the leg's stops
    (:func:`bering.geo.polyline_km`). Raises ValueError naming any unknown point id or mode.
    """
    coords = points.set_index("point_id")[["lat", "lon"]]
    rows = []
    for spec in specs.itertuples(index=False):
        for i, (mode, stops) in enumerate(spec.legs, start=1):
            if mode not in MODES:
                raise ValueError(f"unknown mode {mode!r}; expected one of {list(MODES)}")
            ids = _stops(stops, segments)
            missing = [p for p in ids if p not in coords.index]
            if missing:
                raise ValueError(f"route {spec.deposit}/{spec.destination}/{spec.option} uses unknown "
                                 f"point ids {missing}")
            sub = coords.loc[ids]
            rows.append({"deposit": spec.deposit, "destination": spec.destination, "option": spec.option,
                         "leg": i, "mode": mode, "stops": ids,
                         "geodesic_km": geo.polyline_km(sub["lat"].to_numpy(), sub["lon"].to_numpy())})
    return pd.DataFrame(rows)


def land_crossing_check(legs: pd.DataFrame, points: pd.DataFrame, land, spacing_km: float = 20.0) -> pd.DataFrame:
    """How many km of each route's drawn sea legs cross land in ``land`` (shapely polygons, lon/lat).

    A check on the waypoints, not an input: straight geodesics between waypoints cut corners of
    peninsulas and islands, and ports lie at the coast. Returns ``deposit, destination, option,
    sea_km, sea_over_land_km``.
    """
    from shapely.geometry import Point
    from shapely.strtree import STRtree

    land = list(land)
    tree = STRtree(land)
    coords = points.set_index("point_id")[["lat", "lon"]]
    out = []
    for key, g in legs.groupby(["deposit", "destination", "option"], sort=False):
        sea_km = over = 0.0
        for leg in g.itertuples(index=False):
            if MODES[leg.mode]["network"] != "sea":
                continue
            sea_km += leg.geodesic_km
            sub = coords.loc[leg.stops]
            for (la1, lo1), (la2, lo2) in zip(sub.to_numpy()[:-1], sub.to_numpy()[1:]):
                lats, lons = geo.great_circle_points(la1, lo1, la2, lo2, spacing_km=spacing_km)
                mid_lat, mid_lon = (lats[:-1] + lats[1:]) / 2, geo.unwrap_path(lons)
                mid_lon = geo.wrap_lon((mid_lon[:-1] + mid_lon[1:]) / 2)
                step = geo.geodesic_km(lats[:-1], lons[:-1], lats[1:], lons[1:])
                hit = np.array([any(land[j].contains(Point(x, y)) for j in tree.query(Point(x, y)))
                                for x, y in zip(np.atleast_1d(mid_lon), np.atleast_1d(mid_lat))])
                over += float(np.sum(np.atleast_1d(step)[hit]))
        out.append({"deposit": key[0], "destination": key[1], "option": key[2],
                    "sea_km": sea_km, "sea_over_land_km": over})
    return pd.DataFrame(out)


# ------------------------------------------------------------------------------------------
# route factors, rates and speeds


def route_factors(published: pd.DataFrame, places: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Published corridor length over straight geodesic length, for every corridor with both.

    Uses the ``corridor_length`` rows of ``published_lengths.csv`` (km, or miles converted) and the
    geodesic length of the same alignment (:func:`bering.geo.alignment_summary`). Returns one row
    per corridor and a final ``pooled`` row (total published over total geodesic).
    """
    rows = published[published["measure"] == "corridor_length"].copy()
    if rows.empty:
        raise ValueError("no corridor_length rows in the published lengths")
    km = rows["length_km"].astype(float).fillna(rows["length_mi"].astype(float) * MILE_KM)
    summary = geo.alignment_summary(places, segments).set_index("alignment_id")
    rows = rows.assign(published_km=km.to_numpy(),
                       geodesic_km=summary.loc[rows["alignment_id"], "total_km"].to_numpy())
    rows["factor"] = rows["published_km"] / rows["geodesic_km"]
    out = rows[["alignment_id", "published_km", "geodesic_km", "factor"]].reset_index(drop=True)
    pooled = {"alignment_id": "pooled", "published_km": out["published_km"].sum(),
              "geodesic_km": out["geodesic_km"].sum()}
    pooled["factor"] = pooled["published_km"] / pooled["geodesic_km"]
    return pd.concat([out, pd.DataFrame([pooled])], ignore_index=True)


def factor_scenarios(factors: pd.DataFrame) -> dict[str, float]:
    """Land route factor per scenario: lowest corridor, pooled, highest corridor."""
    per = factors[factors["alignment_id"] != "pooled"]["factor"]
    pooled = float(factors.loc[factors["alignment_id"] == "pooled", "factor"].iloc[0])
    return {"low": float(per.min()), "central": pooled, "high": float(per.max())}


def _rate(rates: pd.DataFrame, rate_id: str) -> pd.Series:
    hit = rates[rates["rate_id"] == rate_id]
    if hit.empty:
        raise KeyError(f"no freight rate {rate_id!r} in the data")
    return hit.iloc[0]


def sea_rate_basis(rates: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Ocean rates per tonne-km derived from the USDA bulk-grain rates per tonne.

    Each per-tonne rate is divided by the length of its route drawn through waypoints: US Gulf
    (Houston) to Japan (Yokohama) through the Panama Canal, and the Pacific Northwest (Elliott Bay,
    Seattle) to Japan direct. Returns ``rate_id, usd_per_t, year, route_km, usd_per_tkm``
    (nominal dollars of ``year``). The per-tonne rates include port and canal charges, which are
    spread over the distance here.
    """
    coords = points.set_index("point_id")[["lat", "lon"]]
    routes = {
        "gulf_japan": ["port_of_houston", "yucatan_channel", "panama_canal", "cocos_island",
                       "revillagigedo_islands", "yokohama"],
        "pnw_japan": ["elliott_bay", "yokohama"],
    }
    km = {k: geo.polyline_km(coords.loc[v, "lat"].to_numpy(), coords.loc[v, "lon"].to_numpy())
          for k, v in routes.items()}
    sea = rates[rates["mode"] == "sea_bulk"].copy()
    if sea.empty:
        raise ValueError("no sea_bulk rates in the data")
    sea["route"] = np.where(sea["rate_id"].str.contains("gulf_japan"), "gulf_japan", "pnw_japan")
    sea["year"] = sea["rate_id"].str.extract(r"_(\d{4})")[0].astype(int)
    sea["route_km"] = sea["route"].map(km)
    sea["usd_per_tkm"] = sea["value"].astype(float) / sea["route_km"]
    return sea[["rate_id", "route", "value", "year", "route_km", "usd_per_tkm"]].rename(columns={"value": "usd_per_t"})


@dataclass(frozen=True)
class Assumed:
    """The assumption values the route model uses (from ``assumptions.csv``)."""

    transfer_dwell_days: float
    truck_km_per_day: float
    nsr_cost_ratio: float

    @classmethod
    def from_table(cls, assumptions: pd.DataFrame) -> "Assumed":
        a = assumptions.set_index("assumption_id")["value"].astype(float)
        need = ["minerals_transfer_dwell_days", "minerals_truck_speed_km_per_day",
                "minerals_nsr_to_open_sea_cost_ratio"]
        missing = [k for k in need if k not in a.index]
        if missing:
            raise KeyError(f"assumptions missing: {missing}")
        return cls(a[need[0]], a[need[1]], a[need[2]])


def unit_rates(rates: pd.DataFrame, points: pd.DataFrame, conv: money.Money, assumed: Assumed) -> pd.DataFrame:
    """Cost (USD 2025 per tonne-km) and speed (km per day) of each rate class, per scenario.

    * ``rail_russia``: Russian Railways freight revenue over loaded freight turnover, 2013 (one
      figure, so low = central = high);
    * ``rail_north_america``: US Class I revenue per ton-mile, Q4 2012 and Q4 2013;
    * ``truck``: US truck revenue per ton-mile, 2008 and 2010;
    * ``sea``: the USDA grain rates per tonne over their route lengths (:func:`sea_rate_basis`);
    * ``sea_nsr``: the sea rate times the NSR cost ratio (an assumption).

    Nominal figures are restated in USD 2025 with ``conv``. "low" takes the lowest cost and the
    highest speed, "high" the opposite, "central" the mean. Speeds: Russian loaded-wagon delivery
    speed (2015, 2017); US line-haul train speed (2005) round the clock; ship speed 13.8-16 knots;
    truck speed as assumed.
    """
    out = []

    def add(cls, costs, speeds):
        costs = np.asarray(costs, dtype=float)
        speeds = np.asarray(speeds, dtype=float)
        for sc, c, s in (("low", costs.min(), speeds.max()), ("central", costs.mean(), speeds.mean()),
                         ("high", costs.max(), speeds.min())):
            out.append({"rate_class": cls, "scenario": sc, "usd_per_tkm": c, "km_per_day": s})

    rub = _rate(rates, "ru_rail_freight_revenue_2013")["value"] / _rate(rates, "ru_rail_loaded_turnover_2013")["value"]
    ru_speed = [_rate(rates, r)["value"]
                for r in ("ru_rail_delivery_speed_2017", "ru_rail_delivery_speed_2015_jan_jul")]
    add("rail_russia", [conv.convert(rub, "RUB", 2013)], ru_speed)

    us = [(_rate(rates, r)["value"] / 100 / SHORT_TON_MILE_TKM, y)
          for r, y in (("us_rail_yield_2012q4", 2012), ("us_rail_yield_2013q4", 2013))]
    na_speed = _rate(rates, "us_rail_linehaul_speed_2005q1")["value"] * MILE_KM * 24
    add("rail_north_america", [conv.convert(v, "USD", y) for v, y in us], [na_speed])

    truck = [(_rate(rates, r)["value"] / 100 / SHORT_TON_MILE_TKM, y)
             for r, y in (("us_truck_revenue_2008", 2008), ("us_truck_revenue_2010", 2010))]
    add("truck", [conv.convert(v, "USD", y) for v, y in truck], [assumed.truck_km_per_day])

    basis = sea_rate_basis(rates, points)
    sea_costs = conv.convert(basis["usd_per_tkm"].to_numpy(), "USD", basis["year"].to_numpy())
    ship = [_rate(rates, r)["value"] * KNOT_KMH * 24
            for r in ("sea_liner_speed_2023q1", "sea_container_speed_typical_min")]
    add("sea", sea_costs, ship)
    add("sea_nsr", np.asarray(sea_costs) * assumed.nsr_cost_ratio, ship)
    return pd.DataFrame(out)


# ------------------------------------------------------------------------------------------
# costs, times and the verdict


def leg_costs(legs: pd.DataFrame, unit: pd.DataFrame, factors: dict[str, float]) -> pd.DataFrame:
    """Add per-scenario ``km_<s>``, ``usd_per_t_<s>`` and ``days_<s>`` to each leg.

    Land legs (truck and rail) are scaled by the scenario's route factor; sea legs and the tunnel
    are taken at their geodesic length. Cost = km x rate; days = km / speed. Raises ValueError for
    a scenario missing from ``factors`` or a rate class missing from ``unit``.
    """
    missing = [s for s in SCENARIOS if s not in factors]
    if missing:
        raise ValueError(f"route factors missing for scenarios {missing}")
    if (unit["usd_per_tkm"] < 0).any() or (unit["km_per_day"] <= 0).any():
        raise ValueError("rates must not be negative and speeds must be positive")
    u = unit.set_index(["rate_class", "scenario"])
    out = legs.copy()
    land = out["mode"].map(lambda m: MODES[m]["land"]).to_numpy(bool)
    for s in SCENARIOS:
        km = out["geodesic_km"].to_numpy(float) * np.where(land, factors[s], 1.0)
        rate_cls = out["mode"].map(lambda m: MODES[m]["rate"])
        speed_cls = out["mode"].map(lambda m: MODES[m]["speed"])
        try:
            rate = u.loc[list(zip(rate_cls, [s] * len(out))), "usd_per_tkm"].to_numpy(float)
            speed = u.loc[list(zip(speed_cls, [s] * len(out))), "km_per_day"].to_numpy(float)
        except KeyError as exc:
            raise ValueError(f"no unit rate for {exc.args[0]}") from exc
        out[f"km_{s}"] = km
        out[f"usd_per_t_{s}"] = km * rate
        out[f"days_{s}"] = km / speed
    return out


def transfers(modes) -> int:
    """Number of times cargo changes network along a sequence of leg modes."""
    nets = [MODES[m]["network"] for m in modes]
    return int(sum(a != b for a, b in zip(nets[:-1], nets[1:])))


def route_table(legs_costed: pd.DataFrame, dwell_days: float) -> pd.DataFrame:
    """One row per route: geodesic and scenario lengths, costs and days, with transfer time added.

    ``days_<s>`` adds ``dwell_days`` for every change of network (:func:`transfers`); the Suez
    rows are lower bounds on length only and carry no cost or time.
    """
    keys = ["deposit", "destination", "option"]
    agg = {"geodesic_km": "sum", **{f"{m}_{s}": "sum" for m in ("km", "usd_per_t", "days") for s in SCENARIOS}}
    out = legs_costed.groupby(keys, sort=False).agg(agg)
    out["transfers"] = legs_costed.groupby(keys, sort=False)["mode"].apply(transfers)
    for s in SCENARIOS:
        out[f"days_{s}"] = out[f"days_{s}"] + out["transfers"] * dwell_days
    bound = out.index.get_level_values("option") == "suez_bound"
    cols = [f"{m}_{s}" for m in ("usd_per_t", "days") for s in SCENARIOS]
    out.loc[bound, cols] = np.nan
    return out.reset_index()


def verdict_table(routes: pd.DataFrame) -> pd.DataFrame:
    """Overland against the best sea option, per deposit and destination, as ranges.

    The best sea option is the cheapest (central) of the NSR, NSR-west and ice-free options.
    ``saving_usd_per_t_low/high`` is what the overland route saves per tonne (negative: it costs
    more), from the least to the most favourable combination: sea at its cheapest against overland
    at its dearest, and the reverse. ``days_saved_low/high`` likewise.
    """
    sea = routes[routes["option"].isin(["nsr", "nsr_west", "conventional"])]
    best = sea.loc[sea.groupby(["deposit", "destination"])["usd_per_t_central"].idxmin()]
    over = routes[routes["option"] == "overland"]
    m = over.merge(best, on=["deposit", "destination"], suffixes=("_over", "_sea"))
    out = pd.DataFrame({
        "deposit": m["deposit"], "destination": m["destination"], "best_sea_option": m["option_sea"],
        "overland_km": m["km_central_over"], "sea_km": m["km_central_sea"],
        "overland_usd_per_t": m["usd_per_t_central_over"], "sea_usd_per_t": m["usd_per_t_central_sea"],
        "saving_usd_per_t_low": m["usd_per_t_low_sea"] - m["usd_per_t_high_over"],
        "saving_usd_per_t_central": m["usd_per_t_central_sea"] - m["usd_per_t_central_over"],
        "saving_usd_per_t_high": m["usd_per_t_high_sea"] - m["usd_per_t_low_over"],
        "days_saved_low": m["days_low_sea"] - m["days_high_over"],
        "days_saved_central": m["days_central_sea"] - m["days_central_over"],
        "days_saved_high": m["days_high_sea"] - m["days_low_over"],
    })
    return out.reset_index(drop=True)


def corridor_revenue(legs_costed: pd.DataFrame, tonnes_per_year: float, deposit: str = "tomtor",
                     destination: str = "gulf") -> dict[str, float]:
    """Freight revenue a year's ``tonnes_per_year`` would pay on the new lines and the tunnel.

    Sums the cost per tonne of the overland route's new-line and tunnel legs (rail_ru_new, tunnel,
    rail_na_new) for ``deposit`` to ``destination``, per scenario, times the tonnage.
    """
    if not tonnes_per_year >= 0:
        raise ValueError(f"tonnes_per_year must be zero or more; got {tonnes_per_year!r}")
    sel = legs_costed[(legs_costed["deposit"] == deposit) & (legs_costed["destination"] == destination)
                      & (legs_costed["option"] == "overland")
                      & legs_costed["mode"].isin(["rail_ru_new", "tunnel", "rail_na_new"])]
    if sel.empty:
        raise ValueError(f"no overland route for {deposit} to {destination}")
    return {s: float(sel[f"usd_per_t_{s}"].sum() * tonnes_per_year) for s in SCENARIOS}


#: A short verdict in words, every number computed; shows as Markdown in a notebook.
Verdict = Markdown


def verdict_summary(verdict: pd.DataFrame, volume: pd.DataFrame, revenue: dict[str, float],
                    claim_usd_bn: float, deposit_names: dict[str, str]) -> Verdict:
    """The verdict of the notebook as a few sentences built from the tables (no typed numbers)."""
    n = len(verdict)
    dearer = int((verdict["saving_usd_per_t_central"] < 0).sum())
    win = verdict[verdict["saving_usd_per_t_high"] > 0]
    win_txt = ("none" if win.empty else ", ".join(
        f"{deposit_names[r.deposit]} to {DESTINATIONS[r.destination]}" for r in win.itertuples()))
    actual = volume[volume["kind"] == "actual output"].iloc[0]
    years = claim_usd_bn * 1e9 / revenue["high"]
    text = (
        f"**Verdict.** In the central case the route through the crossing costs more per tonne than the "
        f"cheapest sea route for {dearer} of {n} deposit-destination pairs. Across all pairs and scenarios "
        f"its saving runs from {verdict['saving_usd_per_t_low'].min():,.0f} to "
        f"{verdict['saving_usd_per_t_high'].max():,.0f} {money.label()} per tonne (negative: overland dearer); "
        f"pairs where it can come out ahead in the most favourable combination: {win_txt}. "
        f"Russia's {int(actual['tonnes']):,} t of rare-earth oxide a year would fill "
        f"{actual['share_of_min_capacity_pct']:.4f}% of the smallest capacity claimed for the crossing and pay "
        f"{revenue['low']:,.0f}-{revenue['high']:,.0f} {money.label()} a year in freight on its new lines and "
        f"tunnel; at the top of that range it would take {years:,.0f} years to pay the tunnel's claimed cost "
        f"of {money.label()} {claim_usd_bn:,.1f} billion alone, before interest.")
    return Verdict(text)


# ------------------------------------------------------------------------------------------
# volume


def volume_table(rates: pd.DataFrame, prod: pd.DataFrame, targets: pd.DataFrame, year: int = 2024,
                 country: str = "Russia") -> pd.DataFrame:
    """Tonnages to set against the crossing's claimed capacity: ``item, kind, tonnes, source_id``.

    Capacity claims (million tonnes a year) and Northern Sea Route volumes come from the freight
    table, ``country``'s ``year`` mine output (t REO) from the production table, and the stated
    2030 tonnage targets from the targets table. ``share_of_max_capacity_pct`` and
    ``share_of_min_capacity_pct`` set each tonnage against the largest and smallest claim.
    """
    cap = rates[(rates["mode"] == "bering_crossing") & (rates["unit"] == "million tonnes per year")]
    if cap.empty:
        raise ValueError("no crossing capacity claims (bering_crossing, million tonnes per year) in the data")
    nsr = rates[(rates["mode"] == "northern_sea_route") & (rates["unit"] == "million tonnes")
                & rates["rate_id"].isin(["nsr_total_cargo_2024", "nsr_transit_cargo_2024"])]
    rows = [{"item": r.statistic, "kind": "crossing capacity claim", "tonnes": r.value * 1e6, "source_id": r.source_id}
            for r in cap.itertuples()]
    rows += [{"item": r.statistic, "kind": "Northern Sea Route cargo", "tonnes": r.value * 1e6,
              "source_id": r.source_id} for r in nsr.itertuples()]
    out_row = prod[(prod["country"] == country) & (prod["year"] == year)]
    if out_row.empty:
        raise ValueError(f"no {country} production figure for {year}")
    rows.append({"item": f"{country}: rare-earth mine output, {year} (t REO)", "kind": "actual output",
                 "tonnes": float(out_row["production_t_reo"].iloc[0]), "source_id": out_row["source_id"].iloc[0]})
    t = targets[targets["unit"] == "t per year"]
    rows += [{"item": f"{country} target for {int(r.target_year)}: {r.statement}", "kind": "stated target",
              "tonnes": float(r.value), "source_id": r.source_id} for r in t.itertuples()]
    out = pd.DataFrame(rows)
    cmax, cmin = cap["value"].max() * 1e6, cap["value"].min() * 1e6
    out["share_of_max_capacity_pct"] = out["tonnes"] / cmax * 100
    out["share_of_min_capacity_pct"] = out["tonnes"] / cmin * 100
    return out


# ------------------------------------------------------------------------------------------
# figures

#: Screen resolution of the figures as the notebook shows them (files are written at 200 dpi by the
#: exporter whatever this says); kept below the style's 100 dpi so the notebook stays small.
_DISPLAY_DPI = 80

_OPTION_COLOURS = {"overland": "#D55E00", "nsr": "#0072B2", "nsr_west": "#56B4E9",
                   "conventional": "#009E73", "suez_bound": "#6E6E6E"}
_COUNTRY_COLOURS = {"China": "#D55E00", "United States": "#0072B2", "Myanmar": "#E69F00",
                    "Australia": "#009E73", "Russia": "#CC79A7"}


def _spread(values, min_gap: float) -> np.ndarray:
    """Nudge label positions apart (in data units) so that neighbours are at least ``min_gap`` apart."""
    v = np.asarray(values, dtype=float)
    order = np.argsort(v)
    out = v.copy()
    for i in range(1, len(order)):
        prev, cur = order[i - 1], order[i]
        out[cur] = max(out[cur], out[prev] + min_gap)
    return out


def share_chart(share_long: pd.DataFrame, completeness: pd.DataFrame, countries=("China", "United States",
                "Myanmar", "Australia", "Russia")):
    """Shares of world mine production over time; hollow markers for years whose table is incomplete.

    Lines break where a year has no figure, so no value is implied between sourced years.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9.5, 5.4), layout="constrained", dpi=_DISPLAY_DPI)
    complete = completeness.set_index("year")["complete"]
    years = np.arange(share_long["year"].min(), share_long["year"].max() + 1)
    wide = share_long.pivot(index="year", columns="country", values="share_pct").reindex(years)
    ends, colours = [], []
    for c in countries:
        if c not in wide.columns:
            continue
        d = wide[c]
        colour = _COUNTRY_COLOURS.get(c, "#000000")
        ax.plot(years, d.to_numpy(float), color=colour, lw=1.8, label=c)
        full = pd.Series(years).map(complete).fillna(False).to_numpy(bool) & d.notna().to_numpy()
        part = ~pd.Series(years).map(complete).fillna(False).to_numpy(bool) & d.notna().to_numpy()
        ax.scatter(years[full], d.to_numpy(float)[full], color=colour, s=36, zorder=3)
        ax.scatter(years[part], d.to_numpy(float)[part], facecolor="white", edgecolor=colour, s=36, zorder=3)
        last = d.dropna()
        ends.append((last.index[-1], last.iloc[-1]))
        colours.append(colour)
    ypos = _spread([e[1] for e in ends], 3.0)
    for (year, val), y, colour in zip(ends, ypos, colours):
        ax.annotate(f"{val:.1f}%", (year, val), xytext=(year + 0.25, y), textcoords="data",
                    va="center", fontsize=9, color=colour)
    ax.set_ylabel("share of world mine production (%, t REO)")
    ax.set_xlabel("year")
    ax.set_ylim(0, 100)
    ax.set_xlim(years.min() - 0.5, years.max() + 1.0)
    ax.scatter([], [], facecolor="white", edgecolor="#444444", label="year with an incomplete table")
    ax.legend(frameon=False, fontsize=9, loc="upper right", ncol=2)
    return fig


def hhi_contributions(prod: pd.DataFrame, tolerance: float, top=("China", "United States", "Myanmar",
                      "Australia")) -> pd.DataFrame:
    """Each complete year's HHI split into contributions (share squared) of the ``top`` producers,
    all other named producers, and the unnamed remainder taken as one producer (the gap between
    the lower and the upper bound)."""
    hhi = hhi_by_year(prod, tolerance).set_index("year")
    years = hhi.index[hhi["complete"]]
    wide = production_wide(prod).loc[years]
    named = [c for c in wide.columns if c not in (WORLD, OTHER)]
    sq = (wide[named].div(wide[WORLD], axis=0) * 100) ** 2
    out = pd.DataFrame(index=years)
    for c in top:
        out[c] = sq[c] if c in sq.columns else 0.0
    out["other named producers"] = sq.drop(columns=[c for c in top if c in sq.columns]).sum(axis=1)
    out["'Other countries' as one producer"] = hhi.loc[years, "hhi_upper"] - hhi.loc[years, "hhi_lower"]
    return out


def hhi_chart(hhi: pd.DataFrame, contributions: pd.DataFrame):
    """Stacked HHI contributions for the complete years; the skipped years are named on the chart."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained", dpi=_DISPLAY_DPI)
    colours = [_COUNTRY_COLOURS.get(c, "#BDBDBD") for c in contributions.columns[:-2]] + ["#BDBDBD", "#000000"]
    bottom = np.zeros(len(contributions))
    x = contributions.index.to_numpy()
    for col, colour in zip(contributions.columns, colours):
        vals = contributions[col].to_numpy(float)
        ax.bar(x, vals, bottom=bottom, color=colour, width=0.6, label=col,
               hatch="///" if col.startswith("'Other") else None, edgecolor="white", lw=0.5)
        bottom += vals
    ok = hhi[hhi["complete"]]
    for r in ok.itertuples():
        ax.annotate(f"{r.hhi_lower:,.0f}-{r.hhi_upper:,.0f}", (r.year, r.hhi_upper), xytext=(0, 4),
                    textcoords="offset points", ha="center", fontsize=9)
    skipped = hhi.loc[~hhi["complete"], "year"].astype(int).tolist()
    if skipped:
        ax.text(0.01, 0.97, "No HHI for years with an incomplete production table: " + ", ".join(map(str, skipped)),
                transform=ax.transAxes, fontsize=9, color="#6E6E6E", va="top")
    ax.set_ylim(0, 10_000)
    ax.set_xticks(x, [str(int(v)) for v in x])
    ax.set_ylabel("Herfindahl-Hirschman index (0-10,000)")
    ax.set_xlabel("year (complete tables only)")
    ax.legend(frameon=False, fontsize=9, loc="upper right", bbox_to_anchor=(1.0, 0.9))
    return fig


_MAP_LON0 = 100.0  # central meridian of the polar map: Siberia at the bottom, North America at the top
#: Label offsets on the polar map (points): dx, dy, horizontal alignment.
_MAP_LABELS = {"tomtor": (-7, 5, "right"), "tiksi": (6, 4, "left"), "lovozero": (-7, 6, "right"),
               "kola_bay": (6, -10, "left"), "seward": (6, 2, "left"), "fairbanks": (-6, -10, "right"),
               "nizhny_bestyakh": (6, -8, "left"), "vladivostok": (7, 2, "left"),
               "bering_strait": (7, -3, "left"), "zashikhinskoye": (6, -10, "left"),
               "panama_canal": (6, -10, "left"), "port_of_houston": (6, -4, "left")}


def _proj(lats, lons):
    return geo.project(lats, lons, kind="laea", lat_0=90.0, lon_0=_MAP_LON0)


def leg_path(points: pd.DataFrame, stops, spacing_km: float = 50.0) -> tuple[np.ndarray, np.ndarray]:
    """Densified (lats, lons) of a leg through ``stops``, geodesic between stops, for drawing."""
    coords = points.set_index("point_id")[["lat", "lon"]]
    sub = coords.loc[list(stops)].to_numpy()
    lats, lons = [], []
    for (la1, lo1), (la2, lo2) in zip(sub[:-1], sub[1:]):
        la, lo = geo.great_circle_points(la1, lo1, la2, lo2, spacing_km=spacing_km)
        lats.append(la if not lats else la[1:])
        lons.append(lo if not lons else lo[1:])
    return np.concatenate(lats), np.concatenate(lons)


def route_map(points: pd.DataFrame, legs: pd.DataFrame, deposits: pd.DataFrame, land=None,
              deposit: str = "tomtor"):
    """Polar map (Lambert azimuthal equal-area on the North Pole) of ``deposit``'s routes.

    Land (lon/lat polygons, clipped to the northern hemisphere) is optional; without it only the
    graticule is drawn. Every deposit with coordinates is marked; routes are coloured by option.
    Projection through :func:`bering.geo.project`, so lines across the 180th meridian stay whole.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from shapely.geometry import box

    fig, ax = plt.subplots(figsize=(8.6, 8.6), layout="constrained", dpi=_DISPLAY_DPI)
    ax.set_aspect("equal")
    ax.axis("off")
    if land is not None:
        north = box(-180, 0, 180, 90)
        for poly in land:
            part = poly.intersection(north)
            if part.is_empty:
                continue
            g = geo.project_geometry(part, kind="laea", lat_0=90.0, lon_0=_MAP_LON0)
            for p in getattr(g, "geoms", [g]):
                if p.geom_type == "Polygon":
                    x, y = p.exterior.xy
                    ax.fill(x, y, color="#E6E6E6", lw=0, zorder=0)
    for lat in (30, 60):
        lons = np.linspace(-180, 180, 361)
        x, y = _proj(np.full_like(lons, lat), lons)
        ax.plot(x, y, color="#D9D9D9", lw=0.5, zorder=0.5)
    for lon in range(-180, 180, 60):
        lats = np.linspace(5, 90, 60)
        x, y = _proj(lats, np.full_like(lats, lon))
        ax.plot(x, y, color="#D9D9D9", lw=0.5, zorder=0.5)
    sel = legs[(legs["deposit"] == deposit) & (legs["option"] != "suez_bound")]
    drawn = set()
    for leg in sel.itertuples(index=False):
        key = (leg.option, tuple(leg.stops))
        if key in drawn:
            continue
        drawn.add(key)
        la, lo = leg_path(points, leg.stops)
        x, y = _proj(la, lo)
        ls = ":" if leg.mode == "truck" else "-"
        ax.plot(x, y, color=_OPTION_COLOURS[leg.option], lw=2.0 if leg.option == "overland" else 1.4,
                ls=ls, zorder=2, alpha=0.9)
    deps = deposits.dropna(subset=["lat", "lon"])
    pts = points.set_index("point_id")
    x, y = _proj(deps["lat"].to_numpy(float), deps["lon"].to_numpy(float))
    ru = (deps["country"] == "Russia").to_numpy()
    ax.scatter(x[ru], y[ru], marker="D", s=60, color="#CC79A7", edgecolor="black", zorder=4)
    ax.scatter(x[~ru], y[~ru], marker="D", s=40, color="white", edgecolor="black", zorder=4)

    def label(px, py, text, pid):
        dx, dy, ha = _MAP_LABELS.get(pid, (5, 4, "left"))
        ax.annotate(text, (px, py), xytext=(dx, dy), textcoords="offset points", fontsize=9, ha=ha, zorder=5,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})

    for xi, yi, pid, name in zip(x, y, deps["deposit_id"], deps["name"]):
        label(xi, yi, name.split(" (")[0], pid)
    if "zashikhinskoye" in pts.index and pts.loc["zashikhinskoye", "approximate"]:
        zx, zy = _proj(pts.loc["zashikhinskoye", "lat"], pts.loc["zashikhinskoye", "lon"])
        ax.scatter([zx], [zy], marker="D", s=60, facecolor="none", edgecolor="#CC79A7", lw=1.5, zorder=4)
        label(zx, zy, "Zashikhinskoye (approx.)", "zashikhinskoye")
    for pid, text in (("nizhny_bestyakh", "Nizhny Bestyakh (railhead)"), ("tiksi", "Tiksi"),
                      ("vladivostok", "Vladivostok"), ("kola_bay", "Murmansk"), ("seward", "Seward"),
                      ("fairbanks", "Fairbanks"), ("port_of_houston", "Houston"), ("panama_canal", "Panama Canal"),
                      ("bering_strait", "Bering Strait crossing")):
        if pid in pts.index:
            px, py = _proj(pts.loc[pid, "lat"], pts.loc[pid, "lon"])
            ax.scatter([px], [py], s=18, color="black", zorder=4)
            label(px, py, text, pid)
    handles = [Line2D([], [], color=_OPTION_COLOURS[o], lw=2, label=OPTIONS[o])
               for o in ("overland", "nsr", "nsr_west", "conventional")]
    handles += [Line2D([], [], color="#444444", lw=1.5, ls=":", label="truck leg (road or winter road)"),
                Line2D([], [], marker="D", ls="", color="#CC79A7", markeredgecolor="black", label="Russian deposit"),
                Line2D([], [], marker="D", ls="", color="white", markeredgecolor="black", label="other deposit")]
    ax.legend(handles=handles, loc="lower left", fontsize=9, frameon=True, framealpha=0.9)
    ax.set_xlim(-8300, 8300)
    ax.set_ylim(-6200, 9400)
    return fig


def route_comparison_chart(routes: pd.DataFrame, deposit_names: dict[str, str]):
    """Distance, cost and days of every route, with the low-high range as a whisker."""
    import matplotlib.pyplot as plt

    r = routes[routes["option"] != "suez_bound"].copy()
    r["label"] = (r["deposit"].map(deposit_names) + " to " + r["destination"].map({"alaska": "Alaska", "gulf": "Gulf"})
                  + ": " + r["option"].map({"overland": "overland", "nsr": "NSR", "nsr_west": "NSR west",
                                            "conventional": "ice-free sea"}))
    r = r.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(r))
    fig, axes = plt.subplots(1, 3, figsize=(13, 0.42 * len(r) + 1.8), sharey=True, layout="constrained",
                             dpi=_DISPLAY_DPI)
    for ax, (m, xlabel) in zip(axes, (("km", "length (km; land legs x route factor)"),
                                      ("usd_per_t", f"cost ({money.label()} per tonne)"),
                                      ("days", "transit time (days)"))):
        c = r["option"].map(_OPTION_COLOURS)
        ax.barh(y, r[f"{m}_central"], color=c, alpha=0.85)
        ax.errorbar(r[f"{m}_central"], y, xerr=[r[f"{m}_central"] - r[f"{m}_low"], r[f"{m}_high"] - r[f"{m}_central"]],
                    fmt="none", ecolor="black", elinewidth=1, capsize=2)
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, r["label"], fontsize=9)
    axes[2].text(0.98, 0.01, "assumption: truck speed, transfer time", transform=axes[2].transAxes,
                 ha="right", va="bottom", fontsize=9, color="#6E6E6E")
    axes[1].text(0.98, 0.01, "assumption: NSR at open-sea rate", transform=axes[1].transAxes,
                 ha="right", va="bottom", fontsize=9, color="#6E6E6E")
    return fig


def volume_chart(volume: pd.DataFrame):
    """Tonnages on a log scale: capacity claims, NSR cargo, Russia's output and targets."""
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    v = volume.sort_values("tonnes").reset_index(drop=True)
    colours = {"crossing capacity claim": "#D55E00", "Northern Sea Route cargo": "#0072B2",
               "actual output": "#CC79A7", "stated target": "#E69F00"}
    fig, ax = plt.subplots(figsize=(9.5, 0.5 * len(v) + 1.6), layout="constrained", dpi=_DISPLAY_DPI)
    y = np.arange(len(v))
    ax.barh(y, v["tonnes"], color=v["kind"].map(colours), height=0.7)
    ax.set_xscale("log")
    ax.set_yticks(y, ["\n".join(textwrap.wrap(t, 52)) for t in v["item"]], fontsize=9)
    for yi, t, s_ in zip(y, v["tonnes"], v["share_of_max_capacity_pct"]):
        pct = f"{s_:.0f}" if s_ >= 10 else f"{s_:.2g}"
        ax.annotate(f"{t:,.0f} t ({pct}% of the largest claim)", (t, yi), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=9)
    ax.set_xlim(v["tonnes"].min() / 2, v["tonnes"].max() * 60)
    ax.set_xlabel("tonnes a year (log scale)")
    ax.grid(axis="y", visible=False)
    ax.legend(handles=[Patch(color=c, label=k) for k, c in colours.items()], frameon=False, fontsize=9,
              loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4)
    return fig


def interactive_routes(routes: pd.DataFrame, deposit_names: dict[str, str]):
    """Plotly scatter of every route: transit days against cost per tonne, with low-high error bars;
    hover shows the route, its length and both ranges. Colour: option; marker: deposit."""
    import plotly.graph_objects as go

    r = routes[routes["option"] != "suez_bound"]
    symbols = dict(zip(DEPOSITS, ("circle", "square", "diamond")))
    fig = go.Figure()
    for (opt, dep), g in r.groupby(["option", "deposit"], sort=False):
        text = [(f"{deposit_names[dep]} to {DESTINATIONS[row.destination]}<br>{OPTIONS[opt]}<br>"
                 f"{row.km_central:,.0f} km ({row.km_low:,.0f}-{row.km_high:,.0f})<br>"
                 f"{money.label()} {row.usd_per_t_central:,.0f} per t "
                 f"({row.usd_per_t_low:,.0f}-{row.usd_per_t_high:,.0f})<br>"
                 f"{row.days_central:.0f} days ({row.days_low:.0f}-{row.days_high:.0f}), {row.transfers} transfers")
                for row in g.itertuples()]
        fig.add_trace(go.Scatter(
            x=g["days_central"].round(2), y=g["usd_per_t_central"].round(2), mode="markers",
            name=f"{OPTIONS[opt]}: {deposit_names[dep]}",
            marker={"color": _OPTION_COLOURS[opt], "symbol": symbols[dep], "size": 12,
                    "line": {"color": "black", "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": (g["days_high"] - g["days_central"]).round(2),
                     "arrayminus": (g["days_central"] - g["days_low"]).round(2), "color": "#9E9E9E"},
            error_y={"type": "data", "symmetric": False,
                     "array": (g["usd_per_t_high"] - g["usd_per_t_central"]).round(2),
                     "arrayminus": (g["usd_per_t_central"] - g["usd_per_t_low"]).round(2), "color": "#9E9E9E"},
            hoverinfo="text", text=text))
    fig.update_xaxes(title_text="transit time (days; assumption: truck speed, transfer time)", rangemode="tozero",
                     gridcolor="#DDDDDD")
    fig.update_yaxes(title_text=f"freight cost ({money.label()} per tonne)", rangemode="tozero", gridcolor="#DDDDDD")
    fig.update_layout(height=640, legend={"font": {"size": 12}})
    return fig


# ------------------------------------------------------------------------------------------
# headline numbers


def headline(prod: pd.DataFrame, hhi: pd.DataFrame, trade: pd.DataFrame, routes: pd.DataFrame,
             verdict: pd.DataFrame, volume: pd.DataFrame, revenue: dict[str, float],
             claim_usd_bn: float, year: int = 2024) -> list[tuple]:
    """The notebook's key numbers as ``(key, value, unit, description)``."""
    sh = shares(prod)
    s = sh[sh["year"] == year].set_index("country")["share_pct"]
    h = hhi.set_index("year").loc[year]
    nir = trade[(trade["metric"] == "net_import_reliance_compounds_metals") & (trade["period"] == str(year))]
    r = routes.set_index(["deposit", "destination", "option"])
    v = verdict.set_index(["deposit", "destination"])
    actual = volume[volume["kind"] == "actual output"].iloc[0]
    out = [
        (f"china_share_ree_mine_production_{year}", float(s["China"]), "percent",
         f"China's share of world rare-earth mine production in {year} (t REO, USGS MCS 2026)"),
        (f"russia_share_ree_mine_production_{year}", float(s["Russia"]), "percent",
         f"Russia's share of world rare-earth mine production in {year}"),
        (f"russia_rank_ree_mine_production_{year}", rank(prod, year, "Russia"), "rank",
         f"Russia's rank among named rare-earth mine producers in {year}"),
        (f"ree_hhi_{year}", float(h["hhi_upper"]), "index 0-10000",
         f"Herfindahl-Hirschman index of rare-earth mine production in {year}, "
         "'Other countries' as one producer (upper bound)"),
        (f"ree_hhi_{year}_lower", float(h["hhi_lower"]), "index 0-10000",
         f"Herfindahl-Hirschman index in {year} with 'Other countries' left out (lower bound)"),
        (f"ree_hhi_equivalent_producers_{year}", float(h["equivalent_producers_upper"]), "count",
         f"Number of equal-sized producers that would give the {year} HHI (10,000 / HHI)"),
        ("ree_hhi_complete_years", int(hhi["complete"].sum()), "count",
         "Years whose production table is complete enough for an HHI"),
        ("us_ree_net_import_reliance", float(nir["value"].iloc[0]), "percent of apparent consumption",
         f"US net import reliance for rare-earth compounds and metals, {year} (USGS MCS 2026)"),
    ]
    for opt, tag in (("overland", "overland"), ("nsr", "nsr"), ("nsr_west", "nsr_west"),
                     ("conventional", "conventional")):
        row = r.loc[("tomtor", "gulf", opt)]
        out += [
            (f"route_tomtor_gulf_{tag}_km", float(row["km_central"]), "km",
             f"Tomtor to Houston ({OPTIONS[opt]}): length with land legs scaled by the pooled route factor"),
            (f"route_tomtor_gulf_{tag}_usd_per_t", float(row["usd_per_t_central"]), f"{money.label()} per tonne",
             f"Tomtor to Houston ({OPTIONS[opt]}): freight cost per tonne, central scenario"),
            (f"route_tomtor_gulf_{tag}_days", float(row["days_central"]), "days",
             f"Tomtor to Houston ({OPTIONS[opt]}): transit time, central scenario"),
        ]
    out.append(("route_tomtor_gulf_suez_km_lower_bound", float(r.loc[("tomtor", "gulf", "suez_bound"), "km_central"]),
                "km", "Tomtor to Houston via Vladivostok, Singapore and Port Said: lower bound on length"))
    tv = v.loc[("tomtor", "gulf")]
    out += [
        ("tomtor_gulf_overland_saving_usd_per_t_low", float(tv["saving_usd_per_t_low"]), f"{money.label()} per tonne",
         "Tomtor to Houston: least favourable saving of overland against the best sea route "
         "(negative = overland dearer)"),
        ("tomtor_gulf_overland_saving_usd_per_t_high", float(tv["saving_usd_per_t_high"]), f"{money.label()} per tonne",
         "Tomtor to Houston: most favourable saving of overland against the best sea route "
         "(negative = overland dearer)"),
        ("overland_cheaper_pairs_central", int((verdict["saving_usd_per_t_central"] > 0).sum()), "count",
         f"Deposit-destination pairs (of {len(verdict)}) where overland is cheaper than the best sea route, "
         "central scenario"),
        ("overland_cheaper_pairs_best_case", int((verdict["saving_usd_per_t_high"] > 0).sum()), "count",
         f"Deposit-destination pairs (of {len(verdict)}) where overland is cheaper in the most favourable combination"),
        ("russia_ree_output_share_of_crossing_capacity_pct", float(actual["share_of_min_capacity_pct"]), "percent",
         f"Russia's {year} rare-earth mine output as a share of the smallest freight capacity claimed "
         "for the crossing"),
        ("ree_corridor_revenue_usd_per_year", revenue["central"], f"{money.label()} per year",
         f"Freight revenue Russia's {year} output would pay on the new lines and tunnel (Tomtor to Houston, central)"),
        ("years_of_ree_revenue_to_repay_2025_claim", claim_usd_bn * 1e9 / revenue["high"], "years",
         "Years of that revenue (highest scenario) needed to equal the 2025 claimed cost of the tunnel, "
         "interest ignored"),
    ]
    return out
