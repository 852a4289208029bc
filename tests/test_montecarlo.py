"""Reference-class Monte Carlo: exact results on degenerate inputs, reproducibility, speed, errors."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from statistics import NormalDist

import numpy as np
import pytest

from bering import SEED
from bering import montecarlo as mc


def degenerate(**changes) -> mc.Inputs:
    base = dict(tunnel_km=100.0, tunnel_values=np.array([250.0]), approach_km=1000.0,
                approach_values=np.array([5.0]), tunnel_overrun=(50.0, 0.0), approach_overrun=(40.0, 0.0))
    base.update(changes)
    return mc.Inputs(**base)


def test_degenerate_inputs_give_exact_products():
    result = mc.simulate(degenerate(), draws=1000)
    # 100 km x USD 250 m per km = 25 bn, x 1.5 = 37.5; 1000 km x 5 m = 5 bn, x 1.4 = 7
    assert np.all(result.tunnel == 37.5)
    assert np.all(result.approach == 7.0)
    assert np.all(result.whole == 44.5)
    table = mc.summary(result).set_index("component")
    assert table.loc["whole link", ["P10", "P50", "P80", "P90", "mean"]].tolist() == [44.5] * 5
    assert table.loc["tunnel", "unit"] == "USD 2025 bn"


def test_no_overrun_and_no_approach():
    result = mc.simulate(degenerate(tunnel_overrun=None, approach_km=0.0), draws=10)
    assert np.all(result.tunnel == 25.0) and np.all(result.approach == 0.0)


def test_same_seed_same_draws_other_seed_other_draws():
    inputs = degenerate(tunnel_values=np.array([100.0, 300.0, 500.0]), tunnel_overrun=(30.0, 50.0),
                        approach_overrun=(45.0, 38.0))
    a, b = mc.simulate(inputs, 5000, seed=SEED), mc.simulate(inputs, 5000, seed=SEED)
    assert np.array_equal(a.whole, b.whole)
    assert not np.array_equal(a.whole, mc.simulate(inputs, 5000, seed=SEED + 1).whole)


def test_streams_are_independent_per_input():
    """Changing the tunnel's overrun leaves the approach draws untouched (common random numbers)."""
    inputs = degenerate(approach_values=np.array([3.0, 9.0]), approach_overrun=(45.0, 38.0),
                        tunnel_overrun=(30.0, 50.0))
    a = mc.simulate(inputs, 2000)
    b = mc.simulate(replace(inputs, tunnel_overrun=(80.0, 10.0)), 2000)
    assert np.array_equal(a.approach, b.approach)
    assert not np.array_equal(a.tunnel, b.tunnel)


def test_lognormal_from_moments_by_hand():
    assert mc.lognormal_from_moments(1.0, 0.0) == (0.0, 0.0)
    mu, sigma = mc.lognormal_from_moments(1.447, 0.38)
    s2 = math.log(1 + (0.38 / 1.447) ** 2)
    assert sigma == pytest.approx(math.sqrt(s2)) and mu == pytest.approx(math.log(1.447) - s2 / 2)
    # the draws reproduce the moments
    x = mc.draw_ratio(np.random.default_rng(SEED), 400_000, 44.7, 38.0)
    assert x.mean() == pytest.approx(1.447, rel=0.005) and x.std() == pytest.approx(0.38, rel=0.01)
    with pytest.raises(ValueError, match="positive mean"):
        mc.lognormal_from_moments(0.0, 1.0)


def test_draw_ratio_models_and_errors():
    rng = np.random.default_rng(SEED)
    assert np.all(mc.draw_ratio(rng, 5, 33.8, 0.0) == 1.338)
    normal = mc.draw_ratio(rng, 100_000, 33.8, 62.0, model="normal")
    assert normal.min() > 0                       # redrawn wherever it was not positive
    assert (mc.draw_ratio(rng, 1000, 33.8, 62.0) > 0).all()
    with pytest.raises(ValueError, match="zero or negative"):
        mc.draw_ratio(rng, 5, -100.0, 10.0)
    with pytest.raises(ValueError, match="unknown overrun model 'beta'; use one of: lognormal, normal"):
        mc.draw_ratio(rng, 5, 10.0, 10.0, model="beta")


def test_draw_values_models_and_errors():
    rng = np.random.default_rng(SEED)
    assert np.all(mc.draw_values(rng, 4, [7.5]) == 7.5)
    assert np.all(mc.draw_values(rng, 4, [2.0, 2.0], model="resample") == 2.0)
    resampled = mc.draw_values(rng, 10_000, [1.0, 10.0, 100.0], model="resample")
    assert set(np.unique(resampled)) == {1.0, 10.0, 100.0}
    fitted = mc.draw_values(rng, 200_000, [10.0, 1000.0])       # logs mean ln 100
    assert np.median(fitted) == pytest.approx(100.0, rel=0.02)
    with pytest.raises(ValueError, match="positive numbers"):
        mc.draw_values(rng, 4, [1.0, -2.0])


def test_percentiles_and_share():
    x = np.arange(101.0)
    assert mc.percentiles(x) == {10: 10.0, 50: 50.0, 80: 80.0, 90: 90.0}
    assert mc.share_at_or_below([1, 2, 3, 4], 2) == 50.0
    with pytest.raises(ValueError, match="within 0..100"):
        mc.percentiles(x, [50, 120])


def test_under_budget_share_by_hand():
    mu, sigma = mc.lognormal_from_moments(1.447, 0.38)
    assert mc.under_budget_share(44.7, 38.0) == pytest.approx(100 * NormalDist().cdf(-mu / sigma))
    nd = NormalDist(1.338, 0.62)
    by_hand = 100 * (nd.cdf(1) - nd.cdf(0)) / (1 - nd.cdf(0))
    assert mc.under_budget_share(33.8, 62.0, model="normal") == pytest.approx(by_hand)
    assert mc.under_budget_share(10.0, 0.0) == 0.0


