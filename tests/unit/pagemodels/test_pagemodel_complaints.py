"""The complaints page model on a small dataset whose numbers and hidden cells are worked out by hand below.

January to December 2020, 100 conversations a month in each area, 50 in the target group (600 per half year per
area, 300 for the group). Complaints per half year (bejegening, bereikbaarheid, koers, overig):

    unit                 stadsdeel  H1 (jan–jun)   H2 (jul–dec)       up to H1  up to H2
    DX01 Centrum-West    Centrum    5 (5,0,0,0)    5 (3,0,2,0)          5        10
    DX02 Centrum-Oost    Centrum    6 (6,0,0,0)    6 (2,0,4,0)          6        12
    DX03 Westerpark      West       7 (7,0,0,0)    7 (5,2,0,0)          7        14
    DX04 Bos en Lommer   West       0              2 (2,0,0,0)          0         2
    DG01 Jongeren        (groep)    5 (5,0,0,0)    0                    5         5

Areas together: up to H1 18, up to H2 38 (H2 alone: 38 − 18 = 20); Centrum 11 and 22, West 7 and 16.
Categories of the areas up to H2: bejegening 30, bereikbaarheid 2, koers 6, overig 0.

The release publishes complaints only as these "up to" cells. Protection (`cohort.privacy.release`):
- DX04 up to H2 (2) is small: hidden. West up to H2 (16) is shown, so 16 − DX03 would give it back: the
  smallest visible non-zero part, DX03 up to H2 (14), is hidden too. DX04 can then be 1 to 9 (DX03 is at
  least its 7 up to H1), so nothing is pinned.
- Bereikbaarheid up to H2 (2) is small: hidden, and with it the smallest visible non-zero category, koers (6):
  38 − 30 − 0 = 8 = bereikbaarheid + koers, each anything from 1 to 7.

Rates (exact Poisson, Garwood): 38 complaints → (26,891; 52,158), over 4.800 conversations 5,60 – 10,87 per
1.000 around 7,92. Funnel at the areas' rate 38/4.800 × 1.000 = 7,9167: at 1.200 conversations μ = 9,5, the
97,5% quantile of Poisson(9,5) is r = 16 (F(16) = 0,982273, F(15) = 0,966527), interpolated
L = 16 − (0,982273 − 0,975)/(0,982273 − 0,966527) = 15,538 → 15,538/9,5 × 7,9167 = 12,95 per 1.000; a unit
with exactly the average rate lies above it when it has 16 or more: 1 − F(15) = 3,35% (not "1 in 20").
The 99,9% quantile: r = 20, L = 19,873 → 16,56 per 1.000, chance 1 − F(19) = 0,20%. At 600 conversations
(the target group) μ = 4,75: r = 9, L = 8,954 → 14,92 per 1.000, chance 1 − F(8) = 5,30%.
"""

from dataclasses import replace
from datetime import date, datetime

import pytest
from apptest import rendered_text
from workbooks import make_workbook

from cohort.pagemodels.common import PageInput
from cohort.pagemodels.complaints import ComplaintsModel, complaints_model
from cohort.privacy.rules import DEFAULT_RULE, SuppressionRule
from cohort.selection import Selection, default_selection
from cohort.workbook.read import read_workbook

UNITS = [
    ["DX01", "Centrum-West", "gebied", "Centrum", datetime(2019, 11, 1), None],
    ["DX02", "Centrum-Oost", "gebied", "Centrum", datetime(2019, 11, 1), None],
    ["DX03", "Westerpark", "gebied", "West", datetime(2019, 11, 1), None],
    ["DX04", "Bos en Lommer", "gebied", "West", datetime(2019, 11, 1), None],
    ["DG01", "Jongeren", "doelgroep", None, datetime(2019, 11, 1), None],
]
# (unit, month) -> (bejegening, bereikbaarheid, koers, overig): each half year's complaints in its first month
COMPLAINTS = {
    ("DX01", 1): (5, 0, 0, 0), ("DX01", 7): (3, 0, 2, 0),
    ("DX02", 1): (6, 0, 0, 0), ("DX02", 7): (2, 0, 4, 0),
    ("DX03", 1): (7, 0, 0, 0), ("DX03", 7): (5, 2, 0, 0),
    ("DX04", 7): (2, 0, 0, 0),
    ("DG01", 1): (5, 0, 0, 0),
}
TALKS = {"DX01": 100, "DX02": 100, "DX03": 100, "DX04": 100, "DG01": 50}
OFF = SuppressionRule(enabled=False)


