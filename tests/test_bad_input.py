"""Bad input planted in a copy of the real data: every kind is named by file, line, column and rule.

Each case edits one or two cells of a shipped table (``data_copy``), then checks both doors a user
meets: ``python -m bering validate DIR`` (exit 1, the problem printed) and ``bering.data.load``,
the loader every notebook uses (raises :class:`bering.data.DataValidationError` with the same
text). Rows are picked from the data at run time (the first estimate of a project that opened,
the first metric with two periods ...), so the cases keep working as rows are added.

Two readings are accepted on purpose (a byte-order mark, CRLF line endings), and a quoted cell may
hold a newline; those are tested to load, with later line numbers still right. The last tests run
a real notebook on broken data and check that the failure names the notebook, the cell and the
data problem, and that the figures folder keeps its previous contents.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
import pandas as pd
import pytest

from bering import data, paths, runner
from bering.__main__ import main

# ---------------------------------------------------------------------------------------------
# Editing a real table


class Table:
    """A CSV of the data copy, parsed as text, edited cell by cell and written back as the
    project writes its CSVs (UTF-8, LF, minimal quoting)."""

    def __init__(self, folder: Path, filename: str):
        self.path = folder / filename
        text = self.path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.header, self.rows = rows[0], rows[1:]

    @property
    def where(self) -> str:
        """How the validator names this file (the copy is outside the repository: full path)."""
        return str(self.path.resolve())

    def col(self, name: str) -> int:
        return self.header.index(name)

    def get(self, i: int, column: str) -> str:
        return self.rows[i][self.col(column)]

    def set(self, i: int, column: str, value: str) -> "Table":
        self.rows[i][self.col(column)] = value
        return self

    def find(self, test: Callable[[dict], bool]) -> int:
        """Index of the first data row for which ``test(row as dict)`` holds."""
        for i, row in enumerate(self.rows):
            if test(dict(zip(self.header, row))):
                return i
        raise AssertionError(f"no row of {self.path.name} fits this case; has the data changed?")

    def line(self, i: int) -> int:
        """The file line data row ``i`` starts on (header = line 1), counting quoted newlines."""
        line = 2 + sum(cell.count("\n") for cell in self.header)
        for row in self.rows[:i]:
            line += 1 + sum(cell.count("\n") for cell in row)
        return line

    def save(self) -> "Table":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        self.path.write_text(buffer.getvalue(), encoding="utf-8")
        return self

    def at(self, i: int, column: str, rule: str) -> str:
        """The location prefix of a problem in row ``i``, column ``column``."""
        return f"{self.where}, line {self.line(i)}, column '{column}': [{rule}]"


def edit_package(folder: Path, change: Callable[[dict], None]) -> None:
    path = folder / data.PACKAGE_FILE
    package = json.loads(path.read_text(encoding="utf-8"))
    change(package)
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def field(package: dict, resource: str, name: str) -> dict:
    return next(f for f in data.resource(package, resource)["schema"]["fields"] if f["name"] == name)


def int_or_none(text: str) -> int | None:
    return int(text) if text.strip() else None


# ---------------------------------------------------------------------------------------------
# The cases: each plants one kind of bad input and returns the texts the report must contain.


@dataclass(frozen=True)
class Case:
    kind: str
    resource: str  # the table a notebook would load
    plant: Callable[[Path], list[str]]


def missing_file(d):
    (d / "places.csv").unlink()
    return [f"{(d / 'places.csv').resolve()}: [file-exists] file is missing"]


def empty_file(d):
    (d / "timeline.csv").write_text("", encoding="utf-8")
    return [f"{(d / 'timeline.csv').resolve()}: [non-empty] file is empty (no header, no rows)"]


def header_only(d):
    t = Table(d, "megaprojects.csv")
    t.rows = []
    t.save()
    return [f"{t.where}: [non-empty] file has a header but no data rows"]


def missing_column(d):
    t = Table(d, "places.csv")
    i = t.col("country")
    t.header.pop(i)
    for row in t.rows:
        row.pop(i)
    t.save()
    return [
        f"{t.where}, line 1, column 'country': [header-missing] "
        "column 'country' is in the data dictionary but not in the file"
    ]


def unexpected_column(d):
    t = Table(d, "places.csv")
    i = t.col("lon") + 1
    t.header.insert(i, "elevation_m")
    for row in t.rows:
        row.insert(i, "12")
    t.save()
    return [
        f"{t.where}, line 1, column 'elevation_m': [header-unexpected] "
        "column 'elevation_m' is in the file but not in the data dictionary"
    ]


def renamed_column(d):
    t = Table(d, "places.csv")
    t.header[t.col("lat")] = "latitude"
    t.save()
    return [
        f"{t.where}, line 1, column 'lat': [header-missing] column 'lat' is in the data dictionary "
        "but not in the file (was it renamed to 'latitude'?)",
        f"{t.where}, line 1, column 'latitude': [header-unexpected]",
    ]


def duplicate_header(d):
    t = Table(d, "places.csv")
    t.header[t.col("notes")] = "name"
    t.save()
    return [f"{t.where}, line 1, column 'name': [header-unique] column 'name' appears twice"]


def header_whitespace(d):
    t = Table(d, "places.csv")
    t.header[t.col("lat")] = "lat "
    t.save()
    return [
        f"{t.where}, line 1, column 'lat ': [header-whitespace] column name 'lat ' has leading or trailing whitespace"
    ]


def wrong_type(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["open_year"] != "")
    year = t.get(i, "open_year")
    t.set(i, "open_year", f"May {year}").save()
    return [t.at(i, "open_year", "type:integer") + f" 'May {year}' is not a valid integer"]


def thousands_separator(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["lives_lost"] != "" and int(r["lives_lost"]) >= 1000)
    plain = t.get(i, "lives_lost")
    t.set(i, "lives_lost", f"{int(plain):,}").save()
    return [t.at(i, "lives_lost", "type:integer") + f" '{int(plain):,}' has a thousands separator; write {plain}"]


def unit_suffix(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["length_km"] != "")
    km = t.get(i, "length_km")
    t.set(i, "length_km", f"{km} km").save()
    return [t.at(i, "length_km", "type:number") + f" '{km} km' has a unit suffix; write the bare number {km}"]


def blank_required(d):
    t = Table(d, "timeline.csv")
    i = len(t.rows) // 2
    t.set(i, "title", "").save()
    return [t.at(i, "title", "required") + " value is blank but required"]


def duplicate_key(d):
    t = Table(d, "timeline.csv")
    first = t.get(3, "event_id")
    t.set(4, "event_id", first).save()
    return [
        t.at(4, "event_id", "primary-key") + f" duplicate key (event_id={first}) first used on line {t.line(3)}",
        t.at(4, "event_id", "unique"),
    ]


def duplicate_composite_key(d):
    t = Table(d, "fx_rates.csv")
    year, currency = t.get(0, "year"), t.get(0, "currency")
    i = t.find(lambda r: r["currency"] == currency and r["year"] != year)
    t.set(i, "year", year).save()
    return [
        f"{t.where}, line {t.line(i)}, column 'year,currency': [primary-key] duplicate key "
        f"(year={year}, currency={currency}) first used on line {t.line(0)}"
    ]


def unknown_source_id(d):
    t = Table(d, "project_costs.csv")
    i = len(t.rows) - 1
    t.set(i, "source_id", "flyvbjerg_2099_no_such_study").save()
    return [
        t.at(i, "source_id", "foreign-key") + " 'flyvbjerg_2099_no_such_study' does not resolve in sources.source_id"
    ]


def unknown_project_id(d):
    t = Table(d, "project_costs.csv")
    t.set(0, "project_id", "chunnel").save()
    return [t.at(0, "project_id", "foreign-key") + " 'chunnel' does not resolve in megaprojects.project_id"]


def source_without_url(d):
    t = Table(d, "sources.csv")
    i = len(t.rows) // 3
    t.set(i, "url", "").save()
    return [t.at(i, "url", "required") + " value is blank but required"]


def source_url_without_scheme(d):
    t = Table(d, "sources.csv")
    i = t.find(lambda r: r["url"].startswith("https://"))
    bare = t.get(i, "url").removeprefix("https://")
    t.set(i, "url", bare).save()
    return [t.at(i, "url", "pattern") + f" '{bare}' does not match the pattern ^https?://\\S+$"]


def source_without_date(d):
    t = Table(d, "sources.csv")
    i = len(t.rows) // 2
    t.set(i, "date_published", "").save()
    return [t.at(i, "date_published", "required") + " value is blank but required"]


def impossible_date(d):
    t = Table(d, "sources.csv")
    t.set(1, "date_accessed", "2026-02-30").save()
    return [t.at(1, "date_accessed", "type:date") + " '2026-02-30' is not a date (write YYYY-MM-DD)"]


def latitude_out_of_range(d):
    t = Table(d, "places.csv")
    lat = float(t.get(0, "lat"))
    bad = f"{lat + 30:.5f}"
    t.set(0, "lat", bad).save()
    return [t.at(0, "lat", "maximum") + f" {bad} is above the maximum 90"]


def longitude_out_of_range(d):
    t = Table(d, "places.csv")
    i = t.find(lambda r: float(r["lon"]) < -160)
    bad = f"{float(t.get(i, 'lon')) - 20:.5f}"
    t.set(i, "lon", bad).save()
    return [t.at(i, "lon", "minimum") + f" {bad} is below the minimum -180"]


def negative_length(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["length_km"] != "")
    bad = "-" + t.get(i, "length_km")
    t.set(i, "length_km", bad).save()
    return [t.at(i, "length_km", "minimum") + f" {bad} is below the minimum 0"]


def negative_cost(d):
    t = Table(d, "project_costs.csv")
    bad = "-" + t.get(0, "amount_bn")
    t.set(0, "amount_bn", bad).save()
    return [t.at(0, "amount_bn", "minimum") + f" {bad} is below the minimum 0"]


def year_out_of_range(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["open_year"] != "")
    t.set(i, "open_year", "2031").save()
    return [t.at(i, "open_year", "maximum") + " 2031 is above the maximum 2030"]


def price_year_before_price_index(d):
    t = Table(d, "timeline.csv")
    i = t.find(lambda r: r["cost_currency"] == "USD")
    t.set(i, "cost_price_year", "1870").save()
    return [
        t.at(i, "cost_price_year", "money-coverage")
        + " no US price index for 1870 (covered: 1880-2025); amounts outside the covered years "
        "are not extrapolated"
    ]


def price_year_without_exchange_rate(d):
    fx = pd.read_csv(d / "fx_rates.csv")
    first = fx.groupby("currency")["year"].min()
    t = Table(d, "project_costs.csv")
    i = t.find(lambda r: r["currency"] in first.index and first[r["currency"]] > 1800)
    currency = t.get(i, "currency")
    year = int(first[currency]) - 1
    t.set(i, "price_year", str(year)).save()
    return [
        t.at(i, "price_year", "money-coverage")
        + f" no {currency} per USD exchange rate for {year} (covered: {first[currency]}-"
    ]


def unknown_currency_enum(d):
    t = Table(d, "project_costs.csv")
    t.set(0, "currency", "SEK").save()
    return [t.at(0, "currency", "enum") + " 'SEK' is not one of: USD, GBP"]


def unknown_currency_no_rates(d):
    t = Table(d, "timeline.csv")
    i = t.find(lambda r: r["cost_currency"] != "")
    t.set(i, "cost_currency", "SEK").save()
    return [t.at(i, "cost_currency", "money-coverage") + " unknown currency 'SEK'; known: "]


def amount_without_currency(d):
    t = Table(d, "timeline.csv")
    i = t.find(lambda r: r["cost_currency"] != "")
    t.set(i, "cost_currency", "").save()
    return [t.at(i, "cost_currency", "money-complete") + " an amount needs its cost_currency"]


def estimate_after_opening(d):
    projects = Table(d, "megaprojects.csv")
    opened = {r[projects.col("project_id")]: int_or_none(r[projects.col("open_year")]) for r in projects.rows}
    t = Table(d, "project_costs.csv")
    i = t.find(lambda r: r["cost_type"] == "estimate" and (opened.get(r["project_id"]) or 2100) <= 2025)
    project = t.get(i, "project_id")
    late = opened[project] + 3
    t.set(i, "year_stated", str(late)).save()
    return [
        t.at(i, "year_stated", "estimate-before-opening")
        + f" estimate for '{project}' is dated {late}, after the project opened in {opened[project]}"
    ]


def opened_before_construction(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["open_year"] != "" and r["construction_start_year"] != "")
    start = int(t.get(i, "construction_start_year"))
    t.set(i, "open_year", str(start - 2)).save()
    return [
        t.at(i, "open_year", "start-before-opening")
        + f" '{t.get(i, 'project_id')}' opens in {start - 2}, before its construction started in {start}"
    ]


def event_year_mismatch(d):
    t = Table(d, "timeline.csv")
    i = t.find(lambda r: r["category"] == "proposal" and int(r["year"]) > 1900)
    year = int(t.get(i, "year"))
    t.set(i, "year", str(year - 10)).save()
    return [
        t.at(i, "event_id", "year-consistent"),
        t.at(i, "date", "year-consistent") + f" '{t.get(i, 'date')}' does not start with the row's year {year - 10}",
    ]


def unit_not_in_enum(d):
    t = Table(d, "reference_overruns.csv")
    i = len(t.rows) // 2
    t.set(i, "unit", "%").save()
    return [t.at(i, "unit", "enum") + " '%' is not one of: percent"]


def unit_inconsistent_in_series(d):
    t = Table(d, "us_ree_trade.csv")
    counts = pd.Series([r[t.col("metric")] for r in t.rows]).value_counts()
    metric = counts.index[0]
    rows = [i for i, r in enumerate(t.rows) if r[t.col("metric")] == metric]
    unit = t.get(rows[0], "unit")
    t.set(rows[-1], "unit", "t REO").save()
    return [
        t.at(rows[-1], "unit", "unit-consistent")
        + f" metric '{metric}' is in '{unit}' on line {t.line(rows[0])} ({len(rows) - 1} row(s)) "
        "but in 't REO' here"
    ]


def enum_violation(d):
    t = Table(d, "timeline.csv")
    t.set(2, "mode", "ferry").save()
    return [t.at(2, "mode", "enum") + " 'ferry' is not one of: bridge, tunnel"]


def pattern_violation(d):
    t = Table(d, "timeline.csv")
    old = t.get(1, "event_id")
    bad = old.replace("_", "-", 1)
    t.set(1, "event_id", bad).save()
    return [t.at(1, "event_id", "pattern") + f" '{bad}' does not match the pattern"]


def boolean_violation(d):
    t = Table(d, "ree_production.csv")
    t.set(0, "estimated", "yes").save()
    return [t.at(0, "estimated", "type:boolean") + " 'yes' is not a boolean (write true or false)"]


def row_too_wide(d):
    t = Table(d, "places.csv")
    t.rows[2].append("stray")
    t.save()
    return [
        f"{t.where}, line {t.line(2)}: [row-width] row has {len(t.header) + 1} cells but the header has {len(t.header)}"
    ]


def non_utf8(d):
    """A name saved as Latin-1 (what an old spreadsheet export does) in an otherwise UTF-8 file."""
    t = Table(d, "places.csv")
    char = next(c for c in "\u00e8\u00f1\u00f8\u00ff" if c not in t.path.read_text(encoding="utf-8"))
    i = 2
    t.set(i, "name", t.get(i, "name") + f" (Diom{char}de)").save()
    text = t.path.read_text(encoding="utf-8")
    t.path.write_bytes(text.encode("utf-8").replace(char.encode(), char.encode("latin-1")))
    offset = text.encode("utf-8").index(char.encode())
    return [
        f"{t.where}, line {t.line(i)}: [encoding] not valid UTF-8 (byte 0x{ord(char):02x} at offset "
        f"{offset}) in column 'name'; save the file as UTF-8"
    ]


def whitespace_in_key(d):
    t = Table(d, "places.csv")
    key = t.get(0, "place_id")
    t.set(0, "place_id", f" {key}").save()
    return [t.at(0, "place_id", "whitespace") + f" ' {key}' has leading or trailing whitespace"]


def whitespace_in_foreign_key(d):
    t = Table(d, "project_costs.csv")
    key = t.get(0, "project_id")
    t.set(0, "project_id", f"{key} ").save()
    return [
        t.at(0, "project_id", "whitespace") + f" '{key} ' has leading or trailing whitespace",
        t.at(0, "project_id", "foreign-key") + f" '{key} ' does not resolve in megaprojects.project_id",
    ]


def control_character(d):
    t = Table(d, "timeline.csv")
    title = t.get(0, "title")
    t.set(0, "title", title[:5] + "\x00" + title[5:]).save()
    return [t.at(0, "title", "control-character"), "contains the control character U+0000; delete it"]


def unclosed_quote(d):
    t = Table(d, "timeline.csv")
    i = 5
    t.save()
    lines = t.path.read_text(encoding="utf-8").split("\n")
    n = t.line(i)
    column = t.header[-1]
    head, _, last = lines[n - 1].rpartition(",")
    assert not last.startswith('"')
    lines[n - 1] = f'{head},"{last}'  # the last cell opens a quote that nothing closes
    t.path.write_text("\n".join(lines), encoding="utf-8")
    return [
        f"{t.where}, line {n}, column '{column}': [csv-quote] a quoted field opened on this line "
        f"runs on to line {n + 1}, where a closing quote is followed by more text"
    ]


def unclosed_quote_at_end(d):
    """The same slip in the last row: nothing closes the quote before the end of the file."""
    t = Table(d, "timeline.csv")
    i = len(t.rows) - 1
    t.save()
    text = t.path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    n = t.line(i)
    assert n == len(text)
    head, _, last = text[n - 1].rpartition(",")
    text[n - 1] = f'{head},"{last}'
    t.path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return [
        f"{t.where}, line {n}, column '{t.header[-1]}': [csv-quote] a quoted field opened on this line "
        "is never closed, so the rest of the file would be read as one cell"
    ]


def embedded_newline_then_error(d):
    t = Table(d, "timeline.csv")
    t.set(1, "description", t.get(1, "description").replace(" ", "\n", 2))
    i = len(t.rows) - 2
    t.set(i, "category", "rumour").save()
    assert t.line(i) == i + 2 + 2  # two newlines inside row 1 push every later row down two lines
    return [t.at(i, "category", "enum") + " 'rumour' is not one of:"]


# -- the dictionary no longer matches its file --------------------------------------------------


def dictionary_renames_field(d):
    edit_package(d, lambda p: field(p, "places", "lon").update(name="longitude"))
    where = (d / "places.csv").resolve()
    return [
        f"{where}, line 1, column 'longitude': [header-missing] column 'longitude' is in the data "
        "dictionary but not in the file",
        f"{where}, line 1, column 'lon': [header-unexpected]",
    ]


def dictionary_type_changed(d):
    edit_package(d, lambda p: field(p, "megaprojects", "length_km").update(type="integer"))
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: "." in r["length_km"])
    return [t.at(i, "length_km", "type:integer") + f" '{t.get(i, 'length_km')}' is not a valid integer"]


def dictionary_reorders_fields(d):
    def swap(p):
        fields = data.resource(p, "places")["schema"]["fields"]
        a, b = fields.index(field(p, "places", "lat")), fields.index(field(p, "places", "lon"))
        fields[a], fields[b] = fields[b], fields[a]

    edit_package(d, swap)
    return [
        f"{(d / 'places.csv').resolve()}, line 1: [header-order] columns are not in the dictionary's "
        "order: place_id, name, lon, lat"
    ]


def dictionary_unsupported_type(d):
    edit_package(d, lambda p: field(p, "megaprojects", "open_year").update(type="year"))
    text = (d / data.PACKAGE_FILE).read_text(encoding="utf-8")
    res_at = text.index('"name": "megaprojects"')
    line = text.count("\n", 0, text.index('"name": "open_year"', res_at)) + 1
    return [
        f"{(d / data.PACKAGE_FILE).resolve()}, line {line}, column 'open_year': [dictionary] "
        "resource 'megaprojects', field 'open_year': type 'year' is not supported"
    ]


def dictionary_unknown_constraint(d):
    edit_package(d, lambda p: field(p, "places", "lat")["constraints"].update(minimun=-90))
    return ["column 'lat': [dictionary] resource 'places', field 'lat': constraint(s) minimun not supported"]


def dictionary_key_names_missing_field(d):
    edit_package(d, lambda p: data.resource(p, "places")["schema"].update(primaryKey=["place_key"]))
    return [
        "column 'place_key': [dictionary] resource 'places': primaryKey names 'place_key', which is not "
        "one of its fields"
    ]


def dictionary_path_renamed(d):
    edit_package(d, lambda p: data.resource(p, "places").update(path="place.csv"))
    return [f"{(d / 'place.csv').resolve()}: [file-exists] file is missing"]


def dictionary_not_json(d):
    path = d / data.PACKAGE_FILE
    lines = path.read_text(encoding="utf-8").split("\n")
    j = next(k for k, line in enumerate(lines) if line.endswith('",') and k > 20)
    lines[j] = lines[j][:-1]  # a comma lost in a hand edit; JSON notices on the next line
    path.write_text("\n".join(lines), encoding="utf-8")
    return [f"{path.resolve()}, line {j + 2}: [json] Expecting ',' delimiter"]


CASES = [
    Case(f.__name__, resource, f)
    for f, resource in [
        (missing_file, "places"),
        (empty_file, "timeline"),
        (header_only, "megaprojects"),
        (missing_column, "places"),
        (unexpected_column, "places"),
        (renamed_column, "places"),
        (duplicate_header, "places"),
        (header_whitespace, "places"),
        (wrong_type, "megaprojects"),
        (thousands_separator, "megaprojects"),
        (unit_suffix, "megaprojects"),
        (blank_required, "timeline"),
        (duplicate_key, "timeline"),
        (duplicate_composite_key, "fx_rates"),
        (unknown_source_id, "project_costs"),
        (unknown_project_id, "project_costs"),
        (source_without_url, "sources"),
        (source_url_without_scheme, "sources"),
        (source_without_date, "sources"),
        (impossible_date, "sources"),
        (latitude_out_of_range, "places"),
        (longitude_out_of_range, "places"),
        (negative_length, "megaprojects"),
        (negative_cost, "project_costs"),
        (year_out_of_range, "megaprojects"),
        (price_year_before_price_index, "timeline"),
        (price_year_without_exchange_rate, "project_costs"),
        (unknown_currency_enum, "project_costs"),
        (unknown_currency_no_rates, "timeline"),
        (amount_without_currency, "timeline"),
        (estimate_after_opening, "project_costs"),
        (opened_before_construction, "megaprojects"),
        (event_year_mismatch, "timeline"),
        (unit_not_in_enum, "reference_overruns"),
        (unit_inconsistent_in_series, "us_ree_trade"),
        (enum_violation, "timeline"),
        (pattern_violation, "timeline"),
        (boolean_violation, "ree_production"),
        (row_too_wide, "places"),
        (non_utf8, "places"),
        (whitespace_in_key, "places"),
        (whitespace_in_foreign_key, "project_costs"),
        (control_character, "timeline"),
        (unclosed_quote, "timeline"),
        (unclosed_quote_at_end, "timeline"),
        (embedded_newline_then_error, "timeline"),
        (dictionary_renames_field, "places"),
        (dictionary_type_changed, "megaprojects"),
        (dictionary_reorders_fields, "places"),
        (dictionary_unsupported_type, "megaprojects"),
        (dictionary_unknown_constraint, "places"),
        (dictionary_key_names_missing_field, "places"),
        (dictionary_path_renamed, "places"),
        (dictionary_not_json, "timeline"),
    ]
]


# -- what breaks the reader itself (issue 19, item 8): one message each, never a traceback --------


def huge_field(d):
    """A cell of two million characters (a paste gone wrong): reported, not read into memory forever."""
    t = Table(d, "timeline.csv")
    t.set(2, "description", "x" * 2_000_000).save()
    return [t.at(2, "description", "field-size") + f" a cell is longer than {data.FIELD_LIMIT:,} characters"]


def unclosed_quote_in_large_file(d):
    """An unclosed quote early in a file of several megabytes: the quote, not the size, is reported."""
    t = Table(d, "timeline.csv")
    t.rows = t.rows + [list(r) for r in t.rows] * 400  # swallowed by the open quote, never checked
    t.save()
    lines = t.path.read_text(encoding="utf-8").split("\n")
    n = t.line(1)
    head, _, last = lines[n - 1].rpartition(",")
    assert not last.startswith('"')
    # the last cell opens a quote, and no quote after it can close it
    lines = lines[: n - 1] + [f'{head},"{last}'] + [line.replace('"', "") for line in lines[n:]]
    t.path.write_text("\n".join(lines), encoding="utf-8")
    assert t.path.stat().st_size > 1_000_000
    return [
        f"{t.where}, line {n}, column '{t.header[-1]}': [csv-quote] a quoted field opened on this line is never closed"
    ]


def symlink_loop(d):
    path = d / "places.csv"
    path.unlink()
    path.symlink_to(path.name)
    return [f"{path}: [file-kind] is a symbolic link that points back to itself"]


def folder_instead_of_csv(d):
    path = d / "places.csv"
    path.unlink()
    path.mkdir()
    return [f"{path.resolve()}: [file-kind] is a folder, not a file"]


def package_json(d: Path) -> str:
    return str((d / data.PACKAGE_FILE).resolve())


def dictionary_resource_not_an_object(d):
    edit_package(d, lambda p: p["resources"].append("extra.csv"))
    n = len(json.loads((d / data.PACKAGE_FILE).read_text(encoding="utf-8"))["resources"])
    return [f"{package_json(d)}: [dictionary] resource #{n} must be an object, not a string"]


def dictionary_invalid_regex(d):
    edit_package(d, lambda p: field(p, "timeline", "event_id").setdefault("constraints", {}).update(pattern="[a-z0-9_"))
    return [
        "column 'event_id': [dictionary] resource 'timeline', field 'event_id': pattern '[a-z0-9_' is "
        "not a valid regular expression"
    ]


def dictionary_string_for_number(d):
    edit_package(d, lambda p: field(p, "megaprojects", "length_km").setdefault("constraints", {}).update(minimum="0"))
    return [
        "column 'length_km': [dictionary] resource 'megaprojects', field 'length_km': constraint 'minimum' "
        'must be a number for a field of type number, not a string "0"'
    ]


def dictionary_foreign_key_without_reference(d):
    edit_package(d, lambda p: data.resource(p, "places")["schema"]["foreignKeys"][0].pop("reference"))
    return ["column 'source_id': [dictionary] resource 'places': foreign key #1 needs a 'reference' object"]


def dictionary_path_absolute(d):
    """An absolute path to a system file is refused before anything is read (its text never shows)."""
    edit_package(d, lambda p: data.resource(p, "places").update(path="/etc/passwd"))
    return [
        f"{package_json(d)}",
        "[dictionary] resource 'places': path \"/etc/passwd\" is absolute or a URL; "
        "a resource path must be a relative name inside the data folder (it was not read)",
    ]


def dictionary_path_climbs_out(d):
    (d.parent / "outside.csv").write_text((d / "places.csv").read_text(encoding="utf-8"), encoding="utf-8")
    edit_package(d, lambda p: data.resource(p, "places").update(path="../outside.csv"))
    return [
        "[dictionary] resource 'places': path \"../outside.csv\" climbs out of the data folder with '..' "
        "(it was not read)"
    ]


def dictionary_path_links_out(d):
    (d.parent / "outside.csv").write_text((d / "places.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (d / "places.csv").unlink()
    (d / "places.csv").symlink_to(d.parent / "outside.csv")
    return [
        "[dictionary] resource 'places': path \"places.csv\" leads out of the data folder through a "
        "symbolic link (it was not read)"
    ]


# -- what users' files really contain: spreadsheet exports, other encodings, number formats, -----
# -- invisible characters ------------------------------------------------------------------------


def utf16_export(d):
    """'Unicode text' from a spreadsheet: UTF-16 with a byte-order mark."""
    path = d / "places.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return [f"{path.resolve()}: [encoding] the file is UTF-16"]


def cp1252_smart_quotes(d):
    """Typographic quotes typed in an old spreadsheet and saved as Windows-1252."""
    t = Table(d, "timeline.csv")
    t.set(3, "title", "\u201cIce bridge\u201d " + t.get(3, "title")).save()
    text = t.path.read_text(encoding="utf-8")
    t.path.write_bytes(text.encode("cp1252", errors="replace"))
    return [t.where, "[encoding] not valid UTF-8 (byte 0x", "save the file as UTF-8 (it reads as Windows-1252 text"]


def semicolon_separated(d):
    """A spreadsheet in a decimal-comma locale saves 'CSV' with semicolons."""
    t = Table(d, "places.csv")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows([t.header, *t.rows])
    t.path.write_text(buffer.getvalue(), encoding="utf-8")
    return [f"{t.where}, line 1: [csv-separator] this file uses ';' (semicolon) as separator"]


def tab_separated(d):
    t = Table(d, "places.csv")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows([t.header, *t.rows])
    t.path.write_text(buffer.getvalue(), encoding="utf-8")
    return [f"{t.where}, line 1: [csv-separator] this file uses a tab as separator"]


def excel_separator_directive(d):
    path = d / "places.csv"
    path.write_text("sep=,\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return [f"{path.resolve()}, line 1: [csv-separator] the first line 'sep=,' is a spreadsheet's separator directive"]


def decimal_comma(d):
    t = Table(d, "places.csv")
    lat = t.get(0, "lat")
    t.set(0, "lat", lat.replace(".", ",")).save()
    return [
        t.at(0, "lat", "type:number") + f" '{lat.replace('.', ',')}' uses a decimal comma; write the "
        f"decimal point: {lat}"
    ]


def decimal_comma_unquoted(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: "." in r["length_km"])
    t.save()
    lines = t.path.read_text(encoding="utf-8").split("\n")
    km = t.get(i, "length_km")
    lines[t.line(i) - 1] = lines[t.line(i) - 1].replace(f",{km},", f",{km.replace('.', ',')},", 1)
    t.path.write_text("\n".join(lines), encoding="utf-8")
    joined = km.replace(".", ",")
    return [
        f"{t.where}, line {t.line(i)}: [row-width] row has {len(t.header) + 1} cells but the header has "
        f"{len(t.header)}; '{joined}' in column 'length_km' looks like a number with a decimal comma",
        f"write {km}",
    ]


def nbsp_digit_groups(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["lives_lost"] != "" and int(r["lives_lost"]) >= 1000)
    plain = t.get(i, "lives_lost")
    grouped = f"{int(plain):,}".replace(",", "\u00a0")
    t.set(i, "lives_lost", grouped).save()
    return [
        t.at(i, "lives_lost", "type:integer") + f" {grouped!r} groups its digits with spaces or apostrophes; "
        f"write {plain}"
    ]


def typographic_minus(d):
    t = Table(d, "places.csv")
    lon = t.get(0, "lon")
    assert lon.startswith("-")
    t.set(0, "lon", "\u2212" + lon[1:]).save()
    return [t.at(0, "lon", "type:number") + f" '\u2212{lon[1:]}' uses the typographic minus sign U+2212; write {lon}"]


def currency_sign(d):
    t = Table(d, "project_costs.csv")
    amount = t.get(0, "amount_bn")
    t.set(0, "amount_bn", "$" + amount).save()
    return [t.at(0, "amount_bn", "type:number") + f" '${amount}' has a currency sign; write the bare number {amount}"]


def spreadsheet_error_value(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["length_km"] != "")
    t.set(i, "length_km", "#N/A").save()
    return [t.at(i, "length_km", "type:number") + " '#N/A' is a spreadsheet error value"]


def missing_value_marker(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["lives_lost"] == "")
    t.set(i, "lives_lost", "N/A").save()
    return [
        t.at(i, "lives_lost", "type:integer") + " 'N/A' is not an integer; leave the cell empty for a missing value"
    ]


def fullwidth_digits(d):
    """Digits typed with an East Asian input method: Python's int() would take them silently."""
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["open_year"] != "")
    year = t.get(i, "open_year")
    wide = "".join(chr(0xFF10 + int(c)) for c in year)
    t.set(i, "open_year", wide).save()
    return [t.at(i, "open_year", "type:integer") + f" {wide!r} has digits that are not ASCII 0-9"]


