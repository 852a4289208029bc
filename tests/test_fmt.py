"""The collection's one number formatter (``bering.fmt.number``), used by the README, the site,
the overview and the notebooks' prose: each size band against strings worked out by hand."""

from __future__ import annotations

import pytest

from bering import fmt


@pytest.mark.parametrize(
    "value,unit,text",
    [
        # whole numbers: thousands separators, except calendar years
        (667507, "USD 2025 per year", "667,507"),
        (1234567.0, "USD", "1,234,567"),
        (-21, "count", "-21"),
        (0, "", "0"),
        (1890, "year", "1890"),
        (2025.0, "calendar year", "2025"),
        ("1890", "year", "1890"),
        # 100 or more: a whole number with separators
        (667507.3, "USD 2025 per year", "667,507"),
        (100.926, "USD 2025 bn", "101"),
        (-406.2, "USD", "-406"),
        (1399.97, "km", "1,400"),
        # 10 to 100: one decimal (and a value that rounds to 100 is written as the next band)
        (42.1234, "km", "42.1"),
        (85.6475, "km", "85.6"),
        (-10.04, "", "-10.0"),
        (99.96, "", "100"),
        # 0.01 to 10: three significant digits
        (2.45326, "USD 2025 bn", "2.45"),
        (3.95375, "km", "3.95"),
        (0.0223, "fraction", "0.0223"),
        (0.012345, "", "0.0123"),
        (0.01, "", "0.01"),
        (9.9996, "", "10"),
        # 1e-9 to 0.01: two significant digits, written out
        (0.00371, "percent", "0.0037"),
        ("0.00371429", "percent", "0.0037"),
        (0.000123, "share", "0.00012"),
        (-0.0037, "", "-0.0037"),
        (0.00999, "", "0.010"),
        (0.001, "", "0.0010"),
        (1.5e-9, "", "0.0000000015"),
        # smaller: scientific, three significant digits
        (5.04e-10, "", "5.04e-10"),
        (-1.234e-12, "", "-1.23e-12"),
    ],
)
def test_each_size_band(value, unit, text):
    assert fmt.number(value, unit) == text


def test_what_is_not_a_number():
    assert fmt.number("n/a", "km") == "n/a"
    assert fmt.number(float("inf")) == "inf"
    with pytest.raises(TypeError, match="not a boolean"):
        fmt.number(True)


def test_the_old_second_formatter_is_gone():
    from bering import export

    assert not hasattr(export, "display_number")
