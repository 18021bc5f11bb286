"""The upload guard: every hostile file gets a clear Dutch refusal, quickly, without an exception."""

from __future__ import annotations

import io
import random
import re
import time
import zipfile
from collections.abc import Callable

import hostile_files as hostile
import openpyxl
import polars as pl
import pytest

from cohort.settings import EXAMPLE_WORKBOOK
from cohort.workbook import guard
from cohort.workbook.exports import frame_to_xlsx_bytes
from cohort.workbook.guard import UploadCheck, check_upload, ensure_defusedxml, safe_display_name, too_large

MB = 1024 * 1024
LIMIT = 50 * MB
FAST_SECONDS = 1.0


def checked(data: bytes, filename: str = "cohort.xlsx", max_bytes: int = LIMIT) -> UploadCheck:
    started = time.perf_counter()
    result = check_upload(data, filename, max_bytes=max_bytes)
    assert time.perf_counter() - started < FAST_SECONDS
    return result


def refused(data: bytes, filename: str = "cohort.xlsx", max_bytes: int = LIMIT) -> str:
    result = checked(data, filename, max_bytes)
    assert not result.ok
    assert result.message_nl
    assert "Traceback" not in result.message_nl
    assert "niet veilig worden gecontroleerd" not in result.message_nl  # a specific message, not the fallback
    return result.message_nl


# The honest workbook -------------------------------------------------------------------------------------


def test_valid_workbook_passes():
    result = checked(hostile.valid_workbook())
    assert result == UploadCheck(ok=True, message_nl=None, safe_name="cohort.xlsx")


def test_extension_is_case_insensitive():
    assert checked(hostile.valid_workbook(), "COHORT.XLSX").ok


def test_own_export_passes():
    frame = pl.DataFrame({"code": ["DX01", "=1+1"], "bijstand": [1000, 2000]})
    assert checked(frame_to_xlsx_bytes(frame, "export")).ok


def test_example_workbook_passes():
    if not EXAMPLE_WORKBOOK.exists():
        pytest.skip("example workbook not generated (python -m cohort.workbook.example)")
    assert checked(EXAMPLE_WORKBOOK.read_bytes(), EXAMPLE_WORKBOOK.name).ok


# Size and name -------------------------------------------------------------------------------------------


def test_over_the_upload_limit():
    message = refused(hostile.oversized(2 * MB), max_bytes=2 * MB)
    assert message.startswith("Het bestand is 2,1 MB; de grens is 2 MB.")


def test_too_large_before_reading():
    assert too_large(50 * MB, 50 * MB) is None
    assert too_large(int(61.2 * MB), 50 * MB).startswith("Het bestand is 61,2 MB; de grens is 50 MB.")
    # Just over the limit must not read as equal to it.
    assert too_large(50 * MB + 1, 50 * MB).startswith("Het bestand is 50,1 MB")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("../../app.py", "app.py"),
        ("C:\\Users\\eva\\Bureaublad\\cohort.xlsx", "cohort.xlsx"),
        ("cohort\u202excod.xlsx", "cohortxcod.xlsx"),  # right-to-left override disguises extensions
        ("co\x00ho\nrt.xlsx", "cohort.xlsx"),
        ("", "bestand"),
        ("../..", "bestand"),
    ],
)
def test_safe_display_name(filename: str, expected: str):
    assert safe_display_name(filename) == expected


def test_safe_display_name_is_bounded_and_keeps_extension():
    name = safe_display_name("a" * 500 + ".xlsx")
    assert len(name) <= guard.MAX_NAME_CHARS
    assert name.endswith("….xlsx")


def test_traversal_file_name_is_only_displayed():
    result = checked(hostile.valid_workbook(), "../../app.py")
    assert not result.ok
    assert result.safe_name == "app.py"
    assert "‘.py’" in result.message_nl


@pytest.mark.parametrize(
    ("filename", "fragment"),
    [
        ("cohort.xls", "oud Excel-bestand (.xls)"),
        ("cohort.xlsb", "binaire Excel-werkmap (.xlsb)"),
        ("cohort.XLSM", "macro's (.xlsm)"),
        ("cohort.csv", "CSV-bestand"),
        ("cohort.ods", "OpenDocument-rekenblad (.ods)"),
        ("cohort.pdf", "de extensie ‘.pdf’"),
        ("cohort", "geen extensie"),
    ],
)
def test_wrong_extensions_get_specific_messages(filename: str, fragment: str):
    message = refused(hostile.valid_workbook(), filename)
    assert fragment in message
    assert ".xlsx" in message  # says what to do


# Not a workbook at all -------------------------------------------------------------------------------------


def test_pdf_renamed():
    assert "PDF-bestand" in refused(hostile.pdf_renamed())


