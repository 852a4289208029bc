"""The claims ledger: check language, relations, verdicts, attribution, distinct claims, sensitivity."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from bering import checks, data, ledger, results
from bering.plots import ledger as plots

#: The four news pieces are copyrighted and not redistributed here; where a copy sits beside the
#: repository (``../shared/seeds``) or at ``BERING_SEEDS_DIR``, the quoted phrases are checked against it.
SEEDS = Path(os.environ.get("BERING_SEEDS_DIR") or Path(__file__).resolve().parents[2] / "shared" / "seeds")

#: Key numbers as the analysis modules would compute them; values chosen by hand for the tests.
KEYS = {
    "first_proposal_year": (1890, "year", "01_proposal_timeline"),
    "strait_cape_to_cape_km": (85.4, "km", "02_route_geometry"),
    "strait_shore_to_shore_km": (81.3, "km", "02_route_geometry"),
    "route_via_diomedes_water_km": (86.0, "km", "02_route_geometry"),
    "percentile_of_8bn_claim": (0.5, "percentile (0-100)", "03_cost_benchmarks"),
    "percentile_of_65bn_claim_whole_link": (87.7, "percentile (0-100)", "03_cost_benchmarks"),
    "probability_within_8_years": (0.047, "probability", "03_cost_benchmarks"),
    "russia_rank_ree_mine_production_2024": (6, "rank", "04_critical_minerals"),
    "tbm_advance_needed_m_per_day": (20.0, "m per day", "03_cost_benchmarks"),
}


def write_keys(_unused=None, keys: dict = KEYS, drop: tuple = (), **changes) -> pd.DataFrame:
    """Planted key numbers, as :func:`bering.results.key_numbers` would return them."""
    rows = [
        (key, float(changes.get(key, value)), unit, f"test value of {key}", notebook)
        for key, (value, unit, notebook) in keys.items()
        if key not in drop
    ]
    return pd.DataFrame(rows, columns=["key", "value", "unit", "description", "notebook"])


@pytest.fixture
def figs(tmp_path) -> pd.DataFrame:
    return write_keys()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> pd.DataFrame:
    """The ledger of a copy of the real data with the planted key numbers, built once per module."""
    folder = tmp_path_factory.mktemp("ledger") / "data"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data", folder, ignore=shutil.ignore_patterns("_staging"))
    return ledger.build_ledger(folder, write_keys()).set_index("claim_id")


@pytest.fixture
def built(built_once) -> pd.DataFrame:
    """A copy of that ledger per test, so no test sees another's changes."""
    return built_once.copy()


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The claims file


SEED_SOURCES = ("independent_2025_10_17", "wire_2025_10_17", "metro_2025_10", "reex_2025_10_21")


def test_claims_cover_all_four_pieces_with_at_least_25_rows():
    claims = ledger.load_claims()
    assert len(claims) >= 25
    assert set(SEED_SOURCES) <= set(claims["source_id"])
    assert claims["claim_id"].is_unique


@pytest.mark.skipif(not SEEDS.exists(), reason="the news pieces are not on this machine")
def test_every_quoted_phrase_is_in_its_piece():
    files = {
        "independent_2025_10_17": "000_",
        "wire_2025_10_17": "001_",
        "metro_2025_10": "002_",
        "reex_2025_10_21": "003_",
    }
    texts = {sid: next(SEEDS.glob(f"{prefix}*.txt")).read_text(encoding="utf-8") for sid, prefix in files.items()}
    claims = ledger.load_claims()
    missing = [(c.claim_id, c.quoted) for c in claims.itertuples() if c.quoted not in texts[c.source_id]]
    assert missing == []


def test_claims_that_cannot_be_checked_say_why_and_checked_ones_have_a_relation():
    claims = ledger.load_claims()
    unchecked = claims[claims["check"] == "none"]
    assert unchecked["notes"].str.len().gt(10).all()
    checked = claims[claims["check"] != "none"]
    assert checked["relation"].notna().all() and checked["value"].notna().all()


def test_tolerances_match_their_assumptions():
    claims, assumptions = ledger.load_claims(), data.load("assumptions")
    assert checks.claim_tolerance_matches_basis({"claims": claims, "assumptions": assumptions}) == []
    bad = claims.copy()
    bad.attrs = claims.attrs
    bad.loc[bad["tolerance_basis"] == "claims_tol_length_rel", "tolerance"] = 0.2
    problems = checks.claim_tolerance_matches_basis({"claims": bad, "assumptions": assumptions})
    assert problems and all(
        p.message == "tolerance is 0.2 but claims_tol_length_rel = 0.05 in assumptions.csv" for p in problems
    )
    assert {(p.column, p.rule) for p in problems} == {("tolerance", "claim-tolerance-basis")}


