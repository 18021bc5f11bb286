"""The upload pipeline: guard first, then read and validate; publishing refuses anything with errors."""

from dataclasses import replace
from datetime import date

import pytest
from workbooks import make_workbook, monthly_rows, units_rows

import cohort.workbook.upload as upload
from cohort.store import DatasetStore, StoredDataset, StoreError
from cohort.workbook.report import ValidationReport
from cohort.workbook.template import SHEET_GUIDE
from cohort.workbook.upload import (
    check_upload_bytes,
    dataset_label,
    preview_sheets,
    publish_outcome,
    published_frame,
    report_file_stem,
    report_frames,
    upload_preview,
    withdrawn_frame,
)

LIMIT = 5 * 1024 * 1024


def test_good_file_gives_a_dataset():
    stages = []
    outcome = check_upload_bytes(make_workbook(), "cijfers.xlsx", LIMIT, on_stage=stages.append)
    assert outcome.publishable and not outcome.refused
    assert outcome.report.errors == []
    assert outcome.dataset is not None
    assert outcome.dataset.units.height == 4
    assert outcome.safe_name == "cijfers.xlsx"
    assert len(outcome.digest) == 64
    assert stages == ["veiligheidscontrole", "lezen"]
    assert set(outcome.seconds) == {"veiligheidscontrole", "lezen", "controleren"}


def test_broken_file_lists_errors_with_sheet_row_and_column():
    monthly = monthly_rows()
    monthly[2][3] = -4  # gesprekken, third data row = Excel row 4
    monthly[5][5] = "veel"  # uitstroom_werk, Excel row 7
    outcome = check_upload_bytes(make_workbook(monthly=monthly), "fout.xlsx", LIMIT)
    assert not outcome.publishable and outcome.dataset is None and not outcome.refused
    errors, _ = report_frames(outcome.report)
    located = {(r["Tabblad"], r["Rij"], r["Kolom"], r["Waarde"]) for r in errors.iter_rows(named=True)}
    assert ("maandcijfers", 4, "gesprekken", "-4") in located
    assert ("maandcijfers", 7, "uitstroom_werk", "veel") in located
    assert all(message for message in errors.get_column("Melding"))


def test_missing_sheet_is_an_error():
    outcome = check_upload_bytes(make_workbook(sheet_names=("eenheden", "cijfers")), "x.xlsx", LIMIT)
    assert not outcome.publishable
    assert any(p.sheet == "maandcijfers" and "ontbreekt" in p.message for p in outcome.report.errors)


def test_over_the_limit_is_refused_before_reading(monkeypatch):
    def must_not_read(*_args, **_kwargs):
        raise AssertionError("an oversized file reached the reader")

    monkeypatch.setattr(upload, "read_workbook", must_not_read)
    data = make_workbook()
    outcome = check_upload_bytes(data, "groot.xlsx", max_bytes=len(data) - 1)
    assert outcome.refused and not outcome.publishable
    assert len(outcome.report.errors) == 1
    assert "de grens is" in outcome.report.errors[0].message


def test_non_xlsx_is_refused_in_dutch(monkeypatch):
    monkeypatch.setattr(upload, "read_workbook", lambda *_a, **_k: pytest.fail("refused file was read"))
    outcome = check_upload_bytes(b"code;naam\nDX01;Centrum\n", "cijfers.csv", LIMIT)
    assert outcome.refused
    assert outcome.report.errors[0].message.startswith("Dit is een CSV-bestand.")
    assert outcome.report.errors[0].value == "cijfers.csv"

    pdf = check_upload_bytes(b"%PDF-1.7 ...", "cijfers.xlsx", LIMIT)
    assert pdf.refused and "PDF-bestand" in pdf.report.errors[0].message


def test_the_templates_own_guide_sheet_is_no_warning():
    data = make_workbook(extra_sheets={SHEET_GUIDE: [["Tabblad", "Kolom"]], "notities": [["x"]]})
    outcome = check_upload_bytes(data, "x.xlsx", LIMIT)
    sheets_warned = {p.sheet for p in outcome.report.warnings}
    assert "notities" in sheets_warned  # a foreign sheet still gets its warning
    assert SHEET_GUIDE not in sheets_warned


