"""Inspect uploaded bytes before any parser sees them.

openpyxl and calamine (fastexcel) are built to read honest workbooks. A hostile or broken file can make
them allocate gigabytes (zip bombs, lying size headers, one cell at XFD1048576 turning a sparse sheet into
a 17-billion-cell grid), expand XML entities, or fail with an unreadable traceback. This module looks at
the bytes first, cheapest checks first, and only ever decompresses in bounded chunks. It never raises: every
outcome is an `UploadCheck` with a Dutch message that names the problem and what to do about it.

The file name is only ever displayed (`safe_display_name`), never used as a path.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import openpyxl
import re2
from defusedxml import ElementTree as SafeET

from cohort.fmt import fmt_int, fmt_size

MB = 1024 * 1024  # Streamlit's maxUploadSize counts in these units as well

# Limits. A real Cohortaanpak workbook is a few MB with ~25 columns and at most tens of thousands of rows;
# these leave a wide margin for honest files and still bound memory and time for hostile ones.
MAX_MEMBERS = 2_000
# Uncompressed size of one part. Sized for the largest upload we promise to handle: a maandcijfers sheet of 1M
# rows x 12 columns unpacks to about 434 MB of sheet XML (bench/results.md), so 200 MB refused it. 640 MB keeps
# a 1.5x margin for longer names and more optional columns. This limit is not what bounds the guard's memory:
# parts are inflated in OUT_CHUNK pieces and never held whole (except the small ones under MAX_METADATA_BYTES).
# Zip bombs stay refused by MAX_RATIO (honest sheet XML compresses 5-50x, a bomb about 1,000x) and by
# `_decompressed`, which stops as soon as a part outgrows its declared size.
MAX_MEMBER_BYTES = 640 * MB
# Uncompressed size of all parts together: the 1M-row sheet plus the other sheets, styles and shared strings.
# Bounds the time the guard spends inflating (the 1M-row workbook: about 5 s, peak 88 MB) rather than memory.
MAX_TOTAL_BYTES = 800 * MB
MAX_RATIO = 200  # uncompressed / compressed of one part; honest XML compresses 5-50x
RATIO_FLOOR_BYTES = 1 * MB  # below this a high ratio is harmless (tiny, repetitive parts)
MAX_CENTRAL_DIRECTORY_BYTES = 4 * MB  # 2,000 entries with generous names fit easily
MAX_METADATA_BYTES = 20 * MB  # parts we parse as a whole: content types, workbook, relationships
MAX_COLUMNS = 200  # the contract has ~25 columns
MAX_ROWS = 1_100_000  # above Excel's own 1,048,576: only malformed files get here
MAX_NAME_CHARS = 120

HEAD_BYTES = 64 * 1024  # the <dimension> element sits in the first few hundred bytes of a sheet
IN_CHUNK = 64 * 1024
OUT_CHUNK = 1 * MB
OVERLAP = 64  # longer than any pattern we look for, so nothing hides across a chunk boundary

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
EOCD_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature .. name length, extra length (30 bytes)

CT_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_TEMPLATE = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
CT_MACRO = "application/vnd.ms-excel.sheet.macroenabled.main+xml"
CT_MACRO_TEMPLATE = "application/vnd.ms-excel.template.macroenabled.main+xml"
CT_BINARY = "application/vnd.ms-excel.sheet.binary.macroenabled.main"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL_ATTR = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

XML_SUFFIXES = (".xml", ".rels", ".vml")

SAVE_AS_XLSX = "Sla het bestand in Excel op als Excel-werkmap (.xlsx) en upload het opnieuw."
RESAVE = (
    "Dit komt in een gewone Excel-werkmap niet voor. Open het bestand in Excel, sla het op als nieuwe "
    "Excel-werkmap (.xlsx) en upload het opnieuw; lukt dat niet, gebruik dan het sjabloon."
)
NOT_A_WORKBOOK = "Dit is geen Excel-werkmap (.xlsx)."
DAMAGED = (
    "Het bestand is beschadigd of onvolledig (bijvoorbeeld door een afgebroken download of upload). "
    "Open het in Excel, sla het opnieuw op als Excel-werkmap (.xlsx) en upload het nog eens."
)

EXTENSION_MESSAGES: dict[str, str] = {
    ".xls": "Dit is een oud Excel-bestand (.xls). " + SAVE_AS_XLSX,
    ".xlsb": "Dit is een binaire Excel-werkmap (.xlsb); die kan de Cohortmonitor niet veilig lezen. "
    + SAVE_AS_XLSX,
    ".xlsm": "Dit is een Excel-werkmap met macro's (.xlsm); macro's worden niet geaccepteerd. "
    "Sla het bestand op als Excel-werkmap (.xlsx) (zonder macro's) en upload het opnieuw.",
    ".xltx": "Dit is een Excel-sjabloon (.xltx). " + SAVE_AS_XLSX,
    ".xltm": "Dit is een Excel-sjabloon met macro's (.xltm). " + SAVE_AS_XLSX,
    ".csv": "Dit is een CSV-bestand. Open het in Excel en sla het op als Excel-werkmap (.xlsx), "
    "of neem de gegevens over in het sjabloon.",
    ".ods": "Dit is een OpenDocument-rekenblad (.ods). Kies in LibreOffice ‘Bestand > Opslaan als’ en "
    "dan ‘Excel 2007-365 (.xlsx)’, en upload het opnieuw.",
}

# Magic bytes of things that are clearly not a workbook, so the message can say what it is instead.
FOREIGN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "Dit is een PDF-bestand, geen Excel-werkmap. Upload de Excel-werkmap (.xlsx) zelf."),
    (b"MZ", "Dit is een programmabestand (Windows), geen Excel-werkmap. Upload de Excel-werkmap (.xlsx)."),
    (b"\x7fELF", "Dit is een programmabestand (Linux), geen Excel-werkmap. Upload de Excel-werkmap (.xlsx)."),
)

# Encrypted OOXML is wrapped in a CFB container with these stream names (UTF-16LE directory entries).
ENCRYPTION_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


# A DTD is never legitimate in an xlsx part. XML parts may also be UTF-16, which puts NUL bytes between
# the characters; UTF-8 XML never contains NUL, so the slower UTF-16 patterns only run when one is present.
DTD_PATTERN = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
DTD_PATTERN_UTF16 = re.compile(rb"<\x00!\x00[DEde]\x00|\x00<\x00!\x00[DEde]")
# The same for RE2, three times as fast: it says whether a chunk may hold one, and `re` decides (as for the cell
# references below). RE2 folds case over Latin-1, which adds no other spelling of these ASCII letters.
DTD_PREFILTER = re2.compile(DTD_PATTERN.pattern.replace(b"<!", b"(?i)<!", 1))
DIMENSION_PATTERN = re.compile(rb"<(?:\w+:)?dimension\b[^>]{0,200}?\bref\s*=\s*[\"']([^\"']{1,40})[\"']")
# Only cell references that break a limit match, so honest sheets cost one regex pass and no Python loop:
# columns after GR (= column 200) or rows with 7+ digits (then compared in Python). Spelled without
# IGNORECASE or a lookbehind, which make the scan several times slower; the character before the match
# is checked in Python, for the few matches there are.
OFFENDING_REF_PATTERN = re.compile(
    rb"r\s*=\s*[\"']((?:[A-Za-z]{3,}|[Gg][S-Zs-z]|[H-Zh-z][A-Za-z])[0-9]+|[A-Za-z]{0,3}0*[1-9][0-9]{6,})[\"']"
)
ATTRIBUTE_START = frozenset(b" \t\r\n:")  # 'r' is the whole attribute name (or 'x:r'), not 'error'
# The same pattern for RE2 (google-re2, a DFA), which scans a sheet's XML five to ten times faster than `re`: it
# only says whether a chunk holds a match at all, and `re` then looks at the rare chunk that does. `\s` is spelled
# out because RE2's has no vertical tab and Python's (for bytes) has. A bytes pattern makes RE2 read Latin-1, so
# any byte sequence (a UTF-8 character cut at a chunk boundary, a UTF-16 part) is searched as it is.
OFFENDING_REF_PREFILTER = re2.compile(OFFENDING_REF_PATTERN.pattern.replace(rb"\s", rb"[ \t\n\r\f\v]"))

# Any number of letters and digits: calamine reads them all (leading zeros too: "A02000000" is row 2,000,000) and
# its counters wrap around, so a reference too long to compute is refused as outside the limits, never skipped.
CELL_REF = re.compile(r"^\$?([A-Za-z]*)\$?([0-9]*)$")
MAX_REF_LETTERS, MAX_REF_DIGITS = 7, 12  # beyond these a reference is far outside any limit


@dataclass(frozen=True)
class UploadCheck:
    ok: bool
    message_nl: str | None  # None when ok
    safe_name: str  # for display only


class _Refused(Exception):
    """Internal: stops the checks with a Dutch message."""

    def __init__(self, message_nl: str) -> None:
        super().__init__(message_nl)
        self.message_nl = message_nl


def ensure_defusedxml() -> None:
    """Refuse to run when openpyxl would parse XML without defusedxml (entity expansion, external entities).

    openpyxl only uses defusedxml when it is installed and not disabled with OPENPYXL_DEFUSEDXML=False.
    """
    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise RuntimeError(
            "openpyxl gebruikt defusedxml niet: installeer defusedxml en zet OPENPYXL_DEFUSEDXML niet "
            "op False."
        )


ensure_defusedxml()


def too_large(size: int, max_bytes: int) -> str | None:
    """Dutch message when `size` exceeds `max_bytes`, else None; usable before the bytes are read."""
    if size <= max_bytes:
        return None
    return (
        f"Het bestand is {fmt_size(size, round_up=True)}; de grens is {fmt_size(max_bytes)}. "
        "Verwijder overbodige tabbladen, opmaak of afbeeldingen, of lever de gegevens in delen aan."
    )


def safe_display_name(filename: str) -> str:
    """The file name as it may be shown: no directories, no control or bidi characters, bounded length."""
    name = unicodedata.normalize("NFC", str(filename or ""))
    name = re.split(r"[\\/]", name)[-1]
    # Cc: control characters; Cf: format characters such as U+202E, which can disguise "xslx.exe".
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp", "Cs"})
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "bestand"
    if len(name) > MAX_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_CHARS - len(extension) - 2] + "…." + extension
        else:
            name = name[: MAX_NAME_CHARS - 1] + "…"
    return name


def check_upload(data: bytes, filename: str, *, max_bytes: int) -> UploadCheck:
    """Decide whether `data` may be handed to a workbook parser. Never raises."""
    try:
        safe_name = safe_display_name(filename)
    except Exception:
        safe_name = "bestand"
    try:
        _check(bytes(data), safe_name, max_bytes)
    except _Refused as refused:
        return UploadCheck(False, refused.message_nl, safe_name)
    except Exception:
        # Fail closed: anything unexpected means we could not show the file is safe.
        return UploadCheck(
            False,
            "Het bestand kon niet veilig worden gecontroleerd en is daarom niet ingelezen. " + RESAVE,
            safe_name,
        )
    return UploadCheck(True, None, safe_name)


def _check(data: bytes, safe_name: str, max_bytes: int) -> None:
    message = too_large(len(data), max_bytes)
    if message:
        raise _Refused(message)
    _check_extension(safe_name)
    _check_magic(data)
    try:
        archive = zipfile.ZipFile(_open_zip(data))
    except (zipfile.BadZipFile, NotImplementedError, struct.error, EOFError, ValueError) as error:
        # zipfile's own verdict on a broken or exotic central directory.
        raise _Refused(DAMAGED) from error
    with archive:
        infos = _check_directory(archive, data)
        _check_parts(data, infos)


def _check_extension(safe_name: str) -> None:
    _, dot, extension = safe_name.rpartition(".")
    extension = "." + extension.lower() if dot else ""
    if extension == ".xlsx":
        return
    if extension in EXTENSION_MESSAGES:
        raise _Refused(EXTENSION_MESSAGES[extension])
    shown = f"de extensie ‘{extension}’" if extension else "geen extensie"
    raise _Refused(
        f"Alleen Excel-werkmappen (.xlsx) kunnen worden geüpload; dit bestand heeft {shown}. "
        "Kies de Excel-werkmap met de gegevens, of sla de gegevens op als Excel-werkmap (.xlsx)."
    )


def _check_magic(data: bytes) -> None:
    if not data:
        raise _Refused("Het bestand is leeg. Kies de Excel-werkmap (.xlsx) met de gegevens.")
    if data.startswith(OLE2_SIGNATURE[:4]):
        if any(marker in data for marker in ENCRYPTION_MARKERS):
            raise _Refused(
                "De werkmap is beveiligd met een wachtwoord (versleuteld) en kan daarom niet worden gelezen. "
                "Open het bestand in Excel, haal het wachtwoord weg (Bestand > Info > Werkmap beveiligen > "
                "Versleutelen met wachtwoord, veld leegmaken), sla het op als Excel-werkmap (.xlsx) en "
                "upload het opnieuw."
            )
        raise _Refused(
            "Dit is een oud Excel-bestand (.xls) of een ander ouder Office-bestand, ook al eindigt de "
            "naam op .xlsx. " + SAVE_AS_XLSX
        )
    for signature, message in FOREIGN_SIGNATURES:
        if data.startswith(signature):
            raise _Refused(message)
    if not data.startswith(ZIP_SIGNATURE):
        raise _Refused(NOT_A_WORKBOOK + " Kies de Excel-werkmap met de gegevens en upload die.")


def _open_zip(data: bytes) -> io.BytesIO:
    """Check the end record before zipfile parses the central directory, which it does in full."""
    start = data.rfind(EOCD_SIGNATURE, max(0, len(data) - 22 - 65_535))
    if start < 0 or len(data) < start + 22:
        raise _Refused(DAMAGED)
    entries, directory_size = struct.unpack_from("<HL", data, start + 10)
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        entries, directory_size = _zip64_counts(data, start)
    if entries > MAX_MEMBERS:
        raise _Refused(
            f"Het bestand bestaat uit {fmt_int(entries)} onderdelen; een Excel-werkmap heeft er hooguit "
            f"enkele honderden (grens {fmt_int(MAX_MEMBERS)}). " + RESAVE
        )
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise _Refused("De inhoudsopgave van het bestand is onverwacht groot. " + RESAVE)
    return io.BytesIO(data)


def _zip64_counts(data: bytes, eocd_start: int) -> tuple[int, int]:
    locator = eocd_start - 20
    if locator < 0 or data[locator : locator + 4] != ZIP64_LOCATOR_SIGNATURE:
        raise _Refused(DAMAGED)
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 56 > len(data) or data[record : record + 4] != ZIP64_EOCD_SIGNATURE:
        raise _Refused(DAMAGED)
    entries, directory_size = struct.unpack_from("<QQ", data, record + 32)
    return entries, directory_size


def _check_directory(archive: zipfile.ZipFile, data: bytes) -> list[zipfile.ZipInfo]:
    """Everything the central directory tells us, without decompressing anything."""
    infos = archive.infolist()
    if not infos:
        raise _Refused(NOT_A_WORKBOOK + " Het is een leeg zip-bestand.")
    if len(infos) > MAX_MEMBERS:
        raise _Refused(f"Het bestand bestaat uit te veel onderdelen ({len(infos)}). " + RESAVE)
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        parts = re.split(r"[\\/]", name)
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or "\x00" in name:
            raise _Refused(
                f"Het bestand bevat een onderdeel met een ongeldige naam (‘{_shown(name)}’). " + RESAVE
            )
        # OPC part names are case-insensitive; two parts that differ only in case are ambiguous.
        key = name.lower()
        if key in seen:
            raise _Refused(f"Het bestand bevat het onderdeel ‘{_shown(name)}’ twee keer. " + RESAVE)
        seen.add(key)
        if info.flag_bits & 0x1:
            raise _Refused(
                "Het bestand is met een wachtwoord versleuteld. Haal de beveiliging weg in Excel, sla het op "
                "als Excel-werkmap (.xlsx) en upload het opnieuw."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused("Het bestand is ingepakt met een onbekende compressiemethode. " + RESAVE)
        if info.file_size > MAX_MEMBER_BYTES:
            raise _Refused(
                f"Het onderdeel ‘{_shown(name)}’ wordt uitgepakt "
                f"{fmt_size(info.file_size, round_up=True)} groot; de grens is "
                f"{fmt_size(MAX_MEMBER_BYTES)}. " + RESAVE
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _Refused(
                f"Het bestand wordt uitgepakt meer dan {fmt_size(MAX_TOTAL_BYTES)} groot. " + RESAVE
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _Refused(
                f"Het onderdeel ‘{_shown(name)}’ is meer dan {MAX_RATIO} keer samengeperst "
                "(een zogenaamde zip-bom). " + RESAVE
            )
    _check_no_overlap(infos, data)
    return infos


def _check_no_overlap(infos: list[zipfile.ZipInfo], data: bytes) -> None:
    # Overlapping entries let a small file expand many times over (the "overlapped" zip bomb).
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for current, following in itertools.pairwise(ordered):
        if _data_span(data, current)[1] > following.header_offset:
            raise _Refused("Onderdelen van het bestand overlappen elkaar. " + RESAVE)
    _data_span(data, ordered[-1])  # refuses when the last part runs past the end of the file


def _check_parts(data: bytes, infos: list[zipfile.ZipInfo]) -> None:
    by_name = {info.filename.lower(): info for info in infos}
    content_types = by_name.get("[content_types].xml")
    if content_types is None:
        if "mimetype" in by_name:
            raise _Refused(EXTENSION_MESSAGES[".ods"])
        raise _Refused(NOT_A_WORKBOOK + " Het is een ander soort zip-bestand. Kies de Excel-werkmap.")
    workbook_part, worksheet_types = _read_content_types(_read_whole(data, content_types))
    sheet_names = _sheet_names(data, by_name, workbook_part)
    worksheet_parts = set(sheet_names) | worksheet_types
    worksheet_parts |= {name for name in by_name if re.fullmatch(r"xl/worksheets/[^/]+\.xml", name)}
    fallback_numbers = {part: n for n, part in enumerate(sorted(worksheet_parts), start=1)}
    for info in infos:
        key = info.filename.lower()
        if key in worksheet_parts:
            name = sheet_names.get(key)
            label = f"werkblad ‘{name}’" if name else f"werkblad {fallback_numbers[key]}"
            _scan_member(data, info, sheet_label=label)
        elif key.endswith(XML_SUFFIXES):
            _scan_member(data, info, sheet_label=None)
        else:
            # Binary parts (images, printer settings) are not parsed, but their declared size must be true.
            for _ in _decompressed(data, info):
                pass


def _read_content_types(xml: bytes) -> tuple[str, set[str]]:
    try:
        root = SafeET.fromstring(xml)
    except Exception as error:
        raise _Refused(DAMAGED) from error
    workbook_part = None
    worksheets: set[str] = set()
    for override in root.iter(f"{NS_CT}Override"):
        content_type = (override.get("ContentType") or "").strip().lower()
        part = (override.get("PartName") or "").lstrip("/").lower()
        if content_type in (CT_WORKBOOK, CT_TEMPLATE):
            workbook_part = part
        elif content_type in (CT_MACRO, CT_MACRO_TEMPLATE):
            raise _Refused(EXTENSION_MESSAGES[".xlsm"])
        elif content_type == CT_BINARY:
            raise _Refused(EXTENSION_MESSAGES[".xlsb"])
        elif content_type == CT_WORKSHEET:
            worksheets.add(part)
        elif "wordprocessingml.document" in content_type:
            raise _Refused("Dit is een Word-document, geen Excel-werkmap. Upload de Excel-werkmap (.xlsx).")
        elif "presentationml.presentation" in content_type:
            raise _Refused(
                "Dit is een PowerPoint-bestand, geen Excel-werkmap. Upload de Excel-werkmap (.xlsx)."
            )
    if workbook_part is None:
        raise _Refused(NOT_A_WORKBOOK + " Er zit geen werkmap in het bestand. Kies de Excel-werkmap.")
    return workbook_part, worksheets


def _sheet_names(data: bytes, by_name: dict[str, zipfile.ZipInfo], workbook_part: str) -> dict[str, str]:
    """Worksheet part name (lower case) -> sheet name as the evaluator sees it; empty when not cheap."""
    workbook = by_name.get(workbook_part)
    if workbook is None:
        raise _Refused(NOT_A_WORKBOOK + " De werkmap zelf ontbreekt in het bestand. " + RESAVE)
    folder, base = posixpath.split(workbook_part)
    rels = by_name.get(posixpath.join(folder, "_rels", base + ".rels"))
    if rels is None:
        return {}
    try:
        workbook_root = SafeET.fromstring(_read_whole(data, workbook))
        rels_root = SafeET.fromstring(_read_whole(data, rels))
    except _Refused:
        raise
    except Exception:
        return {}  # the parsers will report a broken workbook.xml in their own words
    targets: dict[str, str] = {}
    for relation in rels_root.iter(f"{NS_PKG_REL}Relationship"):
        target = relation.get("Target") or ""
        if relation.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        targets[relation.get("Id") or ""] = posixpath.normpath(path).lower()
    names: dict[str, str] = {}
    for sheet in workbook_root.iter(f"{NS_MAIN}sheet"):
        part = targets.get(sheet.get(NS_REL_ATTR) or "")
        if part:
            names[part] = _shown(sheet.get("name") or "")
    return names


def _read_whole(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A small part we parse as a whole, after the same DTD and size checks as every other part."""
    if info.file_size > MAX_METADATA_BYTES:
        raise _Refused(f"Het onderdeel ‘{_shown(info.filename)}’ is onverwacht groot. " + RESAVE)
    chunks = []
    tail = b""
    for chunk in _decompressed(data, info):
        _check_dtd(tail + chunk, info)
        tail = chunk[-OVERLAP:]
        chunks.append(chunk)
    return b"".join(chunks)