def test_the_65bn_claim_takes_its_scope_from_project_costs(built):
    costs = data.load("project_costs").set_index("cost_id")
    rows = built.loc[["ind_65bn", "wire_65bn"]]
    for claim_id, row in rows.iterrows():
        assert row["scope_of"] == "bering_2025_est_traditional_65"
        assert row["scope"] == costs.loc[row["scope_of"], "scope"] == "corridor_programme"
        assert row["measures"].endswith("(corridor programme)")
        assert (
            "a corridor programme figure (data/project_costs.csv bering_2025_est_traditional_65" in row["explanation"]
        )
        assert "wider than the rail-only whole link that notebook 03 simulates" in row["explanation"]
        # a floor the rail-only link already reaches holds for the wider programme
        assert row["verdict"] == "consistent" and row["if_disagrees"] == "unsupported"
    assert "tunnel and approach railways" not in " ".join(built["measures"])


# ---------------------------------------------------------------------------------------------
# Parsing and relations


def test_split_top_ignores_separators_inside_brackets():
    text = "data:t.c[a=1,b=2];years_at(key:x, data:t.c[r=1]);key:y"
    assert ledger.split_top(text, ";") == ["data:t.c[a=1,b=2]", "years_at(key:x, data:t.c[r=1])", "key:y"]
    assert ledger.split_top("key:x, data:t.c[a=1,b=2]", ",") == ["key:x", "data:t.c[a=1,b=2]"]


@pytest.mark.parametrize(
    "relation,value,high,evidence,tol,kind,expected",
    [
        ("equal", 82, None, 85.4, 0.05, "rel", True),  # 4.0% apart
        ("equal", 82, None, 86.4, 0.05, "rel", False),  # 5.1% apart
        ("equal", 1904, None, 1905, 0, "abs", False),
        ("equal", 6, None, 6.06428, 0.05, "rel", True),
        ("evidence_at_least", 150, None, 135, 0, "abs", False),
        ("evidence_at_least", 20, None, 135, 0, "abs", True),
        ("evidence_at_least", 65, None, 40, 0, "abs", False),
        ("evidence_at_most", 112, None, 86, 0, "abs", True),
        ("evidence_at_most", 8, None, 8.89, 0, "abs", False),
        ("evidence_in_range", 60, 100, 104, 0.05, "rel", True),  # 100 + 5% of 104 = 105.2
        ("evidence_in_range", 60, 100, 110, 0.05, "rel", False),  # 100 + 5.5 < 110
        ("evidence_in_range", 60, 65, 60, 0, "abs", True),
        ("evidence_in_range", 60, 100, 56, 0.05, "rel", False),  # 60 - 2.8 > 56
        ("percentile_band", 8, None, 5, 10, "abs", False),
        ("percentile_band", 8, None, 50, 10, "abs", True),
        ("percentile_band", 8, None, 95, 10, "abs", False),
        ("percentile_at_least", 8, None, 95, 10, "abs", True),
        ("percentile_at_least", 8, None, 9.9, 10, "abs", False),
        ("percentile_at_most", 65, None, 87.7, 10, "abs", True),
        ("percentile_at_most", 65, None, 90.1, 10, "abs", False),
        ("percentile_at_most", 65, None, 2, 10, "abs", True),
    ],
)
def test_agrees(relation, value, high, evidence, tol, kind, expected):
    assert ledger.agrees(relation, value, high, evidence, tol, kind) is expected


def test_unknown_relation_is_an_error():
    with pytest.raises(ValueError, match="unknown relation 'roughly'"):
        ledger.agrees("roughly", 1, None, 1, 0, "abs")


def test_plotted_ratio_uses_the_nearest_end_of_a_range():
    assert ledger.plotted_ratio("evidence_in_range", 60, 100, 110) == pytest.approx(100 / 110)
    assert ledger.plotted_ratio("evidence_in_range", 60, 100, 80) == 1
    assert ledger.plotted_ratio("evidence_in_range", 60, 100, 50) == pytest.approx(1.2)
    assert ledger.plotted_ratio("equal", 82, None, 85.4) == pytest.approx(82 / 85.4)


def test_ratio_bands():
    assert ledger.band("equal", 82, None, 85.4, 0.05, "rel") == (0.95, 1.05)
    assert ledger.band("evidence_at_least", 150, None, 135, 0, "abs") == (0.0, 1.0)
    lo, hi = ledger.band("evidence_at_most", 112, None, 86, 0, "abs")
    assert lo == 1.0 and math.isinf(hi)
    assert ledger.band("equal", 10, None, 20, 2, "abs") == (0.9, 1.1)


# ---------------------------------------------------------------------------------------------
# Evidence


def claim(**fields) -> dict:
    base = {
        "claim_id": "ind_test",
        "source_id": "independent_2025_10_17",
        "value": 1.0,
        "value_high": None,
        "unit": "km",
        "relation": "equal",
        "tolerance": 0,
        "tolerance_kind": "abs",
        "notes": None,
    }
    return base | fields


def test_mile_and_currency_conversions(data_copy, figs):
    ctx = ledger.Context(data_copy, figs)
    (km,) = ledger.evaluate("convert:70 mi->km", claim(), ctx)
    assert km.value == pytest.approx(70 * 1.609344)
    (gbp,) = ledger.evaluate("convert:8 USD->GBP@2025", claim(unit="GBP bn"), ctx)
    fx = data.load("fx_rates", data_copy)
    rate = float(fx[(fx["currency"] == "GBP") & (fx["year"] == 2025)]["units_per_usd"].iloc[0])
    assert gbp.value == pytest.approx(8 * rate)
    assert gbp.source == "frb_g5a_aexusuk"
    with pytest.raises(ValueError, match="needs a year"):
        ledger.evaluate("convert:8 USD->GBP", claim(), ctx)


