"""Shared fixtures: a small, valid data package to break on purpose."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib
import pytest

from bering import paths  # noqa: F401  (pins a relative BERING_*_DIR before any notebook kernel starts)

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"

MINI_SOURCES = (
    "source_id,publisher,title,url,date_published,date_accessed,licence,notes\n"
    "src_a,Agency A,Table A,https://example.org/a,2024-05-01,2026-11-22,CC BY 4.0,\n"
    "src_b,Agency B,Table B,https://example.org/b,2023,2026-11-22,public domain,\n"
)
MINI_PLACES = (
    "place_id,name,lat,lon,kind,length_km,source_id\n"
    "cape_a,Cape A,66.0,-169.0,cape,1.5,src_a\n"
    "cape_b,Cape B,65.5,-168.0,cape,2,src_b\n"
)
MINI_PACKAGE = {
    "name": "mini",
    "resources": [
        {"name": "sources", "path": "sources.csv", "schema": {
            "fields": [
                {"name": "source_id", "type": "string", "constraints": {"required": True, "pattern": "[a-z0-9_]+"}},
                {"name": "publisher", "type": "string", "constraints": {"required": True}},
                {"name": "title", "type": "string", "constraints": {"required": True}},
                {"name": "url", "type": "string", "constraints": {"required": True, "pattern": "https?://\\S+"}},
                {"name": "date_published", "type": "string",
                 "constraints": {"required": True, "pattern": "\\d{4}(-\\d{2}(-\\d{2})?)?"}},
                {"name": "date_accessed", "type": "date", "constraints": {"required": True}},
                {"name": "licence", "type": "string", "constraints": {"required": True}},
                {"name": "notes", "type": "string"}],
            "primaryKey": ["source_id"]}},
        {"name": "places", "path": "places.csv", "schema": {
            "fields": [
                {"name": "place_id", "type": "string", "constraints": {"required": True}},
                {"name": "name", "type": "string", "constraints": {"required": True}},
                {"name": "lat", "type": "number", "unit": "degree",
                 "constraints": {"required": True, "minimum": -90, "maximum": 90}},
                {"name": "lon", "type": "number", "unit": "degree",
                 "constraints": {"required": True, "minimum": -180, "maximum": 180}},
                {"name": "kind", "type": "string", "constraints": {"enum": ["cape", "island"]}},
                {"name": "length_km", "type": "number", "unit": "km", "constraints": {"minimum": 0}},
                {"name": "source_id", "type": "string", "constraints": {"required": True}}],
            "primaryKey": ["place_id"],
            "foreignKeys": [{"fields": ["source_id"],
                             "reference": {"resource": "sources", "fields": ["source_id"]}}]}},
    ],
}


@pytest.fixture
def mini(tmp_path) -> Path:
    """A valid two-table data package in a temporary folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps(MINI_PACKAGE, indent=1), encoding="utf-8")
    (folder / "sources.csv").write_text(MINI_SOURCES, encoding="utf-8")
    (folder / "places.csv").write_text(MINI_PLACES, encoding="utf-8")
    return folder


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A copy of the repository's real data folder, to plant errors in."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("_staging"))
    return target
