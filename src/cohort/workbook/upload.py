"""The upload pipeline behind the page "Data": check the bytes, read and validate, preview, publish.

Pure (no Streamlit), so every step is tested without a browser. The order is the safety argument: the guard
looks at the bytes before any parser does, a file it refuses (too large, not an .xlsx, hostile) is never read,
and `publish_outcome` refuses anything with errors itself, whatever the page did or did not show.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from cohort.contract import COMPLAINT_COLUMNS, SHEET_MONTHLY, SHEET_NOTES, SHEET_UNITS
from cohort.dataset import Dataset
from cohort.fmt import fmt_int, fmt_month, fmt_month_short, fmt_timestamp
from cohort.store import DATA_PROVISIONAL, DatasetStore, StoredDataset, StoreError
from cohort.workbook.guard import check_upload
from cohort.workbook.read import read_workbook
from cohort.workbook.report import Severity, ValidationReport

MB = 1024 * 1024
STAGE_GUARD = "veiligheidscontrole"
STAGE_READ = "lezen"
STAGE_CHECK = "controleren"
PREVIEW_ROWS = 10


@dataclass(frozen=True)
class UploadOutcome:
    """Everything the page needs to know about one uploaded file."""

    safe_name: str  # for display only, never a path
    digest: str  # SHA-256 of the bytes: the same file is never read twice in a session
    size: int
    report: ValidationReport
    dataset: Dataset | None  # only when the file was read and has no errors
    refused: bool  # the guard refused the file: it never reached the reader
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def publishable(self) -> bool:
        return not self.refused and self.dataset is not None and self.report.ok


def check_upload_bytes(
    data: bytes, filename: str, max_bytes: int, *, on_stage: Callable[[str], None] | None = None
) -> UploadOutcome:
    """Guard, then read and validate. Never raises for a bad file; `on_stage` hears each stage start."""
    notify = on_stage or (lambda _stage: None)
    digest = hashlib.sha256(data).hexdigest()
    notify(STAGE_GUARD)
    started = time.perf_counter()
    check = check_upload(data, filename, max_bytes=max_bytes)
    seconds = {STAGE_GUARD: time.perf_counter() - started}
    if not check.ok:
        report = ValidationReport()
        report.error(check.message_nl or "Het bestand is geweigerd.", value=check.safe_name)
        return UploadOutcome(check.safe_name, digest, len(data), report, None, refused=True, seconds=seconds)

    notify(STAGE_READ)
    result = read_workbook(data, name=check.safe_name)
    seconds.update(result.seconds)
    report = result.report
    return UploadOutcome(check.safe_name, digest, len(data), report, result.dataset, refused=False, seconds=seconds)


def publish_outcome(
    store: DatasetStore, outcome: UploadOutcome, *, name: str, description: str, published_by: str,
    replaces: str | None = None, data_status: str = DATA_PROVISIONAL, review: bool = False,
) -> StoredDataset:
    """Publish a checked upload. Refuses anything with errors, so hiding the button is never the only guard.

    `replaces`, `data_status`, `review`: see `DatasetStore.publish` (versions, voorlopig/definitief, four eyes)."""
    if not outcome.publishable or outcome.dataset is None:
        raise StoreError(
            f"‘{outcome.safe_name}’ heeft {fmt_int(len(outcome.report.errors))} fout(en) en is niet gepubliceerd. "
            "Herstel de fouten in het bestand en upload het opnieuw."
        )
    return store.publish(
        outcome.dataset,
        name=name,
        description=description.strip(),
        published_by=published_by,
        validation_summary=outcome.report.summary(),
        replaces=replaces,
        data_status=data_status,
        review=review,
    )


# --- the report ---------------------------------------------------------------------------------------


def report_frames(report: ValidationReport) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(errors, warnings) with the Dutch columns of `ValidationReport.to_frame`, minus the severity."""
    frame = report.to_frame()
    errors = frame.filter(pl.col("Ernst") == Severity.ERROR.value).drop("Ernst")
    warnings = frame.filter(pl.col("Ernst") == Severity.WARNING.value).drop("Ernst")
    return errors, warnings


def report_file_stem(safe_name: str) -> str:
    stem = safe_name.rsplit(".", 1)[0]
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem).strip("_")
    return f"controle_{cleaned[:60] or 'upload'}"


# --- the preview --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadPreview:
    n_areas: int
    n_target_groups: int
    first_month: date
    last_month: date
    n_months: int
    n_rows: int
    conversations: int
    complaints: int
    outflow_work: int

    @property
    def period(self) -> str:
        """'januari 2019 t/m december 2022 (48 maanden)'."""
        months = "maand" if self.n_months == 1 else "maanden"
        return f"{fmt_month(self.first_month)} t/m {fmt_month(self.last_month)} ({fmt_int(self.n_months)} {months})"