def test_report_frames_split_errors_and_warnings():
    report = ValidationReport()
    report.error("Fout.", sheet="eenheden", row=3, column="soort", value="wijk")
    report.warning("Let op.", sheet="maandcijfers", column="buurtteam")
    errors, warnings = report_frames(report)
    assert errors.columns == ["Tabblad", "Rij", "Kolom", "Waarde", "Melding"]
    assert errors.row(0) == ("eenheden", 3, "soort", "wijk", "Fout.")
    assert warnings.row(0) == ("maandcijfers", None, "buurtteam", None, "Let op.")
    assert report_file_stem("Cijfers WPI 2022 (def).xlsx") == "controle_Cijfers_WPI_2022__def"


def test_preview_counts_and_totals():
    dataset = check_upload_bytes(make_workbook(), "x.xlsx", LIMIT).dataset
    preview = upload_preview(dataset)
    assert (preview.n_areas, preview.n_target_groups) == (3, 1)
    assert (preview.first_month, preview.last_month, preview.n_months) == (date(2020, 1, 1), date(2020, 2, 1), 2)
    assert preview.n_rows == 8
    # Per month: gesprekken 50 + 0 + 0 + 20; klachten 1 (DX01) + 1 (DG01); uitstroom_werk 12 + 10 + 6 + 5.
    assert (preview.conversations, preview.complaints, preview.outflow_work) == (140, 4, 66)
    assert preview.period == "januari 2020 t/m februari 2020 (2 maanden)"
    sheets = preview_sheets(dataset, rows=3)
    assert list(sheets) == ["eenheden", "maandcijfers"]
    assert sheets["maandcijfers"].height == 3


def test_publish_refuses_errors_even_when_called_directly(tmp_path):
    store = DatasetStore(tmp_path)
    broken = check_upload_bytes(make_workbook(units=[*units_rows(), ["DX01", "Dubbel", "gebied", "Centrum", None,
                                                                     None]]), "dubbel.xlsx", LIMIT)
    assert not broken.publishable
    with pytest.raises(StoreError, match="niet gepubliceerd"):
        publish_outcome(store, broken, name="Fout", description="", published_by="test")
    # Even a tampered outcome that carries a dataset next to its errors is refused.
    good = check_upload_bytes(make_workbook(), "x.xlsx", LIMIT)
    tampered = replace(good, report=broken.report)
    with pytest.raises(StoreError):
        publish_outcome(store, tampered, name="Fout", description="", published_by="test")
    assert store.list_datasets(include_withdrawn=True) == []


def test_publish_stores_the_dataset(tmp_path):
    store = DatasetStore(tmp_path)
    outcome = check_upload_bytes(make_workbook(), "x.xlsx", LIMIT)
    record = publish_outcome(store, outcome, name=" Test ", description=" Eerste ", published_by="lokale gebruiker")
    assert record.newly_published
    assert (record.name, record.description, record.published_by) == ("Test", "Eerste", "lokale gebruiker")
    assert (record.n_units, record.n_rows, record.n_months) == (4, 8, 2)
    assert record.validation_summary == "0 fouten, 0 waarschuwingen"
    assert [r.dataset_id for r in store.list_datasets()] == [record.dataset_id]


def _record(**changes) -> StoredDataset:
    base = StoredDataset(
        dataset_id="ab" * 32, name="WPI 2022", description="Def.", published_at="2021-07-06T12:05:00.000000+00:00",
        published_by="lokale gebruiker", n_units=25, n_months=48, n_rows=1200, first_month=date(2019, 1, 1),
        last_month=date(2022, 12, 1), validation_summary="0 fouten, 2 waarschuwingen", status="gepubliceerd",
        is_default=True,
    )
    return replace(base, **changes)


def test_listing_frames():
    frame = published_frame([_record()])
    row = frame.row(0, named=True)
    assert row["Standaard"] == "standaard"
    assert row["Gepubliceerd op"] == "6 juli 2021, 14:05"
    assert row["Maanden"] == "jan 2019 t/m dec 2022 (48)"
    assert (row["Rijen"], row["Eenheden"], row["Code"]) == (1200, 25, "ab" * 6)
    withdrawn = withdrawn_frame([_record(status="ingetrokken", is_default=False,
                                         withdrawn_at="2022-03-01T09:00:00+00:00", withdrawn_by="evaluator",
                                         withdrawal_reason="Fout in bron")])
    assert "Standaard" not in withdrawn.columns
    assert withdrawn.columns[:4] == ["Naam", "Ingetrokken op", "Ingetrokken door", "Reden"]
    assert withdrawn.select("Ingetrokken op", "Ingetrokken door", "Reden").row(0) == (
        "1 maart 2022, 10:00", "evaluator", "Fout in bron")
    assert published_frame([]).height == 0
    assert dataset_label(_record()) == "WPI 2022 (6 juli 2021, 14:05, abababab) · standaard"
