"""Critical minerals and the freight a Bering crossing could carry (notebook 04).

The REEx opinion of 21 October 2025 argues that a Bering corridor would link Russia's rare-earth
deposits (Tomtor, Lovozero, Zashikhinskoye) to North American markets and cut dependence on China.
This module supplies the numbers to test that claim:

* **concentration at each stage** - each country's share of mining (USGS), of separation and
  refining and of NdFeB magnet making (IEA and others, ``ree_value_chain.csv``), and the
  Herfindahl-Hirschman index (HHI: shares in percent, squared, summed) of each stage, with the
  unnamed remainder as bounds folded into one figure where they agree (:func:`value_chain`,
  :func:`stage_hhi`, :func:`stage_summary`; for mining alone :func:`hhi_by_year`);
* **Russia's targets** - the output each stated 2030 target implies, next to actual output
  (:func:`target_gaps`);
* **routes** - freight routes from each Russian deposit to an Alaskan refinery site (Fairbanks) and
  to the US Gulf Coast (Houston) overland through the crossing, by the Northern Sea Route, and by
  the ice-free sea lanes; lengths are geodesic polylines through sourced waypoints
  (:func:`route_legs`), costs and transit times follow from sourced rates (:func:`unit_rates`,
  :func:`route_table`), each as a low / central / high range (:data:`SCENARIOS`);
* **cargo value** - freight per tonne against the value of a tonne of concentrate and of NdPr
  oxide (:func:`cargo_values`, :func:`freight_share`);
* **volume** - Russia's rare-earth output, as tonnes of concentrate, against the freight capacity
  claimed for the crossing (:func:`volume_table`);
* **verdict** - the cost and time saved (or lost) by the overland route, as ranges, with the
  near-ties and what would flip them (:func:`verdict_table`, :func:`near_ties`,
  :func:`nsr_flip_ratio`), and the capital charge of the line beside the freight rate
  (:func:`capital_charge_per_t`).

:func:`analysis` runs all of it from one data folder (cached); :func:`results` returns the key
numbers and :func:`findings` the notebook's findings. Figures are in :mod:`bering.plots.minerals`;
this module does not import matplotlib.

Land legs drawn as straight geodesics are shorter than real track or road; they are scaled by the
route factors of the corridors whose lengths are published (:func:`route_factors`). Sea legs run
through waypoints placed in the shipping lanes and are not scaled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import data, escape, fmt, geo, money, units
from .results import ContentCache, content_key

# ------------------------------------------------------------------------------------------
# constants

WORLD = "World total"
OTHER = "Other countries"
SHORT_TON_MILE_TKM = units.SHORT_TON_MILE_TKM
MILE_KM = units.KM_PER_MILE
KNOT_KMH = 1.852
#: Scenario names, in the order tables show them. "low" is the cheap-and-fast end of every range.
SCENARIOS = ("low", "central", "high")

#: Transport modes of a route leg: which rate and speed apply, whether the geodesic is scaled by
#: the land route factor, and which network the cargo is on (a change of network is a transfer).
MODES = {
    "truck": dict(rate="truck", speed="truck", land=True, network="road", label="truck"),
    "rail_ru": dict(
        rate="rail_russia", speed="rail_russia", land=True, network="rail_ru", label="existing Russian rail"
    ),
    "rail_ru_new": dict(
        rate="rail_russia", speed="rail_russia", land=True, network="rail_ru", label="new Russian line"
    ),
    "tunnel": dict(
        rate="rail_north_america", speed="rail_north_america", land=False, network="rail_na", label="Bering tunnel"
    ),
    "rail_na_new": dict(
        rate="rail_north_america",
        speed="rail_north_america",
        land=True,
        network="rail_na",
        label="new North American line",
    ),
    "rail_na": dict(
        rate="rail_north_america",
        speed="rail_north_america",
        land=True,
        network="rail_na",
        label="existing North American rail",
    ),
    "sea_nsr": dict(rate="sea_nsr", speed="sea", land=False, network="sea", label="Northern Sea Route"),
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
_PACIFIC_TO_GULF = ["revillagigedo_islands", "cocos_island", "panama_canal", "yucatan_channel", "port_of_houston"]
_ATLANTIC_TO_GULF = ["north_cape", "cape_race", "straits_of_florida", "port_of_houston"]
_NSR_KOLA_TO_BERING = ["kola_bay", "kara_strait", "cape_chelyuskin", "sannikov_strait", "long_strait", "bering_strait"]
_NSR_TIKSI_TO_BERING = ["tiksi", "sannikov_strait", "long_strait", "bering_strait"]
_VLADIVOSTOK_OUT = ["vladivostok", "tsugaru_strait", "cape_erimo"]

#: First legs from each deposit: to the railhead of the overland route, to its Arctic port, and to
#: its port on the ice-free lanes.
_FIRST = {
    "tomtor": {
        "rail": [("truck", ["tomtor", "nizhny_bestyakh"])],
        "arctic": [("truck", ["tomtor", "tiksi"])],
        "pacific": [
            ("truck", ["tomtor", "nizhny_bestyakh"]),
            ("rail_ru", ["nizhny_bestyakh", "tynda", "khabarovsk", "vladivostok"]),
        ],
    },
    "lovozero": {
        "rail": [
            ("truck", ["lovozero", "kola_bay"]),
            ("rail_ru", ["kola_bay", "yekaterinburg", "tulun", "tynda", "nizhny_bestyakh"]),
        ],
        "arctic": [("truck", ["lovozero", "kola_bay"])],
        "atlantic": [("truck", ["lovozero", "kola_bay"])],
    },
    "zashikhinskoye": {
        "rail": [("truck", ["zashikhinskoye", "tulun"]), ("rail_ru", ["tulun", "tynda", "nizhny_bestyakh"])],
        "pacific": [
            ("truck", ["zashikhinskoye", "tulun"]),
            ("rail_ru", ["tulun", "tynda", "khabarovsk", "vladivostok"]),
        ],
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
            add(
                dep,
                "alaska",
                "nsr",
                first["arctic"]
                + [("sea_nsr", nsr), ("sea", ["bering_strait", *_GULF_OF_ALASKA])]
                + _SEWARD_TO_FAIRBANKS,
            )
            add(
                dep,
                "gulf",
                "nsr",
                first["arctic"] + [("sea_nsr", nsr), ("sea", ["bering_strait", "unimak_pass", *_PACIFIC_TO_GULF])],
            )
        if dep == "tomtor":
            add(
                dep,
                "gulf",
                "nsr_west",
                first["arctic"]
                + [
                    ("sea_nsr", ["tiksi", "cape_chelyuskin", "kara_strait", "kola_bay"]),
                    ("sea", ["kola_bay", *_ATLANTIC_TO_GULF]),
                ],
            )
        if "pacific" in first:
            add(
                dep,
                "alaska",
                "conventional",
                first["pacific"] + [("sea", [*_VLADIVOSTOK_OUT, *_GULF_OF_ALASKA])] + _SEWARD_TO_FAIRBANKS,
            )
            add(dep, "gulf", "conventional", first["pacific"] + [("sea", [*_VLADIVOSTOK_OUT, *_PACIFIC_TO_GULF])])
            add(
                dep,
                "gulf",
                "suez_bound",
                first["pacific"] + [("sea", ["vladivostok", "singapore_strait", "port_said", "port_of_houston"])],
            )
        if "atlantic" in first:
            add(dep, "gulf", "conventional", first["atlantic"] + [("sea", ["kola_bay", *_ATLANTIC_TO_GULF])])
            add(
                dep,
                "alaska",
                "conventional",
                first["atlantic"]
                + [
                    (
                        "sea",
                        [
                            "kola_bay",
                            "north_cape",
                            "cape_race",
                            "straits_of_florida",
                            "yucatan_channel",
                            "panama_canal",
                            "cocos_island",
                            "revillagigedo_islands",
                            *_GULF_OF_ALASKA,
                        ],
                    )
                ]
                + _SEWARD_TO_FAIRBANKS,
            )
            add(
                dep,
                "alaska",
                "suez_bound",
                first["atlantic"]
                + [("sea", ["kola_bay", "port_said", "singapore_strait", "seward"])]
                + _SEWARD_TO_FAIRBANKS,
            )
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
    out = pd.DataFrame(
        {
            "world_total_t": world,
            "listed_t": listed,
            "n_listed": wide[listed_cols].notna().sum(axis=1),
            "has_other": wide[OTHER].notna() if OTHER in wide.columns else False,
        }
    )
    out["gap_pct"] = (out["listed_t"] - out["world_total_t"]) / out["world_total_t"] * 100
    out["complete"] = out["world_total_t"].notna() & (out["gap_pct"].abs() <= tolerance * 100)
    out["reason"] = np.select(
        [out["world_total_t"].isna(), ~out["complete"]],
        ["no world total", "listed countries miss the world total by more than the tolerance"],
        default="",
    )
    out.index.name = "year"
    return out.reset_index()


def shares(prod: pd.DataFrame) -> pd.DataFrame:
    """Each listed row's share of world production, percent: ``year, country, production_t,
    share_pct``. Years without a world total are left out."""
    wide = production_wide(prod)
    if WORLD not in wide.columns:
        raise ValueError(f"production table has no {WORLD!r} rows, so shares cannot be computed")
    world = wide[WORLD].dropna()
    long = (
        wide.drop(columns=WORLD)
        .loc[world.index]
        .reset_index()
        .melt(id_vars="year", var_name="country", value_name="production_t")
        .dropna()
    )
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
    lower = float(np.sum(s**2))
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
    lower = (named_pct**2).sum(axis=1, min_count=1)
    upper = lower + remainder**2
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


def target_gaps(targets: pd.DataFrame, prod: pd.DataFrame, year: int = 2024, country: str = "Russia") -> pd.DataFrame:
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
        rows.append(
            {
                "target_id": t.target_id,
                "target_year": t.target_year,
                "value": value,
                "unit": unit,
                "required_t": required,
                "basis": basis,
            }
        )
    out = pd.DataFrame(rows)
    out["current_t"] = current
    out["multiple_of_current"] = out["required_t"] / current
    out["share_of_world_pct"] = out["required_t"] / world * 100
    return out


def planned_supply(
    plans: pd.DataFrame, deposits: pd.DataFrame, prod: pd.DataFrame, year: int = 2024, country: str = "Russia"
) -> pd.DataFrame:
    """What each deposit's published plan would add, in t REO a year, and where it would put ``country``.

    A plan in ``t dry ore per year`` is multiplied by the deposit's grade (``grade_pct`` of
    ``deposits.csv``, which must be a TREO or REO grade); ``t REO per year`` is taken as stated.
    ``total_t`` adds the plan to ``country``'s ``year`` output, and ``rank_with_plan`` is the rank that
    total would have had among the named producers of ``year``. Raises ValueError for a deposit
    without a usable grade or an unknown unit.
    """
    wide = production_wide(prod)
    current = float(wide.loc[year, country])
    named = wide.loc[year].drop(labels=[c for c in (WORLD, OTHER, country) if c in wide.columns]).dropna()
    dep = deposits.set_index("deposit_id")
    rows = []
    for p in plans.itertuples(index=False):
        if p.unit == "t REO per year":
            reo, ore = float(p.value), np.nan
        elif p.unit == "t dry ore per year":
            basis = str(dep.loc[p.deposit_id, "grade_basis"]) if p.deposit_id in dep.index else ""
            grade = dep.loc[p.deposit_id, "grade_pct"] if p.deposit_id in dep.index else np.nan
            if pd.isna(grade) or "REO" not in basis:
                raise ValueError(f"deposit {p.deposit_id!r} has no REO grade to turn its ore plan into REO")
            ore, reo = float(p.value), float(p.value) * float(grade) / 100
        else:
            raise ValueError(f"plan for {p.deposit_id!r}: unknown unit {p.unit!r}")
        total = current + reo
        rows.append(
            {
                "deposit_id": p.deposit_id,
                "ore_t": ore,
                "reo_t": reo,
                "current_t": current,
                "multiple_of_current": reo / current,
                "total_t": total,
                "rank_with_plan": int((named > total).sum() + 1),
            }
        )
    return pd.DataFrame(rows)


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


def route_points(
    places: pd.DataFrame,
    waypoints: pd.DataFrame,
    deposits: pd.DataFrame,
    zash_bearing_deg: float,
    zash_distance_km: float,
) -> pd.DataFrame:
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
        extra.append(
            {
                "point_id": "bering_strait",
                "name": "Bering Strait (mid-strait)",
                "kind": "strait",
                "lat": lat,
                "lon": lon,
                "table": "derived",
                "approximate": False,
            }
        )
    if "zashikhinskoye" not in set(pts["point_id"]):
        tulun = pts.set_index("point_id").loc["tulun"]
        lat, lon = point_from(tulun["lat"], tulun["lon"], zash_bearing_deg, zash_distance_km)
        extra.append(
            {
                "point_id": "zashikhinskoye",
                "name": "Zashikhinskoye (approximate)",
                "kind": "deposit",
                "lat": lat,
                "lon": lon,
                "table": "derived",
                "approximate": True,
            }
        )
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
                raise ValueError(
                    f"route {spec.deposit}/{spec.destination}/{spec.option} uses unknown point ids {missing}"
                )
            sub = coords.loc[ids]
            rows.append(
                {
                    "deposit": spec.deposit,
                    "destination": spec.destination,
                    "option": spec.option,
                    "leg": i,
                    "mode": mode,
                    "stops": ids,
                    "geodesic_km": geo.polyline_km(sub["lat"].to_numpy(), sub["lon"].to_numpy()),
                }
            )
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
                hit = np.array(
                    [
                        any(land[j].contains(Point(x, y)) for j in tree.query(Point(x, y)))
                        for x, y in zip(np.atleast_1d(mid_lon), np.atleast_1d(mid_lat))
                    ]
                )
                over += float(np.sum(np.atleast_1d(step)[hit]))
        out.append(
            {"deposit": key[0], "destination": key[1], "option": key[2], "sea_km": sea_km, "sea_over_land_km": over}
        )
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
    rows = rows.assign(published_km=km.to_numpy(), geodesic_km=summary.loc[rows["alignment_id"], "total_km"].to_numpy())
    rows["factor"] = rows["published_km"] / rows["geodesic_km"]
    out = rows[["alignment_id", "published_km", "geodesic_km", "factor"]].reset_index(drop=True)
    pooled = {
        "alignment_id": "pooled",
        "published_km": out["published_km"].sum(),
        "geodesic_km": out["geodesic_km"].sum(),
    }
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


def container_payload_t(rates: pd.DataFrame) -> float:
    """Payload of a 40 ft container in tonnes: the ``sea_container`` row whose unit is ``tonnes``.

    Raises ValueError when there is none or more than one, so a rate per container is never divided by
    a guessed weight.
    """
    hit = rates[(rates["mode"] == "sea_container") & (rates["unit"] == "tonnes")]
    if len(hit) != 1:
        raise ValueError(f"expected one 40 ft container payload (sea_container, tonnes); found {len(hit)}")
    value = float(hit["value"].iloc[0])
    if not value > 0:
        raise ValueError(f"container payload must be positive; got {value!r}")
    return value


def _lane(stops) -> list[str]:
    return [] if pd.isna(stops) or not str(stops).strip() else str(stops).split(";")


def sea_rate_basis(rates: pd.DataFrame, points: pd.DataFrame, cargo_class: str | None = None) -> pd.DataFrame:
    """Ocean rates per tonne-km from rates quoted per tonne or per 40 ft container on a lane.

    The rows are the sea rates with ``lane_stops`` (optionally only those of ``cargo_class``, ``bulk``
    or ``container``). A rate per tonne is taken as it is; a rate per 40 ft container is divided by
    the container payload (:func:`container_payload_t`). Each is then divided by the length of its lane,
    the geodesic polyline through ``lane_stops``. Returns ``rate_id, cargo_class, route, usd_per_t,
    year, route_km, usd_per_tkm`` (nominal dollars of ``year``, read from the rate id). Port and canal
    charges inside a rate are spread over the distance. Raises ValueError for an unknown unit or
    waypoint, or when no row is left.
    """
    coords = points.set_index("point_id")[["lat", "lon"]]
    sea = rates[rates["mode"].astype(str).str.startswith("sea_") & rates["lane_stops"].map(lambda x: bool(_lane(x)))]
    if cargo_class is not None:
        sea = sea[sea["cargo_class"] == cargo_class]
    if sea.empty:
        raise ValueError(f"no sea rates with a lane for cargo class {cargo_class!r} in the data")
    rows = []
    for r in sea.itertuples(index=False):
        stops = _lane(r.lane_stops)
        missing = [p for p in stops if p not in coords.index]
        if missing:
            raise ValueError(f"rate {r.rate_id}: unknown lane stops {missing}")
        unit = str(r.unit)
        if unit.startswith("USD per metric ton"):
            per_t = float(r.value)
        elif unit.startswith("USD per 40 ft container"):
            per_t = float(r.value) / container_payload_t(rates)
        else:
            raise ValueError(f"rate {r.rate_id}: cannot turn {unit!r} into USD per tonne")
        year = re.search(r"_(\d{4})", r.rate_id)
        if year is None:
            raise ValueError(f"rate {r.rate_id}: no year in the rate id")
        km = geo.polyline_km(coords.loc[stops, "lat"].to_numpy(), coords.loc[stops, "lon"].to_numpy())
        rows.append(
            {
                "rate_id": r.rate_id,
                "cargo_class": r.cargo_class,
                "route": f"{stops[0]}-{stops[-1]}",
                "usd_per_t": per_t,
                "year": int(year.group(1)),
                "route_km": km,
                "usd_per_tkm": per_t / km,
            }
        )
    return pd.DataFrame(rows)


def rail_basis(rates: pd.DataFrame, rate_ids) -> str:
    """The one ``rate_basis`` shared by the rail rates ``rate_ids``; raises ValueError naming a mix.

    Every rail leg of the model must be charged on one basis (average revenue per tonne-km over all
    traffic, say), never average revenue on one side and a bulk contract rate on the other.
    """
    hit = rates.set_index("rate_id").reindex(list(rate_ids))
    if hit["mode"].isna().any():
        raise KeyError(f"no freight rate {hit.index[hit['mode'].isna()].tolist()} in the data")
    bases = hit["rate_basis"].fillna("").astype(str)
    if (bases == "").any():
        raise ValueError(f"rail rates without a rate_basis: {bases.index[bases == ''].tolist()}")
    if bases.nunique() != 1:
        raise ValueError(f"rail rates mix bases: {dict(zip(bases.index, bases))}")
    return str(bases.iloc[0])


#: The rail rate rows the model charges (Russian Railways revenue over loaded turnover; US Class I yield).
RAIL_RATE_IDS = (
    "ru_rail_freight_revenue_2013",
    "ru_rail_loaded_turnover_2013",
    "us_rail_yield_2012q4",
    "us_rail_yield_2013q4",
)


@dataclass(frozen=True)
class Assumed:
    """The assumption values the route model uses (from ``assumptions.csv``)."""

    transfer_dwell_days: float
    truck_km_per_day: float
    nsr_cost_ratio: float

    #: The assumptions.csv rows of the three fields, in order.
    NEEDS = (
        "minerals_transfer_dwell_days",
        "minerals_truck_speed_km_per_day",
        "minerals_nsr_to_open_sea_cost_ratio",
    )

    @classmethod
    def from_table(cls, assumptions: pd.DataFrame) -> "Assumed":
        need = cls.NEEDS
        a = data.assumption_values(need, table=assumptions)
        return cls(a[need[0]], a[need[1]], a[need[2]])


def unit_rates(
    rates: pd.DataFrame, points: pd.DataFrame, conv: money.Money, assumed: Assumed, sea_class: str = "container"
) -> pd.DataFrame:
    """Cost (USD 2025 per tonne-km) and speed (km per day) of each rate class, per scenario.

    * ``rail_russia``: Russian Railways freight revenue over loaded freight turnover, 2013 (one
      figure, so low = central = high);
    * ``rail_north_america``: US Class I revenue per ton-mile, Q4 2012 and Q4 2013; both rail classes
      on one basis, checked by :func:`rail_basis`;
    * ``truck``: US truck revenue per ton-mile, 2008 and 2010;
    * ``sea``: the lane rates of cargo class ``sea_class`` over their lane lengths
      (:func:`sea_rate_basis`): Drewry container spot rates for ``container``, USDA grain rates for
      ``bulk``;
    * ``sea_nsr``: the sea rate times the NSR cost ratio (an assumption).

    Nominal figures are restated in USD 2025 with ``conv``. "low" takes the lowest cost and the
    highest speed, "high" the opposite, "central" the mean. Speeds: Russian loaded-wagon delivery
    speed (2015, 2017); US line-haul train speed (2005) round the clock; ship speed 13.8-16 knots;
    truck speed as assumed.
    """
    out = []
    rail_basis(rates, RAIL_RATE_IDS)

    def add(cls, costs, speeds):
        costs = np.asarray(costs, dtype=float)
        speeds = np.asarray(speeds, dtype=float)
        for sc, c, s in (
            ("low", costs.min(), speeds.max()),
            ("central", costs.mean(), speeds.mean()),
            ("high", costs.max(), speeds.min()),
        ):
            out.append({"rate_class": cls, "scenario": sc, "usd_per_tkm": c, "km_per_day": s})

    rub = _rate(rates, "ru_rail_freight_revenue_2013")["value"] / _rate(rates, "ru_rail_loaded_turnover_2013")["value"]
    ru_speed = [
        _rate(rates, r)["value"] for r in ("ru_rail_delivery_speed_2017", "ru_rail_delivery_speed_2015_jan_jul")
    ]
    add("rail_russia", [conv.convert(rub, "RUB", 2013)], ru_speed)

    us = [
        (_rate(rates, r)["value"] / 100 / SHORT_TON_MILE_TKM, y)
        for r, y in (("us_rail_yield_2012q4", 2012), ("us_rail_yield_2013q4", 2013))
    ]
    na_speed = _rate(rates, "us_rail_linehaul_speed_2005q1")["value"] * MILE_KM * 24
    add("rail_north_america", [conv.convert(v, "USD", y) for v, y in us], [na_speed])

    truck = [
        (_rate(rates, r)["value"] / 100 / SHORT_TON_MILE_TKM, y)
        for r, y in (("us_truck_revenue_2008", 2008), ("us_truck_revenue_2010", 2010))
    ]
    add("truck", [conv.convert(v, "USD", y) for v, y in truck], [assumed.truck_km_per_day])

    basis = sea_rate_basis(rates, points, sea_class)
    sea_costs = conv.convert(basis["usd_per_tkm"].to_numpy(), "USD", basis["year"].to_numpy())
    ship = [
        _rate(rates, r)["value"] * KNOT_KMH * 24 for r in ("sea_liner_speed_2023q1", "sea_container_speed_typical_min")
    ]
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


def verdict_table(routes: pd.DataFrame, sea_options=("nsr", "nsr_west", "conventional")) -> pd.DataFrame:
    """Overland against the best sea option, per deposit and destination, as ranges.

    The best sea option is the cheapest (central) of ``sea_options`` (by default the NSR, NSR-west
    and ice-free options; ``("conventional",)`` gives the comparison outside the NSR season).
    ``saving_usd_per_t_low/high`` is what the overland route saves per tonne (negative: it costs
    more), from the least to the most favourable combination: sea at its cheapest against overland
    at its dearest, and the reverse. ``days_saved_low/high`` likewise.
    """
    sea = routes[routes["option"].isin(list(sea_options))]
    best = sea.loc[sea.groupby(["deposit", "destination"])["usd_per_t_central"].idxmin()]
    over = routes[routes["option"] == "overland"]
    m = over.merge(best, on=["deposit", "destination"], suffixes=("_over", "_sea"))
    out = pd.DataFrame(
        {
            "deposit": m["deposit"],
            "destination": m["destination"],
            "best_sea_option": m["option_sea"],
            "overland_km": m["km_central_over"],
            "sea_km": m["km_central_sea"],
            "overland_usd_per_t": m["usd_per_t_central_over"],
            "sea_usd_per_t": m["usd_per_t_central_sea"],
            "saving_usd_per_t_low": m["usd_per_t_low_sea"] - m["usd_per_t_high_over"],
            "saving_usd_per_t_central": m["usd_per_t_central_sea"] - m["usd_per_t_central_over"],
            "saving_usd_per_t_high": m["usd_per_t_high_sea"] - m["usd_per_t_low_over"],
            "days_saved_low": m["days_low_sea"] - m["days_high_over"],
            "days_saved_central": m["days_central_sea"] - m["days_central_over"],
            "days_saved_high": m["days_high_sea"] - m["days_low_over"],
        }
    )
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# volume


def volume_flag(rates: pd.DataFrame) -> pd.Series:
    """True for the rows whose ``volume_comparison`` column says they enter the volume comparison.

    Accepts booleans or the strings ``true``/``false`` (any case); empty means not a tonnage, False.
    """
    if "volume_comparison" not in rates.columns:
        raise ValueError("freight rates have no volume_comparison column")
    return rates["volume_comparison"].map(lambda v: str(v).strip().lower() in ("true", "1")).astype(bool)


def volume_left_out(rates: pd.DataFrame) -> pd.DataFrame:
    """Tonnage rows (crossing claims and Northern Sea Route cargo) that stay out of the volume comparison,
    with the reason: ``rate_id, statistic, reason``."""
    tonnage = rates["mode"].isin(["bering_crossing", "northern_sea_route"]) & rates["unit"].astype(str).str.contains(
        "tonnes"
    )
    out = rates[tonnage & ~volume_flag(rates)]
    return pd.DataFrame(
        {
            "rate_id": out["rate_id"],
            "statistic": out["statistic"],
            "reason": [
                "volume_comparison is false in freight_rates.csv" + (f"; {n}" if isinstance(n, str) and n else "")
                for n in out["notes"]
            ]
            if "notes" in out.columns
            else "volume_comparison is false in freight_rates.csv",
        }
    ).reset_index(drop=True)


def volume_table(
    rates: pd.DataFrame,
    prod: pd.DataFrame,
    targets: pd.DataFrame,
    reo_fraction: float,
    year: int = 2024,
    country: str = "Russia",
) -> pd.DataFrame:
    """Tonnages to set against the crossing's claimed capacity, all in gross tonnes of freight.

    Capacity claims (million tonnes a year) and Northern Sea Route cargo are gross tonnes already;
    a row enters when its ``volume_comparison`` column is true (:func:`volume_flag`; the others are
    listed by :func:`volume_left_out`).
    ``country``'s ``year`` mine output (t REO, USGS) and its stated tonnage targets would travel as
    concentrate, so they are divided by ``reo_fraction`` (the REO content of the concentrate, 0-1)
    to give the tonnes a train or ship would carry. The targets' product basis is mostly not stated;
    they are treated as REO. Returns ``item, kind, tonnes_reported, basis_reported, tonnes_freight,
    source_id`` and ``share_of_max_capacity_pct`` / ``share_of_min_capacity_pct`` (freight tonnes
    against the largest and smallest claim).
    """
    if not 0 < reo_fraction <= 1:
        raise ValueError(f"reo_fraction must be in (0, 1]; got {reo_fraction!r}")
    chosen = volume_flag(rates)
    cap = rates[(rates["mode"] == "bering_crossing") & (rates["unit"] == "million tonnes per year") & chosen]
    if cap.empty:
        raise ValueError("no crossing capacity claims (bering_crossing, million tonnes per year) in the data")
    nsr = rates[(rates["mode"] == "northern_sea_route") & (rates["unit"] == "million tonnes") & chosen]
    gross = "gross tonnes of freight"
    rows = [
        {
            "item": r.statistic,
            "kind": "crossing capacity claim",
            "tonnes_reported": r.value * 1e6,
            "basis_reported": gross,
            "source_id": r.source_id,
        }
        for r in cap.itertuples()
    ]
    rows += [
        {
            "item": r.statistic,
            "kind": "Northern Sea Route cargo",
            "tonnes_reported": r.value * 1e6,
            "basis_reported": gross,
            "source_id": r.source_id,
        }
        for r in nsr.itertuples()
    ]
    out_row = prod[(prod["country"] == country) & (prod["year"] == year)]
    if out_row.empty:
        raise ValueError(f"no {country} production figure for {year}")
    rows.append(
        {
            "item": f"{country}: rare-earth mine output, {year}",
            "kind": "actual output",
            "tonnes_reported": float(out_row["production_t_reo"].iloc[0]),
            "basis_reported": "t REO",
            "source_id": out_row["source_id"].iloc[0],
        }
    )
    t = targets[targets["unit"] == "t per year"]
    rows += [
        {
            "item": f"{country} target for {int(r.target_year)}: {r.statement}",
            "kind": "stated target",
            "tonnes_reported": float(r.value),
            "basis_reported": "t (basis not stated; taken as REO)",
            "source_id": r.source_id,
        }
        for r in t.itertuples()
    ]
    out = pd.DataFrame(rows)
    is_gross = out["basis_reported"] == gross
    out["tonnes_freight"] = np.where(is_gross, out["tonnes_reported"], out["tonnes_reported"] / reo_fraction)
    cmax, cmin = cap["value"].max() * 1e6, cap["value"].min() * 1e6
    out["share_of_max_capacity_pct"] = out["tonnes_freight"] / cmax * 100
    out["share_of_min_capacity_pct"] = out["tonnes_freight"] / cmin * 100
    return out


# ------------------------------------------------------------------------------------------
# concentration at each stage: mining, separation and refining, magnet making

#: Stages of the supply chain, in order, with the words the notebook uses for them.
STAGES = {
    "mining": "mine production",
    "separation_refining": "separation and refining",
    "magnets": "NdFeB magnet making",
}


#: Rounding to significant figures is the formatter's (one rule for every Findings sentence).
round_sig = fmt.round_sig


def value_chain(chain: pd.DataFrame, prod: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Shares by stage, country and year, percent: ``stage, year, country, share_pct``.

    Mining comes from the USGS production table, for the years whose table is complete
    (:func:`table_completeness`), with its "Other countries" row (unnamed: :func:`stage_hhi` counts it
    in the remainder); the later stages come from ``ree_value_chain.csv`` as published.
    Raises ValueError for a stage not in :data:`STAGES` or shares adding up to more than 100% (plus
    ``tolerance``, since USGS country figures may exceed the rounded world total).
    """
    unknown = sorted(set(chain["stage"]) - set(STAGES))
    if unknown:
        raise ValueError(f"unknown stages {unknown}; expected one of {list(STAGES)}")
    comp = table_completeness(prod, tolerance)
    ok = set(comp.loc[comp["complete"], "year"])
    sh = shares(prod)
    mining = sh[sh["year"].isin(ok)].assign(stage="mining")
    out = pd.concat(
        [mining[["stage", "year", "country", "share_pct"]], chain[["stage", "year", "country", "share_pct"]]],
        ignore_index=True,
    )
    out["year"] = out["year"].astype(int)
    out["share_pct"] = out["share_pct"].astype(float)
    tot = out.groupby(["stage", "year"])["share_pct"].sum()
    over = tot[tot > 100 * (1 + tolerance) + 0.5]
    if not over.empty:
        (stage, year), val = next(iter(over.items()))
        raise ValueError(f"{stage} {year}: shares add up to {val:.1f}%, more than 100%")
    order = {s: i for i, s in enumerate(STAGES)}
    return out.sort_values(
        ["stage", "year", "share_pct"],
        key=lambda c: c.map(order) if c.name == "stage" else c,
        ascending=[True, True, False],
    ).reset_index(drop=True)


