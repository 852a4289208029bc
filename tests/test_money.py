"""Money conversion against hand-computed values, on small made-up series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bering.money import Money, MoneyCoverageError, label, method_note


@pytest.fixture
def money() -> Money:
    us = pd.Series({2000: 100.0, 2010: 150.0, 2025: 200.0})
    fx = {"GBP": pd.Series({2000: 0.5, 2010: 0.6, 2025: 0.8}), "JPY": pd.Series({2000: 100.0, 2025: 150.0})}
    local = {"GBP": pd.Series({2000: 80.0, 2010: 100.0, 2025: 160.0}), "JPY": pd.Series({2000: 100.0, 2025: 105.0})}
    return Money(us, fx, local)


def test_usd_deflation(money):
    # 10 USD of 2000 at CPI 100 -> 2025 at CPI 200 = 20
    assert money.convert(10, "USD", 2000) == pytest.approx(20.0)


def test_fx_then_deflate(money):
    # GBP 4 in 2000 at 0.5 GBP/USD = USD 8 of 2000; x 200/100 = USD 16 of 2025
    assert money.convert(4, "GBP", 2000) == pytest.approx(16.0)


def test_deflate_then_fx(money):
    # GBP 4 of 2000 x 160/80 = GBP 8 of 2025; / 0.8 GBP/USD = USD 10
    assert money.convert(4, "GBP", 2000, method="deflate_then_fx") == pytest.approx(10.0)


def test_target_currency_and_year(money):
    # USD 30 of 2010 -> USD of 2025: 30 x 200/150 = 40; in GBP at 0.8 = GBP 32 of 2025
    assert money.convert(30, "USD", 2010, to_currency="GBP") == pytest.approx(32.0)
    # JPY 1000 of 2025 -> USD of 2000 prices: 1000/150 = 6.667 USD 2025; x 100/200 = 3.333
    assert money.convert(1000, "JPY", 2025, to_year=2000) == pytest.approx(10 / 3)


def test_vectorised_matches_scalar(money):
    amounts = np.array([4.0, 10.0, 1000.0])
    out = money.convert(amounts, np.array(["GBP", "USD", "JPY"], dtype=object), np.array([2000, 2000, 2025]))
    assert out == pytest.approx([16.0, 20.0, 1000 / 150])


def test_restate_dataframe_keeps_blanks(money):
    frame = pd.DataFrame({"amt": [4.0, None], "cur": ["GBP", None], "yr": [2000, None]})
    out = money.restate(frame, "amt", "cur", "yr")
    assert out.iloc[0] == pytest.approx(16.0) and np.isnan(out.iloc[1])


def test_year_outside_coverage_is_an_error(money):
    with pytest.raises(MoneyCoverageError, match=r"no US price index for 1990 \(covered: 2000-2025\)"):
        money.convert(1, "USD", 1990)
    with pytest.raises(MoneyCoverageError, match=r"no JPY per USD exchange rate for 2010"):
        money.convert(1, "JPY", 2010)


def test_unknown_currency_and_method(money):
    with pytest.raises(MoneyCoverageError, match="unknown currency 'XYZ'"):
        money.convert(1, "XYZ", 2000)
    with pytest.raises(ValueError, match="unknown conversion method 'magic'"):
        money.convert(1, "USD", 2000, method="magic")


def test_labels():
    assert label() == "USD 2025"
    assert "deflated with US CPI-U" in method_note("fx_then_deflate")
    assert method_note("deflate_then_fx", "EUR", 2020).startswith("Amounts in EUR 2020:")


def test_pre1913_splice_by_hand():
    """MeasuringWorth 1913 = 9.60, BLS 1913 = 9.9: every earlier value is scaled by 9.9 / 9.60."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "derive_money_series.py"
    spec = importlib.util.spec_from_file_location("derive_money_series", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    from bering import data

    spliced = mod.splice_pre1913({1912: 9.40, 1913: 9.60})
    assert list(spliced) == [1912] and spliced[1912] == pytest.approx(9.40 * 9.9 / 9.60, abs=1e-4)
    shipped = data.load("us_price_index").set_index("year")["index_value"]
    raw = mod.read_raw_pre1913()
    assert shipped[1912] / shipped[1913] == pytest.approx(raw[1912] / raw[1913], rel=1e-4)
    assert shipped[1880] == pytest.approx(raw[1880] * 9.9 / 9.60, abs=1e-4)
    with pytest.raises(ValueError, match="must include 1913"):
        mod.splice_pre1913({1912: 9.4})
