"""Reference-class Monte Carlo estimate of a Bering Strait tunnel and its approach lines (notebook 03).

The estimate follows the reference-class idea of Flyvbjerg and colleagues: instead of building a
cost up from the design (there is none), take what comparable projects cost and how far such
projects' budgets were overrun, and draw from both:

    tunnel     = tunnel length x cost per km drawn from a class of comparable tunnels
                 x an overrun ratio (outturn / estimate) drawn from the published distribution
    approaches = new rail line km (Russia + Alaska) x cost per km drawn from remote rail lines
                 x an overrun ratio for rail projects
    whole link = tunnel + approaches

Every choice is a field of :class:`Params`; the baseline values come from
``data/assumptions.csv`` (the ``*_class`` and ``*_model`` codes are decoded here), the tunnel
length and promised years from the claim's row in ``data/megaprojects.csv``, and the approach
line lengths from notebook 02's key numbers. Named scenarios (:data:`SCENARIOS`) change a few
fields; the notebook runs the one named by the environment variable ``BERING_SCENARIO``.

Draws use a numpy Generator seeded with :data:`bering.SEED`, split into one independent stream
per random input, so changing one input leaves the draws of the others unchanged (the
sensitivity analysis compares like with like). Everything is vectorised: a million draws take a
fraction of a second.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from . import SEED, benchmarks, data, export, money

#: Percentiles reported everywhere.
PERCENTILES = (10, 50, 80, 90)
#: Environment variable naming the scenario a notebook run uses.
SCENARIO_ENV = "BERING_SCENARIO"
COST_MODELS = ("lognormal", "resample")
OVERRUN_MODELS = ("lognormal", "normal")
#: Reference classes of data/reference_overruns.csv usable for an overrun.
OVERRUN_CLASSES = ("fixed links (bridges and tunnels)", "rail", "roads", "all transport projects")

#: How the coded assumptions of data/assumptions.csv map to parameter values.
CODES = {
    "tunnel_cost_class": {1: "rail_tunnels", 2: "undersea_tunnels", 3: "fixed_links"},
    "approach_cost_class": {1: "remote_rail", 2: "remote_rail_asia", 3: "remote_rail_alaska"},
    "cost_per_km_lognormal": {1: "lognormal", 0: "resample"},
    "overrun_lognormal": {1: "lognormal", 0: "normal"},
    "tunnel_overrun_class": {1: "fixed links (bridges and tunnels)", 2: "rail"},
    "approach_overrun_class": {1: "fixed links (bridges and tunnels)", 2: "rail"},
}
#: Assumption id -> Params field.
ASSUMPTION_FIELDS = {
    "tunnel_cost_class": "tunnel_class",
    "approach_cost_class": "approach_class",
    "cost_per_km_lognormal": "cost_model",
    "overrun_lognormal": "overrun_model",
    "tunnel_overrun_class": "tunnel_overrun",
    "approach_overrun_class": "approach_overrun",
    "overrun_applied": "overrun_applied",
    "tunnel_bores": "bores",
    "tbm_count": "tbm_count",
    "boring_share_of_schedule": "boring_share",
}
#: Notebook 02's key numbers for the new rail lines each side needs.
APPROACH_KEYS = {"russia_km": "new_rail_russia_km", "alaska_km": "new_rail_alaska_km"}
#: Alignments (data/alignment_segments.csv) whose new-line km those key numbers measure.
APPROACH_ALIGNMENTS = {"russia_km": "ru_lena_uelen_line", "alaska_km": "us_fairbanks_nome_line"}


@dataclass(frozen=True)
class Params:
    """Every input of the estimate. Lengths in km, money in US dollars of ``base_year``."""

    tunnel_km: float
    years: float
    russia_km: float
    alaska_km: float
    tunnel_class: str = "rail_tunnels"
    approach_class: str = "remote_rail"
    cost_model: str = "lognormal"
    overrun_model: str = "lognormal"
    tunnel_overrun: str = "fixed links (bridges and tunnels)"
    approach_overrun: str = "rail"
    overrun_applied: bool = True
    bores: int = 3
    tbm_count: int = 6
    boring_share: float = 1.0
    draws: int = 1_000_000
    seed: int = SEED
    method: str = "fx_then_deflate"
    base_year: int = money.BASE_YEAR

    def __post_init__(self):
        for name in ("tunnel_km", "years"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        for name in ("russia_km", "alaska_km"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number of km, zero or more, got {value!r}")
        _check_choice("tunnel_class", self.tunnel_class, benchmarks.CLASSES)
        _check_choice("approach_class", self.approach_class, benchmarks.CLASSES)
        _check_choice("cost_model", self.cost_model, COST_MODELS)
        _check_choice("overrun_model", self.overrun_model, OVERRUN_MODELS)
        _check_choice("tunnel_overrun", self.tunnel_overrun, OVERRUN_CLASSES)
        _check_choice("approach_overrun", self.approach_overrun, OVERRUN_CLASSES)
        _check_choice("method", self.method, money.METHODS)
        for name in ("bores", "tbm_count", "draws"):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        if not 0 < self.boring_share <= 1:
            raise ValueError(f"boring_share must be in (0, 1], got {self.boring_share!r}")


def _check_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {name} '{value}'; use one of: {', '.join(map(str, allowed))}")


#: Named scenarios: a description and the fields they change from the baseline.
SCENARIOS: dict[str, tuple[str, dict]] = {
    "baseline": ("the values in data/assumptions.csv", {}),
    "undersea_tunnels": ("tunnel cost per km from the undersea tunnels only",
                         {"tunnel_class": "undersea_tunnels"}),
    "all_fixed_links": ("tunnel cost per km from every costed fixed link", {"tunnel_class": "fixed_links"}),
    "rail_overrun": ("tunnel overrun from the rail class instead of fixed links", {"tunnel_overrun": "rail"}),
    "no_overrun": ("benchmark outturns taken as they are, no overrun on top", {"overrun_applied": False}),
}


def scenario_name(default: str = "baseline") -> str:
    """The scenario to run: ``$BERING_SCENARIO`` if set, else ``default``; unknown names are an error."""
    name = os.environ.get(SCENARIO_ENV) or default
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario '{name}' (from {SCENARIO_ENV} or the notebook); "
                         f"use one of: {', '.join(SCENARIOS)}")
    return name


# ---------------------------------------------------------------------------------------------
# Distributions


def lognormal_from_moments(mean: float, sd: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the lognormal whose mean and standard deviation are ``mean`` and ``sd``."""
    if not (math.isfinite(mean) and mean > 0):
        raise ValueError(f"a lognormal needs a positive mean, got {mean!r}")
    if not (math.isfinite(sd) and sd >= 0):
        raise ValueError(f"a standard deviation cannot be negative, got {sd!r}")
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def draw_ratio(rng: np.random.Generator, n: int, mean_pct: float, sd_pct: float,
               model: str = "lognormal") -> np.ndarray:
    """``n`` draws of outturn / estimate for a mean overrun and SD given in percent.

    ``lognormal``: moment-matched lognormal of the ratio (always positive, right-skewed).
    ``normal``: normal ratio with the same moments, redrawn wherever it is not positive (a cost
    cannot fall to zero or below). A zero SD gives exactly ``1 + mean_pct / 100`` everywhere.
    """
    _check_choice("overrun model", model, OVERRUN_MODELS)
    mean, sd = 1 + mean_pct / 100, sd_pct / 100
    if not mean > 0:
        raise ValueError(f"a mean overrun of {mean_pct}% would make the outturn zero or negative")
    if sd < 0:
        raise ValueError(f"a standard deviation cannot be negative, got {sd_pct}%")
    if sd == 0:
        return np.full(n, mean)
    if model == "lognormal":
        mu, sigma = lognormal_from_moments(mean, sd)
        return np.exp(mu + sigma * rng.standard_normal(n))
    out = mean + sd * rng.standard_normal(n)
    bad = out <= 0
    while bad.any():
        out[bad] = mean + sd * rng.standard_normal(int(bad.sum()))
        bad = out <= 0
    return out


