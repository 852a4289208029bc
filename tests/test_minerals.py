"""Tests for bering.minerals: shares, HHI, targets, route geometry, costs and the shipped data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bering import data, fmt, geo, minerals, money


def _prod(rows):
    return pd.DataFrame(rows, columns=["country", "year", "production_t_reo"])


TINY = _prod(
    [
        ("A", 2020, 60.0),
        ("B", 2020, 30.0),
        ("Other countries", 2020, 10.0),
        ("World total", 2020, 100.0),
        ("A", 2021, 50.0),
        ("B", 2021, 20.0),
        ("World total", 2021, 100.0),  # 30% missing: incomplete
        ("A", 2022, 80.0),  # no world total
    ]
)


# ------------------------------------------------------------------------------------------
# shares and concentration


def test_hhi_from_shares_bounds_by_hand():
    assert minerals.hhi_from_shares([60, 30], 10) == (4600.0, 4500.0)
    assert minerals.hhi_from_shares([100]) == (10_000.0, 10_000.0)
    upper, lower = minerals.hhi_from_shares([25, 25, 25, 25])
    assert upper == lower == 2500.0


def test_hhi_from_shares_rejects_bad_shares():
    with pytest.raises(ValueError, match="not negative"):
        minerals.hhi_from_shares([60, -5])
    with pytest.raises(ValueError, match="more than 100%"):
        minerals.hhi_from_shares([70, 40])


def test_completeness_flags_missing_total_and_gap():
    comp = minerals.table_completeness(TINY, 0.02).set_index("year")
    assert comp.loc[2020, "complete"]
    assert comp.loc[2020, "gap_pct"] == pytest.approx(0.0)
    assert not comp.loc[2021, "complete"]
    assert comp.loc[2021, "gap_pct"] == pytest.approx(-30.0)
    assert comp.loc[2022, "reason"] == "no world total"


def test_completeness_tolerance_must_be_a_fraction():
    with pytest.raises(ValueError, match="fraction"):
        minerals.table_completeness(TINY, 2)


def test_shares_are_of_the_world_total():
    sh = minerals.shares(TINY)
    s2020 = sh[sh["year"] == 2020].set_index("country")["share_pct"]
    assert s2020["A"] == pytest.approx(60.0)
    assert s2020["Other countries"] == pytest.approx(10.0)
    assert 2022 not in set(sh["year"])  # no world total, no share


def test_hhi_by_year_matches_hand_values_and_skips_incomplete_years():
    h = minerals.hhi_by_year(TINY, 0.02).set_index("year")
    assert h.loc[2020, "hhi_upper"] == pytest.approx(60**2 + 30**2 + 10**2)
    assert h.loc[2020, "hhi_lower"] == pytest.approx(60**2 + 30**2)
    assert h.loc[2020, "equivalent_producers_upper"] == pytest.approx(10_000 / 4600)
    assert math.isnan(h.loc[2021, "hhi_upper"]) and math.isnan(h.loc[2022, "hhi_upper"])


def test_hhi_remainder_is_at_least_other_countries():
    # named countries over-run the rounded world total, but 'Other countries' still counts
    prod = _prod([("A", 2024, 95.0), ("B", 2024, 7.0), ("Other countries", 2024, 2.0), ("World total", 2024, 100.0)])
    h = minerals.hhi_by_year(prod, 0.05).set_index("year")
    assert h.loc[2024, "hhi_upper"] - h.loc[2024, "hhi_lower"] == pytest.approx(4.0)


def test_duplicate_and_negative_production_are_rejected():
    with pytest.raises(ValueError, match="appears twice"):
        minerals.shares(_prod([("A", 2020, 1.0), ("A", 2020, 2.0), ("World total", 2020, 3.0)]))
    with pytest.raises(ValueError, match="negative"):
        minerals.shares(_prod([("A", 2020, -1.0), ("World total", 2020, 3.0)]))


def test_rank_counts_larger_named_producers():
    assert minerals.rank(TINY, 2020, "A") == 1
    assert minerals.rank(TINY, 2020, "B") == 2
    with pytest.raises(ValueError, match="no production figure"):
        minerals.rank(TINY, 2020, "C")


def test_target_gaps_turn_each_unit_into_tonnes():
    prod = _prod([("China", 2024, 700.0), ("Russia", 2024, 20.0), ("India", 2024, 30.0), ("World total", 2024, 1000.0)])
    targets = pd.DataFrame(
        {
            "target_id": ["t", "m", "g", "w", "r", "money"],
            "target_year": [2030] * 6,
            "value": [50.0, 3.0, 100.0, 10.0, 2.0, 1.0],
            "unit": [
                "t per year",
                "multiple of current output",
                "percent growth",
                "percent of world production",
                "world rank",
                "billion USD per year (nominal)",
            ],
        }
    )
    g = minerals.target_gaps(targets, prod, year=2024).set_index("target_id")
    assert g.loc["t", "required_t"] == 50
    assert g.loc["m", "required_t"] == 60  # 3 x 20
    assert g.loc["g", "required_t"] == 40  # 20 plus 100%
    assert g.loc["w", "required_t"] == 100  # 10% of 1000
    assert g.loc["r", "required_t"] == 30  # India is number 2
    assert math.isnan(g.loc["money", "required_t"])
    assert g.loc["m", "multiple_of_current"] == pytest.approx(3.0)


# ------------------------------------------------------------------------------------------
# geometry


def _points(**coords):
    return pd.DataFrame([{"point_id": k, "lat": v[0], "lon": v[1]} for k, v in coords.items()])


def test_route_length_equals_hand_computed_geodesics():
    # 1 degree along the equator (a * pi / 180 on WGS84) plus 1 degree of latitude at the equator
    pts = _points(a=(0.0, 0.0), b=(0.0, 1.0), c=(1.0, 1.0))
    specs = pd.DataFrame([{"deposit": "d", "destination": "x", "option": "sea", "legs": [("sea", ["a", "b", "c"])]}])
    legs = minerals.route_legs(specs, pts, pd.DataFrame(columns=["alignment_id", "seq", "from_place", "to_place"]))
    equator_degree = 6378.137 * math.pi / 180
    assert legs["geodesic_km"].iloc[0] == pytest.approx(equator_degree + 110.574, abs=0.01)


def test_route_across_the_antimeridian_is_short():
    pts = _points(a=(66.0, 179.5), b=(66.0, -179.5))
    specs = pd.DataFrame([{"deposit": "d", "destination": "x", "option": "sea", "legs": [("sea", ["a", "b"])]}])
    legs = minerals.route_legs(specs, pts, pd.DataFrame(columns=["alignment_id", "seq", "from_place", "to_place"]))
    assert legs["geodesic_km"].iloc[0] == pytest.approx(geo.geodesic_km(66.0, 179.5, 66.0, -179.5))
    assert legs["geodesic_km"].iloc[0] < 50


def test_route_legs_name_unknown_points_and_modes():
    pts = _points(a=(0.0, 0.0))
    seg = pd.DataFrame(columns=["alignment_id", "seq", "from_place", "to_place"])
    specs = pd.DataFrame([{"deposit": "d", "destination": "x", "option": "o", "legs": [("sea", ["a", "nowhere"])]}])
    with pytest.raises(ValueError, match="nowhere"):
        minerals.route_legs(specs, pts, seg)
    specs.at[0, "legs"] = [("hovercraft", ["a", "a"])]
    with pytest.raises(ValueError, match="unknown mode 'hovercraft'"):
        minerals.route_legs(specs, pts, seg)
    specs.at[0, "legs"] = [("sea", "alignment:missing")]
    with pytest.raises(ValueError, match="no segments for alignment 'missing'"):
        minerals.route_legs(specs, pts, seg)


def test_alignment_legs_match_the_segment_lengths_of_the_geometry_module():
    places = data.load("places")
    seg = data.load("alignment_segments")
    pts = places.rename(columns={"place_id": "point_id"})
    specs = pd.DataFrame(
        [
            {
                "deposit": "d",
                "destination": "x",
                "option": "o",
                "legs": [
                    ("tunnel", "alignment:putin_trump_2025"),
                    ("rail_na_new", "alignment:us_fairbanks_nome_line:reverse"),
                ],
            }
        ]
    )
    legs = minerals.route_legs(specs, pts, seg)
    lengths = geo.segment_lengths(places, seg).groupby("alignment_id")["length_km"].sum()
    assert legs["geodesic_km"].iloc[0] == pytest.approx(lengths["putin_trump_2025"])
    assert legs["geodesic_km"].iloc[1] == pytest.approx(lengths["us_fairbanks_nome_line"])
    assert legs["stops"].iloc[1][0] == "cape_prince_of_wales" and legs["stops"].iloc[1][-1] == "fairbanks"


def test_point_from_and_bering_midpoint():
    lat, lon = minerals.point_from(0.0, 0.0, 90.0, 6378.137 * math.pi / 180)
    assert lat == pytest.approx(0.0, abs=1e-9) and lon == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="distance_km"):
        minerals.point_from(0.0, 0.0, 90.0, -1)
    places = data.load("places")
    mlat, mlon = minerals.bering_strait_point(places)
    p = places.set_index("place_id")
    d1 = geo.geodesic_km(mlat, mlon, *p.loc["cape_dezhnev", ["lat", "lon"]])
    d2 = geo.geodesic_km(mlat, mlon, *p.loc["cape_prince_of_wales", ["lat", "lon"]])
    assert d1 == pytest.approx(d2, rel=1e-6)


def test_route_points_reject_clashing_ids():
    places = pd.DataFrame(
        {
            "place_id": ["x", "cape_dezhnev", "cape_prince_of_wales", "tulun"],
            "name": list("abcd"),
            "kind": "city",
            "lat": [1.0, 66.0, 65.6, 54.6],
            "lon": [1.0, -169.6, -168.1, 100.6],
        }
    )
    wps = pd.DataFrame({"waypoint_id": ["x"], "name": ["dup"], "kind": ["port"], "lat": [2.0], "lon": [2.0]})
    deps = pd.DataFrame({"deposit_id": [], "name": [], "lat": [], "lon": []})
    with pytest.raises(ValueError, match=r"repeated: \['x'\]"):
        minerals.route_points(places, wps, deps, 225, 160)


# ------------------------------------------------------------------------------------------
# rates and costs


def test_short_ton_mile_conversion():
    assert minerals.SHORT_TON_MILE_TKM == pytest.approx(1.45997, abs=1e-5)


def _unit(rate=0.01, speed=500.0):
    rows = []
    for cls in ("truck", "rail_russia", "rail_north_america", "sea", "sea_nsr"):
        for s in minerals.SCENARIOS:
            rows.append({"rate_class": cls, "scenario": s, "usd_per_tkm": rate, "km_per_day": speed})
    return pd.DataFrame(rows)


def test_leg_cost_arithmetic_and_route_factor():
    legs = pd.DataFrame(
        [
            {
                "deposit": "d",
                "destination": "x",
                "option": "o",
                "leg": 1,
                "mode": "truck",
                "stops": ["a", "b"],
                "geodesic_km": 100.0,
            },
            {
                "deposit": "d",
                "destination": "x",
                "option": "o",
                "leg": 2,
                "mode": "sea",
                "stops": ["b", "c"],
                "geodesic_km": 1000.0,
            },
        ]
    )
    unit = _unit()
    unit.loc[unit["rate_class"] == "truck", "usd_per_tkm"] = 0.2
    costed = minerals.leg_costs(legs, unit, {"low": 1.0, "central": 1.5, "high": 2.0})
    assert costed["km_central"].tolist() == [150.0, 1000.0]  # truck scaled, sea not
    assert costed["usd_per_t_central"].tolist() == pytest.approx([30.0, 10.0])
    assert costed["days_high"].tolist() == pytest.approx([200 / 500, 1000 / 500])
    routes = minerals.route_table(costed, dwell_days=1.0)
    assert routes["transfers"].iloc[0] == 1
    assert routes["usd_per_t_central"].iloc[0] == pytest.approx(40.0)
    assert routes["days_central"].iloc[0] == pytest.approx(150 / 500 + 1000 / 500 + 1.0)


def test_leg_costs_errors():
    legs = pd.DataFrame(
        [
            {
                "deposit": "d",
                "destination": "x",
                "option": "o",
                "leg": 1,
                "mode": "sea",
                "stops": ["a", "b"],
                "geodesic_km": 10.0,
            }
        ]
    )
    with pytest.raises(ValueError, match="route factors missing"):
        minerals.leg_costs(legs, _unit(), {"low": 1.0})
    with pytest.raises(ValueError, match="speeds must be positive"):
        minerals.leg_costs(legs, _unit(speed=0.0), {"low": 1, "central": 1, "high": 1})
    with pytest.raises(ValueError, match="no unit rate"):
        minerals.leg_costs(legs, _unit().query("rate_class != 'sea'"), {"low": 1, "central": 1, "high": 1})


def test_transfers_count_changes_of_network():
    assert minerals.transfers(["truck", "rail_ru", "rail_ru_new", "tunnel", "rail_na_new"]) == 2
    assert minerals.transfers(["sea_nsr", "sea"]) == 0


def test_verdict_signs_and_ranges():
    def row(opt, lo, c, hi, dlo, dc, dhi):
        return {
            "deposit": "d",
            "destination": "x",
            "option": opt,
            "km_central": 1.0,
            "usd_per_t_low": lo,
            "usd_per_t_central": c,
            "usd_per_t_high": hi,
            "days_low": dlo,
            "days_central": dc,
            "days_high": dhi,
        }

    routes = pd.DataFrame(
        [
            row("overland", 300, 400, 500, 10, 12, 15),
            row("nsr", 100, 150, 200, 20, 25, 30),
            row("conventional", 120, 180, 240, 30, 35, 40),
        ]
    )
    v = minerals.verdict_table(routes).iloc[0]
    assert v["best_sea_option"] == "nsr"
    assert v["saving_usd_per_t_central"] == -250
    assert (v["saving_usd_per_t_low"], v["saving_usd_per_t_high"]) == (100 - 500, 200 - 300)
    assert (v["days_saved_low"], v["days_saved_high"]) == (20 - 15, 30 - 10)


def test_route_factors_by_hand():
    places = pd.DataFrame({"place_id": ["a", "b"], "lat": [0.0, 0.0], "lon": [0.0, 1.0]})
    seg = pd.DataFrame(
        {"alignment_id": ["l"], "seq": [1], "from_place": ["a"], "to_place": ["b"], "segment_type": ["new_land_line"]}
    )
    pub = pd.DataFrame(
        {"measure": ["corridor_length"], "alignment_id": ["l"], "length_km": [np.nan], "length_mi": [100.0]}
    )
    f = minerals.route_factors(pub, places, seg).set_index("alignment_id")
    assert f.loc["l", "factor"] == pytest.approx(160.9344 / (6378.137 * math.pi / 180))
    assert minerals.factor_scenarios(f.reset_index())["central"] == pytest.approx(f.loc["l", "factor"])


# ------------------------------------------------------------------------------------------
# the shipped data


@pytest.fixture(scope="module")
def model():
    places = data.load("places")
    seg = data.load("alignment_segments")
    a = data.load("assumptions").set_index("assumption_id")["value"]
    pts = minerals.route_points(
        places,
        data.load("route_waypoints"),
        data.load("deposits"),
        a["minerals_zashikhinskoye_bearing_deg"],
        a["minerals_zashikhinskoye_distance_km"],
    )
    legs = minerals.route_legs(minerals.route_specs(), pts, seg)
    factors = minerals.factor_scenarios(minerals.route_factors(data.load("published_lengths"), places, seg))
    assumed = minerals.Assumed.from_table(data.load("assumptions"))
    unit = minerals.unit_rates(data.load("freight_rates"), pts, money.Money.from_data(), assumed)
    costed = minerals.leg_costs(legs, unit, factors)
    return pts, legs, unit, minerals.route_table(costed, assumed.transfer_dwell_days)


def test_shipped_routes_are_ordered_low_central_high(model):
    _, _, unit, routes = model
    r = routes[routes["option"] != "suez_bound"]
    for m in ("km", "usd_per_t", "days"):
        assert (r[f"{m}_low"] <= r[f"{m}_central"] + 1e-9).all()
        assert (r[f"{m}_central"] <= r[f"{m}_high"] + 1e-9).all()
    assert (unit["usd_per_tkm"] > 0).all()


def test_suez_lower_bounds_exceed_the_conventional_routes(model):
    _, _, _, routes = model
    r = routes.set_index(["deposit", "destination", "option"])["km_central"]
    assert r[("tomtor", "gulf", "suez_bound")] > r[("tomtor", "gulf", "conventional")]
    assert r[("lovozero", "alaska", "suez_bound")] > r[("lovozero", "alaska", "conventional")]


def test_zashikhinskoye_is_placed_south_west_of_tulun(model):
    pts = model[0].set_index("point_id")
    z, t = pts.loc["zashikhinskoye"], pts.loc["tulun"]
    assert z["approximate"]
    assert geo.geodesic_km(z["lat"], z["lon"], t["lat"], t["lon"]) == pytest.approx(160.0, rel=1e-6)
    assert z["lat"] < t["lat"] and z["lon"] < t["lon"]


# ------------------------------------------------------------------------------------------
# concentration at each stage


def _chain(rows):
    return pd.DataFrame(rows, columns=["stage", "country", "year", "share_pct"])


def test_round_sig():
    assert minerals.round_sig(8494.0, 2) == 8500.0
    assert minerals.round_sig(8281.0, 2) == 8300.0
    assert minerals.round_sig(0.012381, 2) == 0.012


def test_stage_hhi_folds_bounds_that_agree_and_keeps_ranges_that_do_not():
    vc = _chain(
        [
            ("separation_refining", "China", 2023, 92.0),
            ("separation_refining", "Malaysia", 2023, 5.0),
            ("separation_refining", "Australia", 2023, 1.0),
            ("separation_refining", "China", 2024, 91.0),
        ]
    )
    h = minerals.stage_hhi(vc).set_index("year")
    # 2023: 92^2 + 5^2 + 1^2 = 8490; remainder 2% as one producer adds 4
    assert (h.loc[2023, "hhi_lower"], h.loc[2023, "hhi_upper"]) == (8490.0, 8494.0)
    assert h.loc[2023, "folded"] and h.loc[2023, "hhi"] == 8492.0
    assert h.loc[2023, "equivalent_producers"] == pytest.approx(10_000 / 8492)
    # 2024: only China named: 8281 to 8281 + 81; 8,300 and 8,400 at two significant figures
    assert (h.loc[2024, "hhi_lower"], h.loc[2024, "hhi_upper"]) == (8281.0, 8362.0)
    assert not h.loc[2024, "folded"] and np.isnan(h.loc[2024, "hhi"])
    s = minerals.stage_summary(minerals.stage_hhi(vc)).set_index("stage").loc["separation_refining"]
    assert (s["year_share"], s["china_pct"], s["year_hhi"], s["hhi"]) == (2024, 91.0, 2023, 8492.0)


def test_value_chain_adds_mining_from_the_complete_usgs_years_and_checks_its_input():
    vc = minerals.value_chain(_chain([("magnets", "China", 2020, 90.0)]), TINY, 0.02)
    mining = vc[vc["stage"] == "mining"]
    assert set(mining["year"]) == {2020}  # 2021 incomplete, 2022 has no world total
    h = minerals.stage_hhi(vc).set_index(["stage", "year"])
    # A 60, B 30, Other countries 10 (unnamed): 3600 + 900, plus 100 as one producer
    assert (h.loc[("mining", 2020), "hhi_lower"], h.loc[("mining", 2020), "hhi_upper"]) == (4500.0, 4600.0)
    assert h.loc[("mining", 2020), "n_named"] == 2
    with pytest.raises(ValueError, match="unknown stages"):
        minerals.value_chain(_chain([("smelting", "China", 2020, 90.0)]), TINY, 0.02)
    with pytest.raises(ValueError, match="more than 100%"):
        minerals.value_chain(_chain([("magnets", "China", 2020, 90.0), ("magnets", "Japan", 2020, 20.0)]), TINY, 0.02)


def test_stage_summary_respects_max_year():
    vc = _chain(
        [
            ("magnets", "China", 2010, 80.0),
            ("magnets", "Japan", 2010, 20.0),
            ("magnets", "China", 2030, 50.0),
            ("magnets", "Japan", 2030, 50.0),
        ]
    )
    s = minerals.stage_summary(minerals.stage_hhi(vc), max_year=2024).set_index("stage").loc["magnets"]
    assert (s["year_share"], s["china_pct"], s["hhi"]) == (2010, 80.0, 6800.0)


# ------------------------------------------------------------------------------------------
# freight against cargo value, near-ties, capital charge


class _SameDollars:
    """A converter that leaves amounts as they are (prices already in the base year)."""

    def convert(self, amount, currency, year):
        assert currency == "USD"
        return amount


def test_cargo_values_by_hand():
    prices = pd.DataFrame(
        [
            {
                "price_id": "conc",
                "product": "ree_concentrate",
                "value": 4717.0,
                "unit": "USD per t REO",
                "per": "t REO contained",
                "currency": "USD",
                "price_year": 2025,
            },
            {
                "price_id": "ox1",
                "product": "ndpr_oxide",
                "value": 51.0,
                "unit": "USD per kg",
                "per": "t product",
                "currency": "USD",
                "price_year": 2025,
            },
            {
                "price_id": "ox2",
                "product": "ndpr_oxide",
                "value": 48.0,
                "unit": "USD per kg",
                "per": "t product",
                "currency": "USD",
                "price_year": 2025,
            },
        ]
    )
    products = pd.DataFrame([{"product_id": "lop", "name": "Loparite concentrate", "reo_pct": 30.0}])
    v = minerals.cargo_values(prices, products, _SameDollars()).set_index("product_id")
    assert v.loc["lop", "value_central"] == pytest.approx(4717 * 0.30)
    assert v.loc["lop", "cargo"] == "Loparite concentrate, 30% REO"
    assert v.loc["lop", "price_basis"] == "conc"  # no statistic given: the price id names the basis
    assert (
        v.loc["ndpr_oxide", "value_low"],
        v.loc["ndpr_oxide", "value_central"],
        v.loc["ndpr_oxide", "value_high"],
    ) == (48_000.0, 49_500.0, 51_000.0)
    bad = prices.iloc[[0]].assign(per="t ore")
    with pytest.raises(ValueError, match="'per' must be"):
        minerals.cargo_values(bad, products, _SameDollars())


def test_freight_share_is_cost_over_value():
    routes = pd.DataFrame(
        [
            {
                "deposit": "d",
                "destination": "x",
                "option": o,
                "usd_per_t_low": lo,
                "usd_per_t_central": c,
                "usd_per_t_high": hi,
            }
            for o, lo, c, hi in (("overland", 100.0, 150.0, 300.0), ("suez_bound", np.nan, np.nan, np.nan))
        ]
    )
    values = pd.DataFrame([{"cargo": "c", "product_id": "p", "value_central": 1500.0}])
    s = minerals.freight_share(routes, values)
    assert list(s["option"]) == ["overland"]
    assert (s["share_pct_low"].iloc[0], s["share_pct_central"].iloc[0], s["share_pct_high"].iloc[0]) == (
        pytest.approx(100 / 15),
        pytest.approx(10.0),
        pytest.approx(20.0),
    )


def test_capital_charge_is_an_annuity_per_tonne():
    # 1e9 at 5% over 20 years: 1e9 * 0.05 / (1 - 1.05**-20) = 80,242,587.5 a year
    assert minerals.capital_charge_per_t(1e9, 0.05, 20, 1e6) == pytest.approx(80.2425875, rel=1e-8)
    assert minerals.capital_charge_per_t(1e9, 0.0, 20, 1e6) == pytest.approx(50.0)
    with pytest.raises(ValueError, match="tonnes_per_year > 0"):
        minerals.capital_charge_per_t(1e9, 0.05, 20, 0)


def _verdict_inputs(conventional_cost):
    legs = pd.DataFrame(
        [
            {"deposit": "d", "destination": "x", "option": "overland", "mode": "rail_ru", "usd_per_t_central": 400.0},
            {"deposit": "d", "destination": "x", "option": "nsr", "mode": "truck", "usd_per_t_central": 100.0},
            {"deposit": "d", "destination": "x", "option": "nsr", "mode": "sea_nsr", "usd_per_t_central": 100.0},
            {
                "deposit": "d",
                "destination": "x",
                "option": "conventional",
                "mode": "sea",
                "usd_per_t_central": conventional_cost,
            },
        ]
    )
    verdict = pd.DataFrame([{"deposit": "d", "destination": "x", "overland_usd_per_t": 400.0}])
    return legs, verdict


def test_nsr_flip_ratio_by_hand():
    # NSR route: 100 off the NSR + 100 on it at ratio 1. It reaches the overland 400 at 100 + 100 r = 400: r = 3
    legs, verdict = _verdict_inputs(conventional_cost=500.0)
    assert minerals.nsr_flip_ratio(legs, verdict, 1.0).loc[("d", "x")] == pytest.approx(3.0)
    # the same data read with the current ratio at 2 (so 100 on the NSR is 50 per unit of ratio): r = 6
    assert minerals.nsr_flip_ratio(legs, verdict, 2.0).loc[("d", "x")] == pytest.approx(6.0)
    # the ice-free lanes already beat overland: no NSR price flips the pair
    legs, verdict = _verdict_inputs(conventional_cost=300.0)
    assert np.isnan(minerals.nsr_flip_ratio(legs, verdict, 1.0).loc[("d", "x")])
    with pytest.raises(ValueError, match="current_ratio"):
        minerals.nsr_flip_ratio(legs, verdict, 0.0)


def test_near_ties_are_ranges_that_straddle_zero():
    v = pd.DataFrame({"saving_usd_per_t_low": [-10.0, -10.0, 5.0], "saving_usd_per_t_high": [12.0, -1.0, 9.0]})
    assert minerals.near_ties(v).tolist() == [True, False, False]


def test_verdict_against_the_ice_free_lanes_only():
    def row(opt, c):
        return {
            "deposit": "d",
            "destination": "x",
            "option": opt,
            "km_central": 1.0,
            "usd_per_t_low": c - 10,
            "usd_per_t_central": c,
            "usd_per_t_high": c + 10,
            "days_low": 1.0,
            "days_central": 2.0,
            "days_high": 3.0,
        }

    routes = pd.DataFrame([row("overland", 200), row("nsr", 100), row("conventional", 195)])
    v = minerals.verdict_table(routes, ("conventional",)).iloc[0]
    assert v["best_sea_option"] == "conventional"
    assert (v["saving_usd_per_t_low"], v["saving_usd_per_t_high"]) == (185 - 210, 205 - 190)


def test_volume_table_converts_oxide_tonnes_to_concentrate():
    rates = pd.DataFrame(
        [
            {
                "rate_id": "cap",
                "mode": "bering_crossing",
                "statistic": "claim",
                "value": 70.0,
                "unit": "million tonnes per year",
                "source_id": "s",
            },
            {
                "rate_id": "nsr_total_cargo_2024",
                "mode": "northern_sea_route",
                "statistic": "nsr",
                "value": 38.0,
                "unit": "million tonnes",
                "source_id": "s",
            },
        ]
    ).assign(volume_comparison=[True, True])
    prod = pd.DataFrame([{"country": "Russia", "year": 2024, "production_t_reo": 2600.0, "source_id": "u"}])
    targets = pd.DataFrame(
        [{"unit": "t per year", "target_year": 2030, "statement": "t", "value": 3000.0, "source_id": "t"}]
    )
    v = minerals.volume_table(rates, prod, targets, 0.30).set_index("kind")
    assert v.loc["actual output", "tonnes_freight"] == pytest.approx(2600 / 0.3)
    assert v.loc["stated target", "tonnes_freight"] == pytest.approx(10_000.0)
    assert v.loc["crossing capacity claim", "tonnes_freight"] == 70e6
    assert v.loc["actual output", "share_of_min_capacity_pct"] == pytest.approx(2600 / 0.3 / 70e6 * 100)
    with pytest.raises(ValueError, match="reo_fraction"):
        minerals.volume_table(rates, prod, targets, 0.0)


def test_md_escape():
    assert minerals.md_escape("a_b *c* [d]") == "a\\_b \\*c\\* \\[d\\]"


# ------------------------------------------------------------------------------------------
# the analysis on the shipped data, the results contract and the split from the figures


def test_results_contract_and_shipped_values():
    r = minerals.results()
    assert list(r.columns) == ["key", "value", "unit", "description"]
    assert r["key"].is_unique
    k = r.set_index("key")["value"]
    assert k["china_share_ree_refining"] == 91.0
    assert k["china_share_ndfeb_magnets"] == 94.0
    assert k["ree_hhi_refining"] == 8492.0
    assert k["russia_ree_concentrate_t"] == pytest.approx(2600 / 0.30)
    assert 0 < k["freight_share_of_cargo_value_central"] < 100
    assert "years_of_ree_revenue_to_repay_2025_claim" not in k.index
    assert minerals.results() is not r  # a fresh frame each call, from the cached analysis
    assert minerals.analysis() is minerals.analysis()


def test_results_honour_the_data_directory(tmp_path):
    import shutil

    from bering import paths

    folder = tmp_path / "data"
    shutil.copytree(paths.data_dir(), folder)
    chain = folder / "ree_value_chain.csv"
    text = chain.read_text(encoding="utf-8")
    chain.write_text(
        text.replace("separation_refining,China,2024,91,", "separation_refining,China,2024,90,"), encoding="utf-8"
    )
    k = minerals.results(folder).set_index("key")["value"]
    assert k["china_share_ree_refining"] == 90.0
    assert minerals.results().set_index("key").loc["china_share_ree_refining", "value"] == 91.0


def test_the_model_imports_without_matplotlib():
    import subprocess
    import sys

    code = "import sys, bering.minerals; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_charts_report_the_rows_they_leave_out():
    from bering.plots import minerals as plots

    prod = pd.concat([TINY, _prod([("C", 2020, 0.0)])], ignore_index=True)
    comp = minerals.table_completeness(prod, 0.02)
    chosen, left = plots.charted_countries(prod, comp, top=1, subject="B")
    assert chosen == ["A", "B"]
    reasons = dict(zip(left["country"], left["reason"]))
    assert reasons["C"] == "not among the 1 largest producers of 2020"
    assert reasons["Other countries"] == "not a named producer (the unnamed remainder)"


def test_chart_metadata_is_computed():
    import matplotlib

    matplotlib.use("Agg")
    from bering.plots import minerals as plots

    a = minerals.analysis()
    c = plots.volume(a)
    actual = a.volume[a.volume["kind"] == "actual output"].iloc[0]
    assert f"{actual['share_of_min_capacity_pct']:.3f}%" in c.title
    assert c.name == "04_volume" and "ree_products.csv" in c.data_files
    assert c.fig.axes[0].get_xscale() == "log"
    assert not c.fig.axes[0].patches  # dots, not bars, on the log axis
    st = a.stages.set_index("stage")
    assert f"{st.loc['magnets', 'china_pct']:.0f}% of magnet making" in plots.concentration(a).title


def test_sea_flip_multiple_by_hand():
    # overland 400. NSR route: 100 on land + 100 at sea -> ties at k = 3. Ice-free: 250 on land + 50 at sea -> k = 3.
    legs = pd.DataFrame(
        [
            {"deposit": "d", "destination": "x", "option": o, "mode": m, "usd_per_t_central": c}
            for o, m, c in (
                ("nsr", "truck", 100.0),
                ("nsr", "sea_nsr", 100.0),
                ("conventional", "rail_ru", 250.0),
                ("conventional", "sea", 50.0),
            )
        ]
    )
    verdict = pd.DataFrame([{"deposit": "d", "destination": "x", "overland_usd_per_t": 400.0}])
    assert minerals.sea_flip_multiple(legs, verdict).loc[("d", "x")] == pytest.approx(3.0)
    # a dearer land part on the ice-free route lowers its factor; the best sea route still needs the NSR at 3
    legs.loc[2, "usd_per_t_central"] = 350.0
    assert minerals.sea_flip_multiple(legs, verdict).loc[("d", "x")] == pytest.approx(3.0)
    # the ice-free route with little land: it must rise by (400 - 100) / 50 = 6, more than the NSR route
    legs.loc[2, "usd_per_t_central"] = 100.0
    assert minerals.sea_flip_multiple(legs, verdict).loc[("d", "x")] == pytest.approx(6.0)


def test_nsr_flip_ratio_needs_every_nsr_option_to_reach_overland():
    legs = pd.DataFrame(
        [
            {"deposit": "d", "destination": "x", "option": o, "mode": m, "usd_per_t_central": c}
            for o, m, c in (
                ("nsr", "truck", 100.0),
                ("nsr", "sea_nsr", 100.0),  # ties at r = 3
                ("nsr_west", "truck", 100.0),
                ("nsr_west", "sea_nsr", 50.0),  # ties at r = 6
                ("conventional", "sea", 500.0),
            )
        ]
    )
    verdict = pd.DataFrame([{"deposit": "d", "destination": "x", "overland_usd_per_t": 400.0}])
    assert minerals.nsr_flip_ratio(legs, verdict, 1.0).loc[("d", "x")] == pytest.approx(6.0)


def test_planned_supply_turns_ore_plans_into_reo_and_a_rank():
    prod = _prod(
        [
            ("China", 2024, 100_000.0),
            ("Australia", 2024, 13_000.0),
            ("Russia", 2024, 2_600.0),
            ("World total", 2024, 115_600.0),
        ]
    )
    deposits = pd.DataFrame(
        [
            {"deposit_id": "t", "grade_pct": 9.5, "grade_basis": "TREO"},
            {"deposit_id": "z", "grade_pct": 0.03, "grade_basis": "Ta2O5 (approximate)"},
        ]
    )
    plans = pd.DataFrame(
        [
            {"deposit_id": "t", "value": 160_000.0, "unit": "t dry ore per year"},
            {"deposit_id": "q", "value": 1_000.0, "unit": "t REO per year"},
        ]
    )
    p = minerals.planned_supply(plans, deposits, prod, 2024).set_index("deposit_id")
    assert p.loc["t", "reo_t"] == pytest.approx(15_200.0)
    assert p.loc["t", "multiple_of_current"] == pytest.approx(15_200 / 2_600)
    assert p.loc["t", "rank_with_plan"] == 2  # 17,800 t: behind China, ahead of Australia
    assert p.loc["q", "reo_t"] == 1_000.0 and p.loc["q", "rank_with_plan"] == 3
    bad = pd.DataFrame([{"deposit_id": "z", "value": 1.0, "unit": "t dry ore per year"}])
    with pytest.raises(ValueError, match="no REO grade"):
        minerals.planned_supply(bad, deposits, prod, 2024)


def test_capital_is_charged_at_the_collection_s_one_rate_and_life():
    """Notebooks 04 and 06 repay the crossing's cost on one basis: the econ_ rows of assumptions.csv."""
    from bering import economics

    a = minerals.analysis()
    case = economics.case_from_assumptions()
    assert (a.capital_rate, a.capital_years) == (case.rate, case.life_years) == (0.035, 50)
    ids = set(data.load("assumptions")["assumption_id"])
    assert set(minerals.CAPITAL_ASSUMPTIONS) <= ids
    assert not any(i.startswith("minerals_capital") for i in ids)  # no second rate to drift apart
    row = a.capital[a.capital["tonnage"] == "largest claimed capacity"].iloc[0]
    assert row["usd_per_t"] == pytest.approx(
        minerals.capital_charge_per_t(row["usd_bn"] * 1e9, 0.035, 50, row["tonnes_per_year"])
    )