def test_elapsed_and_weekday(data_copy, figs):
    ctx = ledger.Context(data_copy, figs)
    (years,) = ledger.evaluate("elapsed(key:first_proposal_year)", claim(unit="years"), ctx)
    assert years.value == 2025 - 1890
    (day,) = ledger.evaluate(
        "weekday(data:timeline.date[event_id=2025_putin_trump_call_budapest_agreed])", claim(), ctx
    )
    assert day.value == 4 and "Thursday" in day.label


def test_years_at_scales_the_claimed_duration_by_the_rates(data_copy, figs):
    ctx = ledger.Context(data_copy, figs)
    items = ledger.evaluate(
        "years_at(key:tbm_advance_needed_m_per_day, data:tbm_rates.value_m_per_day[rate_id=typical_sustained_tbm])",
        claim(value=8.0, unit="years"),
        ctx,
    )
    assert [round(e.value, 4) for e in items] == [round(8 * 20 / 18, 4)]


def test_key_amounts_are_scaled_to_the_claim_unit(data_copy, tmp_path):
    figs = write_keys(tmp_path / "f", {"tunnel_cost_p50_usd2025": (4.2e10, "USD 2025", "03_cost_benchmarks")})
    ctx = ledger.Context(data_copy, figs)
    (item,) = ledger.evaluate("key:tunnel_cost_p50_usd2025", claim(unit="USD bn"), ctx)
    assert item.value == pytest.approx(42.0)


def test_rows_citing_only_the_news_pieces_are_not_evidence(data_copy, figs):
    ctx = ledger.Context(data_copy, figs)
    items = ledger.evaluate("data:published_lengths.length_km[measure=strait_width_narrowest]", claim(), ctx)
    assert items and all(e.source not in SEED_SOURCES for e in items)
    assert not any("independent" in e.label for e in items)


def test_typos_in_a_check_fail_loudly(data_copy, figs):
    ctx = ledger.Context(data_copy, figs)
    with pytest.raises(ValueError, match="table timeline has no column 'yaer'"):
        ledger.evaluate("data:timeline.yaer[event_id=x]", claim(), ctx)
    with pytest.raises(ValueError, match="unknown reference 'keys:x'"):
        ledger.evaluate("keys:x", claim(), ctx)
    with pytest.raises(ValueError, match="needs its reason in notes"):
        ledger.check_claim(claim(check="none"), ctx)


# ---------------------------------------------------------------------------------------------
# Verdicts


def test_verdicts_with_all_key_numbers_present(built):
    assert built.loc["ind_width_km", "verdict"] == "consistent"
    assert built.loc["ind_tunnel_length", "verdict"] == "consistent"
    # 135 years to the first traffic crossing proposed, 168 to the 1857 telegraph: scope-dependent
    assert built.loc["ind_150_years", "verdict"] == "contested"
    assert built.loc["ind_cost_8bn", "verdict"] == "inconsistent"  # at percentile 0.5, below P10
    assert built.loc["ind_under_8bn", "verdict"] == "inconsistent"
    assert built.loc["ind_65bn", "verdict"] == "consistent"  # 65 bn sits at P87.7, below P90
    assert built.loc["ind_build_time", "verdict"] == "inconsistent"  # 4.7 % of simulated builds finish in 8 years
    assert built.loc["reex_length_range", "verdict"] == "contested"  # 103, 104 and 86 in range, 110 not
    assert built.loc["reex_cost_range", "verdict"] == "consistent"
    assert built.loc["metro_6bn_gbp", "verdict"] == "consistent"
    assert built.loc["metro_three_years", "verdict"] == "not checkable"
    assert "no data on the war's duration" in built.loc["metro_three_years", "explanation"]


def test_explanations_name_the_evidence_and_its_value(built):
    text = built.loc["ind_150_years", "explanation"]
    assert "first_proposal_year = 1890" in text and "135 years" in text and "disagrees" in text
    assert "agrees: 168 years from timeline 1857_collins_telegraph_via_bering_strait" in text
    text = built.loc["ind_width_km", "explanation"]
    assert "strait_cape_to_cape_km = 85.4 km" in text and "within 5%" in text
    assert "wikipedia_en_bering_strait" in text


def test_verdict_flips_when_a_key_number_changes(data_copy, tmp_path):
    before = ledger.build_ledger(data_copy, write_keys(tmp_path / "a")).set_index("claim_id")
    after = ledger.build_ledger(
        data_copy, write_keys(tmp_path / "b", strait_cape_to_cape_km=120, route_via_diomedes_water_km=130)
    ).set_index("claim_id")
    assert before.loc["ind_width_km", "verdict"] == "consistent"
    # the computed width now disagrees while the published widths still agree: the data disagree
    assert after.loc["ind_width_km", "verdict"] == "contested"
    assert "strait_cape_to_cape_km = 120 km" in after.loc["ind_width_km", "explanation"]
    assert before.loc["ind_tunnel_length", "verdict"] == "consistent"
    assert after.loc["ind_tunnel_length", "verdict"] == "inconsistent"  # 130 km of water > 112 km tunnel


