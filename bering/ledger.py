"""Claims ledger: every figure and date in the news pieces, checked against the data (notebook 05).

``data/claims.csv`` holds one row per appearance of a claim: the article it appeared in (a row of
``sources.csv``), who asserted it (``speaker``), where it appeared (``outlet``), the distinct claim
it repeats (``claim_group``), the short phrase that carries it, the claimed value (or range), what
it measures, and *how* to check it. Nothing in that file says whether a claim is right: the verdict
and its explanation are computed here, each time the ledger is built, from the data tables and the
key numbers the package's analysis modules compute (:func:`bering.results.key_numbers`, never a
re-read of ``figures/``). Change a data row or a model scenario and the verdicts follow.

The check language
------------------
The ``check`` column lists one or more references to evidence, separated by ``;``. Each reference
yields one or more evidence values:

``key:NAME``
    a key number computed by an analysis module (:mod:`bering.results`), e.g.
    ``key:strait_cape_to_cape_km``. Amounts in
    whole currency units are scaled to billions when the claim's unit is in billions.
``data:TABLE.COLUMN[COL=VALUE,COL=LOW..HIGH]``
    the values of ``COLUMN`` in the rows of ``data/TABLE.csv`` that match every filter; ``LOW..HIGH``
    is an inclusive numeric range. Rows whose only sources are the articles of the ledger (any
    ``source_id`` of ``claims.csv``) are left out: a claim cannot confirm itself.
``convert:AMOUNT FROM->TO[@YEAR]``
    a conversion of the figure the text converted from: miles to km (1 mi = 1.609344 km, exact), or
    between currencies at ``YEAR``'s annual average rate in ``data/fx_rates.csv``.
``elapsed(REF)``
    years from each value of ``REF`` to the year the claim was published.
``weekday(REF)``
    ISO day of the week (Monday = 1) of each date in ``REF``.
``pct(REF)``
    a percentile (0-100) of the claim in a simulated distribution, e.g. ``key:percentile_of_8bn_claim``.
``years_at(NEEDED, BENCHMARK)``
    the claimed duration scaled by ``NEEDED / BENCHMARK``: how long the job takes at a benchmark
    rate, given the rate the claimed duration needs.
``context:REF``
    evidence shown in the explanation but not used for the verdict.
``none``
    the collection cannot check the claim; the row's ``notes`` say why.

Relations and tolerances
------------------------
Each evidence value ``e`` agrees or disagrees with the claimed ``value`` (and ``value_high``) by the
row's ``relation``, with ``t = tolerance`` (``abs``) or ``t = tolerance * |e|`` (``rel``):

- ``equal``: ``|value - e| <= t``;
- ``evidence_at_least`` (the claim is a floor, "at least 150 years", "$65B+"): ``e >= value - t``;
- ``evidence_at_most`` (the claim is a ceiling, "under eight years", or the evidence is a floor for
  the claim, such as the water a tunnel must cross): ``e <= value + t``;
- ``evidence_in_range``: ``value - t <= e <= value_high + t``;
- ``percentile_band``: ``tolerance <= e <= 100 - tolerance`` where ``e`` is the claim's percentile;
- ``percentile_at_least`` (a ceiling, "under USD 8 bn"): ``e >= tolerance``;
- ``percentile_at_most`` (a floor, "USD 65 bn or more"): ``e <= 100 - tolerance``.

A cost claim is compared with the Monte Carlo simulation of notebook 03 through its percentile: with
a tolerance of 10, **a claimed cost below the simulated P10 (or, for a point estimate, above the
P90) is inconsistent**: such a claim is a forecast, and inconsistent means implausible against the
reference class of projects already built, not shown false. So "USD 8 bn for 112 km" is inconsistent
when fewer than one simulated draw in ten costs that little, and "USD 65 bn or more" when fewer than one in ten
costs that much.

Verdicts
--------
``consistent``
    every evidence value agrees.
``inconsistent``
    the data contradict it: no evidence value agrees (or only some do, and all the evidence comes
    from one source).
``unsupported``
    no evidence was found for it, and that is all: the row's ``if_disagrees`` is ``unsupported``
    because its evidence is only what has been documented (the earliest proposal on record, say),
    so falling short shows an absence of evidence, not a contradiction. One agreeing value suffices
    for ``consistent`` then.
``contested``
    some evidence values agree and some do not, and they come from different sources: the data
    themselves disagree about the claim.
``not checkable``
    the check is ``none`` (an opinion, a forecast with nothing to set it against, or a matter outside
    the collection's data; the
    reason is in the row's notes), a key number it needs is not computed ("key number X not
    computed"), a table it needs is missing, or no row matches.

Distinct claims and attribution
-------------------------------
Rows sharing a ``claim_group`` are appearances of one claim (the wire copy inside another piece,
one speaker's figure quoted by several outlets); they must agree on value, unit, relation, check
and tolerance, so they share a verdict. Counts of distinct claims and of appearances are reported
apart; the scorecard counts distinct claims per speaker, and the outlet view shows whether each
outlet quoted faithfully and how its own figures fared. :func:`sensitivity` recomputes every
checkable claim's verdict under each model scenario and under each alternative value that
``assumptions.csv`` gives for an assumption (rows ``<id>_sensitivity_<label>``: the schedule's length
elasticity, the tail threshold), and reports the ones that flip.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import data, fmt, paths
from .units import KM_PER_MILE

if TYPE_CHECKING:
    from .notebook import Markdown

NOT_CHECKABLE = "not checkable"
VERDICTS = ("consistent", "inconsistent", "unsupported", "contested", NOT_CHECKABLE)
IF_DISAGREES = ("inconsistent", "unsupported")
RELATIONS = (
    "equal",
    "evidence_at_least",
    "evidence_at_most",
    "evidence_in_range",
    "percentile_band",
    "percentile_at_least",
    "percentile_at_most",
)
PERCENTILE_RELATIONS = RELATIONS[4:]
LENGTH_IN_KM = {"km": 1.0, "m": 0.001, "mi": KM_PER_MILE}
_SCALE_WORDS = {"trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6, "mn": 1e6}
_EPS = 1e-9


class NotCheckable(Exception):
    """The evidence a claim needs is not in the collection; the message says what is missing."""


@dataclass(frozen=True)
class Evidence:
    """One value a claim is compared with, where it comes from, and how it was obtained."""

    value: object
    label: str
    source: str
    unit: str = ""
    context: bool = False


@dataclass
class Check:
    """The outcome for one claim."""

    verdict: str
    explanation: str
    items: list[tuple[Evidence, bool]]


# ---------------------------------------------------------------------------------------------
# Parsing


def split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` at ``sep`` where it is not inside brackets or parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == sep and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


_FUNC_RE = re.compile(r"^(elapsed|weekday|pct|years_at)\((.*)\)$", re.S)
_DATA_RE = re.compile(r"^data:([a-z0-9_]+)\.([a-z0-9_]+)(?:\[(.*)\])?$")
_CONVERT_RE = re.compile(r"^convert:([0-9.]+)\s*([A-Za-z]+)->([A-Za-z]+)(?:@(\d{4}))?$")
_KEY_RE = re.compile(r"^key:([a-z][a-z0-9_]*)$")
_KEY_ANYWHERE_RE = re.compile(r"\bkey:([a-z][a-z0-9_]*)")


def _fmt(value) -> str:
    """A short, stable text form of a number (integers without a decimal point, else 4 significant digits)."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e12 else f"{value:.4g}"
    return str(value)


