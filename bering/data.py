"""Load the collection's CSVs, validated against the data dictionary ``data/datapackage.json``.

The dictionary is a Frictionless Data Package: each resource names its CSV and gives every field a
type, a description, a unit and constraints (required, unique, enum, minimum, maximum, pattern),
plus primary and foreign keys. :func:`validate_package` checks every file and returns every problem
it finds; :func:`load` returns one table as a typed DataFrame or raises :class:`DataValidationError`.

Every problem names the file, the line (as a text editor counts it, header = line 1), the column
and the rule broken, so that a user who edits a CSV can go straight to the cell.

Two readings are accepted on purpose: a UTF-8 byte-order mark at the start of a file and CRLF
line endings (spreadsheet programs write both).

Files and dictionaries are untrusted input. The dictionary's own structure is checked against the
Frictionless specification (:func:`check_structure`) before it is applied to any row; a resource
path must be a plain relative name inside the data folder and nothing else is ever opened. What a
user's file really holds (another encoding or separator, a decimal comma, invisible characters, a
folder or a link loop where a CSV should be) is one problem with a hint, never an exception.

This module is the bottom layer: it imports no other analysis module. The rules that span tables
live above it in :mod:`bering.checks`, which registers them here with :func:`cross_check`.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import math
import os
import re
import stat
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from . import paths

PACKAGE_FILE = "datapackage.json"

# Digits are ASCII digits only: Python's \d and int() also accept full-width and other scripts'
# digits, which a spreadsheet or another program would not read as numbers.
_INT_RE = re.compile(r"^[+-]?\d+$", re.ASCII)
_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)
_UNIT_SUFFIX_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)\s*[A-Za-z%$£€]+\.?$", re.ASCII)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DECIMAL_COMMA_RE = re.compile(r"^[+-]?\d+,\d+$", re.ASCII)
_SPACE_GROUPS_RE = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f\u2009']\d{3})+([.,]\d+)?$")
_CURRENCY_PREFIX_RE = re.compile(r"^[+-]?[$£€¥]\s*[+-]?(\d+(\.\d*)?|\.\d+)$")
_ACCOUNTING_NEGATIVE_RE = re.compile(r"^\((\d+(\.\d*)?|\.\d+)\)$", re.ASCII)
_SPREADSHEET_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!")
_MISSING_MARKERS = (
    "NA",
    "N/A",
    "n/a",
    "na",
    "NaN",
    "nan",
    "null",
    "NULL",
    "None",
    "none",
    "-",
    "--",
    "\u2014",
    "\u2013",
    "?",
    ".",
    "missing",
)
#: Characters that do not show on screen but make two equal-looking values differ.
_INVISIBLE_RE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
#: The most a cell may hold; a longer one is reported (it is almost always a quote never closed).
FIELD_LIMIT = 131072


@dataclass(frozen=True)
class Problem:
    """One broken rule in one place."""

    file: str
    line: int | None
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return _printable(f"{', '.join(where)}: [{self.rule}] {self.message}")


#: The most of one problem's text that is printed (a cell's whole value could be very long).
MESSAGE_LIMIT = 2000


def _printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (an escape sequence from a file could
    rewrite the screen) written as escapes, and a very long text cut with its length stated."""
    text = _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    if len(text) > MESSAGE_LIMIT:
        text = f"{text[:MESSAGE_LIMIT]}... ({len(text):,} characters in all)"
    return text


class DataValidationError(ValueError):
    """Raised when a data file breaks its dictionary; carries every :class:`Problem` found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        head = f"{len(self.problems)} data problem(s):\n" if len(self.problems) > 1 else ""
        super().__init__(head + "\n".join(str(p) for p in self.problems))


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class RawTable:
    """A CSV read as text: header, rows of strings, and the file line each row starts on."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    truncated: bool = False  # a CSV syntax error stopped the reading early


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.REPO_ROOT))
    except (ValueError, OSError, RuntimeError):  # outside the repository, or a link loop
        return str(path)


def _bad_byte_column(raw: bytes, offset: int) -> tuple[int | None, str | None]:
    """Line and column name of the cell holding the undecodable byte at ``offset``."""
    text = raw.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = None
    try:
        for row in reader:
            if header is None:
                header = row
            for i, cell in enumerate(row):
                if any("\udc80" <= ch <= "\udcff" for ch in cell):
                    if header is row or header is None or i >= len(header):
                        return reader.line_num, None
                    return reader.line_num, header[i]
    except csv.Error:
        pass
    return None, None


def _open_problem(path: Path, name: str) -> Problem | None:
    """Why ``path`` cannot be read as a file, or ``None`` if it can be opened."""
    try:
        if path.is_symlink():
            path.resolve(strict=True)
        if not path.exists():
            return Problem(name, None, None, "file-exists", "file is missing")
        if path.is_dir():
            return Problem(name, None, None, "file-kind", "is a folder, not a file; the CSV should be here")
        if not path.is_file():
            return Problem(name, None, None, "file-kind", "is not a regular file (a device, pipe or socket)")
    except RuntimeError:
        return Problem(
            name,
            None,
            None,
            "file-kind",
            "is a symbolic link that points back to itself (a link loop); replace it with the file",
        )
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return Problem(name, None, None, "file-kind", f"cannot be opened ({reason})")
    return None


def _read_bytes(path: Path, name: str, problems: list[Problem]) -> bytes | None:
    problem = _open_problem(path, name)
    if problem is None:
        try:
            return path.read_bytes()
        except PermissionError:
            problem = Problem(
                name,
                None,
                None,
                "file-readable",
                "cannot be read (permission denied); give the user running this read access",
            )
        except OSError as exc:
            problem = Problem(
                name, None, None, "file-readable", f"cannot be read ({exc.strerror or type(exc).__name__})"
            )
    problems.append(problem)
    return None


def _encoding_hint(raw: bytes) -> str:
    """What the bytes look like when they are not UTF-8, in words a spreadsheet user knows."""
    try:
        sample = raw.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    odd = " ".join(sorted({ch for ch in sample if ord(ch) > 127})[:5])
    return (
        f" (it reads as Windows-1252 text, as older spreadsheet programs save it, with {odd}; "
        "in a spreadsheet choose 'CSV UTF-8')"
    )


def _decode(raw: bytes, name: str, problems: list[Problem]) -> str | None:
    """The file's text; None, with one ``encoding`` problem, when it is not UTF-8."""

    def refuse(line: int | None, message: str) -> None:
        problems.append(Problem(name, line, None, "encoding", message))

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 3 and raw[1:4:2] == b"\x00\x00" and raw[0]):
        return refuse(None, "the file is UTF-16 (what 'Unicode text' exports write); save it as UTF-8 CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        cell_line, column = _bad_byte_column(raw, exc.start)
        where = f" in column '{column}'" if column and cell_line == line else ""
        return refuse(
            line,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}){where}; "
            f"save the file as UTF-8{_encoding_hint(raw)}",
        )
    if text.count("\x00") > len(text) // 4:
        return refuse(
            text.count("\n", 0, text.index("\x00")) + 1,
            "the file holds NUL bytes (a binary file, or text saved as UTF-16 without its "
            "byte-order mark); save it as UTF-8 CSV",
        )
    return text


