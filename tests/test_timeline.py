"""Timeline logic on small hand-made tables."""

from __future__ import annotations

import pandas as pd
import pytest

from bering import timeline
from bering.money import Money


def events():
    return pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d"],
            "year": pd.array([1905, 1958, 2007, 2014], dtype="Int64"),
            "category": ["proposal", "study", "context", "proposal"],
            "title": ["A", "B", "C", "D"],
            "claimed_length_km": [None, 80.0, None, None],
            "cost_amount_bn": [0.065, 1.0, 5.0, 30.0],
            "cost_currency": ["USD", "USD", "USD", "GBP"],
            "cost_price_year": pd.array([1905, 1958, 2007, 2014], dtype="Int64"),
            "source_id": ["s", "s", "s", "s"],
            "proposal_id": ["p1", "p2", None, "p3"],
        }
    )


@pytest.fixture
def conv():
    us = pd.Series({1905: 10.0, 1958: 30.0, 2007: 200.0, 2014: 240.0, 2025: 320.0})
    fx = {"GBP": pd.Series({2014: 0.6, 2025: 0.75})}
    return Money(us, fx, {})


def test_eras_boundaries():
    assert list(timeline.era_of([1916, 1917, 1991, 1992])) == [
        "Russian Empire",
        "Soviet Union",
        "Soviet Union",
        "Russian Federation",
    ]
    assert list(timeline.era_of([1721, 1857])) == ["Russian Empire", "Russian Empire"]  # the Collins telegraph
    with pytest.raises(ValueError, match=r"years outside the defined eras: \[1700\]"):
        timeline.era_of([1700])


def test_cost_claims_exclude_context_and_restate(conv):
    claims = timeline.cost_claims(events(), conv)
    assert claims["event_id"].tolist() == ["a", "b", "d"]
    # 0.065 USD bn of 1905 x 320/10 = 2.08; 1 bn of 1958 x 320/30 = 10.667
    # GBP 30 bn of 2014 / 0.6 = USD 50 bn of 2014; x 320/240 = 66.667
    assert claims["usd_bn_base"].tolist() == pytest.approx([2.08, 32 / 3, 200 / 3])
    # nominal: in dollars of the year stated, so only the GBP claim changes
    assert claims["nominal_usd_bn"].tolist() == pytest.approx([0.065, 1.0, 50.0])


def test_headline_numbers(conv):
    frame = events()
    claims = timeline.cost_claims(frame, conv)
    values = {k: v for k, v, _, _ in timeline.headline(frame, claims)}
    assert values == {
        "first_proposal_year": 1905,
        "distinct_proposals": 3,
        "proposal_events": 3,
        "cost_claim_min_usd2025_bn": pytest.approx(2.08),
        "cost_claim_max_usd2025_bn": pytest.approx(200 / 3),
    }


def test_distinct_proposals_count_each_proposal_once():
    frame = events().assign(
        proposal_id=["p1", "p1", None, "p3"],
        era=["Russian Empire", "Soviet Union", "Soviet Union", "Russian Federation"],
    )
    table = timeline.distinct_proposals(frame)
    # a (1905) and b (1958) are one proposal: counted once, first year 1905, last 1958, two events
    assert table["proposal_id"].tolist() == ["p1", "p3"]
    assert table["first_year"].tolist() == [1905, 2014]
    assert table["last_year"].tolist() == [1958, 2014]
    assert table["events"].tolist() == [2, 1]
    assert table["title"].tolist() == ["A", "D"]
    assert table["era"].tolist() == ["Russian Empire", "Russian Federation"]
    claims = timeline.cost_claims(
        frame,
        Money(pd.Series({1905: 1.0, 1958: 1.0, 2007: 1.0, 2014: 1.0, 2025: 1.0}), {"GBP": pd.Series({2014: 1.0})}, {}),
    )
    values = {k: v for k, v, _, _ in timeline.headline(frame, claims)}
    assert (values["distinct_proposals"], values["proposal_events"]) == (2, 3)


def test_a_proposal_event_without_a_proposal_id_is_a_proposal_of_its_own():
    frame = events().assign(proposal_id=["p1", None, None, "p1"])
    table = timeline.distinct_proposals(frame)
    # b has no id: it counts once under its event id; a and d share p1
    assert table["proposal_id"].tolist() == ["p1", "b"]
    assert table["events"].tolist() == [2, 1]
    assert len(timeline.distinct_proposals(events().drop(columns="proposal_id"))) == 3


def test_shipped_timeline_groups_repeated_proposals(data_copy):
    events_ = timeline.load_timeline(data_copy)
    table = timeline.distinct_proposals(events_).set_index("proposal_id")
    # 21 proposal and study events; Lin's bridge (1958, 1968, 1986, 1994) is one proposal of four events
    assert len(timeline.proposals(events_)) == 21
    assert table.loc["bering_lin_peace_bridge", "events"] == 4
    assert (table.loc["bering_lin_peace_bridge", "first_year"], table.loc["bering_lin_peace_bridge", "last_year"]) == (
        1958,
        1994,
    )
    assert len(table) == 21 - (4 - 1) - (3 - 1) - (2 - 1) * 3  # Lin 4, de Lobel 3, IBSTRG, TKM, 2011 plan 2 each
    values = dict(zip(timeline.results(data_copy)["key"], timeline.results(data_copy)["value"]))
    assert (values["distinct_proposals"], values["proposal_events"]) == (13, 21)


