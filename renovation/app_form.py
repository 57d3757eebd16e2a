"""The base of the app's forms: Flask-WTF's form, with WTForms' own messages ("不是有效的整数。")
translated from a catalogue read once per language.

Flask-WTF reads and parses WTForms' catalogue from disk again for every request that builds or
checks a form (some 0.2 ms: a tenth of what a stage change through the page is allowed); the
catalogue does not change while the app runs, so it is kept per language here. The language is the
request's, looked up at each message, so ``force_locale`` is seen.
"""
from functools import cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@cache
def _catalogue(language: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class _WTFormsMessages:
    """What WTForms asks a form's meta for: ``gettext`` and ``ngettext``."""

    def gettext(self, string: str) -> str:
        return _catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalogue(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_MESSAGES = _WTFormsMessages()


class AppForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return WTFORMS_MESSAGES
