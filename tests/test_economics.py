"""Notebook 06's model: annuity and break-even arithmetic against hand-computed values, and the
demand, market and site tables as the model reads them."""

import math
from dataclasses import replace

import numpy as np
import pytest

from bering import data, economics, money
from bering.plots import economics as plots

# -- annuity and break-even, by hand ---------------------------------------------------------------


def test_annuity_factor_matches_hand_computation():
    # 0.05 / (1 - 1.05 ** -20) = 0.05 / (1 - 0.376889) = 0.080243
    assert economics.annuity_factor(0.05, 20) == pytest.approx(0.0802426, rel=1e-6)
    # one year at 10%: repay 1 plus 10% interest
    assert economics.annuity_factor(0.10, 1) == pytest.approx(1.10)
    # zero interest: straight repayment
    assert economics.annuity_factor(0.0, 50) == pytest.approx(0.02)


def test_capital_charge_scales_cost_and_handles_arrays():
    assert economics.capital_charge(100.0, 0.05, 20) == pytest.approx(8.02426, rel=1e-5)
    charges = economics.capital_charge(np.array([50.0, 100.0]), 0.0, 50)
    np.testing.assert_allclose(charges, [1.0, 2.0])


def test_longer_life_and_lower_rate_lower_the_charge():
    assert economics.annuity_factor(0.035, 100) < economics.annuity_factor(0.035, 50)
    assert economics.annuity_factor(0.02, 50) < economics.annuity_factor(0.08, 50)


@pytest.mark.parametrize(
    "rate, years, message",
    [
        (-0.01, 10, "rate must be zero or a positive fraction"),
        (0.05, 0, "years must be positive"),
        (float("nan"), 10, "rate must be zero or a positive fraction"),
    ],
)
def test_annuity_factor_rejects_bad_input(rate, years, message):
    with pytest.raises(ValueError, match=message):
        economics.annuity_factor(rate, years)


def test_breakeven_tonnes_by_hand_and_rejects_zero_revenue():
    # USD 1 bn a year at USD 100 a tonne: 10 million tonnes
    assert economics.breakeven_tonnes(1e9, 100.0) == pytest.approx(1e7)
    with pytest.raises(ValueError, match="revenue per tonne must be positive"):
        economics.breakeven_tonnes(1e9, 0.0)


def _inputs(cost_bn=100.0, revenue=200.0, om=1.0, market_mt=300.0):
    return economics.Inputs(
        samples_bn=np.full(11, cost_bn), revenue_per_tonne=revenue, om_bn=om, transpacific_mt=market_mt, lengths={}
    )


def test_breakeven_of_a_flat_cost_by_hand():
    case = economics.Case(rate=0.05, life_years=20, percentile=50)
    result = _inputs().evaluate(case, traffic_mt=50.0)
    # charge 100 x 0.0802426 = 8.02426; plus O&M 1.0 = 9.02426 bn; / USD 200 a tonne = 45.12 million t
    assert result["capital_charge_bn_per_year"] == pytest.approx(8.02426, rel=1e-5)
    assert result["breakeven_mt_per_year"] == pytest.approx(45.1213, rel=1e-5)
    assert result["breakeven_share_of_transpacific_pct"] == pytest.approx(45.1213 / 300 * 100, rel=1e-5)
    # 50 million t pay 50e6 x 200 = USD 10 bn, 0.9757 bn more than the cost
    assert result["revenue_bn_per_year"] == pytest.approx(10.0)
    assert result["surplus_bn_per_year"] == pytest.approx(10.0 - 9.02426, rel=1e-5)


def test_cost_percentile_reads_the_distribution():
    inputs = economics.Inputs(
        samples_bn=np.arange(0.0, 101.0), revenue_per_tonne=100.0, om_bn=0.0, transpacific_mt=100.0, lengths={}
    )
    assert inputs.cost_bn(90) == pytest.approx(90.0)
    case = economics.Case(rate=0.0, life_years=10, percentile=90)
    # 90 bn over 10 years at 0% = 9 bn a year; at USD 100 a tonne that is 90 million t
    assert inputs.breakeven_mt(case) == pytest.approx(90.0)


def test_a_percentile_is_taken_once_from_the_inputs_own_copy_of_the_draws():
    draws = np.arange(0.0, 101.0)
    inputs = economics.Inputs(samples_bn=draws, revenue_per_tonne=100.0, om_bn=0.0, transpacific_mt=100.0, lengths={})
    assert inputs.cost_bn(90) == 90.0
    draws[:] = 0.0  # the caller's array is not the inputs' draws
    assert inputs.cost_bn(90) == 90.0 and inputs.cost_bn(10) == 10.0
    with pytest.raises(ValueError, match="read-only"):
        inputs.samples_bn[0] = 1.0
    # other draws are other inputs: nothing taken from these carries over
    other = replace(inputs, samples_bn=np.arange(0.0, 201.0))
    assert other.cost_bn(90) == 180.0 and inputs.cost_bn(90) == 90.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rate": 5, "life_years": 50, "percentile": 50}, "rate must be a real interest rate between 0 and 1"),
        ({"rate": 0.05, "life_years": 0.5, "percentile": 50}, "life_years must be at least 1"),
        ({"rate": 0.05, "life_years": 50, "percentile": 100}, "percentile must be between 0 and 100"),
    ],
)
def test_case_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        economics.Case(**kwargs)