def zero_width_space_in_key(d):
    t = Table(d, "places.csv")
    key = t.get(1, "place_id")
    t.set(1, "place_id", key + "\u200b").save()
    return [
        t.at(1, "place_id", "invisible-character") + f" {key + chr(0x200B)!r} contains the invisible character "
        "U+200B (zero width space)"
    ]


def zero_width_in_foreign_key(d):
    t = Table(d, "project_costs.csv")
    source = t.get(0, "source_id")
    t.set(0, "source_id", "\ufeff" + source).save()
    return [t.at(0, "source_id", "invisible-character") + " ", "U+FEFF (zero width no-break space)"]


def trailing_non_breaking_space(d):
    t = Table(d, "places.csv")
    name = t.get(0, "name")
    t.set(0, "name", name + "\u00a0").save()
    return [t.at(0, "name", "whitespace") + f" '{name}\u00a0' has leading or trailing whitespace"]


def smart_quotes_as_csv_quotes(d):
    """A word processor turned the CSV's quotes into typographic ones, so a comma splits the cell."""
    t = Table(d, "places.csv")
    t.set(1, "notes", "x").save()
    lines = t.path.read_text(encoding="utf-8").split("\n")
    n = t.line(1)
    head, _, _ = lines[n - 1].rpartition(",")
    lines[n - 1] = head + ",\u201cOn the coast, facing west\u201d"
    t.path.write_text("\n".join(lines), encoding="utf-8")
    return [f"{t.where}, line {n}: [row-width]", "wrapped in typographic quotes", "use straight double quotes"]