def test_the_finding_states_the_concentrate_price_proxy():
    a = minerals.analysis()
    conc = a.values[a.values["product_id"] != "ndpr_oxide"].iloc[0]
    statistic = data.load("ree_prices").set_index("price_id").loc["mp_concentrate_realized_2024q4", "statistic"]
    assert conc["price_basis"] == statistic
    text = minerals.findings(a)
    assert "a proxy: the collection holds no price for it" in text
    assert "MP Materials average realized price per tonne of REO sold" in text
    assert "at 3.5% real" in text


# ------------------------------------------------------------------------------------------
# freight at the cargo class's rate, rail on one basis, and what enters the volume chart


def _lane_rates(extra=()):
    rows = [
        {
            "rate_id": "box_a_b_2024_11_28",
            "mode": "sea_container",
            "statistic": "spot",
            "value": 2880.0,
            "unit": "USD per 40 ft container (nominal)",
            "cargo_class": "container",
            "lane_stops": "a;b",
        },
        {
            "rate_id": "grain_a_c_2018_06",
            "mode": "sea_bulk",
            "statistic": "grain",
            "value": 5.0,
            "unit": "USD per metric ton (nominal)",
            "cargo_class": "bulk",
            "lane_stops": "a;b;c",
        },
        {
            "rate_id": "payload",
            "mode": "sea_container",
            "statistic": "40 ft payload",
            "value": 28.8,
            "unit": "tonnes",
            "cargo_class": None,
            "lane_stops": None,
        },
        *extra,
    ]
    return pd.DataFrame(rows)


