"""The package's structure: models apart from figures, one definition of each unit, no import cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bering import units

PACKAGE = Path(__file__).resolve().parents[1] / "bering"
#: Modules that serve notebooks, the site or the command line, and may import figures and plotting libraries.
NOTEBOOK_FACING = {"notebook", "export", "style", "overview", "site", "runner", "readme", "bench", "__main__"}
#: Modules that still hold figures of their own (none: every model's figures are in bering/plots/).
NOT_YET_SPLIT: set[str] = set()
#: Model modules that must import without any plotting library: their tables and numbers are usable anywhere.
MODELS = sorted(
    p.stem for p in PACKAGE.glob("*.py") if p.stem not in NOTEBOOK_FACING | NOT_YET_SPLIT | {"__init__", "results"}
)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, absolute (``bering.x``), at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = ".".join(("bering", *path.parent.relative_to(PACKAGE).parts)).split(".")
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_the_model_modules_are_the_ones_expected():
    for name in (
        "data",
        "checks",
        "money",
        "units",
        "timeline",
        "ledger",
        "economics",
        "montecarlo",
        "minerals",
        "route",
        "geo",
    ):
        assert name in MODELS


def test_no_model_module_imports_the_figures():
    offenders = {
        name: sorted(m for m in _imports(PACKAGE / f"{name}.py") if m.startswith("bering.plots"))
        for name in MODELS + sorted(NOT_YET_SPLIT)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_figures_never_import_notebook_machinery_back_into_a_model():
    # bering/plots/ draws what the models compute: it may import models, never the other way round
    for path in (PACKAGE / "plots").glob("*.py"):
        assert not any(m.startswith("bering.runner") or m.startswith("bering.site") for m in _imports(path)), path


def test_the_model_modules_import_no_plotting_library():
    code = (
        "import importlib, sys\n"
        f"for name in {MODELS!r}:\n"
        "    importlib.import_module('bering.' + name)\n"
        "print(sorted(m for m in ('matplotlib', 'plotly', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_validation_layer_sits_above_data_and_money():
    # data <- money <- checks: neither data nor money imports the validation layer (no import cycle)
    assert "bering.checks" not in _imports(PACKAGE / "data.py")
    assert "bering.checks" not in _imports(PACKAGE / "money.py")
    assert "bering.data" in _imports(PACKAGE / "checks.py")


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_units_are_defined_once(path):
    # the mile and the short ton are numbers in bering/units.py only; every other module imports them
    if path.name == "units.py":
        return
    typed = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in (units.KM_PER_MILE, units.TONNES_PER_SHORT_TON)
    ]
    assert typed == [], f"{path.name} types a unit constant on lines {typed}: import it from bering.units"


def test_unit_definitions():
    assert units.KM_PER_MILE == 1.609344
    assert units.SHORT_TON_MILE_TKM == pytest.approx(0.90718474 * 1.609344)
    assert units.SHORT_TON_MILE_TKM == pytest.approx(1.459972, abs=1e-6)
    from bering import economics, ledger, minerals, route

    assert ledger.KM_PER_MILE is units.KM_PER_MILE
    assert economics.SHORT_TON_MILE_TKM == minerals.SHORT_TON_MILE_TKM == units.SHORT_TON_MILE_TKM
    assert route.MILE_KM == minerals.MILE_KM == units.KM_PER_MILE
