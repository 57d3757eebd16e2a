"""A list as a download: the .xlsx or CSV file of a table, named for the list and the day.

The project, demand and consultation lists each offer their export beside their rows (the
``export_links`` macro); the export reads the list's own filter form from the same query string,
so it holds exactly the rows the list shows, on every page.

Neither is held in memory whole: the table's rows are read from the database a page at a time
as they are written. A CSV is written while it is sent; a workbook (a zip file, whose index
comes last) is written to a temporary file first and sent from it.
"""
import unicodedata
from urllib.parse import quote

from flask import Response, stream_with_context

from renovation.domain.clock import today
from renovation.domain.ledger.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, Table, csv_chunks, xlsx_file

FORMAT = "<any(xlsx, csv):fmt>"  # the route part naming the file format


def send_table(table: Table, fmt: str, name: str) -> Response:
    """``table`` as a download in ``fmt`` (``xlsx`` or ``csv``), named ``<name>-<yyyymmdd>.<fmt>``."""
    if fmt == "xlsx":
        workbook = xlsx_file(table)
        size = workbook.seek(0, 2)
        workbook.seek(0)
        response = Response(_read_and_close(workbook), mimetype=XLSX_MIMETYPE)
        response.content_length = size
    else:
        # The rows are read while the answer is sent, after the view has returned: in its request.
        response = Response(stream_with_context(csv_chunks(table)), mimetype=CSV_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", **_file_names(f"{name}-{today():%Y%m%d}.{fmt}"))
    response.cache_control.no_cache = True
    return response


def _read_and_close(file, size: int = 64 * 1024):
    """The file's bytes, a piece at a time; the file is closed (and so deleted) once they are all
    sent or the client went away (the server closes the answer, which ends this generator)."""
    try:
        while piece := file.read(size):
            yield piece
    finally:
        file.close()


def _file_names(name: str) -> dict[str, str]:
    """Content-Disposition's file name, and its UTF-8 form for a name that is not ASCII (as
    :func:`flask.send_file` writes them)."""
    if name.isascii():
        return {"filename": name}
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return {"filename": plain, "filename*": f"UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"}