_LANE_POINTS = pd.DataFrame({"point_id": ["a", "b", "c"], "lat": [0.0, 0.0, 0.0], "lon": [0.0, 1.0, 2.0]})


def test_container_rate_per_tonne_km_by_hand():
    basis = minerals.sea_rate_basis(_lane_rates(), _LANE_POINTS).set_index("rate_id")
    one_degree = geo.geodesic_km(0.0, 0.0, 0.0, 1.0)
    assert one_degree == pytest.approx(111.3195, abs=1e-3)  # WGS84 equator, 1 degree
    box = basis.loc["box_a_b_2024_11_28"]
    assert box["usd_per_t"] == pytest.approx(2880 / 28.8)  # 100 USD a tonne
    assert box["usd_per_tkm"] == pytest.approx(100 / one_degree)
    assert (box["year"], box["route"], box["cargo_class"]) == (2024, "a-b", "container")
    grain = basis.loc["grain_a_c_2018_06"]
    assert grain["usd_per_tkm"] == pytest.approx(5 / (2 * one_degree))
    only_bulk = minerals.sea_rate_basis(_lane_rates(), _LANE_POINTS, "bulk")
    assert list(only_bulk["rate_id"]) == ["grain_a_c_2018_06"]


def test_container_rates_need_one_payload_and_known_units():
    rates = _lane_rates()
    assert minerals.container_payload_t(rates) == 28.8
    with pytest.raises(ValueError, match="expected one 40 ft container payload"):
        minerals.container_payload_t(rates[rates["rate_id"] != "payload"])
    odd = _lane_rates(
        [
            {
                "rate_id": "x_2020",
                "mode": "sea_container",
                "statistic": "odd",
                "value": 1.0,
                "unit": "EUR per pallet",
                "cargo_class": "container",
                "lane_stops": "a;b",
            }
        ]
    )
    with pytest.raises(ValueError, match="cannot turn 'EUR per pallet' into USD per tonne"):
        minerals.sea_rate_basis(odd, _LANE_POINTS)
    with pytest.raises(ValueError, match=r"unknown lane stops \['z'\]"):
        minerals.sea_rate_basis(_lane_rates().replace({"a;b": "a;z"}), _LANE_POINTS)
    with pytest.raises(ValueError, match="no sea rates with a lane for cargo class 'tanker'"):
        minerals.sea_rate_basis(_lane_rates(), _LANE_POINTS, "tanker")


