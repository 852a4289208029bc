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

import copy
import functools
import hashlib
import math
import os
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import SEED, benchmarks, data, money
from .results import ContentCache as _ContentCache
from .results import content_key as _content_key

#: Percentiles reported everywhere.
PERCENTILES = (10, 50, 80, 90)
#: Environment variable naming the scenario a notebook run uses.
SCENARIO_ENV = "BERING_SCENARIO"
COST_MODELS = ("lognormal", "resample")
OVERRUN_MODELS = ("lognormal", "normal")
#: How the parameter uncertainty of a small class enters the draws (see :func:`draw_log_costs`).
UNCERTAINTY = ("t", "bootstrap", "none")
#: Reference classes of data/reference_overruns.csv usable for an overrun.
OVERRUN_CLASSES = ("fixed links (bridges and tunnels)", "rail", "roads", "all transport projects")

#: How the coded assumptions of data/assumptions.csv map to parameter values.
CODES = {
    "tunnel_cost_class": {1: "rail_tunnels", 2: "undersea_tunnels", 3: "fixed_links"},
    "approach_cost_class": {0: None, 1: "remote_rail", 2: "remote_rail_asia", 3: "remote_rail_alaska"},
    "cost_per_km_lognormal": {1: "lognormal", 0: "resample"},
    "overrun_lognormal": {1: "lognormal", 0: "normal"},
    "tunnel_overrun_class": {1: "fixed links (bridges and tunnels)", 2: "rail"},
    "approach_overrun_class": {1: "fixed links (bridges and tunnels)", 2: "rail"},
    "cost_parameter_uncertainty": {1: "t", 2: "bootstrap", 0: "none"},
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
    "segment_cost_correlation": "correlation",
    "cost_parameter_uncertainty": "uncertainty",
    "remote_site_premium": "premium",
}
#: Alignments (data/alignment_segments.csv) whose new-line km the approach lengths measure.
APPROACH_ALIGNMENTS = {"russia_km": "ru_lena_uelen_line", "alaska_km": "us_fairbanks_nome_line"}
#: Sides of :func:`bering.route.missing_links` -> Params field.
ROUTE_SIDES = {"Russia": "russia_km", "Alaska": "alaska_km"}
#: The crossing whose portals the approach lines reach (data/alignments.csv).
CROSSING_ALIGNMENT = "putin_trump_2025"
#: Scope of the whole-link estimate, in the vocabulary of project_costs.scope.
WHOLE_LINK_SCOPE = "crossing_and_approaches"
TUNNEL_SCOPE = "tunnel"
#: The earlier figure the 'traditional' USD 65 bn repeats (data/project_costs.csv), read at its own price year.
CLAIM_65BN_ORIGIN = "bering_2007_est_65"