def _unit_scale(from_unit: str, to_unit: str) -> float:
    """Factor taking an amount in ``from_unit`` to ``to_unit`` when they differ only in scale words."""

    def scale(unit: str) -> float:
        words = re.findall(r"[a-z]+", unit.lower())
        return math.prod(_SCALE_WORDS[w] for w in words if w in _SCALE_WORDS)

    if not from_unit or not to_unit:
        return 1.0
    from_words = re.findall(r"[A-Za-z]+", from_unit)
    to_words = re.findall(r"[A-Za-z]+", to_unit)
    currencies = {w for w in from_words if w.isupper() and len(w) == 3}
    if currencies and currencies & set(to_words):
        return scale(from_unit) / scale(to_unit)
    if from_unit in LENGTH_IN_KM and to_unit in LENGTH_IN_KM:
        return LENGTH_IN_KM[from_unit] / LENGTH_IN_KM[to_unit]
    return 1.0


# ---------------------------------------------------------------------------------------------
# Evaluating references


class Context:
    """The data and key numbers a ledger is built from.

    ``keys`` is a frame of key numbers (``key, value, unit`` and ``notebook``); by default the
    package computes them for ``scenario`` with :func:`bering.results.key_numbers`. ``articles``
    are the source ids whose rows are not evidence (by default every ``source_id`` of claims.csv).
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        keys: pd.DataFrame | None = None,
        scenario: str = "baseline",
        articles: set[str] | None = None,
    ):
        self.data_dir = Path(data_dir).resolve() if data_dir else paths.data_dir().resolve()
        if keys is None:
            from . import results

            keys = results.key_numbers(scenario, self.data_dir)
        keys = keys.copy()
        if "notebook" not in keys.columns:
            keys["notebook"] = keys["module"] if "module" in keys.columns else ""
        self.keys = keys.set_index("key")
        self.scenario = scenario
        self.package = data.load_package(self.data_dir)
        self._tables: dict[str, pd.DataFrame] = {}
        self._units: dict[str, dict[str, str]] = {}
        if articles is None:
            articles = set(data.load("claims", self.data_dir, cross_checks=False)["source_id"])
        self.articles = frozenset(articles)

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            try:
                data.resource(self.package, name)
            except KeyError:
                raise NotCheckable(f"table {name} is not in the data package") from None
            self._tables[name] = data.load(name, self.data_dir, cross_checks=False)
        return self._tables[name]

    def units(self, name: str) -> dict[str, str]:
        """``{column: unit}`` of table ``name`` as the dictionary states them (as :func:`bering.data.field_units`,
        from the dictionary this context read once rather than once per reference)."""
        if name not in self._units:
            self._units[name] = data.field_units(name, package=self.package)
        return self._units[name]

    def primary_key(self, name: str) -> str:
        schema = data.resource(self.package, name)["schema"]
        pk = schema.get("primaryKey") or [schema["fields"][0]["name"]]
        return pk[0] if isinstance(pk, list) else pk

    def publication_year(self, source_id: str) -> int:
        sources = self.table("sources")
        hit = sources.loc[sources["source_id"] == source_id, "date_published"]
        if hit.empty:
            raise ValueError(f"source '{source_id}' is not in sources.csv")
        return int(str(hit.iloc[0])[:4])


def _row_source(row: dict, articles: frozenset[str] = frozenset()) -> str | None:
    """The first source of a data row that is not one of the ledger's articles; None if there is none."""
    for col in ("source_id", "source_id_alt"):
        value = row.get(col)
        if isinstance(value, str) and value and value not in articles:
            return value
    has_source = any(isinstance(row.get(c), str) and row.get(c) for c in ("source_id", "source_id_alt"))
    return None if has_source else "unsourced"


def _match(series: pd.Series, wanted: str) -> pd.Series:
    if ".." in wanted:
        low, high = (float(x) for x in wanted.split(".."))
        numbers = pd.to_numeric(series, errors="coerce")
        return (numbers >= low) & (numbers <= high)
    if pd.api.types.is_numeric_dtype(series):
        return pd.to_numeric(series, errors="coerce") == float(wanted)
    return series.astype("string") == wanted


def _data_ref(ref: str, ctx: Context) -> list[Evidence]:
    match = _DATA_RE.match(ref)
    if not match:
        raise ValueError(f"cannot parse data reference '{ref}' (write data:TABLE.COLUMN[COL=VALUE,...])")
    name, column, filters = match.groups()
    frame = ctx.table(name)
    if column not in frame.columns:
        raise ValueError(f"'{ref}': table {name} has no column '{column}'")
    mask = pd.Series(True, index=frame.index)
    for cond in split_top(filters or "", ","):
        if "=" not in cond:
            raise ValueError(f"'{ref}': filter '{cond}' must look like COL=VALUE or COL=LOW..HIGH")
        col, wanted = (s.strip() for s in cond.split("=", 1))
        if col not in frame.columns:
            raise ValueError(f"'{ref}': table {name} has no column '{col}' to filter on")
        mask &= _match(frame[col], wanted).fillna(False).astype(bool)
    pk = ctx.primary_key(name)
    unit = ctx.units(name).get(column, "")
    items = []
    for _, row in frame[mask].iterrows():
        value = row[column]
        source = _row_source(row.to_dict(), ctx.articles)
        if source is None or value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        if isinstance(value, (np.integer, np.floating)):
            value = float(value)
        items.append(Evidence(value, f"{name} {row[pk]}: {column} = {_fmt(value)}", source, unit))
    if not items:
        where = f"[{filters}]" if filters else ""
        raise NotCheckable(
            f"no row of data/{name}.csv{where} has a value in {column} "
            "from a source other than the articles of the ledger"
        )
    return items