def draw_values(rng: np.random.Generator, n: int, values, model: str = "lognormal") -> np.ndarray:
    """``n`` draws from a sample of positive values (costs per km).

    ``lognormal``: from a lognormal fitted to the sample (mean and SD, ddof=1, of the logs).
    ``resample``: the sample's own values, each equally likely. A one-value sample gives that
    value exactly under both.
    """
    _check_choice("cost model", model, COST_MODELS)
    values = np.asarray(values, dtype=float)
    if values.size == 0 or not np.all(np.isfinite(values)) or (values <= 0).any():
        raise ValueError("cost per km values must be a non-empty sample of positive numbers")
    if values.size == 1 or np.all(values == values[0]):
        return np.full(n, values[0])
    if model == "resample":
        return values[rng.integers(0, values.size, n)]
    logs = np.log(values)
    return np.exp(logs.mean() + logs.std(ddof=1) * rng.standard_normal(n))


def under_budget_share(mean_pct: float, sd_pct: float, model: str = "lognormal") -> float:
    """Percent of projects finishing at or under budget (ratio <= 1) under :func:`draw_ratio`'s model.

    Exact: for the lognormal, Phi(-mu / sigma); for the normal redrawn below zero,
    (Phi((1 - m) / s) - Phi(-m / s)) / (1 - Phi(-m / s)) with m, s the ratio's mean and SD.
    """
    from .benchmarks import normal_cdf

    _check_choice("overrun model", model, OVERRUN_MODELS)
    mean, sd = 1 + mean_pct / 100, sd_pct / 100
    if sd == 0:
        return 100.0 * float(mean <= 1)
    if model == "lognormal":
        mu, sigma = lognormal_from_moments(mean, sd)
        return 100.0 * float(normal_cdf(-mu / sigma))
    below_zero = float(normal_cdf(-mean / sd))
    return 100.0 * (float(normal_cdf((1 - mean) / sd)) - below_zero) / (1 - below_zero)