@dataclass(frozen=True)
class Params:
    """Every input of the estimate. Lengths in km, money in US dollars of ``base_year``.

    ``approach_class`` None means each approach segment uses the class data/link_segments.csv
    gives it; a class name puts every approach segment in that class. ``na_km`` is the Alaska -
    Canada connection to the North American network (0 leaves it out).
    """

    tunnel_km: float
    years: float
    russia_km: float
    alaska_km: float
    na_km: float = 0.0
    tunnel_class: str = "rail_tunnels"
    approach_class: str | None = None
    cost_model: str = "lognormal"
    overrun_model: str = "lognormal"
    tunnel_overrun: str = "fixed links (bridges and tunnels)"
    approach_overrun: str = "rail"
    overrun_applied: bool = False
    correlation: float = 0.5
    uncertainty: str = "t"
    premium: float = 1.0
    bores: int = 3
    tbm_count: int = 6
    boring_share: float = 1.0
    tunnel_per_bore: bool = True
    uplift_estimates: bool = True
    draws: int = 1_000_000
    seed: int = SEED
    method: str = "fx_then_deflate"
    base_year: int = money.BASE_YEAR

    def __post_init__(self):
        for name in ("tunnel_km", "years"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        for name in ("russia_km", "alaska_km", "na_km"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number of km, zero or more, got {value!r}")
        known = benchmarks.class_ids()
        _check_choice("tunnel_class", self.tunnel_class, known)
        if self.approach_class is not None:
            _check_choice("approach_class", self.approach_class, known)
        _check_choice("cost_model", self.cost_model, COST_MODELS)
        _check_choice("overrun_model", self.overrun_model, OVERRUN_MODELS)
        _check_choice("tunnel_overrun", self.tunnel_overrun, OVERRUN_CLASSES)
        _check_choice("approach_overrun", self.approach_overrun, OVERRUN_CLASSES)
        _check_choice("method", self.method, money.METHODS)
        _check_choice("uncertainty", self.uncertainty, UNCERTAINTY)
        if not 0 <= self.correlation < 1:
            raise ValueError(f"correlation must be in [0, 1), got {self.correlation!r}")
        if not (math.isfinite(self.premium) and self.premium >= 1):
            raise ValueError(f"premium is a multiplier of at least 1, got {self.premium!r}")
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
    "baseline": ("unit-cost benchmarking on outturns, no second overrun factor; values in data/assumptions.csv", {}),
    "stress": (
        "STRESS TEST: an overrun ratio multiplied on top of benchmark outturns (counts the overrun twice)",
        {"overrun_applied": True},
    ),
    "no_correlation": ("tunnel and approach-line costs drawn independently (correlation 0)", {"correlation": 0.0}),
    "fx_then_deflate": (
        "prices restated at the price year's exchange rate, then US CPI (the baseline method)",
        {"method": "fx_then_deflate"},
    ),
    "deflate_then_fx": (
        "prices restated with each country's own price index, then the exchange rate "
        "(at the last year every index covers, then US CPI to the base year)",
        {"method": "deflate_then_fx"},
    ),
    "no_parameter_uncertainty": (
        "the class's fitted lognormal taken as known (no t-interval)",
        {"uncertainty": "none"},
    ),
    "bootstrap": (
        "parameter uncertainty by bootstrapping the class instead of the t-interval",
        {"uncertainty": "bootstrap"},
    ),
    # per km of route: only one undersea tunnel, and no fixed link beyond the rail tunnels, has sourced bores
    "undersea_tunnels": (
        "tunnel cost per km of route from the undersea tunnels only",
        {"tunnel_class": "undersea_tunnels", "tunnel_per_bore": False},
    ),
    "all_fixed_links": (
        "tunnel cost per km of route from every costed fixed link",
        {"tunnel_class": "fixed_links", "tunnel_per_bore": False},
    ),
    "per_route_km": (
        "tunnel cost per km of route from every tunnel of the class, whatever its number of bores "
        "(the baseline draws per km of bore, times the assumed bores)",
        {"tunnel_per_bore": False},
    ),
    "estimates_as_stated": (
        "class members whose cost is an estimate taken as stated, without the class's overrun uplift",
        {"uplift_estimates": False},
    ),
}


def scenario_name(default: str = "baseline") -> str:
    """The scenario to run: ``$BERING_SCENARIO`` if set, else ``default``; unknown names are an error."""
    name = os.environ.get(SCENARIO_ENV) or default
    if name not in SCENARIOS:
        raise ValueError(
            f"unknown scenario '{name}' (from {SCENARIO_ENV} or the notebook); use one of: {', '.join(SCENARIOS)}"
        )
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


def draw_ratio(
    rng: np.random.Generator, n: int, mean_pct: float, sd_pct: float, model: str = "lognormal"
) -> np.ndarray:
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
class Segment:
    """One part of the link: its length, the cost per km sample it draws from, and its options.

    ``overrun`` is ``(mean %, SD %)`` of an overrun ratio multiplied on top (the ``stress``
    scenario only), else ``None``; ``premium`` multiplies the drawn cost (1 = none).
    """

    name: str
    km: float
    values: np.ndarray  # cost per km of the segment's class, USD million per km
    overrun: tuple[float, float] | None = None
    premium: float = 1.0


@dataclass(frozen=True)
class Inputs:
    """What one simulation needs, as numbers: the segments (the first is the tunnel) and the options.

    ``correlation`` is the pairwise correlation of the standard normals behind every segment's
    cost per km draw (and, separately, behind their overrun draws): a one-factor model, so a dear
    tunnel comes with dear approach lines as often as the stated value says. ``uncertainty``
    says how the small class's parameter uncertainty enters (:func:`draw_log_costs`).
    """

    segments: tuple[Segment, ...]
    cost_model: str = "lognormal"
    overrun_model: str = "lognormal"
    correlation: float = 0.0
    uncertainty: str = "t"

    def __post_init__(self):
        if not self.segments:
            raise ValueError("a simulation needs at least one segment (the tunnel)")
        if not 0 <= self.correlation < 1:
            raise ValueError(f"correlation must be in [0, 1), got {self.correlation!r}")
        _check_choice("uncertainty", self.uncertainty, UNCERTAINTY)


@dataclass(frozen=True)
class Result:
    """Draws in billion US dollars (of the run's base year), per segment; ``tunnel``, ``approach``, ``whole``."""

    parts: dict
    tunnel: np.ndarray = field(init=False)
    approach: np.ndarray = field(init=False)
    whole: np.ndarray = field(init=False)

    def __post_init__(self):
        names = list(self.parts)
        object.__setattr__(self, "tunnel", self.parts[names[0]])
        rest = [self.parts[n] for n in names[1:]]
        object.__setattr__(self, "approach", np.sum(rest, axis=0) if rest else np.zeros_like(self.tunnel))
        object.__setattr__(self, "whole", self.tunnel + self.approach)


def correlated_normals(factor: np.ndarray, own: np.ndarray, correlation: float) -> np.ndarray:
    """sqrt(rho) x common factor + sqrt(1 - rho) x own noise: standard normals with pairwise correlation rho."""
    return math.sqrt(correlation) * factor + math.sqrt(1 - correlation) * own


def draw_log_costs(rng: np.random.Generator, z: np.ndarray, values, uncertainty: str = "t") -> np.ndarray:
    """Draws of log cost per km from a small class, driven by the standard normals ``z``.

    With ``m`` and ``s`` the mean and SD (ddof=1) of the ``n`` logs:

    ``none``: ``m + s z`` (the fitted lognormal taken as known);
    ``t``: ``m + s sqrt(1 + 1/n) z / sqrt(chi2 / (n - 1))``, chi2 with n - 1 degrees of freedom:
    the predictive Student-t of a new value when the mean and SD are estimated from ``n``;
    ``bootstrap``: each draw refits ``m*`` and ``s*`` to a resample of the class, then ``m* + s* z``.
    """
    _check_choice("uncertainty", uncertainty, UNCERTAINTY)
    logs = np.log(np.asarray(values, dtype=float))
    n = logs.size
    if n == 1 or np.all(logs == logs[0]):
        return np.full(z.size, logs[0])
    m, s = logs.mean(), logs.std(ddof=1)
    if uncertainty == "none":
        return m + s * z
    if uncertainty == "t":
        chi2 = rng.chisquare(n - 1, z.size)
        return m + s * math.sqrt(1 + 1 / n) * z / np.sqrt(chi2 / (n - 1))
    sample = logs[rng.integers(0, n, (z.size, n))]
    return sample.mean(axis=1) + sample.std(axis=1, ddof=1) * z


def _cost_per_km(rng, z, values, cost_model, uncertainty) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.size == 0 or not np.all(np.isfinite(values)) or (values <= 0).any():
        raise ValueError("cost per km values must be a non-empty sample of positive numbers")
    _check_choice("cost model", cost_model, COST_MODELS)
    if values.size == 1 or np.all(values == values[0]):
        return np.full(z.size, values[0])
    if cost_model == "resample":
        from .benchmarks import normal_cdf

        idx = np.minimum((normal_cdf(z) * values.size).astype(int), values.size - 1)
        return values[idx]
    # a class of two gives a t with one degree of freedom (Cauchy tails): clip the log so that no
    # draw overflows to infinity; percentiles are unaffected
    return np.exp(np.clip(draw_log_costs(rng, z, values, uncertainty), -700.0, 700.0))


def _ratio_from_z(z: np.ndarray, mean_pct: float, sd_pct: float, model: str) -> np.ndarray:
    """Overrun ratio draws (as :func:`draw_ratio`) from given standard normals; normal ratios floored at 1 %."""
    mean, sd = 1 + mean_pct / 100, sd_pct / 100
    if sd == 0:
        return np.full(z.size, mean)
    if model == "lognormal":
        mu, sigma = lognormal_from_moments(mean, sd)
        return np.exp(mu + sigma * z)
    return np.maximum(mean + sd * z, 0.01)


def simulate(inputs: Inputs, draws: int, seed: int = SEED) -> Result:
    """Run the Monte Carlo. Streams: one common factor for costs, one for overruns, then per
    segment its own cost, parameter and overrun streams, so adding a segment or changing one
    segment's inputs leaves the others' own draws unchanged."""
    if isinstance(draws, bool) or int(draws) != draws or draws < 1:
        raise ValueError(f"draws must be a whole number of at least 1, got {draws!r}")
    n = int(draws)
    root = np.random.default_rng(seed)
    s_cost_factor, s_over_factor = root.spawn(2)
    cost_factor = s_cost_factor.standard_normal(n)
    over_factor = s_over_factor.standard_normal(n)
    parts = {}
    for i, seg in enumerate(inputs.segments):
        s_cost, s_param, s_over = np.random.default_rng([seed, i + 1]).spawn(3)
        if seg.km <= 0:
            parts[seg.name] = np.zeros(n)
            continue
        z = correlated_normals(cost_factor, s_cost.standard_normal(n), inputs.correlation)
        cost = seg.km * _cost_per_km(s_param, z, seg.values, inputs.cost_model, inputs.uncertainty) / 1000
        if seg.overrun is not None:
            _check_choice("overrun model", inputs.overrun_model, OVERRUN_MODELS)
            zo = correlated_normals(over_factor, s_over.standard_normal(n), inputs.correlation)
            cost = cost * _ratio_from_z(zo, *seg.overrun, model=inputs.overrun_model)
        parts[seg.name] = cost * seg.premium
    return Result(parts)


#: Recent simulations by the digest of their numeric inputs (see :func:`simulate_shared`), bounded by
#: the bytes of their draws (a run of 400,000 draws over six segments holds about 20 MB).
_SIMULATED: OrderedDict[bytes, Result] = OrderedDict()
_SIMULATED_MAX_BYTES = 256 * 2**20


def _result_bytes(result: Result) -> int:
    return sum(a.nbytes for a in (*result.parts.values(), result.approach, result.whole))


def inputs_digest(inputs: Inputs, draws: int, seed: int) -> bytes:
    """A digest of everything :func:`simulate` reads: two runs with the same digest draw the same numbers."""
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((inputs.cost_model, inputs.overrun_model, inputs.correlation, inputs.uncertainty)).encode())
    h.update(repr((int(draws), seed)).encode())
    for seg in inputs.segments:
        values = np.ascontiguousarray(seg.values, dtype=float)
        h.update(repr((seg.name, float(seg.km), seg.overrun, float(seg.premium), values.size)).encode())
        h.update(values.tobytes())
    return h.digest()


def simulate_shared(inputs: Inputs, draws: int, seed: int = SEED) -> Result:
    """:func:`simulate`, sharing the draws between runs whose inputs are the same.

    Model scenarios and assumption variants often come down to the same numeric inputs (the
    ``fx_then_deflate`` scenario is the baseline; an assumption the cost model does not read leaves
    every run as it was): such runs are simulated once. The arrays of a shared result are read-only.
    """
    key = inputs_digest(inputs, draws, seed)
    hit = _SIMULATED.get(key)
    if hit is not None:
        _SIMULATED.move_to_end(key)
        return hit
    result = simulate(inputs, draws, seed)
    for array in (*result.parts.values(), result.approach, result.whole):
        array.flags.writeable = False
    _SIMULATED[key] = result
    while len(_SIMULATED) > 1 and sum(map(_result_bytes, _SIMULATED.values())) > _SIMULATED_MAX_BYTES:
        _SIMULATED.popitem(last=False)
    return result


def summary(result: Result, base_label: str = money.label()) -> pd.DataFrame:
    """P10, P50, P80 and P90 of the tunnel, the approach lines and the whole link (bn).

    No mean: with a class of three or four the predictive Student-t of the logs has two or three
    degrees of freedom, and the mean of its exponential does not exist (a sample mean of the draws
    is set by a handful of clipped extremes). Percentiles are well defined.
    """
    rows = []
    for name, x in (("tunnel", result.tunnel), ("approach lines", result.approach), ("whole link", result.whole)):
        row = {"component": name, "unit": f"{base_label} bn"}
        row.update({f"P{p}": v for p, v in percentiles(x).items()})
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Inputs from the data


def approach_lengths(data_dir=None) -> dict[str, float]:
    """New rail km on each side, from the railhead to the tunnel portal, computed by :mod:`bering.route`.

    The same calculation as notebook 02's ``new_rail_russia_km`` and ``new_rail_alaska_km``
    (:func:`bering.route.missing_links` with the assumed route factor), called directly so no
    result is read back from ``figures/``.
    """
    from . import route

    places, segments = data.load("places", data_dir), data.load("alignment_segments", data_dir)
    lengths = route.load_published_lengths(data_dir)
    factor = route.assumption_value(route.ASSUMPTION_ROUTE_FACTOR, data_dir)
    links = route.missing_links(places, segments, lengths, CROSSING_ALIGNMENT, factor)
    side_km = links.groupby("side")["length_km"].sum()
    return {name: float(side_km[side]) for side, name in ROUTE_SIDES.items()}


