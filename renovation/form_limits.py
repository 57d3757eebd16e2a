"""A form field's length limit, read from the column it is stored in (:mod:`renovation.models.limits`)."""
from wtforms.validators import Length

from renovation.models.limits import column_limit


def fits(column) -> Length:
    """The validator of a field stored in ``column`` (``fits(Demand.assignee)``): at most as many
    characters as the column takes; WTForms also renders it as the input's ``maxlength``."""
    return Length(max=column_limit(column))