def test_elf_executable():
    assert "programmabestand (Linux)" in refused(hostile.elf_stub())


def test_pe_executable():
    assert "programmabestand (Windows)" in refused(hostile.pe_stub())


def test_empty_file():
    assert "leeg" in refused(b"")


def test_plain_text():
    assert refused(b"code;naam\nDX01;Centrum\n").startswith("Dit is geen Excel-werkmap (.xlsx).")


def test_old_xls_renamed():
    message = refused(hostile.xls_like())
    assert "oud Excel-bestand (.xls)" in message
    assert "Sla het bestand in Excel op als Excel-werkmap (.xlsx)" in message


def test_password_protected_workbook():
    message = refused(hostile.encrypted_workbook())
    assert "wachtwoord" in message
    assert ".xls)" not in message  # not mistaken for an old .xls


def test_xlsb_content_types():
    assert "(.xlsb)" in refused(hostile.xlsb_workbook())


def test_xlsm_content_types():
    assert "(.xlsm)" in refused(hostile.xlsm_workbook())


def test_ods_renamed():
    assert "(.ods)" in refused(hostile.ods_renamed())


# Broken or hostile zips ------------------------------------------------------------------------------------


def test_truncated_workbook():
    assert "beschadigd of onvolledig" in refused(hostile.truncated_workbook())


def test_zip_bomb_builds_quickly_and_small():
    started = time.perf_counter()
    data = hostile.zip_bomb.__wrapped__()  # uncached
    assert time.perf_counter() - started < 2.0
    assert len(data) < 1 * MB  # 300 MB of zeros


def test_zip_bomb_by_declared_size():
    message = refused(hostile.zip_bomb(700 * MB))
    assert "xl/worksheets/sheet1.xml" in message
    assert "700,0 MB" in message and "640 MB" in message


def test_zip_bomb_under_the_size_limits_is_refused_by_ratio():
    # 300 MB fits MAX_MEMBER_BYTES since 1M-row workbooks are allowed; its ~1,000:1 ratio gives it away.
    assert len(hostile.zip_bomb()) < 1 * MB and 300 * MB < guard.MAX_MEMBER_BYTES
    started = time.perf_counter()
    message = refused(hostile.zip_bomb())
    assert f"meer dan {guard.MAX_RATIO} keer samengeperst" in message
    assert time.perf_counter() - started < 2.0  # refused from the directory, nothing inflated


def test_size_limits_leave_room_for_a_million_row_workbook():
    # The 1M-row maandcijfers sheet of the benchmark unpacks to 434 MB (bench/results.md).
    assert guard.MAX_MEMBER_BYTES >= 434 * MB * 1.4
    assert guard.MAX_TOTAL_BYTES >= guard.MAX_MEMBER_BYTES


def test_zip_bomb_by_ratio():
    message = refused(hostile.zip_bomb(20 * MB))
    assert f"meer dan {guard.MAX_RATIO} keer samengeperst" in message


def test_lying_size_header():
    assert "groter dan het bestand zelf opgeeft" in refused(hostile.lying_size_header())


def test_too_many_members():
    message = refused(hostile.many_members())
    assert "2.002 onderdelen" in message and "2.000" in message


def test_zip64_end_records_are_understood():
    assert checked(hostile.with_zip64_end(hostile.valid_workbook())).ok
    assert "2.002 onderdelen" in refused(hostile.with_zip64_end(hostile.many_members()))


def test_member_outside_the_archive():
    assert "ongeldige naam (‘../evil’)" in refused(hostile.traversal_member())


def test_overlapping_members(monkeypatch: pytest.MonkeyPatch):
    data = hostile.valid_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    # Two directory entries pointing at the same compressed bytes: the "overlapped" zip bomb.
    infos[1].header_offset = infos[0].header_offset
    with pytest.raises(guard._Refused, match="overlappen"):
        guard._check_no_overlap(infos, data)


# XML ------------------------------------------------------------------------------------------------------


def test_billion_laughs():
    assert "DOCTYPE- of ENTITY-declaratie" in refused(hostile.billion_laughs())


def test_external_entity():
    message = refused(hostile.external_entity())
    assert "DOCTYPE- of ENTITY-declaratie" in message
    assert "xl/worksheets/sheet1.xml" in message


def test_doctype_in_utf16_part():
    message = refused(hostile.utf16_doctype())
    assert "‘docProps/app.xml’ bevat een DOCTYPE- of ENTITY-declaratie" in message
    assert guard.DTD_PATTERN_UTF16.search("<!DOCTYPE x>".encode("utf-16-be"))


# Sheet dimensions ------------------------------------------------------------------------------------------


def test_cell_at_xfd1048576():
    message = refused(hostile.far_cell())
    assert "werkblad ‘eenheden’" in message
    assert "cel XFD1048576" in message
    assert "kolom 16.384" in message


