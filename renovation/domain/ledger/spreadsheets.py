"""Writing a table to .xlsx and to CSV, the way people expect to open it in Excel.

.xlsx: typed cells (numbers as numbers, dates as dates), a bold frozen header row and column
widths to fit the content; written in openpyxl's streaming mode (rows go to a temporary file as
they come, strings inline), into a temporary file that the answer is sent from, so that a
200,000-row ledger is never held in memory. CSV: UTF-8 with a byte-order mark, so Excel opens
Chinese text correctly; written row by row as the answer is sent (:func:`csv_chunks`).

Text is never a formula (a compound named "=HYPERLINK(...)" or a note "-1号楼" must not run in
the reader's Excel): in .xlsx every text cell is typed as text, and text that starts like a
formula also carries Excel's quote prefix (what typing ' before it does), so editing the cell
keeps it text; in CSV, which has no types, such text is written with a leading apostrophe,
which :func:`without_formula_guard` takes back off when a ledger is imported.
"""
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
HEADER_FILL_COLOUR = "DDEBF7"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "0.00"
# What makes Excel, LibreOffice or WPS read a cell as a formula (tab and CR start DDE tricks).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
SPOOL_BYTES = 4 * 1024 * 1024  # a workbook larger than this goes to disk while it is sent
CSV_ROWS_PER_CHUNK = 500


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program would take ``text`` for a formula."""
    return text.startswith(FORMULA_STARTS)


def guarded(text: str) -> str:
    """``text`` for a CSV cell: an apostrophe before anything that looks like a formula."""
    return FORMULA_GUARD + text if looks_like_formula(text) else text


def without_formula_guard(text: str) -> str:
    """The text :func:`guarded` was given (other text unchanged)."""
    if text.startswith(FORMULA_GUARD) and looks_like_formula(text[1:]):
        return text[1:]
    return text


@dataclass
class Table:
    """One sheet: a title, headers with their column widths (in characters), and rows."""

    title: str
    headers: Sequence[str]
    widths: Sequence[int]
    rows: Iterable[Sequence]


def xlsx_bytes(*tables: Table) -> bytes:
    """A workbook with one sheet per table, in memory (small workbooks: the import template)."""
    buffer = io.BytesIO()
    write_xlsx(buffer, *tables)
    return buffer.getvalue()


def xlsx_file(*tables: Table):
    """A workbook with one sheet per table, in a temporary file (in memory up to
    :data:`SPOOL_BYTES`) read from its start; closing it deletes it."""
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        write_xlsx(target, *tables)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def write_xlsx(target, *tables: Table) -> None:
    """Write a workbook with one sheet per table to the binary file ``target``, reading each
    table's rows once, as they come. openpyxl is imported here, not with the module: the app
    and its commands start without paying for it."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    cells = _Cells()
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])  # Excel's limit on sheet names
        for position, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(position)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([cells.header(sheet, str(header)) for header in table.headers])
        for row in table.rows:
            sheet.append([cells.typed(sheet, value) for value in row])
    workbook.save(target)


class _Cells:
    """Makes the streaming workbook's cells (openpyxl's classes, imported once per workbook)."""

    def __init__(self):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        self.cell_type = WriteOnlyCell
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL_COLOUR)
        self.header_alignment = Alignment(vertical="center", wrap_text=True)

    def header(self, sheet, text: str):
        cell = self.cell_type(sheet, text)
        cell.font, cell.fill, cell.alignment = self.header_font, self.header_fill, self.header_alignment
        return cell

    def typed(self, sheet, value):
        """A typed cell: dates as Excel dates, amounts with two decimals, text as text."""
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            cell = self.cell_type(sheet, value)
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(value, Decimal):
            cell = self.cell_type(sheet, value)
            cell.number_format = MONEY_FORMAT
            return cell
        if value is None or isinstance(value, (int, float)):
            return value
        return self.text(sheet, str(value))  # str() for lazy labels

    def text(self, sheet, text: str):
        """A cell that is text whatever it starts with (openpyxl takes "=..." for a formula)."""
        cell = self.cell_type(sheet, None)
        cell.value, cell.data_type = text, "s"
        if looks_like_formula(text):
            cell.quotePrefix = True
        return cell


def csv_bytes(table: Table) -> bytes:
    """The table as CSV in UTF-8 with a BOM; dates as 2026-03-01, amounts as written."""
    return b"".join(csv_chunks(table))


def csv_chunks(table: Table, rows_per_chunk: int = CSV_ROWS_PER_CHUNK) -> Iterator[bytes]:
    """:func:`csv_bytes` piece by piece, reading the table's rows as they are needed: the BOM and
    the headers, then ``rows_per_chunk`` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([str(header) for header in table.headers])
    for number, row in enumerate(table.rows, start=1):
        writer.writerow([_text(value) for value in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)  # a negative amount is a number, not a formula
    return guarded(str(value))