def monthly_rows() -> list[list]:
    return [
        [datetime(2020, month, 1), code, 1000, talks, 20, 10, *COMPLAINTS.get((code, month), (0, 0, 0, 0))]
        for month in range(1, 13) for code, talks in TALKS.items()
    ]


@pytest.fixture(scope="module")
def dataset():
    return read_workbook(make_workbook(UNITS, monthly_rows())).dataset


def model_for(dataset, rule: SuppressionRule = DEFAULT_RULE, **changes) -> ComplaintsModel:
    return complaints_model(PageInput(dataset, replace(default_selection(dataset), **changes), rule))


def tiles(model: ComplaintsModel) -> dict[str, str]:
    return {t.label: t.value for t in model.tiles}


def rows(table) -> dict[str, dict[str, str]]:
    first = table.columns[0].name
    return {row[first]: row for row in table.texts.iter_rows(named=True)}


# --- Tiles ----------------------------------------------------------------------------------------------------


def test_tiles_count_the_areas_over_whole_half_years(dataset):
    model = model_for(dataset)
    assert model.window == (date(2020, 1, 1), date(2020, 12, 1))
    assert tiles(model) == {"Gesprekken": "4.800", "Klachten": "38", "Klachten per 1.000 gesprekken": "7,92",
                            "Waarvan over bejegening": "30"}
    definitions = {t.label: t.definition for t in model.tiles}
    assert definitions["Klachten per 1.000 gesprekken"].startswith("95%-interval 5,60 – 10,87 (exacte Poisson)")
    assert "Stedelijke doelgroepen apart: 5 klachten op 600 gesprekken." in definitions["Waarvan over bejegening"]
    assert model.notices == ()  # the selection is whole half years already
    assert model.tile_notes == ()  # nothing on the tiles is hidden


def test_a_peildatum_inside_a_half_year_counts_the_half_years_before_it(dataset):
    model = model_for(dataset, peildatum=date(2020, 9, 30))
    assert model.window == (date(2020, 1, 1), date(2020, 6, 1))
    assert tiles(model)["Klachten"] == "18" and tiles(model)["Gesprekken"] == "2.400"  # H1: 18 on 4 × 600
    assert tiles(model)["Klachten per 1.000 gesprekken"] == "7,50"
    (notice,) = model.notices
    assert "Geteld: **januari 2020 tot en met juni 2020**" in notice.text
    assert "januari 2020 tot en met september 2020 (tot de peildatum)" in notice.text
    assert "januari 2020" in model.intro and "juni 2020" in model.intro


def test_no_whole_half_year_shows_no_numbers(dataset):
    model = model_for(dataset, last_month=date(2020, 3, 1))  # one quarter
    assert model.window is None
    assert tiles(model) == {"Gesprekken": "—", "Klachten": "—", "Klachten per 1.000 gesprekken": "—",
                            "Waarvan over bejegening": "—"}
    assert model.notices[0].kind == "warning" and "geen heel half jaar" in model.notices[0].text
    assert all(s.chart is None for s in model.series) and model.categories is None
    # The funnel over the whole data period is still offered; it is all the page shows.
    assert "kies hierboven ‘Hele looptijd van de data’" in model.funnel("selectie").result.text
    assert model.funnel("alles").shown == 3
    assert {(c.query.first, c.query.last) for c in model.released} == {(date(2020, 1, 1), date(2020, 12, 1))}


def test_a_hidden_count_reads_as_its_sign_on_the_tiles(dataset):
    model = model_for(dataset, units=("DX04",))
    assert tiles(model)["Klachten"] == "×"
    assert tiles(model)["Klachten per 1.000 gesprekken"] == "—*"
    assert tiles(model)["Gesprekken"] == "1.200"
    assert tiles(model)["Waarvan over bejegening"] == "—"  # categories exist for all areas together only
    assert any(note.startswith("× = verborgen") for note in model.tile_notes)


# --- Over time --------------------------------------------------------------------------------------------------


