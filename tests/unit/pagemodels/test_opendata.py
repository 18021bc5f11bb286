"""Open-data zips (issue 17): per view and for the whole dataset, read back as a downloader would.

The zips are built from page models and the release only. Read back, every hidden count is its sign and an
empty number, never a value; and the attacker of tests/attacker.py (an integer programme over the monthly data),
given everything in the zips, cannot pin down any count of 1 to 4.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import polars as pl
import pytest
from attacker import Attacker, collect_counts, edited
from test_attacker import latent_targets

from cohort.dataset import Dataset
from cohort.pagemodels import build
from cohort.pagemodels.common import PageInput
from cohort.pagemodels.map import area_panel
from cohort.pagemodels.opendata import LICENCE, dataset_bundle, tables_of, view_bundle
from cohort.pagemodels.rollout import unit_table, view_parts
from cohort.privacy.release import Count, Query, release_for
from cohort.privacy.rules import HIDDEN_RATE_TEXT, PROTECTED_TEXT, SuppressionRule
from cohort.selection import default_selection
from cohort.workbook.bundle import bundle_numbers

RULE = SuppressionRule()
MOMENT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def small(example: Dataset) -> Dataset:
    """The example data with small counts where the audited leaks used them (as tests/unit/privacy/test_attacker.py)."""
    return edited(example, {
        ("DX05", date(2020, 1, 1), "uitstroom_werk"): 0,
        ("DX05", date(2020, 2, 1), "uitstroom_werk"): 2,
        ("DX05", date(2020, 3, 1), "uitstroom_werk"): 1,
        ("DX11", date(2021, 6, 1), "klachten_bejegening"): 2,
        ("DX21", date(2019, 11, 1), "uitstroom_werk"): 4,
    })


@pytest.fixture(scope="module")
def page_input(small: Dataset) -> PageInput:
    return PageInput(small, default_selection(small), RULE)


def gebieden_zip(page_input: PageInput) -> bytes:
    """The Gebieden view's zip as its button makes it: the timeline's table and the whole unit table (the page
    shows it 50 rows at a time), with every count they rest on."""
    model = build("gebieden", page_input)
    shown, counts = view_parts(model, unit_table(page_input, model))
    return view_bundle(page_input, "gebieden", model, shown=shown, counts=counts, generated_at=MOMENT)


@pytest.fixture(scope="module")
def zips(page_input: PageInput) -> dict[str, bytes]:
    out = {"gebieden": gebieden_zip(page_input),
           "overzicht": view_bundle(page_input, "overzicht", build("overzicht", page_input), generated_at=MOMENT)}
    # The Kaart page builds the colouring shown (here complaints against the city) when it is chosen: its view
    # zip holds that one's table and the map's counts, as the page's button makes it.
    kaart = build("kaart", page_input)
    shown = kaart.shown_tables(kaart.colouring("klachten", "stad"), None)
    out["kaart"] = view_bundle(page_input, "kaart", kaart, shown=shown, counts=kaart.shown_counts(None),
                               generated_at=MOMENT)
    out["dataset"] = dataset_bundle(page_input, generated_at=MOMENT)
    return out


def read(bundle: bytes, name: str, kind: str = "parquet") -> pl.DataFrame:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        content = archive.read(f"{name}.{kind}")
    if kind == "parquet":
        return pl.read_parquet(io.BytesIO(content))
    return pl.read_csv(io.BytesIO(content), separator=";", infer_schema=False)


def counts_from(bundle: bytes) -> list[Count]:
    """The counts a downloader reads from the zip's `tellingen`, each as the equation it is."""
    frame = read(bundle, "tellingen")
    counts = []
    for row in frame.iter_rows(named=True):
        query = Query(row["maat"], frozenset(row["eenheden"].split(",")), row["eerste_maand"], row["laatste_maand"],
                      row["fase"], row["stand"])
        counts.append(Count(None, "hidden", query) if row["aantal_verborgen"] else
                      Count(row["aantal"], "shown", query))
    return counts