def test_verdict_flips_with_the_monte_carlo_percentile(data_copy, tmp_path):
    mid = ledger.build_ledger(data_copy, write_keys(tmp_path / "a", percentile_of_8bn_claim=30)).set_index("claim_id")
    high = ledger.build_ledger(
        data_copy, write_keys(tmp_path / "b", percentile_of_8bn_claim=95, percentile_of_65bn_claim_whole_link=95)
    ).set_index("claim_id")
    assert mid.loc["wire_cost_8bn", "verdict"] == mid.loc["wire_under_8bn", "verdict"] == "consistent"
    # one assertion, read as the ceiling the post states: a ceiling is not hurt by a high percentile
    assert high.loc["wire_cost_8bn", "verdict"] == high.loc["wire_under_8bn", "verdict"] == "consistent"
    assert mid.loc["wire_65bn", "verdict"] == "consistent"
    # a floor above the rail-only link's P90 says nothing about the wider programme it was costed for
    assert high.loc["wire_65bn", "verdict"] == "unsupported"


def test_verdict_flips_when_a_data_row_changes(data_copy, figs):
    replace_in(
        data_copy / "timeline.csv",
        "1904_us_syndicate_siberian_alaskan_railroad,1904,1904,",
        "1904_us_syndicate_siberian_alaskan_railroad,1905,1905,",
    )
    text = (data_copy / "timeline.csv").read_text(encoding="utf-8")
    old = (
        "with about 6000 km of connecting links, taking up to 15 years, and asked Russia, the US and Canada "
        'to sign an agreement.",104,60,USD,2007'
    )
    assert old in text
    (data_copy / "timeline.csv").write_text(text.replace(old, old.replace(",104,60,", ",104,70,")), encoding="utf-8")
    after = ledger.build_ledger(data_copy, figs).set_index("claim_id")
    assert after.loc["ind_1904", "verdict"] == "inconsistent"
    assert "year = 1905" in after.loc["ind_1904", "explanation"]
    # 70 is outside USD 60-65 bn, the other 2007 rows (other sources) still inside: contested
    assert after.loc["reex_cost_range", "verdict"] == "contested"


def test_missing_key_number_makes_the_claim_not_checkable(data_copy, tmp_path):
    figs = write_keys(tmp_path / "f", drop=("percentile_of_8bn_claim", "strait_cape_to_cape_km"))
    built = ledger.build_ledger(data_copy, figs).set_index("claim_id")
    assert built.loc["ind_cost_8bn", "verdict"] == "not checkable"
    assert built.loc["ind_cost_8bn", "explanation"] == "key number percentile_of_8bn_claim not computed"
    assert built.loc["ind_width_km", "explanation"] == "key number strait_cape_to_cape_km not computed"
    assert built.loc["ind_1904", "verdict"] == "consistent"  # the rest of the ledger is unaffected


def test_no_key_numbers_at_all_does_not_crash(data_copy, tmp_path):
    built = ledger.build_ledger(data_copy, write_keys(drop=tuple(KEYS)))
    assert set(built["verdict"]) <= set(ledger.VERDICTS)
    assert (
        built.set_index("claim_id").loc["ind_150_years", "explanation"] == "key number first_proposal_year not computed"
    )


def test_environment_variable_chooses_the_data_folder(data_copy, tmp_path, monkeypatch):
    replace_in(
        data_copy / "timeline.csv",
        "1904_us_syndicate_siberian_alaskan_railroad,1904,1904,",
        "1904_us_syndicate_siberian_alaskan_railroad,1905,1905,",
    )
    monkeypatch.setenv("BERING_DATA_DIR", str(data_copy))
    built = ledger.build_ledger(keys=write_keys()).set_index("claim_id")
    assert built.loc["wire_1904", "verdict"] == "inconsistent"


def test_contested_needs_two_sources(data_copy, figs):
    ctx = ledger.Context(data_copy, figs)
    # two rows of one source (the Brenner article quotes 52 and 61.04 m per day) split: inconsistent, not contested
    one = claim(
        unit="m per day",
        value=50,
        relation="equal",
        check="data:tbm_rates.value_m_per_day[rate_id=lotschberg_best_day];"
        "data:tbm_rates.value_m_per_day[rate_id=brenner_record_day]",
        tolerance=0.1,
        tolerance_kind="rel",
    )
    assert ledger.check_claim(one, ctx).verdict == "inconsistent"
    two = claim(
        unit="m per day",
        value=40,
        relation="equal",
        check="data:tbm_rates.value_m_per_day[rate_id=gotthard_amsteg_best_day_2004];"
        "data:tbm_rates.value_m_per_day[rate_id=brenner_record_day]",
        tolerance=0.05,
        tolerance_kind="rel",
    )
    assert ledger.check_claim(two, ctx).verdict == "contested"


