"""The lists' filter forms: what a list (and its export) is asked for, read from the query string.

Each list's form inherits one of these and says in :meth:`ListFilterForm.criteria` which domain
filter its fields describe. A part of the query string that does not validate (a street that is
not there, ``page=abc``) falls back to "all" for that part alone: a shared address with a stale
value still opens the list.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice
from wtforms.validators import NumberRange, Optional

from renovation.domain import project_list
from renovation.form_widgets import FilterSelectField


class ListFilterForm(FlaskForm):
    """A list's filters and page number (GET, so no CSRF)."""

    class Meta:
        csrf = False

    page = IntegerField(validators=[Optional(), NumberRange(min=1)])

    def valid(self, name: str, default=None):
        """The value of the field ``name``; ``default`` when it is empty or did not validate."""
        field = self[name]
        return default if field.errors else field.data or default

    def page_number(self) -> int:
        """The page asked for; the first when none (or nonsense) was."""
        return self.valid("page", 1)

    def criteria(self):
        """The domain's filter these fields describe."""
        raise NotImplementedError


class AreaFilterForm(ListFilterForm):
    """A list filtered by street and community (the projects and what belongs to them)."""

    street = FilterSelectField(_l("Street"), coerce=int, validators=[Optional()])
    community = FilterSelectField(_l("Community"), coerce=int, validators=[Optional()])

    @classmethod
    def read(cls, args):
        """The form filled from ``args`` (the query string), with its choices, validated."""
        form = cls(args)
        form.set_choices(*project_list.streets_and_communities())
        form.validate()
        return form

    def set_choices(self, streets, communities) -> None:
        """The streets and communities to choose from ("all" first), then the form's own choices."""
        self.street.choices = [SelectChoice(0, _l("All streets"))] + [SelectChoice(s.id, s.name) for s in streets]
        self.community.choices = [SelectChoice(0, _l("All communities"))] + [
            SelectChoice(c.id, c.name) for c in communities]
        self.set_own_choices()

    def set_own_choices(self) -> None:
        """The choices of the form's other select fields (none here)."""
