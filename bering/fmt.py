"""One way to write a number for a reader, used by the README, the overview and notebook prose.

``number(667507.3, "USD 2025 per year")`` gives ``"667,507"``; ``number(1890, "year")`` gives
``"1890"`` (years never take a thousands separator); ``number(0.0223)`` gives ``"0.0223"``.

The rule, by size of the number:

- whole numbers: thousands separated by commas, except calendar years;
- 100 or more: rounded to a whole number, with separators;
- 10 to 100: one decimal;
- 0.01 to 10: three significant digits;
- smaller (and not zero): scientific notation with three significant digits.

:func:`markdown` escapes text from the data before it enters Markdown, so a claim or a title that
contains HTML or Markdown syntax is shown as the text it is.
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
    size = abs(number_)
    if size >= 100:
        return f"{number_:,.0f}"
    if size >= 10:
        return f"{number_:.1f}"
    if size >= 0.01:
        return f"{number_:.3g}"
    return f"{number_:.2e}"


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