def test_shipped_sea_rates_follow_the_cargo_class():
    a = minerals.analysis()
    assert (
        a.sea_class == data.load("ree_products").set_index("product_id").loc["loparite_concentrate", "sea_cargo_class"]
    )
    assert a.sea_class == "container"
    box = a.sea_basis[a.sea_basis["cargo_class"] == "container"].set_index("rate_id")
    la = box.loc["wci_shanghai_los_angeles_2024_11_28"]
    assert la["usd_per_t"] == pytest.approx(4250 / 28.8)  # USD 147.57 a tonne, nominal 2024
    sea = a.unit[(a.unit["rate_class"] == "sea")].set_index("scenario")["usd_per_tkm"]
    assert sea["central"] == pytest.approx(box["usd_per_tkm_2025"].mean())
    assert sea["low"] == pytest.approx(box["usd_per_tkm_2025"].min())
    bulk = a.sea_basis[a.sea_basis["cargo_class"] == "bulk"]["usd_per_tkm_2025"]
    assert sea["low"] > bulk.max()  # a box costs more per tonne-km than grain by the shipload


def test_rail_rates_must_share_one_basis():
    rates = pd.DataFrame(
        {
            "rate_id": ["r1", "r2", "r3"],
            "mode": ["rail_us", "rail_russia", "rail_russia"],
            "rate_basis": ["revenue per tkm, all traffic", "revenue per tkm, all traffic", "bulk contract rate"],
        }
    )
    assert minerals.rail_basis(rates, ["r1", "r2"]) == "revenue per tkm, all traffic"
    with pytest.raises(ValueError, match="rail rates mix bases"):
        minerals.rail_basis(rates, ["r1", "r3"])
    with pytest.raises(ValueError, match=r"rail rates without a rate_basis: \['r1'\]"):
        minerals.rail_basis(rates.assign(rate_basis=[None, "x", "x"]), ["r1", "r2"])
    with pytest.raises(KeyError, match="r9"):
        minerals.rail_basis(rates, ["r9"])
    assert minerals.analysis().rail_basis == "average revenue per tonne-km, all traffic"