def percentiles(x, ps=PERCENTILES) -> dict[int, float]:
    """``{p: value}`` for each percentile ``p`` of ``x`` (linear interpolation)."""
    ps = list(ps)
    if any(not 0 <= p <= 100 for p in ps):
        raise ValueError(f"percentiles must be within 0..100, got {ps}")
    values = np.percentile(np.asarray(x, dtype=float), ps)
    return {p: float(v) for p, v in zip(ps, values)}


def share_at_or_below(x, value: float) -> float:
    """Percent of draws at or below ``value``: the percentile at which ``value`` sits."""
    x = np.asarray(x, dtype=float)
    return float(100.0 * np.count_nonzero(x <= value) / x.size)


# ---------------------------------------------------------------------------------------------
# The simulation


@dataclass(frozen=True)
class Inputs:
    """What one simulation needs, as numbers: samples and moments, no table lookups."""

    tunnel_km: float
    tunnel_values: np.ndarray           # cost per km of the tunnel class, USD million per km
    approach_km: float
    approach_values: np.ndarray         # cost per km of the approach class, USD million per km
    tunnel_overrun: tuple[float, float] | None = None    # (mean %, SD %) or None for no overrun
    approach_overrun: tuple[float, float] | None = None
    cost_model: str = "lognormal"
    overrun_model: str = "lognormal"


@dataclass(frozen=True)
class Result:
    """Draws in billion US dollars (of the run's base year): tunnel, approaches, whole link."""

    tunnel: np.ndarray
    approach: np.ndarray
    whole: np.ndarray = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "whole", self.tunnel + self.approach)


def simulate(inputs: Inputs, draws: int, seed: int = SEED) -> Result:
    """Run the Monte Carlo; one independent random stream per random input."""
    if isinstance(draws, bool) or int(draws) != draws or draws < 1:
        raise ValueError(f"draws must be a whole number of at least 1, got {draws!r}")
    n = int(draws)
    s_tunnel, s_tunnel_over, s_approach, s_approach_over = np.random.default_rng(seed).spawn(4)
    tunnel = inputs.tunnel_km * draw_values(s_tunnel, n, inputs.tunnel_values, inputs.cost_model) / 1000
    if inputs.tunnel_overrun is not None:
        tunnel = tunnel * draw_ratio(s_tunnel_over, n, *inputs.tunnel_overrun, model=inputs.overrun_model)
    if inputs.approach_km > 0:
        approach = inputs.approach_km * draw_values(s_approach, n, inputs.approach_values, inputs.cost_model) / 1000
        if inputs.approach_overrun is not None:
            approach = approach * draw_ratio(s_approach_over, n, *inputs.approach_overrun,
                                             model=inputs.overrun_model)
    else:
        approach = np.zeros(n)
    return Result(tunnel, approach)


def summary(result: Result, base_label: str = money.label()) -> pd.DataFrame:
    """P10, P50, P80, P90 and mean of the tunnel, the approach lines and the whole link (bn)."""
    rows = []
    for name, x in (("tunnel", result.tunnel), ("approach lines", result.approach),
                    ("whole link", result.whole)):
        row = {"component": name, "unit": f"{base_label} bn"}
        row.update({f"P{p}": v for p, v in percentiles(x).items()})
        row["mean"] = float(np.mean(x))
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Inputs from the data


def approach_lengths(out_dir=None, fallback: bool = False, data_dir=None) -> dict[str, float]:
    """New rail km on each side, from notebook 02's key numbers ``new_rail_russia_km`` and ``new_rail_alaska_km``.

    If they are missing (notebook 02 has not run) this raises a clear error, unless ``fallback``
    is true: then the straight-line lengths of :func:`straight_line_lengths` are used instead
    (shorter than notebook 02's estimates of the track, so a lower bound).
    """
    try:
        return {name: export.key_number(key, out_dir) for name, key in APPROACH_KEYS.items()}
    except KeyError as exc:
        if not fallback:
            raise KeyError(f"{exc.args[0]}. Notebook 03 needs the approach-line lengths that "
                           "02_route_geometry records; run it first (the export runs notebooks in order)") from None
    return straight_line_lengths(data_dir)


