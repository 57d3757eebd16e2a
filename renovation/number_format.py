"""Large figures with thousands separators (47,328 户; 12,345.60 万元), on pages and in PDFs.

One Jinja filter, ``thousands``, for households, floor areas and amounts. It takes what the
templates hold: ints, floats, Decimals and the decimal strings of bulletin snapshots.
"""
from decimal import Decimal, InvalidOperation


def thousands(value, places: int | None = None) -> str:
    """``value`` with a comma every three digits; ``places`` fixes the decimals (else kept as given).

    Empty values (None, "") come back as they are, so templates keep their own "—".
    Anything that is not a number is returned unchanged rather than hidden.
    """
    if value is None or value == "":
        return value
    if isinstance(value, bool):
        return str(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if places is not None:
        return f"{number:,.{places}f}"
    if isinstance(value, float):
        # A float's own repr would print 1234.5000000001; floats here are areas, whole numbers enough.
        return f"{number:,.0f}" if number == number.to_integral_value() else f"{value:,}"
    return f"{number:,}"
