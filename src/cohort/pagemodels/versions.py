"""What the pages say about a dataset's version, its status and its approval (pure, Dutch, no Streamlit).

The texts are plain (names come from uploads): `cohort.ui` escapes them with `cohort.plaintext.markdown_literal`.

Every page shows beside the dataset's name whether its figures are `voorlopig` or `definitief`, which
version it is, whether it still waits for approval (evaluators only ever see that), and whether a newer
version exists. The Streamlit glue is `cohort.ui.versions`; the rules are in `cohort.store`.
"""

from __future__ import annotations

import polars as pl

from cohort.fmt import fmt_timestamp
from cohort.store import STATUS_PENDING, STATUS_REJECTED, StoredDataset


def status_text(record: StoredDataset | None, newer: StoredDataset | None = None) -> str:
    """'definitief', 'voorlopig · versie 2', 'ter goedkeuring · voorlopig', '… · er is een nieuwere versie';
    empty for data that were never published (the bundled example, which has a banner of its own)."""
    if record is None:
        return ""
    parts: list[str] = [record.data_status]
    if record.status == STATUS_PENDING:
        parts.insert(0, "ter goedkeuring")
    if record.version > 1 or newer is not None:
        parts.append(f"versie {record.version}")
    if newer is not None:
        parts.append("er is een nieuwere versie")
    return " · ".join(parts)


def name_suffix(record: StoredDataset | None, newer: StoredDataset | None = None) -> str:
    """What follows the dataset's name in a page's caption: ' (voorlopig · versie 2)', or ''."""
    text = status_text(record, newer)
    return f" ({text})" if text else ""


def newer_version_text(newer: StoredDataset) -> str:
    return (f"Er is een nieuwere versie van deze dataset: ‘{newer.name}’ (versie {newer.version}, "
            f"{newer.data_status}, gepubliceerd op {fmt_timestamp(_visible_since(newer))}). "
            "Deze link blijft de versie tonen waarmee hij is gemaakt.")


def pending_text(record: StoredDataset) -> str:
    """For an evaluator who opened a publication that waits for approval."""
    return (f"Deze dataset staat ter goedkeuring: gepubliceerd door {record.published_by} op "
            f"{fmt_timestamp(record.published_at)}. Viewers zien hem pas als een tweede evaluator hem goedkeurt "
            "(op de pagina Data).")


def version_text(record: StoredDataset, names: dict[str, str]) -> str:
    """'versie 2, vervangt ‘Cohort 2021’' for the dataset list (`names`: dataset_id -> name)."""
    if record.replaces is None:
        return f"versie {record.version}"
    return f"versie {record.version}, vervangt ‘{names.get(record.replaces, record.replaces[:12])}’"


def review_text(record: StoredDataset) -> str:
    """Who approved or rejected it, for the dataset list ('—' when published without review)."""
    if record.reviewed_by is None:
        return "ter goedkeuring" if record.status == STATUS_PENDING else "—"
    verb = "afgewezen" if record.status == STATUS_REJECTED else "goedgekeurd"
    return f"{verb} door {record.reviewed_by}, {fmt_timestamp(record.reviewed_at)}"


def version_columns(records: list[StoredDataset], names: dict[str, str]) -> pl.DataFrame:
    """The columns the dataset list adds for versions, status and review, one row per record."""
    return pl.DataFrame(
        {
            "Gegevens": [r.data_status for r in records],
            "Versie": [version_text(r, names) for r in records],
            "Tweede evaluator": [review_text(r) for r in records],
        },
        schema={"Gegevens": pl.String, "Versie": pl.String, "Tweede evaluator": pl.String},
    )


def replaceable(records: list[StoredDataset]) -> list[StoredDataset]:
    """The datasets a new publication may replace: the newest published version of each series, as long as
    no newer version of that series waits for approval (the store refuses the others with a reason)."""
    newest: dict[str, StoredDataset] = {}
    for record in records:
        if record.visible and (record.series_id not in newest or record.version > newest[record.series_id].version):
            newest[record.series_id] = record
    waiting = [r for r in records if r.status == STATUS_PENDING]
    return [r for r in records if newest.get(r.series_id) is r
            and not any(w.series_id == r.series_id and w.version > r.version for w in waiting)]


def version_label(record: StoredDataset) -> str:
    """'‘Cohort 2022’ (versie 2, definitief, gepubliceerd op 6 juli 2021, 14:05)'."""
    return (f"‘{record.name}’ (versie {record.version}, {record.data_status}, gepubliceerd op "
            f"{fmt_timestamp(_visible_since(record))})")


def version_heading(new: StoredDataset, old: StoredDataset | None) -> str:
    """What the page “Wat is er veranderd” compares, in one line."""
    if old is None:
        return version_label(new)
    return f"{version_label(new)} vergeleken met de vorige versie {version_label(old)}"


def _visible_since(record: StoredDataset) -> str | None:
    # Under four eyes a dataset became public when it was approved, not when it was submitted.
    return record.reviewed_at if record.review_required and record.reviewed_at else record.published_at
