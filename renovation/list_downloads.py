"""A list as a download: the .xlsx or CSV file of a table, named for the list and the day.

The project, demand and consultation lists each offer their export beside their rows (the
``export_links`` macro); the export reads the list's own filter form from the same query string,
so it holds exactly the rows the list shows, on every page.

Neither is held in memory whole: the table's rows are read from the database a page at a time
as the file is written, and the file is sent as it is written.
"""
import unicodedata
from urllib.parse import quote

from flask import Response, stream_with_context

from renovation.domain.clock import today
from renovation.domain.ledger.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, Table, csv_chunks, xlsx_chunks

FORMAT = "<any(xlsx, csv):fmt>"  # the route part naming the file format


def send_table(table: Table, fmt: str, name: str) -> Response:
    """``table`` as a download in ``fmt`` (``xlsx`` or ``csv``), named ``<name>-<yyyymmdd>.<fmt>``."""
    pieces = xlsx_chunks(table) if fmt == "xlsx" else csv_chunks(table)
    # The rows are read while the answer is sent, after the view has returned: in its request.
    response = Response(stream_with_context(pieces), mimetype=XLSX_MIMETYPE if fmt == "xlsx" else CSV_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", **_file_names(f"{name}-{today():%Y%m%d}.{fmt}"))
    response.cache_control.no_cache = True
    return response


def _file_names(name: str) -> dict[str, str]:
    """Content-Disposition's file name, and its UTF-8 form for a name that is not ASCII (as
    :func:`flask.send_file` writes them)."""
    if name.isascii():
        return {"filename": name}
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return {"filename": plain, "filename*": f"UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"}
