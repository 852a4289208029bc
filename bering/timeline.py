"""Proposal timeline: eras, counts and cost claims (notebook 01).

Eras follow the Russian state on the western shore of the strait, since every proposal needed its
consent: the Russian Empire (to 1916), the Soviet Union (1917-1991) and the Russian Federation
(from 1992).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data, money

ERAS = [
    ("Russian Empire", 1721, 1916),
    ("Soviet Union", 1917, 1991),
    ("Russian Federation", 1992, 2100),
]
#: Categories that count as a proposal or study of a crossing.
PROPOSAL_CATEGORIES = ("proposal", "study")
MODE_ORDER = ["bridge", "tunnel", "bridge_and_tunnel", "railway", "none"]
MODE_LABELS = {
    "bridge": "Bridge",
    "tunnel": "Tunnel",
    "bridge_and_tunnel": "Bridge and tunnel",
    "railway": "Rail link (crossing type unstated)",
    "none": "No crossing mode stated",
}


def era_of(years) -> np.ndarray:
    """The era name for each year; a year outside every era is an error."""
    years = np.asarray(years, dtype=int)
    out = np.full(years.shape, None, dtype=object)
    for name, first, last in ERAS:
        out[(years >= first) & (years <= last)] = name
    if (out == None).any():  # noqa: E711  (elementwise comparison)
        bad = sorted(set(years[out == None].tolist()))  # noqa: E711
        raise ValueError(f"years outside the defined eras: {bad}")
    return out


def load_timeline(data_dir=None) -> pd.DataFrame:
    """The timeline table with an ``era`` column, in date order."""
    frame = data.load("timeline", data_dir)
    frame["era"] = era_of(frame["year"].to_numpy())
    return frame.sort_values(["year", "date", "event_id"], kind="stable").reset_index(drop=True)


def proposals(timeline: pd.DataFrame) -> pd.DataFrame:
    """Rows that are proposals or studies of a crossing: dated events, several of which may belong to one
    proposal (see :func:`distinct_proposals`)."""
    return timeline[timeline["category"].isin(PROPOSAL_CATEGORIES)].reset_index(drop=True)


def distinct_proposals(timeline: pd.DataFrame) -> pd.DataFrame:
    """One row per proposal: the proposal and study events grouped by their ``proposal_id`` column.

    Columns: ``proposal_id``, ``first_year``, ``last_year``, ``events`` (how many dated events the
    sources record for it), ``title`` (of its first event), ``era`` (of its first event) and ``mode`` (of
    its latest event), in order of first year. A proposal or study event with a blank ``proposal_id`` is a
    proposal of its own, under its ``event_id``: a new row counts until someone ties it to another.
    (``title``, ``era`` and ``mode`` appear when the timeline has them.)
    """
    events = proposals(timeline)
    ids = events["proposal_id"] if "proposal_id" in events else pd.Series(pd.NA, index=events.index, dtype=object)
    blank = ids.isna() | (ids.astype(str).str.strip() == "")
    events = events.assign(proposal_id=ids.where(~blank, events["event_id"]))
    order = events.sort_values(["year", "event_id"], kind="stable")
    grouped = order.groupby("proposal_id", sort=False)
    columns = {"first_year": grouped["year"].min(), "last_year": grouped["year"].max(), "events": grouped.size()}
    for name, pick in (("title", "first"), ("era", "first"), ("mode", "last")):
        if name in order:
            columns[name] = getattr(grouped[name], pick)()
    out = pd.DataFrame(columns).reset_index()
    return out.sort_values(["first_year", "proposal_id"], kind="stable").reset_index(drop=True)


def cost_claims(
    timeline: pd.DataFrame,
    conv: money.Money,
    method: str = "fx_then_deflate",
    base_year: int = money.BASE_YEAR,
    scopes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every stated cost of a crossing proposal, nominal and restated in USD of ``base_year``, with its scope.

    Context events (the Alaska purchase, other projects) are left out: they are not claims about
    the cost of a crossing. ``scope`` (what the figure covers: tunnel, crossing, crossing with its
    approach railways ...) comes from ``data/cost_claim_scopes.csv`` (``scopes``, default the
    shipped table); an event without a row there is ``unstated``.
    """
    claims = timeline[timeline["cost_amount_bn"].notna() & (timeline["category"] != "context")].copy()
    amounts = claims["cost_amount_bn"].to_numpy(float)
    currencies = claims["cost_currency"].to_numpy(object)
    years = claims["cost_price_year"].to_numpy(int)
    # nominal: in US dollars of the claim's own year (converted, not deflated)
    claims["nominal_usd_bn"] = conv.convert(amounts, currencies, years, to_year=years, method=method)
    claims["usd_bn_base"] = conv.convert(amounts, currencies, years, to_year=base_year, method=method)
    scopes = data.load("cost_claim_scopes") if scopes is None else scopes
    claims["scope"] = claims["event_id"].map(scopes.set_index("event_id")["scope"]).fillna("unstated")
    cols = [
        "event_id",
        "year",
        "title",
        "claimed_length_km",
        "cost_amount_bn",
        "cost_currency",
        "cost_price_year",
        "nominal_usd_bn",
        "usd_bn_base",
        "scope",
        "source_id",
    ]
    return claims[cols].reset_index(drop=True)


