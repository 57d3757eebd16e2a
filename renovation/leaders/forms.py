"""The form of a site visit (蹲点调研), with a difficult problem raised on the spot."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from renovation.app_form import AppForm
from renovation.date_fields import plausible_date
from renovation.form_limits import fits
from renovation.models import Problem
from renovation.models.leaders import SiteVisit
from renovation.models.problems import PROBLEM_CATEGORY_LABELS


class SpotProblemForm(Form):
    """A difficult problem found on the visit: left empty, none is raised."""

    title = StringField(_l("Title"), validators=[Optional(), fits(Problem.title)])
    # Checked by raise_problem, and only when a problem was written: an empty one has no category.
    category = SelectField(_l("Category"), validate_choice=False, choices=[
        SelectChoice(key.value, label) for key, label in PROBLEM_CATEGORY_LABELS.items()])
    description = TextAreaField(_l("Description"), validators=[Optional(), fits(Problem.description)])
    deadline = DateField(_l("Deadline"), validators=[Optional(), plausible_date])

    def facts(self) -> dict | None:
        """The problem's facts for raise_problem, or None when nothing was written."""
        if not (self.title.data or "").strip() and not (self.description.data or "").strip():
            return None
        return {"title": self.title.data or "", "category": self.category.data,
                "description": self.description.data or "", "deadline": self.deadline.data}


class VisitForm(AppForm):
    """Who came, what was seen and decided, the problems taken up and one raised on the spot."""

    visited_on = DateField(_l("Date of the visit"), validators=[InputRequired(_l("Enter the date of the visit.")),
                                                                plausible_date])
    leaders = SelectMultipleField(_l("Leaders who came"), coerce=int, validators=[Optional()])
    others = StringField(_l("Others who came"), validators=[Optional(), fits(SiteVisit.others)])
    seen = TextAreaField(_l("What was seen"), validators=[Optional(), fits(SiteVisit.seen)])
    decided = TextAreaField(_l("What was decided"), validators=[Optional(), fits(SiteVisit.decided)])
    problems = SelectMultipleField(_l("Difficult problems taken up"), coerce=int, validators=[Optional()])
    problem = FormField(SpotProblemForm, label=_l("A difficult problem raised on the spot"))

    def set_choices(self, people, problems) -> None:
        self.leaders.choices = [SelectChoice(user.id, user.name) for user in people]
        self.problems.choices = [SelectChoice(problem.id, problem.title) for problem in problems]

    def values(self) -> dict:
        return {"visited_on": self.visited_on.data, "leaders": self.leaders.data or [],
                "others": self.others.data or "", "seen": self.seen.data or "", "decided": self.decided.data or "",
                "problems": self.problems.data or [], "new_problem": self.problem.form.facts()}
