"""The key-number registry and the one number formatter."""

from __future__ import annotations

import pandas as pd
import pytest

from bering import fmt, results, route


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["key", "value", "unit", "description"])


def test_combine_adds_module_and_notebook_and_keeps_order():
    table = results.combine({"timeline": frame(("a", 1, "year", "A")), "route": frame(("b", 2.5, "km", "B"))})
    assert table.to_dict("records") == [
        {
            "key": "a",
            "value": 1.0,
            "unit": "year",
            "description": "A",
            "module": "timeline",
            "notebook": "01_proposal_timeline",
        },
        {
            "key": "b",
            "value": 2.5,
            "unit": "km",
            "description": "B",
            "module": "route",
            "notebook": "02_route_geometry",
        },
    ]


def test_combine_refuses_clashes_missing_columns_and_text_values():
    with pytest.raises(ValueError, match="key number 'a' is given by more than one module: timeline, route"):
        results.combine({"timeline": frame(("a", 1, "u", "A")), "route": frame(("a", 2, "u", "A"))})
    with pytest.raises(ValueError, match=r"bering.route.results\(\) lacks the columns \['description'\]"):
        results.combine({"route": pd.DataFrame({"key": ["a"], "value": [1], "unit": ["u"]})})
    with pytest.raises(ValueError, match=r"bering.route.results\(\) has no value for \['a'\]"):
        results.combine({"route": frame(("a", None, "u", "A"))})
    labels = results.combine({"route": frame(("a", "tunnel_only", "scope", "A"), ("b", "2", "km", "B"))})
    assert labels["value"].tolist() == ["tunnel_only", 2.0]  # a label stays text; a numeric text becomes a number
    with pytest.raises(ValueError, match=r"bering.route.results\(\) repeats the keys \['a'\]"):
        results.combine({"route": frame(("a", 1, "u", "A"), ("a", 2, "u", "A"))})


def test_key_numbers_call_every_registered_module(monkeypatch):
    calls = []

    class Planted:
        def __init__(self, name):
            self.name = name

        def results(self, data_dir=None, scenario="baseline"):
            calls.append((self.name, scenario))
            return frame((f"{self.name}_x", len(self.name), "count", "planted"))

    monkeypatch.setattr(results, "_module", lambda name: Planted(name))
    table = results.key_numbers("baseline")
    assert [c[0] for c in calls] == [name for name, _ in results.REGISTRY]
    assert table["key"].tolist() == [f"{name}_x" for name, _ in results.REGISTRY]
    with pytest.raises(ValueError, match="unknown scenario 'nope'; use one of: baseline"):
        results.key_numbers("nope")


def test_a_module_without_results_is_refused_by_name(monkeypatch):
    monkeypatch.setattr(results, "REGISTRY", (("timeline", "01_proposal_timeline"), ("no_such_module", "09_x")))
    assert results.missing_modules() == ["no_such_module"]
    with pytest.raises(RuntimeError, match="bering.no_such_module"):
        results.key_numbers("baseline")


def test_every_registered_module_gives_results():
    assert results.missing_modules() == []


def test_route_results_from_the_data(data_copy):
    values = route.results(data_copy).set_index("key")["value"]
    assert values["strait_cape_to_cape_km"] == pytest.approx(85.6, abs=0.05)
    assert values["strait_shore_to_shore_km"] == pytest.approx(81.3, abs=0.05)
    assert 0 < values["tunnel_share_of_new_construction"] < 0.05
    # the 2025 tunnel (112 km published) minus the island route
    assert values["tunnel_2025_excess_over_island_route_km"] == pytest.approx(112 - values["route_via_diomedes_km"])


@pytest.mark.parametrize(
    "value, unit, text",
    [
        (667507.3, "USD 2025 per year", "667,507"),
        (667507, "", "667,507"),
        (1890, "year", "1890"),
        (21, "count", "21"),
        (85.6475, "km", "85.6"),
        (2.45326, "USD 2025 bn", "2.45"),
        (0.0223, "fraction", "0.0223"),
        (0.00371, "percent", "0.0037"),
        (100.93, "USD 2025 bn", "101"),
        (-406.2, "USD", "-406"),
    ],
)
def test_one_number_formatter(value, unit, text):
    assert fmt.number(value, unit) == text


def test_with_unit_and_markdown_escaping():
    assert fmt.with_unit(1890, "year") == "1890"
    assert fmt.with_unit(85.6475, "km") == "85.6 km"
    assert fmt.markdown("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert\\(1\\)&gt;"
    assert fmt.markdown("a *b* [c](d)") == "a \\*b\\* \\[c\\]\\(d\\)"
    assert fmt.markdown(None) == ""


def test_route_findings_state_computed_numbers(data_copy):
    values = route.results(data_copy).set_index("key")["value"]
    text = route.findings(data_copy).text
    assert f"{fmt.number(values['strait_shore_to_shore_km'])} km wide between the mainland shores" in text
    assert f"{fmt.number(values['new_rail_russia_km'])} km of new railway in Russia" in text
    assert f"{fmt.number(100 * values['tunnel_share_of_new_construction'])} % of the new construction" in text
