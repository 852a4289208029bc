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

import hashlib
import importlib
from collections import OrderedDict
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


def content_key(folder: Path, tables=(), files=(), assumptions=()) -> bytes | None:
    """A digest of exactly what an analysis reads from ``folder``, not of where the folder is.

    ``tables`` are the tables it loads (a name, or ``(name, cross_checks)``), each counted by the
    fingerprint :func:`bering.data.load` validates it under (the dictionary, the table, the tables
    its foreign keys and cross-table rules read); ``files`` are other files of the folder (read
    whole); ``assumptions`` are ids of ``assumptions.csv`` counted by their values, so a copy of the
    folder that differs only in other assumptions gives the same key. Looking the values up loads
    ``assumptions.csv`` from ``folder``, which validates it there as the analysis would.

    None when a table's files cannot be named or read, or the assumptions cannot be looked up:
    the caller then computes without the cache and reports whatever is wrong itself.
    """
    from . import data

    digest = hashlib.blake2b(digest_size=16)
    try:
        for spec in tables:
            name, cross = (spec, True) if isinstance(spec, str) else spec
            fingerprint = data._fingerprint(folder, name, bool(cross))
            if fingerprint is None:
                return None
            digest.update(f"table:{name}:{bool(cross)}\0".encode() + fingerprint)
        if files:
            digest.update(b"files\0" + data._digest_files(folder, list(files)))
        if assumptions:
            values = data.assumption_values(assumptions, folder)
            digest.update(repr(sorted(values.items())).encode())
    except (OSError, ValueError, KeyError, TypeError, data.DataValidationError):
        return None
    return digest.digest()


class ContentCache:
    """Results of one analysis step by :func:`content_key` of its inputs, at most ``maxsize`` of them
    (least recently used dropped first). Only results are kept, never a failure; a key of None is
    computed every time. ``computed`` counts the computations (for tests)."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.computed = 0
        self._items: OrderedDict = OrderedDict()

    def get(self, key, compute):
        if key is not None and key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = compute()
        self.computed += 1
        if key is not None:
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()
        self.computed = 0


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
