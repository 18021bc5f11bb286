"""A dataset's content: its content id, its Parquet bytes, and the checks that what is loaded is what was
published.

The id is the SHA-256 of the normalised frames in a canonical text form (see `content_id`), pinned in shared
links. The stored form is one Parquet blob per frame, with its SHA-256 recorded in the catalog at publish:
on every load the bytes are checked against that checksum before they are parsed (cheap: a few milliseconds
for a million rows), so a flipped byte refuses the dataset instead of showing other numbers under the same
id. Rows published before checksums existed are checked against the content id itself (about a second per
million rows), and `python -m cohort.store verify` checks both for every dataset.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date

import polars as pl

from cohort.store.errors import DatasetDamaged

# Bump when the canonical serialisation changes: ids of old and new scheme must never collide.
_HASH_DOMAIN = b"cohortmonitor/dataset-content/v1\n"
PARTS = ("units", "monthly")


def content_id(units: pl.DataFrame, monthly: pl.DataFrame) -> str:
    """SHA-256 of normalised frames in a canonical text form that ignores row order and Polars versions.

    Each row becomes a JSON array (dates as ISO text, counts as integers, missing as null, text as
    `json.dumps(..., ensure_ascii=False)`), written compactly; the lines are sorted, so row order never matters,
    and JSON never contains a raw newline, so the stream is unambiguous. The lines are built with Polars
    expressions (one JSON line per row in Python took about 1 s per 100,000 rows); the text, and so the id, is
    byte for byte what the row-by-row version produced: ids are pinned in shared links and must never change.
    """
    digest = hashlib.sha256(_HASH_DOMAIN)
    for section, frame in (("units", units), ("monthly", monthly)):
        header = json.dumps({"section": section, "columns": frame.columns, "rows": frame.height})
        digest.update(header.encode() + b"\n")
        if frame.height == 0:
            continue
        if frame.width == 0:
            digest.update(b"[]\n" * frame.height)
            continue
        row = pl.concat_str([_canonical_column(frame, name) for name in frame.columns], separator=",")
        # Polars sorts strings by their UTF-8 bytes, which is the code-point order of Python's sorted().
        lines = frame.select((pl.lit("[") + row + pl.lit("]")).alias("line")).get_column("line").sort()
        digest.update(lines.str.join("\n").item().encode() + b"\n")
    return digest.hexdigest()


def _canonical_column(frame: pl.DataFrame, name: str) -> pl.Expr:
    """One column as its JSON text, the way `json.dumps` writes the Python value (null for missing)."""
    dtype = frame.schema[name]
    column = pl.col(name)
    if dtype == pl.Date:
        text = pl.lit('"') + column.dt.strftime("%Y-%m-%d") + pl.lit('"')
    elif dtype.is_integer():
        text = column.cast(pl.String)
    elif dtype == pl.Boolean:
        text = pl.when(column).then(pl.lit("true")).otherwise(pl.lit("false"))
    elif dtype == pl.String:
        # Codes, names and kinds: few distinct values, so json.dumps itself escapes each one once.
        distinct = frame.get_column(name).drop_nulls().unique().to_list()
        text = column.replace_strict({v: json.dumps(v, ensure_ascii=False) for v in distinct}, return_dtype=pl.String)
    else:
        # Not in the normalised schema (floats, ...): the row-by-row form, value by value, so the id stays the same.
        values = frame.get_column(name).to_list()
        texts = [None if v is None else json.dumps(_canonical_value(v), ensure_ascii=False) for v in values]
        text = pl.lit(pl.Series(name, texts, dtype=pl.String))
    return text.fill_null(pl.lit("null"))


def _canonical_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return value


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode(units: pl.DataFrame, monthly: pl.DataFrame) -> dict[str, bytes]:
    """Both frames as Parquet bytes, in memory: what either backend stores, byte for byte."""
    parts = {}
    for part, frame in zip(PARTS, (units, monthly), strict=True):
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        parts[part] = buffer.getvalue()
    return parts


def damaged(name: str, dataset_id: str, what: str) -> DatasetDamaged:
    return DatasetDamaged(
        f"De opgeslagen gegevens van ‘{name}’ (code {dataset_id[:12]}…) zijn niet in orde: {what}. Deze dataset "
        "wordt daarom niet getoond. Publiceer dezelfde werkmap opnieuw om hem te herstellen (de code blijft "
        "gelijk), of vraag de beheerder een back-up terug te zetten."
    )


def decode(
    parts: dict[str, bytes], checksums: dict[str, str | None], *, dataset_id: str, name: str, full: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The frames, after checking the bytes against the checksums of the publication (and, when no checksum
    was recorded or `full` is asked, the frames against the content id). DatasetDamaged on any mismatch."""
    for part in PARTS:
        expected = checksums.get(part)
        if part not in parts:
            raise damaged(name, dataset_id, f"het bestand met de {_PART_LABELS[part]} ontbreekt")
        if expected is not None and checksum(parts[part]) != expected:
            raise damaged(name, dataset_id, f"de {_PART_LABELS[part]} komen niet overeen met het controlegetal "
                                            "dat bij het publiceren is vastgelegd")
    try:
        units, monthly = (pl.read_parquet(io.BytesIO(parts[part])) for part in PARTS)
    except Exception as exc:  # whatever the Parquet reader says, these bytes are not the dataset
        raise damaged(name, dataset_id, "de bestanden zijn onleesbaar") from exc
    if (full or any(checksums.get(part) is None for part in PARTS)) and content_id(units, monthly) != dataset_id:
        raise damaged(name, dataset_id, "de inhoud hoort niet bij de code van de dataset")
    return units, monthly


_PART_LABELS = {"units": "eenheden", "monthly": "maandcijfers"}
