"""Language choice and Chinese-style dates.

Pages are in Chinese unless the user chose English (a cookie set by the header switch).
The API follows ``Accept-Language``, Chinese by default.
"""
from datetime import date, datetime

from flask import Flask, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale

from renovation.extensions import babel

LANGUAGE_COOKIE = "lang"


def select_locale() -> str | None:
    if not has_request_context():
        return None  # command-line tasks: the default language
    supported = ("zh_CN", "en")
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if request.path.startswith("/api/"):
        for language, _quality in request.accept_languages:
            tag = language.lower()
            if tag.startswith("zh"):
                return "zh_CN"
            if tag.startswith("en"):
                return "en"
        return "zh_CN"
    return chosen if chosen in supported else "zh_CN"


def is_chinese() -> bool:
    return str(get_locale()).startswith("zh")


def long_date(value: date | None) -> str:
    """2026年11月27日 in Chinese, Nov 27, 2026 in English."""
    if value is None:
        return "—"
    return format_date(value, "long" if is_chinese() else "medium")


def long_month(value: str | None) -> str:
    """A snapshot's month 'YYYY-MM': 2026年11月 in Chinese, November 2026 in English."""
    if not value:
        return "—"
    year, month = value.split("-")[:2]
    return format_date(date(int(year), int(month), 1), "y年M月" if is_chinese() else "MMMM y")


def short_datetime(value: datetime | None) -> str:
    """Local date and time of a stored UTC timestamp."""
    if value is None:
        return "—"
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def utc_datetime_attr(value: datetime) -> str:
    """A stored UTC timestamp for ``<time datetime>``: whole seconds and a Z, as HTML expects."""
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