class Model:
    """The data behind the estimate, and the functions that turn :class:`Params` into results."""

    def __init__(self, projects: pd.DataFrame, costs: pd.DataFrame, overrun_refs: pd.DataFrame,
                 conv: money.Money, approach_km: dict[str, float]):
        self.projects, self.costs, self.overrun_refs = projects, costs, overrun_refs
        self.conv, self.approach_km = conv, dict(approach_km)
        self._tables: dict[tuple[str, int], pd.DataFrame] = {}

    @classmethod
    def from_data(cls, data_dir=None, out_dir=None, fallback: bool = False) -> "Model":
        projects, costs = benchmarks.load(data_dir)
        return cls(projects, costs, data.load("reference_overruns", data_dir), money.Money.from_data(data_dir),
                   approach_lengths(out_dir, fallback=fallback, data_dir=data_dir))

    # -- lookups -------------------------------------------------------------------------------

    def table(self, method: str = "fx_then_deflate", base_year: int = money.BASE_YEAR) -> pd.DataFrame:
        """Cost per km of every benchmark project (cached per conversion method and year)."""
        key = (method, base_year)
        if key not in self._tables:
            self._tables[key] = benchmarks.cost_per_km(self.projects, self.costs, self.conv, method, base_year)
        return self._tables[key]

    def overrun_stats(self, reference_class: str) -> tuple[float, float, list[str]]:
        """Mean and SD of the cost overrun (percent) of a class, and the rows they come from."""
        refs = self.overrun_refs[self.overrun_refs["reference_class"] == reference_class]
        picked = {}
        for stat in ("mean cost overrun", "standard deviation of cost overrun"):
            hit = refs[refs["statistic"] == stat]
            if len(hit) != 1:
                raise ValueError(f"expected one '{stat}' row for '{reference_class}' in reference_overruns, "
                                 f"found {len(hit)}")
            picked[stat] = hit.iloc[0]
        mean, sd = picked["mean cost overrun"], picked["standard deviation of cost overrun"]
        return float(mean["value"]), float(sd["value"]), [mean["reference_id"], sd["reference_id"]]

    def under_budget_table(self, classes=("rail", "fixed links (bridges and tunnels)", "all transport projects")
                           ) -> pd.DataFrame:
        """Percent of projects at or under budget that each overrun shape implies, per class.

        ``published`` is 100 minus the published share of projects over budget, where the data
        give one.
        """
        refs = self.overrun_refs
        rows = []
        for cls in classes:
            mean, sd, _ = self.overrun_stats(cls)
            row = {"class": cls, "mean_pct": mean, "sd_pct": sd}
            row.update({f"{shape}: under budget (%)": under_budget_share(mean, sd, shape) for shape in OVERRUN_MODELS})
            share = refs[(refs["reference_class"] == cls)
                         & (refs["statistic"] == "share of projects with cost overrun")]
            row["published: under budget (%)"] = 100 - float(share["value"].iloc[0]) if len(share) else float("nan")
            rows.append(row)
        return pd.DataFrame(rows)

    def compare_year(self) -> int:
        """Last year both conversion methods can reach for every benchmark currency."""
        used = self.costs["cost_id"].isin(list(benchmarks.PER_KM_ROWS))
        return benchmarks.local_index_end(self.conv, self.costs.loc[used, "currency"])

    def claim(self) -> dict[str, float]:
        """The October 2025 claim (length, years, USD 2025 bn figures)."""
        return benchmarks.claim(self.projects, self.costs, self.conv)

    # -- parameters ----------------------------------------------------------------------------

    def baseline(self, data_dir=None) -> Params:
        """The baseline: the claim's length and years, notebook 02's lengths, data/assumptions.csv."""
        claim = self.claim()
        values = {"tunnel_km": claim["length_km"], "years": claim["years"], **self.approach_km}
        assumptions = data.load("assumptions", data_dir).set_index("assumption_id")["value"]
        missing = sorted(set(ASSUMPTION_FIELDS) - set(assumptions.index))
        if missing:
            raise KeyError(f"data/assumptions.csv lacks the assumptions {missing}")
        for aid, name in ASSUMPTION_FIELDS.items():
            value = float(assumptions[aid])
            if aid in CODES:
                if value not in CODES[aid]:
                    raise ValueError(f"assumption {aid} = {value:g} is not one of the codes {sorted(CODES[aid])}")
                values[name] = CODES[aid][int(value)]
            elif name == "overrun_applied":
                values[name] = bool(value)
            elif name in ("bores", "tbm_count"):
                values[name] = int(value)
            else:
                values[name] = value
        return Params(**values)

    def scenario(self, name: str, data_dir=None) -> Params:
        """The baseline with the changes of scenario ``name``."""
        _check_choice("scenario", name, SCENARIOS)
        return replace(self.baseline(data_dir), **SCENARIOS[name][1])

    # -- running -------------------------------------------------------------------------------

    def inputs(self, params: Params) -> Inputs:
        """The numeric inputs that ``params`` selects."""
        table = self.table(params.method, params.base_year)
        tunnel_over = approach_over = None
        if params.overrun_applied:
            tunnel_over = self.overrun_stats(params.tunnel_overrun)[:2]
            approach_over = self.overrun_stats(params.approach_overrun)[:2]
        return Inputs(tunnel_km=params.tunnel_km,
                      tunnel_values=benchmarks.class_values(table, params.tunnel_class),
                      approach_km=params.russia_km + params.alaska_km,
                      approach_values=benchmarks.class_values(table, params.approach_class),
                      tunnel_overrun=tunnel_over, approach_overrun=approach_over,
                      cost_model=params.cost_model, overrun_model=params.overrun_model)

    def run(self, params: Params) -> Result:
        """Simulate ``params``."""
        return simulate(self.inputs(params), params.draws, params.seed)

    def assumption_table(self, params: Params) -> pd.DataFrame:
        """Every input of the estimate in one table: value, unit, where it comes from, source."""
        table = self.table(params.method, params.base_year)
        base = money.label(money.BASE_CURRENCY, params.base_year)

        def members(name):
            ids = benchmarks.CLASSES[name][1]
            names = table.set_index("project_id").loc[list(ids), "name"].str.split(" \\(").str[0]
            return "; ".join(names), ";".join(dict.fromkeys(
                s for i in ids for s in table.set_index("project_id").loc[i, "source_id"].split(";")))

        def overrun(cls):
            mean, sd, ids = self.overrun_stats(cls)
            srcs = self.overrun_refs.set_index("reference_id").loc[ids, "source_id"]
            return f"{cls}: mean {mean:g} %, SD {sd:g} %", ";".join(dict.fromkeys(srcs))

        t_members, t_src = members(params.tunnel_class)
        a_members, a_src = members(params.approach_class)
        rows = [
            ("tunnel length", f"{params.tunnel_km:g}", "km", "claim (data/megaprojects.csv)", "independent_2025_10_17"),
            ("promised construction time", f"{params.years:g}", "years", "claim (data/megaprojects.csv)",
             "independent_2025_10_17"),
            ("tunnel cost-per-km class", f"{params.tunnel_class}: {t_members}", f"{base} million per km",
             "assumption tunnel_cost_class; rows per benchmarks.PER_KM_ROWS", t_src),
            ("cost-per-km distribution", params.cost_model, "", "assumption cost_per_km_lognormal", ""),
            ("overrun applied on top of benchmarks", "yes" if params.overrun_applied else "no", "",
             "assumption overrun_applied", ""),
        ]
        if params.overrun_applied:
            t_over, t_over_src = overrun(params.tunnel_overrun)
            a_over, a_over_src = overrun(params.approach_overrun)
            rows += [("tunnel overrun (outturn / estimate - 1)", t_over, "percent",
                      "assumption tunnel_overrun_class; data/reference_overruns.csv", t_over_src),
                     ("approach-line overrun", a_over, "percent",
                      "assumption approach_overrun_class; data/reference_overruns.csv", a_over_src),
                     ("overrun distribution", params.overrun_model, "", "assumption overrun_lognormal", "")]
        rows += [
            ("new rail line, Russia", f"{params.russia_km:,.0f}", "km",
             "notebook 02 key number new_rail_russia_km", ""),
            ("new rail line, Alaska", f"{params.alaska_km:,.0f}", "km",
             "notebook 02 key number new_rail_alaska_km", ""),
            ("approach cost-per-km class", f"{params.approach_class}: {a_members}", f"{base} million per km",
             "assumption approach_cost_class", a_src),
            ("parallel bores", f"{params.bores}", "count", "assumption tunnel_bores", ""),
            ("TBMs working at once", f"{params.tbm_count}", "count", "assumption tbm_count", ""),
            ("share of the schedule spent boring", f"{params.boring_share:g}", "fraction",
             "assumption boring_share_of_schedule", ""),
            ("draws", f"{params.draws:,}", "count", "setting (montecarlo.Params)", ""),
            ("seed", f"{params.seed}", "", "bering.SEED", ""),
            ("money", f"{params.method}, to {base}", "", "bering.money", ""),
        ]
        return pd.DataFrame(rows, columns=["input", "value", "unit", "origin", "source_id"])

    # -- sensitivity ---------------------------------------------------------------------------

    def variants(self, params: Params) -> list[tuple[str, str, dict]]:
        """The alternatives the sensitivity analysis tries: (assumption, option, changes)."""
        proj = self.projects.set_index("project_id")
        alt_km = float(proj.loc["bering_2007_tkm_world_link", "length_km"])
        out = [
            ("tunnel cost class", "undersea tunnels", {"tunnel_class": "undersea_tunnels"}),
            ("tunnel cost class", "all fixed links", {"tunnel_class": "fixed_links"}),
            ("cost-per-km distribution", "resample the class", {"cost_model": "resample"}),
            ("overrun on top of benchmarks", "none", {"overrun_applied": False}),
            ("tunnel overrun class", "rail", {"tunnel_overrun": "rail"}),
            ("overrun distribution", "truncated normal", {"overrun_model": "normal"}),
            ("tunnel length", f"{alt_km:g} km (2007 plan)", {"tunnel_km": alt_km}),
            ("approach cost class", "Russia and China lines", {"approach_class": "remote_rail_asia"}),
            ("approach cost class", "Alaska line", {"approach_class": "remote_rail_alaska"}),
            ("price conversion", f"deflate_then_fx (ratio at {self.compare_year()})", {"method": "deflate_then_fx"}),
        ]
        straight = straight_line_lengths()
        if any(abs(straight[k] - getattr(params, k)) > 1 for k in straight):
            out.append(("approach line lengths", "straight lines (lower bound)", straight))
        return [(a, o, c) for a, o, c in out
                if any(getattr(params, k) != v for k, v in c.items())]

    def sensitivity(self, params: Params, draws: int = 200_000, component: str = "whole") -> pd.DataFrame:
        """P50 of ``component`` (tunnel, approach or whole) under each variant, and its change.

        Every variant uses the same seed and its own random streams, so a difference is the
        effect of the change alone. The price-conversion variant can only be computed at 2024 (the
        local price indices end there), so its ratio to the baseline at 2024 is applied to the
        baseline P50.
        """
        _check_choice("component", component, ("tunnel", "approach", "whole"))
        small = replace(params, draws=draws)

        def p50(p):
            return percentiles(getattr(self.run(p), component), [50])[50]

        base = p50(small)
        year = self.compare_year()
        rows = []
        for assumption, option, changes in self.variants(params):
            if "method" in changes:
                ratio = p50(replace(small, base_year=year, **changes)) / p50(replace(small, base_year=year))
                value = base * ratio
            else:
                value = p50(replace(small, **changes))
            rows.append({"assumption": assumption, "option": option, "p50": value,
                         "change": value - base, "change_pct": 100 * (value / base - 1)})
        table = pd.DataFrame(rows)
        table.attrs["baseline_p50"] = base
        spread = table.groupby("assumption")["change"].agg(lambda s: max(s.max(), 0) - min(s.min(), 0))
        table["swing"] = table["assumption"].map(spread)
        return table.sort_values(["swing", "change"], ascending=[False, True]).reset_index(drop=True)

    def scenario_table(self, draws: int = 200_000, data_dir=None) -> pd.DataFrame:
        """P50 and P90 (bn) of the tunnel and the whole link under every named scenario."""
        rows = []
        for name, (description, _) in SCENARIOS.items():
            result = self.run(replace(self.scenario(name, data_dir), draws=draws))
            t, w = percentiles(result.tunnel, [50, 90]), percentiles(result.whole, [50, 90])
            rows.append({"scenario": name, "what changes": description, "tunnel P50": t[50], "tunnel P90": t[90],
                         "whole link P50": w[50], "whole link P90": w[90]})
        return pd.DataFrame(rows)

    # -- interactive estimate -------------------------------------------------------------------

    def estimate(self, params: Params, length_km: float | None = None, tunnel_class: str | None = None,
                 percentile: float = 50, tbm_count: int | None = None, draws: int = 200_000) -> pd.DataFrame:
        """Cost at ``percentile`` and the schedule for a few headline choices; for widgets.

        Returns a small table: tunnel and whole-link cost at the percentile (bn), the advance
        each TBM needs to finish in the promised years, and the years needed at the typical
        sustained TBM rate.
        """
        if not 0 < percentile < 100:
            raise ValueError(f"percentile must be between 0 and 100, got {percentile!r}")
        changes = {"draws": draws}
        if length_km is not None:
            changes["tunnel_km"] = float(length_km)
        if tunnel_class is not None:
            changes["tunnel_class"] = tunnel_class
        if tbm_count is not None:
            changes["tbm_count"] = int(tbm_count)
        p = replace(params, **changes)
        result = self.run(p)
        base = money.label(money.BASE_CURRENCY, p.base_year)
        typical = float(data.load("tbm_rates").set_index("rate_id").loc["typical_sustained_tbm", "value_m_per_day"])
        rows = [
            (f"tunnel cost, P{percentile:g}", percentiles(result.tunnel, [percentile])[percentile], f"{base} bn"),
            (f"whole link cost, P{percentile:g}", percentiles(result.whole, [percentile])[percentile], f"{base} bn"),
            (f"advance per TBM to finish in {p.years:g} years",
             benchmarks.advance_needed(p.tunnel_km, p.bores, p.tbm_count, p.years, p.boring_share), "m per day"),
            (f"years to bore at the typical {typical:g} m per day",
             benchmarks.years_needed(p.tunnel_km, p.bores, p.tbm_count, typical, p.boring_share), "years"),
        ]
        table = pd.DataFrame(rows, columns=["quantity", "value", "unit"])
        table["value"] = table["value"].round(2)
        table.attrs["params"] = p
        return table


