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

from flask_babel import LazyString, gettext
from markupsafe import Markup, escape


class LazyText(LazyString):
    """A lazy string that is text, not markup: Jinja and ``markupsafe.escape`` escape it."""

    def __html__(self) -> Markup:
        return escape(str(self))


class MessageWithValues(LazyText):
    """A lazy msgid and its values, formatted when shown; ``msgid`` and ``values`` let a message
    be kept (as JSON, say) and made again in another reader's language."""

    def __init__(self, message, values: dict):
        super().__init__(lambda: str(message) % values)
        self.message = message
        self.values = values

    @property
    def msgid(self) -> str | None:
        """The English msgid, when ``message`` is a plain lazy_gettext of one."""
        args = getattr(self.message, "_args", ())
        return args[0] if len(args) == 1 and isinstance(args[0], str) else None


def with_values(message, **values) -> MessageWithValues:
    """``message`` (a lazy msgid with ``%(name)s`` placeholders) filled with ``values`` when shown.

    Values may themselves be lazy (translated labels): they are read at the same time.
    """
    return MessageWithValues(message, values)


def lazy_text(make: Callable[[], str]) -> LazyText:
    """Text computed when shown (for example labels joined in the reader's language)."""
    return LazyText(make)


def message_from_msgid(msgid: str, **values):
    """The message ``lazy_gettext(msgid)`` would make, filled with ``values`` as text: for a
    message that was kept by its msgid (a stored preview) and is shown again later."""
    message = LazyString(gettext, msgid)
    return with_values(message, **values) if values else message
