"""What notebook 03's schedule verdict rests on: the duration-length elasticity at which it flips, and the
Brenner benchmark's bores and price basis (data rows of the cost model the schedule and costs share)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bering import data, montecarlo


def test_flip_elasticity_is_where_the_share_within_the_promise_meets_the_tail_threshold():
    flip = montecarlo.duration_elasticity_flip()
    assert flip["elasticity"] == 0.5 and flip["threshold_pct"] == 10.0 and flip["years"] == 8.0
    # the key number and the flip function draw the same durations at the baseline elasticity
    v = montecarlo.results().set_index("key")["value"]
    assert flip["share_within_pct"] == pytest.approx(100 * v["probability_within_8_years"])
    e = flip["flip_elasticity"]
    # the ledger's sensitivity variant (0.25) is on the other side of the flip from the baseline (0.5)
    assert 0.25 < e < 0.5

    m = montecarlo.model()
    dur = montecarlo.duration_class(m.projects)
    params = m.scenario("baseline")

    def share(elasticity):
        years = montecarlo.duration_log_samples(
            dur["duration_years"], dur["length_km"], params.tunnel_km, elasticity, montecarlo.RESULT_DRAWS
        )
        return montecarlo.share_at_or_below(years, 8.0)

    # just above the flip fewer than 10 % of schedules fit eight years; just below, at least 10 % do
    assert share(e + 0.002) < 10.0 <= share(e - 0.002)


def test_flip_text_states_the_assumption_and_the_computed_flip():
    flip = montecarlo.duration_elasticity_flip()
    clause = montecarlo.duration_flip_clause(flip)
    assert clause == (
        f"an assumed duration-length elasticity of 0.5 (no source gives it); the verdict flips below "
        f"{flip['flip_elasticity']:.2f}"
    )
    sentence = montecarlo.duration_flip_sentence()
    assert "assumption duration_length_elasticity" in sentence
    assert f"With an elasticity below {flip['flip_elasticity']:.2f}, at least 10 % of simulated schedules" in sentence
    none = dict(flip, flip_elasticity=math.nan)
    assert montecarlo.duration_flip_clause(none).endswith("the verdict holds for every elasticity from 0 to 1")


def test_brenner_counts_three_line_bores_and_its_cost_at_2023_prices():
    projects = data.load("megaprojects").set_index("project_id")
    assert projects.loc["brenner_base_tunnel", "bores"] == 3
    assert projects.loc["channel_tunnel", "bores"] == 3
    costs = data.load("project_costs").set_index("cost_id")
    used = costs[(costs["project_id"] == "brenner_base_tunnel") & costs["per_km_use"].notna()]
    # construction 8.54 + risk 1.092; the 0.903 of forecast future inflation is left out
    assert used.index.tolist() == ["brenner_est_2023_at_2023_prices"]
    assert used["amount_bn"].item() == pytest.approx(8.54 + 1.092)
    assert costs.loc["brenner_est_2023", "amount_bn"] == pytest.approx(8.54 + 1.092 + 0.903, abs=0.05)  # "about 10.5"
    table = montecarlo.model().table().set_index("project_id")
    row = table.loc["brenner_base_tunnel"]
    assert row["bore_km"] == pytest.approx(3 * 55)
    assert row["usd_m_per_bore_km"] == pytest.approx(row["usd_bn"] * 1000 / 165)
    assert np.isfinite(row["usd_m_per_bore_km"])


def test_short_flip_clause_for_titles():
    flip = {"elasticity": 0.5, "share_within_pct": 4.7, "threshold_pct": 10.0, "flip_elasticity": 0.2897}
    assert montecarlo.duration_flip_clause(flip, short=True) == (
        "assumed length elasticity 0.5, unsourced; the verdict flips below 0.29"
    )
    # a baseline already within the threshold flips when the elasticity rises
    assert montecarlo.duration_flip_clause(dict(flip, share_within_pct=12.0)).endswith("the verdict flips above 0.29")