def straight_line_lengths(data_dir=None) -> dict[str, float]:
    """New-line km of :data:`APPROACH_ALIGNMENTS` as straight WGS84 geodesics (a lower bound)."""
    from . import geo

    places, segments = data.load("places", data_dir), data.load("alignment_segments", data_dir)
    seg = geo.segment_lengths(places, segments)
    seg = seg[seg["segment_type"] == "new_land_line"]
    return {name: float(seg.loc[seg["alignment_id"] == alignment, "length_km"].sum())
            for name, alignment in APPROACH_ALIGNMENTS.items()}


# ---------------------------------------------------------------------------------------------
# Figures


def distribution_chart(result: Result, claims: dict[str, float], base_label: str, scenario: str = "baseline"):
    """Histograms (log x) of the tunnel and whole-link cost, P10-P90 shaded, claims marked."""
    import matplotlib.pyplot as plt

    from .style import PALETTE

    fig, axes = plt.subplots(2, 1, figsize=(10, 7.4), sharex=True, layout="constrained")
    all_x = np.concatenate([result.tunnel, result.whole])
    lo, hi = np.percentile(all_x, [0.05, 99.95])
    lo = min(lo, min(claims.values())) / 1.3
    bins = np.geomspace(lo, hi * 1.05, 120)
    label_box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1}
    for ax, (name, x, colour) in zip(axes, (("tunnel alone", result.tunnel, PALETTE["blue"]),
                                            ("whole link (tunnel + approach railways)", result.whole,
                                             PALETTE["green"]))):
        q = percentiles(x)
        counts, edges = np.histogram(x, bins=bins)
        share = 100 * counts / x.size
        ax.stairs(share, edges, fill=True, color=colour, alpha=0.35)
        ax.stairs(share, edges, color=colour, linewidth=1)
        ax.axvspan(q[10], q[90], color=colour, alpha=0.10, zorder=0)
        top = share.max()
        for p, ls, height in ((10, ":", 1.05), (50, "-", 1.05), (80, "--", 1.05), (90, ":", 1.25)):
            ax.axvline(q[p], color=colour, linestyle=ls, linewidth=1.4)
            ax.text(q[p], top * height, f"P{p}: {q[p]:,.0f}", ha="center", va="bottom", fontsize=9,
                    color=colour, bbox=label_box)
        for key, value in claims.items():
            colour_c = PALETTE["vermillion"] if key == "claim_8bn" else PALETTE["black"]
            ax.axvline(value, color=colour_c, linewidth=2, linestyle="--")
            label = "claim: under USD 8 bn" if key == "claim_8bn" else "'traditional' USD 65 bn+"
            ax.text(value, top * (0.75 if key == "claim_8bn" else 0.45),
                    f" {label}\n at P{share_at_or_below(x, value):.1f}", fontsize=9, color=colour_c,
                    ha="left", va="center", bbox=label_box)
        ax.set_ylim(0, top * 1.45)
        ax.set_ylabel("share of draws, %")
        ax.set_title(f"{name}: P10-P90 shaded", loc="left", fontsize=11)
    axes[1].set_xscale("log")
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if lo <= t <= hi * 1.05]
    axes[1].set_xticks(ticks, [f"{t:,}" for t in ticks])
    axes[1].set_xlabel(f"cost, {base_label} bn (log scale). Scenario '{scenario}'; an estimate built on the "
                       "assumptions in data/assumptions.csv")
    fig.set_dpi(benchmarks.INLINE_DPI)
    return fig