def test_revenue_per_tonne_by_hand():
    lengths = {"russia_km": 1000.0, "tunnel_km": 100.0, "alaska_km": 900.0}
    # 1000 km x 0.02 + (100 + 900) km x 0.04 = 20 + 40
    assert economics.revenue_per_tonne(lengths, {"russia": 0.02, "north_america": 0.04}) == pytest.approx(60.0)


def test_grids_cover_every_combination():
    inputs, base = _inputs(), economics.Case(rate=0.035, life_years=50, percentile=50)
    grid = economics.breakeven_grid(inputs, base)
    n = len(economics.RATE_GRID) * len(economics.LIFE_GRID) * len(economics.COST_PERCENTILES)
    assert len(grid) == n and len(economics.charge_table(inputs)) == n
    row = grid[(grid["real_rate_pct"] == 2) & (grid["asset_life_years"] == 30)].iloc[0]
    assert row["capital_charge_bn_per_year"] == pytest.approx(100 * 0.02 / (1 - 1.02**-30))


# -- the shipped data ------------------------------------------------------------------------------


def test_channel_tunnel_freight_ratio_is_outturn_over_first_year_forecast():
    forecasts = data.load("demand_forecasts")
    assert economics.channel_tunnel_ratio(forecasts) == pytest.approx(1.3 / 7.2)
    ratios = economics.demand_ratios(forecasts).set_index("forecast_id")
    # a target reached years late is compared with another year: it enters no ratio, and says so
    assert math.isnan(ratios.loc["ctrl_bid_eurostar_1998", "ratio"])
    assert ratios.loc["ctrl_bid_eurostar_1998", "enters"].startswith("no ratio")
    assert ratios.loc["eurostar_passengers_2013", "ratio"] == pytest.approx(10 / 21.2)
    assert ratios.loc["oresund_road_vehicles_2001", "ratio"] == pytest.approx(8100 / 10000)


def test_rail_class_ratio_from_the_average_overestimate():
    assert economics.rail_class_ratio(data.load("traffic_forecast_accuracy")) == pytest.approx(1 / 2.06)


def test_rail_rates_are_the_published_yields_restated():
    conv = money.Money.from_data()
    rates = economics.rail_rates(data.load("freight_rates"), conv)
    assert rates["russia"] == pytest.approx(float(conv.convert(1088.2 / 2196.2, "RUB", 2013)))
    us = [conv.convert(c / 100 / economics.SHORT_TON_MILE_TKM, "USD", y) for c, y in ((4.08, 2012), (4.16, 2013))]
    assert rates["north_america"] == pytest.approx(float(np.mean(us)))


def test_market_and_operator_figures():
    market = data.load("freight_market")
    assert economics.transpacific_tonnage_mt(market, 10.0) == pytest.approx(300.0)
    conv = money.Money.from_data()
    assert economics.cargo_value_per_tonne(market, 10.0, conv) == pytest.approx(
        float(conv.convert(54500.0, "USD", 2020)) / 10.0
    )
    om = economics.tunnel_om(market, data.load("megaprojects"), money.Money.from_data())
    assert om["eur_m_2024"] == pytest.approx(1166 - 642)
    assert om["usd_bn_per_km"] == pytest.approx(om["usd_bn"] / om["km"])


def test_site_conditions_months_and_communities():
    site = data.load("site_conditions")
    # clear by late June, ice again from October: July, August, September
    assert economics.open_water_months(site) == [7, 8, 9]
    assert economics.migration_months(site)["walrus_strait_months"] == [7, 8, 9]
    assert economics.community_population(site)["population"].sum() == 145 + 83 + 720 + 1459


def test_central_case_comes_from_assumptions():
    case = economics.case_from_assumptions()
    assert (case.rate, case.life_years, case.percentile, case.tonnes_per_teu) == (0.035, 50, 50, 10)
    assert case.om_scales_with_length and not case.approach_om_counted


