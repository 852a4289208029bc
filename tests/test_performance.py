"""The caches that keep the build and the tests fast never serve a result whose inputs differ."""

from __future__ import annotations

import contextlib
import shutil
import sys
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


def test_a_copy_of_the_folder_shares_the_checked_table_and_names_its_own_file(mini, tmp_path, monkeypatch):
    first = data.load("places", mini)
    copy = tmp_path / "copy"
    shutil.copytree(mini, copy)
    checked = []
    real = data._load
    monkeypatch.setattr(data, "_load", lambda *a: checked.append(a[1]) or real(*a))
    second = data.load("places", copy)
    assert checked == []  # same files, same contents: not checked again
    pd.testing.assert_frame_equal(first, second, check_flags=False)
    assert first.attrs["source_file"].endswith(str(Path(mini.name) / "places.csv"))
    assert second.attrs["source_file"] == data._rel(copy / "places.csv")
    assert second.attrs["file_lines"] == first.attrs["file_lines"] == [2, 3]
    (copy / "places.csv").write_text(MINI_PLACES_EDITED, encoding="utf-8")
    edited = data.load("places", copy)
    assert checked == [copy] and list(edited["name"]) == ["Cape A", "Cape Z"]
    assert list(data.load("places", mini)["name"]) == ["Cape A", "Cape B"]


MINI_PLACES_EDITED = (
    "place_id,name,lat,lon,kind,length_km,source_id\ncape_a,Cape A,66.0,-169.0,cape,1.5,src_a\n"
    "cape_b,Cape Z,65.5,-168.0,cape,2,src_b\n"
)


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
_HOOKED: list[bool] = []


def _record_open(event, args):
    if _RECORDING and event == "open" and isinstance(args[0], str):
        _OPENED.append(args[0])


@contextlib.contextmanager
def _recording_opens():
    """While active, ``_OPENED`` lists the paths the process opens (an audit hook, added once: audit
    hooks cannot be removed)."""
    if not _HOOKED:
        sys.addaudithook(_record_open)
        _HOOKED.append(True)
    _OPENED.clear()
    _RECORDING.append(True)
    try:
        yield _OPENED
    finally:
        _RECORDING.clear()


def test_loading_a_table_reads_only_its_own_files(mini):
    """The build records the files a notebook opens as its inputs: the cache's digests must not make
    a notebook read (and so depend on) every file of the data folder."""

    (mini / "unrelated.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with _recording_opens():
        data.load("sources", mini)
        data.load("sources", mini)
    opened = {Path(p).name for p in _OPENED if str(mini) in p}
    assert opened == {"datapackage.json", "sources.csv"}


# ---------------------------------------------------------------------------------------------
# Route and minerals: cached on the content of what they read, not on the folder's path


def _set_assumption(folder: Path, assumption_id: str, value: str) -> None:
    path = folder / "assumptions.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (table["assumption_id"] == assumption_id).sum() == 1
    table.loc[table["assumption_id"] == assumption_id, "value"] = value
    table.to_csv(path, index=False, lineterminator="\n")


def test_route_results_are_shared_by_a_copy_and_follow_each_input(data_copy):
    from bering import paths, route

    original = route.results(paths.data_dir())
    computed = route._RESULTS.computed
    # a copy with the same route inputs, even with another assumption changed, shares the results
    _set_assumption(data_copy, "minerals_truck_speed_km_per_day", "300")
    pd.testing.assert_frame_equal(route.results(data_copy), original)
    assert route._RESULTS.computed == computed
    assert route.geometry(data_copy).folder == data_copy.resolve()
    # the assumption route reads is an input: a new value is a new computation with a new number
    _set_assumption(data_copy, route.ASSUMPTION_ROUTE_FACTOR, "1.5")
    edited = route.results(data_copy).set_index("key")["value"]
    assert route._RESULTS.computed == computed + 1
    before = original.set_index("key")["value"]
    assert edited["new_rail_alaska_km"] > before["new_rail_alaska_km"]
    assert edited["strait_cape_to_cape_km"] == before["strait_cape_to_cape_km"]
    # a table it reads is an input
    places = data_copy / "places.csv"
    text = places.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("cape_dezhnev,"))
    fields = row.split(",")
    lon = fields.index(next(f for f in fields if f.startswith("-169") or f.startswith("-170")))
    fields[lon] = f"{float(fields[lon]) + 0.01:.6f}"
    places.write_text(text.replace(row, ",".join(fields)), encoding="utf-8")
    moved = route.results(data_copy).set_index("key")["value"]
    assert route._RESULTS.computed == computed + 2
    assert moved["strait_cape_to_cape_km"] != before["strait_cape_to_cape_km"]


def test_the_minerals_analysis_is_computed_once_for_every_scenario_and_follows_its_inputs(data_copy):
    from bering import minerals

    base = minerals.analysis(data_copy)
    computed = minerals._STATIC.computed
    other = minerals.analysis(data_copy, "stress")
    assert minerals._STATIC.computed == computed
    assert other.routes is base.routes  # the scenario-independent tables are one computation
    whole = base.capital["basis"].str.startswith("whole link")
    assert (other.capital.loc[whole, "usd_bn"] != base.capital.loc[whole, "usd_bn"]).all()
    pd.testing.assert_frame_equal(other.capital[~whole], base.capital[~whole])
    # an assumption it does not read leaves it shared; one it reads is a new computation
    _set_assumption(data_copy, "route_factor_unsourced_corridor", "1.5")
    assert minerals.analysis(data_copy).routes is base.routes
    _set_assumption(data_copy, "minerals_truck_speed_km_per_day", "175")
    slower = minerals.analysis(data_copy)
    assert minerals._STATIC.computed == computed + 1
    slow_days, base_days = slower.routes["days_central"].fillna(0), base.routes["days_central"].fillna(0)
    assert (slow_days >= base_days).all() and (slow_days > base_days).any()