def _key_ref(name: str, claim: dict, ctx: Context) -> Evidence:
    if name not in ctx.keys.index:
        raise NotCheckable(f"key number {name} not computed")
    entry = ctx.keys.loc[name]
    try:
        value = float(entry["value"])
    except (TypeError, ValueError):
        raise NotCheckable(f"key number {name} is not a number ({entry['value']!r})") from None
    scale = _unit_scale(entry["unit"], claim.get("unit") or "")
    scaled = value * scale
    shown = f"{_fmt(value)} {entry['unit']}" + (f" (= {_fmt(scaled)} {claim['unit']})" if scale != 1 else "")
    return Evidence(scaled, f"key {name} = {shown}", f"notebook {entry['notebook']}".strip(), entry["unit"])


def _convert_ref(ref: str, ctx: Context) -> Evidence:
    match = _CONVERT_RE.match(ref)
    if not match:
        raise ValueError(f"cannot parse conversion '{ref}' (write convert:AMOUNT FROM->TO[@YEAR])")
    amount, src, dst, year = match.groups()
    amount = float(amount)
    if src.lower() in LENGTH_IN_KM and dst.lower() in LENGTH_IN_KM:
        value = amount * LENGTH_IN_KM[src.lower()] / LENGTH_IN_KM[dst.lower()]
        return Evidence(
            value,
            f"{_fmt(amount)} {src} = {_fmt(value)} {dst} (1 mi = {KM_PER_MILE} km)",
            "international mile (exact definition)",
            dst,
        )
    if not year:
        raise ValueError(f"'{ref}': a currency conversion needs a year (convert:8 USD->GBP@2025)")
    src, dst, year = src.upper(), dst.upper(), int(year)
    fx = ctx.table("fx_rates")
    rates, sources = {"USD": 1.0}, []
    for cur in {src, dst} - {"USD"}:
        hit = fx[(fx["currency"] == cur) & (fx["year"] == year)]
        if hit.empty:
            raise NotCheckable(f"no {cur} exchange rate for {year} in data/fx_rates.csv")
        rates[cur] = float(hit["units_per_usd"].iloc[0])
        sources.append(str(hit["source_id"].iloc[0]))
    value = amount / rates[src] * rates[dst]
    rate_text = ", ".join(f"{rates[c]:.4g} {c} per USD" for c in sorted({src, dst} - {"USD"}))
    return Evidence(
        value,
        f"{_fmt(amount)} {src} = {_fmt(value)} {dst} at the {year} average rate ({rate_text})",
        ";".join(sorted(sources)),
        f"{dst} bn",
    )


def evaluate(ref: str, claim: dict, ctx: Context) -> list[Evidence]:
    """The evidence values one reference yields for ``claim`` (a dict of a claims row)."""
    ref = ref.strip()
    if ref.startswith("context:"):
        return [
            Evidence(e.value, e.label, e.source, e.unit, True) for e in evaluate(ref[len("context:") :], claim, ctx)
        ]
    func = _FUNC_RE.match(ref)
    if func:
        name, args = func.group(1), split_top(func.group(2), ",")
        if name == "years_at":
            if len(args) != 2:
                raise ValueError(f"'{ref}': years_at takes two references (NEEDED, BENCHMARK)")
            needed = evaluate(args[0], claim, ctx)
            if len(needed) != 1:
                raise ValueError(f"'{ref}': the needed rate must be a single value")
            need = needed[0]
            out = []
            for bench in evaluate(args[1], claim, ctx):
                years = float(claim["value"]) * float(need.value) / float(bench.value)
                out.append(
                    Evidence(
                        years,
                        f"{_fmt(years)} years at {bench.label} m per day, "
                        f"given {need.label} for {_fmt(claim['value'])} years",
                        bench.source,
                        "years",
                    )
                )
            return out
        if len(args) != 1:
            raise ValueError(f"'{ref}': {name} takes one reference")
        inner = evaluate(args[0], claim, ctx)
        if name == "elapsed":
            year = ctx.publication_year(claim["source_id"])
            return [
                Evidence(
                    year - float(e.value),
                    f"{_fmt(year - float(e.value))} years from {e.label} to publication in {year}",
                    e.source,
                    "years",
                )
                for e in inner
            ]
        if name == "weekday":
            out = []
            for e in inner:
                day = pd.Timestamp(str(e.value))
                out.append(
                    Evidence(
                        float(day.isoweekday()),
                        f"{e.label}, a {day.day_name()} (ISO weekday {day.isoweekday()})",
                        e.source,
                        "ISO weekday",
                    )
                )
            return out
        if name == "pct":
            out = []
            for e in inner:
                pct = float(e.value)
                if e.unit.strip().lower() in ("fraction", "share", "probability"):
                    pct *= 100
                out.append(
                    Evidence(
                        pct, f"{e.label}: the claim sits at percentile {_fmt(round(pct, 1))}", e.source, "percentile"
                    )
                )
            return out
    if ref.startswith("key:"):
        match = _KEY_RE.match(ref)
        if not match:
            raise ValueError(f"cannot parse key reference '{ref}'")
        return [_key_ref(match.group(1), claim, ctx)]
    if ref.startswith("data:"):
        return _data_ref(ref, ctx)
    if ref.startswith("convert:"):
        return [_convert_ref(ref, ctx)]
    raise ValueError(
        f"unknown reference '{ref}': use key:, data:, convert:, context: or one of "
        "elapsed(), weekday(), pct(), years_at()"
    )


# ---------------------------------------------------------------------------------------------
# Judging


def agrees(relation: str, value: float, value_high: float | None, evidence: float, tolerance: float, kind: str) -> bool:
    """Whether one evidence value agrees with the claim (see the module docstring for each relation)."""
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation '{relation}'; use one of: {', '.join(RELATIONS)}")
    e = float(evidence)
    tol = float(tolerance or 0)
    t = tol * abs(e) if kind == "rel" else tol
    slack = _EPS * max(1.0, abs(e))
    if relation == "equal":
        return abs(value - e) <= t + slack
    if relation == "evidence_at_least":
        return e >= value - t - slack
    if relation == "evidence_at_most":
        return e <= value + t + slack
    if relation == "evidence_in_range":
        high = value if value_high is None or pd.isna(value_high) else value_high
        return value - t - slack <= e <= high + t + slack
    if relation == "percentile_band":
        return tol - slack <= e <= 100 - tol + slack
    if relation == "percentile_at_least":
        return e >= tol - slack
    return e <= 100 - tol + slack  # percentile_at_most


