"""A ledger preview as plain JSON and back, so it is computed once and kept beside the upload.

Messages stay translatable: a lazy message is kept as its English msgid and its values and
becomes a lazy message again when read, so the kept preview speaks each reader's language.
Values keep their type (amounts as Decimal, dates as date), so the page shows them exactly as
a fresh preview would. Only what the preview page shows is kept: each row's action, changes and
problems, and for new projects their place and households; the commit judges the file afresh.
"""
from datetime import date, datetime
from decimal import Decimal

from flask_babel.speaklater import LazyString

from renovation.domain.ledger.preview import Change, LedgerPreview, Problem, RowOutcome
from renovation.domain.messages import MessageWithValues, message_from_msgid

VERSION = 1
SHOWN_FOR_NEW = ("compound", "community", "street", "households")


def encode_value(value):
    """A JSON-friendly form of a preview value or message."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, MessageWithValues) and value.msgid is not None:
        return {"msgid": value.msgid, "params": {name: encode_value(param) for name, param in value.values.items()}}
    if isinstance(value, LazyString) and (len(value._args) == 1 and isinstance(value._args[0], str)
                                          and not value._kwargs):
        return {"msgid": value._args[0], "params": {}}
    return str(value)


def decode_value(value):
    """The value :func:`encode_value` was given (a message comes back lazy)."""
    if not isinstance(value, dict):
        return value
    if "decimal" in value:
        return Decimal(value["decimal"])
    if "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if "date" in value:
        return date.fromisoformat(value["date"])
    # The same lazy message lazy_gettext makes (written so, the msgid is not taken for a new one);
    # its values go in through with_values, so they stay text in a page.
    return message_from_msgid(value["msgid"], **{name: decode_value(param) for name, param in value["params"].items()})


def _problem(problem: Problem) -> list:
    return [problem.row, problem.column, encode_value(problem.message), encode_value(problem.value)]


def _read_problem(item: list) -> Problem:
    return Problem(item[0], item[1], decode_value(item[2]), decode_value(item[3]))


def preview_to_json(preview: LedgerPreview) -> dict:
    """The preview as the page needs it, with its fingerprint."""
    rows = [[row.row, row.code, row.action,
             [[change.field, change.header, encode_value(change.old), encode_value(change.new)]
              for change in row.changes],
             [_problem(problem) for problem in row.problems],
             {name: encode_value(row.values.get(name)) for name in SHOWN_FOR_NEW} if row.action == "create" else {}]
            for row in preview.rows]
    return {"version": VERSION, "sheet": preview.sheet, "header_row": preview.header_row, "rows": rows,
            "file_problems": [_problem(problem) for problem in preview.file_problems],
            "warnings": [_problem(problem) for problem in preview.warnings],
            "new_streets": preview.new_streets, "new_communities": preview.new_communities,
            "new_compounds": preview.new_compounds, "fingerprint": preview.fingerprint}


def preview_from_json(kept: dict) -> tuple[LedgerPreview, str]:
    """The preview and the fingerprint it had when it was computed."""
    rows = [RowOutcome(number, code, action,
                       [Change(name, header, decode_value(old), decode_value(new))
                        for name, header, old, new in changes],
                       [_read_problem(problem) for problem in problems],
                       {name: decode_value(value) for name, value in values.items()})
            for number, code, action, changes, problems, values in kept["rows"]]
    preview = LedgerPreview(kept["sheet"], kept["header_row"], rows,
                            [_read_problem(problem) for problem in kept["file_problems"]],
                            [_read_problem(problem) for problem in kept["warnings"]],
                            kept["new_streets"], kept["new_communities"], kept["new_compounds"])
    return preview, kept["fingerprint"]


def error_to_json(message) -> dict:
    """A file the preview refused, with why."""
    return {"version": VERSION, "file_error": encode_value(message)}


def is_refusal(kept: dict) -> bool:
    return "file_error" in kept


def refusal_from_json(kept: dict):
    return decode_value(kept["file_error"])