def test_results_follow_the_contract():
    table = economics.results()
    assert list(table.columns) == ["key", "value", "unit", "description"]
    keys = set(table["key"])
    assert {
        "channel_tunnel_traffic_actual_over_forecast",
        "breakeven_freight_mt_per_year",
        "breakeven_share_of_transpacific_tonnage",
        "annual_capital_charge_p50_usd2025",
    } <= keys
    assert table["key"].is_unique and np.isfinite(table["value"].astype(float)).all()
    values = table.set_index("key")["value"]
    # the share is the break-even over the tonnage, in percent
    assert values["breakeven_share_of_transpacific_tonnage"] == pytest.approx(
        values["breakeven_freight_mt_per_year"] / values["transpacific_container_tonnage_mt"] * 100
    )
    assert economics.results() is not economics.results()  # callers get copies of the cache


def test_whatif_bundle_has_a_static_table_that_escapes_text():
    inputs, base = _inputs(), economics.Case(rate=0.035, life_years=50, percentile=50)
    table = economics.precomputed_cases(inputs, base)
    assert table["case"].iloc[0] == "central case"
    table.loc[0, "case"] = "<b>central</b>"
    bundle = plots.WhatIf(inputs, base, table)._repr_mimebundle_()
    assert "&lt;b&gt;central&lt;/b&gt;" in bundle["text/html"] and "<b>central" not in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_revenue_counts_every_new_north_american_line():
    lengths = {"russia_km": 0.0, "tunnel_km": 100.0, "alaska_km": 900.0, "na_km": 1000.0}
    assert economics.revenue_per_tonne(lengths, {"russia": 0.02, "north_america": 0.04}) == pytest.approx(80.0)
    assert economics.times_or_share(0.49) == "49% of" and economics.times_or_share(1.78) == "1.8 times"


def test_link_lengths_are_the_costed_segments():
    from bering import montecarlo

    lengths = economics.link_lengths()
    km = montecarlo.link_segments().groupby("part_of")["km"].sum()
    assert lengths["tunnel_km"] == 112.0
    for part in ("russia_km", "alaska_km", "na_km"):
        assert lengths[part] == pytest.approx(float(km[part]))


def test_the_rail_class_is_labelled_as_passenger_forecasts_at_the_mean_overestimate():
    accuracy = data.load("traffic_forecast_accuracy")
    label = economics.rail_class_label(accuracy)
    assert "27" in label and "passenger forecasts 106% too high on average" in label
    assert "actual = forecast / 2.06" in label and "not an average of actual over forecast" in label
    # mean(1/x) >= 1/mean(x): the reciprocal of the mean ratio is not the mean of the reciprocals
    ratios = np.array([1.0, 3.12])  # forecast over actual, mean 2.06
    assert np.mean(1 / ratios) > 1 / np.mean(ratios) == pytest.approx(economics.rail_class_ratio(accuracy))
    keys = economics.results().set_index("key")
    assert "rail_passenger_actual_over_forecast_at_mean_overestimate" in keys.index
    assert (
        "passenger, not freight" in keys.loc["rail_passenger_actual_over_forecast_at_mean_overestimate", "description"]
    )


def test_findings_label_the_proxies_and_assumptions_they_rest_on():
    text = economics.findings_markdown()
    assert "passenger forecasts 106% too high on average (forecasts 2.06 times actual traffic)" in text
    assert "in 1995, while traffic was still ramping up" in text and "first-year one" not in text
    # the steady-state break-even is set against a mature year's shortfall, not the first year's
    assert "after a shortfall like the Channel Tunnel's in a mature year (47% of forecast, a passenger" in text
    assert "interest during the 20 years of construction the duration model gives as its median" in text
    assert "a record of passenger, not freight, forecasts" in text
    assert text.count("assumed 10 t per TEU") == 2  # the share of the Pacific trade and the toll comparison
    assert "revenue minus EBITDA, which includes running its shuttle trains" in text
    keys = economics.results().set_index("key")["description"]
    assert "10 t per TEU, an assumption" in keys["link_toll_over_sea_freight"]
    assert "shuttle trains" in keys["annual_tunnel_om_usd2025"]


# -- interest during construction, the mature-year shortfall, one-line charts ----------------------


def test_idc_factor_matches_hand_computation():
    # (1.035 ** 20 - 1) / (20 x ln 1.035) = 0.989789 / 0.688029 = 1.43858
    assert economics.idc_factor(0.035, 20) == pytest.approx(1.43858, rel=1e-5)
    # one year at 10%: (1.1 - 1) / ln 1.1 = 1.04921, the average of 1.1 ** t over a year
    assert economics.idc_factor(0.10, 1) == pytest.approx(0.1 / math.log(1.1), rel=1e-9)
    assert economics.idc_factor(0.0, 20) == 1.0 and economics.idc_factor(0.05, 0) == 1.0
    with pytest.raises(ValueError, match="construction years must be zero or positive"):
        economics.idc_factor(0.05, -1)


