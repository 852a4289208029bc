"""Load the collection's CSVs, validated against the data dictionary ``data/datapackage.json``.

The dictionary is a Frictionless Data Package: each resource names its CSV and gives every field a
type, a description, a unit and constraints (required, unique, enum, minimum, maximum, pattern),
plus primary and foreign keys. :func:`validate_package` checks every file and returns every problem
it finds; :func:`load` returns one table as a typed DataFrame or raises :class:`DataValidationError`.

Every problem names the file, the line (as a text editor counts it, header = line 1), the column
and the rule broken, so that a user who edits a CSV can go straight to the cell.

Two readings are accepted on purpose: a UTF-8 byte-order mark at the start of a file and CRLF
line endings (spreadsheet programs write both).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from . import paths

PACKAGE_FILE = "datapackage.json"

_INT_RE = re.compile(r"^[+-]?\d+$")
_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_UNIT_SUFFIX_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)\s*[A-Za-z%$£€]+\.?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        return f"{', '.join(where)}: [{self.rule}] {self.message}"


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
    except ValueError:
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


def read_raw(path: Path, problems: list[Problem]) -> RawTable | None:
    """Read a CSV as strings, recording encoding and shape problems. ``None`` if unreadable.

    The CSV syntax is read strictly: a quoted field that is never closed (which would swallow the
    rest of the file into one cell) or text after a closing quote is reported, with the rows read
    before it kept so that their own problems are reported too.
    """
    name = _rel(path)
    if not path.exists():
        problems.append(Problem(name, None, None, "file-exists", "file is missing"))
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        cell_line, column = _bad_byte_column(raw, exc.start)
        where = f" in column '{column}'" if column and cell_line == line else ""
        problems.append(Problem(name, line, None, "encoding",
                                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}){where}; "
                                "save the file as UTF-8"))
        return None
    if not text.strip():
        problems.append(Problem(name, None, None, "non-empty", "file is empty (no header, no rows)"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = next(reader)
    rows, lines = [], []
    start = reader.line_num + 1
    try:
        for row in reader:
            if any(cell != "" for cell in row):  # blank lines are not rows
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(_syntax_problem(name, text, header, start, reader.line_num, exc))
        return RawTable(path, header, rows, lines, truncated=True)
    return RawTable(path, header, rows, lines)


def _syntax_problem(name: str, text: str, header: list[str], start: int, end: int,
                    exc: csv.Error) -> Problem:
    """Describe a CSV syntax error in the row that starts on line ``start`` (found on line ``end``)."""
    rest = "".join(text.splitlines(keepends=True)[start - 1:])
    partial = next(csv.reader(io.StringIO(rest, newline="")), [])
    opened = next((i for i, cell in enumerate(partial) if "\n" in cell or "\r" in cell), None)
    column = header[opened] if opened is not None and opened < len(header) else None
    if "unexpected end of data" in str(exc):
        if column is None and 0 < len(partial) <= len(header):
            column = header[len(partial) - 1]
        return Problem(name, start, column, "csv-quote",
                       "a quoted field opened on this line is never closed, so the rest of the file "
                       "would be read as one cell; close the quote (write a quote inside a quoted "
                       "field as two quotes)")
    if end > start:
        return Problem(name, start, column, "csv-quote",
                       f"a quoted field opened on this line runs on to line {end}, where a closing quote "
                       f"is followed by more text ({exc}); close the quote on line {start}, and write a "
                       "quote inside a quoted field as two quotes; the rows after it were not read")
    return Problem(name, end, None, "csv-quote",
                   f"malformed quoting ({exc}); a quoted field must be followed by a comma or the "
                   "end of the line, and a quote inside it written as two quotes; "
                   "the rows after this line were not read")


# ---------------------------------------------------------------------------------------------
# The dictionary


def load_package(data_dir: Path | None = None) -> dict:
    """The parsed ``datapackage.json`` of ``data_dir`` (default: the data folder in force)."""
    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    pkg_path = data_dir / PACKAGE_FILE
    if not pkg_path.exists():
        raise DataValidationError([Problem(_rel(pkg_path), None, None, "file-exists",
                                           "the data dictionary is missing")])
    try:
        return json.loads(pkg_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataValidationError([Problem(_rel(pkg_path), exc.lineno, None, "json", exc.msg)]) from exc


def resource(package: dict, name: str) -> dict:
    """The resource called ``name`` in ``package``."""
    for res in package.get("resources", []):
        if res.get("name") == name:
            return res
    known = ", ".join(sorted(r.get("name", "?") for r in package.get("resources", [])))
    raise KeyError(f"no resource '{name}' in the data dictionary (known: {known})")


#: Field types and constraints this validator implements; anything else in the dictionary is an error
#: rather than a rule silently not enforced.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date")
CONSTRAINTS = ("required", "unique", "enum", "minimum", "maximum", "pattern")


def _json_line(text: str, *names: str) -> int | None:
    """The line of ``"name": "<names[-1]>"`` found after each earlier name in turn (best effort)."""
    pos = 0
    for name in names:
        match = re.compile(r'"name"\s*:\s*' + re.escape(json.dumps(name))).search(text, pos)
        if not match:
            return None
        pos = match.start()
    return text.count("\n", 0, pos) + 1


def check_dictionary(package: dict, data_dir: Path | None = None,
                     only: Iterable[str] | None = None) -> list[Problem]:
    """Problems in the dictionary itself: unsupported types or constraints, keys naming fields that
    do not exist, foreign keys to unknown resources. ``only`` limits the check to some resources."""
    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    pkg_path = data_dir / PACKAGE_FILE
    name = _rel(pkg_path)
    try:
        text = pkg_path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    resources = package.get("resources", [])
    by_name = {r.get("name"): r for r in resources}
    problems: list[Problem] = []

    def add(line, column, message, *where):
        problems.append(Problem(name, line if line else _json_line(text, *where), column, "dictionary", message))

    wanted = set(only) if only is not None else None
    for i, res in enumerate(resources):
        rname = res.get("name")
        if wanted is not None and rname not in wanted:
            continue
        label = f"resource '{rname}'" if rname else f"resource #{i + 1}"
        missing = [k for k in ("name", "path", "schema") if k not in res]
        if missing or not isinstance(res.get("schema", {}).get("fields"), list):
            add(None, None, f"{label} lacks {', '.join(missing) or 'schema.fields'}", *([rname] if rname else []))
            continue
        fields = res["schema"]["fields"]
        names = [f.get("name") for f in fields]
        for field in fields:
            fname = field.get("name")
            if not fname:
                add(None, None, f"{label} has a field without a name", rname)
                continue
            where = (rname, fname)
            if names.count(fname) > 1:
                add(None, fname, f"{label} describes field '{fname}' more than once", *where)
            ftype = field.get("type", "string")
            if ftype not in FIELD_TYPES:
                add(None, fname, f"{label}, field '{fname}': type '{ftype}' is not supported "
                    f"(use one of: {', '.join(FIELD_TYPES)})", *where)
            unknown = sorted(set(field.get("constraints", {})) - set(CONSTRAINTS))
            if unknown:
                add(None, fname, f"{label}, field '{fname}': constraint(s) {', '.join(unknown)} not supported "
                    f"(use: {', '.join(CONSTRAINTS)})", *where)
            pattern = field.get("constraints", {}).get("pattern")
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    add(None, fname, f"{label}, field '{fname}': pattern {pattern!r} is not a valid "
                        f"regular expression ({exc})", *where)
        schema = res["schema"]
        pk = schema.get("primaryKey")
        for col in ([pk] if isinstance(pk, str) else list(pk or [])):
            if col not in names:
                add(None, col, f"{label}: primaryKey names '{col}', which is not one of its fields", rname)
        for fk in schema.get("foreignKeys", []):
            cols = fk.get("fields")
            cols = cols if isinstance(cols, list) else [cols]
            ref = fk.get("reference", {})
            target = ref.get("resource") or rname
            ref_cols = ref.get("fields")
            ref_cols = ref_cols if isinstance(ref_cols, list) else [ref_cols]
            for col in cols:
                if col not in names:
                    add(None, col, f"{label}: foreignKeys names '{col}', which is not one of its fields", rname)
            if target not in by_name:
                add(None, ",".join(map(str, cols)),
                    f"{label}: foreign key refers to resource '{target}', which the dictionary does not "
                    "describe", rname)
                continue
            target_names = [f.get("name") for f in by_name[target].get("schema", {}).get("fields", [])]
            for col in ref_cols:
                if col not in target_names:
                    add(None, ",".join(map(str, cols)),
                        f"{label}: foreign key refers to {target}.{col}, which is not a field of {target}", rname)
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
    if _THOUSANDS_RE.match(value):
        return f"'{value}' has a thousands separator; write {value.replace(',', '')}"
    if _UNIT_SUFFIX_RE.match(value):
        number = re.match(r"^[+-]?[\d.]+", value).group(0)
        return f"'{value}' has a unit suffix; write the bare number {number} (the unit is in the dictionary)"
    return f"'{value}' is not a valid {ftype}"


def _convert(value: str, ftype: str):
    if ftype == "integer":
        return int(value)
    if ftype == "number":
        return float(value)
    if ftype == "boolean":
        return value == "true"
    return value


def _check_cells(table: RawTable, fields: list[dict], col_index: dict[str, int],
                 problems: list[Problem]) -> None:
    name = _rel(table.path)
    for field in fields:
        col = field["name"]
        if col not in col_index:
            continue
        idx = col_index[col]
        ftype = field.get("type", "string")
        cons = field.get("constraints", {})
        pattern = re.compile(cons["pattern"]) if "pattern" in cons else None
        for row, line in zip(table.rows, table.lines):
            value = row[idx] if idx < len(row) else ""
            if value == "":
                if cons.get("required"):
                    problems.append(Problem(name, line, col, "required", "value is blank but required"))
                continue
            if value != value.strip():
                problems.append(Problem(name, line, col, "whitespace",
                                        f"'{value}' has leading or trailing whitespace"))
                continue
            control = _CONTROL_RE.search(value)
            if control:
                problems.append(Problem(name, line, col, "control-character",
                                        f"{value!r} contains the control character "
                                        f"U+{ord(control.group(0)):04X}; delete it"))
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
                problems.append(Problem(name, line, col, "enum", f"'{value}' is not one of: {allowed}"))
            if "minimum" in cons and ftype in ("integer", "number") and typed < cons["minimum"]:
                problems.append(Problem(name, line, col, "minimum",
                                        f"{value} is below the minimum {cons['minimum']}"))
            if "maximum" in cons and ftype in ("integer", "number") and typed > cons["maximum"]:
                problems.append(Problem(name, line, col, "maximum",
                                        f"{value} is above the maximum {cons['maximum']}"))
            if pattern and not pattern.fullmatch(value):
                problems.append(Problem(name, line, col, "pattern",
                                        f"'{value}' does not match the pattern {cons['pattern']}"))


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
        if col != col.strip():
            problems.append(Problem(name, 1, col, "header-whitespace",
                                    f"column name '{col}' has leading or trailing whitespace"))
        if col in seen:
            problems.append(Problem(name, 1, col, "header-unique", f"column '{col}' appears twice"))
        seen.add(col)
        col_index.setdefault(col, i)
    missing = [c for c in expected if c not in col_index]
    unexpected = [c for c in table.header if c not in expected]
    for col in missing:
        close = _renamed_to(col, expected, table.header, unexpected)
        hint = f" (was it renamed to '{close}'?)" if close else ""
        problems.append(Problem(name, 1, col, "header-missing",
                                f"column '{col}' is in the data dictionary but not in the file{hint}"))
    for col in unexpected:
        problems.append(Problem(name, 1, col, "header-unexpected",
                                f"column '{col}' is in the file but not in the data dictionary"))
    if not missing and not unexpected and table.header != expected:
        problems.append(Problem(name, 1, None, "header-order",
                                "columns are not in the dictionary's order: " + ", ".join(expected)))
    width = len(table.header)
    for row, line in zip(table.rows, table.lines):
        if len(row) != width:
            problems.append(Problem(name, line, None, "row-width",
                                    f"row has {len(row)} cells but the header has {width}"))
    return col_index


def _key_tuples(table: RawTable, col_index: dict[str, int], cols: list[str]):
    for row, line in zip(table.rows, table.lines):
        if all(c in col_index for c in cols):
            yield tuple(row[col_index[c]] if col_index[c] < len(row) else "" for c in cols), line


def _check_keys(table: RawTable, res: dict, col_index: dict[str, int], problems: list[Problem]) -> None:
    name = _rel(table.path)
    schema = res.get("schema", {})
    checks = [([f["name"]], "unique") for f in schema.get("fields", [])
              if f.get("constraints", {}).get("unique")]
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
                problems.append(Problem(name, line, ",".join(cols), rule,
                                        f"duplicate key ({label}) first used on line {seen[key]}"))
            else:
                seen[key] = line


def _check_foreign_keys(table: RawTable, res: dict, col_index: dict[str, int],
                        tables: dict[str, tuple[RawTable, dict[str, int]]],
                        problems: list[Problem]) -> None:
    name = _rel(table.path)
    for fk in res.get("schema", {}).get("foreignKeys", []):
        cols = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        ref_cols = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        target = ref.get("resource") or res["name"]
        if target not in tables:
            continue
        ref_table, ref_index = tables[target]
        known = {k for k, _ in _key_tuples(ref_table, ref_index, ref_cols)}
        for key, line in _key_tuples(table, col_index, cols):
            if all(k == "" for k in key):
                continue
            if key not in known:
                label = ", ".join(f"'{k}'" for k in key)
                problems.append(Problem(name, line, ",".join(cols), "foreign-key",
                                        f"{label} does not resolve in {target}.{','.join(ref_cols)}"))


# ---------------------------------------------------------------------------------------------
# Cross-table rules that a Table Schema cannot express. Each takes the typed tables and returns
# problems. They are registered here, named after the rule, and run by validate_package().

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
    frame.attrs["file_lines"] = list(table.lines)
    return frame


def _read_resource(res: dict, data_dir: Path, problems: list[Problem]):
    path = data_dir / res["path"]
    table = read_raw(path, problems)
    if table is None:
        return None, None
    fields = res.get("schema", {}).get("fields", [])
    col_index = _check_header(table, fields, problems)
    if not table.rows and not table.truncated:
        problems.append(Problem(_rel(path), None, None, "non-empty",
                                "file has a header but no data rows"))
    _check_cells(table, fields, col_index, problems)
    _check_keys(table, res, col_index, problems)
    return table, col_index


def _structurally_sound(res: dict) -> bool:
    return all(k in res for k in ("name", "path", "schema")) and isinstance(res["schema"].get("fields"), list)


def _run_cross_check(check: CrossCheck, frames: dict[str, pd.DataFrame], first: str) -> list[Problem]:
    """Run one cross-table rule; a rule that crashes is reported as a problem, not raised."""
    try:
        return check(frames)
    except Exception as exc:  # noqa: BLE001  (a validator reports, it does not crash)
        source = frames[first].attrs.get("source_file", first)
        return [Problem(source, None, None, f"cross-check:{check.__name__}",
                        f"the rule could not run: {type(exc).__name__}: {exc}")]


def validate_package(data_dir: Path | None = None) -> list[Problem]:
    """Check every resource of the data package in ``data_dir``; return every problem found.

    The cross-table rules (:mod:`bering.checks`) run on every group of tables that are themselves
    free of problems, so one broken file does not hide the cross-table problems of the others.
    """
    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    try:
        package = load_package(data_dir)
    except DataValidationError as exc:
        return exc.problems
    problems: list[Problem] = []
    dirty: set[str] = set()
    tables: dict[str, tuple[RawTable, dict[str, int]]] = {}
    resources = [res for res in package.get("resources", []) if _structurally_sound(res)]
    listed = {res["path"] for res in resources}
    for res in package.get("resources", []):
        dict_problems = check_dictionary(package, data_dir, only=[res.get("name")]) \
            if res.get("name") else check_dictionary(package, data_dir)
        problems.extend(p for p in dict_problems if p not in problems)
        if dict_problems:
            dirty.add(res.get("name"))
    for res in resources:
        own: list[Problem] = []
        table, col_index = _read_resource(res, data_dir, own)
        if table is not None:
            tables[res["name"]] = (table, col_index)
        if own or table is None:
            dirty.add(res["name"])
        problems.extend(own)
    for res in resources:
        if res["name"] in tables:
            table, col_index = tables[res["name"]]
            own = []
            _check_foreign_keys(table, res, col_index, tables, own)
            if own:
                dirty.add(res["name"])
            problems.extend(own)
    for csv_path in sorted(data_dir.glob("*.csv")):
        if csv_path.name not in listed:
            problems.append(Problem(_rel(csv_path), None, None, "described",
                                    "CSV is not described in datapackage.json"))
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
_REFERENCE_RULES = ("file-exists", "encoding", "non-empty", "csv-quote", "header-missing")


def load(name: str, data_dir: Path | None = None, cross_checks: bool = True) -> pd.DataFrame:
    """Load resource ``name`` as a typed DataFrame, validated against the dictionary.

    The resource is checked on its own and its foreign keys against the tables they reference.
    With ``cross_checks`` (the default) the rules that span tables and involve this one run too
    (see :mod:`bering.checks`). Raises :class:`DataValidationError` listing every problem.
    """
    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    package = load_package(data_dir)
    res = resource(package, name)
    fk_targets = {(fk.get("reference") or {}).get("resource") for fk in
                  (res.get("schema") or {}).get("foreignKeys", [])} - {None, name}
    problems = check_dictionary(package, data_dir, only=[name, *sorted(fk_targets)])
    if problems:
        raise DataValidationError(problems)
    table, col_index = _read_resource(res, data_dir, problems)
    tables = {}
    if table is not None:
        tables[name] = (table, col_index)
        targets = {fk["reference"].get("resource") for fk in res.get("schema", {}).get("foreignKeys", [])}
        for target in sorted(t for t in targets if t and t != name):
            ref_problems: list[Problem] = []
            ref_table, ref_index = _read_resource(resource(package, target), data_dir, ref_problems)
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


def field_units(name: str, data_dir: Path | None = None) -> dict[str, str]:
    """``{column: unit}`` for resource ``name``, as the dictionary states them."""
    res = resource(load_package(data_dir), name)
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
from . import checks as _checks  # noqa: E402,F401  (registers the cross-table rules)
