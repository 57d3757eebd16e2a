"""Bounds on an uploaded ledger, checked before openpyxl parses a byte of it.

An .xlsx is a zip of XML parts, so a small upload can ask for a lot: a part that inflates to
gigabytes (a zip bomb), a document type declaration whose entities expand without end, a sheet
that claims a million rows or thousands of merged ranges each covering a million cells. Every
one of these is refused here with a message the engineer can act on, before openpyxl reads
the workbook, so a hostile file costs a few megabytes and seconds, never a worker.

:func:`check_workbook` reads only the zip's directory (declared sizes and compression ratios),
then streams each part openpyxl may parse once, in chunks: it stops at the first ``<!DOCTYPE`` or
``<!ENTITY``, and counts the row elements, the merged ranges with the cells they cover (in each
sheet) and the shared strings, which openpyxl holds in memory all at once. :class:`Deadline`
bounds the whole preview's time.
"""
import os
import re
import time
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from renovation.domain.messages import with_values

MEGABYTE = 1024 * 1024
MAX_PARTS = 1000  # a ledger has about ten; a workbook with images or many sheets a few hundred
SMALL_PART = MEGABYTE  # parts this small may compress as well as they like
CHUNK = MEGABYTE
OVERLAP = 256  # longer than any element the scan looks for, so none is split between chunks
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")  # openpyxl holds them all in memory
TEXTS_PER_ROW = 40  # distinct texts (shared strings) a ledger row may bring: ~60 columns, most repeated
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?)"')
# Pictures and embedded files, which openpyxl's read-only mode never parses (an SVG may well
# carry a DOCTYPE); every other part is scanned whatever its name, since the workbook's
# relationships, not the names, say which parts are sheets.
NOT_PARSED = ("xl/media/", "xl/embeddings/", "docProps/thumbnail")
_UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00")
NOT_A_WORKBOOK = _l("This file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")


class LedgerFileError(Exception):
    """The file cannot be read as a ledger at all; ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class LedgerLimits:
    """How big a ledger may be; see the ``LEDGER_*`` settings in :mod:`renovation.config`."""

    max_bytes: int
    max_uncompressed_bytes: int
    max_ratio: int
    max_rows: int
    max_merged_ranges: int
    max_merged_cells: int
    seconds: float

    @classmethod
    def from_config(cls, config) -> "LedgerLimits":
        """The limits an app is configured with."""
        return cls(config["LEDGER_MAX_BYTES"], config["LEDGER_MAX_UNCOMPRESSED_BYTES"],
                   config["LEDGER_MAX_ZIP_RATIO"], config["LEDGER_MAX_ROWS"], config["LEDGER_MAX_MERGED_RANGES"],
                   config["LEDGER_MAX_MERGED_CELLS"], config["LEDGER_PREVIEW_SECONDS"])


def current_limits() -> LedgerLimits:
    """The limits of the running app."""
    return LedgerLimits.from_config(current_app.config)


@dataclass
class WorkbookShape:
    """What the check learnt: the most rows and merged ranges in any one sheet."""

    rows: int = 0
    merged_ranges: int = 0


class Deadline:
    """The time a preview may take, checked as it goes."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        """Refuse the file once its time is up."""
        if time.monotonic() > self.ends:
            raise LedgerFileError(with_values(
                _l("Reading this ledger took longer than %(seconds)d seconds, so it was stopped. Split it into "
                   "smaller files or remove unneeded sheets, formatting and merged cells."), seconds=self.seconds))


def check_workbook(source, limits: LedgerLimits, deadline: Deadline | None = None) -> WorkbookShape:
    """Refuse ``source`` (a path or a binary file) unless it is a workbook within ``limits``.

    Raises :class:`LedgerFileError`. A file object is left at its start for the real reader.
    """
    deadline = deadline or Deadline(limits.seconds)
    size = _size(source)
    if size > limits.max_bytes:
        raise LedgerFileError(with_values(_l("The file is %(size).1f MB; a ledger may be at most %(max)d MB."),
                                          size=size / MEGABYTE, max=limits.max_bytes // MEGABYTE))
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise LedgerFileError(NOT_A_WORKBOOK) from None
    shape = WorkbookShape()
    try:
        with archive:
            parts = archive.infolist()
            _check_directory(parts, limits)
            for part in parts:
                if not part.filename.startswith(NOT_PARSED) and not part.is_dir():
                    _scan_part(archive, part, limits, deadline, shape)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        # damaged, encrypted, lying about its sizes, or a merged range no sheet can have
        raise LedgerFileError(NOT_A_WORKBOOK) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return shape


def _size(source) -> int:
    if hasattr(source, "seek"):
        source.seek(0, os.SEEK_END)
        size = source.tell()
        source.seek(0)
        return size
    return os.path.getsize(source)


def _too_big(limits: LedgerLimits) -> LedgerFileError:
    return LedgerFileError(with_values(
        _l("This workbook unpacks to more than %(max)d MB, far more than a ledger needs: it may be a damaged or "
           "hostile file. Copy the ledger's cells into a new workbook, save it as .xlsx and try again."),
        max=limits.max_uncompressed_bytes // MEGABYTE))


def _check_directory(parts, limits: LedgerLimits) -> None:
    """The zip's own directory: how many parts, how they are compressed, what they unpack to."""
    if len(parts) > MAX_PARTS:
        raise LedgerFileError(with_values(_l("This workbook has %(count)d parts; a ledger has far fewer. Copy its "
                                             "cells into a new workbook and try again."), count=len(parts)))
    if any(part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for part in parts):
        raise LedgerFileError(NOT_A_WORKBOOK)  # Excel only deflates; other methods inflate unbounded
    if sum(part.file_size for part in parts) > limits.max_uncompressed_bytes:
        raise _too_big(limits)
    for part in parts:
        if part.file_size > SMALL_PART and part.file_size > limits.max_ratio * max(part.compress_size, 1):
            raise _too_big(limits)