def test_cell_at_xfd1048576_without_dimension_element():
    assert "cel XFD1048576" in refused(hostile.far_cell_without_dimension())


def test_two_thousand_columns():
    message = refused(hostile.many_columns())
    assert "werkblad ‘maandcijfers’" in message
    assert "kolom 2.000" in message


def test_two_hundred_columns_are_fine():
    assert checked(hostile.many_columns(guard.MAX_COLUMNS)).ok


def test_cell_refs_across_chunk_boundaries():
    # The scan keeps an overlap between chunks; a reference split over two chunks is still found.
    first, second = b'<c r="XF', b'D7"><v>1</v></c>'
    with pytest.raises(guard._Refused, match="cel XFD7"):
        guard._check_cell_refs(first[-guard.OVERLAP :] + second, "werkblad 1")


def test_other_attributes_ending_in_r_are_not_cell_references():
    guard._check_cell_refs(b'<dataValidation error="XYZ12" operator="between" sqref="A1">', "werkblad 1")


def test_spaced_and_lower_case_references_are_found():
    with pytest.raises(guard._Refused, match="cel XFD3"):
        guard._check_cell_refs(b"<c r = 'xfd3'>", "werkblad 1")


def test_rows_beyond_the_limit():
    with pytest.raises(guard._Refused, match=r"rij 2\.000\.000"):
        guard._check_cell_refs(b'<row r="2000000"><c r="A2000000">', "werkblad 1")
    guard._check_cell_refs(b'<row r="1048576"><c r="GR1048576">', "werkblad 1")  # Excel's own maximum


@pytest.mark.parametrize(
    "window",
    [b'<c r="XFD7"><v>1</v></c>', b"<c r = 'xfd3'>", b'<row r="2000000"><c r="A2000000">', b"<c r\x0b=\x0c'GS1'>",
     b'\xff\xfe<c r="AAA1">\xc3', b'<x:c x:r="HZ12">', b'<c r="A1"/><c r="gs9">'],
)
def test_the_fast_prefilter_sees_every_offending_reference(window: bytes):
    # Only chunks the prefilter flags are looked at by `_check_cell_refs`: it must never miss one.
    assert guard._may_hold_offending_ref(window)
    assert guard.OFFENDING_REF_PATTERN.search(window)


def test_the_fast_prefilter_agrees_with_the_pattern_on_random_xml():
    rng = random.Random(15)
    pieces = [b"r", b"=", b" ", b"\t", b"\x0b", b'"', b"'", b"A", b"g", b"S", b"h", b"XFD", b"1", b"0", b"9",
              b"1048577", b"<c ", b"/>", b"\xc3", b"error"]
    for _ in range(3000):
        window = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert guard._may_hold_offending_ref(window) == bool(guard.OFFENDING_REF_PATTERN.search(window)), window


def test_an_honest_sheet_is_not_flagged_by_the_prefilter():
    assert not guard._may_hold_offending_ref(b'<row r="104857"><c r="GR104857" t="s"><v>3</v></c></row>')


@pytest.mark.parametrize(
    ("xml", "message"),
    [(b'<c r="A02000000">', r"cel A02000000 gebruikt: dat is rij 2\.000\.000"),
     (b'<row r="0002000000">', r"rij 2\.000\.000"),
     (b'<c r="A00000000000002000000">', r"rij 2\.000\.000"),
     (b'<c r="B42949672970000">', r"rij 4\.294\.967\.297\.000"),
     (b'<c r="AAAAAAAAAAAB1">', "kolom"),
     (b'<c r="gr0000001">', None), (b'<c r="A01048576">', None)],
    ids=["a row with a leading zero", "a row element", "many leading zeros", "more digits than a row has",
         "more letters than a column has", "an honest column with zeros", "Excel's last row with a zero"],
)
def test_references_calamine_reads_are_measured_as_it_reads_them(xml, message):
    # calamine reads every letter and digit (its counters wrap around): "A02000000" is row 2,000,000 to it, and a
    # grid that tall or wide is what the guard keeps out, so no spelling of a reference may pass unmeasured.
    if message is None:
        guard._check_cell_refs(xml, "werkblad 1")
        return
    assert guard._may_hold_offending_ref(xml)
    with pytest.raises(guard._Refused, match=message):
        guard._check_cell_refs(xml, "werkblad 1")