# ---------------------------------------------------------------------------------------------
# Summaries and figures


def test_counts_scorecard_and_headline_agree(built):
    frame = built.reset_index()
    claims = ledger.distinct(frame)
    counts = ledger.verdict_counts(claims)
    assert sum(counts.values()) == len(claims) == frame["claim_group"].nunique()
    score = ledger.scorecard(frame)
    assert score["total"].sum() == len(claims)
    assert (score[list(ledger.VERDICTS)].sum(axis=1) == score["total"]).all()
    heads = {k: v for k, v, _, _ in ledger.headline(frame)}
    assert heads["claims_appearances"] == len(frame) == 48
    # 12 wire-copy pairs, a Cold War triple and the USD 8 bn post reported twice in each piece
    assert heads["claims_distinct"] == len(claims) == 33
    assert heads["claims_distinct_contested"] == counts["contested"]
    assert heads["claims_distinct_not_checkable"] == counts["not checkable"]
    assert sum(heads[f"claims_distinct_{v.replace(' ', '_')}"] for v in ledger.VERDICTS) == len(claims)


def test_ratio_points_group_repeated_claims(built):
    points = ledger.ratio_points(built.reset_index())
    width = points[points["group"] == "wire_strait_width_82km"]
    assert set(width["outlets"]) == {"The Independent, Reuters"}
    assert width["label"].iloc[0].startswith("Reuters: \u201c51 miles (82 km)\u201d, Width")
    assert len(width) == width["evidence"].nunique()  # one row per evidence value, not per piece
    pct = ledger.percentile_points(built.reset_index())
    assert set(pct["percentile"]) == {0.5, 87.7, 4.7}  # context values (years at a TBM rate) are left out
    # "$8 billion" (Independent), "8 billion dollars" (wire) and "<$8B" (both) are one claim of Dmitriev's
    cost = pct[pct["group"] == "dmitriev_cost_8bn"]
    assert len(cost) == 1 and cost["outlets"].iloc[0] == "The Independent, Reuters"
    assert (
        cost["label"]
        .iloc[0]
        .startswith("Kirill Dmitriev: \u201c$8 billion\u201d / \u201c<$8B\u201d / \u201c8 billion dollars\u201d")
    )


def test_charts_have_one_row_per_claim_group(built):
    import matplotlib.pyplot as plt

    frame = built.reset_index()
    points = ledger.ratio_points(frame)
    fig = plots.ratio_chart(points, ledger.percentile_points(frame))
    assert len(fig.axes[0].get_yticklabels()) == points["group"].nunique()
    assert len(fig.axes) == 2
    plt.close(fig)
    fig = plots.scorecard_chart(ledger.scorecard(frame))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(ledger.scorecard(frame).index)
    plt.close(fig)


def test_context_is_reported_but_never_decides(data_copy, tmp_path):
    with_rank = ledger.build_ledger(data_copy, write_keys(tmp_path / "a")).set_index("claim_id")
    without = ledger.build_ledger(data_copy, write_keys(tmp_path / "b", drop=("russia_rank_ree_mine_production_2024",)))
    without = without.set_index("claim_id")
    text = with_rank.loc["reex_top5_rank", "explanation"]
    assert "context: key russia_rank_ree_mine_production_2024 = 6 rank" in text
    assert "top5_producer_2030: value = 5" in text and "bezprozvannykh_rank_2030: value = 2" in text
    assert with_rank.loc["reex_top5_rank", "verdict"] == without.loc["reex_top5_rank", "verdict"] == "consistent"
    assert "context" not in without.loc["reex_top5_rank", "explanation"]


def test_a_missing_table_or_row_makes_the_claim_not_checkable(data_copy, figs):
    ctx = ledger.Context(data_copy, figs)
    result = ledger.check_claim(claim(check="data:no_such_table.value[id=1]"), ctx)
    assert (result.verdict, result.explanation) == ("not checkable", "table no_such_table is not in the data package")
    result = ledger.check_claim(claim(check="data:timeline.year[event_id=1999_nothing]"), ctx)
    assert result.verdict == "not checkable"
    assert "no row of data/timeline.csv[event_id=1999_nothing] has a value in year" in result.explanation


# ---------------------------------------------------------------------------------------------
# Attribution, distinct claims, vocabulary, sensitivity, escaping


def test_each_claim_names_its_speaker_and_outlet(built):
    assert built.loc["ind_cost_8bn", "speaker"] == "Kirill Dmitriev"
    assert built.loc["ind_cost_8bn", "outlet"] == "The Independent"
    assert built.loc["wire_width_km", "speaker"] == built.loc["wire_width_km", "outlet"] == "Reuters"
    # the wire copy inside the Independent piece is Reuters's figure, carried by the Independent
    assert built.loc["ind_width_km", "speaker"] == "Reuters"
    assert built.loc["metro_6bn_gbp", "speaker"] == "Metro"  # Metro's own conversion of Dmitriev's figure
    assert built.loc["metro_next_week", "speaker"] == "Donald Trump"


