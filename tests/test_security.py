"""Hostile or careless input stays data: escaping, formula injection, untrusted paths, no crash.

Each test plants the fault and asserts the outcome: the text a renderer or spreadsheet would see,
the message naming the place, exit status 1, and that nothing outside the data folder is read.
"""

from __future__ import annotations

import ast
import csv
import io
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bering import data, escape, export, paths
from bering.__main__ import main

REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# Escaping helpers


def test_html_escapes_tags_and_both_quotes():
    assert escape.html('<img src=x onerror="alert(1)">') == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert escape.html("O'Brien & Co") == "O&#x27;Brien &amp; Co"
    assert escape.html(None) == ""
    assert escape.html(12.5) == "12.5"


def test_markdown_keeps_html_and_markup_as_text():
    assert escape.markdown("<svg onload=alert(1)>") == "&lt;svg onload=alert\\(1\\)&gt;"
    assert escape.markdown("[click](javascript:alert(1))") == "\\[click\\]\\(javascript:alert\\(1\\)\\)"
    assert escape.markdown("*bold* _it_ `code` # h") == "\\*bold\\* \\_it\\_ \\`code\\` \\# h"
    assert escape.markdown("a | b") == "a \\| b"
    assert escape.markdown("USD 5 $ to $ 8") == "USD 5 \\$ to \\$ 8"  # no LaTeX in Jupyter
    assert escape.markdown("AT&T") == "AT&amp;T"
    assert escape.markdown("back\\slash") == "back\\\\slash"


def test_markdown_table_cell_folds_line_breaks():
    assert escape.markdown("one\ntwo\r\nthree", table_cell=True) == "one two three"
    assert escape.markdown("one\ntwo") == "one\ntwo"


def test_markdown_renders_back_to_the_same_text():
    """Rendered by mistune (the Markdown renderer of nbconvert, which the site uses), the escaped
    text is the original text and nothing else: no tag, emphasis, link, list or heading."""
    mistune = pytest.importorskip("mistune")
    for hostile in [
        "<img src=x onerror=alert(1)> *a* [b](javascript:c) | d & e $f$ # g",
        "- a list?",
        "1. a list?",
        "# a heading?",
        "> a quote?",
        "<script>alert(1)</script>",
        "`code` and ``more``",
        "![img](x.png)",
        "a\\*b",
    ]:
        rendered = mistune.html(escape.markdown(hostile)).strip()
        assert rendered == f"<p>{escape.html(hostile).replace('&#x27;', chr(39)).replace('&quot;', chr(34))}</p>", (
            hostile,
            rendered,
        )


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-406", "-406"),  # a genuine negative number stays a number
        ("+3.5e-2", "+3.5e-2"),
        ("-0.5", "-0.5"),
        ("- a dash starting a note", "'- a dash starting a note"),
        ("'=already marked", "''=already marked"),  # so that unescaping restores it exactly
        ("'plain apostrophe", "'plain apostrophe"),
        ("plain text", "plain text"),
        ("", ""),
    ],
)
def test_spreadsheet_cell_neutralises_formulas_the_owasp_way(value, expected):
    assert escape.spreadsheet_cell(value) == expected
    assert escape.spreadsheet_unescape(escape.spreadsheet_cell(value)) == value


def test_spreadsheet_cell_leaves_numbers_and_missing_values_alone():
    assert escape.spreadsheet_cell(-406) == -406
    assert escape.spreadsheet_cell(-1.5) == -1.5
    assert escape.spreadsheet_cell(None) is None


# ---------------------------------------------------------------------------------------------
# Formula injection in every CSV the export writes


HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3+cmd|' /C notepad'!A0", "@import", "\t=1", "\r=1"]


def _cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def _no_formula(cells: list[list[str]]) -> None:
    for row in cells:
        for cell in row:
            if cell[:1] in escape.FORMULA_TRIGGERS:
                float(cell)  # only a genuine number may start with a sign


