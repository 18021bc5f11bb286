"""An open-data bundle: the protected tables of a view, or of the whole dataset as published, in one zip.

Contents: every table as CSV and as Parquet, ``metadata.json`` (dataset id and version, peildatum, a definition
of every column, the suppression signs and rule, method notes, the licence line, the generation time) and a
short Dutch ``README.txt``. What a viewer downloads must obey the same disclosure control as what the viewer
sees, so this module only serialises: the tables come in already protected (by the page model) and no number
is computed here. `bundle_numbers` lists every number in a bundle for tests that attack it.

CSV dialect: the one of every other CSV download in the app (`exports.frame_to_csv_bytes`): UTF-8 *with* BOM,
``;`` between fields and a decimal comma, because the people who open these files double-click them in Dutch
Excel, which without a BOM shows "beëindigd" as "beÃ«indigd" and with a comma separator puts each row in one
cell. Text that would start a formula gets an apostrophe (OWASP). Machines get the Parquet file: exact types
and values, text as it is. The README says how to read either in Python and R.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from cohort.contract import MONTHLY_COLUMNS, UNIT_COLUMNS
from cohort.fmt import MISSING, fmt_date
from cohort.privacy.rules import (
    DEFAULT_RULE,
    HIDDEN_RATE_TEXT,
    HIDDEN_SUFFIX,
    PROTECTED_TEXT,
    TEXT_SUFFIX,
    SuppressionRule,
    small_number_note_nl,
)
from cohort.workbook.exports import FORMULA_TRIGGERS, frame_to_csv_bytes

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Contract descriptions; where a name is on both sheets (`code`) the unit sheet's wins: it describes the unit,
# the monthly sheet's says how the upload refers to it.
CONTRACT_DESCRIPTIONS: dict[str, str] = {}
for _column in UNIT_COLUMNS + MONTHLY_COLUMNS:
    CONTRACT_DESCRIPTIONS.setdefault(_column.name, _column.description)
README_NAME = "README.txt"
METADATA_NAME = "metadata.json"
TABLE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")  # safe as a file name on every system, no paths
NESTED_TYPES = (pl.List, pl.Array, pl.Struct, pl.Object)
CSV_DIALECT: dict[str, str] = {
    "codering": "UTF-8 met BOM",
    "scheidingsteken": ";",
    "decimaalteken": ",",
    "regeleinde": "CRLF",
    "datumnotatie": "JJJJ-MM-DD",
    "leeg": "een leeg veld is een verborgen of ontbrekend getal (in Parquet: null)",
    "formules": "tekst die met =, +, -, @, tab of CR begint, staat er met een apostrof voor (geen Excel-formule); "
    "in Parquet staat de tekst zoals hij is",
}
TYPE_LABELS: dict[type[pl.DataType], str] = {
    pl.Int8: "geheel getal", pl.Int16: "geheel getal", pl.Int32: "geheel getal", pl.Int64: "geheel getal",
    pl.UInt8: "geheel getal", pl.UInt16: "geheel getal", pl.UInt32: "geheel getal", pl.UInt64: "geheel getal",
    pl.Float32: "getal", pl.Float64: "getal", pl.Decimal: "getal", pl.String: "tekst", pl.Categorical: "tekst",
    pl.Enum: "tekst", pl.Boolean: "waar/onwaar", pl.Date: "datum", pl.Datetime: "datum en tijd",
}


@dataclass(frozen=True)
class BundleMetadata:
    """What the bundle says about itself. `column_definitions` (Dutch) is keyed by column, or by
    ``"table.column"`` for a column whose meaning differs per table; a definition given here wins over the
    contract's (a contract column summed over a period means something else than in the upload)."""

    title: str  # "Cohortmonitor – Gebieden"
    dataset_id: str | None  # the content hash of a published dataset; None for the bundled example
    version: str  # the dataset's version (for data without an id); "" when the id says it all
    peildatum: date
    licence: str  # one line, e.g. the licence and how to cite
    source: str = ""
    description: str = ""
    is_example: bool = False
    rule: SuppressionRule = DEFAULT_RULE
    column_definitions: Mapping[str, str] = field(default_factory=dict)
    method_notes: Sequence[str] = ()
    generated_at: datetime | None = None  # timezone-aware; None = now
    signs_note: str = ""  # the legend of the signs as the pages write it; "" = the rule's generic note


