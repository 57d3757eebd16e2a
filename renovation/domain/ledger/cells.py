"""Reading one ledger cell as the value its column means, the way a spreadsheet user wrote it.

Numbers may be stored as text (" 120 ", "1,200", full-width digits, "120户"), dates as Excel
serials, as real dates or as text (2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日). Anything else
raises :class:`CellError` with a message for the person who wrote the ledger; a blank cell is
``None`` (or "" for text), and the caller decides whether blank is allowed.
"""
import re
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from renovation.domain.date_range import implausible_date_message
from renovation.domain.ledger.columns import STATUS_NAMES, Column
from renovation.domain.ledger.spreadsheets import without_formula_guard
from renovation.domain.messages import with_values
from renovation.domain.stages.keys import Status

CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999.99")  # Numeric(12, 2)
MAX_QUANTITY = Decimal("999999999999.99")  # a content's quantity: Numeric(14, 2)
MAX_INT = 2_000_000_000
# Excel serials of 1950-01-01 and 2100-12-31: a plain number outside them is not a date.
SERIAL_RANGE = (18264, 73415)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0?0:00(?::00)?)?$")
_UNITS = re.compile(r"(户|栋|幢|年|万元|元|m2|平方米|平米|%)$")
_QUANTITY_UNITS = re.compile(r"(米|m|台|部|个|处)$")  # after _UNITS (m2, 平方米); 公里 is not guessed at
_STATUS_WORDS = {
    **{name: status for status, name in STATUS_NAMES.items()},
    **{status.value: status for status in Status},
    # The English labels, written out: lazy labels cannot be read when this module loads.
    "not started": Status.NOT_STARTED, "in progress": Status.IN_PROGRESS, "completed": Status.COMPLETED,
    "suspended": Status.SUSPENDED, "not applicable": Status.NOT_APPLICABLE,
    "未启动": Status.NOT_STARTED, "施工中": Status.IN_PROGRESS, "已竣工": Status.COMPLETED,
    "已完工": Status.COMPLETED, "完成": Status.COMPLETED, "停工": Status.SUSPENDED, "无": Status.NOT_APPLICABLE,
}


class CellError(ValueError):
    """The cell cannot be read as its column's type; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _number_text(value) -> str:
    text = _clean(value).replace(",", "").replace(" ", "")
    return _UNITS.sub("", text)


def parse_text(value, column: Column) -> str:
    """Text as written, trimmed; a whole number typed into a text column loses its '.0', text
    an export guarded against being a formula loses its apostrophe."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    # A CSV export guards "=A1" as "'=A1"; saved as .xlsx, it comes back with the apostrophe.
    text = value.isoformat() if isinstance(value, date) else without_formula_guard(str(value).strip())
    if column.max_length and len(text) > column.max_length:
        raise CellError(with_values(_l("Too long: at most %(num)d characters."), num=column.max_length))
    return text


def _to_decimal(value, message) -> Decimal | None:
    """A non-negative number from a cell, exactly as written; ``message`` when it is not one."""
    if is_blank(value):
        return None
    if isinstance(value, (date, datetime, bool)):
        raise CellError(message)
    try:
        number = Decimal(str(value)) if isinstance(value, (int, float)) else Decimal(_number_text(value))
    except InvalidOperation:
        raise CellError(message) from None
    if not number.is_finite():
        raise CellError(message)
    if number < 0:
        raise CellError(_l("Cannot be negative."))
    return number


def parse_decimal(value) -> Decimal | None:
    """A non-negative amount with at most two decimals kept (rounded half up)."""
    number = _to_decimal(value, _l("Enter a number."))
    if number is not None and number > MAX_MONEY:
        raise CellError(_l("The number is too large."))
    return None if number is None else number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_quantity(value) -> Decimal | None:
    """A content item's quantity in its unit ("1200", "1,200.5", "1200米"), two decimals kept."""
    if isinstance(value, str):
        value = _QUANTITY_UNITS.sub("", _number_text(value))
    number = _to_decimal(value, _l("Enter the quantity as a number, such as 1200.5."))
    if number is not None and number > MAX_QUANTITY:
        raise CellError(_l("The number is too large."))
    return None if number is None else number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_int(value) -> int | None:
    """A whole number, 0 or more: 120, 120.0, "120", "120户"; 12.5 is refused."""
    number = _to_decimal(value, _l("Enter a whole number."))
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_l("Enter a whole number."))
    if number > MAX_INT:
        raise CellError(_l("The number is too large."))
    return int(number)


def parse_year(value, today: date) -> int | None:
    """A year of construction: 1984, "1984", "1984年"."""
    year = parse_int(value)
    if year is not None and not 1900 <= year <= today.year:
        raise CellError(with_values(_l("Enter a year between 1900 and %(year)d, like 1984."), year=today.year))
    return year


def parse_percent(value) -> int | None:
    """Percent complete: a whole number from 0 to 100 ("60" or "60%")."""
    try:
        percent = parse_int(value)
    except CellError:
        raise CellError(_l("Percent complete must be a whole number from 0 to 100.")) from None
    if percent is not None and percent > 100:
        raise CellError(_l("Percent complete must be a whole number from 0 to 100."))
    return percent


def parse_date(value) -> date | None:
    """A date cell, an Excel serial, or text in the usual Chinese and ISO forms, in the accepted
    range (see :mod:`renovation.domain.date_range`)."""
    parsed = _parse_any_date(value)
    message = implausible_date_message(parsed)
    if message is not None:
        raise CellError(message)
    return parsed


def _parse_any_date(value) -> date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and float(value).is_integer():
            from openpyxl.utils.datetime import from_excel  # loaded with the first ledger, not at start

            return from_excel(value).date()
        raise CellError(_l("Not a date: write it like 2026-03-01."))
    found = _DATE_TEXT.match(_clean(value))
    if found:
        try:
            return date(*(int(part) for part in found.groups()))
        except ValueError:
            pass
    raise CellError(_l("Not a date: write it like 2026-03-01."))


def parse_status(value) -> str | None:
    """A stage status by its Chinese name (已完成), its English label or its key."""
    if is_blank(value):
        return None
    status = _STATUS_WORDS.get(_clean(value).casefold())
    if status is None:
        raise CellError(_l("Unknown status: use 未开始, 进行中, 已完成, 暂停 or 不涉及."))
    return status.value


def parse_cell(value, column: Column, today: date):
    """The value of ``value`` in ``column``, or :class:`CellError`."""
    kind = column.kind
    if kind == "text":
        return parse_text(value, column)
    if kind == "int":
        return parse_int(value)
    if kind == "year":
        return parse_year(value, today)
    if kind == "decimal":
        return parse_decimal(value)
    if kind == "date":
        return parse_date(value)
    if kind == "percent":
        return parse_percent(value)
    if kind == "status":
        return parse_status(value)
    if kind == "quantity":
        return parse_quantity(value)
    raise ValueError(f"unknown column kind {kind}")