#: What a verdict on a percentile claim means: the claim is a forecast (a cost or time of a project not
#: yet built), so it is judged for plausibility against the simulated reference class, not as a fact.
FORECAST_NOTE = (
    "a forecast, judged against the reference class of projects already built: inconsistent means "
    "implausible against it, not shown false"
)


def rule_text(claim: dict) -> str:
    """The claim and the rule it is judged by, in words (for a forecast, with what its verdict means)."""
    text = _rule_text(claim)
    if claim.get("relation") in PERCENTILE_RELATIONS:
        text += f" ({FORECAST_NOTE})"
    return text


def _rule_text(claim: dict) -> str:
    unit = "" if claim.get("unit") == "year" else (claim.get("unit") or "")
    value = _fmt(claim["value"])
    tol, kind = claim.get("tolerance"), claim.get("tolerance_kind")
    slack = ""
    if tol and not pd.isna(tol) and float(tol) > 0:
        slack = f" within {_fmt(float(tol) * 100)}%" if kind == "rel" else f" within {_fmt(tol)} {unit}"
    relation = claim["relation"]
    if relation == "equal":
        return f"claimed {value} {unit}".rstrip() + f"; agrees if the evidence matches{slack or ' exactly'}"
    if relation == "evidence_at_least":
        return f"claimed at least {value} {unit}; agrees if the evidence is at least that{slack}"
    if relation == "evidence_at_most":
        return f"claimed {value} {unit}".rstrip() + f"; agrees if the evidence is no more than that{slack}"
    if relation == "evidence_in_range":
        return (
            f"claimed {value}-{_fmt(claim['value_high'])} {unit}".rstrip()
            + f"; agrees if the evidence is in that range{slack}"
        )
    if relation == "percentile_band":
        return (
            f"claimed {value} {unit}; agrees if it lies between percentiles {_fmt(tol)} and "
            f"{_fmt(100 - float(tol))} of the simulation"
        )
    if relation == "percentile_at_least":
        return (
            f"claimed {value} {unit} as a ceiling; agrees unless it lies below percentile {_fmt(tol)} of the simulation"
        )
    return (
        f"claimed at least {value} {unit}; agrees unless it lies above percentile {_fmt(100 - float(tol))} "
        "of the simulation"
    )


def check_claim(claim: dict, ctx: Context) -> Check:
    """Verdict, explanation and evidence for one claim (a dict of a claims row)."""
    check = (claim.get("check") or "").strip()
    if check == "none":
        reason = claim.get("notes")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"claim {claim['claim_id']}: a claim with check 'none' needs its reason in notes")
        return Check(NOT_CHECKABLE, reason.strip().removeprefix("Not checkable: "), [])
    if not claim.get("relation") or pd.isna(claim.get("relation")):
        raise ValueError(f"claim {claim['claim_id']}: a checked claim needs a relation")
    if claim.get("value") is None or pd.isna(claim.get("value")):
        raise ValueError(f"claim {claim['claim_id']}: a checked claim needs a value")
    items: list[Evidence] = []
    for ref in split_top(check, ";"):
        try:
            items.extend(evaluate(ref, claim, ctx))
        except NotCheckable as exc:
            if ref.startswith("context:"):
                continue  # missing context never decides a verdict
            return Check(NOT_CHECKABLE, str(exc), [])
    value_high = claim.get("value_high")
    judged = [
        (
            e,
            agrees(
                claim["relation"],
                float(claim["value"]),
                value_high,
                e.value,
                claim.get("tolerance") or 0,
                claim.get("tolerance_kind") or "abs",
            ),
        )
        for e in items
        if not e.context
    ]
    context = [(e, True) for e in items if e.context]
    if not judged:
        return Check(NOT_CHECKABLE, "the check yields no evidence, only context", context)
    passed = [e for e, ok in judged if ok]
    failed = [e for e, ok in judged if not ok]
    on_failure = claim.get("if_disagrees") or "inconsistent"
    if on_failure not in IF_DISAGREES:
        raise ValueError(
            f"claim {claim['claim_id']}: if_disagrees must be one of {', '.join(IF_DISAGREES)}, not '{on_failure}'"
        )
    if not failed or (passed and on_failure == "unsupported"):
        verdict = "consistent"
    elif not passed:
        verdict = on_failure
    else:
        sources = {e.source for e in passed} | {e.source for e in failed}
        verdict = "contested" if len(sources) > 1 else "inconsistent"
    parts = [rule_text(claim)]
    if claim.get("scope"):
        parts.append(
            f"scope: the claimed figure is a {claim['scope'].replace('_', ' ')} figure "
            f"(data/project_costs.csv {claim['scope_of']}: scope = {claim['scope']}), judged as such"
            + (f": {claim['notes'].strip().rstrip('.')}" if isinstance(claim.get("notes"), str) else "")
        )
    if passed:
        parts.append("agrees: " + "; ".join(f"{e.label} [{e.source}]" for e in passed))
    if failed:
        parts.append("disagrees: " + "; ".join(f"{e.label} [{e.source}]" for e in failed))
    if context:
        parts.append("context: " + "; ".join(f"{e.label} [{e.source}]" for e, _ in context))
    return Check(verdict, ". ".join(parts) + ".", judged + context)


# ---------------------------------------------------------------------------------------------
# The ledger


def load_claims(data_dir: Path | None = None) -> pd.DataFrame:
    """``data/claims.csv`` as a typed frame. Loading runs the claims rules of :mod:`bering.checks`
    (appearances of one claim agree, tolerances match their assumptions, one outlet per article), the
    same rules ``python -m bering validate`` reports with file, line and column."""
    return data.load("claims", data_dir)


