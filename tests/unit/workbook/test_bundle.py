"""The open-data bundle: read the zip back (CSV and Parquet equal, metadata complete, README) and find no hidden count.

The tables are protected with the real privacy functions, as the page models will do: area DX02 has 3 complaints,
so its count and rate are hidden; the bundle must carry neither, nor anything computed from them.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cohort.analysis.comparison import COMPLAINTS, METHOD_NL, Benchmark, compare_to_rate
from cohort.contract import UNIT_COLUMNS
from cohort.privacy.rules import SuppressionRule, suppress_counts, suppress_rates
from cohort.workbook.bundle import (
    BundleError,
    BundleMetadata,
    build_bundle,
    bundle_numbers,
    numbers_in_text,
)
from cohort.workbook.exports import neutralise_frame

RAW = pl.DataFrame(
    {
        "code": ["DX01", "DX02", "DX03", "DX04"],
        "naam": ["Centrum-West", "=HYPERLINK(\"https://evil/\";\"klik\")", "Noord-Oost", "Zuid"],
        "stadsdeel": ["Centrum", "Centrum", "Noord", "Zuid"],
        "start": [date(2019, 9, 1), date(2020, 1, 1), None, date(2021, 3, 1)],
        "gesprekken": [5000, 1400, 0, 10000],
        "klachten": [22, 3, 0, 7],
    }
)
HIDDEN_RAW_COUNT = 3
HIDDEN_RAW_RATE = 3 / 1400 * 1000  # 2,142857…

DEFINITIONS = {
    "gesprekken": "Gevoerde cohortgesprekken in de periode.",
    "klachten": "Klachten (alle soorten) over gesprekken in de periode.",
    "klachten_per_1000": "Klachten per 1.000 gesprekken in de periode.",
    "class": "Vergelijking met het stedelijk gemiddelde: hoger, lager, niet te onderscheiden, verborgen of geen "
    "gegevens.",
    "level": "Hoogste betrouwbaarheidsniveau waarop het verschil standhoudt (0,95 of 0,998).",
    "colour": "Kleur op de kaart (hex).",
    "text": "Uitleg van de vergelijking.",
}


def _protected() -> dict[str, pl.DataFrame]:
    counts = suppress_counts(RAW, ["klachten"])
    rated = suppress_rates(
        counts.with_columns((pl.col("klachten") / pl.col("gesprekken") * 1000).alias("klachten_per_1000")),
        "klachten", ["klachten_per_1000"], hidden_column="klachten_verborgen",
    )
    comparison = compare_to_rate(
        rated.select("code", pl.col("klachten").alias("events"), pl.col("gesprekken").alias("exposure"),
                     pl.col("klachten_verborgen").alias("hidden")),
        COMPLAINTS, Benchmark.CITY, 2.0,
    ).select("code", "class", "level", "colour", "text")
    gebieden = rated.select(
        "code", "naam", "stadsdeel", "start", "gesprekken", "klachten", "klachten_tekst", "klachten_verborgen",
        "klachten_per_1000",
    ).join(comparison, on="code", how="left", maintain_order="left")
    return {"gebieden": gebieden, "stadsdelen": pl.DataFrame({"stadsdeel": ["Centrum", "Noord", "Zuid"],
                                                                 "gesprekken": [6400, 0, 10000]})}


def _metadata(**changes) -> BundleMetadata:
    fields = {
        "title": "Cohortmonitor – Gebieden",
        "dataset_id": "3fa9c0de",
        "version": "",
        "peildatum": date(2021, 6, 30),
        "licence": "CC BY 4.0; bron: Gemeente Amsterdam, Cohortmonitor",
        "source": "Werk, Participatie en Inkomen (voorbeeld)",
        "is_example": True,
        "column_definitions": DEFINITIONS,
        "method_notes": (METHOD_NL,),
        "generated_at": datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
    }
    fields.update(changes)
    return BundleMetadata(**fields)


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return _protected()


@pytest.fixture(scope="module")
def bundle(tables) -> bytes:
    return build_bundle(tables, _metadata())


def _open(bundle: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(bundle))


def test_the_zip_holds_readme_metadata_and_each_table_twice(bundle: bytes) -> None:
    assert _open(bundle).namelist() == [
        "README.txt", "metadata.json", "gebieden.csv", "gebieden.parquet", "stadsdelen.csv", "stadsdelen.parquet",
    ]


def test_parquet_is_the_table_as_given_and_csv_the_same_table_neutralised(bundle: bytes, tables) -> None:
    archive = _open(bundle)
    for name, frame in tables.items():
        parquet = pl.read_parquet(io.BytesIO(archive.read(f"{name}.parquet")))
        assert_frame_equal(parquet, frame)
        raw_csv = archive.read(f"{name}.csv")
        assert raw_csv.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 ("ë", "–", "×") correctly
        csv = pl.read_csv(io.BytesIO(raw_csv), separator=";", decimal_comma=True, schema=frame.schema)
        assert_frame_equal(csv, neutralise_frame(frame))
    csv_text = archive.read("gebieden.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text  # no formula for Excel …
    assert pl.read_parquet(io.BytesIO(archive.read("gebieden.parquet"))).get_column("naam")[1].startswith("=HYP")


def test_metadata_is_complete_and_defines_every_column(bundle: bytes, tables) -> None:
    metadata = json.loads(_open(bundle).read("metadata.json"))
    assert metadata["dataset"] == {"id": "3fa9c0de", "versie": "", "bron": "Werk, Participatie en Inkomen (voorbeeld)",
                                   "voorbeelddata": True}
    assert metadata["peildatum"] == "2021-06-30"
    assert metadata["gegenereerd"] == "2026-07-01T14:00:00+02:00"  # 12:00 UTC is 14:00 summer time in Amsterdam
    assert metadata["licentie"] == "CC BY 4.0; bron: Gemeente Amsterdam, Cohortmonitor"
    assert metadata["methoden"] == [METHOD_NL]
    suppression = metadata["geheimhouding"]
    assert suppression["actief"] is True and suppression["drempel"] == 5
    assert set(suppression["tekens"]) == {"—", "<5", "×", "—*", "(leeg)"}
    assert "1 tot en met 4" in suppression["regel"]
    assert metadata["csv"]["scheidingsteken"] == ";" and metadata["csv"]["decimaalteken"] == ","
    described = {t["naam"]: {c["naam"]: c for c in t["kolommen"]} for t in metadata["tabellen"]}
    for name, frame in tables.items():
        assert list(described[name]) == frame.columns
        assert all(column["definitie"].strip() for column in described[name].values())
    gebieden = described["gebieden"]
    contract = {c.name: c.description for c in UNIT_COLUMNS}
    for column in ("code", "naam", "stadsdeel", "start"):
        assert gebieden[column]["definitie"] == contract[column]  # the unit sheet's wording for `code`
    assert gebieden["klachten"]["definitie"] == DEFINITIONS["klachten"]
    assert gebieden["klachten_tekst"]["definitie"].startswith("‘klachten’ als tekst")
    assert gebieden["klachten_verborgen"]["definitie"].startswith("Waar als ‘klachten’ verborgen is")
    assert (gebieden["gesprekken"]["type"], gebieden["klachten_per_1000"]["type"]) == ("geheel getal", "getal")
    assert gebieden["start"]["type"] == "datum" and gebieden["klachten_verborgen"]["type"] == "waar/onwaar"


def test_generation_time_carries_the_amsterdam_offset_in_winter_too(tables) -> None:
    winter = datetime(2026, 1, 15, 9, 30, tzinfo=timezone(timedelta(hours=-5)))  # 14:30 UTC
    metadata = json.loads(_open(build_bundle(tables, _metadata(generated_at=winter))).read("metadata.json"))
    assert metadata["gegenereerd"] == "2026-01-15T15:30:00+01:00"
    with pytest.raises(BundleError, match="geen tijdzone"):
        build_bundle(tables, _metadata(generated_at=datetime(2026, 1, 15, 9, 30)))
    now = json.loads(_open(build_bundle(tables, _metadata(generated_at=None))).read("metadata.json"))
    assert now["gegenereerd"][-6:] in ("+01:00", "+02:00")


def test_readme_is_short_dutch_and_says_what_matters(bundle: bytes) -> None:
    readme = _open(bundle).read("README.txt").decode("utf-8")
    assert readme.startswith("Cohortmonitor – Gebieden\r\n")
    for expected in (
        "LET OP: dit zijn illustratieve voorbeeldgegevens",
        "Peildatum: 30 juni 2021",
        "Gemaakt: 1 juli 2026 om 14:00 (Nederlandse tijd)",
        "Licentie: CC BY 4.0",
        "gebieden.csv en gebieden.parquet",
        "1 tot en met 4",
        "read.csv2",
        "Hoe we vergelijken",
    ):
        assert expected in readme, expected
    assert len(readme.splitlines()) < 60


def test_same_input_same_bytes(tables) -> None:
    assert build_bundle(tables, _metadata()) == build_bundle(tables, _metadata())


def test_a_column_without_definition_is_an_error_listing_all_of_them(tables) -> None:
    extra = {**tables, "extra": pl.DataFrame({"code": ["DX01"], "raadsel": [1], "nog_een": ["x"]})}
    with pytest.raises(BundleError) as error:
        build_bundle(extra, _metadata())
    message = str(error.value)
    assert "tabel ‘extra’, kolom ‘raadsel’: geen definitie" in message
    assert "tabel ‘extra’, kolom ‘nog_een’: geen definitie" in message
    assert "gebieden" not in message
    # A per-table definition is enough, and wins over the shared one.
    defined = _metadata(column_definitions={**DEFINITIONS, "extra.raadsel": "Een getal.", "nog_een": "Tekst."})
    metadata = json.loads(_open(build_bundle(extra, defined)).read("metadata.json"))
    columns = {c["naam"]: c["definitie"] for c in metadata["tabellen"][2]["kolommen"]}
    assert columns == {"code": next(c.description for c in UNIT_COLUMNS if c.name == "code"),
                       "raadsel": "Een getal.", "nog_een": "Tekst."}


@pytest.mark.parametrize(
    ("tables", "changes", "message"),
    [
        ({"../gebieden": pl.DataFrame({"code": ["A"]})}, {}, "tabelnaam ‘../gebieden’"),
        ({"lijst": pl.DataFrame({"code": [["A", "B"]]})}, {}, "geneste waarden"),
        ({}, {}, "minstens één tabel"),
        ({"t": pl.DataFrame({"code": ["A"]})}, {"licence": " "}, "licentieregel"),
        ({"t": pl.DataFrame({"code": ["A"]})}, {"dataset_id": None, "version": ""}, "dataset-id of de versie"),
    ],
)
def test_bad_bundles_get_a_dutch_message(tables, changes, message) -> None:
    with pytest.raises(BundleError, match=message.replace(".", r"\.")):
        build_bundle(tables, _metadata(**changes))


def test_switched_off_hiding_is_stated(tables) -> None:
    bundle = build_bundle(tables, _metadata(rule=SuppressionRule(enabled=False)))
    metadata = json.loads(_open(bundle).read("metadata.json"))
    assert metadata["geheimhouding"]["actief"] is False
    assert "níet verborgen" in _open(bundle).read("README.txt").decode("utf-8")


# --- the bundle adds no number and carries no hidden count -------------------------------------------------------


def test_numbers_in_dutch_text() -> None:
    assert numbers_in_text("13.024 gesprekken, 0,23% en <5") == [13024.0, 0.23, 5.0]
    assert numbers_in_text("daalde -3,2% (95%-interval −6,7% tot +1,0%)") == [-3.2, 95.0, -6.7, 1.0]
    assert numbers_in_text("DX01 in K2 2021, kolom per_1000") == [2021.0]
    assert numbers_in_text("2,00×; 1.234.567") == [2.0, 1234567.0]


def _input_numbers(tables) -> list[tuple]:
    found = []
    for name, frame in tables.items():
        for column, dtype in frame.schema.items():
            for row, value in enumerate(frame.get_column(column).to_list()):
                if value is None or value != value:  # null, or NaN (0/0): no number
                    continue
                if dtype.is_numeric():
                    found.append((name, row, column, float(value)))
                elif dtype == pl.String:
                    found += [(name, row, column, number) for number in numbers_in_text(value)]
    return sorted(found)


def test_every_number_in_the_data_files_is_a_number_of_the_tables_given(bundle: bytes, tables) -> None:
    numbers = bundle_numbers(bundle)
    expected = _input_numbers(tables)
    for suffix in (".csv", ".parquet"):
        found = numbers.filter(pl.col("file").str.ends_with(suffix)).select("table", "row", "column", "value")
        assert sorted(found.rows()) == expected, suffix  # exact: CSV floats are written to round-trip


def test_no_hidden_count_anywhere_in_the_row_of_the_hidden_area(bundle: bytes, tables) -> None:
    hidden_row = tables["gebieden"].get_column("code").to_list().index("DX02")
    numbers = bundle_numbers(bundle)
    row_numbers = numbers.filter((pl.col("table") == "gebieden") & (pl.col("row") == hidden_row))
    values = row_numbers.get_column("value").to_list()
    assert HIDDEN_RAW_COUNT not in values
    assert all(abs(v - HIDDEN_RAW_RATE) > 0.005 for v in values)  # not even rounded to two decimals
    # What the row does show: the conversations, the sign "<5", and nothing derived from the hidden count.
    by_column = {c: sorted(g.get_column("value").to_list()) for (c,), g in row_numbers.group_by("column")}
    assert by_column == {"gesprekken": [1400.0, 1400.0], "klachten_tekst": [5.0, 5.0]}
    row = tables["gebieden"].row(hidden_row, named=True)
    assert (row["class"], row["klachten"], row["klachten_per_1000"]) == ("verborgen", None, None)
    # Everything outside the tables: metadata and README hold rule parameters, dates and ids, never 3.
    outside = numbers.filter(pl.col("table").is_null())
    assert HIDDEN_RAW_COUNT not in outside.filter(pl.col("column") != "$.gegenereerd").get_column("value").to_list()
