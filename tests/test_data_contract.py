"""The validator and loader on a small package: every rule, with its message."""

from __future__ import annotations

import pandas as pd
import pytest

from bering import data


def problems_of(folder):
    return [str(p) for p in data.validate_package(folder)]


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_valid_package_has_no_problems(mini):
    assert data.validate_package(mini) == []


def test_load_returns_typed_frame(mini):
    places = data.load("places", mini)
    assert list(places.columns) == ["place_id", "name", "lat", "lon", "kind", "length_km", "source_id"]
    assert places["lat"].dtype == "float64"
    assert places.loc[1, "length_km"] == 2.0
    assert places.attrs["file_lines"] == [2, 3]


def test_integer_and_date_types(mini):
    sources = data.load("sources", mini)
    assert sources["date_accessed"].iloc[0] == pd.Timestamp("2026-11-22")


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ("66.0,-169.0", "96.0,-169.0", "places.csv, line 2, column 'lat': [maximum] 96.0 is above the maximum 90"),
        ("66.0,-169.0", "66.0,-181", "places.csv, line 2, column 'lon': [minimum] -181 is below the minimum -180"),
        ("cape,1.5", "cape,1,500", "row-width"),
        ("cape,1.5", 'cape,"1,500"', "column 'length_km': [type:number] '1,500' has a thousands separator; write 1500"),
        (
            "cape,1.5",
            "cape,1.5km",
            "column 'length_km': [type:number] '1.5km' has a unit suffix; write the bare number 1.5",
        ),
        ("cape,1.5", "cape,-1.5", "line 2, column 'length_km': [minimum] -1.5 is below the minimum 0"),
        ("cape,1.5", "volcano,1.5", "line 2, column 'kind': [enum] 'volcano' is not one of: cape, island"),
        (
            "cape_b,Cape B",
            "cape_a,Cape B",
            "line 3, column 'place_id': [primary-key] duplicate key (place_id=cape_a) first used on line 2",
        ),
        (
            ",src_b\n",
            ",src_zz\n",
            "line 3, column 'source_id': [foreign-key] 'src_zz' does not resolve in sources.source_id",
        ),
        ("Cape A,", ",", "line 2, column 'name': [required] value is blank but required"),
        ("cape_a,", " cape_a,", "line 2, column 'place_id': [whitespace] ' cape_a' has leading or trailing whitespace"),
    ],
)
def test_planted_errors_are_named_precisely(mini, old, new, expected):
    replace_in(mini / "places.csv", old, new)
    found = problems_of(mini)
    assert any(expected in p for p in found), found
    with pytest.raises(data.DataValidationError) as info:
        data.load("places", mini)
    assert expected in str(info.value)


def test_every_problem_is_reported_not_just_the_first(mini):
    replace_in(mini / "places.csv", "66.0,-169.0", "99,-200")
    replace_in(mini / "places.csv", "cape,2", "rock,2")
    found = problems_of(mini)
    assert len(found) == 3
    assert [("line 2" in p) for p in found].count(True) == 2


def test_missing_renamed_and_unexpected_columns(mini):
    replace_in(mini / "places.csv", "length_km", "length_mi")
    found = problems_of(mini)
    assert any("column 'length_km': [header-missing]" in p and "renamed to 'length_mi'" in p for p in found)
    assert any("column 'length_mi': [header-unexpected]" in p for p in found)


def test_missing_file_empty_file_and_header_only(mini):
    (mini / "places.csv").unlink()
    assert any("places.csv: [file-exists] file is missing" in p for p in problems_of(mini))
    (mini / "places.csv").write_text("", encoding="utf-8")
    assert any("[non-empty] file is empty" in p for p in problems_of(mini))
    (mini / "places.csv").write_text("place_id,name,lat,lon,kind,length_km,source_id\n", encoding="utf-8")
    assert any("[non-empty] file has a header but no data rows" in p for p in problems_of(mini))


def test_non_utf8_is_rejected_with_line(mini):
    raw = (mini / "places.csv").read_bytes().replace("Cape B".encode(), "Cap\xe9 B".encode("latin-1"))
    (mini / "places.csv").write_bytes(raw)
    found = problems_of(mini)
    assert any("places.csv, line 3: [encoding] not valid UTF-8 (byte 0xe9" in p for p in found), found