def _scan_member(data: bytes, info: zipfile.ZipInfo, *, sheet_label: str | None) -> None:
    _scan_chunks(_decompressed(data, info), info, sheet_label=sheet_label)


def _scan_chunks(chunks: Iterable[bytes], info: zipfile.ZipInfo, *, sheet_label: str | None) -> None:
    """The checks of one part's XML, chunk by chunk: DTDs, and in a worksheet its dimension and cell references.

    Each chunk is searched on its own and so is its seam with the previous one (the last OVERLAP bytes of that
    and the first OVERLAP of this), so a match of up to OVERLAP + 1 bytes is found wherever the chunks split it.
    Searching the previous tail joined to the whole chunk found the same, but copied every part once more: a
    fifth of the guard's time on a 100,000-row sheet."""
    tail = b""
    head = b""
    dimension_checked = sheet_label is None
    for chunk in chunks:
        seam = tail + chunk[:OVERLAP]
        _check_dtd(seam, info)
        _check_dtd(chunk, info)
        if sheet_label is not None:
            if not dimension_checked:
                head += chunk[: HEAD_BYTES - len(head)]
                match = DIMENSION_PATTERN.search(head)
                if match or len(head) >= HEAD_BYTES:
                    dimension_checked = True
                    if match:
                        _check_dimension(match.group(1).decode("ascii", "replace"), sheet_label)
            for window in (seam, chunk):
                if _may_hold_offending_ref(window):
                    _check_cell_refs(window, sheet_label)
        tail = seam[-OVERLAP:] if len(chunk) <= OVERLAP else chunk[-OVERLAP:]