def test_key_numbers_csv_neutralises_formulas_but_keeps_negative_numbers(tmp_path):
    out = export.Exporter("01_test", tmp_path)
    out.number("saving", -406.2, HOSTILE[0], HOSTILE[2])
    out.number("other", 3, "@unit", "+desc")
    cells = _cells(tmp_path / export.KEY_NUMBERS)
    _no_formula(cells)
    assert ["saving", "-406.2", "'" + HOSTILE[0], "01_test", "'" + HOSTILE[2]] in cells
    table = export.key_numbers(tmp_path)  # read back as written
    row = table.set_index("key").loc["saving"]
    assert row["value"] == -406.2 and row["unit"] == HOSTILE[0] and row["description"] == HOSTILE[2]
    out.number("saving", -1, HOSTILE[0], HOSTILE[2])  # an update does not mark twice
    assert ["saving", "-1", "'" + HOSTILE[0], "01_test", "'" + HOSTILE[2]] in _cells(tmp_path / export.KEY_NUMBERS)


def test_catalogue_csv_neutralises_formulas(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    out = export.Exporter("01_test", tmp_path)
    out.figure(fig, "01_test_line", title="=1+1 title", alt="@alt text", source="-source line", data_files=["+x.csv"])
    plt.close(fig)
    cells = _cells(tmp_path / export.CATALOGUE)
    _no_formula(cells)
    row = dict(zip(cells[0], cells[1]))
    assert row["title"] == "'=1+1 title" and row["alt_text"] == "'@alt text"
    assert row["source_line"] == "'-source line" and row["data_files"] == "'+x.csv"
    back = export.catalogue(tmp_path).iloc[0]
    assert back["title"] == "=1+1 title" and back["data_files"] == "+x.csv"


def test_write_csv_for_plotted_data(tmp_path):
    frame = pd.DataFrame({"label": HOSTILE, "value": [-1.5, -2, 3, -4e-3, 5, -6]})
    frame["=col"] = "x"
    export.write_csv(tmp_path / "plotted.csv", frame)
    cells = _cells(tmp_path / "plotted.csv")
    _no_formula(cells)
    assert cells[0] == ["label", "value", "'=col"]
    assert [row[1] for row in cells[1:]] == ["-1.5", "-2.0", "3.0", "-0.004", "5.0", "-6.0"]
    back = export.read_csv(tmp_path / "plotted.csv")
    # a lone carriage return inside a cell is written as a line feed, so that it stays inside its quoted cell
    assert list(back["label"]) == [h.replace("\r", "\n") for h in HOSTILE]
    assert list(back.columns) == ["label", "value", "=col"]


# ---------------------------------------------------------------------------------------------
# Untrusted paths and files that cannot be read


def test_absolute_resource_path_is_refused_and_never_read(mini, capsys, monkeypatch):
    package = json.loads((mini / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"][1]["path"] = "/etc/passwd"
    (mini / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    opened = []
    real = data._read_bytes
    monkeypatch.setattr(data, "_read_bytes", lambda path, *a: opened.append(str(path)) or real(path, *a))
    assert main(["validate", str(mini)]) == 1
    output = "".join(capsys.readouterr())
    assert 'path "/etc/passwd" is absolute or a URL' in output
    assert "root:" not in output
    assert not any("passwd" in p for p in opened)
    with pytest.raises(data.DataValidationError, match="is absolute or a URL"):
        data.load("places", mini)


@pytest.mark.parametrize(
    "path,why",
    [
        ("../x.csv", "climbs out of the data folder"),
        ("sub/../../x.csv", "climbs out of the data folder"),
        ("C:/Windows/win.ini", "is absolute or a URL"),
        ("\\\\server\\share\\x.csv", "is absolute or a URL"),
        ("https://example.org/x.csv", "is absolute or a URL"),
        ("./places.csv", "is not a plain relative file name"),
        ("places.csv\x00.txt", "is not a plain relative file name"),
        (["places.csv"], "path must be a string"),
    ],
)
def test_resource_paths_must_be_plain_names_inside_the_folder(mini, path, why):
    package = json.loads((mini / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"][1]["path"] = path
    (mini / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    found = [str(p) for p in data.validate_package(mini)]
    assert any("[dictionary] resource 'places'" in p and why in p for p in found), found


def test_unreadable_file_is_one_problem(mini, capsys, monkeypatch):
    real = Path.read_bytes

    def refuse(self):
        if self.name == "places.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert main(["validate", str(mini)]) == 1
    out = capsys.readouterr().out
    assert f"{mini / 'places.csv'}: [file-readable] cannot be read (permission denied)" in out


def test_missing_data_folder_is_reported_as_a_folder(tmp_path, capsys):
    missing = tmp_path / "no_such_data"
    assert main(["validate", str(missing)]) == 1
    out = capsys.readouterr().out
    assert f"{missing}: [folder-exists] the data folder does not exist" in out
    assert "dictionary" not in out
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    assert main(["validate", str(tmp_path / "a_file")]) == 1
    assert "[folder-exists] the data folder is not a folder" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text,expected",
    [
        ("[1, 2]", "the data package must be a JSON object, not an array"),
        ('"resources"', "the data package must be a JSON object, not a string"),
        ('{"resources": {}}', "'resources' must be a non-empty array"),
        ('{"resources": []}', "'resources' must be a non-empty array"),
        ('{"resources": [null]}', "resource #1 must be an object, not null"),
        ('{"resources": [{"name": "x", "path": "x.csv", "schema": []}]}', "'schema' must be an object, not an array"),
        ('{"resources": [{"name": "x", "path": "x.csv", "schema": {"fields": {}}}]}', "lacks schema.fields"),
        (
            '{"resources": [{"name": "x", "path": "x.csv", "schema": {"fields": [7]}}]}',
            "field #1 must be an object, not a number",
        ),
        (
            '{"resources": [{"name": "X Y", "path": "x.csv", "schema": {"fields": [{"name": "a"}]}}]}',
            "'name' must be lower-case letters",
        ),
        (
            '{"resources": [{"name": "x", "path": "x.csv", "schema": {"fields": [{"name": "a", '
            '"constraints": {"required": "yes"}}]}}]}',
            "constraint 'required' must be true or false, not a string",
        ),
        (
            '{"resources": [{"name": "x", "path": "x.csv", "schema": {"fields": [{"name": "a", '
            '"constraints": {"pattern": "(a"}}]}}]}',
            "is not a valid regular expression",
        ),
        (
            '{"resources": [{"name": "x", "path": "x.csv", "schema": {"fields": [{"name": "a"}], '
            '"foreignKeys": [{"fields": "a", "reference": {"resource": "y"}}]}}]}',
            "the reference needs 'resource' (a string) and 'fields'",
        ),
        (
            '{"resources": [{"name": "x", "path": "x.csv", "schema": {"fields": [{"name": "a"}], "primaryKey": 3}}]}',
            "primaryKey must be a field name or an array of field names",
        ),
        ("\ufeff{", "[json]"),
        ("[" * 100000, "[json]"),
    ],
)
def test_structurally_wrong_dictionary_is_one_clear_message(tmp_path, capsys, text, expected):
    (tmp_path / "datapackage.json").write_text(text, encoding="utf-8")
    (tmp_path / "x.csv").write_text("a\n1\n", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert expected in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_validation_never_raises_on_shuffled_dictionaries(mini):
    """Every field descriptor of the mini package replaced in turn by values of the wrong JSON kind."""
    base = json.loads((mini / "datapackage.json").read_text(encoding="utf-8"))
    wrong = [None, True, 3, "text", [], {}, ["a"], {"a": 1}]
    count = 0
    for r, res in enumerate(base["resources"]):
        for key in ["name", "path", "schema", "primaryKey", "foreignKeys", "fields", "constraints", "type"]:
            for value in wrong:
                package = json.loads(json.dumps(base))
                target = package["resources"][r]
                if key in ("primaryKey", "foreignKeys", "fields"):
                    target["schema"][key] = value
                elif key in ("constraints", "type"):
                    target["schema"]["fields"][0][key] = value
                else:
                    target[key] = value
                (mini / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
                problems = data.validate_package(mini)  # must not raise
                assert all(isinstance(p, data.Problem) for p in problems)
                try:
                    data.load("places", mini)
                except (data.DataValidationError, KeyError):
                    pass
                count += 1
    assert count == 2 * 8 * len(wrong)


# ---------------------------------------------------------------------------------------------
# Import order and the layering data <- money <- checks (no cycle)


def _imports(path: Path) -> set[str]:
    """The bering modules that ``path`` imports at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").startswith("bering")):
            base = (node.module or "").removeprefix("bering").lstrip(".")
            if base:
                found.add(base.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("bering."))
    return found


def _all_imports(path: Path) -> set[str]:
    """The bering modules ``path`` imports anywhere, inside functions too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
    return found


def test_no_import_cycle_among_the_package_modules():
    modules = {p.stem: _imports(p) for p in (REPO / "bering").glob("*.py") if p.stem != "__init__"}
    graph = {m: {d for d in deps if d in modules and d != m} for m, deps in modules.items()}
    state: dict[str, int] = {}

    def visit(node, trail):
        if state.get(node) == 1:
            raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(node) :] + [node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in sorted(graph[node]):
            visit(nxt, trail + [node])
        state[node] = 2

    for module in sorted(graph):
        visit(module, [])


def test_data_and_money_never_import_the_validation_layer():
    assert "checks" not in _all_imports(REPO / "bering" / "data.py")
    assert "checks" not in _all_imports(REPO / "bering" / "money.py")
    assert "money" not in _all_imports(REPO / "bering" / "data.py")
    assert {"data", "money"} <= _imports(REPO / "bering" / "checks.py")


@pytest.mark.parametrize(
    "order", list(itertools.permutations(["data", "checks", "money"])), ids=lambda order: "-".join(order)
)
def test_modules_import_in_any_order_with_the_rules_registered(order):
    code = (
        "import importlib\n"
        + "".join(f"importlib.import_module('bering.{m}')\n" for m in order)
        + "import bering.data\n"
        "names = sorted(check.__name__ for _, check in bering.data.CROSS_CHECKS)\n"
        "assert 'estimate_not_after_opening' in names and 'money_coverage_timeline' in names, names\n"
        "print(len(names))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len({id(c) for _, c in data.CROSS_CHECKS})


def test_paths_module_is_used_for_the_data_folder(mini, monkeypatch):
    """A relative data folder given to the loader is the one named from the working directory."""
    monkeypatch.chdir(mini.parent)
    assert data.load("places", Path(mini.name)).attrs["source_file"] == str(mini / "places.csv")
    assert paths.absolute(mini.name) == mini


def test_printed_problems_cannot_drive_the_terminal_or_flood_it(mini, capsys):
    text = (mini / "places.csv").read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    header = header.replace("length_km", "\x1b[2J\x1b[31mlength_km")
    first = first.replace("66.0", "x" * 50_000)
    (mini / "places.csv").write_text("\n".join([header, first, rest]), encoding="utf-8")
    assert main(["validate", str(mini)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "column '\\x1b[2J\\x1b[31mlength_km' is in the file but not in the data dictionary" in out
    assert "characters in all)" in out and max(len(line) for line in out.splitlines()) < data.MESSAGE_LIMIT + 100


@pytest.mark.parametrize(
    "plant,expected",
    [
        (lambda p: p.mkdir(), "[file-kind] is a folder, not a file"),
        (lambda p: p.symlink_to(p.name), "[file-kind] is a symbolic link that points back to itself"),
        (lambda p: p.symlink_to("/etc/passwd"), "[json] Expecting value"),
        (lambda p: p.write_bytes(b"\xff\xfe{\x00}\x00"), "[encoding] not valid UTF-8"),
    ],
)
def test_a_dictionary_that_cannot_be_read_is_one_problem(tmp_path, capsys, plant, expected):
    plant(tmp_path / "datapackage.json")
    assert main(["validate", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert expected in captured.out and "datapackage.json" in captured.out
    assert "root:" not in captured.out and "Traceback" not in captured.out + captured.err
