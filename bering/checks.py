"""Rules that span tables, which a Table Schema cannot express: the validation layer.

This module sits above :mod:`bering.data` (reading and the dictionary's rules) and
:mod:`bering.money` (conversions, which read their tables through :mod:`bering.data`); neither of
them imports it, so data flows one way: ``data <- money <- checks``. Each rule is registered with
:func:`bering.data.cross_check`, names the tables it reads, and returns
:class:`bering.data.Problem` objects pointing at the offending file, line and column. The package
imports this module when it is first imported (``bering/__init__.py``), so the rules are
registered before any table is loaded; they run in ``python -m bering validate`` and whenever
:func:`bering.data.load` loads a table they involve.
"""

from __future__ import annotations

import pandas as pd

from .data import Problem, cross_check
from .money import MoneyCoverageError, from_frames

#: Money columns, as (table, amount column, currency column, price-year column).
MONEY_COLUMNS = [
    ("timeline", "cost_amount_bn", "cost_currency", "cost_price_year"),
    ("project_costs", "amount_bn", "currency", "price_year"),
]


def _where(frame: pd.DataFrame, position: int) -> tuple[str, int | None]:
    lines = frame.attrs.get("file_lines") or []
    return frame.attrs.get("source_file", "?"), (lines[position] if position < len(lines) else None)


def _problem(frame: pd.DataFrame, position: int, column: str, rule: str, message: str) -> Problem:
    """A problem with row ``position`` of ``frame`` (as :func:`bering.data.load` returned it), in ``column``."""
    file, line = _where(frame, position)
    return Problem(file, line, column, rule, message)


def _money_rule(table: str, amount: str, currency: str, price_year: str):
    def check(frames: dict[str, pd.DataFrame]) -> list[Problem]:
        frame = frames[table]
        money = from_frames(frames["us_price_index"], frames["fx_rates"], frames["local_price_index"])
        problems = []
        for pos, (amt, cur, year) in enumerate(zip(frame[amount], frame[currency], frame[price_year])):
            if pd.isna(amt):
                if not (pd.isna(cur) and pd.isna(year)):
                    message = f"{currency} or {price_year} is given but {amount} is blank"
                    problems.append(_problem(frame, pos, amount, "money-complete", message))
                continue
            if pd.isna(cur) or pd.isna(year):
                missing = currency if pd.isna(cur) else price_year
                problems.append(_problem(frame, pos, missing, "money-complete", f"an amount needs its {missing}"))
                continue
            try:
                money.convert(float(amt), str(cur), int(year))
            except MoneyCoverageError as exc:
                column = currency if str(cur) not in money.currencies() else price_year
                problems.append(_problem(frame, pos, column, "money-coverage", str(exc)))
        return problems

    check.__name__ = f"money_coverage_{table}"
    return check


for _table, _amount, _currency, _year in MONEY_COLUMNS:
    cross_check(_table, "us_price_index", "fx_rates", "local_price_index")(
        _money_rule(_table, _amount, _currency, _year)
    )


def _rows_failing(frame: pd.DataFrame, rule: str, found) -> list[Problem]:
    """One ``rule`` problem per ``(position, column, message)`` that ``found`` yields for rows of ``frame``."""
    return [_problem(frame, pos, column, rule, message) for pos, column, message in found]