def read_raw(path: Path, problems: list[Problem]) -> RawTable | None:
    """Read a CSV as strings, recording encoding and shape problems. ``None`` if unreadable.

    The CSV syntax is read strictly: a quoted field that is never closed (which would swallow the
    rest of the file into one cell) or text after a closing quote is reported, with the rows read
    before it kept so that their own problems are reported too. A missing file, a folder, a link
    loop, an unreadable file, another encoding or a cell longer than :data:`FIELD_LIMIT` characters
    is one problem, never an exception.
    """
    name = _rel(path)
    raw = _read_bytes(path, name, problems)
    if raw is None:
        return None
    text = _decode(raw, name, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(name, None, None, "non-empty", "file is empty (no header, no rows)"))
        return None
    old_limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        start = 1
        try:
            header = next(reader)
            rows, lines = [], []
            start = reader.line_num + 1
            for row in reader:
                if any(cell != "" for cell in row):  # blank lines are not rows
                    rows.append(row)
                    lines.append(start)
                start = reader.line_num + 1
        except csv.Error as exc:
            if start == 1:
                problems.append(
                    Problem(
                        name,
                        1,
                        None,
                        "csv-quote",
                        f"the header line cannot be read as CSV ({exc}); the rows were not read",
                    )
                )
                return None
            problems.append(_syntax_problem(name, text, header, start, reader.line_num, exc))
            return RawTable(path, header, rows, lines, truncated=True)
    finally:
        csv.field_size_limit(old_limit)
    return RawTable(path, header, rows, lines)


def _partial_row(rest: str) -> tuple[list[str], bool]:
    """The cells of the first row of ``rest`` as far as they can be read, and whether a quoted field
    in it runs to the end of the text without closing."""
    limit = csv.field_size_limit(max(len(rest) + 1, FIELD_LIMIT))
    try:
        try:
            next(csv.reader(io.StringIO(rest, newline=""), strict=True), [])
            unclosed = False
        except csv.Error as exc:
            unclosed = "unexpected end of data" in str(exc)
        try:
            cells = next(csv.reader(io.StringIO(rest, newline="")), [])
        except csv.Error:
            cells = []
        return cells, unclosed
    finally:
        csv.field_size_limit(limit)


def _syntax_problem(name: str, text: str, header: list[str], start: int, end: int, exc: csv.Error) -> Problem:
    """Describe a CSV syntax error in the row that starts on line ``start`` (found on line ``end``)."""
    rest = "".join(text.splitlines(keepends=True)[start - 1 :])
    partial, unclosed = _partial_row(rest)
    opened = next((i for i, cell in enumerate(partial) if "\n" in cell or "\r" in cell), None)
    column = header[opened] if opened is not None and opened < len(header) else None
    if "field larger than field limit" in str(exc) and not unclosed:
        long = next((i for i, cell in enumerate(partial) if len(cell) > FIELD_LIMIT), None)
        column = header[long] if long is not None and long < len(header) else column
        return Problem(
            name,
            start,
            column,
            "field-size",
            f"a cell is longer than {FIELD_LIMIT:,} characters, more than any value of this "
            "collection holds; shorten it or split the file; the rows after it were not read",
        )
    if "unexpected end of data" in str(exc) or unclosed:
        if column is None and 0 < len(partial) <= len(header):
            column = header[len(partial) - 1]
        return Problem(
            name,
            start,
            column,
            "csv-quote",
            "a quoted field opened on this line is never closed, so the rest of the file "
            "would be read as one cell; close the quote (write a quote inside a quoted "
            "field as two quotes)",
        )
    if end > start:
        return Problem(
            name,
            start,
            column,
            "csv-quote",
            f"a quoted field opened on this line runs on to line {end}, where a closing quote "
            f"is followed by more text ({exc}); close the quote on line {start}, and write a "
            "quote inside a quoted field as two quotes; the rows after it were not read",
        )
    return Problem(
        name,
        end,
        None,
        "csv-quote",
        f"malformed quoting ({exc}); a quoted field must be followed by a comma or the "
        "end of the line, and a quote inside it written as two quotes; "
        "the rows after this line were not read",
    )


# ---------------------------------------------------------------------------------------------
# The dictionary


def _folder(data_dir) -> Path:
    """``data_dir`` as an absolute path (default: the data folder in force)."""
    return paths.absolute(data_dir) if data_dir else paths.data_dir()


def load_package(data_dir: Path | None = None) -> dict:
    """The parsed ``datapackage.json`` of ``data_dir`` (default: the data folder in force).

    A missing data folder is reported as such (not as a missing dictionary); a dictionary that is
    not a JSON object, or cannot be read, is one problem naming the file."""
    data_dir = _folder(data_dir)
    pkg_path = data_dir / PACKAGE_FILE
    if not data_dir.is_dir():
        what = "is not a folder" if data_dir.exists() else "does not exist"
        raise DataValidationError(
            [
                Problem(
                    _rel(data_dir),
                    None,
                    None,
                    "folder-exists",
                    f"the data folder {what}; give the folder that holds {PACKAGE_FILE} and the CSVs",
                )
            ]
        )
    problems: list[Problem] = []
    raw = _read_bytes(pkg_path, _rel(pkg_path), problems)
    if raw is None:
        if problems[0].rule == "file-exists":
            problems[0] = Problem(_rel(pkg_path), None, None, "file-exists", "the data dictionary is missing")
        raise DataValidationError(problems)
    try:
        package = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            [
                Problem(
                    _rel(pkg_path),
                    raw[: exc.start].count(b"\n") + 1,
                    None,
                    "encoding",
                    "not valid UTF-8; save the file as UTF-8",
                )
            ]
        ) from exc
    except json.JSONDecodeError as exc:
        raise DataValidationError([Problem(_rel(pkg_path), exc.lineno, None, "json", exc.msg)]) from exc
    except RecursionError as exc:
        raise DataValidationError([Problem(_rel(pkg_path), None, None, "json", "nested too deeply to read")]) from exc
    if not isinstance(package, dict):
        raise DataValidationError(
            [
                Problem(
                    _rel(pkg_path),
                    1,
                    None,
                    "dictionary",
                    f"the data package must be a JSON object, not {_json_kind(package)} (Frictionless Data Package)",
                )
            ]
        )
    return package


def _resources(package: dict) -> list:
    resources = package.get("resources") if isinstance(package, dict) else None
    return resources if isinstance(resources, list) else []


def resource(package: dict, name: str) -> dict:
    """The resource called ``name`` in ``package``."""
    for res in _resources(package):
        if isinstance(res, dict) and res.get("name") == name:
            return res
    known = ", ".join(sorted(str(r.get("name", "?")) for r in _resources(package) if isinstance(r, dict)))
    raise KeyError(f"no resource '{name}' in the data dictionary (known: {known})")


