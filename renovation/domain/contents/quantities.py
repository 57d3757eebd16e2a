"""A content's figures: quantities in the item's unit and investment in 万元, read from text as exact
decimals (never floats: "1200.5" stays 1200.5) and checked together. Done is never above the plan
without a written reason."""
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from renovation.domain.stages.keys import STAGE_ORDER
from renovation.models.contents import ProjectContent
from renovation.models.limits import column_limit

FIGURES = ("planned_quantity", "completed_quantity", "investment")
# Numeric(14, 2) and Numeric(12, 2): the largest values the columns hold.
LIMITS = {"planned_quantity": Decimal("999999999999.99"), "completed_quantity": Decimal("999999999999.99"),
          "investment": Decimal("9999999999.99")}
REASON_MAX = column_limit(ProjectContent.reason)
_PLAIN_DECIMAL = re.compile(r"\d+(?:\.(\d+))?")
NOT_A_NUMBER = {
    "planned_quantity": _l("Enter the planned quantity as a number, such as 1200.5."),
    "completed_quantity": _l("Enter the completed quantity as a number, such as 800."),
    "investment": _l("Enter the investment in 10k yuan as a number, such as 35.8."),
}


def read_decimal(text) -> Decimal | None:
    """A plain non-negative decimal with at most two decimals, from text (or an int); None when it
    is not one. Full-width digits and separators are not guessed at: the field says what it wants."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    text = str(text).strip()
    found = _PLAIN_DECIMAL.fullmatch(text)
    if found is None or (found.group(1) and len(found.group(1).rstrip("0")) > 2):
        return None
    return Decimal(text)


def decimal_text(value) -> str:
    """An exact decimal as people write it: no trailing zeros, no exponent ("1200.50" → "1200.5")."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_errors(values: dict) -> dict:
    """The rules of a content's figures as they would be stored: ``planned_quantity``,
    ``completed_quantity``, ``investment`` (Decimal, or None when unreadable), ``stage`` and ``reason``."""
    errors = {}
    for name in FIGURES:
        value = values.get(name)
        if value is None or value < 0 or value > LIMITS[name]:
            errors[name] = NOT_A_NUMBER[name]
    if values.get("stage") not in (None, "", *STAGE_ORDER):
        errors["stage"] = _l("Choose a stage.")
    reason = values.get("reason") or ""
    if len(reason) > REASON_MAX:
        errors["reason"] = _l("The reason is too long.")
    planned, completed = values.get("planned_quantity"), values.get("completed_quantity")
    if "planned_quantity" not in errors and "completed_quantity" not in errors and completed > planned \
            and not reason.strip():
        errors["reason"] = _l("More is done than planned: say why (a change of plan, a measurement…).")
    return errors