def test_a_planted_tonnage_row_enters_the_volume_chart_by_its_column_or_is_reported():
    base = {"mode": "northern_sea_route", "unit": "million tonnes", "source_id": "s", "notes": ""}
    rates = pd.DataFrame(
        [
            {
                **base,
                "rate_id": "cap",
                "mode": "bering_crossing",
                "statistic": "claim",
                "value": 70.0,
                "unit": "million tonnes per year",
                "volume_comparison": True,
            },
            {**base, "rate_id": "planted_in", "statistic": "planted in", "value": 12.0, "volume_comparison": "true"},
            {
                **base,
                "rate_id": "planted_out",
                "statistic": "planted out",
                "value": 9.0,
                "volume_comparison": False,
                "notes": "partial year",
            },
            {
                **base,
                "rate_id": "speed",
                "mode": "sea_container",
                "statistic": "knots",
                "value": 14.0,
                "unit": "knots",
                "volume_comparison": None,
            },
        ]
    )
    prod = pd.DataFrame([{"country": "Russia", "year": 2024, "production_t_reo": 2600.0, "source_id": "u"}])
    targets = pd.DataFrame(columns=["unit", "target_year", "statement", "value", "source_id"])
    v = minerals.volume_table(rates, prod, targets, 0.30)
    assert "planted in" in set(v["item"]) and "planted out" not in set(v["item"])
    assert v.set_index("item").loc["planted in", "tonnes_freight"] == 12e6
    out = minerals.volume_left_out(rates)
    assert list(out["rate_id"]) == ["planted_out"]  # the speed row is no tonnage, so it is not reported
    assert out["reason"].iloc[0] == "volume_comparison is false in freight_rates.csv; partial year"
    with pytest.raises(ValueError, match="no volume_comparison column"):
        minerals.volume_table(rates.drop(columns="volume_comparison"), prod, targets, 0.30)