#: Field types and constraints this validator implements; anything else in the dictionary is an error
#: rather than a rule silently not enforced.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date")
CONSTRAINTS = ("required", "unique", "enum", "minimum", "maximum", "pattern")
#: A resource name, as the Frictionless Data Resource specification allows it.
_RESOURCE_NAME_RE = re.compile(r"^[a-z0-9._-]+$")
#: A path to a file: a plain relative name inside the data folder.
_SAFE_PATH_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _json_line(text: str, *names: str) -> int | None:
    """The line of ``"name": "<names[-1]>"`` found after each earlier name in turn (best effort)."""
    pos = 0
    for name in names:
        if not isinstance(name, str):
            return None
        match = re.compile(r'"name"\s*:\s*' + re.escape(json.dumps(name))).search(text, pos)
        if not match:
            return None
        pos = match.start()
    return text.count("\n", 0, pos) + 1


def _path_problem(path, data_dir: Path) -> str | None:
    """Why a resource ``path`` is not a plain relative name of a file inside ``data_dir``, if it is not.
    Nothing outside the data folder is ever opened to find out."""
    if not isinstance(path, str):
        return f"path must be a string naming a file in the data folder, not {_json_kind(path)}"
    shown = json.dumps(path[:200])
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path) or "://" in path:
        return (
            f"path {shown} is absolute or a URL; a resource path must be a relative name inside the data "
            "folder (it was not read)"
        )
    if any(part == ".." for part in re.split(r"[/\\]", path)):
        return f"path {shown} climbs out of the data folder with '..' (it was not read)"
    if not _SAFE_PATH_RE.match(path):
        return (
            f"path {shown} is not a plain relative file name (letters, digits, '.', '_', '-' and '/' "
            "between folder names; no '.' or '..' parts, no backslashes)"
        )
    try:
        target = (data_dir / path).resolve()
        inside = target.is_relative_to(data_dir.resolve())
    except (OSError, RuntimeError):
        return None  # a link loop: reported by the reader as a problem of the file itself
    if not inside:
        return f"path {shown} leads out of the data folder through a symbolic link (it was not read)"
    return None


def _names(value) -> list | None:
    """A field list as the Table Schema writes it (one name or an array of names), or ``None`` if malformed."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def _field_structure(label: str, i: int, field) -> list[tuple[str | None, str]]:
    """(column, message) for every way ``field`` breaks the Table Schema's field descriptor."""
    if not isinstance(field, dict):
        return [(None, f"{label}: field #{i + 1} must be an object, not {_json_kind(field)}")]
    fname = field.get("name")
    if not isinstance(fname, str) or not fname:
        return [(None, f"{label}: field #{i + 1} needs a 'name' that is a non-empty string")]
    where = f"{label}, field '{fname}'"
    out = []
    for key in ("type", "format", "title", "description", "unit"):
        if key in field and not isinstance(field[key], str):
            out.append((fname, f"{where}: '{key}' must be a string, not {_json_kind(field[key])}"))
    cons = field.get("constraints", {})
    if not isinstance(cons, dict):
        return out + [(fname, f"{where}: 'constraints' must be an object, not {_json_kind(cons)}")]
    ftype = field.get("type", "string")
    for key in ("required", "unique"):
        if key in cons and not isinstance(cons[key], bool):
            out.append((fname, f"{where}: constraint '{key}' must be true or false, not {_json_kind(cons[key])}"))
    if "enum" in cons and (not isinstance(cons["enum"], list) or not cons["enum"]):
        out.append((fname, f"{where}: constraint 'enum' must be a non-empty array"))
    for key in ("minimum", "maximum"):
        if key not in cons:
            continue
        value = cons[key]
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ftype in ("integer", "number") and not numeric:
            out.append(
                (
                    fname,
                    f"{where}: constraint '{key}' must be a number for a field of type "
                    f"{ftype}, not {_json_kind(value)} {json.dumps(value)[:60]}",
                )
            )
        elif ftype == "integer" and numeric and not float(value).is_integer():
            out.append((fname, f"{where}: constraint '{key}' must be a whole number for an integer field"))
    if "pattern" in cons:
        pattern = cons["pattern"]
        if not isinstance(pattern, str):
            out.append((fname, f"{where}: constraint 'pattern' must be a string, not {_json_kind(pattern)}"))
        else:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as exc:
                out.append((fname, f"{where}: pattern {pattern[:200]!r} is not a valid regular expression ({exc})"))
    return out


def _resource_structure(i: int, res, data_dir: Path, seen_names: set) -> tuple[str, list]:
    """The label of resource #``i`` and (column, message) for every way it breaks the Frictionless
    Data Resource and Table Schema specifications, checked before it is applied to any row."""
    if not isinstance(res, dict):
        return f"resource #{i + 1}", [(None, f"resource #{i + 1} must be an object, not {_json_kind(res)}")]
    rname = res.get("name")
    label = f"resource '{rname}'" if isinstance(rname, str) and rname else f"resource #{i + 1}"
    out = []
    missing = [k for k in ("name", "path", "schema") if k not in res]
    if missing:
        return label, [(None, f"{label} lacks {', '.join(missing)}")]
    if not isinstance(rname, str) or not _RESOURCE_NAME_RE.match(rname):
        out.append(
            (None, f"{label}: 'name' must be lower-case letters, digits, '.', '_' or '-', not {json.dumps(rname)[:80]}")
        )
    elif rname in seen_names:
        out.append((None, f"{label}: the name is used by an earlier resource too"))
    else:
        seen_names.add(rname)
    why = _path_problem(res["path"], data_dir)
    if why:
        out.append((None, f"{label}: {why}"))
    schema = res["schema"]
    if not isinstance(schema, dict):
        return label, out + [(None, f"{label}: 'schema' must be an object, not {_json_kind(schema)}")]
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return label, out + [(None, f"{label} lacks schema.fields (a non-empty array of field objects)")]
    for j, field in enumerate(fields):
        out.extend(_field_structure(label, j, field))
    pk = schema.get("primaryKey")
    if pk is not None and _names(pk) is None:
        out.append((None, f"{label}: primaryKey must be a field name or an array of field names"))
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        return label, out + [(None, f"{label}: foreignKeys must be an array, not {_json_kind(fks)}")]
    for k, fk in enumerate(fks):
        if not isinstance(fk, dict):
            out.append((None, f"{label}: foreign key #{k + 1} must be an object, not {_json_kind(fk)}"))
            continue
        cols, ref = _names(fk.get("fields")), fk.get("reference")
        if cols is None:
            out.append((None, f"{label}: foreign key #{k + 1} needs 'fields' (a field name or an array of them)"))
        if not isinstance(ref, dict):
            out.append(
                (
                    ",".join(cols or []) or None,
                    f"{label}: foreign key #{k + 1} needs a 'reference' object naming a resource and its fields",
                )
            )
            continue
        ref_cols = _names(ref.get("fields"))
        if not isinstance(ref.get("resource", ""), str) or ref_cols is None:
            out.append(
                (
                    ",".join(cols or []) or None,
                    f"{label}: foreign key #{k + 1}: the reference needs 'resource' (a string) and "
                    "'fields' (a field name or an array of them)",
                )
            )
        elif cols is not None and len(cols) != len(ref_cols):
            out.append(
                (
                    ",".join(cols),
                    f"{label}: foreign key #{k + 1} pairs {len(cols)} field(s) with "
                    f"{len(ref_cols)} referenced field(s)",
                )
            )
    return label, out


