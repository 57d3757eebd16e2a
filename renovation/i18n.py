"""Language choice, translations and Chinese-style dates.

Pages are in Chinese unless the user chose English (a cookie set by the header switch).
The API follows ``Accept-Language``, Chinese by default.

The request's language is looked up once and kept for the request (:func:`page_language`):
Flask-Babel looks the request's context, domain and locale up again for every string it
translates (about 9 µs each), and a project page translates several hundred strings and dates.
Nothing changes the language in the middle of a request (Flask-Babel's ``force_locale`` is not
used); the record lives on ``g``, beside Flask-Babel's own cached locale, and goes with it.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache

from babel import Locale, dates
from babel.support import NullTranslations
from flask import Flask, g, has_request_context, request
from flask_babel import Domain, get_domain, get_locale, get_timezone

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


@dataclass(frozen=True)
class PageLanguage:
    """The language of a request (or of a command's app context): its locale, its translations
    and the time zone dates are shown in."""

    locale: Locale | None
    translations: NullTranslations
    timezone: tzinfo
    chinese: bool


def page_language() -> PageLanguage:
    """The current request's language, looked up once per request (per app context outside one;
    without an app context, Flask-Babel's defaults every time)."""
    try:
        return g._page_language
    except AttributeError:
        found = g._page_language = _looked_up()
        return found
    except RuntimeError:  # no app context
        return _looked_up()


def _looked_up() -> PageLanguage:
    locale = get_locale()
    translations = Domain.get_translations(get_domain())  # Flask-Babel's own look-up, not ours below
    return PageLanguage(locale, translations, get_timezone(), str(locale).startswith("zh"))


class OncePerRequestDomain(Domain):
    """Flask-Babel's message domain, reading the request's translations from :func:`page_language`
    (lazy strings — labels, form labels — translate through it)."""

    def get_translations(self):
        try:
            return page_language().translations
        except RuntimeError:  # no app context: Flask-Babel's own answer (no translation)
            return super().get_translations()


def is_chinese() -> bool:
    return page_language().chinese


@lru_cache(maxsize=4096)
def _formatted_date(value: date, pattern: str, locale: Locale) -> str:
    return dates.format_date(value, pattern, locale=locale)


def long_date(value: date | None) -> str:
    """2026年11月27日 in Chinese, Nov 27, 2026 in English.

    Remembered per date and language (a page shows the same few dates many times; the text of a
    date in a language never changes)."""
    if value is None:
        return "—"
    language = page_language()
    if isinstance(value, datetime):  # a stored UTC timestamp: the day it was in Zhangping
        value = _local(value, language).date()
    return _formatted_date(value, "long" if language.chinese else "medium", language.locale)


def long_month(value: str | None) -> str:
    """A snapshot's month 'YYYY-MM': 2026年11月 in Chinese, November 2026 in English."""
    if not value:
        return "—"
    year, month = value.split("-")[:2]
    language = page_language()
    return _formatted_date(date(int(year), int(month), 1), "y年M月" if language.chinese else "MMMM y",
                           language.locale)


def short_datetime(value: datetime | None) -> str:
    """Local date and time of a stored UTC timestamp: 2026-11-27 14:05 in either language."""
    if value is None:
        return "—"
    local = _local(value, page_language())
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def _local(value: datetime, language: PageLanguage) -> datetime:
    """A stored (naive UTC) timestamp in the time zone pages show."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(language.timezone)


def utc_datetime_attr(value: datetime) -> str:
    """A stored UTC timestamp for ``<time datetime>``: whole seconds and a Z, as HTML expects."""
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = OncePerRequestDomain()

    def translations():
        return page_language().translations

    # Templates' _(), ngettext() and pgettext(): Flask-Babel's callables, through page_language.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
