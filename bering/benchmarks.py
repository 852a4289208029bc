"""Cost and schedule benchmarks for a Bering Strait tunnel (notebook 03).

What comparable fixed links, tunnels, canals and remote railways cost per km, how far their
costs and openings slipped, how fast tunnel boring machines (TBMs) advance, and where the
October 2025 claims (under USD 8 bn and under eight years for a 112 km tunnel, against
"traditional costs" of USD 65 bn or more) sit among them.

Every amount is restated with :mod:`bering.money` before it is compared. Which cost rows stand
for a project is data (``project_costs.per_km_use`` and ``scope``), not a judgement made in a notebook
cell: cost per km uses construction or tunnel-only rows, and a project with several rows of the
same scope (a range, or two sources) takes their median.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import data, money

#: Which rows give a project's cost per km, which projects form each reference class and which
#: estimate/outturn pairs are compared are data: ``project_costs.per_km_use`` and ``scope``,
#: ``megaprojects.reference_classes``, ``data/reference_classes.csv`` and ``data/overrun_pairs.csv``.
#: :func:`unplaced` reports every row that enters none of them, with the reason.

#: Scope vocabulary of ``project_costs.scope`` (the data dictionary describes each).
SCOPES = ("tunnel", "crossing", "crossing_and_approaches", "corridor_programme", "rail_line", "canal", "unstated")


class ScopeError(ValueError):
    """An analysis call would compare cost figures of different scopes."""


def check_scope(scopes, accepted, what: str) -> None:
    """Raise :class:`ScopeError` unless every scope in ``scopes`` is one of ``accepted``.

    ``scopes`` may be a single scope, an iterable of them, or comma-joined strings (a project's
    rows). This is the one rule every comparison of costs passes through.
    """
    if isinstance(scopes, str):
        scopes = [scopes]
    found = {s.strip() for item in scopes for s in str(item).split(",")}
    accepted = {accepted} if isinstance(accepted, str) else set(accepted)
    unknown = sorted(found - set(SCOPES))
    if unknown:
        raise ScopeError(f"{what}: unknown cost scope {unknown}; use one of: {', '.join(SCOPES)}")
    bad = sorted(found - accepted)
    if bad:
        raise ScopeError(
            f"{what} mixes cost scopes: {', '.join(bad)} against {', '.join(sorted(accepted))}; compare like with like"
        )


def scope_rows(costs: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The rows of ``costs`` whose scope is ``scope``."""
    check_scope(scope, SCOPES, "scope_rows")
    return costs[costs["scope"] == scope]


def reference_classes(data_dir=None) -> pd.DataFrame:
    """``data/reference_classes.csv``, validated."""
    return data.load("reference_classes", data_dir)


def class_members(projects: pd.DataFrame, class_id: str) -> list[str]:
    """Project ids whose ``reference_classes`` column names ``class_id``, in table order."""
    cells = projects["reference_classes"].fillna("").astype(str)
    return [p for p, cell in zip(projects["project_id"], cells) if class_id in cell.split(";")]


def classes(
    projects: pd.DataFrame | None = None,
    ref: pd.DataFrame | None = None,
    use=("tunnel_cost", "approach_cost"),
    data_dir=None,
) -> dict[str, tuple[str, tuple[str, ...], tuple]]:
    """``{class_id: (label, member project ids, accepted scopes)}`` for the classes of ``use``."""
    projects = data.load("megaprojects", data_dir) if projects is None else projects
    ref = reference_classes(data_dir) if ref is None else ref
    out = {}
    for row in ref.itertuples(index=False):
        if row.use in use:
            scopes = tuple(s for s in str(row.scopes if isinstance(row.scopes, str) else "").split(";") if s)
            out[row.class_id] = (row.label, tuple(class_members(projects, row.class_id)), scopes)
    return out


