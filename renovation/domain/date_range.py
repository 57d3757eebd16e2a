"""The dates this tracker accepts: from 1949-01-01 to 2100-12-31.

No compound, stage, consultation or demand is dated before the People's Republic, and nothing
is planned past this century: a date outside is a typing slip (year 0206, 20266) that would
sort first or last in every list and break the bulletin's schedule. Every place a person types
a date (stage dates, consultations, demands, the API, ledger cells) checks it here.
"""
from datetime import date

from flask_babel import lazy_gettext as _l

from renovation.domain.messages import with_values

EARLIEST_DATE = date(1949, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def is_plausible_date(value: date) -> bool:
    """Whether ``value`` lies in the accepted range (both ends included)."""
    return EARLIEST_DATE <= value <= LATEST_DATE


def implausible_date_message(value: date | None):
    """The message for a date outside the range (a lazy string), or None when it is inside or empty."""
    if value is None or is_plausible_date(value):
        return None
    return with_values(_l("Enter a date from %(earliest)s to %(latest)s."),
                       earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