def test_a_million_draws_well_under_two_seconds():
    inputs = degenerate(tunnel_values=np.array([160.0, 220.0, 290.0, 290.0, 360.0]),
                        approach_values=np.array([4.8, 4.9, 8.3]), tunnel_overrun=(33.8, 62.0),
                        approach_overrun=(44.7, 38.0))
    start = time.perf_counter()
    result = mc.simulate(inputs, 1_000_000)
    mc.summary(result)
    assert time.perf_counter() - start < 2.0


def test_draws_must_be_positive_whole():
    with pytest.raises(ValueError, match="draws must be a whole number of at least 1"):
        mc.simulate(degenerate(), 0)


PARAMS = dict(tunnel_km=112.0, years=8.0, russia_km=3500.0, alaska_km=1400.0)


@pytest.mark.parametrize("changes,message", [
    ({"tunnel_km": -1.0}, "tunnel_km must be a positive number"),
    ({"russia_km": float("nan")}, "russia_km must be a number of km"),
    ({"tunnel_class": "canals"}, "unknown tunnel_class 'canals'; use one of: rail_tunnels"),
    ({"overrun_model": "beta"}, "unknown overrun_model 'beta'"),
    ({"tunnel_overrun": "ships"}, "unknown tunnel_overrun 'ships'"),
    ({"bores": 0}, "bores must be a whole number of at least 1"),
    ({"tbm_count": 2.5}, "tbm_count must be a whole number"),
    ({"boring_share": 0.0}, r"boring_share must be in \(0, 1\]"),
    ({"method": "ppp"}, "unknown method 'ppp'"),
])
def test_bad_parameters_are_named(changes, message):
    with pytest.raises(ValueError, match=message):
        mc.Params(**{**PARAMS, **changes})


def test_scenario_name_from_environment(monkeypatch):
    monkeypatch.delenv(mc.SCENARIO_ENV, raising=False)
    assert mc.scenario_name() == "baseline"
    monkeypatch.setenv(mc.SCENARIO_ENV, "no_overrun")
    assert mc.scenario_name() == "no_overrun"
    monkeypatch.setenv(mc.SCENARIO_ENV, "cheap")
    with pytest.raises(ValueError, match="unknown scenario 'cheap'.*use one of: baseline, undersea_tunnels"):
        mc.scenario_name()


@pytest.fixture
def key_dir(tmp_path):
    (tmp_path / "key_numbers.csv").write_text(
        "key,value,unit,notebook,description\n"
        "new_rail_alaska_km,1400,km,02_route_geometry,x\n"
        "new_rail_russia_km,3500,km,02_route_geometry,x\n", encoding="utf-8")
    return tmp_path


def test_approach_lengths_from_key_numbers(key_dir, tmp_path_factory):
    assert mc.approach_lengths(key_dir) == {"russia_km": 3500.0, "alaska_km": 1400.0}
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(KeyError, match="new_rail_russia_km.*02_route_geometry"):
        mc.approach_lengths(empty)
    straight = mc.approach_lengths(empty, fallback=True)
    assert straight == mc.straight_line_lengths()
    assert 2000 < straight["russia_km"] < 3500 and 500 < straight["alaska_km"] < 1400


def test_model_baseline_decodes_the_assumptions(key_dir):
    model = mc.Model.from_data(out_dir=key_dir)
    params = model.baseline()
    assert (params.tunnel_km, params.years) == (112.0, 8.0)
    assert (params.russia_km, params.alaska_km) == (3500.0, 1400.0)
    assert params.tunnel_class == "rail_tunnels" and params.approach_overrun == "rail"
    assert params.tunnel_overrun == "fixed links (bridges and tunnels)"
    assert (params.bores, params.tbm_count, params.boring_share, params.overrun_applied) == (3, 6, 1.0, True)
    assert model.scenario("no_overrun").overrun_applied is False
    assert model.overrun_stats("rail")[:2] == (44.7, 38.0)
    inputs = model.inputs(params)
    assert inputs.approach_km == 4900.0 and len(inputs.tunnel_values) == 5


def test_model_results_hang_together(key_dir):
    model = mc.Model.from_data(out_dir=key_dir)
    params = replace(model.baseline(), draws=50_000)
    q = mc.summary(model.run(params)).set_index("component")
    assert (q["P10"] < q["P50"]).all() and (q["P50"] < q["P80"]).all() and (q["P80"] < q["P90"]).all()
    no_over = mc.summary(model.run(replace(params, overrun_applied=False))).set_index("component")
    assert no_over.loc["whole link", "P50"] < q.loc["whole link", "P50"]
    est = model.estimate(params, percentile=80, draws=50_000)
    assert len(est) == 4 and est.loc[2, "value"] == pytest.approx(336000 / (6 * 8 * 365.25), abs=0.005)
    with pytest.raises(ValueError, match="percentile must be between 0 and 100"):
        model.estimate(params, percentile=100)
    sens = model.sensitivity(params, draws=20_000)
    assert sens.attrs["baseline_p50"] > 0
    assert sens.loc[sens["option"] == "none", "change"].iloc[0] < 0
    assert (sens["change"] != 0).all()


def test_widget_does_not_print_when_built(key_dir, capsys):
    model = mc.Model.from_data(out_dir=key_dir)
    box = mc.estimate_widget(model, model.baseline())
    assert "tunnel length (km)" in repr(box)
    # outside a kernel, interactive_output's clear_output writes only an erase-line escape code
    assert capsys.readouterr().out.replace("\x1b[2K\r", "") == ""
