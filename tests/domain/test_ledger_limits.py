"""A hostile workbook is refused before it is parsed, with a message, in bounded memory and time:
many merged ranges over a million rows, a zip bomb, a DTD with entity expansion, too many rows."""
import dataclasses
import io
import re
import time
import tracemalloc

import pytest

from renovation.domain.ledger.limits import LedgerFileError, current_limits
from renovation.domain.ledger.preview import preview_ledger
from tests.ledger_samples import SHEET, entity_bomb, ledger_file, merged_bomb, programme_rows, with_parts, zip_bomb

MEMORY_MB, SECONDS = 40, 10


def refusal(data: bytes, limits=None) -> str:
    """The message the preview refuses ``data`` with, measured: memory and time stay small."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(LedgerFileError) as refused:
            preview_ledger(io.BytesIO(data), limits=limits)
        elapsed, peak = time.monotonic() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_MB * 1024 * 1024 and elapsed < SECONDS, (peak, elapsed)
    return str(refused.value.message)


def test_thousands_of_merged_ranges_over_a_million_rows(app):
    assert "合并" in refusal(merged_bomb(5000))


def test_a_zip_bomb_is_refused_from_its_declared_sizes(app):
    bomb = zip_bomb(300)
    assert len(bomb) < 1024 * 1024  # a tiny upload
    assert "MB" in refusal(bomb) and "解压" in refusal(bomb)


def test_a_sheet_that_inflates_beyond_the_limit_even_at_a_modest_ratio(app):
    limits = dataclasses.replace(current_limits(), max_uncompressed_bytes=20 * 1024 * 1024)
    assert "解压" in refusal(zip_bomb(30), limits)


@pytest.mark.parametrize("part", ["xl/workbook.xml", SHEET, "[Content_Types].xml"])
def test_a_document_type_declaration_anywhere(app, part):
    assert "DTD" in refusal(entity_bomb(part))


def test_a_plain_doctype_without_entities(app):
    data = with_parts(ledger_file(programme_rows(2)), {SHEET: lambda xml: b"<!DOCTYPE worksheet>" + xml})
    assert "DTD" in refusal(data)


def test_too_many_rows_and_too_long(app):
    limits = dataclasses.replace(current_limits(), max_rows=50)
    assert "50" in refusal(ledger_file(programme_rows(60)), limits)
    assert preview_ledger(io.BytesIO(ledger_file(programme_rows(50))), limits=limits).counts["create"] == 50
    assert "秒" in refusal(ledger_file(programme_rows(3)), dataclasses.replace(limits, seconds=0))


def test_a_file_larger_than_allowed(app):
    limits = dataclasses.replace(current_limits(), max_bytes=10_000)
    assert "MB" in refusal(ledger_file(programme_rows(141)), limits)


def test_a_legitimate_ledger_with_merged_streets_is_still_read(app):
    preview = preview_ledger(io.BytesIO(ledger_file(programme_rows(141))))
    assert preview.counts["create"] == 141 and not preview.problems


def test_a_dtd_hidden_in_utf16_is_refused_too(app):
    """The scan reads UTF-8, as Excel writes; a part in UTF-16 (where <!DOCTYPE has NULs between
    its letters) is refused rather than passed to a parser that would read its DTD."""
    def utf16(xml: bytes) -> bytes:
        text = xml.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return '<!DOCTYPE workbook [<!ENTITY a "a">]>'.encode("utf-16-le") + text.encode("utf-16-le")

    assert "不是 Excel 工作簿" in refusal(with_parts(ledger_file(programme_rows(2)), {"xl/workbook.xml": utf16}))


@pytest.mark.slow
def test_a_cell_in_the_last_column_of_every_row_does_not_widen_the_rows(app):
    """openpyxl pads a row up to its last cell: one cell in column XFD would make every row
    16,384 values wide; the reader reads no further than the columns a ledger can have."""
    counter = iter(range(10**6))

    def far_right(xml: bytes) -> bytes:
        return re.sub(rb"</row>", lambda found: b'<c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>'
                      % (next(counter) + 1), xml)

    data = with_parts(ledger_file(programme_rows(1000)), {SHEET: far_right})
    tracemalloc.start()
    try:
        preview = preview_ledger(io.BytesIO(data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert preview.counts["create"] == 1000 and peak < 60 * 1024 * 1024, peak


def test_too_many_shared_strings(app):
    """openpyxl holds every shared string in memory: their number is bounded by the row limit."""
    limits = dataclasses.replace(current_limits(), max_rows=50)
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(50 * 40 + 1))
    data = with_parts(ledger_file(programme_rows(2)), {
        "xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                + strings + b"</sst>"})
    assert "2000" in refusal(data, limits)
