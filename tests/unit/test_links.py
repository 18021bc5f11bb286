"""Cleaning a shared link: valid parts kept as option values, everything else dropped by key name."""

import pytest
from workbooks import make_workbook

from cohort.links import (
    AMBIGUOUS_DATASET,
    BOOL_PARAM,
    AllowedValues,
    Kind,
    Param,
    allowed_values,
    clean_query,
    ignored_notice,
    map_choices,
    requested_dataset,
    view_params,
)
from cohort.workbook.read import read_workbook

ID = "ab" * 32


@pytest.fixture(scope="module")
def allowed() -> AllowedValues:
    # Two months (jan/feb 2020), areas DX01-DX03 in Centrum and West, target group DG01.
    dataset = read_workbook(make_workbook()).dataset
    return allowed_values(dataset, {"status": "Status op de peildatum", "werk": "Uitstroom naar werk"})


def clean(allowed, **params):
    return clean_query({k: v if isinstance(v, list) else [v] for k, v in params.items()}, allowed)


def test_valid_link_is_kept_as_option_values(allowed):
    result = clean(
        allowed, peildatum="januari 2020", periode=["januari 2020", "februari 2020"], stadsdelen=["West"],
        eenheden=["Centrum-West (DX01)", "Jongeren (DG01)"], doelgroepen="false", niveau="Hele stad",
        indicator="Uitstroom naar werk", gebied="DX02", dataset=ID,
    )
    assert result.dropped == []
    # The lattice has one (cut-short) quarter, K1 2020 = jan-feb: a peildatum is its last month, a period end
    # is its first month. Months of a link are moved there.
    assert result.kept == {
        "peildatum": "2020-02", "periode": ["2020-01", "2020-01"], "stadsdelen": ["West"],
        "eenheden": ["DX01", "DG01"], "doelgroepen": "false", "niveau": "stad", "indicator": "werk",
        "gebied": "DX02", "dataset": ID,
    }


def test_hand_written_aliases_are_accepted(allowed):
    result = clean(allowed, peildatum="2020-02", periode=["2020-01", "2020-02"], eenheden=["DX03"],
                   niveau="stadsdeel", doelgroepen="NEE", indicator="status")
    assert result.dropped == []
    assert result.kept == {"peildatum": "2020-02", "periode": ["2020-01", "2020-01"], "eenheden": ["DX03"],
                           "niveau": "stadsdeel", "doelgroepen": "false", "indicator": "status"}


def test_period_tokens_are_quarter_labels(allowed):
    both = ["K1 2020 (jan–feb)", "K1 2020 (jan–feb)"]
    assert clean(allowed, periode=both).kept == {"periode": ["2020-01", "2020-01"]}
    assert clean(allowed, peildatum="februari 2020").kept == {"peildatum": "2020-02"}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("peildatum", "2019-12"),  # before the data
        ("peildatum", "2030-01"),  # after the data
        ("peildatum", "juni 2021"),  # a real month, but not in this dataset
        ("peildatum", "2020-13"),
        ("peildatum", ""),
        ("peildatum", ["2020-01", "2020-02"]),  # repeated with different values
        ("periode", ["2020-01"]),  # a range needs two months
        ("periode", ["2020-01", "2020-02", "2020-02"]),
        ("periode", ["2020-01", "2031-01"]),
        ("niveau", "wijk"),
        ("niveau", ["stad", "gebied"]),
        ("doelgroepen", "misschien"),
        ("doelgroepen", ["true", "false"]),
        ("indicator", "onbekend"),
        ("gebied", "DG01"),  # a target group is not on the map
        ("gebied", "DX99"),
        ("gebied", "Centrum"),  # a stadsdeel is selected by its letter, as a click on the map gives it
        ("dataset", "abc"),
        ("dataset", "AB" * 32),  # ids are lower-case hex
        ("peildatum", "<script>alert(1)</script>"),
        ("stadsdelen", ["<img src=x onerror=alert(1)>"]),
        ("peildatum", "x" * 10_000),
        ("eenheden", ["DX01", "y" * 10_000]),  # one long value drops the whole key
    ],
)
def test_invalid_values_drop_their_key(allowed, key, value):
    result = clean(allowed, **{key: value}, niveau="stad") if key != "niveau" else clean(allowed, niveau=value)
    assert key in result.dropped
    assert key not in result.kept
    if key != "niveau":
        assert result.kept == {"niveau": "stad"}, "the rest of the link still applies"