def _check_dtd(window: bytes, info: zipfile.ZipInfo) -> None:
    if (DTD_PREFILTER.search(window) is not None and DTD_PATTERN.search(window)) or (
        b"\x00" in window and DTD_PATTERN_UTF16.search(window)
    ):
        raise _Refused(
            f"Het onderdeel ‘{_shown(info.filename)}’ bevat een DOCTYPE- of ENTITY-declaratie. Daarmee "
            "kan een bestand de server aanvallen (entiteiten-expansie of het lezen van andere bestanden). "
            + RESAVE
        )


def _check_dimension(ref: str, sheet_label: str) -> None:
    corner = ref.split(":")[-1]
    parsed = _parse_ref(corner)
    if parsed is None:
        return
    column, row = parsed
    _refuse_if_outside(column, row, corner.replace("$", "").upper(), sheet_label)


def _may_hold_offending_ref(window: bytes) -> bool:
    """Could `_check_cell_refs` refuse this window? Never False when it would (tested against the pattern)."""
    return OFFENDING_REF_PREFILTER.search(window) is not None


def _check_cell_refs(window: bytes, sheet_label: str) -> None:
    for match in OFFENDING_REF_PATTERN.finditer(window):
        if match.start() > 0 and window[match.start() - 1] not in ATTRIBUTE_START:
            continue
        ref = match.group(1).decode("ascii")
        parsed = _parse_ref(ref)
        if parsed is not None:
            column, row = parsed
            _refuse_if_outside(column, row, ref.upper(), sheet_label)