class BundleError(ValueError):
    """A bundle cannot be built from these tables (the message is Dutch and names table and column)."""


def build_bundle(tables: Mapping[str, pl.DataFrame], metadata: BundleMetadata) -> bytes:
    """The zip: README.txt, metadata.json, then per table ``<name>.csv`` and ``<name>.parquet``, in that order.

    The same input (including `generated_at`) gives the same bytes. Raises `BundleError` for a table name that
    is not a safe file name, a nested column, or a column without a definition (all of them listed at once).
    """
    if not tables:
        raise BundleError("Een databundel heeft minstens één tabel nodig.")
    if not (metadata.dataset_id or metadata.version):
        raise BundleError("Geef de dataset-id of de versie van de gegevens: zonder is de bundel niet te herleiden.")
    if not metadata.licence.strip():
        raise BundleError("Geef een licentieregel: zonder weet een hergebruiker niet wat mag.")
    generated = _amsterdam_time(metadata.generated_at)
    descriptions = _column_descriptions(tables, metadata)
    files: list[tuple[str, bytes]] = [
        (README_NAME, _readme(tables, metadata, generated).encode("utf-8")),
        (METADATA_NAME, _metadata_json(tables, metadata, generated, descriptions).encode("utf-8")),
    ]
    for name, frame in tables.items():
        files.append((f"{name}.csv", frame_to_csv_bytes(frame)))
        buffer = io.BytesIO()
        # No column statistics: then every number in the file is a cell, which `bundle_numbers` can list.
        frame.write_parquet(buffer, statistics=False)
        files.append((f"{name}.parquet", buffer.getvalue()))
    out = io.BytesIO()
    stamp = generated.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files:
            info = zipfile.ZipInfo(path, date_time=stamp)  # fixed stamp: reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return out.getvalue()