def stage_hhi(vc: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """HHI of every stage and year, with the unnamed remainder as bounds, folded where they agree.

    ``hhi_lower`` leaves the remainder (100 minus the named shares, at least "Other countries") out, as if split among
    countless tiny producers; ``hhi_upper`` counts it as one producer. When both round to the same
    value at ``digits`` significant figures the bounds are folded into one figure, ``hhi`` (their
    mean), and ``folded`` is True; otherwise ``hhi`` is NaN and the range is the answer.
    ``china_pct`` is China's share (NaN if not named) and ``equivalent_producers`` 10,000 / HHI.
    """
    rows = []
    for (stage, year), g in vc.groupby(["stage", "year"], sort=False):
        is_other = (g["country"] == OTHER).to_numpy()
        named = g.loc[~is_other, "share_pct"].to_numpy(float)
        remainder = max(0.0, 100.0 - named.sum(), float(g.loc[is_other, "share_pct"].sum()))
        lower = float(np.sum(named**2))
        upper = lower + remainder**2
        folded = round_sig(lower, digits) == round_sig(upper, digits)
        china = g.loc[g["country"] == "China", "share_pct"]
        hhi = (lower + upper) / 2 if folded else np.nan
        rows.append(
            {
                "stage": stage,
                "year": int(year),
                "n_named": int((~is_other).sum()),
                "remainder_pct": remainder,
                "china_pct": float(china.iloc[0]) if len(china) else np.nan,
                "hhi_lower": lower,
                "hhi_upper": upper,
                "folded": folded,
                "hhi": hhi,
                "equivalent_producers": 10_000 / hhi if folded else np.nan,
            }
        )
    return pd.DataFrame(rows)


def stage_summary(hhi: pd.DataFrame, max_year: int | None = None) -> pd.DataFrame:
    """One row per stage: China's share in the latest year (up to ``max_year``) that names it, and
    the HHI of the latest such year whose bounds fold into one figure (see :func:`stage_hhi`).
    ``year_share``, ``china_pct``, ``year_hhi``, ``hhi``, ``hhi_lower``, ``hhi_upper``."""
    rows = []
    for stage in STAGES:
        g = hhi[(hhi["stage"] == stage) & ((hhi["year"] <= max_year) if max_year else True)].sort_values("year")
        if g.empty:
            continue
        sh = g.dropna(subset=["china_pct"]).iloc[-1]
        folded = g[g["folded"]]
        h = folded.iloc[-1] if len(folded) else g.iloc[-1]
        rows.append(
            {
                "stage": stage,
                "year_share": int(sh["year"]),
                "china_pct": float(sh["china_pct"]),
                "year_hhi": int(h["year"]),
                "hhi": float(h["hhi"]),
                "hhi_lower": float(h["hhi_lower"]),
                "hhi_upper": float(h["hhi_upper"]),
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# freight against the value of the cargo


def cargo_values(prices: pd.DataFrame, products: pd.DataFrame, conv: money.Money) -> pd.DataFrame:
    """Value of a tonne of each cargo, ``USD 2025`` per tonne shipped: ``cargo, value_low,
    value_central, value_high, n_prices, price_ids, price_basis`` (the statistics the prices are).

    Prices per kg are multiplied by 1,000. A price per tonne of REO contained values each
    concentrate of ``products`` at its REO content; a price per tonne of product values that product.
    Nominal prices are restated with ``conv``. Several prices of one cargo give the range (low =
    lowest, central = mean, high = highest).
    """
    rows = []
    for p in prices.itertuples(index=False):
        per_t = float(p.value) * (1000.0 if p.unit == "USD per kg" else 1.0)
        usd = float(conv.convert(per_t, p.currency, int(p.price_year)))
        if p.per == "t REO contained":
            for c in products.itertuples(index=False):
                rows.append(
                    {
                        "cargo": f"{c.name}, {c.reo_pct:g}% REO",
                        "product_id": c.product_id,
                        "price_id": p.price_id,
                        "usd_per_t": usd * float(c.reo_pct) / 100,
                        "price_basis": getattr(p, "statistic", p.price_id),
                    }
                )
        elif p.per == "t product":
            rows.append(
                {
                    "cargo": p.product.replace("ndpr_oxide", "NdPr oxide"),
                    "product_id": p.product,
                    "price_id": p.price_id,
                    "usd_per_t": usd,
                    "price_basis": getattr(p, "statistic", p.price_id),
                }
            )
        else:
            raise ValueError(f"price {p.price_id}: 'per' must be 't product' or 't REO contained'; got {p.per!r}")
    v = pd.DataFrame(rows)
    out = v.groupby(["cargo", "product_id"], sort=False).agg(
        value_low=("usd_per_t", "min"),
        value_central=("usd_per_t", "mean"),
        value_high=("usd_per_t", "max"),
        n_prices=("usd_per_t", "size"),
        price_ids=("price_id", lambda s: ";".join(s)),
        price_basis=("price_basis", lambda s: "; ".join(dict.fromkeys(s))),
    )
    return out.reset_index()


def freight_share(routes: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Freight per tonne as a percent of the cargo's value, per route and cargo.

    ``share_pct_<s>`` = route cost per tonne in scenario ``s`` / central cargo value x 100; the
    Suez rows (no cost) are left out. A share of a few percent means routing cannot decide a trade.
    """
    r = routes[routes["option"] != "suez_bound"]
    out = r[["deposit", "destination", "option"] + [f"usd_per_t_{s}" for s in SCENARIOS]].merge(
        values[["cargo", "product_id", "value_central"]], how="cross"
    )
    for s in SCENARIOS:
        out[f"share_pct_{s}"] = out[f"usd_per_t_{s}"] / out["value_central"] * 100
    return out


# ------------------------------------------------------------------------------------------
# near-ties and what would flip them


def nsr_flip_ratio(legs_costed: pd.DataFrame, verdict: pd.DataFrame, current_ratio: float) -> pd.Series:
    """NSR cost ratio (to open sea) at which the best sea route would cost as much as overland (central).

    Each sea route's central cost is split into its Northern Sea Route legs (scaled by ratio /
    ``current_ratio``) and the rest. For pairs where overland is dearer, the flip needs the NSR to be
    dearer still; a pair whose ice-free route alone beats overland cannot be flipped by the NSR
    ratio (NaN). Indexed by (deposit, destination).
    """
    if not current_ratio > 0:
        raise ValueError(f"current_ratio must be positive; got {current_ratio!r}")
    sea = legs_costed[legs_costed["option"].isin(["nsr", "nsr_west", "conventional"])]
    nsr_part = (
        sea.assign(n=np.where(sea["mode"] == "sea_nsr", sea["usd_per_t_central"], 0.0))
        .groupby(["deposit", "destination", "option"])["n"]
        .sum()
    )
    total = sea.groupby(["deposit", "destination", "option"])["usd_per_t_central"].sum()
    rest = total - nsr_part
    out = {}
    for v in verdict.itertuples(index=False):
        key = (v.deposit, v.destination)
        over = v.overland_usd_per_t
        opts = [
            (rest.loc[key + (o,)], nsr_part.loc[key + (o,)])
            for o in ("nsr", "nsr_west", "conventional")
            if key + (o,) in rest.index
        ]
        if any(b == 0 and a < over for a, b in opts) or not any(b > 0 for a, b in opts):
            out[key] = np.nan
            continue
        # every NSR option must reach the overland cost, so the flip is at the largest of their ratios
        out[key] = max((over - a) * current_ratio / b for a, b in opts if b > 0)
    return pd.Series(out, name="nsr_flip_ratio")


def nsr_fee_to_flip(legs_costed: pd.DataFrame, verdict: pd.DataFrame) -> pd.Series:
    """Premium per tonne of cargo (USD 2025), added to every Northern Sea Route option, at which the best sea
    route would cost as much as overland (central), per (deposit, destination).

    The premium stands for what the open-sea rate leaves out on the NSR: icebreaker escort, the insurance
    surcharge, an ice-class ship. It raises only the options with an NSR leg, so a pair whose ice-free route
    already costs less than overland cannot be flipped by it (NaN), nor can a pair without an NSR option.
    Otherwise every NSR option must reach the overland cost, so the answer is the largest of
    ``overland - option`` over them (zero or below: overland is already the cheapest).
    """
    keys = ["deposit", "destination", "option"]
    sea = legs_costed[legs_costed["option"].isin(["nsr", "nsr_west", "conventional"])]
    total = sea.groupby(keys)["usd_per_t_central"].sum()
    has_nsr = sea.groupby(keys)["mode"].apply(lambda m: bool((m == "sea_nsr").any()))
    out = {}
    for v in verdict.itertuples(index=False):
        key = (v.deposit, v.destination)
        opts = [o for o in ("nsr", "nsr_west", "conventional") if key + (o,) in total.index]
        nsr = [total.loc[key + (o,)] for o in opts if has_nsr.loc[key + (o,)]]
        free = [total.loc[key + (o,)] for o in opts if not has_nsr.loc[key + (o,)]]
        if not nsr or any(c < v.overland_usd_per_t for c in free):
            out[key] = np.nan
            continue
        out[key] = max(v.overland_usd_per_t - c for c in nsr)
    return pd.Series(out, name="nsr_fee_to_flip_usd_per_t", dtype=float)


def fee_per_t_cargo(rate_per_t_ship: float, ship_t: float, cargo_t: float) -> float:
    """A fee charged per tonne of the ship (displacement or gross tonnage) spread over its cargo:
    ``rate_per_t_ship x ship_t / cargo_t``. Raises ValueError unless all are positive and, for a fee on
    displacement, the cargo is at most the ship's tonnage; so the rate itself is a floor on the fee per
    tonne of cargo.

    >>> round(fee_per_t_cargo(3.26, 28_000, 18_000), 4)
    5.0711
    """
    if not (rate_per_t_ship >= 0 and ship_t > 0 and cargo_t > 0):
        raise ValueError("rate must be >= 0 and ship and cargo tonnages positive")
    if cargo_t > ship_t:
        raise ValueError(f"cargo ({cargo_t:,.0f} t) cannot exceed the ship's displacement ({ship_t:,.0f} t)")
    return rate_per_t_ship * ship_t / cargo_t


def season_days(start_month: int, start_day: int, end_month: int, end_day: int, year: int = 2025) -> int:
    """Days of a season within one calendar year, both ends included (``year`` settles leap days).

    >>> season_days(7, 1, 11, 15)
    138
    """
    start, end = dt.date(year, int(start_month), int(start_day)), dt.date(year, int(end_month), int(end_day))
    if end < start:
        raise ValueError(f"season ends ({end:%d %B}) before it starts ({start:%d %B})")
    return (end - start).days + 1


def nsr_navigation_season(rates: pd.DataFrame) -> dict:
    """The Northern Sea Route's navigation season for ships without ice strengthening or of ice class
    Ice1-Ice3 (freight_rates.csv rows ``nsr_navigation_ice1_3_*``), the season notebook 04 compares in:
    ``first_month``, ``last_month``, ``last_day``, ``days`` and ``text`` ('1 July to 15 November')."""
    season = rates.set_index("rate_id")["value"].astype(float)
    first, last_month, last_day = (
        int(season[f"nsr_navigation_ice1_3_{k}"]) for k in ("start_month", "end_month", "end_day")
    )
    return {
        "first_month": first,
        "last_month": last_month,
        "last_day": last_day,
        "days": season_days(first, 1, last_month, last_day),
        "text": f"1 {dt.date(2025, first, 1):%B} to {last_day} {dt.date(2025, last_month, 1):%B}",
    }


#: The freight_rates.csv row of the lowest fee of the 1991 NSR schedule (per tonne of displacement).
NSR_FEE_RATE_ID = "nsr_escort_basis_fee_1991_region_c_min"


def sea_flip_multiple(
    legs_costed: pd.DataFrame, verdict: pd.DataFrame, sea_options=("nsr", "nsr_west", "conventional")
) -> pd.Series:
    """Factor by which every sea rate would have to rise for the best sea route to cost as much as
    overland (central), per (deposit, destination).

    The sea rates are those of the cargo's class (container rates for concentrate); the factor shows how
    far they could be off before the verdict changes.
    Each sea route's central cost is split into its sea legs (``sea`` and ``sea_nsr``, scaled by the
    factor) and its land legs. The best sea route reaches the overland cost when every option does,
    so the answer is the largest of the options' factors. Below 1: overland is already cheaper.
    """
    sea = legs_costed[legs_costed["option"].isin(list(sea_options))]
    on_sea = sea["mode"].isin(["sea", "sea_nsr"])
    keys = ["deposit", "destination", "option"]
    b = sea.assign(x=np.where(on_sea, sea["usd_per_t_central"], 0.0)).groupby(keys)["x"].sum()
    a = sea.assign(x=np.where(on_sea, 0.0, sea["usd_per_t_central"])).groupby(keys)["x"].sum()
    out = {}
    for v in verdict.itertuples(index=False):
        key = (v.deposit, v.destination)
        ks = [
            (v.overland_usd_per_t - a.loc[key + (o,)]) / b.loc[key + (o,)]
            for o in sea_options
            if key + (o,) in b.index and b.loc[key + (o,)] > 0
        ]
        out[key] = max(ks) if ks else np.nan
    return pd.Series(out, name="sea_flip_multiple")


def near_ties(verdict: pd.DataFrame) -> pd.Series:
    """True where the overland saving's low-high range straddles zero: the ranking depends on the scenario."""
    return (verdict["saving_usd_per_t_low"] < 0) & (verdict["saving_usd_per_t_high"] > 0)


# ------------------------------------------------------------------------------------------
# the capital charge of the new lines, beside the freight rate


def capital_charge_per_t(capital_usd: float, rate: float, years: float, tonnes_per_year: float) -> float:
    """Yearly capital charge per tonne: the annuity that repays ``capital_usd`` over ``years`` at
    ``rate`` (real, per year), spread over ``tonnes_per_year``. ``rate`` 0 gives capital / years.

    >>> round(capital_charge_per_t(1e9, 0.05, 20, 1e6), 2)
    80.24
    """
    if not capital_usd >= 0 or not rate >= 0 or not years > 0 or not tonnes_per_year > 0:
        raise ValueError("capital must be >= 0, rate >= 0, years > 0 and tonnes_per_year > 0")
    annuity = capital_usd / years if rate == 0 else capital_usd * rate / (1 - (1 + rate) ** -years)
    return annuity / tonnes_per_year


# ------------------------------------------------------------------------------------------
# the whole analysis, from the data folder


#: The assumptions.csv rows of the real interest rate and asset life of the capital charge: the same
#: rows notebook 06 uses for the whole link, so both notebooks charge for capital on one basis.
CAPITAL_ASSUMPTIONS = ("econ_real_interest_rate", "econ_asset_life_years")


@dataclass(frozen=True)
class Analysis:
    """Every table of the notebook, computed from one data folder (see :func:`analysis`)."""

    prod: pd.DataFrame
    completeness: pd.DataFrame
    hhi_mining: pd.DataFrame
    value_chain: pd.DataFrame
    stage_hhi: pd.DataFrame
    stages: pd.DataFrame
    targets: pd.DataFrame
    gaps: pd.DataFrame
    plans: pd.DataFrame
    trade: pd.DataFrame
    deposits: pd.DataFrame
    points: pd.DataFrame
    legs: pd.DataFrame
    factors: pd.DataFrame
    unit: pd.DataFrame
    legs_costed: pd.DataFrame
    routes: pd.DataFrame
    verdict: pd.DataFrame
    verdict_ice_free: pd.DataFrame
    values: pd.DataFrame
    shares_of_value: pd.DataFrame
    volume: pd.DataFrame
    capital: pd.DataFrame
    assumed: "Assumed"
    sea_class: str
    sea_basis: pd.DataFrame
    rail_basis: str
    container_payload_t: float
    volume_left_out: pd.DataFrame
    nsr_season_days: int
    nsr_season_text: str
    nsr_fee_floor_usd_per_t: float
    nsr_fee_floor_year: int
    concentrate: str
    capital_rate: float
    capital_years: float


#: The year the notebook reports on (the latest year of final USGS mine figures).
YEAR = 2024

#: Display names of the Russian deposits.
DEPOSIT_NAMES = {"tomtor": "Tomtor", "lovozero": "Lovozero", "zashikhinskoye": "Zashikhinskoye"}


def _capital_basis(data_dir, scenario: str, conv: money.Money) -> list[dict]:
    """Capital costs to charge: the 2025 claim, and the cost model's whole-link median when the
    cost model provides ``whole_link_samples``."""
    from . import montecarlo, timeline

    claims = timeline.cost_claims(timeline.load_timeline(data_dir), conv)
    row = claims.loc[claims["event_id"] == "2025_dmitriev_putin_trump_tunnel"]
    out = [{"basis": "2025 claim (tunnel only)", "usd_bn": float(row["usd_bn_base"].iloc[0])}]
    samples = getattr(montecarlo, "whole_link_samples", None)
    if samples is not None:
        out.append(
            {
                "basis": "whole link, cost model median",
                "usd_bn": float(np.median(samples(scenario=scenario, data_dir=data_dir))),
            }
        )
    return out


#: What the scenario-independent part of the analysis reads from a data folder: the tables it loads
#: (``(name, False)``: loaded without the cross-table rules) and the assumptions it reads. They are
#: its cache key; ``tests/test_performance.py`` checks the lists against what a computation loads.
STATIC_TABLES = (
    "ree_production",
    "ree_value_chain",
    "russia_ree_targets",
    "deposits",
    "places",
    "alignment_segments",
    "route_waypoints",
    "published_lengths",
    "freight_rates",
    "ree_products",
    "ree_prices",
    "deposit_plans",
    "us_ree_trade",
    ("us_price_index", False),
    ("fx_rates", False),
    ("local_price_index", False),
)
STATIC_ASSUMPTIONS = (
    "minerals_share_table_tolerance",
    "minerals_zashikhinskoye_bearing_deg",
    "minerals_zashikhinskoye_distance_km",
    *Assumed.NEEDS,
    *CAPITAL_ASSUMPTIONS,
)
#: The scenario-independent part by the content of its inputs: one computation serves every scenario
#: and every copy of the folder with the same inputs (the ledger's assumption variants); bounded.
_STATIC = ContentCache(8)
#: Analyses handed out, by their static part's key, folder and capital rows; bounded.
_ASSEMBLED = ContentCache(16)


def _analysis(data_dir, scenario: str) -> Analysis:
    """The analysis under ``scenario``: the scenario-independent part (cached on its inputs' content)
    with the capital charge, the only part that reads the cost model's scenario, computed on top."""
    folder = Path(data_dir)
    key = content_key(folder, STATIC_TABLES, assumptions=STATIC_ASSUMPTIONS)
    static, capital_tonnages = _STATIC.get(key, lambda: _static_analysis(folder))
    conv = money.Money.from_data(folder)
    cap_rows = []
    for b in _capital_basis(folder, scenario, conv):
        for label, t in capital_tonnages:
            cap_rows.append(
                {
                    **b,
                    "tonnage": label,
                    "tonnes_per_year": t,
                    "usd_per_t": capital_charge_per_t(b["usd_bn"] * 1e9, static.capital_rate, static.capital_years, t),
                }
            )
    # the same inputs give the same object, as they did when the whole analysis was cached per folder
    assembled_key = None if key is None else (key, str(folder), tuple(tuple(row.items()) for row in cap_rows))
    return _ASSEMBLED.get(assembled_key, lambda: dataclasses.replace(static, capital=pd.DataFrame(cap_rows)))


def _static_analysis(data_dir: Path) -> tuple[Analysis, list[tuple[str, float]]]:
    """Everything but the capital charge (left empty), and the tonnages the charge is spread over."""

    def load(name: str) -> pd.DataFrame:
        return data.load(name, data_dir)

    conv = money.Money.from_data(data_dir)
    a = data.assumption_values(STATIC_ASSUMPTIONS, data_dir)
    tolerance = float(a["minerals_share_table_tolerance"])
    prod = load("ree_production")
    completeness = table_completeness(prod, tolerance)
    vc = value_chain(load("ree_value_chain"), prod, tolerance)
    sh = stage_hhi(vc)
    targets = load("russia_ree_targets")
    deposits = load("deposits")
    places, segments = load("places"), load("alignment_segments")
    points = route_points(
        places,
        load("route_waypoints"),
        deposits,
        float(a["minerals_zashikhinskoye_bearing_deg"]),
        float(a["minerals_zashikhinskoye_distance_km"]),
    )
    legs = route_legs(route_specs(), points, segments)
    factors = route_factors(load("published_lengths"), places, segments)
    rates = load("freight_rates")
    assumed = Assumed(*(a[name] for name in Assumed.NEEDS))
    products = load("ree_products")
    russian = products[products["ships_from"] == "Russia"]
    if len(russian) != 1:
        raise ValueError(
            f"ree_products.csv must name exactly one concentrate shipping from Russia; found {len(russian)}"
        )
    conc = russian.iloc[0]
    sea_class = str(conc["sea_cargo_class"])
    unit = unit_rates(rates, points, conv, assumed, sea_class)
    sea_basis = sea_rate_basis(rates, points)
    sea_basis["usd_per_tkm_2025"] = conv.convert(
        sea_basis["usd_per_tkm"].to_numpy(), "USD", sea_basis["year"].to_numpy()
    )
    sea_basis["usd_per_t_2025"] = conv.convert(sea_basis["usd_per_t"].to_numpy(), "USD", sea_basis["year"].to_numpy())
    legs_costed = leg_costs(legs, unit, factor_scenarios(factors))
    routes = route_table(legs_costed, assumed.transfer_dwell_days)
    verdict = verdict_table(routes)
    verdict["near_tie"] = near_ties(verdict).to_numpy()
    ice_free = verdict_table(routes, ("conventional",))
    ice_free["near_tie"] = near_ties(ice_free).to_numpy()
    mult_free = sea_flip_multiple(legs_costed, ice_free, ("conventional",))
    ice_free["sea_flip_multiple"] = [
        mult_free.get(k, np.nan) for k in zip(ice_free["deposit"], ice_free["destination"])
    ]
    flip = nsr_flip_ratio(legs_costed, verdict, assumed.nsr_cost_ratio)
    verdict["nsr_flip_ratio"] = [flip.get((d, t), np.nan) for d, t in zip(verdict["deposit"], verdict["destination"])]
    fee = nsr_fee_to_flip(legs_costed, verdict)
    verdict["nsr_fee_to_flip_usd_per_t"] = [fee.get(k, np.nan) for k in zip(verdict["deposit"], verdict["destination"])]
    mult = sea_flip_multiple(legs_costed, verdict)
    verdict["sea_flip_multiple"] = [mult.get(k, np.nan) for k in zip(verdict["deposit"], verdict["destination"])]
    values = cargo_values(load("ree_prices"), russian, conv)
    sov = freight_share(routes, values)
    volume = volume_table(rates, prod, targets, float(conc["reo_pct"]) / 100, year=YEAR)
    rate, years = (float(a[aid]) for aid in CAPITAL_ASSUMPTIONS)
    cap_claims = rates[(rates["mode"] == "bering_crossing") & (rates["unit"] == "million tonnes per year")]
    russian_t = float(volume.loc[volume["kind"] == "actual output", "tonnes_freight"].iloc[0])
    capital_tonnages = [
        ("largest claimed capacity", cap_claims["value"].max() * 1e6),
        ("Russia's rare-earth concentrate alone", russian_t),
    ]
    season = nsr_navigation_season(rates)
    fee_row = _rate(rates, NSR_FEE_RATE_ID)
    fee_year = int(re.search(r"_(\d{4})", NSR_FEE_RATE_ID).group(1))
    # a fee per tonne of displacement is at least as much per tonne of cargo (fee_per_t_cargo with cargo = ship)
    fee_floor = float(conv.convert(float(fee_row["value"]), "USD", fee_year))
    static = Analysis(
        prod=prod,
        completeness=completeness,
        hhi_mining=hhi_by_year(prod, tolerance),
        value_chain=vc,
        stage_hhi=sh,
        stages=stage_summary(sh, YEAR),
        targets=targets,
        gaps=target_gaps(targets, prod, year=YEAR),
        plans=planned_supply(load("deposit_plans"), deposits, prod, year=YEAR),
        trade=load("us_ree_trade"),
        deposits=deposits,
        points=points,
        legs=legs,
        factors=factors,
        unit=unit,
        legs_costed=legs_costed,
        routes=routes,
        verdict=verdict,
        verdict_ice_free=ice_free,
        values=values,
        shares_of_value=sov,
        volume=volume,
        capital=pd.DataFrame(),
        assumed=assumed,
        sea_class=sea_class,
        sea_basis=sea_basis,
        rail_basis=rail_basis(rates, RAIL_RATE_IDS),
        container_payload_t=container_payload_t(rates),
        volume_left_out=volume_left_out(rates),
        nsr_season_days=season["days"],
        nsr_season_text=season["text"],
        nsr_fee_floor_usd_per_t=fee_floor,
        nsr_fee_floor_year=fee_year,
        concentrate=str(conc["name"]),
        capital_rate=rate,
        capital_years=years,
    )
    return static, capital_tonnages


def analysis(data_dir=None, scenario: str = "baseline") -> Analysis:
    """The whole minerals analysis for ``data_dir`` (default: the package's data folder) under the
    cost model's ``scenario``, which only reaches the capital charge. Everything else is computed
    once per content of the files and assumptions it reads (:data:`STATIC_TABLES`,
    :data:`STATIC_ASSUMPTIONS`) and shared by every scenario; the capital charge reads the cost
    model's cached samples."""
    from . import paths

    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    return _analysis(folder.resolve(), scenario)


# ------------------------------------------------------------------------------------------
# findings and key numbers


def _pair(a: Analysis, deposit: str, destination: str) -> pd.Series:
    return a.verdict.set_index(["deposit", "destination"]).loc[(deposit, destination)]


def md_escape(text: str) -> str:
    """``text`` from data made safe for Markdown: the collection's one rule (:func:`bering.escape.markdown`).

    >>> print(md_escape("a_b *c*"))
    a\\_b \\*c\\*
    """
    return escape.markdown(text)


def actual_min_capacity(a: Analysis) -> float:
    """The smallest freight capacity claimed for the crossing, tonnes a year (from the volume table)."""
    v = a.volume
    return float(v.loc[v["kind"] == "crossing capacity claim", "tonnes_freight"].min())


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _signed(value: float) -> str:
    """A saving rounded as prose rounds it, with its sign: '+1,200', '-350'."""
    return ("+" if value > 0 else "") + fmt.rounded(value)


def _place(destination: str) -> str:
    return DESTINATIONS[destination].split(",")[0]


def findings(a: Analysis) -> str:
    """The notebook's findings as Markdown bullet points, every number computed from ``a``."""
    st = a.stages.set_index("stage")
    mine, ref, mag = st.loc["mining"], st.loc["separation_refining"], st.loc["magnets"]
    sov = a.shares_of_value.set_index(["deposit", "destination", "option", "product_id"])
    conc = a.values.loc[a.values["product_id"] != "ndpr_oxide"].iloc[0]
    over = sov.loc[("tomtor", "gulf", "overland", conc["product_id"])]
    best = a.verdict.set_index(["deposit", "destination"]).loc[("tomtor", "gulf"), "best_sea_option"]
    sea = sov.loc[("tomtor", "gulf", best, conc["product_id"])]
    oxide = sov.loc[("tomtor", "gulf", "overland", "ndpr_oxide")]
    v, vf = a.verdict, a.verdict_ice_free
    dearer = int((v["saving_usd_per_t_central"] < 0).sum())
    ties = vf[vf["near_tie"]]
    tie_txt = "; ".join(
        f"{DEPOSIT_NAMES[t.deposit]} to {_place(t.destination)} "
        f"({_signed(t.saving_usd_per_t_low)} to {_signed(t.saving_usd_per_t_high)} {money.label()} per tonne; "
        f"tied at {fmt.rounded(t.sea_flip_multiple, 3)} times the sea rates)"
        for t in ties.itertuples()
    )
    low = v.loc[v["sea_flip_multiple"].idxmin()]
    sb = a.sea_basis.groupby("cargo_class")["usd_per_tkm_2025"].mean()
    cls = a.sea_class
    other = [c for c in sb.index if c != cls]
    vs_other = (
        f" ({fmt.rounded(sb[cls] / sb[other[0]])} times the {other[0]} rate, which fits whole shiploads only)"
        if other and sb[other[0]] > 0
        else ""
    )
    m_lo, m_hi = v["sea_flip_multiple"].min(), v["sea_flip_multiple"].max()
    flip_sentence = (
        f" Sea legs pay {cls} rates, {money.label()} {fmt.rounded(sb[cls] * 1000)} per 1,000 tonne-km{vs_other}, "
        "since "
        f"Russia's few thousand tonnes of concentrate a year would ship in boxes. Overland would tie if every sea "
        f"rate were {fmt.rounded(m_lo)} to {fmt.rounded(m_hi)} times what it is, the least for "
        f"{DEPOSIT_NAMES[low['deposit']]} to {_place(low['destination'])}"
        + (
            ": overland is already cheaper there."
            if m_lo < 1
            else ": the sea rate is the assumption that would flip it."
        )
    )
    tie_sentence = (
        f" Against the ice-free lanes alone, {len(ties)} of {len(vf)} pairs are near-ties whose ranking "
        f"flips between the low and high scenarios (route factor and rates); the sea rate is the assumption that "
        f"decides each: {tie_txt}."
        if len(ties)
        else ""
    )
    dearer_free = int((vf["saving_usd_per_t_central"] < 0).sum())
    cheaper_free = vf[vf["saving_usd_per_t_central"] > 0]
    verdict_sentence = (
        f"Overland costs more than the cheapest sea route for {dearer} of {len(v)} deposit-destination pairs in the "
        f"central case, but only while the Northern Sea Route is open ({a.nsr_season_days} days a year, "
        f"{a.nsr_season_text}, for ships without ice strengthening); outside that season, against the ice-free "
        f"lanes alone, it costs more for {dearer_free} of {len(vf)}"
        + (
            " and is cheaper from "
            + ", ".join(f"{DEPOSIT_NAMES[t.deposit]} to {_place(t.destination)}" for t in cheaper_free.itertuples())
            + "."
            if len(cheaper_free)
            else "."
        )
    )
    flippable = v.dropna(subset=["nsr_fee_to_flip_usd_per_t"])
    premium_sentence = " The Northern Sea Route is costed at the open-sea rate (an assumption): since 2014 its " + (
        "icebreaker tariff is due only where an escort is actually given."
    )
    if len(flippable):
        f_lo = float(flippable["nsr_fee_to_flip_usd_per_t"].min())
        names = ", ".join(f"{DEPOSIT_NAMES[t.deposit]} to {_place(t.destination)}" for t in flippable.itertuples())
        premium_sentence += (
            f" A premium for escort, insurance and ice class could flip {len(flippable)} of {len(v)} pairs "
            f"({names}; for the others the ice-free lanes alone beat overland), and only above {money.label()} "
            f"{fmt.rounded(f_lo)} per tonne of cargo; the one published fee per tonne found, a proposed "
            f"{a.nsr_fee_floor_year} schedule charged on the ship's displacement, comes to at least "
            f"{fmt.rounded(a.nsr_fee_floor_usd_per_t)} per tonne of cargo, so the flip needs "
            f"{fmt.rounded(f_lo / a.nsr_fee_floor_usd_per_t)} times that floor."
        )
    else:
        premium_sentence += " No premium for escort, insurance and ice class could flip a pair."
    gaps = a.gaps.set_index("target_id")
    top5 = gaps.loc["top5_producer_2030"]
    smallest_capacity = float(actual_min_capacity(a))
    share10 = gaps.loc["bezprozvannykh_world_share_2030"] if "bezprozvannykh_world_share_2030" in gaps.index else None
    actual = a.volume.set_index("kind").loc["actual output"]
    plan_txt = "".join(
        f" {DEPOSIT_NAMES.get(p.deposit_id, md_escape(p.deposit_id))}'s published plan ({fmt.rounded(p.ore_t)} t of "
        f"ore a year at the resource grade) would add about {fmt.rounded(p.reo_t)} t REO, "
        f"{fmt.rounded(p.multiple_of_current)} times "
        f"Russia's {YEAR} output, enough for rank {p.rank_with_plan} on {YEAR} figures; it would ship as ore, "
        f"{fmt.rounded(p.ore_t / smallest_capacity * 100)}% of the smallest claimed capacity."
        for p in a.plans.itertuples(index=False)
        if np.isfinite(p.ore_t)
    )
    cap = a.capital
    big = cap[(cap["tonnage"] == "largest claimed capacity")].iloc[0]
    alone = cap[(cap["tonnage"] != "largest claimed capacity") & (cap["basis"] == big["basis"])].iloc[0]
    usd = money.label()
    whole = cap[(cap["tonnage"] == "largest claimed capacity") & (cap["basis"] != big["basis"])]
    whole_txt = (
        f"; at the cost model's median whole-link cost of {usd} {fmt.rounded(whole['usd_bn'].iloc[0], 3)} bn, "
        f"{fmt.rounded(whole['usd_per_t'].iloc[0])} per tonne at that capacity"
        if len(whole)
        else ""
    )
    usd = money.label()
    lines = [
        f"- **Processing, not mining, is the chokepoint.** China mined {mine['china_pct']:.0f}% of the world's rare "
        f"earths in {int(mine['year_share'])} (HHI about {fmt.rounded(mine['hhi'])}), "
        f"but did {ref['china_pct']:.0f}% of "
        f"separation and refining in {int(ref['year_share'])} (HHI about {round_sig(ref['hhi'], 2):,.0f} in "
        f"{int(ref['year_hhi'])}) and made {mag['china_pct']:.0f}% of permanent magnets in "
        f"{int(mag['year_share'])}. Russian concentrate carried to North America would still need a separation "
        "plant, and almost all of them are in China.",
        "- **Freight matters for concentrate, not for oxide.** Tomtor to Houston costs "
        f"about {usd} {fmt.rounded(over['usd_per_t_central'])} "
        f"per tonne overland and {fmt.rounded(sea['usd_per_t_central'])} by the cheapest sea route (central), "
        f"{over['share_pct_central']:.0f}% and {sea['share_pct_central']:.0f}% of the value of a tonne of "
        f"{md_escape(_lower_first(conc['cargo'].split(',')[0]))} "
        f"(about {usd} {fmt.rounded(conc['value_central'])}, a proxy: the collection holds "
        "no price for it, so its REO "
        f"content is valued at the {md_escape(conc['price_basis'])}, a different concentrate, and "
        "Tomtor's own ore is not valued at all), so routing can decide whether concentrate is worth shipping at "
        "all. For NdPr oxide the overland "
        f"freight is {fmt.rounded(oxide['share_pct_central'])}% of the value: routing cannot matter.",
        f"- **The crossing route is not the cheap one.** {verdict_sentence}{premium_sentence}{flip_sentence}"
        f"{tie_sentence} "
        "The rates leave out the cost of "
        f"building the line: the 2025 claim of USD {fmt.rounded(big['usd_bn'])} bn alone, repaid over "
        f"{a.capital_years:g} years at {a.capital_rate * 100:g}% real (both assumptions), would add "
        f"{usd} {fmt.rounded(big['usd_per_t'])} per tonne if the line carried its claimed "
        f"{big['tonnes_per_year'] / 1e6:,.0f} million tonnes a year, and "
        f"{fmt.rounded(alone['usd_per_t'])} per tonne if it "
        f"carried only Russia's rare earths{whole_txt}.",
        f'- **Russia\'s rare earths are a rounding error for a freight line, and "top five by 2030" is a low bar.** '
        f"Its {int(actual['tonnes_reported']):,} t REO of {YEAR} would travel as about "
        f"{fmt.rounded(actual['tonnes_freight'])} t of concentrate, "
        f"{fmt.rounded(actual['share_of_min_capacity_pct'])}% "
        f"of the smallest capacity claimed for the crossing. Fifth place in {YEAR} took "
        f"{fmt.rounded(top5['required_t'])} t REO, {fmt.rounded(top5['multiple_of_current'])} times Russia's output"
        + (
            f"; the 10% world share once promised for 2030 would take {share10['multiple_of_current']:.0f} times."
            if share10 is not None
            else "."
        )
        + plan_txt,
    ]
    return "\n".join(lines)


def key_numbers(a: Analysis, year: int = 2024) -> list[tuple]:
    """The notebook's key numbers as ``(key, value, unit, description)``, from ``a``."""
    sh = shares(a.prod)
    s = sh[sh["year"] == year].set_index("country")["share_pct"]
    st = a.stages.set_index("stage")
    nir = a.trade[(a.trade["metric"] == "net_import_reliance_compounds_metals") & (a.trade["period"] == str(year))]
    r = a.routes.set_index(["deposit", "destination", "option"])
    v = a.verdict.set_index(["deposit", "destination"])
    actual = a.volume[a.volume["kind"] == "actual output"].iloc[0]
    sov = a.shares_of_value.set_index(["deposit", "destination", "option", "product_id"])
    conc_id = a.values.loc[~a.values["product_id"].eq("ndpr_oxide"), "product_id"].iloc[0]
    tv = v.loc[("tomtor", "gulf")]
    best = tv["best_sea_option"]
    top5 = a.gaps.set_index("target_id").loc["top5_producer_2030"]
    usd = money.label()
    ref, mag, mine = st.loc["separation_refining"], st.loc["magnets"], st.loc["mining"]
    out = [
        (
            f"china_share_ree_mine_production_{year}",
            float(s["China"]),
            "percent",
            f"China's share of world rare-earth mine production in {year} (t REO, USGS MCS 2026)",
        ),
        (
            "china_share_ree_refining",
            float(ref["china_pct"]),
            "percent",
            f"China's share of world rare-earth separation and refining in {int(ref['year_share'])} (IEA)",
        ),
        (
            "china_share_ndfeb_magnets",
            float(mag["china_pct"]),
            "percent",
            f"China's share of world permanent-magnet manufacturing in {int(mag['year_share'])} (IEA)",
        ),
        (
            f"russia_share_ree_mine_production_{year}",
            float(s["Russia"]),
            "percent",
            f"Russia's share of world rare-earth mine production in {year}",
        ),
        (
            f"russia_rank_ree_mine_production_{year}",
            rank(a.prod, year, "Russia"),
            "rank",
            f"Russia's rank among named rare-earth mine producers in {year}",
        ),
        (
            f"ree_hhi_{year}",
            float(mine["hhi"]),
            "index 0-10000",
            f"Herfindahl-Hirschman index of rare-earth mine production in {int(mine['year_hhi'])}",
        ),
        (
            "ree_hhi_refining",
            float(ref["hhi"]),
            "index 0-10000",
            f"Herfindahl-Hirschman index of rare-earth separation and refining in {int(ref['year_hhi'])} "
            f"(bounds {ref['hhi_lower']:,.0f}-{ref['hhi_upper']:,.0f} for the unnamed remainder)",
        ),
        (
            "russia_top5_2030_multiple_of_2024_output",
            float(top5["multiple_of_current"]),
            "ratio",
            f"Output of the number-5 rare-earth miner of {year} over Russia's {year} output "
            "(what 'top five by 2030' needs)",
        ),
        *[
            (
                f"{p.deposit_id}_planned_reo_t",
                float(p.reo_t),
                "t REO per year",
                f"REO a year from {DEPOSIT_NAMES.get(p.deposit_id, p.deposit_id)}'s published plan (ore capacity times "
                "the resource grade)",
            )
            for p in a.plans.itertuples(index=False)
        ],
        (
            "us_ree_net_import_reliance",
            float(nir["value"].iloc[0]),
            "percent of apparent consumption",
            f"US net import reliance for rare-earth compounds and metals, {year} (USGS MCS 2026)",
        ),
    ]
    for opt in ("overland", "nsr", "nsr_west", "conventional"):
        row = r.loc[("tomtor", "gulf", opt)]
        out += [
            (
                f"route_tomtor_gulf_{opt}_km",
                float(row["km_central"]),
                "km",
                f"Tomtor to Houston ({OPTIONS[opt]}): length with land legs scaled by the pooled route factor",
            ),
            (
                f"route_tomtor_gulf_{opt}_usd_per_t",
                float(row["usd_per_t_central"]),
                f"{usd} per tonne",
                f"Tomtor to Houston ({OPTIONS[opt]}): freight cost per tonne, central scenario",
            ),
            (
                f"route_tomtor_gulf_{opt}_days",
                float(row["days_central"]),
                "days",
                f"Tomtor to Houston ({OPTIONS[opt]}): transit time, central scenario",
            ),
        ]
    over = sov.loc[("tomtor", "gulf", "overland", conc_id)]
    sea = sov.loc[("tomtor", "gulf", best, conc_id)]
    cap = a.capital
    out += [
        (
            "freight_share_of_cargo_value_central",
            float(over["share_pct_central"]),
            "percent",
            "Freight Tomtor to Houston overland (central) as a share of the value of a tonne of "
            f"{_lower_first(a.concentrate)}",
        ),
        (
            "freight_share_of_cargo_value_best_sea_central",
            float(sea["share_pct_central"]),
            "percent",
            f"Freight Tomtor to Houston by the cheapest sea route (central) as a share of the value of a tonne of "
            f"{_lower_first(a.concentrate)}",
        ),
        (
            "freight_share_of_ndpr_oxide_value_central",
            float(sov.loc[("tomtor", "gulf", "overland", "ndpr_oxide"), "share_pct_central"]),
            "percent",
            "Freight Tomtor to Houston overland (central) as a share of the value of a tonne of NdPr oxide",
        ),
        (
            "tomtor_gulf_overland_saving_usd_per_t_low",
            float(tv["saving_usd_per_t_low"]),
            f"{usd} per tonne",
            "Tomtor to Houston: least favourable saving of overland against the best sea route "
            "(negative = overland dearer)",
        ),
        (
            "tomtor_gulf_overland_saving_usd_per_t_high",
            float(tv["saving_usd_per_t_high"]),
            f"{usd} per tonne",
            "Tomtor to Houston: most favourable saving of overland against the best sea route "
            "(negative = overland dearer)",
        ),
        (
            "overland_cheaper_pairs_central",
            int((a.verdict["saving_usd_per_t_central"] > 0).sum()),
            "count",
            f"Deposit-destination pairs (of {len(a.verdict)}) where overland is cheaper than the best "
            "sea route, central, while the Northern Sea Route is open",
        ),
        (
            "overland_cheaper_pairs_ice_free_central",
            int((a.verdict_ice_free["saving_usd_per_t_central"] > 0).sum()),
            "count",
            f"Deposit-destination pairs (of {len(a.verdict_ice_free)}) where overland is cheaper than the ice-free "
            "sea lanes, central (outside the Northern Sea Route season)",
        ),
        (
            "nsr_navigation_season_days",
            a.nsr_season_days,
            "days",
            f"Days a year ({a.nsr_season_text}) in which ships without ice strengthening or of ice class Ice1-Ice3 "
            "may sail the Northern Sea Route (navigation rules as amended in 2017)",
        ),
        (
            "nsr_fee_flippable_pairs",
            int(a.verdict["nsr_fee_to_flip_usd_per_t"].notna().sum()),
            "count",
            f"Deposit-destination pairs (of {len(a.verdict)}) whose verdict a Northern Sea Route premium could flip "
            "(the others: the ice-free lanes alone beat overland)",
        ),
        (
            "nsr_fee_to_flip_usd_per_t_min",
            float(a.verdict["nsr_fee_to_flip_usd_per_t"].min()),
            f"{usd} per tonne",
            "Smallest premium per tonne of cargo on every Northern Sea Route option (escort, insurance, ice class) "
            "at which overland would cost as much as the best sea route, central",
        ),
        (
            "nsr_escort_fee_1991_floor_usd_per_t",
            a.nsr_fee_floor_usd_per_t,
            f"{usd} per tonne",
            f"Floor on the icebreaker fee per tonne of cargo under the proposed {a.nsr_fee_floor_year} NSR schedule "
            "(its lowest Region C fee per tonne of displacement; cargo weighs less than the ship's displacement)",
        ),
        (
            "sea_rate_multiple_to_flip_min",
            float(a.verdict["sea_flip_multiple"].min()),
            "ratio",
            f"Smallest factor (over deposit-destination pairs) by which the {a.sea_class} sea rates would have to "
            "change for overland to cost as much as the best sea route, central (below 1: overland already cheaper)",
        ),
        *[
            (
                f"sea_rate_usd_per_tkm_{cls}_central",
                float(g["usd_per_tkm_2025"].mean()),
                f"{usd} per tonne-km",
                f"Open-sea freight rate for {cls} cargo, mean over its lanes ("
                + ", ".join(dict.fromkeys(g["route"]))
                + "): rate per tonne over the lane length drawn through waypoints",
            )
            for cls, g in a.sea_basis.groupby("cargo_class", sort=True)
        ],
        (
            "container_40ft_payload_t",
            float(a.container_payload_t),
            "t",
            "Maximum payload of a 40 ft dry container (carrier specification), used to turn rates per box into "
            "rates per tonne",
        ),
        (
            "overland_near_tie_pairs",
            int(a.verdict["near_tie"].sum()),
            "count",
            f"Deposit-destination pairs (of {len(a.verdict)}) whose ranking flips between the low and high scenarios",
        ),
        (
            "overland_near_tie_pairs_ice_free",
            int(a.verdict_ice_free["near_tie"].sum()),
            "count",
            f"Deposit-destination pairs (of {len(a.verdict_ice_free)}) whose ranking against the ice-free lanes alone "
            "(outside the Northern Sea Route season) flips between the low and high scenarios",
        ),
        (
            "russia_ree_output_share_of_crossing_capacity_pct",
            float(actual["share_of_min_capacity_pct"]),
            "percent",
            f"Russia's {year} rare-earth output, as tonnes of concentrate, as a share of the smallest freight capacity "
            "claimed for the crossing",
        ),
        (
            "russia_ree_concentrate_t",
            float(actual["tonnes_freight"]),
            "t",
            f"Russia's {year} rare-earth mine output expressed as tonnes of {_lower_first(a.concentrate)}",
        ),
    ]
    for b in cap.itertuples(index=False):
        slug = "claim" if b.basis.startswith("2025 claim") else "whole_link"
        ton = "claimed_capacity" if b.tonnage.startswith("largest") else "russian_ree_only"
        out.append(
            (
                f"capital_charge_{slug}_{ton}_usd_per_t",
                float(b.usd_per_t),
                f"{usd} per tonne",
                f"Yearly capital charge per tonne, {b.basis}, over {b.tonnage} "
                f"({b.tonnes_per_year:,.0f} t a year; assumed rate and period)",
            )
        )
    return out


def results(data_dir=None, scenario: str = "baseline") -> pd.DataFrame:
    """Every key number notebook 04 exports: ``key, value, unit, description`` (computed from the data)."""
    rows = key_numbers(analysis(data_dir, scenario))
    return pd.DataFrame(rows, columns=["key", "value", "unit", "description"])
