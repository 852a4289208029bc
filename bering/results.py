"""Every analysis's key numbers, computed from the data through the package.

Each topic module exposes ``results(data_dir=None, scenario="baseline")``: a frame with columns
``key, value, unit, description``, computed from the data folder alone and cached. This module
concatenates them in the order of :data:`REGISTRY`, adding the module and notebook each number
comes from. Nothing here reads ``figures/``: ``figures/key_numbers.csv`` is written by the
notebooks, never read back, so an analysis can never be checked against a stale number.

>>> from bering import results
>>> results.key_numbers().set_index("key").loc["first_proposal_year", "value"]
1890.0
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd

#: The analysis modules whose ``results()`` make up the key numbers, with the notebook each serves.
#: A registered module that is missing or has no ``results()`` is an error (see
#: :func:`missing_modules`): the ledger never checks a claim against a partial set of numbers.
REGISTRY: tuple[tuple[str, str], ...] = (
    ("timeline", "01_proposal_timeline"),
    ("route", "02_route_geometry"),
    ("montecarlo", "03_cost_benchmarks"),
    ("minerals", "04_critical_minerals"),
    ("economics", "06_economic_case"),
)
COLUMNS = ["key", "value", "unit", "description", "module", "notebook"]
BASELINE = "baseline"


def _module(name: str):
    try:
        module = importlib.import_module(f"bering.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bering.{name}":
            return None
        raise
    return module if callable(getattr(module, "results", None)) else None


def missing_modules() -> list[str]:
    """Registered modules that cannot contribute key numbers (absent, or without ``results()``)."""
    return [name for name, _ in REGISTRY if _module(name) is None]


def scenarios() -> list[str]:
    """The model scenarios every key number can be computed under (baseline first)."""
    from . import montecarlo

    names = list(getattr(montecarlo, "SCENARIOS", {BASELINE: None}))
    return [BASELINE] + [n for n in names if n != BASELINE]


def check_frame(frame: pd.DataFrame, module: str) -> pd.DataFrame:
    """A module's results, checked against the contract (columns, unique keys, numeric values)."""
    missing = [c for c in ("key", "value", "unit", "description") if c not in frame.columns]
    if missing:
        raise ValueError(f"bering.{module}.results() lacks the columns {missing}")
    dupes = sorted(set(frame.loc[frame["key"].duplicated(), "key"]))
    if dupes:
        raise ValueError(f"bering.{module}.results() repeats the keys {dupes}")

    def number(value):
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return value  # a label such as a scope: kept as text, never compared as a number
        return None if value is None else float(value)

    values = frame["value"].map(number)
    missing_values = frame.loc[values.isna(), "key"].tolist()
    if missing_values:
        raise ValueError(f"bering.{module}.results() has no value for {missing_values}")
    return frame.assign(value=values.astype(object))[["key", "value", "unit", "description"]]


def combine(frames: dict[str, pd.DataFrame], notebooks: dict[str, str] | None = None) -> pd.DataFrame:
    """Concatenate per-module result frames; a key given by two modules is an error naming both."""
    notebooks = notebooks or dict(REGISTRY)
    parts = [
        check_frame(frame, name).assign(module=name, notebook=notebooks.get(name, "")) for name, frame in frames.items()
    ]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    clash = table[table["key"].duplicated(keep=False)]
    if len(clash):
        key = clash["key"].iloc[0]
        owners = ", ".join(clash.loc[clash["key"] == key, "module"])
        raise ValueError(f"key number '{key}' is given by more than one module: {owners}")
    return table[COLUMNS].reset_index(drop=True)


def key_numbers(scenario: str = BASELINE, data_dir: Path | None = None, modules=None) -> pd.DataFrame:
    """Every registered module's key numbers under ``scenario`` (columns :data:`COLUMNS`).

    ``modules`` (names of :data:`REGISTRY`) computes only those modules' numbers, in registry order:
    for a caller that reads a known set of keys (the ledger's sensitivity recomputes only the modules
    whose keys a claim refers to).
    """
    known = scenarios()
    if scenario not in known:
        raise ValueError(f"unknown scenario '{scenario}'; use one of: {', '.join(known)}")
    frames = {}
    absent = missing_modules()
    if absent:
        raise RuntimeError(
            "the results registry names modules that give no results(): "
            + ", ".join(f"bering.{name}" for name in absent)
        )
    if modules is not None:
        unknown = sorted(set(modules) - {name for name, _ in REGISTRY})
        if unknown:
            raise ValueError(f"not in the results registry: {', '.join(unknown)}")
    for name, _ in REGISTRY:
        if modules is None or name in modules:
            frames[name] = _module(name).results(data_dir, scenario)
    return combine(frames)
