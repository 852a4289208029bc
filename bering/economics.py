"""Would a Bering Strait link pay? Demand, market, revenue against capital charge, site conditions.

The model is plain arithmetic on sourced tables, so every step can be checked by hand:

* **annuity**: the level yearly payment that repays ``cost`` over ``years`` at real interest ``rate``,
  ``cost * rate / (1 - (1 + rate) ** -years)`` (``cost / years`` at a rate of zero);
* **interest during construction**: the cost is spent evenly over the construction time (the median of
  notebook 03's duration model) and accrues interest at the same real rate until opening, so the capital
  to repay at opening is ``cost x ((1 + rate) ** T - 1) / (T x ln(1 + rate))`` (:func:`idc_factor`);
* **annual cost** of the link: the annuity on that capital plus operation and maintenance (O&M) of the
  tunnel, scaled by length from the Channel Tunnel operator's reported costs;
* **revenue per tonne**: the freight rate per tonne-km of Russian Railways on the new Russian line
  and of US Class I railroads on the tunnel and the new North American lines, times their lengths
  (the segments notebook 03 costs, ``data/link_segments.csv``);
* **break-even traffic** = annual cost / revenue per tonne, in million tonnes a year, and its share
  of the tonnage that crosses the Pacific in containers today.

Every choice nobody publishes (real interest rate, asset life, tonnes per container, what the O&M
comparable covers) is read from ``data/assumptions.csv`` (ids starting ``econ_``). The whole-link
cost distribution comes from :func:`bering.montecarlo.whole_link_samples`. This module imports no
plotting library; the figures are in :mod:`bering.plots.economics`.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import data, fmt, money, paths
from .units import SHORT_TON_MILE_TKM

#: The link is a freight railway: the demand rows of this mode set its reference ratio.
LINK_MODE = "freight"
#: The project whose forecast record is the headline comparison (data/megaprojects.csv id).
REFERENCE_PROJECT = "channel_tunnel"
#: The 2025 pitch's tunnel length (data/published_lengths.csv id).
TUNNEL_LENGTH_ID = "tunnel_putin_trump_2025"
#: Percentiles of the cost distribution shown in the tables.
COST_PERCENTILES = (10, 50, 90)
#: Real interest rates and asset lives of the sensitivity grid.
RATE_GRID = (0.02, 0.04, 0.06, 0.08)
LIFE_GRID = (30, 50, 100)
#: The sensitivity grid in words.
GRID_TEXT = (
    f"real rates of {min(RATE_GRID) * 100:g}-{max(RATE_GRID) * 100:g}%, lives of {min(LIFE_GRID)}-{max(LIFE_GRID)} "
    f"years and P{min(COST_PERCENTILES)}-P{max(COST_PERCENTILES)} costs"
)

#: data/assumptions.csv ids this module reads, with the attribute each fills.
ASSUMPTIONS = {
    "econ_real_interest_rate": "rate",
    "econ_asset_life_years": "life_years",
    "econ_cost_percentile": "percentile",
    "econ_tonnes_per_teu": "tonnes_per_teu",
    "econ_tunnel_om_scales_with_length": "om_scales_with_length",
    "econ_approach_om_counted": "approach_om_counted",
    "econ_interest_during_construction": "idc_counted",
}


@dataclass(frozen=True)
class Case:
    """One set of financing inputs: real rate (fraction), asset life (years), cost percentile."""

    rate: float
    life_years: float
    percentile: float
    tonnes_per_teu: float = 10.0
    om_scales_with_length: bool = True
    approach_om_counted: bool = False
    idc_counted: bool = True

    def __post_init__(self):
        if not (isinstance(self.rate, (int, float)) and math.isfinite(self.rate) and 0 <= self.rate < 1):
            raise ValueError(f"rate must be a real interest rate between 0 and 1 (e.g. 0.04), got {self.rate!r}")
        if not (isinstance(self.life_years, (int, float)) and self.life_years >= 1):
            raise ValueError(f"life_years must be at least 1, got {self.life_years!r}")
        if not 0 < self.percentile < 100:
            raise ValueError(f"percentile must be between 0 and 100, got {self.percentile!r}")
        if not self.tonnes_per_teu > 0:
            raise ValueError(f"tonnes_per_teu must be positive, got {self.tonnes_per_teu!r}")


# ---------------------------------------------------------------------------------------------
# Arithmetic


def annuity_factor(rate: float, years: float) -> float:
    """Yearly payment per unit of capital repaid over ``years`` at real interest ``rate``.

    >>> round(annuity_factor(0.05, 20), 6)
    0.080243
    >>> annuity_factor(0.0, 50)
    0.02
    """
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError(f"rate must be zero or a positive fraction, got {rate!r}")
    if not (math.isfinite(years) and years > 0):
        raise ValueError(f"years must be positive, got {years!r}")
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def capital_charge(cost, rate: float, years: float):
    """Level yearly charge that repays ``cost`` (same unit out as in) over ``years`` at ``rate``."""
    factor = annuity_factor(rate, years)
    return np.asarray(cost, dtype=float) * factor if np.ndim(cost) else float(cost) * factor


def idc_factor(rate: float, years: float) -> float:
    """Capital at opening per unit of construction cost spent evenly over ``years`` at real interest ``rate``.

    Spending at a steady pace over ``T`` years, each unit accrues interest from when it is spent until
    opening: the average of ``(1 + rate) ** t`` over ``t`` in ``[0, T]``, i.e.
    ``((1 + rate) ** T - 1) / (T x ln(1 + rate))``; 1 when ``rate`` or ``years`` is zero.

    >>> round(idc_factor(0.035, 20), 4)
    1.4386
    >>> idc_factor(0.0, 20), idc_factor(0.05, 0)
    (1.0, 1.0)
    """
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError(f"rate must be zero or a positive fraction, got {rate!r}")
    if not (math.isfinite(years) and years >= 0):
        raise ValueError(f"construction years must be zero or positive, got {years!r}")
    if rate == 0 or years == 0:
        return 1.0
    return ((1.0 + rate) ** years - 1.0) / (years * math.log1p(rate))


def breakeven_tonnes(annual_cost_usd, revenue_usd_per_tonne: float):
    """Tonnes a year whose revenue equals ``annual_cost_usd``."""
    if not revenue_usd_per_tonne > 0:
        raise ValueError(f"revenue per tonne must be positive, got {revenue_usd_per_tonne!r}")
    return annual_cost_usd / revenue_usd_per_tonne


# ---------------------------------------------------------------------------------------------
# Inputs from the data


def _resolve(data_dir) -> str:
    return str(Path(data_dir).resolve()) if data_dir else str(paths.data_dir().resolve())


def case_from_assumptions(data_dir=None) -> Case:
    """The central case, every value from ``data/assumptions.csv``."""
    table = data.assumption_values(ASSUMPTIONS, data_dir)
    values = {field: table[aid] for aid, field in ASSUMPTIONS.items()}
    for flag in ("om_scales_with_length", "approach_om_counted", "idc_counted"):
        values[flag] = bool(values[flag])
    return Case(**values)


def demand_ratios(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Outturn (or later forecast) over the original forecast, for rows that compare the same year.

    A row whose comparison year differs from the forecast year (a target reached late) gets no
    ratio and says why in ``enters``.
    """
    out = forecasts.copy()
    same_year = out["compared_year"] == out["forecast_for_year"]
    out["ratio"] = np.where(same_year, out["compared_value"] / out["forecast_value"], np.nan)
    out["enters"] = np.where(
        same_year, "ratio", "no ratio: compared with a different year (" + out["compared_year"].astype(str) + ")"
    )
    return out


