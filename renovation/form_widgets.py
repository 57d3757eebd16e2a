"""WTForms widgets that write the same HTML as WTForms' own, faster.

A filter bar's selects carry some forty options (streets, communities, stages, statuses, sorts);
WTForms writes each option through its generic attribute writer (sorting, cleaning and escaping
every attribute name and value through Markup), a tenth of a list page's time. Options without
extra attributes are written here by concatenation, to the same bytes: ``<option selected
value="…">label</option>``, the attributes in WTForms' (alphabetical) order.
"""
from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.widgets import Select


class PlainSelect(Select):
    """WTForms' ``Select``, options without ``render_kw`` written by a plain f-string."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        opening = Markup('<option selected value="') if choice.selected else Markup('<option value="')
        return opening + escape(value) + Markup('">') + escape(choice.label or choice.value) + Markup("</option>")


class FilterSelectField(SelectField):
    """A select of a filter bar (see :mod:`renovation.list_filters`), written by :class:`PlainSelect`."""

    widget = PlainSelect()