def _amsterdam_time(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(AMSTERDAM).replace(microsecond=0)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BundleError(f"Het tijdstip {moment.isoformat()} heeft geen tijdzone; geef een tijd mét tijdzone.")
    return moment.astimezone(AMSTERDAM).replace(microsecond=0)


def _column_descriptions(tables: Mapping[str, pl.DataFrame], metadata: BundleMetadata) -> dict[str, dict[str, str]]:
    """Per table, per column, its Dutch definition; one error listing every problem."""
    problems: list[str] = []
    result: dict[str, dict[str, str]] = {}
    for name, frame in tables.items():
        if not TABLE_NAME.match(name):
            problems.append(
                f"tabelnaam ‘{name}’: gebruik kleine letters, cijfers, - en _ (hoogstens 64 tekens)"
            )
            continue
        result[name] = {}
        for column, dtype in frame.schema.items():
            if isinstance(dtype, NESTED_TYPES):
                problems.append(f"tabel ‘{name}’, kolom ‘{column}’: geneste waarden ({dtype}) passen niet in een CSV")
                continue
            definition = _definition(name, column, metadata.column_definitions)
            if definition is None:
                problems.append(f"tabel ‘{name}’, kolom ‘{column}’: geen definitie")
            else:
                result[name][column] = definition
    if problems:
        raise BundleError("De databundel kan niet gemaakt worden: " + "; ".join(problems) + ".")
    return result


def _definition(table: str, column: str, given: Mapping[str, str]) -> str | None:
    """Given (per table, then per column), then the contract, then derived for `<column>_tekst/_verborgen`."""
    for candidate in (given.get(f"{table}.{column}"), given.get(column)):
        if candidate and candidate.strip():
            return candidate.strip()
    if column in CONTRACT_DESCRIPTIONS:
        return CONTRACT_DESCRIPTIONS[column]
    for suffix in (TEXT_SUFFIX, HIDDEN_SUFFIX):
        if column.endswith(suffix) and len(column) > len(suffix):
            base = column[: -len(suffix)]
            base_definition = _definition(table, base, given)
            if base_definition is None:
                return None
            if suffix == TEXT_SUFFIX:
                return (
                    f"‘{base}’ als tekst zoals in de Cohortmonitor, met de tekens voor verborgen waarden "
                    f"(zie ‘geheimhouding’). {base_definition}"
                )
            return f"Waar als ‘{base}’ verborgen is (het getal is dan leeg). {base_definition}"
    return None


def _rule_note(metadata: BundleMetadata) -> str:
    return metadata.signs_note or small_number_note_nl(metadata.rule, with_totals=True)


def _suppression(rule: SuppressionRule, note: str) -> dict[str, object]:
    signs = {
        MISSING: "geen gegevens",
        rule.hidden_text: f"aantal van 1 tot en met {rule.largest_hidden}, verborgen",
        PROTECTED_TEXT: f"verborgen: een aantal van 1 tot en met {rule.largest_hidden}, of mee verborgen zodat zo’n "
        "klein aantal niet uit een totaal terug te rekenen is",
        HIDDEN_RATE_TEXT: "cijfer verborgen: het is berekend uit een verborgen aantal",
        "(leeg)": "in CSV en Parquet is een verborgen of ontbrekend getal leeg; de kolom <naam>_verborgen zegt "
        "welke van de twee",
    }
    return {
        "actief": rule.enabled,
        "drempel": rule.threshold,
        "regel": note,
        "tekens": signs,
    }


def _metadata_json(
    tables: Mapping[str, pl.DataFrame], metadata: BundleMetadata, generated: datetime,
    descriptions: dict[str, dict[str, str]],
) -> str:
    document = {
        "titel": metadata.title,
        "beschrijving": metadata.description,
        "dataset": {
            "id": metadata.dataset_id,
            "versie": metadata.version,
            "bron": metadata.source,
            "voorbeelddata": metadata.is_example,
        },
        "peildatum": metadata.peildatum.isoformat(),
        "gegenereerd": generated.isoformat(),
        "licentie": metadata.licence,
        "geheimhouding": _suppression(metadata.rule, _rule_note(metadata)),
        "methoden": list(metadata.method_notes),
        "csv": CSV_DIALECT,
        "tabellen": [
            {
                "naam": name,
                "bestanden": {"csv": f"{name}.csv", "parquet": f"{name}.parquet"},
                "kolommen": [
                    {"naam": column, "type": _type_label(dtype), "parquet_type": str(dtype),
                     "definitie": descriptions[name][column]}
                    for column, dtype in frame.schema.items()
                ],
            }
            for name, frame in tables.items()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _type_label(dtype: pl.DataType) -> str:
    return TYPE_LABELS.get(dtype.base_type(), str(dtype))


def _readme(tables: Mapping[str, pl.DataFrame], metadata: BundleMetadata, generated: datetime) -> str:
    lines = [metadata.title, "=" * len(metadata.title), ""]
    if metadata.is_example:
        lines += ["LET OP: dit zijn illustratieve voorbeeldgegevens, geen registraties van de gemeente.", ""]
    if not metadata.rule.enabled:
        lines += ["LET OP: " + small_number_note_nl(metadata.rule), ""]
    if metadata.description:
        lines += [metadata.description, ""]
    lines += [
        f"Dataset: {metadata.dataset_id or '(voorbeeld)'}"
        + (f", versie {metadata.version}" if metadata.version else ""),
        f"Peildatum: {fmt_date(metadata.peildatum)}",
        f"Gemaakt: {fmt_date(generated.date())} om {generated:%H:%M} (Nederlandse tijd)",
    ]
    if metadata.source:
        lines.append(f"Bron: {metadata.source}")
    lines += [f"Licentie: {metadata.licence}", "", "Bestanden", "---------",
              f"{README_NAME}: dit bestand.",
              f"{METADATA_NAME}: de definitie van elke kolom, de geheimhoudingsregel en de methoden (machineleesbaar)."]
    for name in tables:
        lines.append(f"{name}.csv en {name}.parquet: de tabel ‘{name}’.")
    lines += [
        "",
        "Kleine aantallen",
        "----------------",
        _rule_note(metadata),
        "In de bestanden is een verborgen getal leeg; de kolommen die op _verborgen eindigen zeggen welke dat zijn, "
        "die op _tekst tonen de getallen zoals de Cohortmonitor ze toont.",
        "",
        "Openen",
        "------",
        "Excel: dubbelklik op het .csv-bestand (UTF-8 met BOM, puntkomma tussen velden, decimale komma). Tekst die "
        "met =, +, - of @ begint, staat er met een apostrof voor, zodat Excel er geen formule van maakt.",
        "Python: polars.read_parquet(\"naam.parquet\"), of pandas.read_csv(\"naam.csv\", sep=\";\", decimal=\",\", "
        "encoding=\"utf-8-sig\").",
        "R: arrow::read_parquet(\"naam.parquet\"), of read.csv2(\"naam.csv\", fileEncoding = \"UTF-8-BOM\").",
        "Het Parquet-bestand bevat de exacte getallen en typen en de tekst zoals hij is.",
    ]
    if metadata.method_notes:
        lines += ["", "Methoden", "--------", *metadata.method_notes]
    return "\r\n".join(lines) + "\r\n"


# --- reading a bundle back (tests) ----------------------------------------------------------------------------

# A number as Dutch text writes it: 13.024 / 0,23 / 5 / -3,2; not glued to letters or underscores (codes like DX01
# and column names like per_1000 are identifiers, not numbers).
_NUMBER = re.compile(r"(?<![\w.,−-])([-−]?)(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?![\w])")
_NUMERIC_TYPES = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64,
                  pl.Float32, pl.Float64, pl.Decimal)
_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)
NUMBERS_SCHEMA = {"file": pl.String, "table": pl.String, "row": pl.Int64, "column": pl.String,
                  "value": pl.Float64, "text": pl.String}


def numbers_in_text(text: str) -> list[float]:
    """Every number in a Dutch text: '13.024 gesprekken, 0,23%, <5' -> [13024, 0.23, 5]."""
    values = []
    for sign, digits in _NUMBER.findall(text):
        value = float(digits.replace(".", "").replace(",", "."))
        values.append(-value if sign else value)
    return values


def bundle_numbers(zip_bytes: bytes) -> pl.DataFrame:
    """Every number a reader can find in a bundle, with where it is: for tests that attack the bundle.

    Columns: `file`, `table` (null outside the tables), `row` (0-based data row, or README line; null in
    metadata), `column` (column name, or the JSON path in metadata.json), `value`, `text` (the text it was read
    from; null for a numeric cell). Covers numeric cells and numbers inside text cells of every CSV and Parquet
    file (after removing the CSV's formula apostrophe), every number and every number in a string of
    metadata.json, and the numbers in README.txt. Not listed: dates, true/false and column names.
    """
    rows: list[tuple] = []
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        metadata = json.loads(archive.read(METADATA_NAME).decode("utf-8"))
        rows += _json_numbers(metadata, "$")
        readme = archive.read(README_NAME).decode("utf-8").splitlines()
        rows += [(README_NAME, None, i, None, v, line) for i, line in enumerate(readme) for v in numbers_in_text(line)]
        for table in metadata["tabellen"]:
            name = table["naam"]
            parquet_name, csv_name = table["bestanden"]["parquet"], table["bestanden"]["csv"]
            frame = pl.read_parquet(io.BytesIO(archive.read(parquet_name)))
            rows += _frame_numbers(frame, parquet_name, name, frame.schema)
            text = pl.read_csv(io.BytesIO(archive.read(csv_name)), separator=";", infer_schema=False)
            rows += _frame_numbers(text, csv_name, name, frame.schema)
    return pl.DataFrame(rows, schema=NUMBERS_SCHEMA, orient="row")


def _json_numbers(node: object, path: str) -> Iterator[tuple]:
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, int | float):
        yield (METADATA_NAME, None, None, path, float(node), None)
    elif isinstance(node, str):
        for value in numbers_in_text(node):
            yield (METADATA_NAME, None, None, path, value, node)
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from _json_numbers(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _json_numbers(child, f"{path}[{index}]")


def _frame_numbers(frame: pl.DataFrame, file: str, table: str, schema: pl.Schema) -> list[tuple]:
    """Numbers in one file's cells; `schema` (the Parquet one) says which columns are numbers, text or neither."""
    rows = []
    is_csv = file.endswith(".csv")
    for column in frame.columns:
        dtype = schema.get(column)
        values = frame.get_column(column).to_list()
        if dtype is not None and isinstance(dtype, _NUMERIC_TYPES):
            for i, value in enumerate(values):
                number = float(value.replace(",", ".")) if is_csv and value is not None else value
                if number is not None and number == number:  # NaN is "no number"
                    rows.append((file, table, i, column, float(number), None))
        elif dtype is None or isinstance(dtype, _TEXT_TYPES):
            for i, value in enumerate(values):
                if value is None:
                    continue
                if is_csv and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
                    value = value[1:]
                rows += [(file, table, i, column, number, value) for number in numbers_in_text(value)]
    return rows
