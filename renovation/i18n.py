"""Language choice and Chinese-style dates.

Pages are in Chinese unless the user chose English (a cookie set by the header switch).
The API follows ``Accept-Language``, Chinese by default.
"""
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from flask import Flask, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Domain, format_date, get_locale, to_user_timezone
from jinja2 import pass_eval_context
from markupsafe import escape

from renovation.extensions import babel

LANGUAGE_COOKIE = "lang"


@cache
def locales() -> dict[str, Locale]:
    """The languages, parsed once: Babel's ``Locale.parse`` of a name searches its locale list (some
    tenths of a millisecond), which Flask-Babel would otherwise pay on every request. Parsed at the
    first request, not at import: loading the locale data costs the command line tens of ms."""
    return {name: Locale.parse(name) for name in ("zh_CN", "en")}


def select_locale() -> Locale | None:
    if not has_request_context():
        return None  # command-line tasks: the default language
    LOCALES = locales()  # noqa: N806 (a constant, computed once)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if request.path.startswith("/api/"):
        for language, _quality in request.accept_languages:
            tag = language.lower()
            if tag.startswith("zh"):
                return LOCALES["zh_CN"]
            if tag.startswith("en"):
                return LOCALES["en"]
        return LOCALES["zh_CN"]
    return LOCALES.get(chosen, LOCALES["zh_CN"])


def _per_language(name: str, compute: Callable):
    """``compute()``, a value that depends on nothing but the language of the request, worked out
    once per request and language: kept in Flask-Babel's namespace of the request beside the
    locale object it was worked out for, and used while that very object is the request's locale
    (``force_locale`` and ``refresh`` put another there, so a change of language is seen).
    Outside an app context, computed each time."""
    namespace = _babel_namespace()
    if namespace is not None:
        kept = namespace.__dict__.get(name)
        if kept is not None and kept[0] is namespace.__dict__.get("babel_locale"):
            return kept[1]
    value = compute()
    namespace = _babel_namespace()
    if namespace is not None and namespace.__dict__.get("babel_locale") is not None:
        namespace.__dict__[name] = (namespace.__dict__["babel_locale"], value)
    return value


def _babel_namespace():
    """Flask-Babel's namespace in ``g``, or None: the app context read once from Flask's context
    variable (``g`` as a proxy looks it up at each use, a microsecond a time, paid by every
    message of a page)."""
    app_context = _cv_app.get(None)
    return None if app_context is None else app_context.g.__dict__.get("_flask_babel")


def page_language() -> str:
    """The request's locale as a string: ``zh_CN`` or ``en``."""
    return _per_language("renovation_language", lambda: str(get_locale()))


def is_chinese() -> bool:
    return page_language().startswith("zh")


def long_date(value: date | None) -> str:
    """2026年11月27日 in Chinese, Nov 27, 2026 in English."""
    if value is None:
        return "—"
    if isinstance(value, datetime):  # a stored UTC timestamp: the day it was in China
        value = to_user_timezone(value).date()
    return _long_date(value, page_language())


@lru_cache(maxsize=8192)  # a date reads the same in a language for ever: a list repeats few of them
def _long_date(value: date, language: str) -> str:
    return babel_format_date(value, "long" if language.startswith("zh") else "medium", locale=language)


class TranslatedLabels(Mapping):
    """A table of labels (lazy strings) read in the page's language: translated as a whole once
    per language and kept (translations do not change while the app runs), where each lazy
    string would look its translation up again every time it is shown."""

    def __init__(self, labels: Mapping):
        self._labels = labels
        self._by_language: dict[str, dict] = {}

    def in_language(self) -> dict:
        """The table in the page's language, as a plain dict (for a list's loop)."""
        language = page_language()
        table = self._by_language.get(language)
        if table is None:
            table = self._by_language[language] = {key: str(label) for key, label in self._labels.items()}
        return table

    def __getitem__(self, key):
        return self.in_language()[key]

    def __iter__(self):
        return iter(self._labels)

    def __len__(self):
        return len(self._labels)


def translated_once(label: Callable[..., object]) -> Callable[..., str]:
    """``label(value, *args)`` as a string in the page's language, worked out once per language
    and arguments (a label function of fixed tables: the same key always reads the same)."""
    by_language: dict[str, dict] = {}

    def translated(value, *args):
        try:
            memo = by_language.setdefault(page_language(), {})
            return memo[(value, *args)]
        except KeyError:
            text = memo[(value, *args)] = str(label(value, *args))
            return text
        except TypeError:  # an unhashable value: not kept
            return str(label(value, *args))

    translated.__doc__ = label.__doc__
    return translated


def long_month(value: str | None) -> str:
    """A snapshot's month 'YYYY-MM': 2026年11月 in Chinese, November 2026 in English."""
    if not value:
        return "—"
    year, month = value.split("-")[:2]
    return format_date(date(int(year), int(month), 1), "y年M月" if is_chinese() else "MMMM y")


def short_datetime(value: datetime | None) -> str:
    """Local date and time of a stored UTC timestamp, 2026-11-27 14:05: what Babel's pattern
    ``yyyy-MM-dd HH:mm`` writes, without Babel's pattern parsing for every timestamp of a list."""
    if value is None:
        return "—"
    return to_user_timezone(value).strftime("%Y-%m-%d %H:%M")


def utc_datetime_attr(value: datetime) -> str:
    """A stored UTC timestamp for ``<time datetime>``: whole seconds and a Z, as HTML expects."""
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


class RequestDomain(Domain):
    """The app's message catalogue, looked up once per request and language.

    Flask-Babel finds the translations afresh on every message (the request's locale, its name
    as a string, the domain, the catalogue cache): some ten microseconds, paid for every ``_()``
    in a template and every label shown, hundreds of times on a list. Here the catalogue found
    is kept in the request's Babel namespace beside the locale it was found for, and used while
    that very locale object is the request's (``force_locale`` and ``refresh`` put another
    there, so a change of language mid-request is seen)."""

    def get_translations(self):
        return _per_language("renovation_translations", super().get_translations)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    domain = RequestDomain(domain=app.extensions["babel"].default_domain)
    babel.domain_instance = domain  # Flask-Babel's own default: a cached property of the extension
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: domain.get_translations().ugettext(string),
        ngettext=lambda singular, plural, n: domain.get_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: domain.get_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: domain.get_translations().unpgettext(
            context, singular, plural, n),
        newstyle=True,
    )
    # ``_()`` and ``ngettext()`` are called hundreds of times on a list page; Jinja's own go through
    # two more calls each (the ``_`` alias, the context's call of the catalogue function).
    gettext, ngettext = template_gettext(domain), template_ngettext(domain)
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)


def template_gettext(domain: Domain):
    """Jinja's new-style ``gettext``, calling the catalogue directly: the message's translation,
    formatted with the variables. Where the template escapes, the translation is escaped too
    (Jinja's own trusts it as markup; no message of ours holds any) and so are the variables.
    A message without variables is formatted only when it holds a ``%`` (``%%`` becomes ``%``
    as Jinja's own would make it)."""
    @pass_eval_context  # not the context: Jinja derives a new context for each call in a loop to pass it
    def gettext(eval_ctx, string: str, **variables) -> str:
        text = domain.get_translations().ugettext(string)
        if eval_ctx.autoescape:
            text = escape(text)
        return text % variables if variables or "%" in text else text

    return gettext


def template_ngettext(domain: Domain):
    """Jinja's new-style ``ngettext`` (``num`` among the variables), calling the catalogue directly."""
    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        text = domain.get_translations().ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            text = escape(text)
        return text % variables

    return ngettext