def channel_tunnel_ratio(forecasts: pd.DataFrame) -> float:
    """Actual over forecast traffic of the Channel Tunnel in the link's own mode (freight)."""
    ratios = demand_ratios(forecasts)
    rows = ratios[
        (ratios["project_id"] == REFERENCE_PROJECT)
        & (ratios["mode"] == LINK_MODE)
        & (ratios["compared_with"] == "actual")
        & ratios["ratio"].notna()
    ]
    if rows.empty:
        raise KeyError(f"no {LINK_MODE} forecast-versus-actual row for {REFERENCE_PROJECT} in demand_forecasts")
    return float(rows["ratio"].mean())


def mature_ratio_row(forecasts: pd.DataFrame, projects: pd.DataFrame) -> pd.Series:
    """The reference project's forecast-versus-actual row furthest from its opening year (any mode).

    A break-even is a steady-state traffic, so the shortfall set against it must be a mature year's, not
    the first year's, when traffic was still ramping up. The row's ``years_after_opening`` is added; a
    reference project whose only ratio is its first full year is an error that says so.
    """
    ratios = demand_ratios(forecasts)
    rows = ratios[
        (ratios["project_id"] == REFERENCE_PROJECT) & (ratios["compared_with"] == "actual") & ratios["ratio"].notna()
    ].copy()
    opened = float(projects.set_index("project_id").loc[REFERENCE_PROJECT, "open_year"])
    rows["years_after_opening"] = rows["compared_year"].astype(float) - opened
    if rows.empty or rows["years_after_opening"].max() <= 1:
        raise ValueError(
            f"no forecast-versus-actual row of {REFERENCE_PROJECT} beyond its first full year: "
            "a first-year (ramp-up) ratio cannot be set against a steady-state break-even"
        )
    return rows.sort_values(["years_after_opening", "forecast_id"], kind="stable").iloc[-1]


def rail_class_ratio(accuracy: pd.DataFrame) -> float:
    """Actual over forecast at the rail class's *average* overestimate: 1 / (1 + average overestimate).

    This is the reciprocal of the average forecast-over-actual ratio, not the average of actual over
    forecast (which is at least as large, as the mean of a reciprocal is at least the reciprocal of the
    mean), and the statistic is about passenger forecasts, not freight.

    >>> acc = pd.DataFrame({"statistic_id": ["rail_mean_overestimate_pct"], "value": [100.0]})
    >>> rail_class_ratio(acc)
    0.5
    """
    row = accuracy.set_index("statistic_id").loc["rail_mean_overestimate_pct"]
    return 1.0 / (1.0 + float(row["value"]) / 100.0)


