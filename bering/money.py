"""Restate money in another currency and price year.

An amount is only meaningful with its currency and the year whose prices it is in ("GBP 4.65
billion in 1985 prices"). :class:`Money` converts such amounts to a common base, by default US
dollars of 2025 (``USD 2025``), with one of two methods:

``fx_then_deflate`` (default)
    convert to US dollars at the price year's average market rate, then bring the dollars to the
    base year with the US consumer price index (CPI-U; a sourced estimate before 1913).
``deflate_then_fx``
    bring the amount to the base year with its own country's consumer price index, then convert
    at the base year's market rate.

The two differ when a currency's inflation and its exchange rate did not move in step; figures
that use the conversion state the method with :func:`method_note`.

Every series ships in ``data/`` (``us_price_index.csv``, ``fx_rates.csv``,
``local_price_index.csv``). An amount outside the years a series covers raises
:class:`MoneyCoverageError`; nothing is extrapolated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import data, paths

BASE_CURRENCY = "USD"
BASE_YEAR = 2025
METHODS = ("fx_then_deflate", "deflate_then_fx")
_METHOD_NOTES = {
    "fx_then_deflate": "converted at the price year's market exchange rate, then deflated with US CPI-U",
    "deflate_then_fx": "deflated with the local consumer price index, then converted at the base year's exchange rate",
}


class MoneyCoverageError(ValueError):
    """An amount needs a price index or exchange rate for a year the data do not cover."""


def label(currency: str = BASE_CURRENCY, year: int = BASE_YEAR) -> str:
    """The label of a currency and price year, e.g. ``'USD 2025'``."""
    return f"{currency} {year}"


def method_note(method: str = "fx_then_deflate", currency: str = BASE_CURRENCY, year: int = BASE_YEAR) -> str:
    """A one-line statement of the conversion, for figure source lines."""
    _check_method(method)
    return f"Amounts in {label(currency, year)}: {_METHOD_NOTES[method]}."


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown conversion method '{method}'; use one of: {', '.join(METHODS)}")


def _span(series: pd.Series) -> str:
    return f"{int(series.index.min())}-{int(series.index.max())}" if len(series) else "no years"


@dataclass
class Money:
    """Price indices and exchange rates, and the conversions they allow.

    ``us_index``: US price index by year. ``fx``: units of each currency per US dollar by year.
    ``local_index``: each currency area's consumer price index by year.
    """

    us_index: pd.Series
    fx: dict[str, pd.Series]
    local_index: dict[str, pd.Series] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data_dir: Path | None = None) -> "Money":
        """Build from the CSVs in the data folder (validated on load)."""
        return _from_data_cached(str(paths.absolute(data_dir) if data_dir else paths.data_dir()))

    # -- lookup helpers ------------------------------------------------------------------------

    def currencies(self) -> list[str]:
        """Every currency that can be converted."""
        return sorted({BASE_CURRENCY, *self.fx})

    def _series_at(self, series: pd.Series, years: np.ndarray, what: str) -> np.ndarray:
        values = series.reindex(years).to_numpy(dtype=float)
        bad = np.isnan(values)
        if bad.any():
            missing = sorted({int(y) for y in years[bad]})
            raise MoneyCoverageError(
                f"no {what} for {', '.join(map(str, missing))} (covered: {_span(series)}); "
                "amounts outside the covered years are not extrapolated"
            )
        return values

    def _fx(self, currency: str, years: np.ndarray) -> np.ndarray:
        if currency == BASE_CURRENCY:
            return np.ones(len(years))
        if currency not in self.fx:
            raise MoneyCoverageError(f"unknown currency '{currency}'; known: {', '.join(self.currencies())}")
        return self._series_at(self.fx[currency], years, f"{currency} per USD exchange rate")

    def _local(self, currency: str, years: np.ndarray) -> np.ndarray:
        if currency == BASE_CURRENCY:
            return self._series_at(self.us_index, years, "US price index")
        if currency not in self.local_index:
            raise MoneyCoverageError(f"no local price index for '{currency}'")
        return self._series_at(self.local_index[currency], years, f"{currency} local price index")

    # -- conversion ----------------------------------------------------------------------------

    def convert(
        self,
        amount,
        currency,
        price_year,
        to_currency: str = BASE_CURRENCY,
        to_year=BASE_YEAR,
        method: str = "fx_then_deflate",
    ):
        """Restate ``amount`` (in ``currency`` at ``price_year`` prices) in ``to_currency`` of ``to_year``.

        ``amount``, ``currency``, ``price_year`` and ``to_year`` may be scalars or equal-length
        arrays; the result has the shape of ``amount``. Raises :class:`MoneyCoverageError` for a currency or
        year the data do not cover and :class:`ValueError` for an unknown method.
        """
        _check_method(method)
        scalar = np.ndim(amount) == 0
        amounts = np.atleast_1d(np.asarray(amount, dtype=float))
        n = len(amounts)
        currencies = np.broadcast_to(np.asarray(currency, dtype=object), (n,))
        years_in = np.broadcast_to(np.asarray(price_year), (n,))
        if pd.isna(pd.Series(years_in, dtype="object")).any():
            raise MoneyCoverageError("an amount has no price year; every amount needs one")
        years = years_in.astype(int)
        to_years = np.broadcast_to(np.asarray(to_year), (n,)).astype(int)
        out = np.empty(n)
        for cur in pd.unique(currencies):
            mask = currencies == cur
            yrs = years[mask]
            if method == "fx_then_deflate":
                usd = amounts[mask] / self._fx(cur, yrs)
                usd_base = (
                    usd
                    * self._series_at(self.us_index, to_years[mask], "US price index")
                    / self._series_at(self.us_index, yrs, "US price index")
                )
            else:
                local_base = amounts[mask] * self._local(cur, to_years[mask]) / self._local(cur, yrs)
                usd_base = local_base / self._fx(cur, to_years[mask])
            out[mask] = usd_base * self._fx(to_currency, to_years[mask])
        return float(out[0]) if scalar else out

    def restate(
        self,
        frame: pd.DataFrame,
        amount: str,
        currency: str,
        price_year: str,
        to_currency: str = BASE_CURRENCY,
        to_year: int = BASE_YEAR,
        method: str = "fx_then_deflate",
    ) -> pd.Series:
        """Vectorised :meth:`convert` over DataFrame columns; rows without an amount give NaN."""
        has = frame[amount].notna().to_numpy()
        result = np.full(len(frame), np.nan)
        if has.any():
            sub = frame.loc[has]
            result[has] = self.convert(
                sub[amount].to_numpy(dtype=float),
                sub[currency].to_numpy(dtype=object),
                sub[price_year].to_numpy(dtype=float),
                to_currency,
                to_year,
                method,
            )
        return pd.Series(result, index=frame.index, name=f"{amount}_{to_currency.lower()}{to_year}")

    def coverage(self) -> pd.DataFrame:
        """First and last year of every series."""
        rows = [("USD", "US price index", *self.us_index.index[[0, -1]])]
        for cur, s in sorted(self.fx.items()):
            rows.append((cur, "exchange rate per USD", s.index.min(), s.index.max()))
        for cur, s in sorted(self.local_index.items()):
            rows.append((cur, "local price index", s.index.min(), s.index.max()))
        return pd.DataFrame(rows, columns=["currency", "series", "first_year", "last_year"])


def _by_year(frame: pd.DataFrame, value: str) -> pd.Series:
    return pd.Series(frame[value].to_numpy(float), index=frame["year"].astype(int)).sort_index()


def from_frames(us: pd.DataFrame, fx: pd.DataFrame, local: pd.DataFrame) -> Money:
    """Build a :class:`Money` from the three tables as :func:`bering.data.load` returns them."""
    return Money(
        _by_year(us, "index_value"),
        {cur: _by_year(g, "units_per_usd") for cur, g in fx.groupby("currency")},
        {cur: _by_year(g, "index_value") for cur, g in local.groupby("currency")},
    )


@lru_cache(maxsize=4)
def _from_data_cached(data_dir: str) -> Money:
    return from_frames(
        data.load("us_price_index", data_dir, cross_checks=False),
        data.load("fx_rates", data_dir, cross_checks=False),
        data.load("local_price_index", data_dir, cross_checks=False),
    )


def convert(
    amount,
    currency,
    price_year,
    to_currency: str = BASE_CURRENCY,
    to_year: int = BASE_YEAR,
    method: str = "fx_then_deflate",
    data_dir: Path | None = None,
):
    """Module-level shortcut for :meth:`Money.convert` with the shipped data."""
    return Money.from_data(data_dir).convert(amount, currency, price_year, to_currency, to_year, method)