def __getattr__(name):
    # CLASSES, TUNNEL_CLASSES and APPROACH_CLASSES are read from the default data folder on use.
    if name == "CLASSES":
        return classes()
    if name == "TUNNEL_CLASSES":
        return tuple(classes(use=("tunnel_cost",)))
    if name == "APPROACH_CLASSES":
        return tuple(classes(use=("approach_cost",)))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def per_km_rules(costs: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """``{cost_id: (scope, why used)}`` for the rows whose ``per_km_use`` is filled."""
    used = costs[costs["per_km_use"].fillna("").astype(str) != ""]
    return {c: (s, u) for c, s, u in zip(used["cost_id"], used["scope"], used["per_km_use"])}


def overrun_pairs(data_dir=None) -> list[tuple[str, str, str]]:
    """The (estimate, outturn, caveat) pairs of ``data/overrun_pairs.csv``."""
    t = data.load("overrun_pairs", data_dir)
    return list(zip(t["estimate_id"], t["outturn_id"], t["caveat"]))


#: Kinds whose whole cost is tunnel, so cost per tunnelled or undersea km is meaningful.
TUNNEL_KINDS = ("rail_tunnel", "road_tunnel", "immersed_tunnel", "loop_tunnel")

#: The crossing proposal of October 2025 and its two cost figures.
CLAIM_PROJECT = "bering_2025_dmitriev"
CLAIM_ROWS = {"claim_8bn": "bering_2025_est_under_8", "claim_65bn": "bering_2025_est_traditional_65"}

DAYS_PER_YEAR = 365.25
#: Resolution of the figures shown inline in the notebook (the exported files are 200 dpi); kept
#: low so that the stored notebook stays small.
INLINE_DPI = 80


# ---------------------------------------------------------------------------------------------
# Loading and restating


def load(data_dir=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``megaprojects`` and ``project_costs`` tables, validated."""
    return data.load("megaprojects", data_dir), data.load("project_costs", data_dir)


def restate_costs(
    costs: pd.DataFrame, conv: money.Money, method: str = "fx_then_deflate", base_year: int = money.BASE_YEAR
) -> pd.DataFrame:
    """``costs`` with ``usd_bn``: each amount in US dollars of ``base_year`` (billion)."""
    out = costs.copy()
    out["usd_bn"] = conv.restate(
        out, "amount_bn", "currency", "price_year", to_year=base_year, method=method
    ).to_numpy()
    return out


def per_km_rows(
    projects: pd.DataFrame,
    costs: pd.DataFrame,
    conv: money.Money,
    method: str = "fx_then_deflate",
    base_year: int = money.BASE_YEAR,
    rules: dict[str, tuple[str, str]] | None = None,
    uplift: float = 1.0,
) -> pd.DataFrame:
    """The cost rows used for cost per km, restated, with the length each covers and its scope.

    ``rules`` (default :func:`per_km_rules` of ``costs``) maps cost_id to (scope, why used). The length is the
    row's ``costed_length_km`` where the source says the amount covers only part of the project,
    else the project's ``length_km``. ``uplift`` (outturn / estimate, at least 1) multiplies the rows
    whose ``cost_type`` is ``estimate``, putting them on an outturn basis; outturns are left as they are.
    """
    if not (math.isfinite(uplift) and uplift >= 1):
        raise ValueError(f"uplift is an outturn / estimate ratio of at least 1, got {uplift!r}")
    rules = per_km_rules(costs) if rules is None else rules
    unknown = sorted(set(rules) - set(costs["cost_id"]))
    if unknown:
        raise KeyError(f"the cost-per-km rules name cost rows missing from project_costs: {unknown}")
    rows = restate_costs(costs[costs["cost_id"].isin(list(rules))], conv, method, base_year)
    rows["usd_bn"] = rows["usd_bn"] * np.where(rows["cost_type"] == "estimate", float(uplift), 1.0)
    proj = projects.set_index("project_id")
    rows["scope"] = rows["cost_id"].map(lambda c: rules[c][0])
    rows["why_used"] = rows["cost_id"].map(lambda c: rules[c][1])
    project_km = rows["project_id"].map(proj["length_km"]).astype(float)
    rows["km"] = rows["costed_length_km"].astype(float).fillna(project_km)
    if rows["km"].isna().any():
        raise ValueError(f"no length for cost rows {rows.loc[rows['km'].isna(), 'cost_id'].tolist()}")
    rows["usd_m_per_km"] = rows["usd_bn"] * 1000 / rows["km"]
    cols = [
        "cost_id",
        "project_id",
        "cost_type",
        "amount_bn",
        "currency",
        "price_year",
        "scope",
        "km",
        "usd_bn",
        "usd_m_per_km",
        "why_used",
        "source_id",
    ]
    return rows[cols].reset_index(drop=True)


def classes_of(project_id: str, classes: dict | None = None) -> str:  # noqa: F811 (argument shadows the function)
    """The reference classes a project belongs to, comma separated (empty if none)."""
    classes = globals()["classes"]() if classes is None else classes
    return ", ".join(name for name, (_, members, *_) in classes.items() if project_id in members)


def cost_per_km(
    projects: pd.DataFrame,
    costs: pd.DataFrame,
    conv: money.Money,
    method: str = "fx_then_deflate",
    base_year: int = money.BASE_YEAR,
    rules: dict[str, tuple[str, str]] | None = None,
    classes: dict | None = None,
    uplift: float = 1.0,
) -> pd.DataFrame:
    """One row per benchmark project: its cost (median of its ``per_km_use`` rows) and cost per km.

    ``uplift`` multiplies estimate rows before the median (:func:`per_km_rows`); ``basis`` still says
    what the rows were (outturn, estimate or mixed), so the members uplifted can be counted.

    Also per km of bore (``bore_km`` = tunnelled km x bores, tunnels with sourced bores only) and per
    cubic metre excavated (``bore_km`` x the area of ``bore_diameter_m``, where it is sourced; for a
    tunnel whose bores differ, such as the Channel Tunnel's smaller service bore, this overstates
    the volume and so understates the cost per m3).

    Columns: ``usd_bn`` (billion, US dollars of ``base_year``), ``usd_m_per_km`` (million per km
    of route), ``usd_m_per_tunnelled_km`` and ``usd_m_per_undersea_km`` (only for projects that
    are all tunnel: the whole cost divided by the tunnelled or undersea length, an upper bound for
    the undersea part), ``basis`` (outturn, estimate or mixed) and ``classes``.
    """
    rows = per_km_rows(projects, costs, conv, method, base_year, rules, uplift)
    grouped = rows.groupby("project_id", sort=False)
    table = pd.DataFrame(
        {
            "usd_bn": grouped["usd_bn"].median(),
            "km": grouped["km"].median(),
            "usd_m_per_km": grouped["usd_m_per_km"].median(),
            "n_rows": grouped.size(),
            "basis": grouped["cost_type"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "mixed"),
            "scope": grouped["scope"].agg(lambda s: ", ".join(dict.fromkeys(s))),
            "cost_ids": grouped["cost_id"].agg(";".join),
            "source_id": grouped["source_id"].agg(lambda s: ";".join(dict.fromkeys(s))),
        }
    ).reset_index()
    proj = projects.set_index("project_id")
    for col in ("name", "kind", "status", "length_km", "tunnelled_km", "undersea_km", "bores"):
        table[col] = table["project_id"].map(proj[col])
    is_tunnel = table["kind"].isin(TUNNEL_KINDS).to_numpy()
    for col, km in (("usd_m_per_tunnelled_km", "tunnelled_km"), ("usd_m_per_undersea_km", "undersea_km")):
        length = table[km].astype(float).to_numpy()
        valid = is_tunnel & (length > 0)
        table[col] = np.where(valid, table["usd_bn"].to_numpy() * 1000 / np.where(valid, length, 1.0), np.nan)
    table["bore_km"] = np.where(is_tunnel, table["tunnelled_km"].astype(float) * table["bores"].astype(float), np.nan)
    table["usd_m_per_bore_km"] = table["usd_bn"] * 1000 / table["bore_km"]
    diameter = (
        table["project_id"].map(proj["bore_diameter_m"]).astype(float)
        if "bore_diameter_m" in proj
        else pd.Series(np.nan, index=table.index)
    )
    table["excavated_m3"] = table["bore_km"] * 1000 * math.pi * diameter**2 / 4
    table["usd_per_m3"] = table["usd_bn"] * 1e9 / table["excavated_m3"]
    classes = globals()["classes"](projects) if classes is None else classes
    table["classes"] = table["project_id"].map(lambda p: classes_of(p, classes))
    cols = [
        "project_id",
        "name",
        "kind",
        "status",
        "basis",
        "scope",
        "km",
        "usd_bn",
        "usd_m_per_km",
        "usd_m_per_tunnelled_km",
        "usd_m_per_undersea_km",
        "tunnelled_km",
        "bores",
        "bore_km",
        "usd_m_per_bore_km",
        "excavated_m3",
        "usd_per_m3",
        "classes",
        "n_rows",
        "cost_ids",
        "source_id",
    ]
    return table[cols].sort_values("usd_m_per_km", ascending=False).reset_index(drop=True)


def class_values(table: pd.DataFrame, name: str, classes: dict | None = None) -> np.ndarray:
    """Cost per km (USD million per km) of the projects in reference class ``name``.

    Every member's cost scope must be one the class accepts (:func:`check_scope`).
    """
    classes = globals()["classes"]() if classes is None else classes
    if name not in classes:
        raise ValueError(f"unknown reference class '{name}'; use one of: {', '.join(classes)}")
    members = classes[name][1]
    missing = sorted(set(members) - set(table["project_id"]))
    if missing:
        raise ValueError(f"reference class '{name}' has projects without a cost per km: {missing}")
    rows = table.set_index("project_id").loc[list(members)]
    accepted = classes[name][2] if len(classes[name]) > 2 else ()
    if accepted and "scope" in rows:
        check_scope(rows["scope"], accepted, f"reference class '{name}'")
    return rows["usd_m_per_km"].to_numpy(float)


def class_basis(table: pd.DataFrame, name: str, classes: dict | None = None) -> pd.Series:
    """Basis of each member's cost per km in reference class ``name`` (outturn, estimate or mixed), by project.

    ``mixed`` is a project whose cost is the median of an estimate and an outturn. Only ``outturn``
    is a cost when finished; the others are taken as they stand.
    """
    classes = globals()["classes"]() if classes is None else classes
    if name not in classes:
        raise ValueError(f"unknown reference class '{name}'; use one of: {', '.join(classes)}")
    return table.set_index("project_id").loc[list(classes[name][1]), "basis"]


def class_summary(table: pd.DataFrame, names=None, classes: dict | None = None) -> pd.DataFrame:
    """Size, median, geometric mean, min and max cost per km of each reference class."""
    classes = globals()["classes"]() if classes is None else classes
    rows = []
    for name in classes if names is None else names:
        values = class_values(table, name, classes)
        rows.append(
            {
                "class": name,
                "label": classes[name][0],
                "n": len(values),
                "min": values.min(),
                "median": float(np.median(values)),
                "geometric_mean": float(np.exp(np.log(values).mean())),
                "max": values.max(),
            }
        )
    return pd.DataFrame(rows)


def unplaced(projects: pd.DataFrame, costs: pd.DataFrame, ref: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every project and cost row that enters no reference class or cost-per-km chart, with the reason."""
    ref = reference_classes() if ref is None else ref
    known = set(ref["class_id"])
    rows = []
    used = per_km_rules(costs)
    has_cost = set(costs.loc[costs["cost_id"].isin(list(used)), "project_id"])
    for p in projects.itertuples(index=False):
        cls = [c for c in str(p.reference_classes if isinstance(p.reference_classes, str) else "").split(";") if c]
        unknown = [c for c in cls if c not in known]
        if unknown:
            rows.append((p.project_id, "project", f"names unknown reference classes {unknown}"))
        elif p.kind == "crossing_proposal":
            rows.append((p.project_id, "project", "a proposal: compared with the benchmarks, not one of them"))
        elif not cls:
            rows.append((p.project_id, "project", "no reference_classes given"))
        elif p.project_id not in has_cost and any(
            ref.set_index("class_id").loc[c, "use"] in ("tunnel_cost", "approach_cost") for c in cls
        ):
            rows.append((p.project_id, "project", "in a cost class but no cost row has per_km_use"))
    for c in costs.itertuples(index=False):
        if c.cost_id not in used:
            rows.append((c.cost_id, "cost row", f"per_km_use blank (scope {c.scope}, {c.cost_type})"))
    return pd.DataFrame(rows, columns=["id", "what", "reason"])


# ---------------------------------------------------------------------------------------------
# Conversion method


def local_index_end(conv: money.Money, currencies) -> int:
    """The last year every listed currency's own price index covers (US CPI for USD)."""
    ends = []
    for cur in sorted(set(currencies)):
        series = conv.us_index if cur == money.BASE_CURRENCY else conv.local_index.get(cur)
        if series is None:
            raise money.MoneyCoverageError(f"no local price index for '{cur}'")
        ends.append(int(series.index.max()))
    return min(ends)


def method_comparison(rows: pd.DataFrame, conv: money.Money, year: int) -> pd.DataFrame:
    """Each row's amount in US dollars of ``year`` under both conversion methods, and their ratio.

    ``rows`` needs ``cost_id, amount_bn, currency, price_year``. ``ratio`` is deflate_then_fx over
    fx_then_deflate.
    """
    out = rows[["cost_id", "amount_bn", "currency", "price_year"]].copy()
    for method in money.METHODS:
        out[method] = conv.restate(out, "amount_bn", "currency", "price_year", to_year=year, method=method).to_numpy()
    out["ratio"] = out["deflate_then_fx"] / out["fx_then_deflate"]
    return out.reset_index(drop=True)


def method_effect(
    projects: pd.DataFrame,
    costs: pd.DataFrame,
    conv: money.Money,
    year: int,
    names=("rail_tunnels", "undersea_tunnels", "fixed_links", "remote_rail"),
) -> pd.DataFrame:
    """Median cost per km of each class in US dollars of ``year`` under both methods, and the change."""
    tables = {m: cost_per_km(projects, costs, conv, m, year) for m in money.METHODS}
    rows = []
    for name in names:
        row = {"class": name}
        for m in money.METHODS:
            row[m] = float(np.median(class_values(tables[m], name)))
        row["change_pct"] = 100 * (row["deflate_then_fx"] / row["fx_then_deflate"] - 1)
        rows.append(row)
    return pd.DataFrame(rows)


def share_of_gdp(amount_bn: float, currency: str, gdp: pd.DataFrame, country: str, years) -> float:
    """``amount_bn`` as a percent of ``country``'s nominal GDP summed over ``years`` (``data/gdp.csv``).

    One year (the year of completion) gives the cost as a share of that year's economy; the years
    of spending give it as a share of everything the economy produced while it was built. Both are
    in the same currency and in current prices, so no price index enters.
    """
    years = [int(y) for y in np.atleast_1d(years)]
    rows = gdp[(gdp["country"] == country) & gdp["year"].isin(years)]
    missing = sorted(set(years) - set(rows["year"]))
    if missing:
        raise KeyError(f"data/gdp.csv has no GDP of {country} for {missing}")
    if set(rows["currency"]) != {currency}:
        raise ValueError(f"GDP of {country} is in {sorted(set(rows['currency']))}, the amount in {currency}")
    return float(100 * amount_bn / rows["gdp_bn"].sum())


# ---------------------------------------------------------------------------------------------
# Overruns and schedules


def overruns(
    costs: pd.DataFrame,
    conv: money.Money,
    projects: pd.DataFrame | None = None,
    method: str = "fx_then_deflate",
    base_year: int = money.BASE_YEAR,
    pairs: list[tuple[str, str, str]] | None = None,
    data_dir=None,
) -> pd.DataFrame:
    """Outturn over estimate for each pair of ``data/overrun_pairs.csv``, both in constant prices.

    ``ratio`` = outturn / estimate after restating both to US dollars of ``base_year``, so general
    inflation between the two dates is taken out; ``overrun_pct`` = 100 x (ratio - 1).
    ``pairs`` defaults to :func:`overrun_pairs` of ``data_dir``.
    """
    pairs = overrun_pairs(data_dir) if pairs is None else pairs
    restated = restate_costs(costs, conv, method, base_year).set_index("cost_id")
    missing = sorted({c for pair in pairs for c in pair[:2]} - set(restated.index))
    if missing:
        raise KeyError(f"the overrun pairs name cost rows missing from project_costs: {missing}")
    rows = []
    for est, outturn, caveat in pairs:
        e, o = restated.loc[est], restated.loc[outturn]
        rows.append(
            {
                "project_id": e["project_id"],
                "estimate_id": est,
                "outturn_id": outturn,
                "estimate_year": e["year_stated"],
                "estimate_usd_bn": e["usd_bn"],
                "outturn_usd_bn": o["usd_bn"],
                "ratio": o["usd_bn"] / e["usd_bn"],
                "caveat": caveat,
            }
        )
    table = pd.DataFrame(rows)
    table["overrun_pct"] = 100 * (table["ratio"] - 1)
    if projects is not None:
        table.insert(1, "name", table["project_id"].map(projects.set_index("project_id")["name"]))
    return table


def schedules(projects: pd.DataFrame) -> pd.DataFrame:
    """Construction duration and slip of every built or building project with a start year.

    ``end_year`` is the opening year, or the expected opening for projects still under
    construction (``end_basis`` says which); ``duration_years`` = end - start; ``slip_years`` =
    end - planned opening where a planned opening is known.
    """
    p = projects[(projects["kind"] != "crossing_proposal") & projects["construction_start_year"].notna()].copy()
    p["end_year"] = p["open_year"].fillna(p["expected_open_year"])
    p = p[p["end_year"].notna()].copy()
    p["end_basis"] = np.where(p["open_year"].notna(), "opened", "expected")
    p["duration_years"] = (p["end_year"] - p["construction_start_year"]).astype(float)
    p["slip_years"] = (p["end_year"] - p["planned_open_year"]).astype(float)
    cols = [
        "project_id",
        "name",
        "kind",
        "length_km",
        "construction_start_year",
        "planned_open_year",
        "end_year",
        "end_basis",
        "duration_years",
        "slip_years",
    ]
    return p[cols].sort_values("duration_years", ascending=False).reset_index(drop=True)


def claimed_schedules(projects: pd.DataFrame) -> pd.DataFrame:
    """The crossing proposals that promise a construction time: length and promised years."""
    p = projects[(projects["kind"] == "crossing_proposal") & projects["planned_duration_years"].notna()]
    return p[["project_id", "name", "length_km", "planned_duration_years", "source_id"]].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The claims


def claim(projects: pd.DataFrame, costs: pd.DataFrame, conv: money.Money) -> dict[str, float]:
    """The October 2025 claim: tunnel length (km), promised years and both cost figures (USD 2025 bn)."""
    row = projects.set_index("project_id").loc[CLAIM_PROJECT]
    restated = restate_costs(costs, conv).set_index("cost_id")
    out = {"length_km": float(row["length_km"]), "years": float(row["planned_duration_years"])}
    for key, cost_id in CLAIM_ROWS.items():
        out[key] = float(restated.loc[cost_id, "usd_bn"])
    return out


def implied_per_km(amounts_bn: dict[str, float], lengths_km: dict[str, float]) -> pd.DataFrame:
    """Cost per km (USD million per km) implied by each amount (bn) over each length (km)."""
    rows = []
    for length_label, km in lengths_km.items():
        if not km > 0:
            raise ValueError(f"length '{length_label}' must be positive, got {km!r}")
        for amount_label, bn in amounts_bn.items():
            rows.append(
                {"length": length_label, "km": km, "amount": amount_label, "usd_bn": bn, "usd_m_per_km": bn * 1000 / km}
            )
    return pd.DataFrame(rows)


def percentile_of_score(sample, value: float) -> float:
    """Percentile rank of ``value`` in ``sample``, 0-100: ties count half (the 'mean' convention).

    100 x (number below + number at or below) / (2 x size). A value below every element is at
    0, above every element at 100, equal to the median of an odd sample at 50.
    """
    values = np.asarray(sample, dtype=float)
    if values.size == 0 or np.isnan(values).any():
        raise ValueError("the sample must be non-empty and contain no NaN")
    below = np.count_nonzero(values < value)
    at_or_below = np.count_nonzero(values <= value)
    return 100.0 * (below + at_or_below) / (2 * values.size)


def claim_positions(
    implied: pd.DataFrame, table: pd.DataFrame, names=("rail_tunnels", "fixed_links"), classes: dict | None = None
) -> pd.DataFrame:
    """Percentile of each implied cost per km within reference classes: empirical and lognormal fit.

    ``implied`` is :func:`implied_per_km`'s table; adds ``<class>_pct`` (rank among the class's
    projects, :func:`percentile_of_score`) and ``<class>_fit_pct`` (:func:`lognormal_percentile`).
    """
    out = implied.copy()
    for name in names:
        values = class_values(table, name, classes)
        out[f"{name}_pct"] = [percentile_of_score(values, v) for v in out["usd_m_per_km"]]
        out[f"{name}_fit_pct"] = [lognormal_percentile(values, v) for v in out["usd_m_per_km"]]
    return out


def normal_cdf(z) -> np.ndarray:
    """Standard normal cumulative distribution (vectorised, via the error function)."""
    z = np.asarray(z, dtype=float)
    return 0.5 * (1.0 + np.vectorize(math.erf, otypes=[float])(z / math.sqrt(2.0)))


def lognormal_percentile(sample, value: float) -> float:
    """Percentile of ``value`` under a lognormal fitted to ``sample`` (mean and SD of the logs)."""
    logs = np.log(np.asarray(sample, dtype=float))
    if logs.size < 2:
        raise ValueError("a lognormal fit needs at least two values")
    sd = logs.std(ddof=1)
    if sd == 0:
        return 100.0 * float(value >= np.exp(logs[0]))
    return 100.0 * float(normal_cdf((math.log(value) - logs.mean()) / sd))


# ---------------------------------------------------------------------------------------------
# Schedule arithmetic


def _positive(name: str, value) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value


def bore_km(length_km: float, bores: int) -> float:
    """Total length to excavate: route length times number of parallel bores."""
    if int(bores) != bores or bores < 1:
        raise ValueError(f"bores must be a whole number of at least 1, got {bores!r}")
    return _positive("length_km", length_km) * int(bores)


def boring_days(years: float, boring_share: float = 1.0) -> float:
    """Calendar days of boring in ``years`` when machines advance for ``boring_share`` of the time."""
    share = _positive("boring_share", boring_share)
    if share > 1:
        raise ValueError(f"boring_share is a fraction of the schedule and cannot exceed 1, got {share!r}")
    return _positive("years", years) * DAYS_PER_YEAR * share


def advance_needed(length_km: float, bores: int, tbm_count, years: float, boring_share: float = 1.0):
    """Average advance per TBM (m per calendar day) to bore every bore in ``years``.

    ``length_km`` x ``bores`` x 1000 / (``tbm_count`` x boring days). ``tbm_count`` may be an array.
    """
    counts = np.asarray(tbm_count, dtype=float)
    if (counts < 1).any() or (counts != np.round(counts)).any():
        raise ValueError(f"tbm_count must be whole numbers of at least 1, got {tbm_count!r}")
    rate = bore_km(length_km, bores) * 1000 / (counts * boring_days(years, boring_share))
    return float(rate) if np.ndim(rate) == 0 else rate


def tbms_needed(length_km: float, bores: int, rate_m_per_day, years: float, boring_share: float = 1.0):
    """Whole number of TBMs needed at ``rate_m_per_day`` each to finish in ``years`` (rounded up)."""
    rates = np.asarray(rate_m_per_day, dtype=float)
    if (~np.isfinite(rates) | (rates <= 0)).any():
        raise ValueError(f"rate_m_per_day must be positive, got {rate_m_per_day!r}")
    n = np.ceil(bore_km(length_km, bores) * 1000 / (rates * boring_days(years, boring_share)) - 1e-9)
    return int(n) if np.ndim(n) == 0 else n.astype(int)


def years_needed(
    length_km: float, bores: int, tbm_count: int, rate_m_per_day: float, boring_share: float = 1.0
) -> float:
    """Years to bore everything with ``tbm_count`` machines at ``rate_m_per_day`` each."""
    if int(tbm_count) != tbm_count or tbm_count < 1:
        raise ValueError(f"tbm_count must be a whole number of at least 1, got {tbm_count!r}")
    share = _positive("boring_share", boring_share)
    if share > 1:
        raise ValueError(f"boring_share is a fraction of the schedule and cannot exceed 1, got {share!r}")
    rate = _positive("rate_m_per_day", rate_m_per_day)
    return bore_km(length_km, bores) * 1000 / (tbm_count * rate * DAYS_PER_YEAR * share)


def max_headings(bores: int, access_points: int) -> int:
    """Most TBMs that can work at once: two faces per bore for each stretch between access points.

    An undersea tunnel can only be started from its portals and from islands on the way, so
    ``access_points`` (portals included, at least 2) splits each bore into ``access_points - 1``
    stretches, each bored from both ends.
    """
    if int(access_points) != access_points or access_points < 2:
        raise ValueError(f"access_points counts both portals, so it must be at least 2, got {access_points!r}")
    bore_km(1.0, bores)  # validates bores
    return int(bores) * 2 * (int(access_points) - 1)


def drive_per_tbm(length_km: float, bores: int, tbm_count) -> np.ndarray | float:
    """Km each TBM must bore when ``tbm_count`` machines share ``bores`` x ``length_km`` equally."""
    count = np.asarray(tbm_count, dtype=float)
    if (count < 1).any():
        raise ValueError(f"tbm_count must be at least 1, got {tbm_count!r}")
    out = bore_km(length_km, bores) / count
    return float(out) if out.ndim == 0 else out


def longest_drives(drives: pd.DataFrame) -> pd.DataFrame:
    """The drives of ``data/tbm_drives.csv``, longest first, labelled with their ``chart_label`` and basis."""
    table = drives.sort_values("drive_km", ascending=False).reset_index(drop=True)
    basis = table["basis"].map({"single_drive": "one drive", "machine_total": "several drives"})
    table["label"] = table["chart_label"] + " (" + basis + ")"
    return table


def rate_marks(rates: pd.DataFrame) -> pd.DataFrame:
    """The rates whose ``role`` puts them on the schedule chart (reference or chart), slowest first."""
    table = rates[rates["role"].fillna("").isin(["reference", "chart"])].copy()
    table["label"] = table["chart_label"]
    table = table.sort_values("value_m_per_day").reset_index(drop=True)
    return table[["rate_id", "label", "value_m_per_day", "statistic", "role", "source_id"]]


def reference_rate(rates: pd.DataFrame) -> pd.Series:
    """The one measured calendar-day rate (``role`` = reference) the schedule uses."""
    hit = rates[rates["role"] == "reference"]
    if len(hit) != 1:
        raise ValueError(f"data/tbm_rates.csv needs exactly one row with role 'reference', found {len(hit)}")
    return hit.iloc[0]


def schedule_table(
    length_km: float, bores: int, years: float, rates: pd.DataFrame, boring_share: float = 1.0
) -> pd.DataFrame:
    """For each benchmark rate: TBMs needed to finish in ``years``."""
    marks = rate_marks(rates)
    marks["tbms_needed"] = tbms_needed(length_km, bores, marks["value_m_per_day"].to_numpy(), years, boring_share)
    return marks


def class_ids(data_dir=None) -> tuple[str, ...]:
    """Ids of every reference class in ``data/reference_classes.csv``."""
    return tuple(reference_classes(data_dir)["class_id"])