def _loads_and_opens(monkeypatch, folder: Path, compute) -> tuple[set, set]:
    """The tables ``compute`` loads itself (name, cross_checks) and the files of ``folder`` it opens."""

    loaded: set = set()
    depth = []
    real = data.load

    def spy(name, data_dir=None, cross_checks=True):
        if not depth:
            loaded.add((name, bool(cross_checks)))
        depth.append(1)
        try:
            return real(name, data_dir, cross_checks)
        finally:
            depth.pop()

    monkeypatch.setattr(data, "load", spy)
    with _recording_opens():
        compute()
    opened = {Path(p).resolve().relative_to(folder.resolve()).as_posix() for p in _OPENED if str(folder) in p}
    return loaded, opened


def _table_files(tables) -> set[str]:
    """The files a table's load fingerprint counts: the table, the tables its foreign keys name and,
    loaded with the cross-table rules, the tables of those rules (and their foreign-key targets)."""
    package = data.load_package()

    def targets(table):
        keys = data.resource(package, table)["schema"].get("foreignKeys", [])
        return {fk["reference"].get("resource") for fk in keys} - {None, "", table}

    names = set()
    for name, cross in tables:
        names |= {name} | targets(name)
        if cross:
            for needs, _ in data.CROSS_CHECKS:
                if name in needs:
                    for other in needs:
                        names |= {other} | targets(other)
    return {data.resource(package, name)["path"] for name in names} | {"datapackage.json"}


def test_the_route_cache_keys_name_everything_a_computation_reads(data_copy, monkeypatch):
    """A cache key that missed an input would serve a stale result: every table the computation
    loads and every file it opens is among those its key counts."""
    from bering import route

    declared = {(t, True) for t in route.RESULTS_TABLES} | {("assumptions", True)}
    loaded, opened = _loads_and_opens(
        monkeypatch, data_copy, lambda: (route._compute_geometry(data_copy), route._compute_results(data_copy))
    )
    assert loaded <= declared
    assert {t for t, _ in loaded} >= set(route.RESULTS_TABLES)
    # files beyond the tables (and the tables their foreign keys and rules read, which the key counts)
    assert opened - _table_files(declared) == set(route.GEOMETRY_FILES)


def test_the_minerals_cache_key_names_everything_a_computation_reads(data_copy, monkeypatch):
    from bering import minerals

    declared = {(t, True) if isinstance(t, str) else t for t in minerals.STATIC_TABLES} | {("assumptions", True)}
    loaded, opened = _loads_and_opens(monkeypatch, data_copy, lambda: minerals._static_analysis(data_copy))
    assert loaded == declared
    assert opened <= _table_files(declared)


def test_a_models_lookups_are_kept_per_model_and_change_no_input():
    """Overrun statistics and class samples are looked up once per model; the inputs they give are
    those of a fresh model, and a sample handed to a run cannot be changed in place."""
    fresh = montecarlo.Model.from_data()
    kept = montecarlo.model()
    for name in ("baseline", "stress", "per_route_km", "undersea_tunnels"):
        params = kept.scenario(name)
        kept.inputs(params)  # a second lookup is served from the model's own tables
        a, b = kept.inputs(params), fresh.inputs(fresh.scenario(name))
        assert montecarlo.inputs_digest(a, 10, 1) == montecarlo.inputs_digest(b, 10, 1)
    sample = kept.inputs(kept.scenario("baseline")).segments[0].values
    with pytest.raises(ValueError, match="read-only"):
        sample[0] = 0.0
    mean, sd, ids = kept.overrun_stats("rail")
    ids.append("changed by a caller")
    assert kept.overrun_stats("rail") == (mean, sd, ids[:-1])


def test_the_cost_models_cache_key_names_everything_it_is_built_from(data_copy, monkeypatch):
    from bering import route

    assert montecarlo.MODEL_ASSUMPTIONS == (route.ASSUMPTION_ROUTE_FACTOR,)
    declared = {(t, True) if isinstance(t, str) else t for t in montecarlo.MODEL_TABLES} | {("assumptions", True)}
    loaded, opened = _loads_and_opens(monkeypatch, data_copy, lambda: montecarlo.Model.from_data(str(data_copy)))
    assert loaded == declared
    assert opened <= _table_files(declared)


def test_a_copy_shares_the_cost_model_but_reads_its_own_assumptions(data_copy):
    from bering import paths

    original = montecarlo.model(paths.data_dir())
    computed = montecarlo._MODELS.computed
    shared = montecarlo.model(data_copy)
    assert montecarlo._MODELS.computed == computed
    assert shared.projects is original.projects and shared.data_dir == str(data_copy.resolve())
    # an assumption the model's frames do not rest on is read from the copy itself
    _set_assumption(data_copy, "segment_cost_correlation", "0.25")
    assert montecarlo.model(data_copy).baseline().correlation == 0.25
    assert original.baseline().correlation != 0.25
    assert montecarlo._MODELS.computed == computed
    # the route factor the link's lengths rest on is an input: a new model, with longer approaches
    _set_assumption(data_copy, "route_factor_unsourced_corridor", "1.5")
    rebuilt = montecarlo.model(data_copy)
    assert montecarlo._MODELS.computed == computed + 1
    assert rebuilt.approach_km["alaska_km"] > original.approach_km["alaska_km"]
