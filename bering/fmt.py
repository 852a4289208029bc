"""One way to write a number for a reader, used by the README, the site, the overview and notebook prose.

``number(667507.3, "USD 2025 per year")`` gives ``"667,507"``; ``number(1890, "year")`` gives
``"1890"`` (years never take a thousands separator); ``number(0.0223)`` gives ``"0.0223"``;
``number(0.00371, "percent")`` gives ``"0.0037"``.

The rule, by size of the number:

- whole numbers: thousands separated by commas, except calendar years;
- 100 or more: rounded to a whole number, with separators;
- 10 to 100: one decimal;
- 0.01 to 10: three significant digits;
- 1e-9 to 0.01: two significant digits, written out (``0.0037``, ``0.00012``);
- smaller (and not zero): scientific notation with three significant digits.

A number that rounds up into the next band is written by that band's rule (99.96 gives ``"100"``,
not ``"100.0"``). Text that is not a number is returned as it is.

:func:`markdown` escapes text from the data before it enters Markdown, so a claim or a title that
contains HTML or Markdown syntax is shown as the text it is. :func:`rounded` is the same rule for
Findings prose, after rounding to two or three significant figures ("8,700", not "8,667"), so a
sentence claims no more precision than its inputs have.
"""

from __future__ import annotations

import math

from . import escape

#: Units whose numbers are calendar years (no thousands separator).
YEAR_UNITS = ("year", "calendar year", "year ad")


def number(value, unit: str = "") -> str:
    """``value`` as prose writes it (see the module documentation for the rule)."""
    if isinstance(value, bool):
        raise TypeError("a number, not a boolean, is needed")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    number_ = float(value)
    if not math.isfinite(number_):
        return str(number_)
    is_year = (unit or "").strip().lower() in YEAR_UNITS
    if number_.is_integer():
        return str(int(number_)) if is_year else f"{int(number_):,}"
    return _by_size(number_)


def _by_size(value: float) -> str:
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        text = f"{value:.1f}"
        return text if abs(float(text)) < 100 else f"{value:,.0f}"
    if size >= 0.01:
        return f"{value:.3g}"
    if size >= 1e-9:  # two significant digits, written out: 0.0037 rather than 3.71e-03
        digits = 1 - math.floor(math.log10(size))
        text = f"{value:.{digits}f}"
        if abs(float(text)) >= 10 ** (2 - digits):  # rounded up to the next power of ten
            text = f"{value:.{digits - 1}f}"
        return text
    return f"{value:.2e}"


def with_unit(value, unit: str) -> str:
    """``number(value, unit)`` followed by the unit, except for calendar years."""
    text = number(value, unit)
    return text if (unit or "").strip().lower() in YEAR_UNITS or not unit else f"{text} {unit}"


def markdown(text) -> str:
    """Text from the data made safe for Markdown that a notebook or site renders as HTML.

    One escaping rule for the whole collection (:func:`bering.escape.markdown`), with line breaks
    folded so a value stays on its line; a missing value (None or NaN) is the empty string.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return escape.markdown(text, table_cell=True)


def round_sig(value: float, sig: int = 2) -> float:
    """``value`` rounded to ``sig`` significant figures (0, inf and nan stay as they are):
    ``round_sig(8494, 2) == 8500``."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{sig}g}")


def rounded(value, sig: int = 2, unit: str = "") -> str:
    """``value`` to ``sig`` significant figures, written by :func:`number`: 8,667 -> '8,700',
    39,354 -> '39,000', 8.0 -> '8', 15.8 -> '16', 0.01234 -> '0.012'."""
    return number(round_sig(value, sig), unit)
