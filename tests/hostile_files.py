"""Hostile and broken uploads, built in code (no binaries checked in), for the upload guard's tests.

Every builder returns the bytes of one file; the file name is chosen by the test. Builders are cached
because several are slow to build (the zip bomb) and bytes are immutable.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import date
from functools import cache

import openpyxl

MB = 1024 * 1024
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@cache
def valid_workbook() -> bytes:
    """A small, honest workbook in the shape of the contract."""
    workbook = openpyxl.Workbook()
    units = workbook.active
    units.title = "eenheden"
    units.append(["code", "naam", "soort", "stadsdeel", "start", "eind"])
    units.append(["DX01", "Centrum-West", "gebied", "Centrum", date(2019, 11, 1), date(2020, 10, 31)])
    units.append(["DX02", "Centrum-Oost", "gebied", "Centrum", date(2021, 1, 1), None])
    monthly = workbook.create_sheet("maandcijfers")
    monthly.append(["maand", "code", "bijstand", "gesprekken", "uitstroom", "uitstroom_werk"])
    for month in (1, 2, 3):
        monthly.append([date(2020, month, 1), "DX01", 1000, 50, 25, 12])
    return _save(workbook)


def pdf_renamed() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def elf_stub() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(56)


def pe_stub() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(54) + b"This program cannot be run in DOS mode."


def xls_like() -> bytes:
    """A CFB (OLE2) header as old .xls files have, with a 'Workbook' stream name in the directory."""
    header = OLE2_SIGNATURE + bytes(16) + struct.pack("<HHH", 0x3E, 0x03, 0xFFFE) + bytes(512 - 30)
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\0") + "Workbook".encode("utf-16-le").ljust(
        128, b"\0"
    )
    return header + directory.ljust(512, b"\0")


def encrypted_workbook() -> bytes:
    """What Excel writes for a password-protected .xlsx: a CFB container with the encryption streams."""
    names = ("Root Entry", "EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\0") for name in names)
    header = OLE2_SIGNATURE + bytes(16) + struct.pack("<HHH", 0x3E, 0x03, 0xFFFE) + bytes(512 - 30)
    return header + directory + bytes(4096)


def xlsb_workbook() -> bytes:
    """An .xlsx-named zip whose content types declare a binary (xlsb) workbook."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        '<Override PartName="/xl/workbook.bin" '
        'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        "</Types>"
    )
    return _zip({"[Content_Types].xml": content_types.encode(), "xl/workbook.bin": b"\x83\x01\x00"})


def xlsm_workbook() -> bytes:
    """A valid workbook whose content types say it carries macros."""
    def to_macro(xml: bytes) -> bytes:
        return xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )

    return _rewrite(valid_workbook(), {"[Content_Types].xml": to_macro})


def ods_renamed() -> bytes:
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
        }
    )