def test_shipped_volume_chart_and_its_left_out_rows():
    from bering.plots import minerals as plots

    a = minerals.analysis()
    nsr = a.volume[a.volume["kind"] == "Northern Sea Route cargo"]
    rates = data.load("freight_rates").set_index("rate_id")
    flagged = rates[(rates["mode"] == "northern_sea_route") & minerals.volume_flag(rates.reset_index()).to_numpy()]
    assert sorted(nsr["item"]) == sorted(flagged["statistic"])
    left = plots.left_out(a)
    left = left[left["table"] == "freight_rates.csv"]
    assert set(left["row"]) == set(a.volume_left_out["rate_id"]) and len(left) >= 1
    assert left["reason"].str.startswith("volume_comparison is false").all()


def test_every_figure_of_notebook_04_states_its_method():
    import matplotlib

    matplotlib.use("Agg")
    from bering.plots import minerals as plots

    a = minerals.analysis()
    charts = [
        plots.production_shares(a),
        plots.concentration(a),
        plots.route_comparison(a),
        plots.volume(a),
        plots.routes_interactive(a),
    ]
    for c in charts:
        assert len(c.method) > 40, c.name
    rc = plots.route_comparison(a)
    assert "container rates" in rc.method and a.rail_basis in rc.method
    assert "Drewry" in rc.source


