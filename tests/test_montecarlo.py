"""Reference-class Monte Carlo: exact results on degenerate inputs, reproducibility, speed, errors."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from bering import SEED
from bering import montecarlo as mc


def degenerate(
    tunnel_values=(250.0,),
    approach_values=(5.0,),
    tunnel_overrun=(50.0, 0.0),
    approach_overrun=(40.0, 0.0),
    approach_km=1000.0,
    **options,
) -> mc.Inputs:
    segs = (
        mc.Segment("tunnel", 100.0, np.array(tunnel_values, dtype=float), tunnel_overrun),
        mc.Segment("approach", approach_km, np.array(approach_values, dtype=float), approach_overrun),
    )
    return mc.Inputs(segs, **options)


def test_degenerate_inputs_give_exact_products():
    result = mc.simulate(degenerate(), draws=1000)
    # 100 km x USD 250 m per km = 25 bn, x 1.5 = 37.5; 1000 km x 5 m = 5 bn, x 1.4 = 7
    assert np.all(result.tunnel == 37.5)
    assert np.all(result.approach == 7.0)
    assert np.all(result.whole == 44.5)
    table = mc.summary(result).set_index("component")
    assert table.loc["whole link", ["P10", "P50", "P80", "P90"]].tolist() == [44.5] * 4
    assert "mean" not in table.columns  # undefined for a Student-t of logs with few degrees of freedom
    assert table.loc["tunnel", "unit"] == "USD 2025 bn"


def test_no_overrun_and_no_approach():
    result = mc.simulate(degenerate(tunnel_overrun=None, approach_km=0.0), draws=10)
    assert np.all(result.tunnel == 25.0) and np.all(result.approach == 0.0)


def test_same_seed_same_draws_other_seed_other_draws():
    inputs = degenerate(tunnel_values=(100.0, 300.0, 500.0), tunnel_overrun=(30.0, 50.0), approach_overrun=(45.0, 38.0))
    a, b = mc.simulate(inputs, 5000, seed=SEED), mc.simulate(inputs, 5000, seed=SEED)
    assert np.array_equal(a.whole, b.whole)
    assert not np.array_equal(a.whole, mc.simulate(inputs, 5000, seed=SEED + 1).whole)


def test_streams_are_independent_per_segment_without_correlation():
    """Changing the tunnel's overrun leaves the approach draws untouched (common random numbers)."""
    inputs = degenerate(approach_values=(3.0, 9.0), approach_overrun=(45.0, 38.0), tunnel_overrun=(30.0, 50.0))
    a = mc.simulate(inputs, 2000)
    tunnel = replace(inputs.segments[0], overrun=(80.0, 10.0))
    b = mc.simulate(replace(inputs, segments=(tunnel, inputs.segments[1])), 2000)
    assert np.array_equal(a.approach, b.approach)
    assert not np.array_equal(a.tunnel, b.tunnel)


def test_correlated_normals_have_the_stated_correlation():
    rng = np.random.default_rng(SEED)
    f = rng.standard_normal(400_000)
    x, y = (mc.correlated_normals(f, rng.standard_normal(f.size), 0.5) for _ in range(2))
    assert np.corrcoef(x, y)[0, 1] == pytest.approx(0.5, abs=0.01)
    assert x.std() == pytest.approx(1.0, abs=0.01)
    # in the simulation, the log costs of two lognormal segments correlate at the stated value
    inputs = degenerate(
        tunnel_values=(100.0, 400.0),
        approach_values=(2.0, 8.0),
        tunnel_overrun=None,
        approach_overrun=None,
        uncertainty="none",
        correlation=0.5,
    )
    r = mc.simulate(inputs, 200_000)
    assert np.corrcoef(np.log(r.tunnel), np.log(r.approach))[0, 1] == pytest.approx(0.5, abs=0.01)
    r0 = mc.simulate(replace(inputs, correlation=0.0), 200_000)
    assert abs(np.corrcoef(np.log(r0.tunnel), np.log(r0.approach))[0, 1]) < 0.01