def truncated_workbook() -> bytes:
    data = valid_workbook()
    return data[: len(data) // 2]


@cache
def zip_bomb(member_bytes: int = 300 * MB) -> bytes:
    """A workbook whose first sheet inflates to `member_bytes` of zeros (about 1,000 : 1), with honest headers.

    Deflating 300 MB takes seconds, so one flushed 1 MB block of zeros is deflated once and repeated: after
    a full flush the compressor forgets its history, so every block is byte-for-byte the same.
    """
    raw, crc = _repeated_deflate(b"", bytes(MB), member_bytes // MB)
    members = _raw_members(valid_workbook())
    members["xl/worksheets/sheet1.xml"] = (raw, crc, member_bytes)
    return _raw_zip(members)


@cache
def lying_size_header(real_bytes: int = 50 * MB) -> bytes:
    """The sheet's headers claim 4 kB, but its deflate stream inflates to more than `real_bytes`."""
    sheet = _members(valid_workbook())["xl/worksheets/sheet1.xml"]
    raw, crc = _repeated_deflate(sheet + b"<!-- ", b" " * MB, real_bytes // MB)
    members = _raw_members(valid_workbook())
    members["xl/worksheets/sheet1.xml"] = (raw, crc, 4096)
    return _raw_zip(members)


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10)
    )
    return _inject_doctype(f"<!DOCTYPE worksheet [{entities}]>", "&lol9;")


def external_entity() -> bytes:
    return _inject_doctype('<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;")


def utf16_doctype() -> bytes:
    """An external entity in a UTF-16 part, where a byte search for '<!DOCTYPE' would find nothing."""
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x/>'
    return _rewrite(valid_workbook(), {"docProps/app.xml": lambda _: xml.encode("utf-16")})


def far_cell() -> bytes:
    """One value in A1 and one in XFD1048576: a sparse grid of 17 billion cells for a naive reader."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "eenheden"
    sheet["A1"] = "code"
    sheet["XFD1048576"] = 1
    return _save(workbook)


def far_cell_without_dimension() -> bytes:
    """As `far_cell`, with the <dimension> element removed, so only the cell scan can find it."""
    def strip_dimension(xml: bytes) -> bytes:
        start = xml.index(b"<dimension")
        return xml[:start] + xml[xml.index(b"/>", start) + 2 :]

    return _rewrite(far_cell(), {"xl/worksheets/sheet1.xml": strip_dimension})


def many_columns(columns: int = 2_000) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "maandcijfers"
    sheet.append([f"kolom{n}" for n in range(1, columns + 1)])
    sheet.append(list(range(columns)))
    return _save(workbook)


def many_members(count: int = 2_001) -> bytes:
    members = _members(valid_workbook())
    members.update({f"xl/media/image{n}.png": b"" for n in range(count - len(members) + 1)})
    return _zip(members)


def traversal_member() -> bytes:
    members = _members(valid_workbook())
    members["../evil"] = b"print('pwned')\n"
    return _zip(members)


def oversized(limit: int) -> bytes:
    """A file one byte over `limit` (content irrelevant: size is checked first)."""
    return b"PK\x03\x04" + bytes(limit - 3)


def with_zip64_end(data: bytes) -> bytes:
    """The same zip with Zip64 end records (as some non-Excel writers produce), and a member count."""
    end = data.rfind(b"PK\x05\x06")
    entries, directory_size, directory_offset = struct.unpack_from("<HLL", data, end + 10)
    record = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, directory_size, directory_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    classic = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, directory_size, 0xFFFFFFFF, 0)
    return data[:end] + record + locator + classic


# Helpers ------------------------------------------------------------------------------------------------


def _save(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _rewrite(data: bytes, changes: dict) -> bytes:
    members = _members(data)
    for name, change in changes.items():
        members[name] = change(members[name])
    return _zip(members)


def _inject_doctype(doctype: str, cell_text: str) -> bytes:
    def inject(xml: bytes) -> bytes:
        # openpyxl writes no XML declaration; the DOCTYPE goes right after it when there is one.
        declaration_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
        xml = xml[:declaration_end] + doctype.encode() + xml[declaration_end:]
        cell = f'<c r="A1" t="inlineStr"><is><t>{cell_text}</t></is></c>'.encode()
        return xml.replace(b'<c r="A1" t="inlineStr"><is><t>code</t></is></c>', cell)

    return _rewrite(valid_workbook(), {"xl/worksheets/sheet1.xml": inject})


def _repeated_deflate(prefix: bytes, unit: bytes, count: int) -> tuple[bytes, int]:
    """Raw deflate stream and CRC of `prefix + unit * count`, deflating `unit` only once."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    unit_crc_state = zlib.crc32(prefix)
    for _ in range(count):
        unit_crc_state = zlib.crc32(unit, unit_crc_state)
    return head + block * count + tail, unit_crc_state


def _raw_members(data: bytes) -> dict[str, tuple[bytes, int, int]]:
    """Members as (raw deflate stream, CRC-32, uncompressed size)."""
    members = {}
    for name, content in _members(data).items():
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        members[name] = (compressor.compress(content) + compressor.flush(), zlib.crc32(content), len(content))
    return members


def _raw_zip(members: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip from ready-made deflate streams, with whatever sizes the caller declares."""
    out = bytearray()
    directory = bytearray()
    for name, (raw, crc, size) in members.items():
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x5821, crc, len(raw), size, len(encoded), 0)
        out += encoded + raw
        directory += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x5821, crc, len(raw), size, len(encoded), 0, 0, 0, 0,
            0, offset,
        )
        directory += encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(out), 0)
    return bytes(out + directory + end)