def _scan_part(archive, part, limits: LedgerLimits, deadline: Deadline, shape: WorkbookShape) -> None:
    """Stream one part: no DTD; count its rows, merged ranges and shared strings as it goes."""
    rows = merged = cells = texts = read = 0
    tail = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            if read == 0 and chunk.lstrip()[:2] in _UTF16_OR_32:
                raise LedgerFileError(NOT_A_WORKBOOK)  # UTF-16 or 32: Excel writes UTF-8, the scan reads it
            read += len(chunk)
            if read > part.file_size or read > limits.max_uncompressed_bytes:
                raise _too_big(limits)
            buffer, final = tail + chunk, not chunk
            if _DECLARATION.search(buffer):
                raise LedgerFileError(_l(
                    "This workbook contains a document type declaration (DTD), which Excel never writes and which "
                    "can make a file expand without end. Copy the ledger's cells into a new workbook, save it as "
                    ".xlsx and try again."))
            cut = len(buffer) if final else max(len(buffer) - OVERLAP, 0)
            rows += sum(1 for found in _ROW.finditer(buffer) if found.start() < cut)
            texts += sum(1 for found in _SHARED_STRING.finditer(buffer) if found.start() < cut)
            for found in _MERGE.finditer(buffer):
                if found.start() < cut:
                    merged += 1
                    cells += _cells_covered(found.group(1).decode())
            _check_sheet(rows, merged, cells, limits)
            if texts > limits.max_rows * TEXTS_PER_ROW:
                raise LedgerFileError(with_values(
                    _l("This workbook holds more than %(max)d different texts, far more than a ledger of at most "
                       "%(rows)d projects. Copy the ledger's cells into a new workbook and try again."),
                    max=limits.max_rows * TEXTS_PER_ROW, rows=limits.max_rows))
            tail = buffer[cut:]  # what lies across the chunk's end, looked at again with the next one
            deadline.check()
            if final:
                break
    shape.rows = max(shape.rows, rows)
    shape.merged_ranges = max(shape.merged_ranges, merged)


def _cells_covered(ref: str) -> int:
    from openpyxl.utils.cell import range_boundaries  # loaded with the first ledger, not at start

    first_col, first_row, last_col, last_row = range_boundaries(ref.upper())
    return (abs(last_col - first_col) + 1) * (abs(last_row - first_row) + 1)


def _check_sheet(rows: int, merged: int, cells: int, limits: LedgerLimits) -> None:
    if rows > limits.max_rows + 1000:  # room for title rows, the header and blank or formatted rows
        raise LedgerFileError(with_values(_l("A sheet of this workbook has more than %(max)d rows; a ledger may have "
                                             "at most %(max)d projects. Split it into several files."),
                                          max=limits.max_rows))
    if merged > limits.max_merged_ranges:
        raise LedgerFileError(with_values(
            _l("A sheet of this workbook has more than %(max)d merged ranges, more than a ledger can have. Unmerge "
               "the cells (select all, then unmerge) and try again."), max=limits.max_merged_ranges))
    if cells > limits.max_merged_cells:
        raise LedgerFileError(with_values(
            _l("The merged ranges of a sheet of this workbook cover more than %(max)d cells, more than a ledger can "
               "have. Unmerge the cells (select all, then unmerge) and try again."), max=limits.max_merged_cells))