def test_t_predictive_widens_by_hand():
    """Logs 0 and ln 100: m = ln 10, s = ln 100 / sqrt 2; t with 1 df scaled by s sqrt(1 + 1/2)."""
    values = [1.0, 100.0]
    m, s = math.log(10), math.log(100) / math.sqrt(2)
    z = np.random.default_rng(1).standard_normal(400_000)
    none = mc.draw_log_costs(np.random.default_rng(2), z, values, "none")
    assert np.allclose(none, m + s * z)
    t = mc.draw_log_costs(np.random.default_rng(2), z, values, "t")
    # the predictive t's quartiles: m +- s sqrt(1.5) x t_{0.75, 1 df} (= 1, the Cauchy quartile)
    q25, q75 = np.percentile(t, [25, 75])
    assert (q75 - q25) / 2 == pytest.approx(s * math.sqrt(1.5) * 1.0, rel=0.02)
    boot = mc.draw_log_costs(np.random.default_rng(2), z, [1.0, 10.0, 100.0], "bootstrap")
    assert np.median(boot) == pytest.approx(math.log(10), abs=0.02)
    with pytest.raises(ValueError, match="unknown uncertainty 'bayes'"):
        mc.draw_log_costs(np.random.default_rng(2), z, values, "bayes")


def test_duration_model_by_hand():
    # one reference tunnel of 50 km built in 8 years; elasticity 0.5 scales it to 8 x sqrt(2) for 100 km
    years = mc.duration_log_samples([8.0], [50.0], 100.0, 0.5, draws=10)
    assert np.allclose(years, 8 * math.sqrt(2))
    years = mc.duration_log_samples([8.0, 8.0], [50.0, 100.0], 100.0, 0.0, draws=10)
    assert np.allclose(years, 8.0)
    with pytest.raises(ValueError, match="elasticity of duration must be within 0..1"):
        mc.duration_log_samples([8.0], [50.0], 100.0, 1.5, draws=10)


def test_reference_class_forecast_uplifts_the_estimate():
    x = mc.reference_class_forecast(8.0, 33.8, 0.0, draws=5)
    assert np.allclose(x, 8.0 * 1.338)


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
    assert normal.min() > 0  # redrawn wherever it was not positive
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
    fitted = mc.draw_values(rng, 200_000, [10.0, 1000.0])  # logs mean ln 100
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
    inputs = degenerate(
        tunnel_values=(160.0, 220.0, 290.0, 290.0, 360.0),
        approach_values=(4.8, 4.9, 8.3),
        tunnel_overrun=(33.8, 62.0),
        approach_overrun=(44.7, 38.0),
        correlation=0.5,
    )
    start = time.perf_counter()
    result = mc.simulate(inputs, 1_000_000)
    mc.summary(result)
    assert time.perf_counter() - start < 3.0


def test_draws_must_be_positive_whole():
    with pytest.raises(ValueError, match="draws must be a whole number of at least 1"):
        mc.simulate(degenerate(), 0)


PARAMS = dict(tunnel_km=112.0, years=8.0, russia_km=3500.0, alaska_km=1400.0)


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"tunnel_km": -1.0}, "tunnel_km must be a positive number"),
        ({"russia_km": float("nan")}, "russia_km must be a number of km"),
        ({"tunnel_class": "canals"}, "unknown tunnel_class 'canals'; use one of: rail_tunnels"),
        ({"overrun_model": "beta"}, "unknown overrun_model 'beta'"),
        ({"tunnel_overrun": "ships"}, "unknown tunnel_overrun 'ships'"),
        ({"bores": 0}, "bores must be a whole number of at least 1"),
        ({"tbm_count": 2.5}, "tbm_count must be a whole number"),
        ({"boring_share": 0.0}, r"boring_share must be in \(0, 1\]"),
        ({"method": "ppp"}, "unknown method 'ppp'"),
    ],
)
def test_bad_parameters_are_named(changes, message):
    with pytest.raises(ValueError, match=message):
        mc.Params(**{**PARAMS, **changes})


def test_scenario_name_from_environment(monkeypatch):
    monkeypatch.delenv(mc.SCENARIO_ENV, raising=False)
    assert mc.scenario_name() == "baseline"
    monkeypatch.setenv(mc.SCENARIO_ENV, "stress")
    assert mc.scenario_name() == "stress"
    monkeypatch.setenv(mc.SCENARIO_ENV, "cheap")
    with pytest.raises(ValueError, match="unknown scenario 'cheap'.*use one of: baseline, stress, no_correlation"):
        mc.scenario_name()