def _structure(package: dict, data_dir: Path) -> tuple[list[tuple[str | None, Problem]], set[int]]:
    name = _rel(data_dir / PACKAGE_FILE)
    text = _package_text(data_dir)
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list) or not resources:
        return [
            (
                None,
                Problem(
                    name,
                    None,
                    None,
                    "dictionary",
                    "'resources' must be a non-empty array of resource objects (Frictionless Data Package)",
                ),
            )
        ], set()
    found_all, sound, seen = [], set(), set()
    for i, res in enumerate(resources):
        _, found = _resource_structure(i, res, data_dir, seen)
        rname = res.get("name") if isinstance(res, dict) and isinstance(res.get("name"), str) else None
        for column, message in found:
            where = ([rname] + ([column] if column and "," not in column else [])) if rname else []
            line = _json_line(text, *where) if where else None
            found_all.append((rname, Problem(name, line, column, "dictionary", message)))
        if not found:
            sound.add(i)
    return found_all, sound


def check_structure(package: dict, data_dir: Path | None = None) -> tuple[list[Problem], set[int]]:
    """Check the dictionary's own structure against the Frictionless Data Package specification
    (package, resources, Table Schema fields, constraints and keys) before it is applied to rows.

    Returns the problems and the positions of the resources that are sound enough to read."""
    found, sound = _structure(package, _folder(data_dir))
    return [p for _, p in found], sound


