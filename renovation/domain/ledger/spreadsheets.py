"""Writing a table to .xlsx and to CSV, the way people expect to open it in Excel.

.xlsx: typed cells (numbers as numbers, dates as dates), a bold frozen header row and column
widths to fit the content (:mod:`renovation.domain.ledger.xlsx_stream`). CSV: UTF-8 with a
byte-order mark, so Excel opens Chinese text correctly. Both are written piece by piece as the
rows come (:func:`xlsx_chunks`, :func:`csv_chunks`), so that a 200,000-row ledger is sent while it
is written and never held in memory.

Text is never a formula (a compound named "=HYPERLINK(...)" or a note "-1号楼" must not run in
the reader's Excel): in .xlsx every text cell is typed as text, and text that starts like a
formula also carries Excel's quote prefix (what typing ' before it does), so editing the cell
keeps it text; in CSV, which has no types, such text is written with a leading apostrophe,
which :func:`without_formula_guard` takes back off when a ledger is imported.
"""
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from renovation.domain.ledger.xlsx_stream import Sheet, cell, workbook_pieces

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
# What makes Excel, LibreOffice or WPS read a cell as a formula (tab and CR start DDE tricks).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
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
    return b"".join(xlsx_chunks(*tables))


def xlsx_chunks(*tables: Table) -> Iterator[bytes]:
    """A workbook with one sheet per table, piece by piece, reading each table's rows once as
    they are needed: typed cells, a bold frozen header row, the tables' column widths."""
    return workbook_pieces([Sheet(table.title, table.widths, _typed_rows(table)) for table in tables])


def _typed_rows(table: Table) -> Iterator[list[tuple]]:
    yield [cell(str(header), "header") for header in table.headers]
    for row in table.rows:
        yield [_typed(value) for value in row]


def _typed(value) -> tuple:
    """A value with its style: dates as Excel dates, amounts with two decimals, text as text
    (with Excel's quote prefix when it looks like a formula)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return cell(value, "date")
    if isinstance(value, Decimal):
        return cell(value, "money")
    if value is None or isinstance(value, (int, float)):
        return cell(value)
    text = str(value)  # str() for lazy labels
    return cell(text, "quote" if looks_like_formula(text) else "plain")


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