def test_approach_lengths_come_from_the_route_module():
    from bering import data, route

    lengths = mc.approach_lengths()
    links = route.missing_links(
        data.load("places"),
        data.load("alignment_segments"),
        route.load_published_lengths(),
        mc.CROSSING_ALIGNMENT,
        route.assumption_value(route.ASSUMPTION_ROUTE_FACTOR),
    )
    assert lengths["russia_km"] == pytest.approx(links.loc[links["side"] == "Russia", "length_km"].sum())
    assert 3500 <= lengths["russia_km"] < 4000 and 1000 < lengths["alaska_km"] < 2000


def test_model_baseline_decodes_the_assumptions():
    model = mc.model()
    params = model.baseline()
    assert (params.tunnel_km, params.years) == (112.0, 8.0)
    assert params.na_km == pytest.approx(80 * 1.609344 + 2600, rel=1e-3)
    assert params.tunnel_class == "rail_tunnels" and params.approach_class is None
    assert (params.bores, params.tbm_count, params.overrun_applied, params.correlation) == (3, 6, False, 0.5)
    assert model.scenario("stress").overrun_applied is True
    assert model.scenario("no_correlation").correlation == 0.0
    inputs = model.inputs(params)
    # per km of bore: the four rail tunnels whose bores are sourced
    assert [s.name for s in inputs.segments][0] == "bering_tunnel" and len(inputs.segments[0].values) == 4
    assert params.tunnel_per_bore and params.uplift_estimates
    assert len(model.inputs(model.scenario("per_route_km")).segments[0].values) == 5
    assert all(s.overrun is None for s in inputs.segments)


def test_model_results_hang_together():
    model = mc.model()
    params = replace(model.baseline(), draws=50_000)
    q = mc.summary(model.run(params)).set_index("component")
    assert (q["P10"] < q["P50"]).all() and (q["P50"] < q["P80"]).all() and (q["P80"] < q["P90"]).all()
    stress = mc.summary(model.run(replace(params, overrun_applied=True))).set_index("component")
    assert stress.loc["whole link", "P50"] > q.loc["whole link", "P50"]
    est = model.estimate(params, percentile=80, draws=50_000)
    # 336 bore-km by 6 TBMs in 8 years, boring 75 % of the time (assumption boring_share_of_schedule)
    assert est.loc[2, "value"] == pytest.approx(336000 / (6 * 8 * 365.25 * 0.75), abs=0.005)
    with pytest.raises(ValueError, match="percentile must be between 0 and 100"):
        model.estimate(params, percentile=100)


def test_results_contract_and_key_numbers():
    r = mc.results()
    assert list(r.columns) == ["key", "value", "unit", "description"]
    keys = set(r["key"])
    for k in (
        "claim_65bn_scope",
        "percentile_of_65bn_claim_whole_link",
        "percentile_of_8bn_claim",
        "whole_link_cost_p50_usd2025",
        "whole_link_cost_p90_usd2025",
        "north_america_connection_km",
        "tunnel_share_of_whole_link_cost",
        "construction_duration_p50_years",
        "probability_within_8_years",
        "claim_8bn_usd_per_bore_km",
    ):
        assert k in keys
    v = r.set_index("key")["value"]
    assert v["claim_65bn_scope"] == "corridor_programme"
    assert v["claim_8bn_usd_per_bore_km"] == pytest.approx(8000 / (112 * 3))
    samples = mc.whole_link_samples()
    assert np.percentile(samples, 50) == pytest.approx(v["whole_link_cost_p50_usd2025"])
    assert set(mc.SCENARIOS) >= {"baseline", "stress", "no_correlation", "fx_then_deflate", "deflate_then_fx"}
    assert mc.results() is not mc.results()  # a copy each time; the cache stays clean


