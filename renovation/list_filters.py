"""The lists' filter forms: what a list (and its export) is asked for, read from the query string.

Each list's form inherits one of these and says in :meth:`ListFilterForm.criteria` which domain
filter its fields describe. A part of the query string that does not validate (a street that is
not there, ``page=abc``) falls back to "all" for that part alone: a shared address with a stale
value still opens the list.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from renovation.app_form import AppForm
from renovation.domain import project_list


class ListFilterForm(AppForm):
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


AREA_OPTIONS = "projects/_community_select.html"  # its macro area_options(rows)
_written_options: dict = {}  # id(rows) → (rows, their <option>s), for the few kept lists of rows


class AreaSelectField(SelectField):
    """A street or community select. A province has some 800 streets and 5,000 communities: the
    value is looked up in a set of their ids, not found by walking every choice, and WTForms'
    choices are made only if something reads them (a widget drawing the select)."""

    rows: list = []
    values: frozenset = frozenset()

    def set_area_choices(self, everything, rows) -> None:
        """``everything`` (value 0) then ``rows`` of (id, name)."""
        self.rows, self.values = rows, frozenset((0, *(row[0] for row in rows)))
        self.choices = lambda: [SelectChoice(0, everything), *(SelectChoice(row[0], row[1]) for row in rows)]

    def options(self, selected) -> Markup:
        """An <option> for each row, the one of value ``selected`` marked (the "all" option is the
        template's). Rows the process keeps (:mod:`renovation.domain.area_lists`: a province's 800
        streets, the same on every page while the areas are) are written once."""
        written = _written_options.get(id(self.rows))
        if written is None or written[0] is not self.rows:
            written = (self.rows, current_app.jinja_env.get_template(AREA_OPTIONS).module.area_options(self.rows))
            if isinstance(self.rows, tuple):
                while len(_written_options) >= 4:
                    _written_options.pop(next(iter(_written_options)))
                _written_options[id(self.rows)] = written
        html = written[1]
        if selected in self.values and selected:
            html = html.replace(Markup('<option value="{}">').format(selected),
                                Markup('<option value="{}" selected>').format(selected), 1)
        return html

    def pre_validate(self, form):
        if self.data not in self.values:  # a list then shows every street or community
            raise ValidationError(_l("Not one of the choices."))


class AreaFilterForm(ListFilterForm):
    """A list filtered by street and community (the projects and what belongs to them)."""

    street = AreaSelectField(_l("Street"), coerce=int, validators=[Optional()])
    community = AreaSelectField(_l("Community"), coerce=int, validators=[Optional()])

    # Lists that offer a province's communities street by street (the project list) say so; then
    # ``communities_by_street`` says whether there are that many.
    by_street_in_a_province = False
    communities_by_street = False

    @classmethod
    def read(cls, args, every_street: bool = True):
        """The form filled from ``args`` (the query string), with its choices, validated. Without
        ``every_street`` (an htmx request for a list's results, which show no street select), the
        chosen street alone is read: enough to check it."""
        form = cls(args)
        choices = project_list.area_choices(form.street.data, form.community.data, every_street,
                                            cls.by_street_in_a_province)
        form.communities_by_street = choices.by_street
        form.set_choices(choices.streets, choices.communities)
        form.validate()
        return form

    def set_choices(self, streets, communities) -> None:
        """The streets and communities to choose from ("all" first), then the form's own choices."""
        self.street.set_area_choices(_l("All streets"), streets)
        self.community.set_area_choices(_l("All communities"), communities)
        self.set_own_choices()

    def set_own_choices(self) -> None:
        """The choices of the form's other select fields (none here)."""
