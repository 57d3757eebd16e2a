"""Translated messages that carry values, and stay text (never markup) in a page.

Flask-Babel's lazy strings have ``__html__``, so Jinja takes them as markup:
``lazy_gettext("… %(name)s …", name=user_text)`` would put user text into a page unescaped.
A message that carries values is therefore built here:
``with_values(_l("… %(name)s …"), name=user_text)``. It is formatted when shown, in the
reader's language (so domain rules still run where no request chose one), and Jinja escapes it
like any text. The API, CSV and the command line read it with ``str()`` and get plain text.
tests/test_no_markup_from_values.py fails when a lazy string is given values any other way.
"""
from collections.abc import Callable

from flask_babel import LazyString
from markupsafe import Markup, escape


class LazyText(LazyString):
    """A lazy string that is text, not markup: Jinja and ``markupsafe.escape`` escape it."""

    def __html__(self) -> Markup:
        return escape(str(self))


def with_values(message, **values) -> LazyText:
    """``message`` (a lazy msgid with ``%(name)s`` placeholders) filled with ``values`` when shown.

    Values may themselves be lazy (translated labels): they are read at the same time.
    """
    return LazyText(lambda: str(message) % values)


def lazy_text(make: Callable[[], str]) -> LazyText:
    """Text computed when shown (for example labels joined in the reader's language)."""
    return LazyText(make)