def test_widget_shows_the_baseline_at_once_and_a_static_fallback(capsys):
    import pandas as pd

    from bering.plots import costs as pc

    model = mc.model()
    params = replace(model.baseline(), draws=20_000)
    box = pc.estimate_widget(model, params)
    slider = box.children[0].children[0]
    assert slider.value == 112 and type(slider.value) is int
    dropdown = box.children[0].children[1]
    assert ("long rail tunnels (bored or mined)", "rail_tunnels") in dropdown.options
    table = box.children[-1].value
    assert table.startswith("<table>") and "tunnel cost, P50" in table and "<th></th>" not in table
    slider.value = 60
    assert box.children[-1].value != table  # moving a control recomputes
    static = pd.DataFrame({"reference class": ["a <b>"], "percentile": ["P50"]})
    wrapped = pc.estimate_widget(model, params, static=static)
    bundle = wrapped._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data and "a &lt;b&gt;" in data["text/html"]
    assert capsys.readouterr().out.replace("\x1b[2K\r", "") == ""


def test_models_import_without_a_plotting_library():
    import subprocess
    import sys

    code = (
        "import sys; import bering.montecarlo, bering.benchmarks; "
        "print('matplotlib' in sys.modules or 'plotly' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_p90_range_across_uncertainty_methods():
    v = mc.results().set_index("key")["value"]
    p90s = mc.p90_across_methods("baseline")
    assert set(p90s["whole"]) == set(mc.UNCERTAINTY)
    # the baseline (t) is one of the methods, so its P90 lies within the range
    assert p90s["whole"]["t"] == pytest.approx(v["whole_link_cost_p90_usd2025"])
    assert v["whole_link_cost_p90_min_across_methods_usd2025"] == min(p90s["whole"].values())
    assert v["whole_link_cost_p90_max_across_methods_usd2025"] == max(p90s["whole"].values())
    assert (
        v["tunnel_cost_p90_min_across_methods_usd2025"]
        <= v["tunnel_cost_p90_usd2025"]
        <= v["tunnel_cost_p90_max_across_methods_usd2025"]
    )
    # the t-interval has the fattest tail: the fitted lognormal taken as known gives a lower P90
    assert p90s["whole"]["none"] < p90s["whole"]["t"]
    text = mc.findings()
    assert "mean" not in text.replace("mean overrun", "")  # no mean of the cost draws (it does not exist)
    assert f"{v['whole_link_cost_p90_min_across_methods_usd2025']:,.0f}-" in text


def test_65bn_read_at_its_2007_price_year_and_as_a_tunnel_cost():
    from bering import money

    v = mc.results().set_index("key")["value"]
    conv = money.Money.from_data()
    at_2007 = float(conv.convert(65.0, "USD", 2007))  # USD 65 bn of 2007 in USD 2025 (US CPI)
    assert v["claim_65bn_at_2007_prices_usd2025"] == pytest.approx(at_2007)
    assert 95 < at_2007 < 105
    whole, tunnel = mc.whole_link_samples(), mc.tunnel_samples()
    assert v["percentile_of_65bn_claim_at_2007_prices_whole_link"] == pytest.approx(100 * np.mean(whole <= at_2007))
    assert v["percentile_of_65bn_claim_tunnel"] == pytest.approx(100 * np.mean(tunnel <= 65.0))
    assert v["percentile_of_65bn_claim_at_2007_prices_whole_link"] > v["percentile_of_65bn_claim_whole_link"]


def test_estimate_rows_of_the_cost_classes_are_counted_and_named_in_the_findings():
    from bering import benchmarks

    v = mc.results().set_index("key")["value"]
    m = mc.model()
    basis = benchmarks.class_basis(m.table(), "rail_tunnels", m.classes)
    bored = m.table().set_index("project_id")["usd_m_per_bore_km"].dropna().index
    basis = basis[basis.index.isin(bored)]  # the baseline draws per bore-km from these
    assert v["tunnel_class_size"] == len(basis) == 4
    assert v["tunnel_class_not_outturn"] == int((basis != "outturn").sum()) >= 1
    rail = benchmarks.class_basis(m.table(), "remote_rail", m.classes)
    assert v["approach_class_not_outturn"] == int((rail != "outturn").sum())
    text = mc.findings()
    assert "when finished" not in text
    n, k = int(v["tunnel_class_size"]), int(v["tunnel_class_not_outturn"])
    assert f"{n - k} of {n} are outturns; {k} " in text


def test_whole_link_lengths_come_from_one_function():
    from bering import route

    km = route.new_construction_lengths()
    published = route.load_published_lengths().set_index("length_id")["quoted_km"]
    # Northern Rail Extension (published) plus the 2,600 km Delta Junction - Fort McMurray line
    assert km["na_km"] == pytest.approx(float(published["corridor_northern_rail_extension"]) + 2600)
    assert km["tunnel_km"] == 112.0
    assert mc.model().approach_km == {k: km[k] for k in ("russia_km", "alaska_km", "na_km")}
    r = route.results().set_index("key")["value"]
    rail = km["russia_km"] + km["alaska_km"] + km["na_km"]
    assert r["new_rail_whole_link_km"] == pytest.approx(rail)
    assert r["tunnel_share_of_new_construction"] == pytest.approx(112 / (112 + rail))
    assert r["tunnel_share_of_new_construction_to_fairbanks"] == pytest.approx(
        112 / (112 + km["russia_km"] + km["alaska_km"])
    )
    v = mc.results().set_index("key")["value"]
    assert v["whole_link_new_railway_km"] == pytest.approx(r["new_rail_whole_link_km"])


def test_tunnel_drawn_per_bore_km_times_the_bores():
    from bering import benchmarks

    m = mc.model()
    table = m.table().set_index("project_id")
    # rail tunnels with sourced bores: cost / (km x bores), then x 3 bores for the pitch's design
    bored = table.loc[list(m.classes["rail_tunnels"][1])].dropna(subset=["bores"])
    expected = (bored["usd_bn"] * 1000 / (bored["tunnelled_km"].astype(float) * bored["bores"].astype(float))) * 3
    got = mc.tunnel_per_bore_values(m.table(), "rail_tunnels", m.classes, 3)
    assert sorted(got) == pytest.approx(sorted(expected))
    assert len(got) == 4 < len(benchmarks.class_values(m.table(), "rail_tunnels", m.classes))
    v = mc.results().set_index("key")["value"]
    assert v["tunnel_class_bores_sourced"] == 4
    # per bore-km is the baseline; per route-km is the scenario and gives less for a three-bore tunnel
    assert v["tunnel_cost_p50_per_bore_km_usd2025"] == pytest.approx(v["tunnel_cost_p50_usd2025"])
    assert v["tunnel_cost_p50_per_route_km_usd2025"] < v["tunnel_cost_p50_usd2025"]
    route = mc.results(scenario="per_route_km").set_index("key")["value"]
    assert route["tunnel_cost_p50_per_route_km_usd2025"] == pytest.approx(route["tunnel_cost_p50_usd2025"])
    # degenerate class: one tunnel of 2 bores, USD 100 m per bore-km -> USD 300 m per km for 3 bores
    toy = pd.DataFrame(
        {
            "project_id": ["a", "b"],
            "usd_m_per_km": [200.0, 50.0],
            "usd_m_per_bore_km": [100.0, None],
            "scope": ["tunnel", "tunnel"],
        }
    )
    assert list(mc.tunnel_per_bore_values(toy, "c", {"c": ("c", ("a", "b"))}, 3)) == [300.0]
    with pytest.raises(ValueError, match="no tunnel whose bores are sourced"):
        mc.tunnel_per_bore_values(toy, "c", {"c": ("c", ("b",))}, 3)


def test_estimate_members_are_uplifted_by_their_class_overrun():
    from bering import benchmarks

    m = mc.model()
    params = m.baseline()
    mean, _, _ = m.overrun_stats(params.tunnel_overrun)
    assert mean == 33.8  # fixed links, Flyvbjerg, Holm and Buhl
    ratio = 1 + mean / 100
    stated = m.table().set_index("project_id")
    uplifted = m.table(uplift=ratio).set_index("project_id")
    # Brenner's cost rows are all estimates: its per-bore cost is 1.338 times the stated one
    assert stated.loc["brenner_base_tunnel", "basis"] == "estimate"
    assert uplifted.loc["brenner_base_tunnel", "usd_m_per_bore_km"] == pytest.approx(
        stated.loc["brenner_base_tunnel", "usd_m_per_bore_km"] * 1.338
    )
    # outturns are not touched
    assert uplifted.loc["gotthard_base_tunnel", "usd_bn"] == stated.loc["gotthard_base_tunnel", "usd_bn"]
    got = sorted(m.inputs(params).segments[0].values)
    assert got == pytest.approx(sorted(mc.tunnel_per_bore_values(m.table(uplift=ratio), "rail_tunnels", m.classes, 3)))
    as_stated = sorted(m.inputs(m.scenario("estimates_as_stated")).segments[0].values)
    assert as_stated == pytest.approx(sorted(mc.tunnel_per_bore_values(m.table(), "rail_tunnels", m.classes, 3)))
    v = mc.results().set_index("key")["value"]
    assert v["tunnel_class_uplifted"] == v["tunnel_class_not_outturn"] >= 1
    assert v["tunnel_estimate_uplift_pct"] == pytest.approx(33.8)
    assert v["approach_estimate_uplift_pct"] == pytest.approx(44.7)  # rail
    stated_v = mc.results(scenario="estimates_as_stated").set_index("key")["value"]
    assert stated_v["tunnel_class_uplifted"] == 0
    assert stated_v["tunnel_cost_p50_usd2025"] < v["tunnel_cost_p50_usd2025"]
    assert "put on an outturn basis with the class's mean overrun of 34 %" in mc.findings()
    assert benchmarks.class_basis(m.table(), "rail_tunnels", m.classes).loc["brenner_base_tunnel"] == "estimate"


def test_count_once_keeps_the_latest_figure_of_each_proposal():
    frame = pd.DataFrame(
        {
            "label": ["a_2010", "b_2011", "a_2012", "c_2011"],
            "year": [2010, 2011, 2012, 2011],
            "proposal": ["a", "b", "a", "c"],
        }
    )
    assert list(mc.count_once(frame)) == [False, True, True, True]


def test_a_proposal_priced_twice_is_counted_once(tmp_path):
    import shutil

    from bering import paths

    earlier = mc.earlier_tunnel_estimates(mc.model())
    # the shipped data: InterBering's 2010 price and its 2012 figure are one proposal
    inter = earlier[earlier["proposal"] == "bering_interbering"]
    assert sorted(inter["label"]) == ["2010_interbering_llc_founded", "bering_interbering_est_tunnel_35"]
    assert list(inter.loc[inter["counted"], "label"]) == ["bering_interbering_est_tunnel_35"]
    counted = earlier[earlier["counted"]]
    assert counted["proposal"].is_unique
    v = mc.results().set_index("key")["value"]
    assert v["tunnel_only_estimate_proposals"] == len(counted) == earlier["proposal"].nunique()
    assert v["tunnel_only_estimates_min_usd2025"] == pytest.approx(counted["usd_bn"].min())
    # the shipped data tie the BBC's 2011 figure to the 2011 Russian plan: one proposal, one figure
    russian = earlier[earlier["proposal"] == "bering_2011_russian_plan"]
    assert list(russian["label"]) == ["2011_bbc_tunnel_cost_breakdown"] and russian["counted"].all()
    # plant a second tunnel-only figure of that plan in a copy of the data: still one proposal, counted once
    data_dir = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data_dir)
    costs = pd.read_csv(data_dir / "project_costs.csv", dtype=str, keep_default_na=False)
    costs.loc[costs["cost_id"] == "bering_2011_est_60", "scope"] = "tunnel"
    costs.to_csv(data_dir / "project_costs.csv", index=False, lineterminator="\n")
    planted = mc.earlier_tunnel_estimates(mc.Model.from_data(data_dir))
    assert len(planted) == len(earlier) + 1
    assert planted["counted"].sum() == earlier["counted"].sum()
    russian = planted[planted["proposal"] == "bering_2011_russian_plan"]
    assert sorted(russian["label"]) == ["2011_bbc_tunnel_cost_breakdown", "bering_2011_est_60"]
    assert russian["counted"].sum() == 1


def test_channel_tunnel_as_a_share_of_uk_gdp():
    v = mc.results().set_index("key")["value"]
    # GBP 10 bn at completion over UK money GDP (Hansard, GBP million): 1994 alone, and 1988-1994
    assert v["channel_tunnel_total_share_of_uk_gdp_at_completion_pct"] == pytest.approx(100 * 10 / 668.255)
    years = [471.43, 515.957, 551.118, 575.674, 598.916, 631.158, 668.255]
    assert v["channel_tunnel_total_share_of_uk_gdp_while_built_pct"] == pytest.approx(100 * 10 / sum(years))