def test_half_years_are_differences_of_the_cumulative_cells(dataset):
    model = model_for(dataset)
    halves = model.over_time("halfjaar").chart.table
    assert rows(halves) == {
        "H1 2020": {"periode": "H1 2020", "maanden": "6", "gesprekken": "2.400", "klachten": "18",
                    "per_1000": "7,50", "ondergrens": "4,44", "bovengrens": "11,85"},
        "H2 2020": {"periode": "H2 2020", "maanden": "6", "gesprekken": "2.400", "klachten": "20",  # 38 − 18
                    "per_1000": "8,33", "ondergrens": "5,09", "bovengrens": "12,87"},
    }
    year = model.over_time("jaar").chart.table
    assert rows(year)["2020"]["klachten"] == "38"
    figure = model.over_time("halfjaar").chart.figure
    assert list(figure.data[0].y) == pytest.approx([7.5, 20 / 2.4])


def test_a_hidden_period_is_a_gap_with_the_sign():
    # One area, 3 complaints in H1 and 6 in H2: up to H1 is 3 (hidden), so H2 = 9 − ? cannot be shown either.
    units = [["DX01", "Centrum-West", "gebied", "Centrum", datetime(2019, 11, 1), None]]
    monthly = [[datetime(2020, m, 1), "DX01", 1000, 100, 20, 10, {1: 3, 7: 6}.get(m, 0), 0, 0, 0]
               for m in range(1, 13)]
    small = read_workbook(make_workbook(units, monthly)).dataset
    series = model_for(small).over_time("halfjaar")
    table = rows(series.chart.table)
    assert table["H1 2020"]["klachten"] == "×" and table["H1 2020"]["per_1000"] == "—*"
    assert table["H2 2020"]["klachten"] == "×" and table["H2 2020"]["gesprekken"] == "600"
    points, marks = series.chart.figure.data
    assert list(points.y) == [None, None] and list(marks.text) == ["×", "×"]
    assert "2 van de 2 perioden zijn verborgen" in series.notice.text
    assert series.chart.table.values.get_column("klachten").to_list() == [None, None]  # null, not a number


# --- The funnel plot ------------------------------------------------------------------------------------------


def test_funnel_per_area_leaves_hidden_units_out_and_names_them(dataset):
    funnel = model_for(dataset).funnel()
    assert (funnel.level, funnel.period) == ("gebied", "selectie")
    assert (funnel.shown, funnel.units) == (3, 5)
    assert funnel.left_out == ("Bos en Lommer", "Westerpark")
    assert funnel.captions[0] == "Te zien: 3 van de 5 eenheden met gesprekken, januari 2020 tot en met december 2020."
    assert "Niet in de trechter (2): Bos en Lommer; Westerpark." in rendered_text(funnel.captions[1])
    table = rows(funnel.chart.table)
    assert table["Centrum-West"] == {
        "eenheid": "Centrum-West", "gesprekken": "1.200", "klachten": "10", "per_1000": "8,33",
        "ondergrens": "4,00", "bovengrens": "15,33", "grens_95_boven": "12,95", "grens_998_boven": "16,56",
        "kans_boven_95": "3,3", "trechter": "Binnen de grenzen",
    }
    assert table["Jongeren"]["grens_95_boven"] == "14,92" and table["Jongeren"]["kans_boven_95"] == "5,3"
    hidden = table["Westerpark"]
    assert hidden["klachten"] == "×" and hidden["gesprekken"] == "1.200"
    assert {hidden[c] for c in ("per_1000", "ondergrens", "grens_95_boven", "kans_boven_95", "trechter")} == {"—*"}
    # the figure holds the shown units only: areas as circles, the target group as a diamond
    traces = {t.name: t for t in funnel.chart.figure.data}
    assert list(traces["Gebied"].x) == [1200, 1200] and list(traces["Doelgroep"].x) == [600]
    assert "Westerpark" not in str([t.customdata for t in funnel.chart.figure.data])
    assert funnel.result.kind == "success"


def test_funnel_caption_gives_the_exact_chance_instead_of_one_in_twenty(dataset):
    funnel = model_for(dataset).funnel()
    limits = funnel.chart.captions[1]
    # expected 9,5 (1.200 conversations) and 4,75 (600); chances 3,35% (twice) and 5,30%, together 0,12
    assert "per eenheid verwachten we er hier 4,8 tot 9,5" in limits
    assert "is voor de getoonde eenheden 3,3% tot 5,3% (exact berekend, Poisson)" in limits
    assert "gemiddeld 0,12 van de 3 boven die lijn" in limits
    assert "niet ‘1 op de 20 erbuiten’" in limits
    assert "oplopen tot 21%" not in limits  # only said when less than one complaint is expected
    assert "Boven de stippellijn (99,8%) is die kans 0,1% tot 0,2%" in limits