def _package_text(data_dir: Path) -> str:
    try:
        return (data_dir / PACKAGE_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def check_dictionary(package: dict, data_dir: Path | None = None, only: Iterable[str] | None = None) -> list[Problem]:
    """Problems in the dictionary itself: its structure (:func:`check_structure`), then unsupported
    types or constraints, keys naming fields that do not exist, foreign keys to unknown resources.
    ``only`` limits the check to some resources."""
    data_dir = _folder(data_dir)
    structure, sound = _structure(package, data_dir)
    wanted = set(only) if only is not None else None
    # a problem of a named resource belongs to it; one of the package or of a resource without a
    # usable name belongs to every resource
    problems = [p for rname, p in structure if wanted is None or rname is None or rname in wanted]
    return problems + [p for _, p in _schema_problems(package, data_dir, sound, wanted)]


def _schema_problems(
    package: dict, data_dir: Path, sound: set[int], wanted: set[str] | None
) -> list[tuple[str, Problem]]:
    """(resource, problem) for the schema rules of :func:`check_dictionary` beyond the structure,
    for the structurally sound resources (those in ``wanted``, or all)."""
    name = _rel(data_dir / PACKAGE_FILE)
    text = _package_text(data_dir)
    resources = _resources(package)
    problems: list[tuple[str, Problem]] = []
    by_name = {r["name"]: r for i, r in enumerate(resources) if i in sound}
    rname = ""

    def add(column, message, *where):
        problems.append((rname, Problem(name, _json_line(text, *where), column, "dictionary", message)))

    for i, res in enumerate(resources):
        if i not in sound:
            continue
        rname = res["name"]
        if wanted is not None and rname not in wanted:
            continue
        label = f"resource '{rname}'"
        fields = res["schema"]["fields"]
        names = [f["name"] for f in fields]
        for field in fields:
            fname = field["name"]
            where = (rname, fname)
            if names.count(fname) > 1:
                add(fname, f"{label} describes field '{fname}' more than once", *where)
            ftype = field.get("type", "string")
            if ftype not in FIELD_TYPES:
                add(
                    fname,
                    f"{label}, field '{fname}': type '{ftype}' is not supported (use one of: {', '.join(FIELD_TYPES)})",
                    *where,
                )
            unknown = sorted(set(field.get("constraints", {})) - set(CONSTRAINTS))
            if unknown:
                add(
                    fname,
                    f"{label}, field '{fname}': constraint(s) {', '.join(unknown)} not supported "
                    f"(use: {', '.join(CONSTRAINTS)})",
                    *where,
                )
        schema = res["schema"]
        for col in _names(schema.get("primaryKey")) or []:
            if col not in names:
                add(col, f"{label}: primaryKey names '{col}', which is not one of its fields", rname)
        for fk in schema.get("foreignKeys", []):
            cols, ref = _names(fk["fields"]), fk["reference"]
            target = ref.get("resource") or rname
            for col in cols:
                if col not in names:
                    add(col, f"{label}: foreignKeys names '{col}', which is not one of its fields", rname)
            if target not in by_name:
                described = any(isinstance(r, dict) and r.get("name") == target for r in resources)
                add(
                    ",".join(cols),
                    f"{label}: foreign key refers to resource '{target}', "
                    + (
                        "whose own description has problems (listed with it)"
                        if described
                        else "which the dictionary does not describe"
                    ),
                    rname,
                )
                continue
            target_names = [f["name"] for f in by_name[target]["schema"]["fields"]]
            for col in _names(ref["fields"]):
                if col not in target_names:
                    add(
                        ",".join(cols),
                        f"{label}: foreign key refers to {target}.{col}, which is not a field of {target}",
                        rname,
                    )
    return problems


# ---------------------------------------------------------------------------------------------
# Cell rules


def _type_problem(value: str, ftype: str) -> str | None:
    """Why ``value`` is not a valid ``ftype``, or ``None`` if it is."""
    if ftype == "integer":
        if _INT_RE.match(value):
            return None
    elif ftype == "number":
        if _NUM_RE.match(value):
            return None
    elif ftype == "boolean":
        if value in ("true", "false"):
            return None
        return f"'{value}' is not a boolean (write true or false)"
    elif ftype == "date":
        if _DATE_RE.match(value):
            try:
                pd.Timestamp(value)
                return None
            except ValueError:
                pass
        return f"'{value}' is not a date (write YYYY-MM-DD)"
    else:
        return None
    return _number_hint(value, ftype)


def _number_hint(value: str, ftype: str) -> str:
    """Why ``value`` is not a number, in the terms of the spreadsheet or locale that wrote it."""
    if _THOUSANDS_RE.match(value):
        return f"'{value}' has a thousands separator; write {value.replace(',', '')}"
    if _DECIMAL_COMMA_RE.match(value):
        return (
            f"'{value}' uses a decimal comma; write the decimal point: {value.replace(',', '.')} "
            "(and no thousands separator)"
        )
    if _SPACE_GROUPS_RE.match(value):
        bare = re.sub(r"[ \u00a0\u202f\u2009']", "", value).replace(",", ".")
        return f"{value!r} groups its digits with spaces or apostrophes; write {bare}"
    if _UNIT_SUFFIX_RE.match(value):
        number = re.match(r"^[+-]?[\d.]+", value).group(0)
        return f"'{value}' has a unit suffix; write the bare number {number} (the unit is in the dictionary)"
    if _CURRENCY_PREFIX_RE.match(value):
        bare = re.sub(r"[$£€¥\s]", "", value)
        return f"'{value}' has a currency sign; write the bare number {bare} (the currency has its own column)"
    if _ACCOUNTING_NEGATIVE_RE.match(value):
        return f"'{value}' is an accounting-style negative; write -{value[1:-1]}"
    if value.replace("\u2212", "-") != value and _NUM_RE.match(value.replace("\u2212", "-")):
        return f"'{value}' uses the typographic minus sign U+2212; write {value.replace(chr(0x2212), '-')}"
    if value in _SPREADSHEET_ERRORS:
        return f"'{value}' is a spreadsheet error value, not a {ftype}; fix the formula or leave the cell empty"
    if value in _MISSING_MARKERS:
        article = "an" if ftype[0] in "aeiou" else "a"
        return f"'{value}' is not {article} {ftype}; leave the cell empty for a missing value"
    if value.startswith("'") and _NUM_RE.match(value[1:]):
        return f"'{value}' starts with a spreadsheet text marker (an apostrophe); write {value[1:]}"
    if re.fullmatch(r"[+-]?[\d.eE+-]+", value) and not value.isascii():
        return f"{value!r} has digits that are not ASCII 0-9 (full-width or another script's digits); write them as 0-9"
    bare = re.sub(r"\s", "", value)
    if bare != value and _NUM_RE.match(bare):
        return f"{value!r} has a space inside the number; write {bare}"
    return f"'{value}' is not a valid {ftype}"


def _char_name(char: str) -> str:
    return unicodedata.name(char, "unnamed").lower()


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    """``'; did you mean 'x'?'`` for the closest of ``known`` to ``value`` (letter case and
    invisible characters aside), or an empty string."""
    known = list(known)
    folded = {k.casefold(): k for k in known}
    probe = _INVISIBLE_RE.sub("", value).strip()
    if probe.casefold() in folded and folded[probe.casefold()] != value:
        return f"; did you mean {_shown(folded[probe.casefold()])}?"
    close = difflib.get_close_matches(probe, known, n=1, cutoff=0.75)
    if not close:
        close = [folded[c] for c in difflib.get_close_matches(probe.casefold(), list(folded), n=1, cutoff=0.75)]
    return f"; did you mean {_shown(close[0])}?" if close else ""


def _shown(value: str) -> str:
    """``value`` in quotes, with invisible and control characters written as escapes."""
    return repr(value) if _INVISIBLE_RE.search(value) or _CONTROL_RE.search(value) else f"'{value}'"


def _compiled(pattern) -> re.Pattern | None:
    """The compiled pattern, or ``None`` when absent or invalid (an invalid one is a dictionary problem,
    reported by :func:`check_structure`, and its resource is not read)."""
    if not isinstance(pattern, str):
        return None
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _convert(value: str, ftype: str):
    if ftype == "integer":
        return int(value)
    if ftype == "number":
        return float(value)
    if ftype == "boolean":
        return value == "true"
    return value


def _check_cells(table: RawTable, fields: list[dict], col_index: dict[str, int], problems: list[Problem]) -> None:
    name = _rel(table.path)
    for field in fields:
        col = field["name"]
        if col not in col_index:
            continue
        idx = col_index[col]
        ftype = field.get("type", "string")
        cons = field.get("constraints", {})
        pattern = _compiled(cons.get("pattern"))
        for row, line in zip(table.rows, table.lines):
            if len(row) != len(table.header):
                continue  # the row-width problem says it all; its cells are not where the header says
            value = row[idx]
            if value == "":
                if cons.get("required"):
                    problems.append(Problem(name, line, col, "required", "value is blank but required"))
                continue
            if value != value.strip():
                problems.append(Problem(name, line, col, "whitespace", f"'{value}' has leading or trailing whitespace"))
                continue
            control = _CONTROL_RE.search(value)
            if control:
                problems.append(
                    Problem(
                        name,
                        line,
                        col,
                        "control-character",
                        f"{value!r} contains the control character U+{ord(control.group(0)):04X}; delete it",
                    )
                )
                continue
            invisible = _INVISIBLE_RE.search(value)
            if invisible:
                problems.append(
                    Problem(
                        name,
                        line,
                        col,
                        "invisible-character",
                        f"{value!r} contains the invisible character "
                        f"U+{ord(invisible.group(0)):04X} ({_char_name(invisible.group(0))}), "
                        "which makes it differ from the value it looks like; delete it",
                    )
                )
                continue
            why = _type_problem(value, ftype)
            if why:
                problems.append(Problem(name, line, col, f"type:{ftype}", why))
                continue
            typed = _convert(value, ftype)
            if ftype == "number" and not math.isfinite(typed):
                problems.append(Problem(name, line, col, f"type:{ftype}", f"'{value}' is not finite"))
                continue
            if "enum" in cons and value not in [str(v) for v in cons["enum"]]:
                allowed = ", ".join(str(v) for v in cons["enum"])
                problems.append(
                    Problem(
                        name,
                        line,
                        col,
                        "enum",
                        f"'{value}' is not one of: {allowed}" + _did_you_mean(value, [str(v) for v in cons["enum"]]),
                    )
                )
            if "minimum" in cons and ftype in ("integer", "number") and typed < cons["minimum"]:
                problems.append(Problem(name, line, col, "minimum", f"{value} is below the minimum {cons['minimum']}"))
            if "maximum" in cons and ftype in ("integer", "number") and typed > cons["maximum"]:
                problems.append(Problem(name, line, col, "maximum", f"{value} is above the maximum {cons['maximum']}"))
            if pattern and not pattern.fullmatch(value):
                problems.append(
                    Problem(name, line, col, "pattern", f"'{value}' does not match the pattern {cons['pattern']}")
                )


def _renamed_to(col: str, expected: list[str], header: list[str], unexpected: list[str]) -> str | None:
    """The unexpected column that ``col`` was most likely renamed to, if any: a similar name, a
    longer or shorter form of it (lat, latitude), or the column standing in its place."""
    close = difflib.get_close_matches(col, unexpected, n=1, cutoff=0.6)
    if close:
        return close[0]
    for other in unexpected:
        a, b = col.lower().strip(), other.lower().strip()
        if a and b and (a.startswith(b) or b.startswith(a)):
            return other
    position = expected.index(col)
    if position < len(header) and header[position] in unexpected:
        return header[position]
    return None


def _check_header(table: RawTable, fields: list[dict], problems: list[Problem]) -> dict[str, int]:
    name = _rel(table.path)
    expected = [f["name"] for f in fields]
    col_index: dict[str, int] = {}
    seen: set[str] = set()
    for i, col in enumerate(table.header):
        if col == "":
            problems.append(
                Problem(
                    name,
                    1,
                    None,
                    "header-empty",
                    f"column {i + 1} has no name (spreadsheets export empty columns at the "
                    "right edge); delete the empty column",
                )
            )
            continue
        if col != col.strip():
            problems.append(
                Problem(name, 1, col, "header-whitespace", f"column name '{col}' has leading or trailing whitespace")
            )
        invisible = _INVISIBLE_RE.search(col)
        if invisible:
            problems.append(
                Problem(
                    name,
                    1,
                    col,
                    "invisible-character",
                    f"column name {col!r} contains the invisible character "
                    f"U+{ord(invisible.group(0)):04X} ({_char_name(invisible.group(0))}); "
                    "delete it",
                )
            )
        if col in seen:
            problems.append(Problem(name, 1, col, "header-unique", f"column '{col}' appears twice"))
        seen.add(col)
        col_index.setdefault(col, i)
    missing = [c for c in expected if c not in col_index]
    unexpected = [c for c in table.header if c not in expected and c != ""]
    for col in missing:
        close = _renamed_to(col, expected, table.header, unexpected)
        hint = f" (was it renamed to '{close}'?)" if close else ""
        problems.append(
            Problem(
                name, 1, col, "header-missing", f"column '{col}' is in the data dictionary but not in the file{hint}"
            )
        )
    for col in unexpected:
        problems.append(
            Problem(name, 1, col, "header-unexpected", f"column '{col}' is in the file but not in the data dictionary")
        )
    if not missing and not unexpected and [c for c in table.header if c != ""] != expected:
        problems.append(
            Problem(name, 1, None, "header-order", "columns are not in the dictionary's order: " + ", ".join(expected))
        )
    width = len(table.header)
    for row, line in zip(table.rows, table.lines):
        if len(row) != width:
            hint = ""
            if any(cell.lstrip().startswith(_SMART_QUOTES) or cell.rstrip().endswith(_SMART_QUOTES) for cell in row):
                hint = (
                    "; a cell is wrapped in typographic quotes (\u201c \u201d), which CSV does not treat as "
                    "quotes, so a comma inside it splits the cell: use straight double quotes"
                )
            elif len(row) == width + 1:
                hint = _split_decimal_hint(row, table.header, fields)
            problems.append(
                Problem(name, line, None, "row-width", f"row has {len(row)} cells but the header has {width}{hint}")
            )
    return col_index


def _split_decimal_hint(row: list[str], header: list[str], fields: list[dict]) -> str:
    """A hint when joining two neighbouring cells gives a decimal-comma number in a number column:
    an unquoted ``50,45`` is read as two cells."""
    types = {f["name"]: f.get("type", "string") for f in fields}
    for i in range(min(len(row) - 1, len(header))):
        joined = f"{row[i]},{row[i + 1]}"
        if types.get(header[i]) == "number" and _DECIMAL_COMMA_RE.match(joined):
            return (
                f"; '{joined}' in column '{header[i]}' looks like a number with a decimal comma, which splits "
                f"into two cells: write {joined.replace(',', '.')}"
            )
    return ""


_SMART_QUOTES = ("\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb")
_SEPARATORS = {";": "';' (semicolon)", "\t": "a tab", "|": "'|'"}


def _separator_problem(table: RawTable, fields: list[dict]) -> Problem | None:
    """One problem for a file written with another separator (a spreadsheet in a locale that uses the
    decimal comma writes ';'), instead of a problem for every column and row."""
    name = _rel(table.path)
    expected = [f["name"] for f in fields]
    first = ",".join(table.header).strip()
    if re.fullmatch(r"sep=.?", first.lower()):
        return Problem(
            name,
            1,
            None,
            "csv-separator",
            f"the first line '{first}' is a spreadsheet's separator directive, not the "
            f"header; delete it and save the file comma-separated",
        )
    if len(table.header) != 1 or len(expected) < 2:
        return None
    for sep, words in _SEPARATORS.items():
        cells = [c.strip() for c in table.header[0].split(sep)]
        if len(cells) > 1 and len(set(cells) & set(expected)) >= min(2, len(expected)):
            return Problem(
                name,
                1,
                None,
                "csv-separator",
                f"this file uses {words} as separator; save it comma-separated (CSV with commas, "
                "and a decimal point in numbers)",
            )
    return None


def _key_tuples(table: RawTable, col_index: dict[str, int], cols: list[str]):
    if not all(c in col_index for c in cols):
        return
    positions = [col_index[c] for c in cols]
    for row, line in zip(table.rows, table.lines):
        yield tuple(row[i] if i < len(row) else "" for i in positions), line


def _check_keys(table: RawTable, res: dict, col_index: dict[str, int], problems: list[Problem]) -> None:
    name = _rel(table.path)
    schema = res.get("schema", {})
    checks = [([f["name"]], "unique") for f in schema.get("fields", []) if f.get("constraints", {}).get("unique")]
    pk = schema.get("primaryKey")
    if pk:
        checks.append(([pk] if isinstance(pk, str) else list(pk), "primary-key"))
    for cols, rule in checks:
        seen: dict[tuple, int] = {}
        for key, line in _key_tuples(table, col_index, cols):
            if all(k == "" for k in key):
                continue
            if key in seen:
                label = ", ".join(f"{c}={k}" for c, k in zip(cols, key))
                problems.append(
                    Problem(name, line, ",".join(cols), rule, f"duplicate key ({label}) first used on line {seen[key]}")
                )
            else:
                seen[key] = line


def _check_foreign_keys(
    table: RawTable,
    res: dict,
    col_index: dict[str, int],
    tables: dict[str, tuple[RawTable, dict[str, int]]],
    problems: list[Problem],
    known_keys: dict | None = None,
) -> None:
    """Foreign-key problems of ``table``. ``known_keys`` keeps each referenced table's set of keys
    between calls that check several tables against the same ``tables``."""
    name = _rel(table.path)
    known_keys = {} if known_keys is None else known_keys
    for fk in res.get("schema", {}).get("foreignKeys", []):
        cols = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        ref_cols = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        target = ref.get("resource") or res["name"]
        if target not in tables:
            continue
        ref_table, ref_index = tables[target]
        memo = (target, tuple(ref_cols))
        known = known_keys.get(memo)
        if known is None:
            known = known_keys[memo] = {k for k, _ in _key_tuples(ref_table, ref_index, ref_cols)}
        for key, line in _key_tuples(table, col_index, cols):
            if all(k == "" for k in key):
                continue
            if key not in known:
                label = ", ".join(_shown(k) for k in key)
                hint = _did_you_mean(key[0], sorted(k[0] for k in known)) if len(key) == 1 else ""
                problems.append(
                    Problem(
                        name,
                        line,
                        ",".join(cols),
                        "foreign-key",
                        f"{label} does not resolve in {target}.{','.join(ref_cols)}{hint}",
                    )
                )


# ---------------------------------------------------------------------------------------------
# Cross-table rules that a Table Schema cannot express. Each takes the typed tables and returns
# problems. bering.checks (the layer above) registers them here; validate_package() and load() run them.

CrossCheck = Callable[[dict[str, pd.DataFrame]], list[Problem]]
#: (resources the rule reads, the rule). The first resource is the one whose rows it reports.
CROSS_CHECKS: list[tuple[tuple[str, ...], CrossCheck]] = []


def cross_check(*resources: str):
    """Register a cross-table rule that reads ``resources`` (typed frames, by name)."""

    def register(func: CrossCheck) -> CrossCheck:
        CROSS_CHECKS.append((resources, func))
        return func

    return register


# ---------------------------------------------------------------------------------------------
# Public API


def _typed_frame(table: RawTable, fields: list[dict], col_index: dict[str, int]) -> pd.DataFrame:
    data = {}
    for field in fields:
        col = field["name"]
        idx = col_index[col]
        values = [row[idx] if idx < len(row) else "" for row in table.rows]
        ftype = field.get("type", "string")
        if ftype == "integer":
            series = pd.array([int(v) if v != "" else None for v in values], dtype="Int64")
        elif ftype == "number":
            series = pd.array([float(v) if v != "" else math.nan for v in values], dtype="float64")
        elif ftype == "boolean":
            series = pd.array([(v == "true") if v != "" else None for v in values], dtype="boolean")
        elif ftype == "date":
            series = pd.to_datetime(pd.Series([v if v != "" else None for v in values], dtype="object"))
        else:
            series = pd.array([v if v != "" else None for v in values], dtype="string")
        data[col] = series
    frame = pd.DataFrame(data)
    frame.attrs["source_file"] = _rel(table.path)
    frame.attrs["file_lines"] = _Lines(table.lines)
    return frame


class _Lines(list):
    """A table's file line numbers, kept in ``attrs``. pandas deep-copies ``attrs`` on every
    operation; the numbers are never changed after loading, so a copy shares them."""

    def __deepcopy__(self, memo):
        return self


def _read_resource(res: dict, data_dir: Path, problems: list[Problem]):
    """Read and check one resource whose dictionary entry is structurally sound."""
    path = data_dir / res["path"]
    table = read_raw(path, problems)
    if table is None:
        return None, None
    fields = res["schema"]["fields"]
    separator = _separator_problem(table, fields)
    if separator:
        problems.append(separator)
        return None, None
    col_index = _check_header(table, fields, problems)
    if not table.rows and not table.truncated:
        problems.append(Problem(_rel(path), None, None, "non-empty", "file has a header but no data rows"))
    _check_cells(table, fields, col_index, problems)
    _check_keys(table, res, col_index, problems)
    return table, col_index


def _read_guarded(res: dict, data_dir: Path, problems: list[Problem]):
    """:func:`_read_resource`, with anything unforeseen reported as a problem of the file rather than
    raised: a validator reports, it does not crash."""
    try:
        return _read_resource(res, data_dir, problems)
    except (Exception, RecursionError) as exc:  # noqa: BLE001
        problems.append(
            Problem(
                _rel(data_dir / res["path"]),
                None,
                None,
                "unreadable",
                f"the file could not be checked ({type(exc).__name__}: {str(exc)[:200]})",
            )
        )
        return None, None


def _run_cross_check(check: CrossCheck, frames: dict[str, pd.DataFrame], first: str) -> list[Problem]:
    """Run one cross-table rule; a rule that crashes is reported as a problem, not raised."""
    try:
        return check(frames)
    except Exception as exc:  # noqa: BLE001  (a validator reports, it does not crash)
        source = frames[first].attrs.get("source_file", first)
        return [
            Problem(
                source,
                None,
                None,
                f"cross-check:{check.__name__}",
                f"the rule could not run: {type(exc).__name__}: {exc}",
            )
        ]


def validate_package(data_dir: Path | None = None) -> list[Problem]:
    """Check every resource of the data package in ``data_dir``; return every problem found.

    The dictionary's own structure is checked first; a resource that breaks it is reported and not
    applied to any row. The cross-table rules (:mod:`bering.checks`) run on every group of tables
    that are themselves free of problems, so one broken file does not hide the cross-table
    problems of the others.
    """
    data_dir = _folder(data_dir)
    try:
        package = load_package(data_dir)
    except DataValidationError as exc:
        return exc.problems
    structure, sound = _structure(package, data_dir)
    problems: list[Problem] = [p for _, p in structure]
    dirty: set[str] = {rname for rname, _ in structure if rname}
    tables: dict[str, tuple[RawTable, dict[str, int]]] = {}
    resources = [res for i, res in enumerate(_resources(package)) if i in sound]
    # the schema rules once for every sound resource (each problem names its resource)
    for rname, problem in _schema_problems(package, data_dir, sound, None):
        if problem not in problems:
            problems.append(problem)
        dirty.add(rname)
    for res in resources:
        own: list[Problem] = []
        table, col_index = _read_guarded(res, data_dir, own)
        if table is not None:
            tables[res["name"]] = (table, col_index)
        if own or table is None:
            dirty.add(res["name"])
        problems.extend(own)
    known_keys: dict = {}
    for res in resources:
        if res["name"] in tables:
            table, col_index = tables[res["name"]]
            own = []
            _check_foreign_keys(table, res, col_index, tables, own, known_keys)
            if own:
                dirty.add(res["name"])
            problems.extend(own)
    listed = {
        res.get("path") for res in _resources(package) if isinstance(res, dict) and isinstance(res.get("path"), str)
    }
    for csv_path in sorted(data_dir.glob("*.csv")):
        if csv_path.name not in listed:
            problems.append(
                Problem(_rel(csv_path), None, None, "described", "CSV is not described in datapackage.json")
            )
    frames: dict[str, pd.DataFrame] = {}
    by_name = {res["name"]: res for res in resources}
    for needs, check in CROSS_CHECKS:
        if not all(n in tables and n not in dirty for n in needs):
            continue  # a table it reads has problems of its own, already listed
        for n in needs:
            if n not in frames:
                table, col_index = tables[n]
                frames[n] = _typed_frame(table, by_name[n]["schema"]["fields"], col_index)
        problems.extend(_run_cross_check(check, frames, needs[0]))
    return problems


#: Problems of a referenced table that :func:`load` reports alongside the loaded table's own.
_REFERENCE_RULES = (
    "file-exists",
    "file-kind",
    "file-readable",
    "encoding",
    "non-empty",
    "csv-quote",
    "csv-separator",
    "field-size",
    "header-missing",
    "unreadable",
)


#: Loaded tables (and their file's name) by (name, cross_checks, rules, digest of the files the load
#: reads, names and contents): a copy of the folder with the same files shares them; bounded.
_LOADED: OrderedDict[tuple, tuple[pd.DataFrame, str]] = OrderedDict()
_LOADED_MAX = 256
#: path -> (stat signature, content digest, when the digest was taken, ns)
_DIGESTS: dict[str, tuple[tuple, bytes, int]] = {}
#: Parsed dictionaries by the digest of their file, read only by :func:`_fingerprint`.
_PACKAGES: dict[bytes, dict] = {}
#: A file changed less than this long before its digest was taken is hashed again on every look
#: (a second change within the file system's clock tick would keep its size and times: "racy" in git).
_RACY_NS = 2_000_000_000


def _fingerprint(data_dir: Path, name: str, cross_checks: bool) -> bytes | None:
    """A digest of the content of the files loading ``name`` reads (the dictionary, the table, the
    tables its foreign keys name and, with ``cross_checks``, the tables of its cross-table rules);
    None when they cannot all be named and read (the table is then loaded and checked as if never seen).

    Only those files are looked at, so a notebook's recorded inputs stay the files it really reads.
    A file whose size, inode and times are those of its last digest, taken well after it last
    changed, is not read again; any other is hashed anew, so an edit is always seen."""
    try:
        package_digest = _digest_files(data_dir, [PACKAGE_FILE])
        package = _PACKAGES.get(package_digest)
        if package is None:
            package = _PACKAGES[package_digest] = load_package(data_dir)
            while len(_PACKAGES) > 8:
                _PACKAGES.pop(next(iter(_PACKAGES)))

        def targets(table: str) -> set[str]:
            keys = resource(package, table)["schema"].get("foreignKeys", [])
            return {fk["reference"].get("resource") for fk in keys} - {None, "", table}

        names = {name} | targets(name)
        if cross_checks:
            for needs, _ in CROSS_CHECKS:
                if name in needs:
                    for other in needs:
                        names |= {other} | targets(other)
        paths_ = [PACKAGE_FILE]
        for table in sorted(names):
            path = resource(package, table)["path"]
            if not isinstance(path, str) or not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", path):
                return None  # anything but a plain file name in the folder is left to the validator
            paths_.append(path)
        return _digest_files(data_dir, paths_)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, DataValidationError):
        return None