def test_repeats_of_one_claim_are_one_distinct_claim(built):
    claims = ledger.distinct(built.reset_index()).set_index("claim_group")
    cold_war = claims.loc["dmitriev_peace_bridge_cold_war"]
    assert cold_war["appearances"] == 3 and cold_war["outlets"] == "The Independent, Reuters, Metro"
    # "$8 billion" / "8 billion dollars" paraphrase the post's "<$8B", quoted in the same pieces: one claim
    assert claims.loc["dmitriev_cost_8bn", "appearances"] == 4
    assert "dmitriev_boring_cost_under_8bn" not in claims.index
    assert claims["appearances"].sum() == len(built)


def test_a_group_whose_rows_disagree_is_refused(data_copy):
    replace_in(
        data_copy / "claims.csv",
        "wire_cost_8bn,wire_2025_10_17,Kirill Dmitriev,Reuters,dmitriev_cost_8bn,8 billion dollars,8,",
        "wire_cost_8bn,wire_2025_10_17,Kirill Dmitriev,Reuters,dmitriev_cost_8bn,8 billion dollars,9,",
    )
    with pytest.raises(
        ValueError,
        match=r"claims.csv, line \d+, column 'value': \[claim-group-consistent\] claim_group 'dmitriev_cost_8bn' "
        r"has value = '8' on line \d+ \(ind_cost_8bn\) but '9' here \(wire_cost_8bn\)",
    ):
        ledger.load_claims(data_copy)


def test_scorecard_groups_distinct_claims_by_speaker(built):
    score = ledger.scorecard(built.reset_index())
    assert set(score.index) == {"Kirill Dmitriev", "Reuters", "Metro", "Rare Earth Exchanges", "Donald Trump"}
    # Dmitriev: 8 bn (also as "under 8 bn"), 70 miles, 8 years, 1904, 2007, 65 bn+, rail bridge, Cold War = 8
    assert score.loc["Kirill Dmitriev", "total"] == 8
    assert score.loc["Reuters", "contested"] == 1  # "at least 150 years": any link idea, or a traffic crossing
    assert "Reuters" in plots.scorecard_title(score) or "Dmitriev" in plots.scorecard_title(score)


def test_outlet_view_separates_quotations_from_own_figures(built):
    view = ledger.outlet_view(built.reset_index())
    ind = view.loc["The Independent"]
    assert ind["appearances"] == 13 and ind["own figures"] == 0  # the Independent adds no figure of its own
    assert ind["quoted faithfully"] == ind["quoting others"] == 13
    metro = view.loc["Metro"]
    assert metro["own figures"] == 5 and metro["own: consistent"] == 2  # GBP 6 bn and "decades"


def test_outlet_view_flags_a_quotation_that_differs(built):
    frame = built.reset_index()
    frame.loc[frame["claim_id"] == "ind_cost_8bn", "value"] = 80.0  # a misprint of Dmitriev's figure
    view = ledger.outlet_view(frame)
    # the claim appears four times (two in each piece); with copies that differ, none can be called the
    # faithful one: all four are flagged
    assert view.loc["The Independent", "quoted faithfully"] == 11
    assert view.loc["Reuters", "quoting others"] == 9 and view.loc["Reuters", "quoted faithfully"] == 7


def test_absence_of_evidence_is_unsupported_and_one_earlier_record_suffices(data_copy, figs):
    ctx = ledger.Context(data_copy, figs)
    floor = claim(
        value=150.0,
        unit="years",
        relation="evidence_at_least",
        if_disagrees="unsupported",
        check="elapsed(key:first_proposal_year)",
    )
    assert ledger.check_claim(floor, ctx).verdict == "unsupported"
    assert ledger.check_claim(floor | {"if_disagrees": None}, ctx).verdict == "inconsistent"
    earlier = floor | {
        "check": "elapsed(key:first_proposal_year);elapsed(data:timeline.year[event_id=1867_alaska_purchase])"
    }
    assert ledger.check_claim(earlier, ctx).verdict == "consistent"  # 158 years: evidence of an earlier idea
    with pytest.raises(ValueError, match="if_disagrees must be one of inconsistent, unsupported, not 'maybe'"):
        ledger.check_claim(floor | {"if_disagrees": "maybe"}, ctx)


def test_the_150_years_claim_is_scope_dependent(built):
    text = built.loc["wire_150_years", "explanation"]
    assert built.loc["wire_150_years", "verdict"] == "contested"
    assert "disagrees: 135 years" in text and "agrees: 168 years" in text
    assert "any link, or a traffic crossing" in built.loc["wire_150_years", "measures"]


def test_a_forecast_verdict_says_it_is_judged_against_the_reference_class(built):
    text = built.loc["ind_build_time", "explanation"]
    assert "implausible against it, not shown false" in text
    assert "implausible" not in built.loc["ind_1904", "explanation"]  # a fact, not a forecast