def test_bom_and_crlf_are_accepted(mini):
    text = (mini / "places.csv").read_text(encoding="utf-8")
    (mini / "places.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert problems_of(mini) == []
    assert data.load("places", mini)["place_id"].tolist() == ["cape_a", "cape_b"]


def test_quoted_newline_is_one_cell_and_lines_stay_right(mini):
    replace_in(mini / "places.csv", "Cape A", '"Cape\nA"')
    replace_in(mini / "places.csv", "65.5,-168.0", "65.5,-999")
    found = problems_of(mini)
    assert len(found) == 1 and found[0].endswith(
        "places.csv, line 4, column 'lon': [minimum] -999 is below the minimum -180"
    ), found
    # once the longitude is fixed, the two-line name loads as one cell
    replace_in(mini / "places.csv", "-999", "-168.0")
    assert data.load("places", mini)["name"].iloc[0] == "Cape\nA"


def test_stray_whitespace_in_header(mini):
    replace_in(mini / "places.csv", ",lat,", ", lat,")
    found = problems_of(mini)
    assert any("column ' lat': [header-whitespace]" in p for p in found)


def test_csv_not_in_dictionary(mini):
    (mini / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert any("extra.csv: [described] CSV is not described in datapackage.json" in p for p in problems_of(mini))


def test_source_without_url_or_date(mini):
    replace_in(mini / "sources.csv", "https://example.org/b,2023", ",")
    found = problems_of(mini)
    assert any("sources.csv, line 3, column 'url': [required]" in p for p in found)
    assert any("sources.csv, line 3, column 'date_published': [required]" in p for p in found)


def test_unknown_resource_name(mini):
    with pytest.raises(KeyError, match="no resource 'nope' in the data dictionary"):
        data.load("nope", mini)


def test_cli_prints_every_problem_and_exits_1(mini, capsys):
    from bering.__main__ import main

    assert main(["validate", str(mini)]) == 0
    replace_in(mini / "places.csv", "66.0,-169.0", "99,-200")
    assert main(["validate", str(mini)]) == 1
    out = capsys.readouterr().out
    assert "column 'lat': [maximum]" in out and "column 'lon': [minimum]" in out


def test_assumption_values_reads_each_id_as_a_float_in_the_order_asked():
    values = data.assumption_values(["econ_asset_life_years", "claims_mc_tail_pct", "econ_real_interest_rate"])
    assert values == {"econ_asset_life_years": 50.0, "claims_mc_tail_pct": 10.0, "econ_real_interest_rate": 0.035}
    assert list(values) == ["econ_asset_life_years", "claims_mc_tail_pct", "econ_real_interest_rate"]
    assert all(type(v) is float for v in values.values())
    # a repeated id is looked up once; an already loaded table gives the same answer
    table = data.load("assumptions")
    assert data.assumption_values(["claims_mc_tail_pct"] * 2, table=table) == {"claims_mc_tail_pct": 10.0}


def test_assumption_values_names_the_file_and_every_missing_id(data_copy):
    replace_in(data_copy / "assumptions.csv", "econ_tonnes_per_teu,10,", "econ_tonnes_per_teu_x,10,")
    with pytest.raises(KeyError) as err:
        data.assumption_values(["econ_asset_life_years", "econ_tonnes_per_teu", "nope"], data_copy)
    message = str(err.value)
    assert "assumptions.csv lacks the assumptions ['econ_tonnes_per_teu', 'nope']" in message
    assert "no assumption 'econ_tonnes_per_teu', 'nope' is defined there" in message


def test_every_model_reads_its_assumptions_through_the_one_lookup(data_copy):
    from bering import economics, route

    replace_in(data_copy / "assumptions.csv", "econ_tonnes_per_teu,10,", "econ_tonnes_per_teu_x,10,")
    with pytest.raises(KeyError, match=r"lacks the assumptions \['econ_tonnes_per_teu'\]"):
        economics.case_from_assumptions(data_copy)
    with pytest.raises(KeyError, match=r"lacks the assumptions \['nope'\]"):
        route.assumption_value("nope", data_copy)
