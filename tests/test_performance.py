"""The caches that keep the build and the tests fast never serve a result whose inputs differ."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bering import data, ledger, montecarlo, results


def test_a_loaded_table_follows_an_edit_of_the_same_size_made_at_once(mini):
    first = data.load("places", mini)
    path = mini / "places.csv"
    text = path.read_text(encoding="utf-8")
    # swap the two data rows: same bytes, same size, written within the clock tick of the first load
    header, a, b = text.rstrip("\n").split("\n")
    path.write_text("\n".join([header, b, a]) + "\n", encoding="utf-8")
    second = data.load("places", mini)
    assert list(first["place_id"]) == ["cape_a", "cape_b"]
    assert list(second["place_id"]) == ["cape_b", "cape_a"]


def test_a_loaded_table_is_a_copy_the_caller_may_change(mini):
    frame = data.load("places", mini)
    frame.loc[0, "name"] = "changed"
    assert data.load("places", mini).loc[0, "name"] == "Cape A"


def test_a_broken_table_is_reported_every_time(mini):
    (mini / "places.csv").write_text("place_id,name\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(data.DataValidationError):
            data.load("places", mini)


def test_runs_with_the_same_inputs_share_their_draws_read_only():
    seg = montecarlo.Segment("tunnel", 100.0, np.array([100.0, 150.0, 300.0]))
    inputs = montecarlo.Inputs((seg,), correlation=0.5)
    a = montecarlo.simulate_shared(inputs, 1000, seed=7)
    b = montecarlo.simulate_shared(montecarlo.Inputs((seg,), correlation=0.5), 1000, seed=7)
    assert a is b
    np.testing.assert_array_equal(a.whole, montecarlo.simulate(inputs, 1000, seed=7).whole)
    with pytest.raises(ValueError, match="read-only"):
        a.tunnel[0] = 0.0
    # any change of the numeric inputs is a new run
    other = montecarlo.Segment("tunnel", 100.0, np.array([100.0, 150.0, 301.0]))
    assert montecarlo.simulate_shared(montecarlo.Inputs((other,), correlation=0.5), 1000, seed=7) is not a
    assert montecarlo.simulate_shared(inputs, 1000, seed=8) is not a
    assert montecarlo.simulate_shared(inputs, 1001, seed=7) is not a


def test_key_numbers_of_some_modules_are_those_modules_numbers():
    from bering import route, timeline

    part = results.key_numbers(modules=["route", "timeline"])
    assert list(part["module"].unique()) == ["timeline", "route"]
    expected = results.combine({"timeline": timeline.results(), "route": route.results()})
    pd.testing.assert_frame_equal(part, expected)
    with pytest.raises(ValueError, match="not in the results registry: nowhere"):
        results.key_numbers(modules=["nowhere"])


def test_the_sensitivity_recomputes_the_modules_whose_keys_a_claim_reads():
    claims = pd.DataFrame(
        {
            "check": ["pct(key:percentile_of_8bn_claim)", "data:places.lat", "key:strait_cape_to_cape_km"],
            "notes": ["", "not a key: just prose", "context:years_at(key:tbm_advance_needed_m_per_day, x)"],
        }
    )
    assert ledger.referenced_keys(claims) == {
        "percentile_of_8bn_claim",
        "strait_cape_to_cape_km",
        "tbm_advance_needed_m_per_day",
    }
    keys = pd.DataFrame(
        {
            "key": ["strait_cape_to_cape_km", "percentile_of_8bn_claim", "tbm_advance_needed_m_per_day", "npv"],
            "module": ["route", "montecarlo", "montecarlo", "economics"],
        }
    )
    assert ledger.referenced_modules(claims, keys) == ["route", "montecarlo"]


@pytest.mark.slow
def test_a_variant_on_a_copy_recomputes_from_the_copy(tmp_path):
    """The tail-threshold variant built from the referenced modules alone gives the verdicts of the
    ledger built from every module."""
    from bering import paths

    copy = tmp_path / "data"
    shutil.copytree(paths.data_dir(), copy, ignore=shutil.ignore_patterns("_staging"))
    base = results.key_numbers("baseline", copy)
    modules = ledger.referenced_modules(ledger.load_claims(copy), base)
    some = ledger.variant_ledger(copy, "claims_mc_tail_pct", 5, modules=modules)
    every = ledger.variant_ledger(copy, "claims_mc_tail_pct", 5)
    assert list(some["verdict"]) == list(every["verdict"])


_OPENED: list[str] = []
_RECORDING: list[bool] = []


def _record_open(event, args):
    if _RECORDING and event == "open" and isinstance(args[0], str):
        _OPENED.append(args[0])


def test_loading_a_table_reads_only_its_own_files(mini):
    """The build records the files a notebook opens as its inputs: the cache's digests must not make
    a notebook read (and so depend on) every file of the data folder."""
    import sys

    (mini / "unrelated.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    if _record_open not in getattr(test_loading_a_table_reads_only_its_own_files, "hooks", []):
        sys.addaudithook(_record_open)
        test_loading_a_table_reads_only_its_own_files.hooks = [_record_open]
    _OPENED.clear()
    _RECORDING.append(True)
    try:
        data.load("sources", mini)
        data.load("sources", mini)
    finally:
        _RECORDING.clear()
    opened = {Path(p).name for p in _OPENED if str(mini) in p}
    assert opened == {"datapackage.json", "sources.csv"}