def test_a_workbook_with_a_far_row_behind_a_leading_zero_is_refused():
    source = zipfile.ZipFile(io.BytesIO(_one_cell_workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*/>", b"", data).replace(b'r="A2"', b'r="A02000000"')
                assert b'r="A02000000"' in data
            target.writestr(info.filename, data)
    assert "rij 2.000.000" in refused(buffer.getvalue())


def _one_cell_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "kop"
    workbook.active["A2"] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SHEET_PART = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
FILLER = b'<row r="5"><c r="B5" t="s"><v>3</v></c></row>' * 40  # honest XML, longer than the seam on both sides


@pytest.mark.parametrize(
    ("needle", "message"),
    [(b'<c r="XFD7"><v>1</v></c>', "cel XFD7"), (b"<!DOCTYPE x>", "DOCTYPE- of ENTITY-declaratie"),
     (b"<c r = 'a2000000'>", r"rij 2\.000\.000")],
    ids=["a cell far right", "a DTD", "a row far down"],
)
def test_the_scan_finds_what_a_chunk_boundary_splits_wherever_it_falls(needle, message):
    # Chunks are searched on their own and across each seam (the overlap on both sides), never joined whole.
    xml = FILLER + needle + FILLER
    start = len(FILLER)
    for cut in range(start - 2, start + len(needle) + 2):
        with pytest.raises(guard._Refused, match=message):
            guard._scan_chunks([xml[:cut], xml[cut:]], SHEET_PART, sheet_label="werkblad 1")
    for cut in range(start - 2, start + len(needle) + 2):  # and split again by a chunk shorter than the seam
        with pytest.raises(guard._Refused, match=message):
            guard._scan_chunks([xml[:cut], xml[cut:cut + 3], xml[cut + 3:]], SHEET_PART, sheet_label="werkblad 1")


def test_an_honest_sheet_in_chunks_passes_the_scan():
    xml = b'<worksheet><dimension ref="A1:J9"/><sheetData>' + FILLER * 3 + b"</sheetData></worksheet>"
    guard._scan_chunks([xml[i:i + 100] for i in range(0, len(xml), 100)], SHEET_PART, sheet_label="werkblad 1")


def test_the_fast_dtd_prefilter_agrees_with_the_pattern():
    # Only what RE2 flags is looked at by `re`: it must flag every DTD `re` finds, in any case.
    rng = random.Random(20)
    pieces = [b"<", b"!", b"DOC", b"doc", b"TYPE", b"type", b"EnT", b"ity", b"ITY", b"D", b"\xc3", b"\xff", b" ", b"x"]
    for _ in range(3000):
        window = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        assert bool(guard.DTD_PREFILTER.search(window)) == bool(guard.DTD_PATTERN.search(window)), window
    assert guard.DTD_PREFILTER.search(b"<!DoCtYpE") and guard.DTD_PREFILTER.search(b"<!entity")


# Robustness ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_mutated_workbooks_never_raise(seed: int):
    rng = random.Random(seed)
    original = hostile.valid_workbook()
    for _ in range(150):
        data = bytearray(original)
        if rng.random() < 0.3:
            data = data[: rng.randrange(4, len(data))]
        for _ in range(rng.randrange(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        result = checked(bytes(data))
        assert result.ok or result.message_nl
        assert "niet veilig worden gecontroleerd" not in (result.message_nl or "")  # every case handled
        if result.ok:
            # Whatever the guard lets through, openpyxl must be able to open or refuse normally.
            try:
                openpyxl.load_workbook(io.BytesIO(bytes(data)), read_only=True).close()
            except Exception as error:  # any parser error is acceptable; a crash or hang is not
                assert not isinstance(error, MemoryError | RecursionError)


def test_unexpected_errors_fail_closed(monkeypatch: pytest.MonkeyPatch):
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(guard, "_check_magic", broken)
    result = check_upload(hostile.valid_workbook(), "cohort.xlsx", max_bytes=LIMIT)
    assert not result.ok
    assert "niet veilig worden gecontroleerd" in result.message_nl


def test_defusedxml_is_required(monkeypatch: pytest.MonkeyPatch):
    ensure_defusedxml()  # installed in this environment
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        ensure_defusedxml()


BUILDERS: list[Callable[[], bytes]] = [
    hostile.pdf_renamed, hostile.elf_stub, hostile.pe_stub, hostile.xls_like, hostile.encrypted_workbook,
    hostile.xlsb_workbook, hostile.xlsm_workbook, hostile.ods_renamed, hostile.truncated_workbook,
    hostile.zip_bomb, hostile.lying_size_header, hostile.billion_laughs, hostile.external_entity, hostile.utf16_doctype,
    hostile.far_cell, hostile.many_columns, hostile.many_members, hostile.traversal_member,
]


@pytest.mark.parametrize("build", BUILDERS, ids=lambda build: build.__name__)
def test_every_hostile_file_is_refused_in_dutch(build: Callable[[], bytes]):
    message = refused(build())
    assert message.endswith(".")
    assert any(word in message for word in ("Excel", "bestand", "werkmap"))