def headline(timeline: pd.DataFrame, claims: pd.DataFrame) -> list[tuple[str, float, str, str]]:
    """The notebook's headline numbers as ``(key, value, unit, description)``."""
    props = proposals(timeline)
    return [
        (
            "first_proposal_year",
            int(props["year"].min()),
            "year",
            "Year of the first documented proposal to cross the Bering Strait",
        ),
        (
            "distinct_proposals",
            int(len(distinct_proposals(timeline))),
            "count",
            "Number of distinct proposals to cross the Bering Strait in the timeline, each counted once however "
            "many dated events (founding, pitch, study, cost update) the sources record for it",
        ),
        (
            "proposal_events",
            int(len(props)),
            "count",
            "Number of dated proposal and study events in the timeline (several can belong to one proposal)",
        ),
        (
            "cost_claim_min_usd2025_bn",
            float(claims["usd_bn_base"].min()),
            "USD 2025 bn",
            "Lowest stated cost of a crossing, restated in USD 2025",
        ),
        (
            "cost_claim_max_usd2025_bn",
            float(claims["usd_bn_base"].max()),
            "USD 2025 bn",
            "Highest stated cost of a crossing, restated in USD 2025",
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Key numbers (the contract shared by the analysis modules; see bering.results)

RESULT_COLUMNS = ["key", "value", "unit", "description"]
_RESULTS: dict[tuple[str, str], pd.DataFrame] = {}


def scenario_method(scenario: str = "baseline") -> str:
    """The price-restatement method a model scenario uses (the baseline's unless it names one)."""
    from . import montecarlo

    spec = getattr(montecarlo, "SCENARIOS", {}).get(scenario)
    changes = spec[1] if isinstance(spec, tuple) and len(spec) > 1 and isinstance(spec[1], dict) else {}
    return changes.get("method", "fx_then_deflate")


def results(data_dir=None, scenario: str = "baseline") -> pd.DataFrame:
    """Notebook 01's key numbers computed from the data folder: ``key, value, unit, description``.

    Only the restated costs depend on the scenario, through its price method. Cached per resolved
    data folder and scenario.
    """
    from pathlib import Path

    from . import paths

    folder = Path(data_dir).resolve() if data_dir else paths.data_dir().resolve()
    cache_key = (str(folder), scenario)
    if cache_key not in _RESULTS:
        events = load_timeline(folder)
        conv = money.Money.from_data(folder)
        claims = cost_claims(events, conv, method=scenario_method(scenario))
        _RESULTS[cache_key] = pd.DataFrame(headline(events, claims), columns=RESULT_COLUMNS)
    return _RESULTS[cache_key].copy()


def findings(timeline: pd.DataFrame, claims: pd.DataFrame):
    """Notebook 01's opening: three to five sentences, every number computed from the data."""
    from . import fmt
    from .notebook import Markdown

    props = proposals(timeline)
    distinct = distinct_proposals(timeline)
    first = props.sort_values(["year", "event_id"], kind="stable").iloc[0]
    latest = props.sort_values(["year", "event_id"], kind="stable").iloc[-1]
    earliest = timeline.sort_values(["year", "event_id"], kind="stable").iloc[0]
    per_era = distinct.groupby("era", sort=False).size()
    repeated = distinct[distinct["events"] > 1]
    lines = [
        f"The first documented proposal to cross the Bering Strait is {fmt.markdown(first['title'])} "
        f"({fmt.number(first['year'], 'year')}); {fmt.number(len(distinct))} distinct proposals run from it to "
        f"{fmt.markdown(latest['title'])} ({fmt.number(latest['year'], 'year')}), recorded in "
        f"{fmt.number(len(props))} dated proposal and study events: {fmt.number(len(repeated))} proposals "
        f"account for {fmt.number(int(repeated['events'].sum()))} of those events (a founding, a pitch, a study "
        "or a cost update of the same scheme), so counting events would overstate how often the idea was new."
    ]
    if earliest["category"] == "context" and earliest["year"] < first["year"]:
        lines.append(
            f"The oldest idea of a link across the strait found in the sources is older: "
            f"{fmt.markdown(earliest['title'])} ({fmt.number(earliest['year'], 'year')}), a context event, "
            "not a crossing for traffic, so it does not count as a proposal."
        )
    lines.append(
        "Distinct proposals by era of the Russian state in which they were first made: "
        + ", ".join(f"{fmt.number(int(n))} under the {fmt.markdown(era)}" for era, n in per_era.items())
        + "."
    )
    if len(claims):
        lo, hi = claims.loc[claims["usd_bn_base"].idxmin()], claims.loc[claims["usd_bn_base"].idxmax()]

        def scope(row):
            value = row.get("scope")
            return f", scope {fmt.markdown(str(value).replace('_', ' '))}" if isinstance(value, str) and value else ""

        lines.append(
            f"The {fmt.number(len(claims))} stated costs in the timeline (data/timeline.csv) span USD "
            f"{fmt.number(lo['usd_bn_base'])} bn ({fmt.markdown(lo['title'])}{scope(lo)}) to USD "
            f"{fmt.number(hi['usd_bn_base'])} bn ({fmt.markdown(hi['title'])}{scope(hi)}) in "
            f"{money.BASE_YEAR} dollars, and they cover different scopes, so they do not measure one thing; "
            "data/project_costs.csv holds further Bering figures of other scopes (notebook 03)."
        )
    return Markdown("**Findings**\n\n" + "\n".join(f"- {line}" for line in lines[:5]))