def rail_class_label(accuracy: pd.DataFrame) -> str:
    """What :func:`rail_class_ratio` measures, in words, from the statistic's own row (mode, projects, value)."""
    row = accuracy.set_index("statistic_id").loc["rail_mean_overestimate_pct"]
    value = float(row["value"])
    mode = "passenger" if "passenger" in str(row["statistic"]).lower() else "traffic"
    return (
        f"Rail projects ({int(row['projects'])}; Flyvbjerg, Holm and Buhl 2005): {mode} forecasts "
        f"{value:g}% too high on average, i.e. actual = forecast / {1 + value / 100:.2f} "
        f"(not an average of actual over forecast; {mode}, not freight)"
    )


def rail_rates(rates: pd.DataFrame, conv: money.Money) -> dict[str, float]:
    """Freight rates in USD 2025 per tonne-km: Russian Railways 2013 and US Class I 2012-2013 (mean)."""
    r = rates.set_index("rate_id")["value"]
    rub_per_tkm = float(r["ru_rail_freight_revenue_2013"]) / float(r["ru_rail_loaded_turnover_2013"])
    us = [
        conv.convert(float(r[rid]) / 100 / SHORT_TON_MILE_TKM, "USD", year)
        for rid, year in (("us_rail_yield_2012q4", 2012), ("us_rail_yield_2013q4", 2013))
    ]
    return {"russia": float(conv.convert(rub_per_tkm, "RUB", 2013)), "north_america": float(np.mean(us))}


def link_lengths(data_dir=None) -> dict:
    """Km of each new part of the whole link, as notebook 03 costs it (data/link_segments.csv):
    the tunnel (the 2025 pitch's length), the new Russian line, the new Alaskan line and the new
    North American lines to a connected railhead."""
    from .montecarlo import link_segments

    lengths = data.load("published_lengths", data_dir).set_index("length_id")
    km = link_segments(data_dir).groupby("part_of")["km"].sum()
    return {
        "tunnel_km": float(lengths.loc[TUNNEL_LENGTH_ID, "length_km"]),
        "russia_km": float(km.get("russia_km", 0.0)),
        "alaska_km": float(km.get("alaska_km", 0.0)),
        "na_km": float(km.get("na_km", 0.0)),
    }


def revenue_per_tonne(lengths: dict, rates: dict[str, float]) -> float:
    """USD 2025 a tonne pays over the new parts of the route: Russian rate on the Russian line,
    North American rate on the tunnel and the new Alaskan and other North American lines."""
    return (
        lengths["russia_km"] * rates["russia"]
        + (lengths["tunnel_km"] + lengths["alaska_km"] + lengths.get("na_km", 0.0)) * rates["north_america"]
    )


def tunnel_om(market: pd.DataFrame, projects: pd.DataFrame, conv: money.Money) -> dict[str, float]:
    """Channel Tunnel operator's 2024 operating costs (revenue minus EBITDA) in USD 2025, and per km."""
    m = market.set_index("market_id")["value"]
    cost_eur_m = float(m["eurotunnel_revenue_2024"]) - float(m["eurotunnel_ebitda_2024"])
    usd_bn = float(conv.convert(cost_eur_m, "EUR", 2024)) / 1000
    km = float(projects.set_index("project_id").loc[REFERENCE_PROJECT, "length_km"])
    return {"eur_m_2024": cost_eur_m, "usd_bn": usd_bn, "km": km, "usd_bn_per_km": usd_bn / km}


def transpacific_tonnage_mt(market: pd.DataFrame, tonnes_per_teu: float) -> float:
    """Million tonnes a year crossing the Pacific in containers (both directions, 2024)."""
    teu_m = float(market.set_index("market_id").loc["transpacific_teu_2024", "value"])
    return teu_m * tonnes_per_teu


def sea_rate_per_tonne(
    market: pd.DataFrame, tonnes_per_teu: float, conv: money.Money, market_id: str = "wci_shanghai_los_angeles_2025"
) -> float:
    """USD 2025 per tonne of the Shanghai-Los Angeles spot rate (a 40 ft box = 2 TEU)."""
    row = market.set_index("market_id").loc[market_id]
    return float(conv.convert(float(row["value"]), "USD", int(row["year"]))) / (2 * tonnes_per_teu)


def cargo_value_per_tonne(market: pd.DataFrame, tonnes_per_teu: float, conv: money.Money) -> float:
    """USD 2025 per tonne of the average container cargo (value per TEU over tonnes per TEU)."""
    row = market.set_index("market_id").loc["container_cargo_value_per_teu_2020"]
    return float(conv.convert(float(row["value"]), "USD", int(row["year"]))) / tonnes_per_teu


