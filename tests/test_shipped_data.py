"""The data that ships in data/ honours its own dictionary."""

from __future__ import annotations

import json

from conftest import DATA

from bering import data


def test_shipped_package_has_no_problems():
    problems = data.validate_package(DATA)
    assert problems == [], "\n".join(map(str, problems))


def test_every_table_cites_sources_and_every_field_is_described():
    package = json.loads((DATA / "datapackage.json").read_text())
    for res in package["resources"]:
        fields = res["schema"]["fields"]
        names = [f["name"] for f in fields]
        assert all(f.get("description") for f in fields), f"{res['name']}: a field lacks a description"
        assert all(f.get("type") in {"string", "integer", "number", "boolean", "date"} for f in fields)
        if res["name"] != "sources":
            assert "source_id" in names, f"{res['name']} has no source_id column"
            fks = [fk for fk in res["schema"].get("foreignKeys", []) if fk["fields"] == ["source_id"]]
            assert fks and fks[0]["reference"] == {"resource": "sources", "fields": ["source_id"]}
        numeric = [f for f in fields if f["type"] in ("integer", "number") and f["name"] != "year"]
        assert all("unit" in f for f in numeric), (
            f"{res['name']}: numeric fields without a unit: {[f['name'] for f in numeric if 'unit' not in f]}"
        )


def test_money_rule_is_enforced_on_shipped_tables(data_copy):
    path = data_copy / "timeline.csv"
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if ",USD,2025," in line)
    path.write_text(text.replace(row, row.replace(",USD,2025,", ",USD,1870,")), encoding="utf-8")
    found = [str(p) for p in data.validate_package(data_copy)]
    assert any("timeline.csv" in p and "[money-coverage] no US price index for 1870" in p for p in found), found


def test_shipped_dictionary_is_structurally_sound_with_plain_paths():
    package = data.load_package(DATA)
    problems, sound = data.check_structure(package, DATA)
    assert problems == [] and sound == set(range(len(package["resources"])))
    for res in package["resources"]:
        assert (DATA / res["path"]).resolve().is_relative_to(DATA.resolve()), res["path"]