def _refuse_if_outside(column: int, row: int, ref: str, sheet_label: str) -> None:
    if column > MAX_COLUMNS:
        raise _Refused(
            f"In {sheet_label} wordt cel {_shown(ref, 20)} gebruikt: dat is kolom {fmt_int(column)}, terwijl"
            f" een werkmap voor de Cohortmonitor hooguit {MAX_COLUMNS} kolommen nodig heeft. "
            "Verwijder de lege of overbodige kolommen (ook opmaak) rechts van de gegevens, sla op en upload "
            "opnieuw."
        )
    if row > MAX_ROWS:
        raise _Refused(
            f"In {sheet_label} wordt cel {_shown(ref, 20)} gebruikt: dat is rij {fmt_int(row)}, meer dan de grens "
            f"van {fmt_int(MAX_ROWS)} rijen. " + RESAVE
        )


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """'XFD1048576' -> (16384, 1048576); a missing part counts as 1 (whole-row/column references)."""
    match = CELL_REF.match(ref.strip())
    if not match:
        return None
    letters, digits = match.groups()
    digits = digits.lstrip("0") or ("0" if digits else "")
    column = 0
    for letter in letters.upper()[:MAX_REF_LETTERS + 1]:
        column = column * 26 + (ord(letter) - 64)
    row = int(digits[:MAX_REF_DIGITS + 1]) if digits else 1
    return max(column, 1), max(row, 1)


