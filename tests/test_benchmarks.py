"""Benchmarks: restated costs, cost per km, overruns, percentiles and schedule arithmetic."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from bering import benchmarks as b
from bering import data, money
from bering.money import Money


@pytest.fixture
def conv() -> Money:
    us = pd.Series({2000: 100.0, 2010: 150.0, 2024: 190.0, 2025: 200.0})
    fx = {"GBP": pd.Series({2000: 0.5, 2010: 0.6, 2024: 0.8, 2025: 0.8})}
    local = {"GBP": pd.Series({2000: 80.0, 2010: 100.0, 2024: 160.0})}
    return Money(us, fx, local)


def projects_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": ["tun", "link", "line"],
            "name": ["A tunnel", "A link", "A line"],
            "kind": ["rail_tunnel", "bridge_tunnel", "rail_line"],
            "status": ["completed", "completed", "completed"],
            "length_km": [50.0, 20.0, 500.0],
            "tunnelled_km": [50.0, 5.0, 0.0],
            "undersea_km": [40.0, 5.0, 0.0],
            "bores": [3, 2, None],
        }
    )


def costs_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cost_id": ["tun_est", "tun_out", "link_a", "link_b", "line_out"],
            "project_id": ["tun", "tun", "link", "link", "line"],
            "cost_type": ["estimate", "outturn", "outturn", "estimate", "outturn"],
            "amount_bn": [2.0, 4.0, 1.0, 3.0, 2.0],
            "currency": ["GBP", "GBP", "USD", "USD", "USD"],
            "price_year": [2000, 2000, 2025, 2025, 2010],
            "year_stated": [1999, 2005, 2025, 2025, 2010],
            "costed_length_km": [np.nan, np.nan, np.nan, np.nan, 400.0],
            "source_id": ["s1", "s1", "s2", "s3", "s4"],
        }
    )


RULES = {
    "tun_out": ("construction", "outturn"),
    "link_a": ("construction", "a"),
    "link_b": ("construction", "b"),
    "line_out": ("construction", "part of the line"),
}
CLASSES = {"tunnels": ("tunnels", ("tun",)), "links": ("links", ("tun", "link")), "lines": ("lines", ("line",))}


def test_per_km_rows_restate_then_divide(conv):
    rows = b.per_km_rows(projects_frame(), costs_frame(), conv, rules=RULES).set_index("cost_id")
    # GBP 4 bn of 2000 at 0.5 GBP/USD = USD 8 bn of 2000; x 200/100 = USD 16 bn of 2025; / 50 km
    assert rows.loc["tun_out", "usd_bn"] == pytest.approx(16.0)
    assert rows.loc["tun_out", "usd_m_per_km"] == pytest.approx(320.0)
    # USD 2 bn of 2010 x 200/150 = 2.6667 bn, over the costed 400 km (not the line's 500 km)
    assert rows.loc["line_out", "km"] == 400.0
    assert rows.loc["line_out", "usd_m_per_km"] == pytest.approx(2 * 200 / 150 * 1000 / 400)


def test_cost_per_km_takes_median_and_labels_basis(conv):
    table = b.cost_per_km(projects_frame(), costs_frame(), conv, rules=RULES, classes=CLASSES).set_index("project_id")
    # link: USD 1 bn and 3 bn of 2025 over 20 km -> 50 and 150 m per km, median 100
    assert table.loc["link", "usd_m_per_km"] == pytest.approx(100.0)
    assert table.loc["link", "basis"] == "mixed"
    assert table.loc["tun", "basis"] == "outturn"
    assert table.loc["link", "classes"] == "links"
    assert table.loc["tun", "classes"] == "tunnels, links"
    # per tunnelled / undersea km only for projects that are all tunnel
    assert table.loc["tun", "usd_m_per_undersea_km"] == pytest.approx(16000 / 40)
    assert math.isnan(table.loc["link", "usd_m_per_tunnelled_km"])
    assert math.isnan(table.loc["line", "usd_m_per_tunnelled_km"])
    assert list(b.class_values(table.reset_index(), "links", CLASSES)) == pytest.approx([320.0, 100.0])


def test_unknown_rows_and_classes_are_errors(conv):
    with pytest.raises(KeyError, match=r"missing from project_costs: \['nope'\]"):
        b.per_km_rows(projects_frame(), costs_frame(), conv, rules={"nope": ("x", "y")})
    table = b.cost_per_km(projects_frame(), costs_frame(), conv, rules=RULES, classes=CLASSES)
    with pytest.raises(ValueError, match="unknown reference class 'canals'; use one of: tunnels, links, lines"):
        b.class_values(table, "canals", CLASSES)


def test_overrun_is_ratio_in_constant_prices(conv):
    pairs = [("tun_est", "tun_out", "same basis")]
    table = b.overruns(costs_frame(), conv, pairs=pairs)
    assert table.loc[0, "ratio"] == pytest.approx(2.0)
    assert table.loc[0, "overrun_pct"] == pytest.approx(100.0)
    with pytest.raises(KeyError, match="missing from project_costs"):
        b.overruns(costs_frame(), conv, pairs=[("tun_est", "gone", "")])


def test_method_comparison_and_index_end(conv):
    rows = costs_frame().iloc[[1, 2]]
    table = b.method_comparison(rows, conv, 2024).set_index("cost_id")
    # fx_then_deflate: GBP 4 / 0.5 = USD 8 of 2000, x 190/100 = 15.2
    assert table.loc["tun_out", "fx_then_deflate"] == pytest.approx(15.2)
    # deflate_then_fx: GBP 4 x 160/80 = GBP 8 of 2024, / 0.8 = USD 10
    assert table.loc["tun_out", "deflate_then_fx"] == pytest.approx(10.0)
    assert table.loc["tun_out", "ratio"] == pytest.approx(10 / 15.2)
    # US dollars: both methods use US CPI, so they agree exactly
    assert table.loc["link_a", "ratio"] == pytest.approx(1.0)
    assert b.local_index_end(conv, ["USD", "GBP"]) == 2024
    assert b.local_index_end(conv, ["USD"]) == 2025


def test_channel_tunnel_against_the_shipped_series():
    """GBP 4.65 bn of 1985 by hand from the CSVs: / GBP per USD in 1985, x CPI 2025 / CPI 1985."""
    fx = data.load("fx_rates")
    us = data.load("us_price_index").set_index("year")["index_value"]
    gbp_1985 = float(fx[(fx["currency"] == "GBP") & (fx["year"] == 1985)]["units_per_usd"].iloc[0])
    by_hand = 4.65 / gbp_1985 * us[2025] / us[1985]
    projects, costs = b.load()
    table = b.cost_per_km(projects, costs, money.Money.from_data()).set_index("project_id")
    assert table.loc["channel_tunnel", "usd_bn"] == pytest.approx(by_hand, rel=1e-12)
    assert table.loc["channel_tunnel", "usd_m_per_km"] == pytest.approx(by_hand * 1000 / 50.45, rel=1e-12)
    over = b.overruns(costs, money.Money.from_data()).set_index("estimate_id")
    # same currency and price year: the ratio is the plain ratio of the two amounts
    assert over.loc["channel_tunnel_est_construction_1985p", "ratio"] == pytest.approx(4.65 / 2.6, rel=1e-12)


def test_every_rule_and_class_resolves_in_the_shipped_data():
    projects, costs = b.load()
    table = b.cost_per_km(projects, costs, money.Money.from_data())
    classes = b.classes(projects)
    for name in classes:
        assert (b.class_values(table, name, classes) > 0).all()
    assert "oresund_link" not in {p for _, members, _ in classes.values() for p in members}


@pytest.mark.parametrize("value,expected", [(3, 50.0), (0, 0.0), (6, 100.0), (2.5, 40.0), (5, 90.0)])
def test_percentile_of_score(value, expected):
    assert b.percentile_of_score([5, 1, 4, 2, 3], value) == pytest.approx(expected)


def test_percentile_of_score_ties_and_errors():
    assert b.percentile_of_score([1, 1, 1], 1) == 50.0
    with pytest.raises(ValueError, match="non-empty"):
        b.percentile_of_score([], 1)


def test_lognormal_percentile_by_hand():
    sample = [math.exp(0), math.exp(2)]  # logs: mean 1, SD (ddof=1) sqrt(2)
    assert b.lognormal_percentile(sample, math.e) == pytest.approx(50.0)
    value = math.exp(1 + math.sqrt(2))
    assert b.lognormal_percentile(sample, value) == pytest.approx(100 * NormalDist().cdf(1.0))
    with pytest.raises(ValueError, match="at least two"):
        b.lognormal_percentile([3.0], 1.0)


def test_implied_per_km_and_positions():
    implied = b.implied_per_km({"claim": 8.0}, {"claimed": 112.0, "other": 80.0})
    assert implied["usd_m_per_km"].tolist() == pytest.approx([8000 / 112, 100.0])
    with pytest.raises(ValueError, match="length 'zero' must be positive"):
        b.implied_per_km({"claim": 8.0}, {"zero": 0.0})


def test_schedule_arithmetic_by_hand():
    # 112 km x 3 bores = 336 km; 6 TBMs x 8 years x 365.25 days = 17532 TBM-days
    assert b.bore_km(112, 3) == 336
    assert b.advance_needed(112, 3, 6, 8) == pytest.approx(336000 / 17532)
    assert b.advance_needed(112, 3, np.array([1, 2]), 8).tolist() == pytest.approx([336000 / 2922, 336000 / 5844])
    assert b.advance_needed(112, 3, 6, 8, boring_share=0.5) == pytest.approx(2 * 336000 / 17532)
    # at 18 m per day one TBM bores 52.6 km in 8 years: 336 / 52.596 = 6.39 -> 7 machines
    assert b.tbms_needed(112, 3, 18, 8) == 7
    # an exact fit is not rounded up: 29.22 km at 10 m per day for one year = 8 machines
    assert b.tbms_needed(29.22, 1, 10, 1) == 8
    assert b.years_needed(112, 3, 6, 18) == pytest.approx(336000 / (6 * 18 * 365.25))
    assert b.max_headings(3, 2) == 6
    assert b.max_headings(3, 4) == 18


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: b.bore_km(112, 0), "bores must be a whole number of at least 1, got 0"),
        (lambda: b.bore_km(-5, 2), "length_km must be a positive number"),
        (lambda: b.advance_needed(112, 3, 0, 8), "tbm_count must be whole numbers of at least 1"),
        (lambda: b.advance_needed(112, 3, 6, 8, boring_share=1.5), "cannot exceed 1"),
        (lambda: b.tbms_needed(112, 3, -1, 8), "rate_m_per_day must be positive"),
        (lambda: b.years_needed(112, 3, 2.5, 18), "tbm_count must be a whole number"),
        (lambda: b.max_headings(3, 1), "access_points counts both portals, so it must be at least 2"),
        (lambda: b.boring_days(0), "years must be a positive number"),
    ],
)
def test_schedule_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_schedules_duration_and_slip():
    projects = pd.DataFrame(
        {
            "project_id": ["done", "building", "plan"],
            "name": ["Done", "Building", "Plan"],
            "kind": ["rail_tunnel", "rail_tunnel", "crossing_proposal"],
            "length_km": [10.0, 20.0, 100.0],
            "construction_start_year": pd.array([2000, 2010, None], dtype="Int64"),
            "open_year": pd.array([2006, None, None], dtype="Int64"),
            "planned_open_year": pd.array([2005, 2020, None], dtype="Int64"),
            "expected_open_year": pd.array([None, 2024, None], dtype="Int64"),
        }
    )
    table = b.schedules(projects).set_index("project_id")
    assert table.loc["done", "duration_years"] == 6 and table.loc["done", "slip_years"] == 1
    assert table.loc["building", "duration_years"] == 14 and table.loc["building", "end_basis"] == "expected"
    assert "plan" not in table.index


def test_claim_reads_the_october_2025_row():
    projects, costs = b.load()
    claim = b.claim(projects, costs, money.Money.from_data())
    assert claim == {"length_km": 112.0, "years": 8.0, "claim_8bn": 8.0, "claim_65bn": 65.0}


def test_claim_positions_in_a_class():
    table = pd.DataFrame({"project_id": ["tun", "link"], "usd_m_per_km": [100.0, 400.0]})
    implied = b.implied_per_km({"x": 20.0}, {"l": 100.0})  # 200 m per km: between the two
    out = b.claim_positions(implied, table, names=("pair",), classes={"pair": ("pair", ("tun", "link"))})
    assert out.loc[0, "pair_pct"] == 50.0
    # logs ln100 and ln400: 200 is their geometric mean, the fit's median
    assert out.loc[0, "pair_fit_pct"] == pytest.approx(50.0)


def test_charts_build(conv):
    import matplotlib.pyplot as plt

    from bering.plots import costs as pc

    table = b.cost_per_km(projects_frame(), costs_frame(), conv, rules=RULES, classes=CLASSES)
    fig = pc.cost_per_km_chart(table, {"claim_8bn": 71.4}, "USD 2025")
    assert any(line.get_xdata()[0] == 71.4 for line in fig.axes[0].lines)
    plt.close(fig)
    rates = pd.DataFrame(
        {
            "rate_id": list("abcde"),
            "value_m_per_day": [10.0, 15, 18, 25, 56],
            "statistic": ["x"] * 5,
            "source_id": ["s"] * 5,
            "role": ["chart"] * 4 + ["reference"],
            "chart_label": list("ABCDE"),
        }
    )
    marks = b.rate_marks(rates)
    assert b.reference_rate(rates)["rate_id"] == "e"
    fig = pc.schedule_chart(112, 3, 8, marks, access={"portals only": 6})
    assert fig.axes[0].get_yscale() == "log"
    # tick labels are plain numbers, not powers of ten
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "10" in labels and not any("^" in t for t in labels)
    plt.close(fig)


def test_spread_labels_keeps_order_and_gap():
    from bering.plots.costs import spread_labels

    assert spread_labels([1.0, 1.1, 5.0], 0.5) == [1.0, 1.5, 5.0]
    out = spread_labels([10.0, 11.0], 0.1, log=True)
    assert out[0] == pytest.approx(10.0) and out[1] == pytest.approx(10**1.1)


# ---------------------------------------------------------------------------------------------
# Scope rule, selection as data, planted rows


def test_scope_rule_rejects_a_mixed_comparison():
    b.check_scope(["tunnel", "tunnel"], ["tunnel"], "x")  # one scope: fine
    b.check_scope("tunnel, crossing", ("tunnel", "crossing"), "x")  # a class that accepts both
    with pytest.raises(
        b.ScopeError,
        match="reference class 'r' mixes cost scopes: crossing_and_approaches against tunnel; compare like with like",
    ):
        b.check_scope(["tunnel", "crossing_and_approaches"], ["tunnel"], "reference class 'r'")
    with pytest.raises(b.ScopeError, match="unknown cost scope \\['whole'\\]"):
        b.check_scope("whole", ["tunnel"], "x")


def test_class_values_reject_a_member_of_another_scope(conv):
    costs = costs_frame().assign(scope=["tunnel", "tunnel", "crossing", "crossing", "rail_line"])
    rules = {c: (s, "why") for c, s in zip(costs["cost_id"], costs["scope"]) if c != "tun_est"}
    table = b.cost_per_km(
        projects_frame(), costs, conv, rules=rules, classes={"t": ("t", ("tun", "link"), ("tunnel",))}
    )
    with pytest.raises(b.ScopeError, match="reference class 't' mixes cost scopes: crossing against tunnel"):
        b.class_values(table, "t", {"t": ("t", ("tun", "link"), ("tunnel",))})
    ok = b.class_values(table, "t", {"t": ("t", ("tun", "link"), ("tunnel", "crossing"))})
    assert len(ok) == 2


def test_shipped_claims_carry_their_scopes():
    _, costs = b.load()
    scope = costs.set_index("cost_id")["scope"]
    assert scope["bering_2025_est_under_8"] == "tunnel"
    # the 2007 figure prices the tunnel with about 6000 km of railway, pipeline and power corridor
    assert scope["bering_2025_est_traditional_65"] == scope["bering_2007_est_65"] == "corridor_programme"


def test_class_basis_labels_estimates_and_mixed_members(conv):
    table = b.cost_per_km(projects_frame(), costs_frame(), conv, rules=RULES, classes=CLASSES)
    # tun: only tun_out is a per-km row (outturn); link: link_a outturn and link_b estimate -> mixed
    assert b.class_basis(table, "links", CLASSES).to_dict() == {"tun": "outturn", "link": "mixed"}
    assert b.class_basis(table, "lines", CLASSES).tolist() == ["outturn"]
    with pytest.raises(ValueError, match="unknown reference class 'nope'"):
        b.class_basis(table, "nope", CLASSES)


def test_bore_km_and_m3_by_hand(conv):
    projects = projects_frame().assign(bore_diameter_m=[10.0, np.nan, np.nan])
    table = b.cost_per_km(projects, costs_frame(), conv, rules=RULES, classes=CLASSES).set_index("project_id")
    # USD 16 bn over 50 km x 3 bores = 150 bore-km: 106.67 m per bore-km; volume 150,000 m x pi x 25 m2
    assert table.loc["tun", "usd_m_per_bore_km"] == pytest.approx(16000 / 150)
    assert table.loc["tun", "usd_per_m3"] == pytest.approx(16e9 / (150_000 * math.pi * 25))
    assert np.isnan(table.loc["line", "usd_m_per_bore_km"])


def _plant(data_copy, project_row: str, cost_row: str):
    with open(data_copy / "megaprojects.csv", "a", encoding="utf-8") as f:
        f.write(project_row + "\n")
    with open(data_copy / "project_costs.csv", "a", encoding="utf-8") as f:
        f.write(cost_row + "\n")


def test_a_planted_project_enters_its_class(data_copy):
    _plant(
        data_copy,
        "test_tunnel,Planted Tunnel,CH,rail_tunnel,40,0,40,2,,2000,2010,,,,,,completed,,rail_tunnels;fixed_links,"
        "zinio_big_projects_gotthard,planted",
        "test_tunnel_out,test_tunnel,outturn,4,CHF,2010,2010,,tunnel,planted for a test,zinio_big_projects_gotthard,x",
    )
    projects, costs = b.load(data_copy)
    classes = b.classes(projects, b.reference_classes(data_copy))
    table = b.cost_per_km(projects, costs, money.Money.from_data(data_copy), classes=classes)
    assert "test_tunnel" in classes["rail_tunnels"][1]
    assert len(b.class_values(table, "rail_tunnels", classes)) == 6
    assert "test_tunnel" not in set(b.unplaced(projects, costs, b.reference_classes(data_copy))["id"])


def test_a_planted_project_without_a_class_is_reported_by_name(data_copy):
    _plant(
        data_copy,
        "test_bridge,Planted Bridge,DK,bridge,10,0,0,,,2000,2010,,,,,,completed,,,zinio_big_projects_gotthard,planted",
        "test_bridge_out,test_bridge,outturn,1,DKK,2010,2010,,crossing,,zinio_big_projects_gotthard,x",
    )
    projects, costs = b.load(data_copy)
    report = b.unplaced(projects, costs, b.reference_classes(data_copy)).set_index("id")
    assert report.loc["test_bridge", "reason"] == "no reference_classes given"
    assert report.loc["test_bridge_out", "reason"] == "per_km_use blank (scope crossing, outturn)"


def test_estimate_rows_are_uplifted_before_the_median(conv):
    rules = {"tun_est": ("construction", "estimate"), **RULES}
    plain = b.cost_per_km(projects_frame(), costs_frame(), conv, rules=rules, classes=CLASSES).set_index("project_id")
    up = b.cost_per_km(projects_frame(), costs_frame(), conv, rules=rules, classes=CLASSES, uplift=1.338)
    up = up.set_index("project_id")
    # link: outturn USD 1 bn stays, estimate USD 3 bn x 1.338 = 4.014; over 20 km: 50 and 200.7, median 125.35
    assert plain.loc["link", "usd_m_per_km"] == pytest.approx(100.0)
    assert up.loc["link", "usd_m_per_km"] == pytest.approx((50 + 3 * 1.338 * 1000 / 20) / 2)
    # tun: estimate GBP 2 bn of 2000 = USD 8 bn of 2025 x 1.338 = 10.704; outturn 16; median 13.352 bn
    assert up.loc["tun", "usd_bn"] == pytest.approx((8 * 1.338 + 16) / 2)
    # outturn-only projects are untouched, and the basis still says what the rows were
    assert up.loc["line", "usd_m_per_km"] == pytest.approx(plain.loc["line", "usd_m_per_km"])
    assert up.loc["link", "basis"] == "mixed"
    with pytest.raises(ValueError, match="uplift is an outturn / estimate ratio of at least 1, got 0.9"):
        b.per_km_rows(projects_frame(), costs_frame(), conv, rules=rules, uplift=0.9)


def test_drive_per_tbm_and_longest_drives():
    # 112 km x 3 bores shared by 6 machines: 56 km each
    assert b.drive_per_tbm(112, 3, 6) == pytest.approx(56.0)
    assert list(b.drive_per_tbm(100, 2, [1, 4])) == pytest.approx([200.0, 50.0])
    with pytest.raises(ValueError, match="tbm_count must be at least 1"):
        b.drive_per_tbm(112, 3, 0)
    drives = pd.DataFrame(
        {
            "chart_label": ["A", "B"],
            "drive_km": [10.0, 20.0],
            "basis": ["single_drive", "machine_total"],
        }
    )
    table = b.longest_drives(drives)
    assert list(table["drive_km"]) == [20.0, 10.0]
    assert list(table["label"]) == ["B (several drives)", "A (one drive)"]
    shipped = b.longest_drives(data.load("tbm_drives"))
    assert shipped["drive_km"].max() < b.drive_per_tbm(112, 3, 6)


def test_share_of_gdp_by_hand():
    gdp = pd.DataFrame(
        {"country": ["GB", "GB", "US"], "year": [1993, 1994, 1994], "gdp_bn": [600.0, 650.0, 7000.0], "currency": "GBP"}
    )
    gdp.loc[2, "currency"] = "USD"
    assert b.share_of_gdp(13.0, "GBP", gdp, "GB", 1994) == pytest.approx(2.0)
    assert b.share_of_gdp(12.5, "GBP", gdp, "GB", [1993, 1994]) == pytest.approx(1.0)
    with pytest.raises(KeyError, match=r"no GDP of GB for \[1995\]"):
        b.share_of_gdp(1.0, "GBP", gdp, "GB", [1994, 1995])
    with pytest.raises(ValueError, match="GDP of US is in \\['USD'\\], the amount in GBP"):
        b.share_of_gdp(1.0, "GBP", gdp, "US", 1994)
    # the shipped Hansard series: GBP 10 bn over UK money GDP of 1994 (GBP 668,255 m)
    assert b.share_of_gdp(10.0, "GBP", data.load("gdp"), "GB", 1994) == pytest.approx(100 * 10 / 668.255)
