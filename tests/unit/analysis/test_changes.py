"""`changes_between`: two versions compared per indicator and unit through their own releases, hand-computed
(see tests/versions_data.py for the data and the sums), and the pure texts and permissions of issue 18."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from versions_data import new_version, old_version

from cohort.access import (
    four_eyes_required,
    local_identity,
    oidc_identity,
    review_refusal,
)
from cohort.analysis.changes import changes_between, common_window, difference, months_text
from cohort.dataset import Dataset
from cohort.pagemodels.versions import name_suffix, replaceable, status_text, version_text
from cohort.privacy.release import HIDDEN, UNAVAILABLE, Count, release_for
from cohort.privacy.rules import SuppressionRule
from cohort.store import StoredDataset

RULE = SuppressionRule(5, True)


@pytest.fixture(scope="module")
def model():
    return changes_between(old_version(), new_version(), RULE)


def row_texts(model, indicator: str) -> dict[str, tuple[str, str, str]]:
    texts = model.table.texts.filter(pl.col("indicator") == indicator)
    return {r["eenheid"]: (r["oud"], r["nieuw"], r["verschil"]) for r in texts.iter_rows(named=True)}


def test_summary_says_what_changed_with_hand_computed_numbers(model) -> None:
    assert model.summary == ("3 gebieden herzien, 6 maanden toegevoegd; gesprekken t/m juni 2021 van 1.380 naar "
                             "1.390; klachten t/m juni 2021 van 27 naar 28; personen in de bijstand eind juni 2021 "
                             "van 2.300 naar 2.305")
    assert model.months_added == tuple(date(2021, m, 1) for m in range(7, 13)) and model.months_removed == ()
    assert model.units_added == model.units_removed == ()
    assert model.revised_units == ("Centrum-West (A1)", "Centrum-Oost (A2)", "Noord-West (A3)")
    assert dict(model.facts)["Maanden toegevoegd"] == "juli 2021 t/m december 2021"
    assert [(t.label, t.value) for t in model.tiles] == [
        ("Herziene eenheden", "3"), ("Maanden erbij / eraf", "6 / 0"), ("Eenheden erbij / eraf", "0 / 0"),
        ("Verborgen verschillen", "2")]


def test_rows_per_indicator_and_unit_with_hidden_differences(model) -> None:
    assert row_texts(model, "Gesprekken") == {
        "Amsterdam (gebieden)": ("1.380", "1.390", "+10"),
        "Stedelijke doelgroepen (samen)": ("240", "240", "0"),
        "Centrum-West (A1)": ("600", "610", "+10"),
        "Centrum-Oost (A2)": ("300", "300", "0"),
        "Noord-West (A3)": ("480", "480", "0"),
        "Jongeren (G1)": ("240", "240", "0"),
    }
    # A2 had 3 complaints: hidden in both versions, and A1 with it (else Centrum's 15 minus A1 gives A2 away);
    # their differences are hidden too, whatever they are.
    assert row_texts(model, "Klachten") == {
        "Amsterdam (gebieden)": ("27", "28", "+1"),
        "Stedelijke doelgroepen (samen)": ("6", "6", "0"),
        "Centrum-West (A1)": ("×", "×", "×"),
        "Centrum-Oost (A2)": ("×", "×", "×"),
        "Noord-West (A3)": ("12", "13", "+1"),
        "Jongeren (G1)": ("6", "6", "0"),
    }
    assert row_texts(model, "Personen in de bijstand")["Centrum-Oost (A2)"] == ("500", "505", "+5")
    assert set(model.table.texts.filter(pl.col("indicator") == "Personen in de bijstand")
               .get_column("periode")) == {"eind jun 2021"}
    assert set(model.table.texts.filter(pl.col("indicator") == "Klachten").get_column("periode")) == {
        "jan 2021 t/m jun 2021"}
    # What the table holds is what it shows: no number behind a hidden cell, the sign kept on a difference.
    klachten = model.table.values.filter(pl.col("indicator") == "Klachten")
    assert klachten.get_column("nieuw").to_list() == ["28", "6", "×", "×", "13", "6"]
    assert klachten.get_column("verschil").to_list() == ["+1", "0", "×", "×", "+1", "0"]
    assert model.table.values.equals(model.table.texts)
    assert [row.difference.value for row in model.rows if row.indicator.measure == "klachten"] == [1, 0, None, None,
                                                                                                     1, 0]
    assert model.hidden_differences == 2
    assert any("2 verschillen zijn verborgen" in note for note in model.notes)
    # "Changed": the revised rows and the hidden ones, nothing unchanged.
    assert model.changed.height == 8
    assert "0" not in model.changed.texts.get_column("verschil").to_list()


def test_every_count_shown_is_a_count_of_its_own_versions_release(model) -> None:
    old_release, new_release = release_for(old_version(), RULE), release_for(new_version(), RULE)
    assert len(model.released) == 2 * model.table.height
    for row in model.rows:
        for count, release in ((row.old, old_release), (row.new, new_release)):
            query = count.query
            if query.stock:
                expected = release.stock(query.measure, query.codes, query.last)
            else:
                expected = release.count(query.measure, query.codes, query.first, query.last, query.phase)
            assert (count.value, count.state) == (expected.value, expected.state)
        both = row.old.shown and row.new.shown
        assert (row.difference.value is not None) == both
        assert row.difference.text != "×" or not both


def test_difference_signs() -> None:
    assert difference(Count(30), Count(31)).text == "+1"
    assert difference(Count(1_380), Count(1_000)).text == "−380"
    assert difference(Count(13_024), Count(14_124)).text == "+1.100"
    assert difference(Count(7), Count(7)).text == "0" and not difference(Count(7), Count(7)).revised
    assert difference(HIDDEN, Count(31)).text == "×" and difference(Count(31), HIDDEN).value is None
    assert difference(None, Count(5)).text == "—" and difference(Count(5), UNAVAILABLE).text == "—"


def test_units_added_and_removed_and_an_unchanged_version(model) -> None:
    old, new = old_version(), new_version()
    # The new version drops G1 and adds A4 (Noord): its rows have no old value and no difference.
    a4 = new.monthly.filter(pl.col("code") == "A3").with_columns(pl.lit("A4").alias("code"))
    units = pl.concat([new.units.filter(pl.col("code") != "G1"),
                       new.units.filter(pl.col("code") == "A3").with_columns(pl.lit("A4").alias("code"),
                                                                              pl.lit("Noord-Oost").alias("naam"))])
    changed = Dataset(units=units.sort("code"), monthly=pl.concat([new.monthly.filter(pl.col("code") != "G1"), a4])
                      .sort("code", "maand"), meta=replace(new.meta, version="zonder-G1"))
    result = changes_between(old, changed, RULE)
    assert result.units_added == ("Noord-Oost (A4)",) and result.units_removed == ("Jongeren (G1)",)
    assert result.summary.startswith("3 gebieden herzien, 6 maanden toegevoegd, 1 eenheid toegevoegd, 1 eenheid "
                                     "verwijderd; gesprekken t/m juni 2021 van 1.380 naar 1.870")
    talks = row_texts(result, "Gesprekken")
    assert talks["Noord-Oost (A4)"] == ("—", "480", "—") and talks["Jongeren (G1)"] == ("240", "—", "—")
    assert talks["Stedelijke doelgroepen (samen)"] == ("240", "—", "—")

    same = changes_between(old, replace(old, meta=replace(old.meta, version="kopie")), RULE)
    assert same.summary == "Geen zichtbare wijzigingen: de getoonde aantallen zijn in beide versies gelijk."
    assert same.changed.height == 2  # only the two hidden differences


def test_the_window_follows_both_lattices() -> None:
    old, new = old_version(), new_version()
    # The old version ending in May: its last quarter is cut short, so the common quarters end in March,
    # and the common half years do not exist at all (no complaints compared).
    short = Dataset(units=old.units, monthly=old.monthly.filter(pl.col("maand") <= date(2021, 5, 1)),
                    meta=replace(old.meta, version="mei"))
    old_release, new_release = release_for(short, RULE), release_for(new, RULE)
    assert common_window(old_release, new_release, "gesprekken") == (date(2021, 1, 1), date(2021, 3, 1))
    assert common_window(old_release, new_release, "klachten") is None
    result = changes_between(short, new, RULE)
    assert set(row_texts(result, "Klachten")["Amsterdam (gebieden)"]) == {"—"}
    assert row_texts(result, "Gesprekken")["Centrum-West (A1)"] == ("300", "310", "+10")
    # With hiding switched off (an evaluator) everything is shown and the periods are months.
    unprotected = changes_between(short, new, SuppressionRule(5, False))
    assert row_texts(unprotected, "Klachten")["Centrum-Oost (A2)"] == ("3", "3", "0")
    assert row_texts(unprotected, "Gesprekken")["Centrum-West (A1)"] == ("500", "510", "+10")


def test_months_text() -> None:
    assert months_text([]) == "—"
    assert months_text([date(2021, 7, 1)]) == "juli 2021"
    assert months_text([date(2021, 8, 1), date(2021, 7, 1)]) == "juli 2021 t/m augustus 2021"
    assert months_text([date(2021, 7, 1), date(2021, 9, 1)]) == "juli 2021, september 2021"


# --- texts beside the dataset's name, and the dataset list -------------------------------------------------------


def record(**fields) -> StoredDataset:
    base = dict(dataset_id="a" * 64, name="Cohort", description="", published_at="2021-07-06T12:05:00+00:00",
                published_by="anna@amsterdam.nl", n_units=4, n_months=6, n_rows=24, first_month=date(2021, 1, 1),
                last_month=date(2021, 6, 1), validation_summary="", status="gepubliceerd", is_default=False)
    base.update(fields)
    base.setdefault("series_id", base["dataset_id"])
    return StoredDataset(**base)


def test_status_text_beside_the_name() -> None:
    first = record()
    second = record(dataset_id="b" * 64, series_id="a" * 64, version=2, replaces="a" * 64, data_status="definitief")
    assert status_text(None) == "" and name_suffix(None) == ""
    assert status_text(first) == "voorlopig" and name_suffix(first) == " (voorlopig)"
    assert status_text(second) == "definitief · versie 2"
    assert status_text(first, second) == "voorlopig · versie 1 · er is een nieuwere versie"
    assert status_text(record(status="ter goedkeuring")) == "ter goedkeuring · voorlopig"
    assert version_text(second, {"a" * 64: "Cohort 2021"}) == "versie 2, vervangt ‘Cohort 2021’"


def test_only_the_newest_version_of_each_series_is_offered_for_replacement() -> None:
    a1 = record(dataset_id="a" * 64)
    a2 = record(dataset_id="b" * 64, series_id="a" * 64, version=2)
    c1 = record(dataset_id="c" * 64)
    c2_pending = record(dataset_id="d" * 64, series_id="c" * 64, version=2, status="ter goedkeuring")
    e1_withdrawn = record(dataset_id="e" * 64, status="ingetrokken")
    assert replaceable([a2, a1, c2_pending, c1, e1_withdrawn]) == [a2]


def test_four_eyes_is_off_in_local_mode_on_by_default_with_login_and_configurable() -> None:
    evaluator = oidc_identity("anna@amsterdam.nl", "Anna", ["anna@amsterdam.nl"])
    assert four_eyes_required(local_identity(), True) is False
    assert four_eyes_required(evaluator, None) is True
    assert four_eyes_required(evaluator, False) is False


def test_the_second_evaluator_must_be_another_evaluator() -> None:
    allowlist = ["anna@amsterdam.nl", "bert@amsterdam.nl"]
    anna, bert = (oidc_identity(e, None, allowlist) for e in allowlist)
    viewer = oidc_identity("raadslid@amsterdam.nl", None, allowlist)
    assert review_refusal(bert, "Anna@Amsterdam.nl") is None
    assert "zelf gepubliceerd" in review_refusal(anna, " ANNA@amsterdam.nl ")
    assert review_refusal(viewer, "anna@amsterdam.nl").startswith(
        "Alleen evaluatoren mogen publicaties goedkeuren of afwijzen.")