def test_breakeven_with_interest_during_construction_by_hand():
    inputs = economics.Inputs(
        samples_bn=np.full(11, 100.0),
        revenue_per_tonne=200.0,
        om_bn=1.0,
        transpacific_mt=300.0,
        lengths={},
        construction_years=20.0,
    )
    case = economics.Case(rate=0.035, life_years=50, percentile=50)
    result = inputs.evaluate(case)
    # capital at opening 100 x 1.43858 = 143.858; annuity 0.035 / (1 - 1.035 ** -50) = 0.0426337
    assert result["capital_at_opening_bn"] == pytest.approx(143.858, rel=1e-5)
    assert result["interest_during_construction_bn"] == pytest.approx(43.858, rel=1e-4)
    assert result["capital_charge_bn_per_year"] == pytest.approx(143.858 * 0.0426337, rel=1e-5)
    # (6.13321 + 1) bn / USD 200 a tonne = 35.666 million t
    assert result["breakeven_mt_per_year"] == pytest.approx((143.858 * 0.0426337 + 1) / 200 * 1000, rel=1e-5)
    table = economics.charge_table(inputs, rates=(0.035,), lives=(50,), percentiles=(50,))
    assert table["capital_charge_bn_per_year"].item() == pytest.approx(143.858 * 0.0426337, rel=1e-5)


def test_shipped_model_counts_interest_over_the_duration_models_median():
    from bering import montecarlo

    v = economics.results().set_index("key")["value"]
    years = montecarlo.results().set_index("key").loc["construction_duration_p50_years", "value"]
    assert v["construction_years_for_interest"] == pytest.approx(years)
    p50 = float(np.percentile(economics.whole_link_samples(), 50))
    factor = economics.idc_factor(0.035, years)
    assert v["interest_during_construction_p50_usd2025"] == pytest.approx(p50 * (factor - 1), rel=1e-9)
    assert v["annual_capital_charge_p50_usd2025"] == pytest.approx(
        p50 * factor * economics.annuity_factor(0.035, 50), rel=1e-9
    )


def test_mature_ratio_is_the_row_furthest_from_opening():
    forecasts = data.load("demand_forecasts")
    row = economics.mature_ratio_row(forecasts, data.load("megaprojects"))
    # Eurostar 2013: 10 of the 21.2 million forecast in 1989, 19 years after the 1994 opening
    assert row["forecast_id"] == "eurostar_passengers_2013"
    assert row["ratio"] == pytest.approx(10 / 21.2)
    assert row["years_after_opening"] == 19
    v = economics.results().set_index("key")["value"]
    assert v["channel_tunnel_mature_actual_over_forecast"] == pytest.approx(10 / 21.2)
    assert v["breakeven_forecast_needed_mt_per_year"] == pytest.approx(v["breakeven_freight_mt_per_year"] * 2.12)
    first_year_only = forecasts[forecasts["forecast_id"] == "channel_tunnel_through_freight_1995"]
    with pytest.raises(ValueError, match="a first-year \\(ramp-up\\) ratio cannot be set against a steady-state"):
        economics.mature_ratio_row(first_year_only, data.load("megaprojects"))


def test_titles_agree_with_the_range_keys():
    v = economics.results().set_index("key")["value"]
    lo, hi = round(v["breakeven_freight_mt_per_year_grid_min"]), round(v["breakeven_freight_mt_per_year_grid_max"])
    phrase = economics.breakeven_phrase()
    assert f"{lo}-{hi} million tonnes across" in phrase
    case = economics.case_from_assumptions()
    inputs = economics.build_inputs(economics.whole_link_samples(), case=case)
    sens = plots.breakeven_sensitivity(inputs, case)
    assert sens.title.endswith(f"break-even runs from {lo} to {hi} million tonnes a year")
    rates = data.load("freight_rates")
    assert plots.revenue_vs_cost(inputs, case, rates, phrase).title == f"To cover its costs the link needs {phrase}"


def test_season_comparison_names_what_each_season_measures():
    table = economics.season_comparison(data.load("site_conditions"), data.load("freight_rates")).set_index("used_in")
    # strait clear late June, ice from October: July-September; NSR navigation (Ice1-3) 1 July - 15 November,
    # the season notebook 04 uses (its key number nsr_navigation_season_days)
    assert table.loc["06_economic_case", "months"] == 3
    assert (table.loc["04_critical_minerals", "first_month"], table.loc["04_critical_minerals", "months"]) == (7, 5)
    assert table.loc["04_critical_minerals", "period"] == "1 July to 15 November, 138 days"
    assert "not the strait's ice" in table.loc["04_critical_minerals", "measures"]
    description = economics.results().set_index("key").loc["open_water_months_at_strait", "description"]
    assert "not the Northern Sea Route's navigation season that notebook 04 uses (1 July to 15 November" in description
