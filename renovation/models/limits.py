"""How many characters a text column takes: the one source the forms, the API and the domain read.

A ``String(n)`` column holds ``n`` characters, which is its limit. A ``Text`` column holds any
length, so one that people write into names its limit beside its definition
(``mapped_column(Text, info=limit(2000))``): what a form's textarea and the API accept.
"""
from sqlalchemy.orm import InstrumentedAttribute


def limit(max_length: int) -> dict:
    """The ``info`` of a Text column people write into: at most ``max_length`` characters."""
    return {"max_length": max_length}


def column_limit(attribute: InstrumentedAttribute) -> int:
    """The most characters ``Model.column`` takes: its declared limit, else its String length."""
    column = attribute.property.columns[0]
    length = column.info.get("max_length") or getattr(column.type, "length", None)
    if length is None:
        raise LookupError(f"{column} has no length: give it info=limit(n)")
    return length