def test_the_map_selection_may_be_an_area_or_a_stadsdeel(allowed):
    """At level "stadsdeel" a click on the map selects a stadsdeel by its letter (Centrum A, West E): a link with
    it must open that stadsdeel, not be ignored as an unknown area."""
    for code in ("DX01", "A", "E"):
        result = clean(allowed, niveau="stadsdeel", gebied=code)
        assert result.dropped == [] and result.kept == {"niveau": "stadsdeel", "gebied": code}


def test_map_choices_name_areas_as_the_sidebar_does_and_stadsdelen_by_name():
    dataset = read_workbook(make_workbook()).dataset
    assert [(c.code, c.label, c.is_stadsdeel) for c in map_choices(dataset)] == [
        ("DX01", "Centrum-West (DX01)", False), ("DX02", "Centrum-Oost (DX02)", False),
        ("DX03", "Westerpark (DX03)", False), ("A", "Centrum", True), ("E", "West", True)]


def test_multiselect_keeps_valid_options_and_reports_the_rest(allowed):
    result = clean(allowed, stadsdelen=["West", "Atlantis", "West"], eenheden=["DX01", "DX01"])
    assert result.kept == {"stadsdelen": ["West"], "eenheden": ["DX01"]}
    assert result.dropped == ["stadsdelen"]  # Atlantis; the duplicate DX01 is harmless


def test_empty_multiselect_means_all(allowed):
    assert clean(allowed, stadsdelen="") == clean_query({"stadsdelen": [""]}, allowed)
    assert clean(allowed, stadsdelen="").kept == {"stadsdelen": []}


def test_unknown_keys_are_left_alone_unless_they_look_hostile(allowed):
    result = clean(allowed, kaart_vergelijk="true", utm_source="raad")
    assert result.kept == {} and result.dropped == []
    hostile = clean(allowed, **{"<b>x</b>": "1", "ok_key": "<script>", "lang": "z" * 500, "Hoofd": "1"})
    assert sorted(hostile.dropped) == sorted(["<b>x</b>", "ok_key", "lang", "Hoofd"])


def test_notice_names_keys_only_sanitised_and_truncated():
    assert ignored_notice([]) is None
    notice = ignored_notice(["peildatum", "<script>alert(1)</script>", "k" * 100])
    assert notice.startswith("Deze delen van de link zijn genegeerd: ‘peildatum’, ‘?script?alert?1???script?’")
    assert "<" not in notice and ">" not in notice and "k" * 31 not in notice
    many = ignored_notice([f"k{i}" for i in range(12)])
    assert "en nog 4" in many


def test_bool_param_is_case_insensitive():
    allowed = AllowedValues({"x": BOOL_PARAM})
    assert clean_query({"x": ["TRUE"]}, allowed).kept == {"x": "true"}


def test_view_params_write_labels_and_leave_defaults_out(allowed):
    state = {
        "peildatum": "2020-02", "periode": ("2020-01", "2020-01"), "stadsdelen": ["West"], "eenheden": [],
        "doelgroepen": False, "niveau": "stad", "indicator": "werk",
    }
    assert view_params(state, allowed) == {
        "stadsdelen": ["West"], "doelgroepen": ["false"], "niveau": ["Hele stad"],
        "indicator": ["Uitstroom naar werk"],
    }


def test_view_params_round_trip_through_clean(allowed):
    state = {"peildatum": "2020-02", "periode": ("2020-01", "2020-01"), "eenheden": ["DX02", "DG01"],
             "niveau": "stadsdeel"}
    params = view_params(state, allowed)
    assert clean_query(params, allowed).kept == {"eenheden": ["DX02", "DG01"], "niveau": "stadsdeel"}


def test_params_without_kind_default_to_one():
    allowed = AllowedValues({"x": Param({"A": "a"})})
    assert Param({"A": "a"}).kind is Kind.ONE
    assert clean_query({"x": ["A"]}, allowed).kept == {"x": "a"}


def test_a_value_repeated_as_it_was_is_one_value(allowed):
    # A link pasted into itself (`?dataset=x&dataset=x`) still means x.
    assert requested_dataset([]) is None
    assert requested_dataset([ID, ID]) == ID
    assert requested_dataset([ID, "cd" * 32]) == AMBIGUOUS_DATASET
    result = clean(allowed, dataset=[ID, ID], peildatum=["januari 2020", "januari 2020"])
    assert result.kept == {"dataset": ID, "peildatum": "2020-02"} and result.dropped == []  # moved to its quarter end
    different = clean(allowed, dataset=[ID, "cd" * 32], peildatum=["januari 2020", "februari 2020"])
    assert different.kept == {} and sorted(different.dropped) == ["dataset", "peildatum"]