def claimed_capacity(rates: pd.DataFrame) -> pd.DataFrame:
    """Freight capacity claimed for the crossing (rows of freight_rates in million tonnes per year)."""
    claims = rates[(rates["mode"] == "bering_crossing") & (rates["unit"] == "million tonnes per year")]
    return claims[["rate_id", "statistic", "value", "source_id"]].reset_index(drop=True)


def whole_link_samples(scenario: str = "baseline", data_dir=None) -> np.ndarray:
    """Whole-link cost draws in USD 2025 bn, from notebook 03's model
    (:func:`bering.montecarlo.whole_link_samples`)."""
    return _samples(_resolve(data_dir), scenario).copy()


@functools.cache
def _samples(data_dir: str, scenario: str) -> np.ndarray:
    from . import montecarlo

    return np.asarray(montecarlo.whole_link_samples(scenario=scenario, data_dir=data_dir), dtype=float)


# ---------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Inputs:
    """Everything the break-even needs, as numbers (money in USD 2025)."""

    samples_bn: np.ndarray  # whole-link cost draws, USD 2025 bn
    revenue_per_tonne: float  # USD 2025 per tonne over the new parts of the route
    om_bn: float  # tunnel O&M, USD 2025 bn a year
    transpacific_mt: float  # million tonnes a year across the Pacific in containers
    lengths: dict
    construction_years: float = 0.0  # years over which the cost is spent (0: no interest during construction)
    # percentiles of the draws already taken (every break-even of a grid reads the same few)
    _percentiles: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self):
        # an own read-only copy, so a percentile once taken always holds for these draws
        samples = np.array(self.samples_bn, dtype=float)
        samples.flags.writeable = False
        object.__setattr__(self, "samples_bn", samples)

    def cost_bn(self, percentile: float) -> float:
        if percentile not in self._percentiles:
            self._percentiles[percentile] = float(np.percentile(self.samples_bn, percentile))
        return self._percentiles[percentile]

    def capital_bn(self, case: Case) -> float:
        """The cost at ``case.percentile`` with interest during construction at ``case.rate`` (USD 2025 bn)."""
        return self.cost_bn(case.percentile) * idc_factor(case.rate, self.construction_years)

    def charge_bn(self, case: Case) -> float:
        """Yearly capital charge: the annuity on :meth:`capital_bn`."""
        return float(capital_charge(self.capital_bn(case), case.rate, case.life_years))

    def annual_cost_bn(self, case: Case) -> float:
        return self.charge_bn(case) + self.om_bn

    def breakeven_mt(self, case: Case) -> float:
        # USD bn / (USD per tonne) = 1e9 t; x 1000 gives million tonnes
        return breakeven_tonnes(self.annual_cost_bn(case), self.revenue_per_tonne) * 1000

    def evaluate(self, case: Case, traffic_mt: float | None = None) -> dict:
        """The break-even of ``case``, and the yearly result at ``traffic_mt`` if given."""
        cost = self.cost_bn(case.percentile)
        capital = self.capital_bn(case)
        charge = self.charge_bn(case)
        be = self.breakeven_mt(case)
        out = {
            "cost_percentile": case.percentile,
            "real_rate_pct": case.rate * 100,
            "asset_life_years": case.life_years,
            "whole_link_cost_bn": cost,
            "interest_during_construction_bn": capital - cost,
            "capital_at_opening_bn": capital,
            "capital_charge_bn_per_year": charge,
            "om_bn_per_year": self.om_bn,
            "breakeven_mt_per_year": be,
            "breakeven_share_of_transpacific_pct": be / self.transpacific_mt * 100,
        }
        if traffic_mt is not None:
            revenue = traffic_mt * self.revenue_per_tonne / 1000
            out.update(
                {
                    "traffic_mt_per_year": traffic_mt,
                    "revenue_bn_per_year": revenue,
                    "surplus_bn_per_year": revenue - charge - self.om_bn,
                }
            )
        return out


def construction_years(data_dir=None, scenario: str = "baseline") -> float:
    """Median construction time of the tunnel (years), from notebook 03's duration model."""
    from . import montecarlo

    v = montecarlo.results(data_dir, scenario).set_index("key")["value"]
    return float(v["construction_duration_p50_years"])


def build_inputs(
    samples_bn, data_dir=None, case: Case | None = None, years: float | None = None, scenario: str = "baseline"
) -> Inputs:
    """:class:`Inputs` from the data and a cost distribution (pass any samples, e.g. in tests).

    ``years`` is the construction time over which interest during construction accrues; None reads the
    median of the duration model (:func:`construction_years`) when ``case.idc_counted``, else 0.
    """
    case = case or case_from_assumptions(data_dir)
    if years is None:
        years = construction_years(data_dir, scenario) if case.idc_counted else 0.0
    if case.approach_om_counted:
        raise ValueError(
            "approach-line upkeep cannot be counted: the data hold no sourced cost per km "
            "(set econ_approach_om_counted to 0)"
        )
    conv = money.Money.from_data(Path(data_dir) if data_dir else None)
    lengths = link_lengths(data_dir)
    rates = rail_rates(data.load("freight_rates", data_dir), conv)
    market = data.load("freight_market", data_dir)
    om = tunnel_om(market, data.load("megaprojects", data_dir), conv)
    om_bn = om["usd_bn_per_km"] * lengths["tunnel_km"] if case.om_scales_with_length else om["usd_bn"]
    return Inputs(
        samples_bn=np.asarray(samples_bn, dtype=float),
        revenue_per_tonne=revenue_per_tonne(lengths, rates),
        om_bn=om_bn,
        transpacific_mt=transpacific_tonnage_mt(market, case.tonnes_per_teu),
        lengths=lengths,
        construction_years=float(years),
    )


