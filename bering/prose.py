"""Numbers as a reporter writes them in Findings prose: two or three significant figures.

:func:`bering.fmt.number` writes a number in full ("8,667", "39,354"); a finding rounds it first
("8,700", "39,000"), so a sentence does not claim more precision than its inputs have. The
rounded value is then written by :func:`bering.fmt.number`, so separators follow the collection's rule.
"""

from __future__ import annotations

import math

from . import fmt


def round_sig(value: float, sig: int = 2) -> float:
    """``value`` rounded to ``sig`` significant figures (0 stays 0)."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    digits = sig - int(math.floor(math.log10(abs(value)))) - 1
    return round(value, digits)


def rounded(value, sig: int = 2, unit: str = "") -> str:
    """``value`` to ``sig`` significant figures, written by :func:`bering.fmt.number`: 8,667 -> '8,700',
    39,354 -> '39,000', 8.0 -> '8', 15.8 -> '16', 0.01234 -> '0.012'."""
    return fmt.number(round_sig(value, sig), unit)
