"""Text from the data, made safe for the format it is written into.

A value in a CSV is data, whoever wrote it. Wherever it becomes part of another format it is
escaped for that format, so that it shows as the text it is and never acts as markup or code:

:func:`html`
    HTML text or a quoted attribute value (``<``, ``>``, ``&``, both quotes).
:func:`markdown`
    Markdown that a renderer turns into HTML (notebook cells, the README, the site): HTML is
    escaped as entities and every character Markdown gives a meaning to is backslash-escaped, so
    ``<img onerror=...>``, ``[link](javascript:...)``, ``*emphasis*`` and ``| table`` stay text.
    ``table_cell=True`` also folds line breaks into spaces, for a cell of a Markdown table.
:func:`spreadsheet_cell` / :func:`spreadsheet_frame`
    CSV cells that a spreadsheet would run as a formula (OWASP "CSV injection"): a cell starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, which
    spreadsheets read as "this is text" and do not show. Plain numbers, negative ones included,
    are left as they are: ``-406`` is a number, not a formula. :func:`spreadsheet_unescape`
    undoes it exactly, so that a CSV the collection writes reads back as the values written.
"""

from __future__ import annotations

import html as _html
import re

import pandas as pd

#: Characters that make a spreadsheet treat a cell as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: A plain number (optionally signed, decimal, exponent): a spreadsheet reads it as a number.
_PLAIN_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
#: Every ASCII punctuation character that CommonMark allows to be backslash-escaped and that has a
#: meaning somewhere in Markdown (emphasis, code, links, headings, lists, tables, HTML).
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~^$])")


def html(text) -> str:
    """``text`` as HTML text or attribute value: ``<``, ``>``, ``&``, ``"`` and ``'`` escaped."""
    return _html.escape("" if text is None else str(text), quote=True)


def markdown(text, table_cell: bool = False) -> str:
    """``text`` as Markdown that renders as exactly that text, never as markup or HTML.

    ``&``, ``<`` and ``>`` become HTML entities (a raw tag in Markdown passes through to the HTML);
    Markdown punctuation is backslash-escaped. With ``table_cell`` line breaks become spaces, so a
    value cannot end a table row early."""
    text = "" if text is None else str(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL_RE.sub(r"\\\1", text)
    if table_cell:
        text = re.sub(r"[\r\n]+", " ", text)
    return text


def _needs_quote_mark(cell: str) -> bool:
    if cell[:1] == "'":
        return _needs_quote_mark(cell[1:])
    return cell[:1] in FORMULA_TRIGGERS and not _PLAIN_NUMBER_RE.match(cell)


def spreadsheet_cell(value):
    """``value`` safe to open in a spreadsheet: text that would start a formula gets a leading
    apostrophe; numbers, plain numeric text and everything else are returned unchanged.

    An apostrophe already in front of such text gets another one, so that
    :func:`spreadsheet_unescape` can tell the two apart and restore either exactly."""
    if not isinstance(value, str) or not value:
        return value
    return "'" + value if _needs_quote_mark(value) else value


def spreadsheet_unescape(value):
    """The value :func:`spreadsheet_cell` was given, from what it returned."""
    if isinstance(value, str) and value[:1] == "'" and _needs_quote_mark(value[1:]):
        return value[1:]
    return value


def _map_text(frame: pd.DataFrame, func) -> pd.DataFrame:
    """A copy of ``frame`` with ``func`` applied to every cell of its text columns and to its text column names."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(func)
    out.columns = [func(c) if isinstance(c, str) else c for c in out.columns]
    return out


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name passed through :func:`spreadsheet_cell`.
    Numeric columns are left alone (a negative number is not a formula)."""
    return _map_text(frame, spreadsheet_cell)


def unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`spreadsheet_frame` on a table read back as text."""
    return _map_text(frame, spreadsheet_unescape)