def charge_table(inputs: Inputs, rates=RATE_GRID, lives=LIFE_GRID, percentiles=COST_PERCENTILES) -> pd.DataFrame:
    """Annual capital charge (USD 2025 bn a year) for each cost percentile, rate and life."""
    rows = [
        {
            "cost_percentile": p,
            "real_rate_pct": r * 100,
            "asset_life_years": n,
            "capital_charge_bn_per_year": inputs.charge_bn(Case(rate=r, life_years=n, percentile=p)),
        }
        for p, r, n in itertools.product(percentiles, rates, lives)
    ]
    return pd.DataFrame(rows)


def breakeven_grid(
    inputs: Inputs, base: Case, rates=RATE_GRID, lives=LIFE_GRID, percentiles=COST_PERCENTILES
) -> pd.DataFrame:
    """Break-even traffic for every combination of rate, life and cost percentile."""
    rows = [
        inputs.evaluate(replace(base, rate=r, life_years=n, percentile=p))
        for p, r, n in itertools.product(percentiles, rates, lives)
    ]
    return pd.DataFrame(rows)


def revenue_curve(inputs: Inputs, traffic_mt) -> pd.DataFrame:
    """Yearly revenue (USD 2025 bn) at each traffic level (million tonnes a year)."""
    traffic = np.asarray(traffic_mt, dtype=float)
    return pd.DataFrame(
        {"traffic_mt_per_year": traffic, "revenue_bn_per_year": traffic * inputs.revenue_per_tonne / 1000}
    )


# ---------------------------------------------------------------------------------------------
# Site conditions


def open_water_months(site: pd.DataFrame) -> list[int]:
    """Whole months between the strait clearing of ice and ice forming again."""
    s = site.set_index("condition_id")["value"]
    return list(range(int(s["sea_ice_strait_clears_month"]) + 1, int(s["sea_ice_forms_month"])))