def _digest_files(data_dir: Path, names: list[str]) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for name in names:
        path = os.path.join(data_dir, name)
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{path} is not a regular file")
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        memo = _DIGESTS.get(path)
        if memo is None or memo[0] != sig or memo[2] - max(sig[1], sig[2]) < _RACY_NS:
            taken = time.time_ns()
            with open(path, "rb") as fh:
                memo = (sig, hashlib.blake2b(fh.read(), digest_size=16).digest(), taken)
            _DIGESTS[path] = memo
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + memo[1])
    return digest.digest()


def load(name: str, data_dir: Path | None = None, cross_checks: bool = True) -> pd.DataFrame:
    """Load resource ``name`` as a typed DataFrame, validated against the dictionary.

    The resource is checked on its own and its foreign keys against the tables they reference.
    With ``cross_checks`` (the default) the rules that span tables and involve this one run too
    (see :mod:`bering.checks`). Raises :class:`DataValidationError` listing every problem.

    A table is validated once per content of the files it reads: loading it again while none of
    them changed, from this folder or from a copy of it, returns a copy of the checked frame that
    names this folder's file (a failure is never kept).
    """
    data_dir = _folder(data_dir)
    key = None
    fingerprint = _fingerprint(data_dir, name, cross_checks) if data_dir.is_dir() else None
    if fingerprint is not None:
        rules = tuple(id(check) for needs, check in CROSS_CHECKS if cross_checks and name in needs)
        key = (name, bool(cross_checks), rules, fingerprint)
        hit = _LOADED.get(key)
        if hit is not None:
            _LOADED.move_to_end(key)
            frame, filename = hit
            frame = frame.copy()
            frame.attrs["source_file"] = _rel(data_dir / filename)
            return frame
    frame = _load(name, data_dir, cross_checks)
    if key is not None:
        filename = resource(load_package(data_dir), name)["path"]
        _LOADED[key] = (frame.copy(), filename)
        while len(_LOADED) > _LOADED_MAX:
            _LOADED.popitem(last=False)
    return frame