def test_every_hidden_count_of_the_view_reads_as_its_sign_in_the_zip(page_input, zips):
    model = build("kaart", page_input)
    hidden = {c.query for c in collect_counts(model) if c.hidden and c.query is not None}
    assert hidden, "the edited data have small counts, so the map hides some"
    frame = read(zips["kaart"], "tellingen")
    text = read(zips["kaart"], "tellingen", "csv")
    assert frame.height == text.height
    for (row, csv_row) in zip(frame.iter_rows(named=True), text.iter_rows(named=True), strict=True):
        query = Query(row["maat"], frozenset(row["eenheden"].split(",")), row["eerste_maand"], row["laatste_maand"],
                      row["fase"], row["stand"])
        if query in hidden:
            assert (row["aantal"], row["aantal_tekst"], row["aantal_verborgen"]) == (None, PROTECTED_TEXT, True)
            assert csv_row["aantal"] is None and csv_row["aantal_tekst"] == PROTECTED_TEXT
    assert {c.query for c in counts_from(zips["kaart"]) if c.hidden} == hidden
    # In the view's own tables a hidden cell is empty with its sign beside it, in Parquet and CSV alike.
    table = read(zips["kaart"], "kaart_klachten_stad_95")
    flagged = table.filter(pl.col("waarde_verborgen"))
    assert flagged.height and flagged["waarde"].null_count() == flagged.height
    assert set(flagged["waarde_tekst"]) <= {PROTECTED_TEXT, HIDDEN_RATE_TEXT}
    assert set(table.filter(pl.col("waarde_tekst") == HIDDEN_RATE_TEXT)["klasse"]) == {HIDDEN_RATE_TEXT}


def test_no_true_small_value_sits_in_the_row_of_a_hidden_cell(small, zips):
    """Every number in the dataset zip's row of a hidden cell is one of its identifiers, never its value."""
    release = release_for(small, RULE)
    hidden_small = {(cell.measure, cell.level, cell.period, cell.phase): cell.value
                    for cell, count in release.published() if count.hidden}
    assert any(1 <= v <= 4 for v in hidden_small.values())
    numbers = bundle_numbers(zips["dataset"])
    frame = read(zips["dataset"], "tellingen")
    hidden_rows = frame.with_row_index("row").filter(pl.col("aantal_verborgen"))["row"].to_list()
    in_hidden_rows = numbers.filter(pl.col("table") == "tellingen", pl.col("row").is_in(hidden_rows))
    assert in_hidden_rows.filter(pl.col("column").is_in(["aantal", "aantal_tekst"])).is_empty()


def test_a_view_zip_holds_the_tables_the_view_shows(page_input):
    model = build("kaart", page_input)
    colouring = model.colouring("klachten", "stad")
    panel = area_panel(page_input, model, "DX21")
    shown = model.shown_tables(colouring, panel)
    bundle = view_bundle(page_input, "Kaart", model, shown=shown, counts=model.shown_counts(panel),
                         generated_at=MOMENT)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        tables = [t["naam"] for t in json.loads(archive.read("metadata.json"))["tabellen"]]
    assert tables == ["kaart_klachten_stad_95", "kaart_doelgroepen", "verloop_dx21", "tellingen"]
    frame = read(bundle, "kaart_klachten_stad_95")
    assert frame.columns == ["code", "naam", "stadsdeel", "status", "periode", "waarde", "waarde_tekst",
                             "waarde_verborgen", "maatstaf", "maatstaf_tekst", "maatstaf_verborgen", "klasse"]
    assert frame["waarde_tekst"].to_list() == colouring.table.texts["waarde"].to_list()
    # 'tellingen': the map's counts and the shown panel's (its series per quarter), no other unit's series.
    counts = read(bundle, "tellingen").filter(pl.col("maat") == "uitstroom_werk", pl.col("fase") == "alle")
    quarters = counts.filter(pl.col("eerste_maand").dt.offset_by("2mo") == pl.col("laatste_maand"))
    assert set(quarters["eenheden"]) == {"DX21"}  # only the shown panel has a series per quarter
    assert quarters.height == panel.chart.table.height