def season_comparison(site: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """The two seasons the collection uses, side by side, to show they measure different things: the
    months the Bering Strait itself is free of ice (site conditions, notebook 06: marine works) and the
    Northern Sea Route's navigation season for ships without ice strengthening or of ice class Ice1-Ice3
    (freight rates, notebook 04: shipping along Russia's Arctic coast;
    :func:`bering.minerals.nsr_navigation_season`)."""
    from .minerals import nsr_navigation_season

    months = open_water_months(site)
    nsr = nsr_navigation_season(rates)
    s = site.set_index("condition_id")
    return pd.DataFrame(
        [
            {
                "season": "Bering Strait free of ice (whole months)",
                "first_month": months[0] if months else np.nan,
                "last_month": months[-1] if months else np.nan,
                "months": len(months),
                "period": f"{len(months)} whole months",
                "measures": "sea ice at the strait itself: when marine works can run",
                "used_in": "06_economic_case",
                "source_id": s.loc["sea_ice_strait_clears_month", "source_id"],
            },
            {
                "season": "Northern Sea Route navigation season (ships without ice strengthening or Ice1-Ice3)",
                "first_month": nsr["first_month"],
                "last_month": nsr["last_month"],
                "months": nsr["last_month"] - nsr["first_month"] + 1,
                "period": f"{nsr['text']}, {nsr['days']} days",
                "measures": "when ships may sail the Arctic sea lane along Russia's coast, not the strait's ice",
                "used_in": "04_critical_minerals",
                "source_id": rates.set_index("rate_id").loc["nsr_navigation_ice1_3_start_month", "source_id"],
            },
        ]
    )


def migration_months(site: pd.DataFrame) -> dict[str, list[int]]:
    """Months of each wildlife passage through the strait (rows of topic 'wildlife' with months)."""
    rows = site[(site["topic"] == "wildlife") & (site["unit"] == "month of year (1-12)")]
    return {r.condition_id: list(range(int(r.value), int(r.value_high) + 1)) for r in rows.itertuples()}


def community_population(site: pd.DataFrame) -> pd.DataFrame:
    rows = site[(site["topic"] == "communities") & (site["unit"] == "persons")]
    return rows[["place", "value", "date", "source_id"]].rename(columns={"value": "population", "date": "census"})


# ---------------------------------------------------------------------------------------------
# What-if (the controls are bering.plots.economics.WhatIf)


def precomputed_cases(inputs: Inputs, base: Case) -> pd.DataFrame:
    """The cases the static what-if table shows: the central case and one change at a time."""
    cases = [("central case", base)]
    cases += [(f"rate {r * 100:g}%", replace(base, rate=r)) for r in RATE_GRID if r != base.rate]
    cases += [(f"life {n} years", replace(base, life_years=n)) for n in LIFE_GRID if n != base.life_years]
    cases += [(f"cost P{p}", replace(base, percentile=p)) for p in COST_PERCENTILES if p != base.percentile]
    rows = []
    for label, case in cases:
        row = inputs.evaluate(case)
        rows.append(
            {
                "case": label,
                "real rate (%)": row["real_rate_pct"],
                "asset life (years)": row["asset_life_years"],
                "cost percentile": row["cost_percentile"],
                "annual cost (USD 2025 bn)": row["capital_charge_bn_per_year"] + row["om_bn_per_year"],
                "break-even (million t a year)": row["breakeven_mt_per_year"],
                "share of transpacific tonnage (%)": row["breakeven_share_of_transpacific_pct"],
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Key numbers


def results(data_dir=None, scenario: str = "baseline") -> pd.DataFrame:
    """Every key number notebook 06 exports (columns key, value, unit, description)."""
    return _results(_resolve(data_dir), scenario).copy()


@functools.cache
def _results(data_dir: str, scenario: str) -> pd.DataFrame:
    label = money.label()
    case = case_from_assumptions(data_dir)
    inputs = build_inputs(_samples(data_dir, scenario), data_dir, case, scenario=scenario)
    central = inputs.evaluate(case)
    forecasts = data.load("demand_forecasts", data_dir)
    mature = mature_ratio_row(forecasts, data.load("megaprojects", data_dir))
    accuracy = data.load("traffic_forecast_accuracy", data_dir)
    rates = data.load("freight_rates", data_dir)
    market = data.load("freight_market", data_dir)
    site = data.load("site_conditions", data_dir)
    conv = money.Money.from_data(Path(data_dir))
    ct_ratio = channel_tunnel_ratio(forecasts)
    capacity = claimed_capacity(rates)
    nsr = float(rates.set_index("rate_id").loc["nsr_total_cargo_2024", "value"])
    sea = sea_rate_per_tonne(market, case.tonnes_per_teu, conv)
    cargo_value = cargo_value_per_tonne(market, case.tonnes_per_teu, conv)
    pop = community_population(site)["population"].sum()
    nsr_season = season_comparison(site, rates).set_index("used_in").loc["04_critical_minerals", "period"]
    grid = breakeven_grid(inputs, case)["breakeven_mt_per_year"]
    p50 = replace(case, percentile=50)
    basis = (
        f"real rate {case.rate * 100:g}% (assumption), {case.life_years:g}-year life (assumption), "
        f"P{case.percentile:g} whole-link cost"
    )
    rows = [
        (
            "channel_tunnel_traffic_actual_over_forecast",
            ct_ratio,
            "ratio",
            "Channel Tunnel through rail freight: actual tonnes in 1995 over the forecast for its first year "
            "(a first-year figure, while traffic was ramping up)",
        ),
        (
            "rail_passenger_actual_over_forecast_at_mean_overestimate",
            rail_class_ratio(accuracy),
            "ratio",
            "Rail projects' passenger forecasts (Flyvbjerg, Holm and Buhl 2005): 1 / (1 + average overestimate), the "
            "reciprocal of the average forecast-over-actual ratio, not an average of actual over forecast; "
            "passenger, not freight",
        ),
        (
            "annual_capital_charge_p50_usd2025",
            inputs.charge_bn(p50),
            f"{label} bn per year",
            f"Annuity on the P50 whole-link cost at a real rate of {case.rate * 100:g}% over {case.life_years:g} years "
            "(both assumptions), "
            + (
                f"with interest during construction at the same rate over {inputs.construction_years:.0f} years "
                "(the duration model's median, spending spread evenly)"
                if inputs.construction_years
                else "interest during construction not counted"
            ),
        ),
        (
            "construction_years_for_interest",
            inputs.construction_years,
            "years",
            "Construction time over which interest during construction accrues: the median of notebook 03's "
            "duration model (0 when not counted)",
        ),
        (
            "interest_during_construction_p50_usd2025",
            inputs.capital_bn(p50) - inputs.cost_bn(50),
            f"{label} bn",
            f"Interest during construction on the P50 whole-link cost at a real rate of {case.rate * 100:g}% "
            "(assumption), spending spread evenly over the construction time",
        ),
        (
            "annual_tunnel_om_usd2025",
            inputs.om_bn,
            f"{label} bn per year",
            "Tunnel operation and maintenance, by proxy: the Channel Tunnel operator's 2024 revenue minus EBITDA per "
            "km times the tunnel length; it includes running the operator's shuttle trains, so it overstates a "
            "freight-only tunnel's own running cost",
        ),
        (
            "link_revenue_per_tonne_usd2025",
            inputs.revenue_per_tonne,
            f"{label} per tonne",
            "What one tonne pays at 2012-2013 Russian and US rail rates over the new lines and the tunnel",
        ),
        (
            "breakeven_freight_mt_per_year",
            central["breakeven_mt_per_year"],
            "million tonnes per year",
            f"Freight a year whose revenue covers capital charge and tunnel O&M, central case ({basis})",
        ),
        (
            "breakeven_freight_mt_per_year_grid_min",
            float(grid.min()),
            "million tonnes per year",
            f"Lowest break-even freight across {GRID_TEXT}",
        ),
        (
            "breakeven_freight_mt_per_year_grid_max",
            float(grid.max()),
            "million tonnes per year",
            f"Highest break-even freight across {GRID_TEXT}",
        ),
        (
            "breakeven_share_of_transpacific_tonnage",
            central["breakeven_share_of_transpacific_pct"],
            "percent",
            f"Break-even traffic as a share of transpacific container tonnage in 2024 ({case.tonnes_per_teu:g} t per "
            "TEU, an assumption)",
        ),
        (
            "transpacific_container_tonnage_mt",
            inputs.transpacific_mt,
            "million tonnes per year",
            f"Containers across the Pacific in 2024, both directions, at {case.tonnes_per_teu:g} t per "
            "TEU (assumption)",
        ),
        (
            "claimed_capacity_max_share_of_transpacific",
            capacity["value"].max() / inputs.transpacific_mt * 100,
            "percent",
            "Largest freight capacity claimed for a Bering tunnel as a share of transpacific container tonnage",
        ),
        (
            "breakeven_over_nsr_cargo_2024",
            central["breakeven_mt_per_year"] / nsr,
            "ratio",
            "Break-even traffic over all cargo carried on the Northern Sea Route in 2024",
        ),
        (
            "channel_tunnel_mature_actual_over_forecast",
            float(mature["ratio"]),
            "ratio",
            f"Channel Tunnel {mature['traffic']}: actual in {int(mature['compared_year'])}, "
            f"{int(mature['years_after_opening'])} years after opening, over the forecast made in "
            f"{int(mature['forecast_made_year'])} for that year; the mature-year shortfall set against the "
            "steady-state break-even",
        ),
        (
            "breakeven_forecast_needed_mt_per_year",
            central["breakeven_mt_per_year"] / float(mature["ratio"]),
            "million tonnes per year",
            "Forecast a promoter would need for the link still to break even after a shortfall like the Channel "
            f"Tunnel's in a mature year ({mature['traffic']}, {int(mature['compared_year'])}): steady-state "
            "break-even over steady-state ratio, not over the first-year freight ratio",
        ),
        (
            "link_toll_over_sea_freight",
            inputs.revenue_per_tonne / sea,
            "ratio",
            "Rail revenue per tonne over the new lines and tunnel over the 2025 Shanghai-Los Angeles "
            "spot rate per tonne "
            f"({case.tonnes_per_teu:g} t per TEU, an assumption)",
        ),
        (
            "link_toll_share_of_cargo_value",
            inputs.revenue_per_tonne / cargo_value * 100,
            "percent",
            "Rail revenue per tonne over the new lines and tunnel as a share of the average value of a tonne of "
            f"container cargo ({case.tonnes_per_teu:g} t per TEU, an assumption)",
        ),
        (
            "open_water_months_at_strait",
            float(len(open_water_months(site))),
            "months per year",
            "Whole months between the strait clearing of ice (late June) and ice forming (October): the strait's "
            f"own ice season, not the Northern Sea Route's navigation season that notebook 04 uses ({nsr_season}), "
            "which measures another thing",
        ),
        (
            "strait_communities_population",
            float(pop),
            "persons",
            "People living in Wales, Diomede, Uelen and Lavrentiya (latest census in the data)",
        ),
    ]
    return pd.DataFrame(rows, columns=["key", "value", "unit", "description"])


def breakeven_phrase(data_dir=None, scenario: str = "baseline") -> str:
    """'about 19 million tonnes a year in the central case, 10-58 million tonnes across ...': the
    break-even as the central case and the range of the sensitivity grid, in whole million tonnes, as the
    sensitivity chart's title and the key numbers give them."""
    v = results(_resolve(data_dir), scenario).set_index("key")["value"]
    lo, hi = v["breakeven_freight_mt_per_year_grid_min"], v["breakeven_freight_mt_per_year_grid_max"]
    return (
        f"about {fmt.number(round(v['breakeven_freight_mt_per_year']))} million tonnes a year in the central case, "
        f"{fmt.number(round(lo))}-{fmt.number(round(hi))} million tonnes across {GRID_TEXT}"
    )


def times_or_share(ratio: float) -> str:
    """'45% of' below one, '1.8 times' from one up: how a ratio reads in a sentence."""
    return f"{ratio:.0%} of" if ratio < 1 else f"{ratio:.1f} times"


def findings_markdown(data_dir=None, scenario: str = "baseline") -> str:
    """The Findings paragraph of notebook 06, every number computed from :func:`results` and the data."""
    d = _resolve(data_dir)
    v = results(d, scenario).set_index("key")["value"]
    ct = v["channel_tunnel_traffic_actual_over_forecast"]
    rail_ratio = v["rail_passenger_actual_over_forecast_at_mean_overestimate"]
    charge, om = v["annual_capital_charge_p50_usd2025"], v["annual_tunnel_om_usd2025"]
    share, needed = v["breakeven_share_of_transpacific_tonnage"], v["breakeven_forecast_needed_mt_per_year"]
    toll = v["link_revenue_per_tonne_usd2025"]
    case = case_from_assumptions(d)
    forecasts = demand_ratios(data.load("demand_forecasts", d))
    freight = forecasts[
        (forecasts["project_id"] == REFERENCE_PROJECT) & (forecasts["mode"] == LINK_MODE) & forecasts["ratio"].notna()
    ].iloc[0]
    site = data.load("site_conditions", d)
    months = open_water_months(site)
    walrus = migration_months(site).get("walrus_strait_months", [])
    overlap = sorted(set(months) & set(walrus))
    sanction = site.set_index("condition_id").loc["sanction_ofac_rdif_2022"]
    month_name = ("January February March April May June July August September October November December").split()
    span = f"{month_name[months[0] - 1]} to {month_name[months[-1] - 1]}" if months else "no month"
    label = money.label()
    p50_cost = float(np.percentile(_samples(d, scenario), 50))
    mature = mature_ratio_row(data.load("demand_forecasts", d), data.load("megaprojects", d))
    idc_years = v["construction_years_for_interest"]
    idc_text = (
        f" (including {label} {fmt.rounded(v['interest_during_construction_p50_usd2025'])} bn of interest during "
        f"the {idc_years:.0f} years of construction the duration model gives as its median)"
        if idc_years
        else " (interest during construction not counted)"
    )
    rail_row = data.load("traffic_forecast_accuracy", d).set_index("statistic_id").loc["rail_mean_overestimate_pct"]
    rail_overestimate, rail_n = float(rail_row["value"]), int(rail_row["projects"])
    y, m_, day = (int(x) for x in str(sanction["date"]).split("-"))
    since = f"{day} {month_name[m_ - 1]} {y}"
    sentences = [
        f"The Channel Tunnel, the project the pitch is measured against, carried {ct:.0%} "
        f"of the through rail freight forecast for its first year ({freight['compared_value']:g} of "
        f"{freight['forecast_value']:g} million tonnes in {freight['compared_year']}, while traffic was still "
        f"ramping up), and Eurostar in {int(mature['compared_year'])}, {int(mature['years_after_opening'])} years "
        f"after opening, carried {mature['ratio']:.0%} of its forecast; across {rail_n} rail "
        f"projects, Flyvbjerg and colleagues found passenger forecasts {rail_overestimate:g}% too high on average "
        f"(forecasts {1 / rail_ratio:.2f} times actual traffic), a record of passenger, not freight, forecasts.",
        f"At a real interest rate of {case.rate * 100:g}% over {case.life_years:g} years (both assumptions), "
        "the median "
        f"whole-link cost of {label} {fmt.rounded(p50_cost, 3)} bn costs {label} "
        f"{fmt.rounded(charge)} bn a year to repay{idc_text}, plus about {fmt.rounded(om)} bn "
        "to run the tunnel if it costs per km what the Channel Tunnel's operator spends (revenue minus EBITDA, "
        "which includes running its shuttle trains, so this leans high).",
        f"To cover that, the link would have to carry {breakeven_phrase(d, scenario)}; the central case is "
        f"{share:.0f}% of all container tonnage now crossing the Pacific (at an assumed "
        f"{case.tonnes_per_teu:g} t per TEU) "
        f"and {times_or_share(v['breakeven_over_nsr_cargo_2024'])} the Northern Sea Route's 2024 cargo; after a "
        f"shortfall like the Channel Tunnel's in a mature year ({mature['ratio']:.0%} of forecast, a passenger "
        "figure, set against a steady-state break-even) "
        f"its promoters would need to forecast about {fmt.rounded(needed)} million tonnes.",
        f"Each tonne would pay about {label} {fmt.rounded(toll)} on the new lines and the tunnel alone, "
        f"{fmt.rounded(v['link_toll_over_sea_freight'])} times the whole 2025 spot price per tonne of shipping a "
        "container from "
        f"Shanghai to Los Angeles and {v['link_toll_share_of_cargo_value']:.0f}% of the average value of a tonne of "
        f"container cargo (both at the assumed {case.tonnes_per_teu:g} t per TEU): the link would not win freight "
        "on price.",
        f"At the strait the sea is free of ice only from {span} ({len(months)} months), "
        + ("the same months in which walruses pass through it, " if overlap == months and months else "")
        + f"and the fund that pitched the tunnel has been blocked by the US Treasury since {since}.",
    ]
    return "**Findings**\n\n" + "\n".join(f"- {t}" for t in sentences)