def _load(name: str, data_dir: Path, cross_checks: bool) -> pd.DataFrame:
    package = load_package(data_dir)
    res = resource(package, name)
    problems = check_dictionary(package, data_dir, only=[name])
    if problems:
        raise DataValidationError(problems)
    targets = sorted(
        {fk["reference"].get("resource") for fk in res["schema"].get("foreignKeys", [])} - {None, "", name}
    )
    problems = [p for p in check_dictionary(package, data_dir, only=targets) if p not in problems] if targets else []
    if problems:
        raise DataValidationError(problems)
    table, col_index = _read_guarded(res, data_dir, problems)
    tables = {}
    if table is not None:
        tables[name] = (table, col_index)
        for target in targets:
            ref_problems: list[Problem] = []
            ref_table, ref_index = _read_guarded(resource(package, target), data_dir, ref_problems)
            if ref_table is not None:
                tables[target] = (ref_table, ref_index)
            # what makes the referenced keys unreadable is reported; its other problems are its own
            problems.extend(p for p in ref_problems if p.rule in _REFERENCE_RULES)
        _check_foreign_keys(table, res, col_index, tables, problems)
    if problems:
        raise DataValidationError(problems)
    frame = _typed_frame(table, res["schema"]["fields"], col_index)
    if cross_checks:
        frames = {name: frame}
        for needs, check in CROSS_CHECKS:
            if name not in needs:
                continue
            for other in needs:
                if other not in frames:
                    frames[other] = load(other, data_dir, cross_checks=False)
            problems.extend(_run_cross_check(check, frames, name))
        if problems:
            raise DataValidationError(problems)
    return frame