def upload_preview(dataset: Dataset) -> UploadPreview:
    """Totals over every row of `maandcijfers` (areas and target groups alike), to compare with the file."""
    monthly = dataset.monthly
    totals = monthly.select(
        pl.col("gesprekken").sum().alias("gesprekken"),
        pl.sum_horizontal(COMPLAINT_COLUMNS).sum().alias("klachten"),
        pl.col("uitstroom_werk").sum().alias("uitstroom_werk"),
    ).row(0, named=True)
    return UploadPreview(
        n_areas=dataset.areas.height,
        n_target_groups=dataset.target_groups.height,
        first_month=dataset.first_month,
        last_month=dataset.last_month,
        n_months=len(dataset.months),
        n_rows=monthly.height,
        conversations=int(totals["gesprekken"] or 0),
        complaints=int(totals["klachten"] or 0),
        outflow_work=int(totals["uitstroom_werk"] or 0),
    )


def preview_sheets(dataset: Dataset, rows: int = PREVIEW_ROWS) -> dict[str, pl.DataFrame]:
    """The first rows of each sheet as read, under the sheet's name."""
    sheets = {SHEET_UNITS: dataset.units.head(rows), SHEET_MONTHLY: dataset.monthly.head(rows)}
    if dataset.meta.notes:
        notes = list(dataset.meta.notes.items())[:rows]
        sheets[SHEET_NOTES] = pl.DataFrame(
            {"sleutel": [k for k, _ in notes], "waarde": [v for _, v in notes]}, schema={"sleutel": pl.String,
                                                                                        "waarde": pl.String}
        )
    return sheets


# --- the list of published datasets -------------------------------------------------------------------


def published_frame(records: list[StoredDataset]) -> pl.DataFrame:
    """One row per dataset, Dutch column names, newest first (the store's order)."""
    return pl.DataFrame(
        {
            "Standaard": ["standaard" if r.is_default else "" for r in records],
            "Naam": [r.name for r in records],
            "Gepubliceerd op": [fmt_timestamp(r.published_at) for r in records],
            "Door": [r.published_by for r in records],
            "Maanden": [_months(r) for r in records],
            "Rijen": [r.n_rows for r in records],
            "Status": [r.status for r in records],
            "Beschrijving": [r.description for r in records],
            "Eenheden": [r.n_units for r in records],
            "Controle": [r.validation_summary for r in records],
            "Code": [r.dataset_id[:12] for r in records],
        },
        schema={
            "Standaard": pl.String, "Naam": pl.String, "Gepubliceerd op": pl.String, "Door": pl.String,
            "Maanden": pl.String, "Rijen": pl.Int64, "Status": pl.String, "Beschrijving": pl.String,
            "Eenheden": pl.Int64, "Controle": pl.String, "Code": pl.String,
        },
    )


def withdrawn_frame(records: list[StoredDataset]) -> pl.DataFrame:
    """Withdrawn datasets: first when, by whom and why, then the same columns as the published list."""
    base = published_frame(records).drop("Standaard")
    withdrawal = pl.DataFrame(
        {
            "Ingetrokken op": [fmt_timestamp(r.withdrawn_at) for r in records],
            "Ingetrokken door": [r.withdrawn_by or "" for r in records],
            "Reden": [r.withdrawal_reason for r in records],
        },
        schema={"Ingetrokken op": pl.String, "Ingetrokken door": pl.String, "Reden": pl.String},
    )
    return pl.concat([base.select("Naam"), withdrawal, base.drop("Naam")], how="horizontal")


def dataset_label(record: StoredDataset) -> str:
    """How a dataset is named in a picker: name, date and a short code (names need not be unique)."""
    default = " · standaard" if record.is_default else ""
    return f"{record.name} ({fmt_timestamp(record.published_at)}, {record.dataset_id[:8]}){default}"


def _months(record: StoredDataset) -> str:
    first, last = fmt_month_short(record.first_month), fmt_month_short(record.last_month)
    return f"{first} t/m {last} ({fmt_int(record.n_months)})"


def max_upload_bytes(max_upload_mb: int) -> int:
    return max_upload_mb * MB


def upload_limit_note(max_upload_mb: int) -> str:
    """What the uploader takes, beside it (Streamlit's own text under the button is English)."""
    return f"Alleen een Excel-werkmap (.xlsx) van hooguit {fmt_int(max_upload_mb)} MB."


def no_upload_notice(max_upload_mb: int) -> str:
    """The uploader is empty: nothing chosen yet, or a file the browser refused for its size.

    A file over the limit never reaches the app (Streamlit refuses it in the browser and shows "File must be
    50.0MB or smaller" at the file), so the page cannot tell the two apart and explains both."""
    limit = fmt_int(max_upload_mb)
    return (
        "Er is nog geen bestand ingelezen. Staat er hierboven een bestand met een rood uitroepteken, dan is het "
        f"geweigerd: het is groter dan {limit} MB (het uploadvak zegt dan in het Engels ‘File must be "
        f"{max_upload_mb:.1f}MB or smaller’). Maak het kleiner, bijvoorbeeld door lege rijen en andere tabbladen "
        "te verwijderen, of neem contact op met de beheerder van de Cohortmonitor. Begin anders met het sjabloon "
        "of de voorbeeldwerkmap."
    )