def tornado_chart(sens: pd.DataFrame, base_label: str, component_label: str = "whole-link P50"):
    """Horizontal bars: how far each assumption's alternatives move the P50 from the baseline."""
    import matplotlib.pyplot as plt

    from .style import GREY, PALETTE

    base = sens.attrs["baseline_p50"]
    order = list(dict.fromkeys(sens["assumption"]))[::-1]
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(order) + 1.8), layout="constrained")
    span = sens["p50"].max() - sens["p50"].min()
    for i, name in enumerate(order):
        sub = sens[sens["assumption"] == name].sort_values("change")
        same_side = len(sub) > 1 and (np.sign(sub["change"]).nunique() == 1)
        height = 0.6 / len(sub) if same_side else 0.6
        for j, row in enumerate(sub.itertuples(index=False)):
            y = i + ((j - (len(sub) - 1) / 2) * height if same_side else 0)
            colour = PALETTE["vermillion"] if row.change > 0 else PALETTE["blue"]
            ax.barh(y, row.change, left=base, color=colour, alpha=0.8, height=height * 0.92)
            ha = "left" if row.change > 0 else "right"
            ax.text(row.p50 + (0.01 if row.change > 0 else -0.01) * span, y,
                    f"{row.option}: {row.p50:,.0f}", va="center", ha=ha, fontsize=9, color="#333333")
    ax.axvline(base, color=PALETTE["black"], linewidth=1.2)
    ax.text(base, len(order) - 0.3, f"baseline: {base:,.0f}", ha="center", va="bottom", fontsize=9,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(-0.6, len(order) + 0.1)
    lo, hi = sens["p50"].min(), sens["p50"].max()
    ax.set_xlim(min(lo, base) - 0.45 * span, max(hi, base) + 0.45 * span)
    ax.set_xlabel(f"{component_label}, {base_label} bn")
    ax.grid(axis="y", visible=False)
    ax.text(0.0, -0.12 if len(order) > 6 else -0.2, "assumptions varied one at a time; other inputs at baseline",
            transform=ax.transAxes, fontsize=9, color=GREY)
    fig.set_dpi(benchmarks.INLINE_DPI)
    return fig


# ---------------------------------------------------------------------------------------------
# Widgets


_WIDGET_IDS = itertools.count(1)


def estimate_widget(model: Model, params: Params, percentile_options=(10, 20, 30, 40, 50, 60, 70, 80, 90),
                    max_tbms: int = 18):
    """ipywidgets controls (length, reference class, percentile, TBM count) wired to :meth:`Model.estimate`.

    Built with ``widgets.interactive_output``. Its first call, made while the cell executes, is
    skipped on purpose: the notebook shows the baseline with a plain call above, and output
    printed at execution would be stored by a notebook runner but seen as a cell output by
    strict nbval. Every later change of a control recomputes the table.
    """
    import ipywidgets as widgets
    from IPython.display import display

    style = {"description_width": "initial"}
    controls = {
        "length_km": widgets.FloatSlider(value=params.tunnel_km, min=50, max=150, step=1,
                                         description="tunnel length (km)", style=style),
        "tunnel_class": widgets.Dropdown(options=list(benchmarks.TUNNEL_CLASSES), value=params.tunnel_class,
                                         description="reference class", style=style),
        "percentile": widgets.SelectionSlider(options=list(percentile_options), value=50,
                                              description="percentile (P)", style=style),
        "tbm_count": widgets.IntSlider(value=params.tbm_count, min=1, max=max_tbms,
                                       description="TBMs at once", style=style),
    }
    calls = []

    def show(**kwargs):
        if not calls:
            calls.append(kwargs)
            return
        display(model.estimate(params, **kwargs))

    view = widgets.interactive_output(show, controls)
    note = widgets.Label("Move a control to recompute (200,000 draws); the table above is the stored baseline.")
    # The box's model id is the only id a stored notebook keeps; a counter instead of a random
    # id makes a fresh kernel write the same bytes on every run (and stays unique within one).
    return widgets.VBox([widgets.HBox([controls["length_km"], controls["tunnel_class"]]),
                         widgets.HBox([controls["percentile"], controls["tbm_count"]]), note, view],
                        model_id=f"bering-estimate-widget-{next(_WIDGET_IDS)}")
