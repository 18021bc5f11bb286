"""The documentation stays true to the code: docs/data-contract.md lists exactly the contract's sheets and columns,
each with its required/optional flag (in the spirit of datasette's test_docs)."""

import re
from datetime import date

import polars as pl
import pytest

from cohort.contract import (
    MONTHLY_COLUMNS,
    NOTE_KEYS,
    SHEET_MONTHLY,
    SHEET_NOTES,
    SHEET_UNITS,
    UNIT_COLUMNS,
)
from cohort.dataset import Dataset, DatasetMeta
from cohort.pagemodels.docs_text import (
    CONTRACT_DOC_PATH,
    DEFINITIONS,
    KIND_LABELS,
    OPTIONAL_LABEL,
    REQUIRED_LABEL,
    contract_table,
    dataset_facts,
    methods_markdown,
    notes_table,
)

SHEETS = {SHEET_UNITS: UNIT_COLUMNS, SHEET_MONTHLY: MONTHLY_COLUMNS}
ROW = re.compile(r"^\|\s*`(?P<name>[a-z_]+)`\s*\|(?P<cells>.*)\|\s*$")


def _doc_sections() -> dict[str, str]:
    """Text under each '## Blad `name`' heading."""
    text = CONTRACT_DOC_PATH.read_text(encoding="utf-8")
    sections: dict[str, str] = {}
    for match in re.finditer(r"^## Blad `([a-z_]+)`.*?$(.*?)(?=^## |\Z)", text, flags=re.M | re.S):
        sections[match.group(1)] = match.group(2)
    return sections


def _documented_columns(section: str) -> dict[str, list[str]]:
    rows = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group("name")] = [c.strip() for c in match.group("cells").split("|")]
    return rows


def test_every_sheet_is_documented():
    sections = _doc_sections()
    assert set(sections) == {SHEET_UNITS, SHEET_MONTHLY, SHEET_NOTES}


@pytest.mark.parametrize("sheet", list(SHEETS))
def test_every_column_documented_with_flag_and_type(sheet):
    documented = _documented_columns(_doc_sections()[sheet])
    columns = SHEETS[sheet]
    assert list(documented) == [c.name for c in columns], "same columns, same order as cohort.contract"
    for column in columns:
        kind, flag, label, description = documented[column.name]
        assert flag == (REQUIRED_LABEL if column.required else OPTIONAL_LABEL), column.name
        assert kind == KIND_LABELS[column.kind], column.name
        assert label == column.label
        assert description == column.description


def test_no_undocumented_or_unknown_columns_anywhere():
    text = CONTRACT_DOC_PATH.read_text(encoding="utf-8")
    known = {c.name for cols in SHEETS.values() for c in cols} | set(NOTE_KEYS)
    table_names = set(re.findall(r"^\|\s*`([a-z_]+)`", text, flags=re.M))
    assert table_names <= known, f"documented but not in the contract: {sorted(table_names - known)}"
    assert known <= table_names, f"in the contract but not documented: {sorted(known - table_names)}"


def test_note_keys_documented():
    documented = _documented_columns(_doc_sections()[SHEET_NOTES])
    assert list(documented) == list(NOTE_KEYS)


def test_contract_table_matches_contract():
    table = contract_table()
    assert table.height == len(UNIT_COLUMNS) + len(MONTHLY_COLUMNS)
    assert table.columns == ["blad", "kolom", "type", "verplicht", "label", "omschrijving"]
    first = table.row(0, named=True)
    assert first == {"blad": "eenheden", "kolom": "code", "type": "tekst", "verplicht": "verplicht",
                     "label": "Code", "omschrijving": UNIT_COLUMNS[0].description}
    optional = table.filter(table["verplicht"] == "optioneel").get_column("kolom").to_list()
    assert "stadsdeel" in optional and "buurtteam" in optional and "gesprekken" not in optional


def test_definitions_cover_every_indicator():
    terms = " ".join(d.term for d in DEFINITIONS).lower()
    for word in ("status", "in cohort", "vergelijking", "uitstroom naar werk per 1.000", "klachten per 1.000",
                 "verhouding", "verschil-in-verschillen"):
        assert word in terms


def test_methods_markdown_drops_title_only():
    text = methods_markdown()
    assert not text.startswith("# ")
    assert "\n#### 3. De trechterplot" in text and "\n#### 7. Kleine aantallen" in text


def test_dataset_facts_and_notes():
    units = pl.DataFrame({"code": ["DX01", "DG01"], "naam": ["A", "B"], "soort": ["gebied", "doelgroep"],
                          "stadsdeel": ["Centrum", None], "start": [None, None], "eind": [None, None]},
                         schema={"code": pl.String, "naam": pl.String, "soort": pl.String, "stadsdeel": pl.String,
                                 "start": pl.Date, "eind": pl.Date})
    monthly = pl.DataFrame({"maand": [date(2020, 1, 1), date(2020, 3, 1)], "code": ["DX01", "DX01"]})
    meta = DatasetMeta(name="Test", source="WPI", is_example=True,
                       notes={"zelf": "eigen sleutel", "bron": "WPI", "voorbeelddata": "ja"})
    facts = dict(dataset_facts(Dataset(units, monthly, meta)))
    assert facts["Naam"] == "Test" and facts["Bron"] == "WPI"
    assert facts["Voorbeelddata"].startswith("ja")
    assert (facts["Gebieden"], facts["Stedelijke doelgroepen"], facts["Maanden"]) == ("1", "1", "2")
    assert (facts["Eerste maand"], facts["Laatste maand"]) == ("januari 2020", "maart 2020")
    notes = notes_table(Dataset(units, monthly, meta))
    assert notes.get_column("sleutel").to_list() == ["bron", "voorbeelddata", "zelf"]  # known keys first
