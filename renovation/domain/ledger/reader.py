"""Reading a ledger workbook: the sheet, the header row below any merged title rows, the data rows.

The workbook is opened read-only (streamed, so 20,000 rows stay cheap) with cached formula
values. Read-only sheets do not expose merged cells, so their ranges are read from the end of
the sheet's XML; a range merged over data rows (a street written once for several compounds)
gives its value to every cell it covers, as the user sees it on screen. Blank rows anywhere
(typically trailing ones) are skipped.

Nothing is parsed before :func:`renovation.domain.ledger.limits.check_workbook` has passed the
file; the reading itself stops at the row limit and the preview's deadline.
"""
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from renovation.domain.ledger.cells import is_blank
from renovation.domain.ledger.columns import HeaderMatch, match_headers
from renovation.domain.ledger.limits import (
    NOT_A_WORKBOOK,
    Deadline,
    LedgerFileError,
    LedgerLimits,
    check_workbook,
    current_limits,
)
from renovation.domain.messages import with_values

HEADER_SEARCH_ROWS = 30  # title rows, notes and blank rows above the header
MAX_COLUMNS = 256  # a ledger has about 60; Excel allows 16,384
MIN_HEADER_COLUMNS = 3  # 项目编号 and at least two more known headers make a header row
_END_OF_DATA = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


PROGRESS_EVERY = 500  # rows between two looks at the clock and two progress reports
__all__ = ["LedgerFileError", "LedgerSheet", "read_ledger"]


@dataclass
class LedgerSheet:
    """What the importer needs from the workbook."""

    title: str
    header_row: int  # as Excel numbers rows, from 1
    match: HeaderMatch
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number, cell values)


def read_ledger(source, limits: LedgerLimits | None = None, deadline: Deadline | None = None,
                progress=None) -> LedgerSheet:
    """The first sheet (in workbook order) that has a ledger header row, with its data rows.

    ``source`` is checked against ``limits`` (the app's by default) first; ``progress(fraction)``
    is called now and then as the rows are read. Raises :class:`LedgerFileError`.
    """
    limits = limits or current_limits()
    deadline = deadline or Deadline(limits.seconds)
    shape = check_workbook(source, limits, deadline)
    # openpyxl loads with the first ledger read, not with the app and every command.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError):
        raise LedgerFileError(NOT_A_WORKBOOK) from None  # SyntaxError: XML that does not parse
    try:
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "reset_dimensions"):
                continue  # a chart sheet
            sheet.reset_dimensions()  # some programs write a wrong size; read what is there
            found = _read_sheet(sheet, _Bounds(limits, deadline, progress, max(shape.rows, 1)))
            if found is not None:
                return found
    except SyntaxError:
        raise LedgerFileError(NOT_A_WORKBOOK) from None
    finally:
        workbook.close()
    raise LedgerFileError(with_values(
        _l("No header row with 项目编号 was found in the first %(num)d rows of any sheet."), num=HEADER_SEARCH_ROWS))


@dataclass
class _Bounds:
    limits: LedgerLimits
    deadline: Deadline
    progress: object = None
    expected_rows: int = 1

    def check(self, number: int, data_rows: int) -> None:
        if data_rows > self.limits.max_rows:
            raise LedgerFileError(with_values(
                _l("The ledger has more than %(max)d project rows. Split it into several files."),
                max=self.limits.max_rows))
        if number % PROGRESS_EVERY == 0:
            self.deadline.check()
            if self.progress:
                self.progress(min(number / self.expected_rows, 1.0))


def _read_sheet(sheet, bounds: _Bounds) -> LedgerSheet | None:
    header = _find_header(sheet)
    if header is None:
        return None
    found = LedgerSheet(sheet.title, *header)
    covering = _merged_below(sheet, found.header_row)
    anchors: dict[tuple[int, int], object] = {}
    # Cells right of the last known header are not read: openpyxl pads each row up to its last
    # cell, and one cell in column XFD would otherwise make every row 16,384 values wide.
    width = max(found.match.columns) + 1
    rows = sheet.iter_rows(min_row=found.header_row + 1, max_col=width, values_only=True)
    for number, values in enumerate(rows, start=found.header_row + 1):
        bounds.check(number, len(found.rows))
        if number in covering:
            values = _filled(values, number, covering[number], anchors)
        if not all(is_blank(value) for value in values):
            found.rows.append((number, values))
    return found


def _find_header(sheet) -> tuple[int, HeaderMatch] | None:
    """The header row (its number and what it says) among the sheet's first rows."""
    rows = sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True)
    for number, values in enumerate(rows, start=1):
        match = match_headers(values)
        if "code" in match.fields and len(match.columns) >= MIN_HEADER_COLUMNS:
            return number, match
    return None


def _merged_below(sheet, header_row: int) -> dict[int, list[tuple[int, int, int, int]]]:
    """Row number → the merged ranges (first col, first row, last col, last row) covering it,
    for ranges that start below the header (merged titles and headers are left alone)."""
    from openpyxl.utils.cell import range_boundaries

    covering = defaultdict(list)
    for ref in _merged_refs(sheet):
        first_col, first_row, last_col, last_row = range_boundaries(ref)
        if first_row > header_row:
            for row in range(first_row, last_row + 1):
                covering[row].append((first_col, first_row, last_col, last_row))
    return dict(covering)


def _merged_refs(sheet) -> list[str]:
    """The refs of ``<mergeCell>`` elements, which follow the cell data in the sheet's XML: the
    XML is streamed up to the end of the cell data and only what follows it is searched."""
    try:
        source = sheet._get_source()  # openpyxl 3.1's read-only sheet; pinned in setup.cfg
    except (AttributeError, KeyError):
        return []
    buffer, after_data = b"", False
    with source:
        while chunk := source.read(1 << 20):
            buffer += chunk
            if not after_data:
                end = _END_OF_DATA.search(buffer)
                after_data = end is not None
                buffer = buffer[end.end():] if end else buffer[-32:]
    return [ref.decode() for ref in _MERGE.findall(buffer)] if after_data else []


def _filled(values: tuple, number: int, ranges, anchors: dict) -> tuple:
    """The row with each merged range's value copied into the cells it covers."""
    cells = list(values)
    for first_col, first_row, last_col, _last_row in ranges:
        if number == first_row:
            anchors[(first_row, first_col)] = cells[first_col - 1] if first_col <= len(cells) else None
        value = anchors.get((first_row, first_col))
        if len(cells) < last_col:
            cells.extend([None] * (last_col - len(cells)))
        for col in range(first_col, last_col + 1):
            cells[col - 1] = value
    return tuple(cells)