def test_metadata_says_what_a_reuser_needs(page_input, zips):
    with zipfile.ZipFile(io.BytesIO(zips["kaart"])) as archive:
        metadata = json.loads(archive.read("metadata.json"))
        readme = archive.read("README.txt").decode("utf-8")
        names = archive.namelist()
    assert metadata["licentie"] == LICENCE == "CC BY 4.0, Gemeente Amsterdam"
    assert metadata["dataset"]["versie"] == page_input.dataset.meta.version and metadata["dataset"]["voorbeelddata"]
    assert metadata["peildatum"] == "2021-06-30"
    assert metadata["gegenereerd"] == "2026-12-01T13:00:00+01:00"
    assert metadata["geheimhouding"]["tekens"][PROTECTED_TEXT].startswith("verborgen")
    assert PROTECTED_TEXT in metadata["geheimhouding"]["regel"] and "vergelijking of trend" in \
        metadata["geheimhouding"]["regel"]
    assert any("Spiegelhalter" in note for note in metadata["methoden"])
    assert all(column["definitie"] for table in metadata["tabellen"] for column in table["kolommen"])
    # The tables shown (the chosen colouring first), then the counts.
    tables = [t["naam"] for t in metadata["tabellen"]]
    assert tables[0] == "kaart_klachten_stad_95" and tables[-1] == "tellingen"
    # Without a choice of tables: every table of the model, then the counts.
    overview = view_bundle(page_input, "overzicht", build("overzicht", page_input), generated_at=MOMENT)
    with zipfile.ZipFile(io.BytesIO(overview)) as archive:
        overview_tables = [t["naam"] for t in json.loads(archive.read("metadata.json"))["tabellen"]]
    every = [t.file_stem for t in tables_of(build("overzicht", page_input))]
    assert every and overview_tables == [*dict.fromkeys(every), "tellingen"]
    # Gebieden: the timeline and the whole unit table, whatever page of it is shown.
    with zipfile.ZipFile(io.BytesIO(zips["gebieden"])) as archive:
        rollout = json.loads(archive.read("metadata.json"))["tabellen"]
        units = pl.read_parquet(io.BytesIO(archive.read("eenheden_op_peildatum.parquet")))
    assert [t["naam"] for t in rollout] == ["uitrol_per_gebied", "eenheden_op_peildatum", "tellingen"]
    assert units.height == page_input.units.height
    assert "README.txt" in names and "tellingen.parquet" in names and "tellingen.csv" in names
    assert "Licentie: CC BY 4.0, Gemeente Amsterdam" in readme and "Peildatum: 30 juni 2021" in readme


def test_the_whole_dataset_is_published_with_hiding_on_even_for_an_evaluator_who_switched_it_off(small):
    evaluator = PageInput(small, default_selection(small), SuppressionRule(enabled=False))
    frame = read(dataset_bundle(evaluator, generated_at=MOMENT), "tellingen")
    assert frame["aantal_verborgen"].sum() > 0
    viewer = read(dataset_bundle(PageInput(small, default_selection(small), RULE), generated_at=MOMENT), "tellingen")
    assert frame.equals(viewer)
    # A view's zip follows the view: with hiding off it says so in the README.
    off = view_bundle(evaluator, "Gebieden", build("gebieden", evaluator), generated_at=MOMENT)
    with zipfile.ZipFile(io.BytesIO(off)) as archive:
        assert "kleine aantallen worden in deze weergave níet verborgen" in archive.read(
            "README.txt").decode("utf-8")


def test_nothing_in_the_zips_pins_down_a_small_count(small, zips):
    """The attacker gets every count of the three view zips, of the same views for a filtered selection, and of
    the dataset zip, and asks for each count of 1 to 4 (hidden counts, monthly cells, never-published cells)
    whether it can take only one value."""
    filtered = PageInput(small, replace(default_selection(small), stadsdelen=("Centrum", "West")), RULE)
    bundles = [*zips.values(), view_bundle(filtered, "kaart", build("kaart", filtered), generated_at=MOMENT),
               gebieden_zip(filtered)]
    counts = [count for bundle in bundles for count in counts_from(bundle)]
    shown = [c for c in counts if c.shown]
    hidden = [c for c in counts if c.hidden]
    assert hidden and len(shown) > 30_000
    attacker = Attacker(small)
    assert attacker.leaks(shown, hidden, extra_targets=latent_targets(release_for(small, RULE), attacker)) == []