def test_a_claim_from_a_new_article_is_accepted(data_copy, figs):
    with open(data_copy / "sources.csv", "a", encoding="utf-8") as handle:
        handle.write(
            "example_2025_11_01,Example Gazette,A new article,https://example.org/a,2025-11-01,"
            "2026-11-30,copyright; facts cited,\n"
        )
    with open(data_copy / "claims.csv", "a", encoding="utf-8") as handle:
        handle.write(
            "gaz_width,example_2025_11_01,Example Gazette,Example Gazette,gaz_width,55 miles,88.5,,km,"
            "Width of the strait,equal,key:strait_cape_to_cape_km,0.05,rel,claims_tol_length_rel,,,\n"
        )
    built = ledger.build_ledger(data_copy, figs).set_index("claim_id")
    assert built.loc["gaz_width", "verdict"] == "consistent"  # 88.5 within 5 % of 85.4
    assert "Example Gazette" in ledger.outlet_view(built.reset_index()).index


def test_markdown_from_the_data_is_escaped(data_copy, figs):
    hostile = "<img src=x onerror=alert(1)>"
    replace_in(
        data_copy / "claims.csv",
        "Not checkable: no data on the war's duration in this collection.",
        f"Not checkable: <svg onload=alert(2)> [link](javascript:alert(3)) {hostile}",
    )
    book = ledger.build_ledger(data_copy, figs)
    book.loc[book["claim_id"] == "metro_three_years", "speaker"] = hostile
    text = ledger.explained(book, "not checkable").text
    assert "<img" not in text and "<svg" not in text and "](javascript" not in text
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in text and "&lt;svg onload=alert\\(2\\)&gt;" in text


@pytest.mark.slow
def test_sensitivity_reports_verdicts_that_flip(data_copy):
    scenarios = {
        "baseline": write_keys(),
        "stress": write_keys(percentile_of_65bn_claim_whole_link=95),
        "no_correlation": write_keys(),
    }
    sens = ledger.sensitivity(data_copy, keys_by_scenario=scenarios).set_index("claim_group")
    assert list(sens.columns[-4:]) == ["baseline", "stress", "no_correlation", "flips"]
    assert sens.loc["dmitriev_traditional_cost_65bn", "flips"]
    assert sens.loc["dmitriev_traditional_cost_65bn", "stress"] == "unsupported"
    assert not sens.loc["wire_strait_width_82km", "flips"]
    assert int(sens["flips"].sum()) == 1
    assert "metro_three_years" not in sens.index  # only checkable claims
    heads = dict(
        (k, v) for k, v, _, _ in ledger.headline(ledger.build_ledger(data_copy, write_keys()), sens.reset_index())
    )
    assert heads["verdicts_that_flip_across_scenarios"] == 1
    flips = ledger.flipping(sens.reset_index())
    assert flips["verdicts"].tolist() == ["consistent / unsupported"]
    # what made it flip, in the words of the scenario's description
    assert flips["drivers"].tolist() == ["STRESS TEST: an overrun ratio multiplied on top of benchmark outturns"]
    labels = ledger.column_labels(["baseline", "claims_mc_tail_pct = 5"], data_copy)
    assert labels["baseline"] == "baseline: unit-cost benchmarking on outturns, no second overrun factor"
    assert labels["claims_mc_tail_pct = 5"].endswith("(claims mc tail pct 5)")
    assert "_" not in labels["claims_mc_tail_pct = 5"].split(" (")[0]


def test_assumption_variants_come_from_the_assumptions_file(data_copy):
    variants = ledger.assumption_variants(data_copy)
    assert ("duration_length_elasticity = 0.25", "duration_length_elasticity", 0.25) in variants
    assert ("duration_length_elasticity = 0", "duration_length_elasticity", 0.0) in variants
    assert ("claims_mc_tail_pct = 5", "claims_mc_tail_pct", 5.0) in variants
    with open(data_copy / "assumptions.csv", "a", encoding="utf-8") as handle:
        handle.write(
            "no_such_thing_sensitivity_low,1,x,An alternative,Because,05_claims_ledger,"
            "arafatm_flyvbjerg_2006_rcf_summary\n"
        )
    with pytest.raises(
        ValueError,
        match="assumption no_such_thing_sensitivity_low varies 'no_such_thing', which is not in assumptions.csv",
    ):
        ledger.assumption_variants(data_copy)


@pytest.mark.slow
def test_the_tail_threshold_variant_flips_a_claim_between_p5_and_p10(data_copy):
    keys = write_keys(percentile_of_8bn_claim=7.0)
    before = (data_copy / "claims.csv").read_bytes()
    base = ledger.build_ledger(data_copy, keys).set_index("claim_id")
    strict = ledger.variant_ledger(data_copy, "claims_mc_tail_pct", 5, keys=keys).set_index("claim_id")
    assert base.loc["ind_cost_8bn", "verdict"] == "inconsistent"  # P7 is below P10
    assert strict.loc["ind_cost_8bn", "verdict"] == "consistent"  # but not below P5
    assert strict.loc["ind_cost_8bn", "tolerance"] == 5
    assert strict.loc["ind_width_km", "tolerance"] == base.loc["ind_width_km", "tolerance"]  # other bases kept
    assert (data_copy / "claims.csv").read_bytes() == before  # the copy was changed, not the data folder
    with pytest.raises(ValueError, match="assumption 'no_such_thing' is not in assumptions.csv"):
        ledger.variant_ledger(data_copy, "no_such_thing", 1, keys=keys)


