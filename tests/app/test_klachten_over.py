"""AppTest: the pages "Klachten en bejegening" and "Over de data" show the core's numbers on the example data."""

from dataclasses import replace
from datetime import date

from apptest import APP, metrics_by_label, notes, open_app, open_tables, rendered_text, share_link
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from cohort.fmt import fmt_dec, fmt_int
from cohort.pagemodels.common import PageInput
from cohort.pagemodels.complaints import complaints_model
from cohort.pagemodels.docs_text import contract_table
from cohort.privacy.release import release_for
from cohort.privacy.rules import DEFAULT_RULE, SuppressionRule
from cohort.selection import default_selection

COMPLAINTS = "views/klachten.py"
ABOUT = "views/over.py"


def expander(at: AppTest, starts_with: str):
    matches = [e for e in at.expander if rendered_text(e.label).startswith(starts_with)]
    assert matches, [rendered_text(e.label) for e in at.expander]
    return matches[0]


def open_complaints(**query: str | list[str]) -> AppTest:
    """Open /klachten?<query> directly, as a shared link to this page does (the page runs first)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(COMPLAINTS)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def model_for(example, **changes):
    return complaints_model(PageInput(example, replace(default_selection(example), **changes), DEFAULT_RULE))


def texts(table: Dataframe) -> list[dict[str, str]]:
    """The cells as the viewer reads them: the styler's display text ("13.240", "×", "—*"), not the numbers."""
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)
    return shown.to_dict("records")


def test_complaints_page_shows_the_letters_numbers(example):
    at = open_complaints()
    assert at.title[0].value == "Klachten en bejegening"
    # The release's counts for all areas up to June 2021 (the example data's calibration: 30 on 13.240).
    release = release_for(example, SuppressionRule())
    areas = example.areas.get_column("code").to_list()
    complaints = release.count("klachten", areas, example.first_month, date(2021, 6, 1))
    conversations = release.count("gesprekken", areas, example.first_month, date(2021, 6, 1))
    shown = metrics_by_label(at)
    assert shown["Klachten"] == "30" == fmt_int(complaints.value)
    assert shown["Gesprekken"] == fmt_int(conversations.value) == "13.240"
    rate = fmt_dec(complaints.value / conversations.value * 1000, 2)
    assert shown["Klachten per 1.000 gesprekken"] == rate == "2,27"
    assert shown == {t.label: t.value for t in model_for(example).tiles}
    assert any("juni 2021" in m.value for m in at.markdown)
    assert any("ondergrens van ontevredenheid" in i.value for i in at.info)
    assert any(w.value.startswith("**Kleine aantallen:**") for w in at.warning)
    # on the example data no area lies above the 99,8% limit
    assert any("opvallend hoog" in s.value for s in at.success)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("× = verborgen") for c in captions)  # the signs are explained where they appear
    assert not any("None" in c or "nan" in c for c in captions)


def test_grain_control_changes_the_periods(example):
    at = open_complaints()
    assert at.radio(key="klachten_periode").value == "halfjaar"
    model = model_for(example)
    for grain in ("jaar", "halfjaar"):
        at.session_state[f"cijfers_klachten_per_{grain}"] = True
        at.radio(key="klachten_periode").set_value(grain).run()
        assert not at.exception
        table = expander(at, "Cijfers bij deze grafiek: Klachten per 1.000 gesprekken per").dataframe[0]
        expected = model.over_time(grain).chart.table.texts
        assert texts(table) == expected.rows(named=True)
    # H2 2019 and H1 2020 are hidden: they read "×", never a number
    assert [row["klachten"] for row in texts(table)] == ["×", "×", "14", "8"]


def test_level_filter_switches_the_funnel(example):
    at = open_tables(open_complaints(), "klachten_trechter_gebied", "klachten_trechter_stadsdeel")
    funnel = texts(expander(at, "Cijfers bij deze grafiek: Trechterplot").dataframe[0])
    assert len(funnel) == 16  # units with conversations up to June 2021 (13 areas + 3 target groups)
    assert any(note.startswith("Te zien: 3 van de 16 eenheden") for note in notes(at))
    assert any(i.value.startswith("Meer te zien? Per stadsdeel over de hele looptijd") for i in at.info)
    at.radio(key="niveau").set_value("stadsdeel").run()
    assert not at.exception
    funnel = texts(expander(at, "Cijfers bij deze grafiek: Trechterplot").dataframe[0])
    assert {row["eenheid"] for row in funnel} == set(example.stadsdelen)
    # the stadsdelen add up to the city total; groups not added
    assert sum(int(row["gesprekken"].replace(".", "")) for row in funnel) == 13_240
    at.radio(key="niveau").set_value("stad").run()
    assert not at.exception
    assert any("de trechter toont de stadsdelen" in c.value for c in at.caption)


def test_deep_link_opens_the_funnel_where_it_works(example):
    # Per stadsdeel over the whole data period all 7 stadsdelen can be shown (issue 12: "offer the level and
    # period where it works"); the link keeps the page's own choices too.
    at = open_complaints(niveau="Stadsdeel", trechter_periode="Hele looptijd van de data", klachten_periode="Per jaar")
    assert at.radio(key="niveau").value == "stadsdeel"
    assert at.radio(key="trechter_periode").value == "alles"
    assert at.radio(key="klachten_periode").value == "jaar"
    assert any(note.startswith("Te zien: 7 van de 7 stadsdelen met gesprekken, januari 2018 tot en met december "
                                  "2022") for note in notes(at))
    at = open_tables(at, "klachten_trechter_stadsdeel_alles")
    funnel = texts(expander(at, "Cijfers bij deze grafiek: Trechterplot").dataframe[0])
    expected = model_for(example, level="stadsdeel").funnel("alles").chart.table.texts.rows(named=True)
    assert funnel == expected and "×" not in str(funnel)
    link = share_link(at)  # the share control keeps the page's widgets in the link
    assert "trechter_periode=Hele+looptijd+van+de+data" in link and "klachten_periode=Per+jaar" in link


def test_deep_link_with_a_peildatum_inside_a_half_year_says_which_months_count(example):
    at = open_complaints(peildatum="september 2021")
    (notice,) = [i.value for i in at.info if i.value.startswith("Klachten tellen we alleen per heel half jaar")]
    assert "Geteld: **januari 2018 tot en met juni 2021**" in notice
    assert "tot en met september 2021 (tot de peildatum)" in notice
    assert metrics_by_label(at)["Klachten"] == "30"  # the same half years as the letter's June 2021


def test_about_page_shows_contract_and_metadata(example):
    at = open_app(check=True, page=ABOUT)
    assert at.title[0].value == "Over de data"
    texts = [t.value for t in at.text]
    assert "Voorbeelddata Cohortaanpak" in texts
    assert fmt_int(len(example.months)) in texts
    assert "januari 2018" in texts and "december 2022" in texts
    assert "22" in texts and "3" in texts
    headers = [h.value for h in at.header]
    for heading in ("Deze dataset", "Begrippen", "Kleine aantallen en privacy", "Het aanleverformaat", "Bronnen",
                    "Hoe we rekenen"):
        assert heading in headers
    (contract,) = at.table
    assert list(contract.value["Kolom"]) == contract_table().get_column("kolom").to_list()
    assert "opmerkingen" in texts and "2021-06-30" in texts  # the toelichting sheet
    body = " ".join(m.value for m in at.markdown)
    assert "De trechterplot" in body and "Zwartboek" in body and "6 juli 2021" in body
    assert "× = verborgen" in body