def empty_columns_from_spreadsheet(d):
    t = Table(d, "places.csv")
    t.header = t.header + ["", ""]
    t.rows = [row + ["", ""] for row in t.rows]
    t.save()
    return [f"{t.where}, line 1: [header-empty] column {len(t.header) - 1} has no name"]


def leading_apostrophe(d):
    t = Table(d, "megaprojects.csv")
    i = t.find(lambda r: r["open_year"] != "")
    year = t.get(i, "open_year")
    t.set(i, "open_year", "'" + year).save()
    return [t.at(i, "open_year", "type:integer") + f" ''{year}' starts with a spreadsheet text marker"]


def accounting_negative(d):
    t = Table(d, "places.csv")
    lon = t.get(0, "lon")
    t.set(0, "lon", f"({lon[1:]})").save()
    return [t.at(0, "lon", "type:number") + f" '({lon[1:]})' is an accounting-style negative; write {lon}"]


def enum_in_other_case(d):
    t = Table(d, "places.csv")
    kind = t.get(0, "kind")
    t.set(0, "kind", kind.capitalize()).save()
    return [t.at(0, "kind", "enum") + f" '{kind.capitalize()}' is not one of:", f"; did you mean '{kind}'?"]


def source_id_typo(d):
    t = Table(d, "project_costs.csv")
    source = t.get(0, "source_id")
    typo = source[:-2] + source[-1] + source[-2]  # two letters swapped
    t.set(0, "source_id", typo).save()
    return [
        t.at(0, "source_id", "foreign-key") + f" '{typo}' does not resolve in sources.source_id; "
        f"did you mean '{source}'?"
    ]