def test_near_ties_name_the_sea_rate_that_would_flip_them():
    a = minerals.analysis()
    vf = a.verdict_ice_free
    text = minerals.findings(a)
    for t in vf[vf["near_tie"]].itertuples():
        assert f"tied at {fmt.rounded(t.sea_flip_multiple, 3)} times the sea rates" in text
        # a near-tie ties within the scenario range, so its multiple is near 1 (0.5-2)
        assert 0.5 < t.sea_flip_multiple < 2


def test_nsr_fee_to_flip_by_hand():
    # NSR route 100 + 100 = 200 against overland 400: a premium of 200 per tonne ties it
    legs, verdict = _verdict_inputs(conventional_cost=500.0)
    assert minerals.nsr_fee_to_flip(legs, verdict).loc[("d", "x")] == pytest.approx(200.0)
    # the ice-free lanes (300) already beat overland: no NSR premium can flip the pair
    legs, verdict = _verdict_inputs(conventional_cost=300.0)
    assert np.isnan(minerals.nsr_fee_to_flip(legs, verdict).loc[("d", "x")])


def test_nsr_fee_to_flip_needs_every_nsr_option_to_reach_overland():
    legs = pd.DataFrame(
        [
            {"deposit": "d", "destination": "x", "option": o, "mode": m, "usd_per_t_central": c}
            for o, m, c in (
                ("nsr", "truck", 100.0),
                ("nsr", "sea_nsr", 100.0),  # 200: needs 200 more
                ("nsr_west", "truck", 100.0),
                ("nsr_west", "sea_nsr", 50.0),  # 150: needs 250 more
                ("conventional", "sea", 500.0),
            )
        ]
    )
    verdict = pd.DataFrame([{"deposit": "d", "destination": "x", "overland_usd_per_t": 400.0}])
    assert minerals.nsr_fee_to_flip(legs, verdict).loc[("d", "x")] == pytest.approx(250.0)


