"""Time as the bureau sees it: timestamps are stored in UTC, days are counted in China."""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time in UTC, naive, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in Zhangping."""
    return datetime.now(CHINA).date()


def china_midnight_utc(day: date) -> datetime:
    """The instant a day in Zhangping begins, in UTC and naive, as stored: where a stored
    timestamp's day starts."""
    return datetime.combine(day, time(0), tzinfo=CHINA).astimezone(UTC).replace(tzinfo=None)