def test_results_follow_the_contract_and_the_data(data_copy):
    table = timeline.results(data_copy)
    assert list(table.columns) == ["key", "value", "unit", "description"]
    values = dict(zip(table["key"], table["value"]))
    assert values["first_proposal_year"] == 1890
    # the pre-1890 telegraph scheme is context, not a proposal of a crossing
    events_ = timeline.load_timeline(data_copy)
    telegraph = events_["event_id"] == "1857_collins_telegraph_via_bering_strait"
    assert events_.loc[telegraph, "category"].item() == "context"
    text = (data_copy / "timeline.csv").read_text(encoding="utf-8")
    (data_copy / "timeline.csv").write_text(
        text.replace(",context,none,Collins proposes", ",proposal,none,Collins proposes"), encoding="utf-8"
    )
    assert timeline.results(data_copy)["value"].iloc[0] == 1890  # cached per folder and scenario
    timeline._RESULTS.clear()
    assert timeline.results(data_copy)["value"].iloc[0] == 1857


def test_scenario_method_reads_the_model_scenarios():
    assert timeline.scenario_method("baseline") == "fx_then_deflate"
    assert timeline.scenario_method("no_such_scenario") == "fx_then_deflate"


def test_findings_are_computed_from_the_data(data_copy):
    events_ = timeline.load_timeline(data_copy)
    claims = timeline.cost_claims(events_, Money.from_data(data_copy))
    text = timeline.findings(events_, claims).text
    assert text.startswith("**Findings**")
    assert "Gilpin's Cosmopolitan Railway (1890); 13 distinct proposals run from it to" in text
    assert "recorded in 21 dated proposal and study events: 5 proposals account for 13 of those events" in text
    assert "Distinct proposals by era of the Russian state in which they were first made: 3 under the" in text
    assert "Collins proposes a telegraph across the Bering Strait (1857), a context event" in text
    assert f"The {len(claims)} stated costs in the timeline (data/timeline.csv) span USD" in text
    assert "Moscow conference backs a USD 65 billion tunnel and railway" in text  # the dearest, not "a tunnel"
    scoped = claims.assign(scope="crossing_and_approaches")
    assert "tunnel and railway, scope crossing and approaches)" in timeline.findings(events_, scoped).text


def test_each_figure_comes_with_what_the_exporter_needs(data_copy, tmp_path):
    import matplotlib.pyplot as plt

    from bering import data
    from bering.plots import timeline as plots

    events_ = timeline.load_timeline(data_copy)
    claims = timeline.cost_claims(events_, Money.from_data(data_copy))
    n_events = len(timeline.proposals(events_))
    n_plans = len(timeline.distinct_proposals(events_))
    charts = [
        plots.timeline_by_era(events_),
        plots.cost_claims(claims),
        plots.timeline_interactive(events_, data.load("sources", data_copy)),
    ]
    assert [c.name for c in charts] == ["01_timeline_by_era", "01_cost_claims_constant_usd", "01_timeline_interactive"]
    assert (n_plans, n_events) == (13, 21)
    assert charts[0].title == (
        "13 distinct proposals to cross the Bering Strait since 1890, seen in 21 dated proposal and study events, "
        "by era and mode"
    )
    assert charts[2].title.startswith("13 distinct proposals to cross the Bering Strait since 1890, in 21 dated")
    low, high = claims["usd_bn_base"].min(), claims["usd_bn_base"].max()
    assert charts[1].title == f"Stated costs of a crossing span USD {low:.1f} bn to {high:.0f} bn in 2025 dollars"
    assert "deflated with US CPI-U" in charts[1].source and "deflated with US CPI-U" in charts[1].method
    assert "local consumer price index" in plots.cost_claims(claims, method="deflate_then_fx").method
    for chart in charts:
        assert chart.method and chart.alt != chart.title
        if hasattr(chart.fig, "savefig"):
            plt.close(chart.fig)


@pytest.mark.slow
def test_each_figure_exports_with_its_catalogue_row(data_copy, tmp_path):
    import matplotlib.pyplot as plt

    from bering import data, export
    from bering.plots import timeline as plots

    events_ = timeline.load_timeline(data_copy)
    claims = timeline.cost_claims(events_, Money.from_data(data_copy))
    charts = [
        plots.timeline_by_era(events_),
        plots.cost_claims(claims),
        plots.timeline_interactive(events_, data.load("sources", data_copy)),
    ]
    out = export.Exporter("01_proposal_timeline", tmp_path)
    for chart in charts:
        chart.export(out)
        if hasattr(chart.fig, "savefig"):
            plt.close(chart.fig)
    assert set(export.catalogue(tmp_path)["name"]) == {c.name for c in charts}
    from bering.plots import files_of

    for chart in charts:
        interactive = not hasattr(chart.fig, "savefig")
        assert all((tmp_path / name).stat().st_size > 0 for name in files_of(chart.name, interactive))


def test_the_timeline_imports_without_a_plotting_library():
    import subprocess
    import sys

    code = "import sys; import bering.timeline; print('matplotlib' in sys.modules or 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