def test_fee_per_tonne_of_cargo_by_hand_and_its_floor():
    # 3.26 per tonne of a 28,000 t ship carrying 18,000 t: 3.26 x 28,000 / 18,000 = 5.0711
    assert minerals.fee_per_t_cargo(3.26, 28_000, 18_000) == pytest.approx(5.071111, rel=1e-6)
    # the rate per tonne of the ship is the floor: reached only if the whole displacement were cargo
    assert minerals.fee_per_t_cargo(3.26, 28_000, 28_000) == pytest.approx(3.26)
    with pytest.raises(ValueError, match="cannot exceed the ship's displacement"):
        minerals.fee_per_t_cargo(3.26, 28_000, 30_000)
    with pytest.raises(ValueError, match="positive"):
        minerals.fee_per_t_cargo(3.26, 0, 1)


def test_season_days_by_hand():
    # 1 July to 15 November: 31 + 31 + 30 + 31 + 15 = 138 days
    assert minerals.season_days(7, 1, 11, 15) == 138
    assert minerals.season_days(7, 1, 11, 30) == 153
    assert minerals.season_days(2, 1, 2, 29, year=2024) == 29
    with pytest.raises(ValueError, match="before it starts"):
        minerals.season_days(11, 15, 7, 1)


def test_shipped_nsr_season_fee_floor_and_flip_in_money():
    a = minerals.analysis()
    assert (a.nsr_season_days, a.nsr_season_text) == (138, "1 July to 15 November")
    conv = money.Money.from_data()
    assert a.nsr_fee_floor_usd_per_t == pytest.approx(float(conv.convert(3.26, "USD", 1991)))
    assert 5 < a.nsr_fee_floor_usd_per_t < 10  # 3.26 dollars of 1991 are a little over twice as many of 2025
    v = a.verdict.set_index(["deposit", "destination"])
    # the fee that flips a pair is the gap between overland and its NSR route (only Tomtor to Fairbanks can flip)
    routes = a.routes.set_index(["deposit", "destination", "option"])["usd_per_t_central"]
    assert v.loc[("tomtor", "alaska"), "nsr_fee_to_flip_usd_per_t"] == pytest.approx(
        routes[("tomtor", "alaska", "overland")] - routes[("tomtor", "alaska", "nsr")]
    )
    k = minerals.results().set_index("key")["value"]
    assert k["nsr_navigation_season_days"] == 138
    assert k["nsr_fee_flippable_pairs"] == int(v["nsr_fee_to_flip_usd_per_t"].notna().sum())
    assert k["overland_cheaper_pairs_ice_free_central"] == int(
        (a.verdict_ice_free["saving_usd_per_t_central"] > 0).sum()
    )
    text = minerals.findings(a)
    assert "only while the Northern Sea Route is open (138 days a year, 1 July to 15 November" in text
    assert f"at least {fmt.rounded(a.nsr_fee_floor_usd_per_t)} per tonne of cargo" in text


def test_tonnage_labels_use_million_tonnes_from_one_million():
    from bering.plots.minerals import _tonnes_text

    assert _tonnes_text(3e6) == "3 Mt"
    assert _tonnes_text(2.4e6) == "2.4 Mt"
    assert _tonnes_text(7e7) == "70 Mt"
    assert _tonnes_text(170_000) == "170 kt"
    assert _tonnes_text(8_667) == "8,700 t"