def field_units(name: str, data_dir: Path | None = None, package: dict | None = None) -> dict[str, str]:
    """``{column: unit}`` for resource ``name``, as the dictionary states them (``package``: a
    dictionary already read, instead of reading the folder's)."""
    res = resource(package if package is not None else load_package(data_dir), name)
    return {f["name"]: f.get("unit", "") for f in res["schema"]["fields"]}


def sources_for(frames: Iterable[pd.DataFrame], data_dir: Path | None = None) -> pd.DataFrame:
    """The rows of the sources table cited by the ``source_id`` columns of ``frames``."""
    ids: set[str] = set()
    for frame in frames:
        for col in frame.columns:
            if col.startswith("source_id"):
                ids.update(v for v in frame[col].dropna())
    sources = load("sources", data_dir)
    return sources[sources["source_id"].isin(ids)].sort_values("source_id").reset_index(drop=True)


def row_location(frame: pd.DataFrame, index: int) -> str:
    """``'data/x.csv, line N'`` for row ``index`` of a frame returned by :func:`load`."""
    lines = frame.attrs.get("file_lines") or []
    line = lines[index] if index < len(lines) else "?"
    return f"{frame.attrs.get('source_file', '?')}, line {line}"


def assumption_values(
    ids: Iterable[str], data_dir: Path | None = None, table: pd.DataFrame | None = None
) -> dict[str, float]:
    """``{assumption_id: value}`` for each of ``ids``, read from ``assumptions.csv`` (or ``table``,
    an already loaded copy of it), in the order given.

    The one lookup of assumed values for every model: an id that the table lacks is a ``KeyError``
    naming the file and every missing id, so a model never runs on a value nobody wrote down.
    """
    ids = list(dict.fromkeys(ids))
    table = load("assumptions", data_dir) if table is None else table
    values = table.set_index("assumption_id")["value"]
    missing = [i for i in ids if i not in values.index]
    if missing:
        where = table.attrs.get("source_file", "data/assumptions.csv")
        names = ", ".join(repr(i) for i in missing)
        raise KeyError(
            f"{where} lacks the assumptions {missing}: no assumption {names} is defined there "
            "(add a row for each, with its value and rationale)"
        )
    return {i: float(values[i]) for i in ids}