def test_funnel_per_stadsdeel_and_the_hint_towards_it(dataset):
    model = model_for(dataset)
    districts = model.funnel(level="stadsdeel")
    assert (districts.shown, districts.units, districts.left_out) == (2, 2, ())
    assert rows(districts.chart.table)["West"]["klachten"] == "16"  # shown: its parts DX03 and DX04 are hidden
    assert rows(districts.chart.table)["Centrum"]["per_1000"] == "9,17"  # 22 / 2.400
    # No hint towards the stadsdelen: 2 points there are fewer than the 3 areas shown here.
    assert model.funnel().hint is None and districts.hint is None
    assert model_for(dataset, level="stad").funnel_level == "stadsdeel"


def test_funnel_over_the_whole_data_period_when_the_window_is_shorter(dataset):
    model = model_for(dataset, peildatum=date(2020, 9, 30))
    assert model.funnel_periods == {"selectie": "Gekozen periode", "alles": "Hele looptijd van de data"}
    short, whole = model.funnel("selectie"), model.funnel("alles")
    assert (short.shown, short.units) == (5, 5)  # up to H1 nothing is small (DX04 has 0)
    assert rows(short.chart.table)["Bos en Lommer"]["klachten"] == "0"
    assert whole.window == (date(2020, 1, 1), date(2020, 12, 1))
    assert (whole.shown, whole.units) == (3, 5)
    assert whole.chart.table.file_stem == "klachten_trechter_gebied_alles"
    assert "Per gebied over de gekozen periode" in whole.hint.text and "hierboven ‘Gekozen periode’" in whole.hint.text
    assert model_for(dataset).funnel_periods == {"selectie": "Gekozen periode"}  # the same months: no choice


def test_conspicuously_high_units_are_named():
    # Three areas of 1.200 conversations with 36, 10 and 10 complaints: average 56 / 3.600 × 1.000 = 15,56, so
    # μ = 18,67 each. Poisson(18,67): 99,9% quantile r = 33 (F(33) = 0,999094, F(32) = 0,998300), interpolated
    # L = 33 − (0,999094 − 0,999)/(0,999094 − 0,998300) = 32,881 → 27,40 per 1.000. 36 / 1.200 = 30 lies above.
    # Its 2,5% quantile: r = 11 (F(11) = 0,040520, F(10) = 0,021738), L = 11 − 0,015520/0,018782 = 10,174 →
    # 8,48 per 1.000: 10 / 1.200 = 8,33 lies just below the lower 95% limit.
    units = [["DX01", "Centrum-West", "gebied", "Centrum", datetime(2019, 11, 1), None],
             ["DX02", "Westerpark", "gebied", "West", datetime(2019, 11, 1), None],
             ["DX03", "Bos en Lommer", "gebied", "West", datetime(2019, 11, 1), None]]
    complaints = {"DX01": 36, "DX02": 10, "DX03": 10}
    monthly = [[datetime(2020, m, 1), code, 1000, 100, 20, 10, complaints[code] if m == 1 else 0, 0, 0, 0]
               for m in range(1, 13) for code in complaints]
    funnel = model_for(read_workbook(make_workbook(units, monthly)).dataset).funnel()
    assert funnel.high == ("Centrum-West",)
    assert funnel.result.kind == "warning" and "Centrum-West" in rendered_text(funnel.result.text)
    table = rows(funnel.chart.table)
    assert table["Centrum-West"]["grens_998_boven"] == "27,40"
    assert table["Centrum-West"]["trechter"] == "Opvallend hoog (boven 99,8%-grens)"
    assert table["Westerpark"]["trechter"] == "Laag (onder 95%-grens)"


# --- Categories, released counts and the rule switched off -----------------------------------------------------


def test_categories_hide_a_small_one_and_its_complement(dataset):
    model = model_for(dataset)
    assert rows(model.categories.table) == {
        "Bejegening": {"soort": "Bejegening", "klachten": "30"},
        "Bereikbaarheid": {"soort": "Bereikbaarheid", "klachten": "×"},
        "Koers": {"soort": "Koers", "klachten": "×"},
        "Overig": {"soort": "Overig", "klachten": "0"},
    }
    bars = model.categories.figure.data[0]
    assert list(bars.x) == [30, None, None, 0]  # no bar length for a hidden category
    stadsdeel = model_for(dataset, stadsdelen=("West",))
    assert stadsdeel.categories is None and "alleen voor alle gebieden samen" in stadsdeel.categories_notice.text