def claim_group_disagrees_on_tolerance(d):
    """A second appearance of one claim with another tolerance: the two would get different verdicts."""
    t = Table(d, "claims.csv")
    seen: dict[str, int] = {}
    i = first = -1
    for j, row in enumerate(t.rows):
        group = row[t.col("claim_group")]
        if group in seen and row[t.col("tolerance")] and not row[t.col("tolerance_basis")]:
            i, first = j, seen[group]
            break
        seen.setdefault(group, j)
    assert i >= 0, "no claim group with a second appearance and a tolerance of its own; has the data changed?"
    group, tol = t.get(i, "claim_group"), t.get(i, "tolerance")
    t.set(i, "tolerance", tol + "1").save()
    return [
        t.at(i, "tolerance", "claim-group-consistent") + f" claim_group '{group}' has tolerance = "
        f"'{float(tol):g}' on line {t.line(first)} ({t.get(first, 'claim_id')}) but '{float(tol + '1'):g}' here"
    ]


NEW_CASES = [
    Case(f.__name__, resource, f)
    for f, resource in [
        (huge_field, "timeline"),
        (unclosed_quote_in_large_file, "timeline"),
        (symlink_loop, "places"),
        (folder_instead_of_csv, "places"),
        (dictionary_resource_not_an_object, "places"),
        (dictionary_invalid_regex, "timeline"),
        (dictionary_string_for_number, "megaprojects"),
        (dictionary_foreign_key_without_reference, "places"),
        (dictionary_path_absolute, "places"),
        (dictionary_path_climbs_out, "places"),
        (dictionary_path_links_out, "places"),
        (utf16_export, "places"),
        (cp1252_smart_quotes, "timeline"),
        (semicolon_separated, "places"),
        (tab_separated, "places"),
        (excel_separator_directive, "places"),
        (decimal_comma, "places"),
        (decimal_comma_unquoted, "megaprojects"),
        (nbsp_digit_groups, "megaprojects"),
        (typographic_minus, "places"),
        (currency_sign, "project_costs"),
        (spreadsheet_error_value, "megaprojects"),
        (missing_value_marker, "megaprojects"),
        (fullwidth_digits, "megaprojects"),
        (zero_width_space_in_key, "places"),
        (zero_width_in_foreign_key, "project_costs"),
        (trailing_non_breaking_space, "places"),
        (smart_quotes_as_csv_quotes, "places"),
        (empty_columns_from_spreadsheet, "places"),
        (leading_apostrophe, "megaprojects"),
        (accounting_negative, "places"),
        (enum_in_other_case, "places"),
        (source_id_typo, "project_costs"),
        (claim_group_disagrees_on_tolerance, "claims"),
    ]
]
CASES = CASES + NEW_CASES