@cross_check("project_costs", "megaprojects")
def estimate_not_after_opening(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """An estimate (a forecast) cannot be dated after the project opened."""
    costs, projects = frames["project_costs"], frames["megaprojects"]
    opened = dict(zip(projects["project_id"], projects["open_year"]))
    return _rows_failing(
        costs,
        "estimate-before-opening",
        (
            (pos, "year_stated", f"estimate for '{pid}' is dated {stated}, after the project opened in {opened[pid]}")
            for pos, (pid, kind, stated) in enumerate(
                zip(costs["project_id"], costs["cost_type"], costs["year_stated"])
            )
            if kind == "estimate"
            and not pd.isna(stated)
            and not pd.isna(opened.get(pid))
            and int(stated) > int(opened[pid])
        ),
    )


@cross_check("megaprojects")
def construction_before_opening(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """A project cannot open before its construction started."""
    projects = frames["megaprojects"]
    rows = zip(projects["project_id"], projects["construction_start_year"], projects["open_year"])
    return _rows_failing(
        projects,
        "start-before-opening",
        (
            (pos, "open_year", f"'{pid}' opens in {opened}, before its construction started in {start}")
            for pos, (pid, start, opened) in enumerate(rows)
            if not pd.isna(start) and not pd.isna(opened) and int(opened) < int(start)
        ),
    )


@cross_check("timeline")
def timeline_year_consistent(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """An event's id and date start with its year (the eras and counts are computed from ``year``)."""
    events = frames["timeline"]
    rows = zip(events["event_id"], events["year"], events["date"])
    return _rows_failing(
        events,
        "year-consistent",
        (
            (pos, column, f"'{value}' does not start with the row's year {int(year)}")
            for pos, (event_id, year, date) in enumerate(rows)
            for column, value in (("event_id", event_id), ("date", date))
            if not pd.isna(value) and not pd.isna(year) and str(value)[:4] != str(int(year))
        ),
    )


#: Tables whose rows form series that must keep one unit: (table, series columns, unit column).
UNIT_SERIES = [
    ("us_ree_trade", ("metric",), "unit"),
]


def _unit_rule(table: str, series: tuple[str, ...], unit: str):
    def check(frames: dict[str, pd.DataFrame]) -> list[Problem]:
        frame = frames[table]
        groups: dict[tuple, list[tuple[int, str]]] = {}
        for pos, row in enumerate(frame[[*series, unit]].itertuples(index=False)):
            *key, value = row
            if pd.isna(value):
                continue
            groups.setdefault(tuple(key), []).append((pos, str(value)))
        problems = []
        for key, members in groups.items():
            counts: dict[str, int] = {}
            for _, value in members:
                counts[value] = counts.get(value, 0) + 1
            if len(counts) < 2:
                continue
            # the unit most rows use is the series' unit (ties: the first one used)
            main = max(counts, key=lambda v: (counts[v], -next(i for i, (_, u) in enumerate(members) if u == v)))
            first = next(pos for pos, value in members if value == main)
            _, first_line = _where(frame, first)
            label = ", ".join(f"{c} '{k}'" for c, k in zip(series, key))
            for pos, value in members:
                if value != main:
                    message = (
                        f"{label} is in '{main}' on line {first_line} ({counts[main]} row(s)) but in "
                        f"'{value}' here; a series keeps one unit, so convert the value or start a new series"
                    )
                    problems.append(_problem(frame, pos, unit, "unit-consistent", message))
        return problems

    check.__name__ = f"unit_consistent_{table}"
    return check


for _table, _series, _unit in UNIT_SERIES:
    cross_check(_table)(_unit_rule(_table, _series, _unit))


#: Claims fields that every appearance of one ``claim_group`` must share, so that they share a verdict.
CLAIM_GROUP_FIELDS = (
    "value",
    "value_high",
    "unit",
    "relation",
    "check",
    "tolerance",
    "tolerance_kind",
    "if_disagrees",
    "scope_of",
)


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _shown(value) -> str:
    """A cell as the file would show it: blank for a missing value, numbers without a trailing '.0'."""
    if _blank(value):
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _disagreements(frame: pd.DataFrame, key: str, fields, same=lambda a, b: a == b):
    """Cells that differ from the first row of their ``key`` group, group by group, field by field, as
    ``(group, field, first position, first line, first value, position, value)``."""
    for group, positions in frame.groupby(key, sort=False).indices.items():
        first = int(positions[0])
        _, first_line = _where(frame, first)
        for field in fields:
            want = frame[field].iloc[first]
            for pos in positions[1:]:
                got = frame[field].iloc[int(pos)]
                if not same(want, got):
                    yield group, field, first, first_line, want, int(pos), got


def _same_cell(a, b) -> bool:
    """Two cells agree: both blank, or both filled and equal."""
    return (_blank(a) and _blank(b)) or (not _blank(a) and not _blank(b) and a == b)


@cross_check("claims")
def claim_group_consistent(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Appearances of one claim (rows sharing ``claim_group``) agree on every field that decides the verdict."""
    claims = frames["claims"]
    fields = [f for f in CLAIM_GROUP_FIELDS if f in claims.columns]
    problems = []
    for group, field, first, first_line, want, pos, got in _disagreements(claims, "claim_group", fields, _same_cell):
        message = (
            f"claim_group '{group}' has {field} = '{_shown(want)}' on line {first_line} "
            f"({claims['claim_id'].iloc[first]}) but '{_shown(got)}' here "
            f"({claims['claim_id'].iloc[pos]}); appearances of one claim share its verdict"
        )
        problems.append(_problem(claims, pos, field, "claim-group-consistent", message))
    return problems


@cross_check("claims", "assumptions")
def claim_tolerance_matches_basis(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """A claim's ``tolerance`` equals the value of the assumption its ``tolerance_basis`` names."""
    claims, assumptions = frames["claims"], frames["assumptions"]
    values = dict(zip(assumptions["assumption_id"], pd.to_numeric(assumptions["value"], errors="coerce")))
    problems = []
    for pos, (basis, tol) in enumerate(zip(claims["tolerance_basis"], claims["tolerance"])):
        if _blank(basis) or basis not in values or pd.isna(values[basis]):
            continue  # an unknown basis is the foreign key's problem
        if _blank(tol) or abs(float(tol) - float(values[basis])) > 1e-9:
            message = (
                f"tolerance is {'blank' if _blank(tol) else tol} but {basis} = {values[basis]:g} in assumptions.csv"
            )
            problems.append(_problem(claims, pos, "tolerance", "claim-tolerance-basis", message))
    return problems


@cross_check("claims")
def claim_article_one_outlet(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every claim from one article names the same outlet."""
    claims = frames["claims"]
    return [
        _problem(
            claims,
            pos,
            "outlet",
            "claim-article-outlet",
            f"article {source_id} has outlet '{want}' on line {first_line} but '{got}' here",
        )
        for source_id, _, _, first_line, want, pos, got in _disagreements(claims, "source_id", ["outlet"])
    ]