def build_ledger(
    data_dir: Path | None = None,
    keys: pd.DataFrame | None = None,
    claims: pd.DataFrame | None = None,
    scenario: str = "baseline",
) -> pd.DataFrame:
    """Every claim with its computed ``verdict``, ``explanation`` and ``evidence`` (list of (Evidence, agrees)).

    ``keys`` plants key numbers (a frame with ``key, value, unit``); by default the package
    computes them under ``scenario``.
    """
    claims = load_claims(data_dir) if claims is None else claims
    ctx = Context(data_dir, keys, scenario, articles=set(claims["source_id"]))
    scopes = claim_scopes(claims, data_dir)
    records = []
    for claim in claims.to_dict("records"):
        claim = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in claims_row(claim).items()}
        claim["scope"] = scopes.get(claim["claim_id"])
        if claim["scope"]:
            claim["measures"] = f"{claim['measures']} ({claim['scope'].replace('_', ' ')})"
        result = check_claim(claim, ctx)
        records.append(
            {**claim, "verdict": result.verdict, "explanation": result.explanation, "evidence": result.items}
        )
    return pd.DataFrame(records)


def claim_scopes(claims: pd.DataFrame, data_dir: Path | None = None) -> dict[str, str]:
    """``{claim_id: scope}`` for the claims whose ``scope_of`` names a row of ``project_costs.csv``:
    the scope is that row's ``scope``, so a claim's scope is read from the data, never typed."""
    if "scope_of" not in claims.columns or claims["scope_of"].isna().all():
        return {}
    costs = data.load("project_costs", data_dir).set_index("cost_id")["scope"]
    return {
        row.claim_id: str(costs[row.scope_of])
        for row in claims.itertuples()
        if isinstance(row.scope_of, str) and row.scope_of and row.scope_of in costs.index
    }


def claims_row(row: dict) -> dict:
    """A claims row with pandas scalars turned into plain Python values."""
    out = {}
    for key, value in row.items():
        if isinstance(value, (np.floating,)):
            value = float(value)
        elif isinstance(value, (np.integer,)):
            value = int(value)
        elif value is pd.NA:
            value = None
        out[key] = value
    return out


def claimed_text(row) -> str:
    """The claimed value as text: '60-100 km', '8 USD bn', or '-' for claims without a figure."""
    if row["value"] is None or pd.isna(row["value"]):
        return "-"
    high = row.get("value_high")
    value = _fmt(row["value"]) + (f"-{_fmt(high)}" if high is not None and not pd.isna(high) else "")
    return f"{value} {row['unit'] or ''}".strip()


# ---------------------------------------------------------------------------------------------
# Distinct claims, speakers and outlets