def _decompressed(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in chunks of at most OUT_CHUNK, refusing as soon as it outgrows its declared size.

    zipfile itself silently stops at the declared size; other readers (calamine's zip crate) inflate until
    the deflate stream ends. So we inflate the raw stream ourselves, with a hard output cap per call.
    """
    raw = _raw_stream(data, info)
    produced = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise _Refused(_lying(info))
        for start in range(0, len(raw), OUT_CHUNK):
            chunk = bytes(raw[start : start + OUT_CHUNK])
            crc = zlib.crc32(chunk, crc)
            yield chunk
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        position = 0
        while not inflater.eof:
            if inflater.unconsumed_tail:
                pending: bytes | memoryview = inflater.unconsumed_tail
            elif position < len(raw):
                pending = raw[position : position + IN_CHUNK]
                position += IN_CHUNK
            else:
                pending = b""
            try:
                chunk = inflater.decompress(pending, OUT_CHUNK)
            except zlib.error as error:
                raise _Refused(DAMAGED) from error
            if not chunk and not pending:
                raise _Refused(DAMAGED)  # the compressed stream stops before its end marker
            produced += len(chunk)
            if produced > info.file_size:
                raise _Refused(_lying(info))
            if chunk:
                crc = zlib.crc32(chunk, crc)
                yield chunk
        if produced != info.file_size:
            raise _Refused(DAMAGED)
    if crc != info.CRC:
        raise _Refused(DAMAGED)


def _raw_stream(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    start, end = _data_span(data, info)
    return memoryview(data)[start:end]


def _data_span(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Start and end of the part's compressed bytes, from its local header."""
    offset = info.header_offset
    if offset < 0 or offset + LOCAL_HEADER.size > len(data):
        raise _Refused(DAMAGED)
    fields = LOCAL_HEADER.unpack_from(data, offset)
    if fields[0] != ZIP_SIGNATURE:
        raise _Refused(DAMAGED)
    name_length, extra_length = fields[-2], fields[-1]
    start = offset + LOCAL_HEADER.size + name_length + extra_length
    end = start + info.compress_size
    if end > len(data):
        raise _Refused(DAMAGED)
    return start, end


def _lying(info: zipfile.ZipInfo) -> str:
    return (
        f"Het onderdeel ‘{_shown(info.filename)}’ wordt bij uitpakken groter dan het bestand zelf opgeeft: "
        "het bestand is beschadigd of zo gemaakt dat het de server overbelast. " + RESAVE
    )


def _shown(text: str, limit: int = 60) -> str:
    """Names from inside the file, made safe and short for a message."""
    cleaned = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp", "Cs"})
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