def test_released_holds_every_count_the_page_shows_and_none_is_small(dataset):
    for model in (model_for(dataset), model_for(dataset, peildatum=date(2020, 9, 30)),
                  model_for(dataset, units=("DX04", "DX03"))):
        shown = {c.value for c in model.released if c.shown}
        assert not any(c.shown and 1 <= (c.value or 0) <= 4 for c in model.released)
        tables = [s.chart.table for s in model.series if s.chart]
        tables += [f.chart.table for f in model.funnels if f.chart]
        tables += [model.categories.table] if model.categories else []
        for table in tables:
            for column in ("gesprekken", "klachten"):
                if column in table.values.columns:
                    assert set(table.values.get_column(column).drop_nulls().to_list()) <= shown, table.title
        assert all(c.query is not None for c in model.released)
        assert any(c.query.measure == "klachten" and (c.query.first, c.query.last) == model.window
                   for c in model.released)
    full = model_for(dataset)
    queries = {(c.query.measure, c.query.codes) for c in full.released}
    assert ("klachten", frozenset({"DX04"})) in queries  # the hidden unit's count is listed (as hidden)
    assert ("klachten_koers", frozenset({"DX01", "DX02", "DX03", "DX04"})) in queries


def test_rule_switched_off_shows_everything_per_month(dataset):
    model = model_for(dataset, OFF, peildatum=date(2020, 9, 30))
    assert model.window == (date(2020, 1, 1), date(2020, 9, 1))  # months: no rounding to half years
    assert model.notices == ()
    funnel = model.funnel()
    assert funnel.left_out == () and rows(funnel.chart.table)["Bos en Lommer"]["klachten"] == "2"  # July
    assert rows(model.categories.table)["Bereikbaarheid"]["klachten"] == "2"
    assert model.small_numbers is None
    assert rows(model.over_time("halfjaar").chart.table)["H2 2020 (jul–sep)"]["maanden"] == "3"


def test_selection_is_lattice_aligned_for_the_release(dataset):
    # A viewer's selection is whole quarters; the model must not ask the release for anything else.
    selection = Selection(peildatum=date(2020, 12, 31), first_month=date(2020, 4, 1), last_month=date(2020, 12, 1))
    model = complaints_model(PageInput(dataset, selection, DEFAULT_RULE))
    assert model.window == (date(2020, 7, 1), date(2020, 12, 1))  # from the first whole half year
    assert tiles(model)["Klachten"] == "20"


def all_texts(model: ComplaintsModel) -> list[str]:
    """Every text the page shows: tiles, notices, captions, table cells, hover texts."""
    texts = [model.intro, *model.tile_notes, *(n.text for n in (*model.notices, model.context) if n)]
    texts += [text for tile in model.tiles for text in (tile.value, tile.definition)]
    charts = [s.chart for s in model.series if s.chart] + [f.chart for f in model.funnels if f.chart]
    charts += [model.categories] if model.categories else []
    for chart in charts:
        texts += [chart.title, chart.alt, *chart.captions, *chart.table.notes]
        texts += [str(v) for column in chart.table.texts.iter_columns() for v in column.to_list()]
        texts += [str(trace.customdata) for trace in chart.figure.data if trace.customdata is not None]
    for funnel in model.funnels:
        texts += [*funnel.captions, *(n.text for n in (funnel.result, funnel.hint) if n)]
    texts += [n.text for n in (model.categories_notice, model.small_numbers, *(s.notice for s in model.series)) if n]
    return texts


@pytest.mark.parametrize("changes", [
    {}, {"peildatum": date(2020, 9, 30)}, {"last_month": date(2020, 3, 1)}, {"units": ("DX04",)},
    {"stadsdelen": ("West",), "level": "stadsdeel"}, {"include_target_groups": False, "level": "stad"},
])
def test_no_text_reads_none_or_nan(dataset, changes):
    for rule in (DEFAULT_RULE, OFF):
        for text in all_texts(model_for(dataset, rule, **changes)):
            assert not any(word in text for word in ("None", "nan", "null", "NaN")), text
