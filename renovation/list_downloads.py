"""A list as a download: the .xlsx or CSV file of a table, named for the list and the day.

The project, demand and consultation lists each offer their export beside their rows (the
``export_links`` macro); the export reads the list's own filter form from the same query string,
so it holds exactly the rows the list shows, on every page.
"""
import io

from flask import send_file

from renovation.domain.clock import today
from renovation.domain.ledger.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, Table, csv_bytes, xlsx_bytes

FORMAT = "<any(xlsx, csv):fmt>"  # the route part naming the file format


def send_table(table: Table, fmt: str, name: str):
    """``table`` as a download in ``fmt`` (``xlsx`` or ``csv``), named ``<name>-<yyyymmdd>.<fmt>``."""
    data = xlsx_bytes(table) if fmt == "xlsx" else csv_bytes(table)
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE if fmt == "xlsx" else CSV_MIMETYPE,
                     as_attachment=True, download_name=f"{name}-{today():%Y%m%d}.{fmt}", max_age=0)