def validate_output(folder: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["validate", str(folder)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input_is_named_by_file_line_column_and_rule(case, data_copy, capsys):
    expected = case.plant(data_copy)
    code, output = validate_output(data_copy, capsys)
    assert code == 1
    for text in expected:
        assert text in output, f"validate did not report {text!r}; it printed:\n{output}"
    with pytest.raises(data.DataValidationError) as info:
        data.load(case.resource, data_copy)
    for text in expected:
        assert text in str(info.value), f"load('{case.resource}') did not report {text!r}:\n{info.value}"


def test_there_are_at_least_25_kinds():
    assert len({c.kind for c in CASES}) == len(CASES) >= 25


def test_the_copy_is_clean_where_the_cases_plant(data_copy, capsys):
    """Each planted problem is new: none of the tables the cases load has a problem of its own."""
    for name in sorted({c.resource for c in CASES}):
        data.load(name, data_copy)


def test_a_problem_elsewhere_does_not_hide_cross_table_rules(data_copy):
    """The money rule still runs on timeline when an unrelated table is broken."""
    expected = price_year_before_price_index(data_copy)
    latitude_out_of_range(data_copy)
    found = "\n".join(str(p) for p in data.validate_package(data_copy))
    assert expected[0] in found and "[maximum]" in found


# ---------------------------------------------------------------------------------------------
# Accepted on purpose


def frame_digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()).hexdigest()


def problems_in(folder: Path, filename: str) -> list[str]:
    return [str(p) for p in data.validate_package(folder) if filename in p.file]


def test_byte_order_mark_is_accepted(data_copy):
    before = data.load("timeline", data_copy)
    path = data_copy / "timeline.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems_in(data_copy, "timeline.csv") == []
    after = data.load("timeline", data_copy)
    assert list(after.columns)[0] == "event_id"
    assert frame_digest(after) == frame_digest(before)


def test_crlf_line_endings_are_accepted_and_lines_stay_right(data_copy):
    before = data.load("megaprojects", data_copy)
    path = data_copy / "megaprojects.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert problems_in(data_copy, "megaprojects.csv") == []
    after = data.load("megaprojects", data_copy)
    assert frame_digest(after) == frame_digest(before)
    assert after.attrs["file_lines"] == before.attrs["file_lines"]
    # a problem planted in the CRLF file is still reported on the right line
    t = Table(data_copy, "megaprojects.csv")
    i = t.find(lambda r: r["length_km"] != "")
    raw = path.read_bytes().split(b"\r\n")
    raw[t.line(i) - 1] = raw[t.line(i) - 1].replace(
        b"," + t.get(i, "length_km").encode() + b",", b",-" + t.get(i, "length_km").encode() + b",", 1
    )
    path.write_bytes(b"\r\n".join(raw))
    assert any(t.at(i, "length_km", "minimum") in p for p in problems_in(data_copy, "megaprojects.csv"))


def test_bom_and_crlf_together_on_every_table(data_copy):
    """Saving every table as a spreadsheet would (BOM + CRLF) changes no verdict and no line."""
    before = data.validate_package(data_copy)
    for csv_path in sorted(data_copy.glob("*.csv")):
        csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes().replace(b"\n", b"\r\n"))
    assert data.validate_package(data_copy) == before


