"""Reading an uploaded spreadsheet safely: XLSX or CSV (UTF-8 or GB18030), nothing else.

Hostile files are refused before any parser sees much of them: too big, not a spreadsheet, a zip
bomb, XML with a DTD or entities (defusedxml guards openpyxl as well), too many rows. Formulas are
read as their text (openpyxl with data_only=False never calculates anything).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) format
MAX_ZIP_ENTRIES = 5000
# Sheet XML compresses well, but not a thousand times: more than that is a zip bomb.
MAX_ZIP_RATIO = 200


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class FileRefused(Exception):
    """The file cannot be imported at all; the message says why, in the user's language."""


def sniff(head: bytes, name: str) -> str:
    """ "xlsx" or "csv", or FileRefused."""
    lower = name.lower()
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        raise FileRefused(
            _("This is an old Excel (.xls) file. Open it in Excel or WPS and save it as .xlsx, then import that.")
        )
    if b"\x00" in head[:4096]:
        raise FileRefused(_("This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."))
    if lower.endswith((".csv", ".txt")):
        return "csv"
    raise FileRefused(_("This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."))


def check_size(size: int) -> None:
    max_bytes = limit("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    if size > max_bytes:
        raise FileRefused(
            _("The file is too big (%(size)s MB); the limit is %(max)s MB. Split the ledger into several files.")
            % {"size": f"{size / 1048576:.1f}", "max": f"{max_bytes / 1048576:.0f}"}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise FileRefused(_("The workbook is damaged and cannot be read. Save it again as .xlsx.")) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("This file is not an Excel workbook. Upload an .xlsx or a CSV file."))
    if len(infos) > MAX_ZIP_ENTRIES:
        raise FileRefused(_("The workbook holds too many parts to be a ledger."))
    total = 0
    max_unpacked = limit("IMPORT_MAX_UNPACKED_BYTES", 400 * 1024 * 1024)
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > max_unpacked or (info.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO):
            raise FileRefused(
                _("The workbook unpacks to far more data than a ledger holds (a “zip bomb”); it was not opened.")
            )
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise FileRefused(
                    _(
                        "The workbook contains XML entity declarations, which a real ledger never has; it was not opened."
                    )
                )
    return archive


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    import openpyxl
    from defusedxml import DefusedXmlException

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        cause = exc
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise FileRefused(
                _("The workbook contains XML entity declarations, which a real ledger never has; it was not opened.")
            ) from None
        raise FileRefused(_("The workbook is damaged and cannot be read. Save it again as .xlsx.")) from None
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    except DefusedXmlException:
        raise FileRefused(
            _("The workbook contains XML entity declarations, which a real ledger never has; it was not opened.")
        ) from None
    finally:
        workbook.close()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030 (what Chinese Excel saves)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileRefused(_("The CSV file is neither UTF-8 nor GB18030 text. Save it again as CSV (UTF-8).")) from None


def _csv_rows(data: bytes) -> Iterator[list]:
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error as exc:
        raise FileRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


def read_rows(data: bytes, name: str) -> tuple[str, list[tuple[int, list]]]:
    """The kind of file and its rows as (row number as the spreadsheet shows it, cells)."""
    check_size(len(data))
    kind = sniff(data[:8192], name)
    rows_iter = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    max_rows = limit("IMPORT_MAX_ROWS", 100_000)
    max_columns = limit("IMPORT_MAX_COLUMNS", 200)
    rows: list[tuple[int, list]] = []
    for number, cells in enumerate(rows_iter, start=1):
        if number > max_rows + 50:  # headings and title rows on top of the data rows
            raise FileRefused(
                _("The file has more than %(max)s rows. Split the ledger into several files.")
                % {"max": f"{max_rows:,}"}
            )
        cells = list(cells[:max_columns])
        if any(c is not None and c != "" for c in cells):
            rows.append((number, cells))
    return kind, rows