def distinct(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct claim (``claim_group``): speaker, phrases, outlets, appearances, verdict."""
    rows = []
    for group, sub in ledger.groupby("claim_group", sort=False):
        first = sub.iloc[0]
        speakers = list(dict.fromkeys(sub["speaker"]))
        rows.append(
            {
                "claim_group": group,
                "speaker": " / ".join(speakers),
                "quoted": " / ".join(f"\u201c{q}\u201d" for q in dict.fromkeys(sub["quoted"])),
                "claimed": claimed_text(first),
                "measures": first["measures"],
                "outlets": ", ".join(dict.fromkeys(sub["outlet"])),
                "appearances": len(sub),
                "checkable": first["check"] != "none",
                "verdict": first["verdict"],
                "explanation": first["explanation"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "claim_group",
            "speaker",
            "quoted",
            "claimed",
            "measures",
            "outlets",
            "appearances",
            "checkable",
            "verdict",
            "explanation",
        ],
    )


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """Number of rows with each verdict, in :data:`VERDICTS` order (pass :func:`distinct` for claims)."""
    counts = table["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def scorecard(ledger: pd.DataFrame) -> pd.DataFrame:
    """Distinct claims per speaker and verdict, with a total; speakers with most claims first."""
    claims = distinct(ledger)
    table = claims.pivot_table(
        index="speaker", columns="verdict", values="claim_group", aggfunc="count", fill_value=0
    ).reindex(columns=list(VERDICTS), fill_value=0)
    table["total"] = table.sum(axis=1)
    table = table.sort_values(["total"], ascending=False, kind="stable")
    table.columns.name = None
    return table.astype(int)


def outlet_view(ledger: pd.DataFrame) -> pd.DataFrame:
    """Reporting accuracy per outlet: what it quoted from others and how faithfully, and its own figures.

    A quotation is faithful when its value, range and unit match every other appearance of its
    claim group (a claim that appears once has nothing to differ from and counts as faithful). The
    outlet's own figures (speaker = outlet) are counted by verdict.
    """
    keys = pd.Series(
        [f"{r['value']}|{r['value_high']}|{r['unit']}" for r in ledger.to_dict("records")], index=ledger.index
    )
    spread = keys.groupby(ledger["claim_group"]).transform("nunique")
    frame = ledger.assign(own=ledger["speaker"] == ledger["outlet"], faithful=spread == 1)
    rows = []
    for outlet, sub in frame.groupby("outlet", sort=False):
        quoted, own = sub[~sub["own"]], sub[sub["own"]]
        row = {
            "outlet": outlet,
            "appearances": len(sub),
            "quoting others": len(quoted),
            "quoted faithfully": int(quoted["faithful"].sum()),
            "own figures": len(own),
        }
        for verdict in VERDICTS:
            row[f"own: {verdict}"] = int((own["verdict"] == verdict).sum())
        rows.append(row)
    return pd.DataFrame(rows).set_index("outlet")


def readable(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger as a table to read: outlet, speaker, phrase, claimed value, verdict, why."""
    return pd.DataFrame(
        {
            "outlet": ledger["outlet"],
            "speaker": ledger["speaker"],
            "claim_group": ledger["claim_group"],
            "quoted": ledger["quoted"],
            "claimed": [claimed_text(r) for r in ledger.to_dict("records")],
            "measures": ledger["measures"],
            "verdict": ledger["verdict"],
            "explanation": ledger["explanation"],
        }
    )


def explained(ledger: pd.DataFrame, verdict: str) -> Markdown:
    """A bullet list of the distinct claims with ``verdict``, each with speaker, outlets and explanation.

    Every piece of text from the data is escaped, so a claim carrying HTML or Markdown shows as text.
    """
    from .notebook import Markdown  # notebook-facing: kept out of the model's imports (it loads matplotlib)

    rows = distinct(ledger)
    rows = rows[rows["verdict"] == verdict]
    if rows.empty:
        return Markdown(f"_No claim is {fmt.markdown(verdict)}._")
    lines = [
        f"- **{fmt.markdown(r.speaker)}**, {fmt.markdown(r.quoted)} ({fmt.markdown(r.measures)}; "
        f"in {fmt.markdown(r.outlets)}): {fmt.markdown(r.explanation)}"
        for r in rows.itertuples()
    ]
    return Markdown("\n".join(lines))


def evidence_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per (claim, evidence value): the value, its source, whether it agrees, whether context."""
    rows = []
    for claim in ledger.to_dict("records"):
        for e, ok in claim["evidence"]:
            rows.append(
                {
                    "claim_id": claim["claim_id"],
                    "evidence": e.label,
                    "value": e.value,
                    "source": e.source,
                    "agrees": ok,
                    "context": e.context,
                }
            )
    return pd.DataFrame(rows, columns=["claim_id", "evidence", "value", "source", "agrees", "context"])


def evidence_sources(ledger: pd.DataFrame, data_dir: Path | None = None) -> pd.DataFrame:
    """The sources the evidence cites, as a frame with a ``source_id`` column (for the references)."""
    known = set(data.load("sources", data_dir)["source_id"])
    ids = set()
    for src in evidence_table(ledger)["source"]:
        ids.update(s for s in str(src).split(";") if s in known)
    return pd.DataFrame({"source_id": sorted(ids)})


# ---------------------------------------------------------------------------------------------
# Sensitivity to the model scenario


#: Suffix of the rows of ``assumptions.csv`` that give an alternative value of another assumption for
#: :func:`sensitivity`: ``duration_length_elasticity_sensitivity_low`` varies ``duration_length_elasticity``.
VARIANT_MARK = "_sensitivity_"
META_COLUMNS = ("claim_group", "speaker", "quoted", "measures", "flips")


def assumption_variants(data_dir: Path | None = None) -> list[tuple[str, str, float]]:
    """``(column name, assumption_id, value)`` for each alternative an assumptions row gives.

    A row whose id is ``<assumption_id>_sensitivity_<label>`` holds another reasonable value of the
    assumption ``<assumption_id>``; the ledger is rebuilt with it (see :func:`variant_ledger`).
    """
    table = data.load("assumptions", data_dir, cross_checks=False)
    known = set(table["assumption_id"])
    out = []
    for row in table.itertuples():
        if VARIANT_MARK not in row.assumption_id:
            continue
        base = row.assumption_id.split(VARIANT_MARK)[0]
        if base not in known:
            raise ValueError(f"assumption {row.assumption_id} varies '{base}', which is not in assumptions.csv")
        out.append((f"{base} = {_fmt(float(row.value))}", base, float(row.value)))
    return out


def _short(text: str) -> str:
    """A description cut to its first clause: before ' (' or ';'."""
    return re.split(r" \(|;", str(text), maxsplit=1)[0].strip()


def column_labels(names, data_dir: Path | None = None) -> dict[str, str]:
    """Plain-language labels of sensitivity columns, from the data: a model scenario's description
    (:data:`bering.montecarlo.SCENARIOS`) or what an assumption variant's row in ``assumptions.csv``
    says it does (the text after its first colon), with the value it sets."""
    from . import montecarlo

    table = data.load("assumptions", data_dir, cross_checks=False).set_index("assumption_id")
    variants = {}
    for row in table.itertuples():
        if VARIANT_MARK in row.Index:
            base = row.Index.split(VARIANT_MARK)[0]
            said = str(row.description).split(": ", 1)[-1]
            variants[f"{base} = {_fmt(float(row.value))}"] = (
                f"{_short(said)} ({base.replace('_', ' ')} {_fmt(float(row.value))})"
            )
    labels = {}
    for name in names:
        if name in variants:
            labels[name] = variants[name]
        elif name in getattr(montecarlo, "SCENARIOS", {}):
            said, plain = _short(montecarlo.SCENARIOS[name][0]), name.replace("_", " ")
            labels[name] = said if said.lower().startswith(plain.lower()) else f"{plain}: {said}"
        else:
            labels[name] = str(name).replace("_", " ")
    return labels


def referenced_keys(claims: pd.DataFrame) -> set[str]:
    """Every key number a claim refers to (``key:NAME`` anywhere in its text cells, checks and contexts)."""
    found: set[str] = set()
    for column in claims.columns:
        for value in claims[column]:
            if isinstance(value, str) and "key:" in value:
                found.update(_KEY_ANYWHERE_RE.findall(value))
    return found


def referenced_modules(claims: pd.DataFrame, keys: pd.DataFrame) -> list[str]:
    """The results modules that give a key number some claim refers to (``keys`` has a ``module``
    column, as :func:`bering.results.key_numbers` returns). A verdict reads no other key number, so
    recomputing only these modules under another scenario gives the same verdicts as recomputing all."""
    wanted = referenced_keys(claims)
    return list(dict.fromkeys(keys.loc[keys["key"].isin(wanted), "module"]))


def variant_ledger(
    data_dir: Path | None,
    assumption_id: str,
    value: float,
    keys: pd.DataFrame | None = None,
    modules: list[str] | None = None,
) -> pd.DataFrame:
    """The ledger built from a copy of the data folder in which ``assumption_id`` takes ``value``.

    The copy's claims take the new value as their tolerance where ``tolerance_basis`` names the
    assumption (the tail threshold), and every key number is recomputed from the copy unless ``keys``
    plants them (``modules`` recomputes only those results modules: see :func:`referenced_modules`);
    the real data folder is never written.
    """
    import shutil
    import tempfile

    source = Path(data_dir).resolve() if data_dir else paths.data_dir().resolve()
    with tempfile.TemporaryDirectory(prefix="bering_variant_") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("_staging"))
        path = copy / "assumptions.csv"
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        hit = table["assumption_id"] == assumption_id
        if not hit.any():
            raise ValueError(f"assumption '{assumption_id}' is not in assumptions.csv")
        table.loc[hit, "value"] = _fmt(value)
        table.to_csv(path, index=False, lineterminator="\n")
        claims_path = copy / "claims.csv"
        claims = pd.read_csv(claims_path, dtype=str, keep_default_na=False)
        based = claims["tolerance_basis"] == assumption_id
        if based.any():
            claims.loc[based, "tolerance"] = _fmt(value)
            claims.to_csv(claims_path, index=False, lineterminator="\n")
        if keys is None and modules is not None:
            from . import results

            keys = results.key_numbers("baseline", copy, modules=modules)
        return build_ledger(copy, keys)


def sensitivity(
    data_dir: Path | None = None,
    scenarios: list[str] | None = None,
    keys_by_scenario: dict[str, pd.DataFrame] | None = None,
    claims: pd.DataFrame | None = None,
    variants: bool | None = None,
) -> pd.DataFrame:
    """Each checkable distinct claim's verdict under each scenario and assumption variant, and whether it ``flips``.

    Scenarios default to :func:`bering.results.scenarios`; ``keys_by_scenario`` plants the key
    numbers of each (for tests). The model scenarios change cost inputs only, so the assumptions the
    schedule and the verdict rule rest on are varied too: one column per :func:`assumption_variants`
    row (``variants`` defaults to True unless key numbers are planted). A claim flips when its
    verdicts across the columns differ.
    """
    if variants is None:
        variants = keys_by_scenario is None
    modules = None
    if keys_by_scenario is None:
        from . import results

        names = scenarios or results.scenarios()
        # only the modules whose key numbers the claims refer to are recomputed for each column
        baseline = results.key_numbers(results.BASELINE, data_dir)
        modules = referenced_modules(load_claims(data_dir) if claims is None else claims, baseline)
        keys_by_scenario = {
            name: baseline if name == results.BASELINE else results.key_numbers(name, data_dir, modules=modules)
            for name in names
        }
    columns = {}
    groups = None
    books = [(name, build_ledger(data_dir, keys, claims, scenario=name)) for name, keys in keys_by_scenario.items()]
    if variants:
        books += [
            (label, variant_ledger(data_dir, base, value, modules=modules))
            for label, base, value in assumption_variants(data_dir)
        ]
    for name, book in books:
        table = distinct(book)
        table = table[table["checkable"]]
        if groups is None:
            groups = table[["claim_group", "speaker", "quoted", "measures"]].reset_index(drop=True)
        columns[name] = table.set_index("claim_group")["verdict"]
    frame = groups.set_index("claim_group")
    for name, verdicts in columns.items():
        frame[name] = verdicts
    names = list(columns)
    frame["flips"] = frame[names].nunique(axis=1) > 1
    return frame.reset_index()


def flipping(sens: pd.DataFrame) -> pd.DataFrame:
    """The claims whose verdict flips, with the verdicts it takes (in scenario order)."""
    names = [c for c in sens.columns if c not in META_COLUMNS]
    labels = column_labels(names)
    rows = sens[sens["flips"]].copy()
    rows["verdicts"] = [" / ".join(dict.fromkeys(r)) for r in rows[names].itertuples(index=False)]
    rows["drivers"] = [
        "; ".join(labels[n] for n, v in zip(names, r) if v != r[0]) for r in rows[names].itertuples(index=False)
    ]
    return rows[["claim_group", "speaker", "quoted", "verdicts", "drivers"]]


# ---------------------------------------------------------------------------------------------
# Headline numbers and findings


def headline(ledger: pd.DataFrame, sens: pd.DataFrame | None = None) -> list[tuple[str, int, str, str]]:
    """The notebook's headline numbers as ``(key, value, unit, description)``."""
    claims = distinct(ledger)
    counts = verdict_counts(claims)
    words = {
        "consistent": "consistent with the data",
        "inconsistent": "that the data contradict",
        "unsupported": "for which no evidence was found (absence of evidence, not contradiction)",
        "contested": "on which the data disagree among themselves",
        NOT_CHECKABLE: "that this collection cannot check",
    }
    rows = [
        (
            "claims_distinct",
            int(len(claims)),
            "claims",
            "Distinct claims carrying a figure or a date in the news pieces (repeats counted once)",
        ),
        ("claims_appearances", int(len(ledger)), "appearances", "Appearances of those claims across the news pieces"),
    ]
    rows += [
        (f"claims_distinct_{v.replace(' ', '_')}", counts[v], "claims", f"Distinct claims {words[v]}") for v in VERDICTS
    ]
    if sens is not None:
        rows.append(
            (
                "verdicts_that_flip_across_scenarios",
                int(sens["flips"].sum()),
                "claims",
                "Checkable distinct claims whose verdict changes across the model scenarios and the assumption "
                "variants "
                "(schedule length elasticity, tail threshold)",
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The values the charts plot (drawn by bering.plots.ledger)


def band(
    relation: str, value: float, value_high: float | None, evidence: float, tolerance: float, kind: str
) -> tuple[float, float]:
    """Range of claimed/evidence ratios that agree, for a ratio chart (``inf`` where unbounded)."""
    e = float(evidence)
    tol = float(tolerance or 0)
    t = tol if kind == "rel" else tol / abs(e)
    if relation == "equal":
        return 1 - t, 1 + t
    if relation == "evidence_at_least":
        return 0.0, 1 + t
    if relation == "evidence_at_most":
        return 1 - t, math.inf
    if relation == "evidence_in_range":
        return 1 - t, 1 + t  # the claimed range (low to high ratio) must overlap this band
    raise ValueError(f"no ratio band for relation '{relation}'")


def plotted_ratio(relation: str, value: float, value_high: float | None, evidence: float) -> float:
    """Claimed value over evidence value; for a range, its end nearest the evidence (1 if inside)."""
    e = float(evidence)
    if relation == "evidence_in_range":
        high = value if value_high is None or pd.isna(value_high) else value_high
        return min(max(e, value), high) / e
    return value / e


def _label(sub: pd.DataFrame) -> str:
    quotes = " / ".join(f"\u201c{q}\u201d" for q in dict.fromkeys(sub["quoted"]))
    return f"{sub['speaker'].iloc[0]}: {quotes}, {sub['measures'].iloc[0]}"


def _grouped(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``label`` and ``outlets`` per claim group; keep one row per (group, evidence)."""
    labels = {g: _label(sub) for g, sub in frame.groupby("group", sort=False)}
    outlets = frame.groupby("group", sort=False)["outlet"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    frame["label"] = frame["group"].map(labels)
    frame["outlets"] = frame["group"].map(outlets)
    return frame.drop_duplicates(["group", "evidence"]).reset_index(drop=True)


def _point(claim: dict, e: Evidence, ok: bool, **values) -> dict:
    """One plotted point: the claim's group and attribution, its plotted ``values``, and how the evidence fared."""
    return {
        "group": claim["claim_group"],
        "quoted": claim["quoted"],
        "measures": claim["measures"],
        "speaker": claim["speaker"],
        "outlet": claim["outlet"],
        **values,
        "agrees": ok,
        "verdict": claim["verdict"],
        "evidence": e.label,
        "source": e.source,
    }


def ratio_points(ledger: pd.DataFrame) -> pd.DataFrame:
    """Claimed/evidence ratios for the ratio chart, one row per (distinct claim, evidence value).

    Appearances of one claim group are one row. Percentile relations and context values are left
    out; for a claimed range the ratio uses the range's end nearest the evidence.
    """
    rows = []
    for claim in ledger.to_dict("records"):
        if claim["verdict"] == NOT_CHECKABLE or claim["relation"] not in RELATIONS[:4]:
            continue
        for e, ok in claim["evidence"]:
            if e.context or float(e.value) == 0:
                continue
            lo, hi = band(
                claim["relation"],
                claim["value"],
                claim.get("value_high"),
                e.value,
                claim.get("tolerance") or 0,
                claim.get("tolerance_kind") or "abs",
            )
            ratio = plotted_ratio(claim["relation"], claim["value"], claim.get("value_high"), e.value)
            rows.append(_point(claim, e, ok, ratio=ratio, band_lo=lo, band_hi=hi))
    frame = pd.DataFrame(rows)
    return _grouped(frame) if len(frame) else frame


def percentile_points(ledger: pd.DataFrame) -> pd.DataFrame:
    """The claims judged by their percentile in a simulation, one row per distinct claim."""
    rows = []
    for claim in ledger.to_dict("records"):
        if claim["relation"] not in PERCENTILE_RELATIONS or claim["verdict"] == NOT_CHECKABLE:
            continue
        for e, ok in claim["evidence"]:
            if e.context:
                continue
            rows.append(
                _point(
                    claim,
                    e,
                    ok,
                    percentile=float(e.value),
                    lo=0.0 if claim["relation"] == "percentile_at_most" else float(claim["tolerance"]),
                    hi=100.0 if claim["relation"] == "percentile_at_least" else 100 - float(claim["tolerance"]),
                )
            )
    frame = pd.DataFrame(rows)
    return _grouped(frame) if len(frame) else frame


# ---------------------------------------------------------------------------------------------
# Findings (notebook 05's opening, every number computed)


def _count(n: int, word: str) -> str:
    return f"{fmt.number(n)} {word}{'' if n == 1 else 's'}"


def findings(ledger: pd.DataFrame, sens: pd.DataFrame | None = None) -> Markdown:
    """Three to five plain sentences a reporter could quote, computed from the ledger; data text escaped."""
    from .notebook import Markdown  # notebook-facing: kept out of the model's imports (it loads matplotlib)

    claims = distinct(ledger)
    counts = verdict_counts(claims)
    repeated = int((claims["appearances"] > 1).sum())
    esc = fmt.markdown
    forecasts = set(ledger.loc[ledger["relation"].isin(PERCENTILE_RELATIONS), "claim_group"])
    n_implausible = int(claims.loc[claims["verdict"] == "inconsistent", "claim_group"].isin(forecasts).sum())
    found = [f"{fmt.number(counts[v])} {v}" for v in VERDICTS[:-1]]
    if counts["inconsistent"]:
        found[1] += (
            f" ({fmt.number(n_implausible)} of them cost or time forecasts: implausible against projects already "
            "built, not shown false)"
            if n_implausible
            else " (contradicted by the data)"
        )
    first = (
        f"Of the {fmt.number(len(claims))} distinct figures and dates in the "
        f"{fmt.number(ledger['source_id'].nunique())} news pieces ({fmt.number(len(ledger))} appearances: "
        f"{_count(repeated, 'claim')} appear in more than one piece), the data find "
        + ", ".join(found)
        + f"; {fmt.number(counts[NOT_CHECKABLE])} cannot be checked with this collection"
    )
    if sens is not None:
        flips = flipping(sens)
        first += (
            "; no verdict changes under the other model scenarios and assumption variants"
            if flips.empty
            else "; "
            + "; ".join(
                f"{esc(r.quoted)} ({esc(r.speaker)}) flips ({esc(r.verdicts)}) where {esc(r.drivers)}"
                for r in flips.itertuples()
            )
        )
    lines = [first + "."]
    score = scorecard(ledger)
    bad = score["inconsistent"] + score["unsupported"] + score["contested"]
    if bad.max() > 0:
        who = bad.idxmax()
        row = score.loc[who]
        mine = claims[(claims["speaker"] == who) & (claims["verdict"] == "inconsistent")]
        n_forecast = int(mine["claim_group"].isin(forecasts).sum())
        implausible = (
            f" ({fmt.number(n_forecast)} of them forecasts, judged implausible against the reference "
            "class of projects already built rather than shown false)"
            if n_forecast
            else ""
        )
        lines.append(
            f"{esc(who)} made {_count(int(row['total']), 'distinct claim')}: "
            f"{fmt.number(int(row['consistent']))} hold up, {fmt.number(int(row['inconsistent']))} are "
            f"inconsistent with the data{implausible}, {fmt.number(int(row['unsupported']))} unsupported and "
            f"{fmt.number(int(row['contested']))} contested by the data."
        )
    view = outlet_view(ledger)
    unfaithful = int((view["quoting others"] - view["quoted faithfully"]).sum())
    quoted = int(view["quoting others"].sum())
    lines.append(
        f"The outlets quoted others {fmt.number(quoted)} times and "
        + (
            "every quotation matches its other appearances"
            if unfaithful == 0
            else f"{_count(unfaithful, 'quotation')} differ from another appearance of the same claim"
        )
        + f"; their own figures number {fmt.number(int(view['own figures'].sum()))}, of which "
        f"{fmt.number(int(view['own: consistent'].sum()))} are consistent with the data."
    )
    unsupported = claims[claims["verdict"] == "unsupported"]
    if len(unsupported):
        lines.append(
            "Unsupported, not contradicted: "
            + "; ".join(f"{esc(r.quoted)} ({esc(r.speaker)})" for r in unsupported.itertuples())
            + ", for which no sourced evidence reaches that far, though an earlier record may exist."
        )
    if sens is not None:
        names = [c for c in sens.columns if c not in META_COLUMNS]
        flips = flipping(sens)
        text = (
            f"Across {fmt.number(len(names))} model scenarios and assumption variants, "
            f"{_count(len(flips), 'checkable claim')} of {fmt.number(len(sens))} "
            f"change{'s' if len(flips) == 1 else ''} verdict"
        )
        if len(flips):
            text += ": " + "; ".join(
                f"{esc(r.quoted)} ({esc(r.speaker)}: {esc(r.verdicts)})" for r in flips.itertuples()
            )
        lines.append(text + ".")
    return Markdown("**Findings**\n\n" + "\n".join(f"- {line}" for line in lines[:5]))
