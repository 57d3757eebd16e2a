"""The forms' check of a typed date against the accepted range (see :mod:`renovation.domain.date_range`),
so that the message shows beside the field."""
from wtforms.validators import ValidationError

from renovation.domain.date_range import implausible_date_message


def plausible_date(form, field) -> None:
    """WTForms validator: a date outside 1949-01-01 … 2100-12-31 is refused with the range."""
    message = implausible_date_message(field.data)
    if message is not None:
        raise ValidationError(str(message))