@pytest.mark.slow
def test_the_eight_year_verdict_rests_on_the_length_elasticity(data_copy):
    """The review's numbers: 4.8% of simulated builds finish within 8 years at exponent 0.5, 27% at 0."""
    # wire_build_time reads the cost model's key numbers only: the other modules are not computed
    keys = results.key_numbers("baseline", data_copy, modules=["montecarlo"])
    base = ledger.build_ledger(data_copy, keys).set_index("claim_id")
    flat = ledger.variant_ledger(data_copy, "duration_length_elasticity", 0, modules=["montecarlo"])
    flat = flat.set_index("claim_id")
    share = {
        name: next(e.value for e, _ in book.loc["wire_build_time", "evidence"] if not e.context)
        for name, book in (("base", base), ("flat", flat))
    }
    assert 3 < share["base"] < 6 and 20 < share["flat"] < 35
    assert base.loc["wire_build_time", "verdict"] == "inconsistent"
    assert flat.loc["wire_build_time", "verdict"] == "consistent"


@pytest.mark.slow
def test_the_sensitivity_table_is_the_figure_s_plotted_data(data_copy, tmp_path):
    import matplotlib.pyplot as plt

    from bering import export

    sens = ledger.sensitivity(data_copy, keys_by_scenario={"baseline": write_keys(), "stress": write_keys()})
    sens.loc[0, "quoted"] = '=HYPERLINK("http://x")'
    out = export.Exporter("05_claims_ledger", tmp_path)
    fig = plots.sensitivity_chart(sens)
    out.figure(
        fig,
        "05_verdict_sensitivity",
        title="No verdict changes",
        alt="A grid of verdicts " * 4,
        source="test",
        data=sens,
    )
    plt.close(fig)
    row = export.catalogue(tmp_path).set_index("name").loc["05_verdict_sensitivity"]
    assert row["files"].split(";") == [f"05_verdict_sensitivity.{x}" for x in ("png", "svg", "pdf", "csv")]
    text = (tmp_path / "05_verdict_sensitivity.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    table = export.read_csv(tmp_path / "05_verdict_sensitivity.csv")
    assert table["stress"].notna().all() and table.loc[0, "quoted"] == '=HYPERLINK("http://x")'


def test_findings_call_forecasts_implausible_and_count_a_flip(built, data_copy):
    book = built.reset_index()
    sens = ledger.sensitivity(
        data_copy,
        keys_by_scenario={
            "baseline": write_keys(),
            "duration_length_elasticity = 0": write_keys(probability_within_8_years=0.27),
        },
    )
    text = ledger.findings(book, sens).text
    # the 8 bn cost and the 8-year schedule are Dmitriev's inconsistent claims, and both are forecasts
    assert (
        "2 are inconsistent with the data (2 of them forecasts, judged implausible against the reference "
        "class of projects already built rather than shown false)"
    ) in text
    assert "1 checkable claim of 20 changes verdict" in text
    assert "(Kirill Dmitriev: inconsistent / consistent)" in text


def test_chart_labels_keep_dollar_signs_literal():
    # two dollar signs in one label would otherwise be typeset as maths ("$8 billion" / "<$8B")
    assert (
        plots._wrap("\u201c$8 billion\u201d / \u201c<$8B\u201d", 78) == "\u201c\\$8 billion\u201d / \u201c<\\$8B\u201d"
    )


@pytest.mark.slow
def test_each_figure_comes_with_what_the_exporter_needs(built, data_copy, tmp_path):
    import matplotlib.pyplot as plt

    from bering import export

    book = built.reset_index()
    sens = ledger.sensitivity(data_copy, keys_by_scenario={"baseline": write_keys(), "stress": write_keys()})
    charts = [plots.scorecard(book), plots.claims_vs_evidence(book), plots.verdict_sensitivity(sens)]
    assert [c.name for c in charts] == ["05_scorecard", "05_claims_vs_evidence", "05_verdict_sensitivity"]
    counts = ledger.verdict_counts(ledger.distinct(book).query("verdict != @ledger.NOT_CHECKABLE"))
    assert charts[1].title.startswith(
        f"Of {sum(counts.values())} checkable distinct claims, {counts['consistent']} agree with the data"
    )
    assert charts[2].title == "No verdict changes across the 2 model scenarios and assumption variants"
    assert charts[2].data is sens
    assert "claims.csv" in charts[1].data_files and "tbm_rates.csv" in charts[1].source
    out = export.Exporter("05_claims_ledger", tmp_path)
    for chart in charts:
        assert chart.method and chart.alt != chart.title
        assert chart.export(out).name == chart.name
        plt.close(chart.fig)
    catalogue = export.catalogue(tmp_path).set_index("name")
    assert catalogue.loc["05_scorecard", "method_note"] == charts[0].method


def test_the_ledger_imports_without_a_plotting_library():
    import subprocess
    import sys

    code = "import sys; import bering.ledger; print('matplotlib' in sys.modules or 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