def test_quoted_newline_is_one_cell(data_copy):
    t = Table(data_copy, "timeline.csv")
    text = t.get(1, "description").replace(" ", "\n", 2)
    t.set(1, "description", text).save()
    assert problems_in(data_copy, "timeline.csv") == []
    frame = data.load("timeline", data_copy)
    assert frame["description"].iloc[1] == text
    assert frame.attrs["file_lines"][:4] == [2, 3, 6, 7]


# ---------------------------------------------------------------------------------------------
# A notebook on broken data fails clearly, and the figures folder keeps its previous contents

NOTEBOOK = paths.NOTEBOOKS_DIR / "01_proposal_timeline.ipynb"


def break_timeline_year(d):
    t = Table(d, "timeline.csv")
    i = len(t.rows) - 3
    t.set(i, "year", "2031").save()
    return t.at(i, "year", "maximum") + " 2031 is above the maximum 2025"


def break_source_url(d):
    t = Table(d, "sources.csv")
    i = len(t.rows) // 2
    t.set(i, "url", "").save()
    return t.at(i, "url", "required") + " value is blank but required"


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook 01 is not in this checkout")
@pytest.mark.parametrize("plant", [break_timeline_year, break_source_url], ids=["timeline_year", "source_url"])
def test_notebook_on_broken_data_names_notebook_cell_and_problem(plant, data_copy, tmp_path, monkeypatch):
    expected = plant(data_copy)
    out = tmp_path / "figures"
    shutil.copytree(paths.committed_figures_dir(), out)
    before = digests(out)
    monkeypatch.setenv("BERING_DATA_DIR", str(data_copy))
    with pytest.raises(runner.NotebookFailed) as info:
        runner.export_all(out, [NOTEBOOK], progress=False)
    message = str(info.value)
    match = re.match(rf"{re.escape(NOTEBOOK.name)} failed at cell (\d+) \((.+?)\): DataValidationError: ", message)
    assert match, message
    cell = nbformat.read(NOTEBOOK, as_version=4).cells[int(match.group(1)) - 1]
    assert cell.cell_type == "code" and cell.source.strip().splitlines()[0] == match.group(2)
    assert expected in message, message
    assert digests(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".figures-")]