def link_segments(data_dir=None) -> pd.DataFrame:
    """The whole link's segments with their km resolved: :func:`bering.route.link_segments` (one source
    of the new-construction lengths for notebooks 02, 03 and 06)."""
    from . import route

    return route.link_segments(data_dir)


def tunnel_per_bore_values(table: pd.DataFrame, name: str, classes: dict, bores: int) -> np.ndarray:
    """Cost per km of route of a ``bores``-bore tunnel, from the class members' cost per km of bore.

    Only members whose bores are sourced enter (cost per bore-km = cost / (tunnelled km x bores));
    each is multiplied by ``bores``, so tunnels of two and three bores are compared like with like.
    """
    benchmarks.class_values(table, name, classes)  # the class's scope check
    rows = table.set_index("project_id").loc[list(classes[name][1]), "usd_m_per_bore_km"].astype(float).dropna()
    if rows.empty:
        raise ValueError(f"reference class '{name}' has no tunnel whose bores are sourced")
    return rows.to_numpy(float) * int(bores)


class Model:
    """The data behind the estimate, and the functions that turn :class:`Params` into results."""

    def __init__(
        self,
        projects: pd.DataFrame,
        costs: pd.DataFrame,
        overrun_refs: pd.DataFrame,
        conv: money.Money,
        segments: pd.DataFrame,
        data_dir=None,
    ):
        self.projects, self.costs, self.overrun_refs = projects, costs, overrun_refs
        self.conv, self.segments, self.data_dir = conv, segments, data_dir
        self.classes = benchmarks.classes(projects, benchmarks.reference_classes(data_dir))
        km = segments.groupby("part_of")["km"].sum()
        self.approach_km = {name: float(km.get(name, 0.0)) for name in ("russia_km", "alaska_km", "na_km")}
        self._tables: dict[tuple[str, int, float], pd.DataFrame] = {}
        # per model (its frames are its inputs): overrun statistics by class, a segment's sample by
        # what selects it; both are looked up for every run of every scenario
        self._overruns: dict[str, tuple[float, float, list[str]]] = {}
        self._values: dict[tuple, np.ndarray] = {}

    @classmethod
    def from_data(cls, data_dir=None) -> "Model":
        projects, costs = benchmarks.load(data_dir)
        return cls(
            projects,
            costs,
            data.load("reference_overruns", data_dir),
            money.Money.from_data(data_dir),
            link_segments(data_dir),
            data_dir,
        )

    # -- lookups -------------------------------------------------------------------------------

    def table(
        self, method: str = "fx_then_deflate", base_year: int = money.BASE_YEAR, uplift: float = 1.0
    ) -> pd.DataFrame:
        """Cost per km of every benchmark project (cached per conversion method, year and uplift).

        ``uplift`` multiplies the estimate rows (:func:`bering.benchmarks.per_km_rows`); 1 shows the
        figures as stated.
        """
        key = (method, base_year, float(uplift))
        if key not in self._tables:
            self._tables[key] = benchmarks.cost_per_km(
                self.projects, self.costs, self.conv, method, base_year, classes=self.classes, uplift=uplift
            )
        return self._tables[key]

    def uplift(self, params: Params, overrun_class: str) -> float:
        """Outturn / estimate ratio put on the estimate-basis members of a class: 1 + the mean overrun of
        ``overrun_class`` (data/reference_overruns.csv) when ``params.uplift_estimates``, else 1."""
        return 1 + self.overrun_stats(overrun_class)[0] / 100 if params.uplift_estimates else 1.0

    def tunnel_members(self, params: Params) -> list[str]:
        """The tunnel class's members that the draw uses: those with sourced bores when drawing per bore-km."""
        ids = list(self.classes[params.tunnel_class][1])
        if not params.tunnel_per_bore:
            return ids
        # which members have sourced bores does not depend on the price method; the default method
        # reaches every base year (deflate_then_fx stops at the last year every local index covers)
        bored = self.table("fx_then_deflate", params.base_year).set_index("project_id")["usd_m_per_bore_km"]
        return [i for i in ids if pd.notna(bored.get(i))]

    def overrun_stats(self, reference_class: str) -> tuple[float, float, list[str]]:
        """Mean and SD of the cost overrun (percent) of a class, and the rows they come from."""
        if reference_class not in self._overruns:
            self._overruns[reference_class] = self._overrun_stats(reference_class)
        mean, sd, ids = self._overruns[reference_class]
        return mean, sd, list(ids)

    def _overrun_stats(self, reference_class: str) -> tuple[float, float, list[str]]:
        refs = self.overrun_refs[self.overrun_refs["reference_class"] == reference_class]
        picked = {}
        for stat in ("mean cost overrun", "standard deviation of cost overrun"):
            hit = refs[refs["statistic"] == stat]
            if len(hit) != 1:
                raise ValueError(
                    f"expected one '{stat}' row for '{reference_class}' in reference_overruns, found {len(hit)}"
                )
            picked[stat] = hit.iloc[0]
        mean, sd = picked["mean cost overrun"], picked["standard deviation of cost overrun"]
        return float(mean["value"]), float(sd["value"]), [mean["reference_id"], sd["reference_id"]]

    def under_budget_table(
        self, classes=("rail", "fixed links (bridges and tunnels)", "all transport projects")
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
            share = refs[
                (refs["reference_class"] == cls) & (refs["statistic"] == "share of projects with cost overrun")
            ]
            row["published: under budget (%)"] = 100 - float(share["value"].iloc[0]) if len(share) else float("nan")
            rows.append(row)
        return pd.DataFrame(rows)

    def compare_year(self) -> int:
        """Last year both conversion methods can reach for every benchmark currency."""
        used = self.costs["cost_id"].isin(list(benchmarks.per_km_rules(self.costs)))
        return benchmarks.local_index_end(self.conv, self.costs.loc[used, "currency"])

    def claim(self) -> dict[str, float]:
        """The October 2025 claim (length, years, USD 2025 bn figures)."""
        return benchmarks.claim(self.projects, self.costs, self.conv)

    # -- parameters ----------------------------------------------------------------------------

    def baseline(self, data_dir=None) -> Params:
        """The baseline: the claim's length and years, the route's approach lengths, data/assumptions.csv."""
        data_dir = self.data_dir if data_dir is None else data_dir
        claim = self.claim()
        values = {"tunnel_km": claim["length_km"], "years": claim["years"], **self.approach_km}
        assumptions = data.assumption_values(ASSUMPTION_FIELDS, data_dir)
        for aid, name in ASSUMPTION_FIELDS.items():
            value = assumptions[aid]
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

    def _segment_parts(self) -> tuple[dict, list]:
        """The link's segment rows by approach part with each part's total km, and all rows (read once
        per model: every run of every scenario needs them)."""
        if getattr(self, "_parts", None) is None:
            parts = {}
            for part in ("russia_km", "alaska_km", "na_km"):
                rows = self.segments[self.segments["part_of"] == part]
                parts[part] = (list(rows.itertuples(index=False)), float(rows["km"].sum()))
            self._parts = (parts, list(self.segments.itertuples(index=False)))
        return self._parts

    def _segment_rows(self, params: Params) -> list[tuple[str, float, str, str]]:
        """(segment_id, km, cost class, overrun class) for every segment of the link under ``params``."""
        km_of = {"tunnel_km": params.tunnel_km}
        shares = {}
        parts, all_rows = self._segment_parts()
        for part, (rows, total) in parts.items():
            for row in rows:
                # a Params length that differs from the data's is spread over the part's segments pro rata
                shares[row.segment_id] = getattr(params, part) * (row.km / total if total > 0 else 1 / len(rows))
        out = []
        for row in all_rows:
            if row.part_of == "tunnel_km":
                out.append((row.segment_id, km_of["tunnel_km"], params.tunnel_class, params.tunnel_overrun))
            else:
                cls = params.approach_class or row.cost_class
                out.append((row.segment_id, shares[row.segment_id], cls, params.approach_overrun))
        return out

    def inputs(self, params: Params, year: int | None = None) -> Inputs:
        """The numeric inputs that ``params`` selects (cost per km in US dollars of ``year``, default the base year)."""
        year = params.base_year if year is None else year
        segs = []
        for i, (sid, km, cls, over_cls) in enumerate(self._segment_rows(params)):
            over = self.overrun_stats(over_cls)[:2] if params.overrun_applied else None
            # estimate-basis members go on an outturn basis with the segment's own overrun class
            segs.append(
                Segment(
                    sid,
                    km,
                    self._class_sample(params, year, over_cls, cls, i == 0),
                    over,
                    1.0 if i == 0 else params.premium,
                )
            )
        return Inputs(
            tuple(segs),
            cost_model=params.cost_model,
            overrun_model=params.overrun_model,
            correlation=params.correlation,
            uncertainty=params.uncertainty,
        )

    def _class_sample(self, params: Params, year: int, over_cls: str, cls: str, tunnel: bool) -> np.ndarray:
        """The cost per km sample a segment draws from (read-only; kept per model by what selects it)."""
        uplift = self.uplift(params, over_cls)
        per_bore = tunnel and params.tunnel_per_bore
        key = (params.method, year, float(uplift), cls, per_bore, int(params.bores) if per_bore else None)
        if key not in self._values:
            table = self.table(params.method, year, uplift)
            values = (
                tunnel_per_bore_values(table, cls, self.classes, params.bores)
                if per_bore
                else benchmarks.class_values(table, cls, self.classes)
            )
            values = np.array(values, dtype=float)
            values.flags.writeable = False
            self._values[key] = values
        return self._values[key]

    def run(self, params: Params) -> Result:
        """Simulate ``params``.

        The ``deflate_then_fx`` method can only restate to the last year every local price index
        covers (:meth:`compare_year`); the amounts are restated to that year and brought on to the
        base year with the US CPI, the last step the default method also takes.
        """
        if params.method == "deflate_then_fx":
            year = min(self.compare_year(), params.base_year)
            bridge = self.conv.convert(1.0, money.BASE_CURRENCY, year, to_year=params.base_year)
            result = simulate_shared(self.inputs(params, year), params.draws, params.seed)
            return Result({k: v * float(bridge) for k, v in result.parts.items()})
        return simulate_shared(self.inputs(params), params.draws, params.seed)

    def assumption_table(self, params: Params) -> pd.DataFrame:
        """Every input of the estimate in one table: value, unit, where it comes from, source."""
        table = self.table(params.method, params.base_year)
        base = money.label(money.BASE_CURRENCY, params.base_year)

        def members(name):
            ids = self.classes[name][1]
            names = table.set_index("project_id").loc[list(ids), "name"].str.split(" \\(").str[0]
            return "; ".join(names), ";".join(
                dict.fromkeys(s for i in ids for s in table.set_index("project_id").loc[i, "source_id"].split(";"))
            )

        def overrun(cls):
            mean, sd, ids = self.overrun_stats(cls)
            srcs = self.overrun_refs.set_index("reference_id").loc[ids, "source_id"]
            return f"{cls}: mean {mean:g} %, SD {sd:g} %", ";".join(dict.fromkeys(srcs))

        t_members, t_src = members(params.tunnel_class)
        rows = [
            ("tunnel length", f"{params.tunnel_km:g}", "km", "claim (data/megaprojects.csv)", "independent_2025_10_17"),
            (
                "promised construction time",
                f"{params.years:g}",
                "years",
                "claim (data/megaprojects.csv)",
                "independent_2025_10_17",
            ),
            (
                "tunnel cost-per-km class",
                f"{params.tunnel_class}: {t_members}",
                f"{base} million per km",
                "assumption tunnel_cost_class; rows with project_costs.per_km_use",
                t_src,
            ),
            (
                "tunnel cost drawn per",
                f"km of bore x {params.bores} bores" if params.tunnel_per_bore else "km of route",
                "",
                "method (montecarlo.Params.tunnel_per_bore; docs/cost_method.md)",
                "",
            ),
            (
                "estimate-basis class members",
                (
                    f"uplifted by the mean overrun of their segment's class ({params.tunnel_overrun}: "
                    f"{self.overrun_stats(params.tunnel_overrun)[0]:g} %; {params.approach_overrun}: "
                    f"{self.overrun_stats(params.approach_overrun)[0]:g} %)"
                    if params.uplift_estimates
                    else "taken as stated"
                ),
                "percent",
                "method (montecarlo.Params.uplift_estimates); data/reference_overruns.csv",
                ";".join(
                    dict.fromkeys(
                        self.overrun_refs.set_index("reference_id").loc[self.overrun_stats(c)[2][0], "source_id"]
                        for c in (params.tunnel_overrun, params.approach_overrun)
                    )
                )
                if params.uplift_estimates
                else "",
            ),
            ("cost-per-km distribution", params.cost_model, "", "assumption cost_per_km_lognormal", ""),
            (
                "parameter uncertainty of the small classes",
                params.uncertainty,
                "",
                "assumption cost_parameter_uncertainty",
                "",
            ),
            (
                "correlation between segments' costs",
                f"{params.correlation:g}",
                "",
                "assumption segment_cost_correlation",
                "",
            ),
            (
                "overrun applied on top of benchmark outturns",
                "yes (stress test)" if params.overrun_applied else "no",
                "",
                "assumption overrun_applied",
                "",
            ),
        ]
        if params.overrun_applied:
            t_over, t_over_src = overrun(params.tunnel_overrun)
            a_over, a_over_src = overrun(params.approach_overrun)
            rows += [
                (
                    "tunnel overrun (outturn / estimate - 1)",
                    t_over,
                    "percent",
                    "assumption tunnel_overrun_class; data/reference_overruns.csv",
                    t_over_src,
                ),
                (
                    "approach-line overrun",
                    a_over,
                    "percent",
                    "assumption approach_overrun_class; data/reference_overruns.csv",
                    a_over_src,
                ),
                ("overrun distribution", params.overrun_model, "", "assumption overrun_lognormal", ""),
            ]
        for sid, km, cls, _ in self._segment_rows(params)[1:]:
            seg = self.segments.set_index("segment_id").loc[sid]
            names, src = members(cls)
            rows.append(
                (
                    f"segment: {seg['name']}",
                    f"{km:,.0f} km; {cls}: {names}",
                    f"km; {base} million per km",
                    f"data/link_segments.csv ({seg['length_from']})",
                    ";".join(dict.fromkeys(s for s in (seg["source_id"], src) if s)),
                )
            )
        rows += [
            (
                "remote-site premium on approach lines",
                f"{params.premium:g}",
                "multiplier",
                "assumption remote_site_premium",
                "",
            ),
            ("parallel bores", f"{params.bores}", "count", "assumption tunnel_bores", ""),
            ("TBMs working at once", f"{params.tbm_count}", "count", "assumption tbm_count", ""),
            (
                "share of the schedule spent boring",
                f"{params.boring_share:g}",
                "fraction",
                "assumption boring_share_of_schedule",
                "",
            ),
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
            (
                "tunnel cost class",
                "undersea tunnels (per route-km)",
                {"tunnel_class": "undersea_tunnels", "tunnel_per_bore": False},
            ),
            (
                "tunnel cost class",
                "all fixed links (per route-km)",
                {"tunnel_class": "fixed_links", "tunnel_per_bore": False},
            ),
            ("cost-per-km distribution", "resample the class", {"cost_model": "resample"}),
            ("parameter uncertainty", "none (fit taken as known)", {"uncertainty": "none"}),
            ("parameter uncertainty", "bootstrap", {"uncertainty": "bootstrap"}),
            ("overrun on top of outturns (stress)", "applied", {"overrun_applied": True}),
            ("tunnel cost drawn per", "km of route (every member)", {"tunnel_per_bore": False}),
            ("tunnel cost drawn per", "km of bore x bores", {"tunnel_per_bore": True}),
            ("estimate-basis class members", "taken as stated (no uplift)", {"uplift_estimates": False}),
            ("segment cost correlation", "0 (independent)", {"correlation": 0.0}),
            ("segment cost correlation", "0.9", {"correlation": 0.9}),
            ("tunnel length", f"{alt_km:g} km (2007 plan)", {"tunnel_km": alt_km}),
            ("approach cost class", "Russia and China lines", {"approach_class": "remote_rail_asia"}),
            ("Alaska - Canada connection", "left out (stops at Fairbanks)", {"na_km": 0.0}),
            ("price conversion", f"deflate_then_fx (ratio at {self.compare_year()})", {"method": "deflate_then_fx"}),
        ]
        straight = straight_line_lengths(self.data_dir)
        if any(abs(straight[k] - getattr(params, k)) > 1 for k in straight):
            out.append(("approach line lengths", "straight lines (lower bound)", straight))
        return [(a, o, c) for a, o, c in out if any(getattr(params, k) != v for k, v in c.items())]

    def sensitivity(self, params: Params, draws: int = 200_000, component: str = "whole") -> pd.DataFrame:
        """P50 of ``component`` (tunnel, approach or whole) under each variant, and its change.

        Every variant uses the same seed and its own random streams, so a difference is the
        effect of the change alone (the price-conversion variant restates as :meth:`run` says).
        """
        _check_choice("component", component, ("tunnel", "approach", "whole"))
        small = replace(params, draws=draws)

        def p50(p):
            return percentiles(getattr(self.run(p), component), [50])[50]

        base = p50(small)
        rows = []
        for assumption, option, changes in self.variants(params):
            value = p50(replace(small, **changes))
            rows.append(
                {
                    "assumption": assumption,
                    "option": option,
                    "p50": value,
                    "change": value - base,
                    "change_pct": 100 * (value / base - 1),
                }
            )
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
            rows.append(
                {
                    "scenario": name,
                    "what changes": description,
                    "tunnel P50": t[50],
                    "tunnel P90": t[90],
                    "whole link P50": w[50],
                    "whole link P90": w[90],
                }
            )
        return pd.DataFrame(rows)

    # -- interactive estimate -------------------------------------------------------------------

    def estimate(
        self,
        params: Params,
        length_km: float | None = None,
        tunnel_class: str | None = None,
        percentile: float = 50,
        tbm_count: int | None = None,
        draws: int = 200_000,
    ) -> pd.DataFrame:
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
        ref = benchmarks.reference_rate(data.load("tbm_rates", self.data_dir))
        typical = float(ref["value_m_per_day"])
        rows = [
            (f"tunnel cost, P{percentile:g}", percentiles(result.tunnel, [percentile])[percentile], f"{base} bn"),
            (f"whole link cost, P{percentile:g}", percentiles(result.whole, [percentile])[percentile], f"{base} bn"),
            (
                f"advance per TBM to finish in {p.years:g} years (m per calendar day)",
                benchmarks.advance_needed(p.tunnel_km, p.bores, p.tbm_count, p.years, p.boring_share),
                "m per day",
            ),
            (
                f"years to bore at {typical:g} m per calendar day ({ref['chart_label']})",
                benchmarks.years_needed(p.tunnel_km, p.bores, p.tbm_count, typical, p.boring_share),
                "years",
            ),
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
    return {
        name: float(seg.loc[seg["alignment_id"] == alignment, "length_km"].sum())
        for name, alignment in APPROACH_ALIGNMENTS.items()
    }


# ---------------------------------------------------------------------------------------------
# Results for other modules (the interface contract): pure functions of the data folder, cached

#: Draws for the cached results (fewer than the notebook's million; the percentiles agree to
#: well under 1 %).
RESULT_DRAWS = 400_000


def _data_key(data_dir) -> str:
    from . import paths

    return str((Path(data_dir) if data_dir else paths.data_dir()).resolve())


#: What :meth:`Model.from_data` reads from a data folder (``(name, False)``: without the cross-table
#: rules): the benchmark tables, the price indices and the link's segments with the route lengths they
#: resolve, and the route factor they assume. Its cache key; ``tests/test_performance.py`` checks it.
MODEL_TABLES = (
    "megaprojects",
    "project_costs",
    "reference_overruns",
    "reference_classes",
    ("us_price_index", False),
    ("fx_rates", False),
    ("local_price_index", False),
    "link_segments",
    "published_lengths",
    "places",
    "alignment_segments",
)
MODEL_ASSUMPTIONS = ("route_factor_unsourced_corridor",)
#: Models by the content of what they are built from: a copy of the folder with the same inputs (the
#: ledger's assumption variants) shares the frames and lookups; bounded.
_MODELS = _ContentCache(4)


def _model(key: str) -> Model:
    """The model of folder ``key``: built once per content of :data:`MODEL_TABLES` and the assumed
    route factor, with ``data_dir`` its own folder (what it reads later, such as the assumptions of
    :meth:`Model.baseline`, comes from there)."""
    found = _MODELS.get(
        _content_key(Path(key), MODEL_TABLES, assumptions=MODEL_ASSUMPTIONS), lambda: Model.from_data(key)
    )
    if found.data_dir == key:
        return found
    model = copy.copy(found)  # the frames and the per-model lookups are shared, read-only
    model.data_dir = key
    return model


@functools.lru_cache(maxsize=4)
def _run(key: str, scenario: str) -> tuple[Params, Result]:
    # a few recent scenarios are kept (each holds about 20 MB of draws); :func:`simulate_shared`
    # serves a run again when another scenario comes down to the same inputs
    _check_choice("scenario", scenario, SCENARIOS)
    model = _model(key)
    params = replace(model.scenario(scenario), draws=RESULT_DRAWS)
    return params, model.run(params)


@functools.cache
def _percentiles_under(key: str, scenario: str, changes: tuple, ps: tuple) -> dict[str, dict[int, float]]:
    """Percentiles ``ps`` of the tunnel and the whole link of the scenario's run with ``changes``
    (``((field, value), ...)``) made to its parameters; only the numbers are kept, not the draws."""
    params, result = _run(key, scenario)
    changed = replace(params, **dict(changes))
    if changed != params:
        result = _model(key).run(changed)
    return {"tunnel": percentiles(result.tunnel, ps), "whole": percentiles(result.whole, ps)}


def _run_uncertainty(key: str, scenario: str, uncertainty: str) -> dict[str, dict[int, float]]:
    """P90 of the tunnel and the whole link with parameter uncertainty taken by ``uncertainty``
    (see :data:`UNCERTAINTY`)."""
    return _percentiles_under(key, scenario, (("uncertainty", uncertainty),), (90,))


def p90_across_methods(scenario: str = "baseline", data_dir=None) -> dict[str, dict[str, float]]:
    """P90 (bn) of the tunnel and of the whole link under every way of taking parameter uncertainty.

    ``{"tunnel": {method: P90}, "whole": {method: P90}}``. With three or four projects in a class the
    upper tail depends on that choice more than on anything else, so the collection reports the range.
    """
    key = _data_key(data_dir)
    out: dict[str, dict[str, float]] = {"tunnel": {}, "whole": {}}
    for u in UNCERTAINTY:
        q = _run_uncertainty(key, scenario, u)
        out["tunnel"][u] = q["tunnel"][90]
        out["whole"][u] = q["whole"][90]
    return out


def model(data_dir=None) -> Model:
    """The :class:`Model` of a data folder (cached)."""
    return _model(_data_key(data_dir))


def whole_link_samples(scenario: str = "baseline", data_dir=None) -> np.ndarray:
    """Simulated whole-link cost (tunnel + approaches to connected railheads), USD 2025 bn, one per draw."""
    return _run(_data_key(data_dir), scenario)[1].whole.copy()


def tunnel_samples(scenario: str = "baseline", data_dir=None) -> np.ndarray:
    """Simulated cost of the tunnel alone, USD 2025 bn, one per draw."""
    return _run(_data_key(data_dir), scenario)[1].tunnel.copy()


def results(data_dir=None, scenario: str = "baseline") -> pd.DataFrame:
    """Every key number of notebook 03, computed from the data alone: ``key, value, unit, description``."""
    return _results(_data_key(data_dir), scenario).copy()


@functools.cache
def _results(key: str, scenario: str) -> pd.DataFrame:
    return pd.DataFrame(key_number_rows(key, scenario), columns=["key", "value", "unit", "description"])


# ---------------------------------------------------------------------------------------------
# Duration model and the reference-class forecast of the pitch


def duration_log_samples(
    durations, lengths_km, length_km: float, elasticity: float, draws: int, seed: int = SEED, uncertainty: str = "t"
) -> np.ndarray:
    """Draws of construction years for a tunnel of ``length_km`` from a reference class of durations.

    Each reference duration is first scaled to the new length: ``d x (length_km / L) ** elasticity``
    (0 = duration independent of length, 1 = proportional); the logs of the scaled durations are
    then drawn like a small class's cost per km (:func:`draw_log_costs`).
    """
    d, L = np.asarray(durations, dtype=float), np.asarray(lengths_km, dtype=float)
    if d.size == 0 or d.size != L.size or (d <= 0).any() or (L <= 0).any():
        raise ValueError("durations and lengths must be equal-length samples of positive numbers")
    if not 0 <= elasticity <= 1:
        raise ValueError(f"the length elasticity of duration must be within 0..1, got {elasticity!r}")
    scaled = d * (float(length_km) / L) ** elasticity
    rng = np.random.default_rng([seed, 101])
    z = rng.standard_normal(int(draws))
    return np.exp(draw_log_costs(rng, z, scaled, uncertainty))


def reference_class_forecast(
    estimate_bn: float, mean_pct: float, sd_pct: float, draws: int, seed: int = SEED, model: str = "lognormal"
) -> np.ndarray:
    """A project's own estimate times the overrun ratio of its class: reference-class forecasting proper."""
    return float(estimate_bn) * draw_ratio(np.random.default_rng([seed, 202]), int(draws), mean_pct, sd_pct, model)


def duration_class(projects: pd.DataFrame) -> pd.DataFrame:
    """The projects whose construction time is the schedule's reference class, from their data columns.

    A project is in it when its ``reference_classes`` include ``long_tunnels`` and it has a start
    and an opening (or expected opening) year.
    """
    sched = benchmarks.schedules(projects)
    members = set(benchmarks.class_members(projects, "long_tunnels"))
    return sched[sched["project_id"].isin(members) & sched["length_km"].notna()].reset_index(drop=True)


#: Earlier tunnel-only estimates compared with the pitch are those of the modern plans (the 1905
#: scheme's USD 65 million is a promoter's sum from another economy, shown in notebook 01).
MODERN_FROM = 1990


def count_once(estimates: pd.DataFrame) -> pd.Series:
    """True for the one figure of each ``proposal`` that counts: its latest (by ``year``, then ``label``)."""
    order = estimates.sort_values(["year", "label"], kind="stable")
    last = order.drop_duplicates("proposal", keep="last").index
    return pd.Series(estimates.index.isin(last), index=estimates.index)


def earlier_tunnel_estimates(m: Model) -> pd.DataFrame:
    """Tunnel-only cost figures of Bering tunnels made since :data:`MODERN_FROM`, restated.

    Columns ``label, year, usd_bn, proposal, counted``. From ``project_costs`` (scope tunnel, crossing
    proposals, not the 2025 pitch) and from the timeline's cost claims of scope tunnel, so no
    comparison mixes scopes. ``proposal`` is the cost row's ``project_id``, or for a timeline claim
    the proposal ``data/cost_claim_proposals.csv`` ties it to (else the event itself): a proposal
    priced more than once counts once, by its latest figure (``counted``).
    """
    from . import timeline

    costs = benchmarks.restate_costs(m.costs, m.conv)
    proposals = set(m.projects.loc[m.projects["kind"] == "crossing_proposal", "project_id"])
    rows = benchmarks.scope_rows(costs, TUNNEL_SCOPE)
    rows = rows[
        rows["project_id"].isin(proposals)
        & (rows["project_id"] != benchmarks.CLAIM_PROJECT)
        & (rows["year_stated"] >= MODERN_FROM)
    ]
    a = pd.DataFrame(
        {
            "label": rows["cost_id"],
            "year": rows["year_stated"].astype(int),
            "usd_bn": rows["usd_bn"],
            "proposal": rows["project_id"],
        }
    )
    claims = timeline.cost_claims(
        timeline.load_timeline(m.data_dir), m.conv, scopes=data.load("cost_claim_scopes", m.data_dir)
    )
    claims = claims[
        (claims["scope"] == TUNNEL_SCOPE) & (claims["year"] >= MODERN_FROM) & (claims["year"] < money.BASE_YEAR)
    ]
    tied = data.load("cost_claim_proposals", m.data_dir).set_index("event_id")["project_id"]
    b = pd.DataFrame(
        {
            "label": claims["event_id"],
            "year": claims["year"].astype(int),
            "usd_bn": claims["usd_bn_base"],
            "proposal": claims["event_id"].map(tied).fillna(claims["event_id"]),
        }
    )
    out = pd.concat([a, b], ignore_index=True).sort_values(["year", "label"]).reset_index(drop=True)
    out["counted"] = count_once(out)
    return out


def key_number_rows(key: str, scenario: str) -> list[tuple]:
    """The rows of :func:`results`: (key, value, unit, description)."""
    m = _model(key)
    params, result = _run(key, scenario)
    base = money.label(money.BASE_CURRENCY, params.base_year)
    scen = "" if scenario == "baseline" else f" (scenario {scenario})"
    claim = m.claim()
    table = m.table()
    costs = benchmarks.restate_costs(m.costs, m.conv)
    scopes = m.costs.set_index("cost_id")["scope"]
    c8, c65 = benchmarks.CLAIM_ROWS["claim_8bn"], benchmarks.CLAIM_ROWS["claim_65bn"]
    q_t, q_w = percentiles(result.tunnel), percentiles(result.whole)
    rows = []

    def add(k, v, unit, desc):
        rows.append((k, v, unit, desc))

    bore_km = benchmarks.bore_km(claim["length_km"], params.bores)
    add(
        "claim_8bn_usd_per_km",
        claim["claim_8bn"] * 1000 / claim["length_km"],
        f"{base} million per km",
        f"USD {claim['claim_8bn']:g} bn claim spread over the pitch's {claim['length_km']:g} km tunnel",
    )
    add(
        "claim_8bn_usd_per_bore_km",
        claim["claim_8bn"] * 1000 / bore_km,
        f"{base} million per bore-km",
        f"USD {claim['claim_8bn']:g} bn over {params.bores} bores x {claim['length_km']:g} km "
        "(assumption tunnel_bores)",
    )
    add(
        "claim_65bn_scope",
        scopes[c65],
        "scope",
        "Scope of the USD 65 bn 'traditional cost': the 2007 plan's tunnel plus about 6000 km of railway, pipeline and "
        "power corridor, wider than the rail-only whole link and far wider than the tunnel (project_costs.scope)",
    )
    add("claim_8bn_scope", scopes[c8], "scope", "Scope of the USD 8 bn ceiling: the tunnel alone (project_costs.scope)")
    earlier = earlier_tunnel_estimates(m)
    tunnel_only = earlier[earlier["counted"]]
    add(
        "tunnel_only_estimate_proposals",
        len(tunnel_only),
        "count",
        f"Bering tunnel proposals since {MODERN_FROM} with a tunnel-only cost figure, each counted once by its latest "
        f"figure ({len(earlier) - len(tunnel_only)} earlier figure(s) of the same proposals left out)",
    )
    add(
        "tunnel_only_estimates_min_usd2025",
        float(tunnel_only["usd_bn"].min()),
        f"{base} bn",
        f"Cheapest tunnel-only estimate of a Bering tunnel made since {MODERN_FROM} (project_costs and the timeline's "
        "cost claims of scope tunnel, one figure per proposal), restated",
    )
    add(
        "tunnel_only_estimates_max_usd2025",
        float(tunnel_only["usd_bn"].max()),
        f"{base} bn",
        f"Dearest tunnel-only estimate of a Bering tunnel made since {MODERN_FROM} (one figure per proposal), restated",
    )
    add(
        "rail_tunnel_median_usd_per_km",
        float(np.median(benchmarks.class_values(table, "rail_tunnels"))),
        f"{base} million per km",
        "Median cost per km of route of the long rail tunnels built or building",
    )
    basis_classes = {"tunnel": params.tunnel_class}
    basis_classes.update({"approach": cls for cls in dict.fromkeys(c for _, _, c, _ in m._segment_rows(params)[1:])})
    over_class = {"tunnel": params.tunnel_overrun, "approach": params.approach_overrun}
    for part, cls in basis_classes.items():
        basis = benchmarks.class_basis(table, cls, m.classes)
        if part == "tunnel":
            basis = basis.loc[m.tunnel_members(params)]
        used = " whose bores are sourced" if part == "tunnel" and params.tunnel_per_bore else ""
        n_est = int((basis != "outturn").sum())
        ratio = m.uplift(params, over_class[part])
        add(f"{part}_class_size", len(basis), "count", f"Projects in the {part} cost class '{cls}'{used}")
        add(
            f"{part}_class_not_outturn",
            n_est,
            "count",
            f"Projects of the {part} cost class '{cls}'{used} whose cost per km is an estimate, or the median of an "
            "estimate and an outturn",
        )
        add(
            f"{part}_class_uplifted",
            n_est if ratio > 1 else 0,
            "count",
            f"Projects of the {part} cost class '{cls}'{used} whose estimate rows are put on an outturn basis with "
            f"the mean overrun of '{over_class[part]}'{scen}",
        )
        add(
            f"{part}_estimate_uplift_pct",
            100 * (ratio - 1),
            "percent",
            f"Uplift on the estimate rows of the {part} cost class (mean overrun of '{over_class[part]}'; 0 when "
            f"estimates are taken as stated){scen}",
        )
    per_bore = table["usd_m_per_bore_km"].dropna()
    add(
        "rail_tunnel_median_usd_per_bore_km",
        float(
            np.median(
                table.set_index("project_id")
                .loc[benchmarks.class_members(m.projects, "rail_tunnels"), "usd_m_per_bore_km"]
                .dropna()
            )
        ),
        f"{base} million per bore-km",
        "Median cost per km of bore of the long rail tunnels whose bores are sourced",
    )
    add(
        "cheapest_tunnel_usd_per_bore_km",
        float(per_bore.min()),
        f"{base} million per bore-km",
        f"Cheapest cost per bore-km among the benchmark tunnels ({table.loc[per_bore.idxmin(), 'name']})",
    )
    r = costs.set_index("cost_id")["usd_bn"]
    ct = m.costs.set_index("cost_id").loc["channel_tunnel_out_construction_1985p"]
    add(
        "channel_tunnel_outturn_usd2025",
        float(r[ct.name]),
        f"{base} bn",
        f"Channel Tunnel construction outturn ({ct['currency']} {ct['amount_bn']:g} bn in {ct['price_year']} "
        "prices) restated",
    )
    total = m.costs.set_index("cost_id").loc["channel_tunnel_out_total_1994_nominal"]
    built = m.projects.set_index("project_id").loc["channel_tunnel"]
    gdp = data.load("gdp", m.data_dir)
    spent = range(int(built["construction_start_year"]), int(built["open_year"]) + 1)
    for k, years, when in (
        (
            "channel_tunnel_total_share_of_uk_gdp_at_completion_pct",
            [int(total["price_year"])],
            "of its completion year",
        ),
        ("channel_tunnel_total_share_of_uk_gdp_while_built_pct", list(spent), f"summed over {spent[0]}-{spent[-1]}"),
    ):
        add(
            k,
            benchmarks.share_of_gdp(float(total["amount_bn"]), total["currency"], gdp, "GB", years),
            "percent",
            f"Channel Tunnel total cost at completion ({total['currency']} {total['amount_bn']:g} bn nominal, with "
            f"financing) as a share of UK nominal GDP {when}; UK GDP alone, though France shared the project",
        )
    over = benchmarks.overruns(m.costs, m.conv, m.projects).set_index("estimate_id")
    add(
        "channel_tunnel_overrun_pct",
        float(over.loc["channel_tunnel_est_construction_1985p", "overrun_pct"]),
        "percent",
        f"Channel Tunnel construction outturn over forecast, constant {ct['price_year']} prices",
    )
    add(
        "panama_us_construction_usd2025",
        float(r["panama_us_out_expenditure_1904_1914"]),
        f"{base} bn",
        "US expenditures on the Panama Canal 1904-1914 as published by the Panama Canal History Museum, restated "
        "(not shown to exclude the purchase payments)",
    )
    for p in (10, 50, 80, 90):
        add(
            f"tunnel_cost_p{p}_usd2025",
            q_t[p],
            f"{base} bn",
            f"P{p} of the unit-cost benchmark estimate of the {params.tunnel_km:g} km tunnel alone{scen}",
        )
    for p in (50, 90):
        add(
            f"whole_link_cost_p{p}_usd2025",
            q_w[p],
            f"{base} bn",
            f"P{p} of the whole link: tunnel, approach railways to connected railheads and the Alaska - Canada "
            f"connection{scen}",
        )
    other = _percentiles_under(key, scenario, (("tunnel_per_bore", not params.tunnel_per_bore),), PERCENTILES)["tunnel"]
    per_bore_p50, per_route_p50 = (q_t[50], other[50]) if params.tunnel_per_bore else (other[50], q_t[50])
    n_bored = len(tunnel_per_bore_values(table, params.tunnel_class, m.classes, params.bores))
    add(
        "tunnel_cost_p50_per_bore_km_usd2025",
        per_bore_p50,
        f"{base} bn",
        f"P50 of the {params.tunnel_km:g} km tunnel drawn per km of bore from the {n_bored} tunnels of the class "
        f"whose bores are sourced, times {params.bores} bores (assumption tunnel_bores){scen}",
    )
    add(
        "tunnel_cost_p50_per_route_km_usd2025",
        per_route_p50,
        f"{base} bn",
        f"P50 of the {params.tunnel_km:g} km tunnel drawn per km of route from every tunnel of the class, whatever "
        f"its number of bores{scen}",
    )
    add(
        "tunnel_class_bores_sourced",
        n_bored,
        "count",
        f"Tunnels of the class '{params.tunnel_class}' whose number of bores is sourced",
    )
    p90s = p90_across_methods(scenario, key)
    for part, label in (("tunnel", f"the {params.tunnel_km:g} km tunnel alone"), ("whole", "the whole link")):
        for end, pick in (("min", min), ("max", max)):
            add(
                f"{'whole_link' if part == 'whole' else 'tunnel'}_cost_p90_{end}_across_methods_usd2025",
                pick(p90s[part].values()),
                f"{base} bn",
                f"{'Lowest' if end == 'min' else 'Highest'} P90 of {label} over the ways of taking the small "
                f"classes' parameter uncertainty ({', '.join(UNCERTAINTY)}){scen}",
            )
    add(
        "percentile_of_8bn_claim",
        share_at_or_below(result.tunnel, claim["claim_8bn"]),
        "percentile (0-100)",
        f"Share of simulated tunnel-only costs at or below the tunnel-only USD {claim['claim_8bn']:g} bn{scen}",
    )
    add(
        "percentile_of_65bn_claim_whole_link",
        share_at_or_below(result.whole, claim["claim_65bn"]),
        "percentile (0-100)",
        f"Share of simulated whole-link costs at or below USD {claim['claim_65bn']:g} bn taken as USD "
        f"{params.base_year} (the figure covers a wider corridor programme, so this flatters it){scen}",
    )
    c65_2007 = CLAIM_65BN_ORIGIN
    at_2007 = float(r[c65_2007])
    origin = m.costs.set_index("cost_id").loc[c65_2007]
    add(
        "claim_65bn_at_2007_prices_usd2025",
        at_2007,
        f"{base} bn",
        f"The 'traditional' USD 65 bn read as the {origin['price_year']} plan's figure it matches "
        f"({origin['currency']} {origin['amount_bn']:g} bn of {origin['price_year']}), restated",
    )
    add(
        "percentile_of_65bn_claim_at_2007_prices_whole_link",
        share_at_or_below(result.whole, at_2007),
        "percentile (0-100)",
        f"Share of simulated whole-link costs at or below the USD 65 bn restated from {origin['price_year']} prices "
        f"(USD {at_2007:,.0f} bn of {params.base_year}){scen}",
    )
    add(
        "percentile_of_65bn_claim_tunnel",
        share_at_or_below(result.tunnel, claim["claim_65bn"]),
        "percentile (0-100)",
        f"Share of simulated tunnel-only costs at or below USD {claim['claim_65bn']:g} bn, the reading in which "
        f"the pitch sets it against its tunnel{scen}",
    )
    add(
        "north_america_connection_km",
        m.approach_km["na_km"],
        "km",
        "New railway from the Alaska Railroad to the Canadian network (Northern Rail Extension and Delta Junction - "
        "Fort McMurray)",
    )
    add(
        "whole_link_new_railway_km",
        sum(m.approach_km.values()),
        "km",
        "New railway of the whole link on both sides, to connected railheads",
    )
    add(
        "tunnel_share_of_whole_link_cost",
        float(np.median(result.tunnel / result.whole)),
        "fraction",
        f"Median over draws of the tunnel's share of the whole-link cost{scen}",
    )
    mean, sd, _ = m.overrun_stats(params.tunnel_overrun)
    rcf = reference_class_forecast(claim["claim_8bn"], mean, sd, RESULT_DRAWS)
    q_r = percentiles(rcf, [50, 80])
    add(
        "rcf_8bn_p50_usd2025",
        q_r[50],
        f"{base} bn",
        "Reference-class forecast of the USD 8 bn pitch taken as an estimate: P50 after the fixed-link overrun uplift",
    )
    add(
        "rcf_8bn_p80_usd2025",
        q_r[80],
        f"{base} bn",
        "Reference-class forecast of the USD 8 bn pitch taken as an estimate: P80 after the fixed-link overrun uplift",
    )
    dur = duration_class(m.projects)
    elasticity = float(
        data.load("assumptions", m.data_dir).set_index("assumption_id").loc["duration_length_elasticity", "value"]
    )
    years = duration_log_samples(
        dur["duration_years"],
        dur["length_km"],
        params.tunnel_km,
        elasticity,
        RESULT_DRAWS,
        uncertainty=params.uncertainty,
    )
    add(
        "construction_duration_p50_years",
        percentiles(years, [50])[50],
        "years",
        f"P50 construction time (start of main works to opening) of a {params.tunnel_km:g} km tunnel, from "
        f"{len(dur)} long tunnels scaled by length",
    )
    add(
        "probability_within_8_years",
        share_at_or_below(years, claim["years"]) / 100,
        "probability",
        f"Share of simulated construction times at or below the promised {claim['years']:g} years",
    )
    needed = benchmarks.advance_needed(
        params.tunnel_km, params.bores, params.tbm_count, params.years, params.boring_share
    )
    add(
        "tbm_advance_needed_m_per_day",
        needed,
        "m per calendar day per TBM",
        f"Average advance each of {params.tbm_count} TBMs needs to bore {params.bores} x {params.tunnel_km:g} km in "
        f"{params.years:g} years, boring {params.boring_share:.0%} of the time (assumption)",
    )
    return rows


def params_km(m: Model, scenario: str) -> float:
    """Tunnel length (km) of a scenario's parameters."""
    return m.scenario(scenario).tunnel_km


def findings(data_dir=None, scenario: str = "baseline") -> str:
    """Notebook 03's Findings: four plain sentences, every number from :func:`results`."""
    v = results(data_dir, scenario).set_index("key")["value"]
    m = model(data_dir)
    table = m.table()
    cheap = table.loc[table["usd_m_per_bore_km"].idxmin()]
    diameter = float(m.projects.set_index("project_id").loc[cheap["project_id"], "bore_diameter_m"])
    scen = "" if scenario == "baseline" else f" (scenario '{scenario}')"
    scope = str(v["claim_65bn_scope"]).replace("_", " ")
    params = m.scenario(scenario)
    km = f"{params.tunnel_km:g}"
    if params.tunnel_per_bore:
        basis, times = "per km of bore", f", times {params.bores} bores (an assumption),"
        other = (
            f"; drawn per km of route instead, the median is USD {v['tunnel_cost_p50_per_route_km_usd2025']:,.0f} bn"
        )
    else:
        basis, times = "per km of route", ","
        other = (
            f"; drawn per km of bore from the {int(v['tunnel_class_bores_sourced'])} of them whose bores are "
            f"sourced, times {params.bores} bores, the median is USD {v['tunnel_cost_p50_per_bore_km_usd2025']:,.0f} bn"
        )

    def tail(part):
        n, est, up = (int(v[f"{part}_class_{k}"]) for k in ("size", "not_outturn", "uplifted"))
        if est == 0:
            return f"all {n} are outturns"
        what = "is an estimate (or part estimate)" if est == 1 else "are estimates (or part estimates)"
        how = (
            f"put on an outturn basis with the class's mean overrun of {v[f'{part}_estimate_uplift_pct']:.0f} %"
            if up
            else "taken as stated, without an overrun uplift"
        )
        outturns = "is an outturn" if n - est == 1 else "are outturns"
        return f"{n - est} of {n} {outturns}; {est} {what}, {how}"

    return "\n".join(
        [
            "**Findings**" + scen,
            "",
            f"- The 2025 pitch sets a tunnel-only ceiling against a figure of another scope: its USD 65 bn "
            f"'traditional cost' is the 2007 plan's tunnel with about 6000 km of railway, pipeline and power corridor "
            f"(scope: {scope}), so 'under USD 8 bn against USD 65 bn+' compares a tunnel with a corridor programme. "
            f"Read as a tunnel cost, USD 65 bn sits at P{v['percentile_of_65bn_claim_tunnel']:.0f} of the tunnel "
            f"estimate below.",
            f"- Judged by what long rail tunnels cost {basis} ({tail('tunnel')}){times} the {km} km tunnel alone has "
            f"a median cost of USD {v['tunnel_cost_p50_usd2025']:,.0f} bn "
            f"(P10 USD {v['tunnel_cost_p10_usd2025']:,.0f} bn, "
            f"P90 USD {v['tunnel_cost_p90_min_across_methods_usd2025']:,.0f}-"
            f"{v['tunnel_cost_p90_max_across_methods_usd2025']:,.0f} bn depending on how the small class's "
            f"uncertainty is taken, USD 2025){other}. USD 8 bn sits at its P{v['percentile_of_8bn_claim']:.0f} "
            f"and below every tunnel-only estimate of the plans made since {MODERN_FROM} (USD "
            f"{v['tunnel_only_estimates_min_usd2025']:,.0f}-{v['tunnel_only_estimates_max_usd2025']:,.0f} bn "
            "restated).",
            f"- The whole link, with new railways to connected railheads on both sides "
            f"({v['whole_link_new_railway_km']:,.0f} km, {v['north_america_connection_km']:,.0f} km of it from the "
            f"Alaska Railroad to the Canadian network; of the rail lines costed, {tail('approach')}), "
            "has a median cost "
            f"of USD {v['whole_link_cost_p50_usd2025']:,.0f} bn (P90 USD "
            f"{v['whole_link_cost_p90_min_across_methods_usd2025']:,.0f}-"
            f"{v['whole_link_cost_p90_max_across_methods_usd2025']:,.0f} bn across those methods); the tunnel is about "
            f"{100 * v['tunnel_share_of_whole_link_cost']:.0f} % of it. The corridor programme's USD 65 bn sits at its "
            f"P{v['percentile_of_65bn_claim_whole_link']:.0f} taken as USD 2025, or at "
            f"P{v['percentile_of_65bn_claim_at_2007_prices_whole_link']:.0f} restated from 2007 prices (USD "
            f"{v['claim_65bn_at_2007_prices_usd2025']:,.0f} bn), though it buys more than rail.",
            f"- For USD 8 bn the tunnel would have to cost USD {v['claim_8bn_usd_per_bore_km']:,.0f} m per km of bore, "
            f"against a median USD {v['rail_tunnel_median_usd_per_bore_km']:,.0f} m for long rail tunnels and "
            f"USD {cheap['usd_m_per_bore_km']:,.0f} m for the cheapest tunnel in the data "
            f"({cheap['name'].split(' (')[0]}, "
            f"{int(cheap['bores'])} bores of {diameter:.1f} "
            f"m for cars over {cheap['km']:g} km).",
            f"- Long tunnels scaled to {km} km took a median {v['construction_duration_p50_years']:.0f} years from the "
            f"start of main works to opening; {100 * v['probability_within_8_years']:.0f} % of simulated construction "
            f"times are eight years or less.",
        ]
    )


# ---------------------------------------------------------------------------------------------
# How the schedule verdict depends on the duration-length elasticity (notebook 03's Findings and titles)


def duration_elasticity_flip(data_dir=None, scenario: str = "baseline", tol: float = 1e-4) -> dict[str, float]:
    """The ``duration_length_elasticity`` at which the share of simulated construction times within the
    promised years reaches the ledger's tail threshold (``claims_mc_tail_pct``), where the verdict on the
    schedule claim flips; with the baseline elasticity and share for comparison.

    The duration draws are those of :func:`key_number_rows` (same seed, draws and uncertainty), so the
    share falls smoothly as the elasticity rises (every reference tunnel is shorter than the pitch's);
    the flip is found by bisection on 0..1 to ``tol``. ``flip_elasticity`` is NaN when the share stays
    on one side of the threshold over the whole range.
    """
    m = model(data_dir)
    params = m.scenario(scenario)
    claim = m.claim()
    dur = duration_class(m.projects)
    table = data.assumption_values(["duration_length_elasticity", "claims_mc_tail_pct"], m.data_dir)
    threshold = float(table["claims_mc_tail_pct"])

    def share(e: float) -> float:
        years = duration_log_samples(
            dur["duration_years"], dur["length_km"], params.tunnel_km, e, RESULT_DRAWS, uncertainty=params.uncertainty
        )
        return share_at_or_below(years, claim["years"])

    lo, hi = 0.0, 1.0
    s_lo, s_hi = share(lo), share(hi)
    flip = float("nan")
    if (s_lo - threshold) * (s_hi - threshold) < 0:
        while hi - lo > tol:
            mid = (lo + hi) / 2
            if (share(mid) - threshold) * (s_lo - threshold) > 0:
                lo = mid
            else:
                hi = mid
        flip = (lo + hi) / 2
    baseline = float(table["duration_length_elasticity"])
    return {
        "elasticity": baseline,
        "share_within_pct": share(baseline),
        "threshold_pct": threshold,
        "flip_elasticity": flip,
        "years": float(claim["years"]),
    }


def duration_flip_clause(flip: dict[str, float], short: bool = False) -> str:
    """'an assumed duration-length elasticity of 0.5 (no source gives it); the verdict flips below 0.29'
    (``short``: 'assumed length elasticity 0.5, unsourced; the verdict flips below 0.29'): the form for
    figure titles and alt text, from :func:`duration_elasticity_flip`."""
    if short:
        text = f"assumed length elasticity {flip['elasticity']:g}, unsourced"
    else:
        text = f"an assumed duration-length elasticity of {flip['elasticity']:g} (no source gives it)"
    if np.isnan(flip["flip_elasticity"]):
        return text + "; the verdict holds for every elasticity from 0 to 1"
    side = "below" if flip["share_within_pct"] < flip["threshold_pct"] else "above"
    return text + f"; the verdict flips {side} {flip['flip_elasticity']:.2f}"


def duration_flip_sentence(data_dir=None, scenario: str = "baseline") -> str:
    """The Findings' sentence on what the schedule result rests on, every number computed."""
    f = duration_elasticity_flip(data_dir, scenario)
    head = (
        f" That result rests on an assumption no source gives: how construction time grows with length "
        f"(duration ~ length ** {f['elasticity']:g}, assumption duration_length_elasticity)."
    )
    if np.isnan(f["flip_elasticity"]):
        return head + " The verdict on the eight-year promise holds for any elasticity from 0 to 1."
    short = f["share_within_pct"] < f["threshold_pct"]
    return head + (
        f" With an elasticity {'below' if short else 'above'} {f['flip_elasticity']:.2f}, "
        f"{'at least' if short else 'fewer than'} {f['threshold_pct']:g} % of simulated schedules fit "
        f"{f['years']:g} years and the verdict on the promise flips (notebook 05's sensitivity table)."
    )
