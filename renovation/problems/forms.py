"""Forms of the problem pages: raise or edit a problem, each step of its way, and the list's filters."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from renovation.app_form import AppForm
from renovation.date_fields import plausible_date
from renovation.domain.problems.listing import NO_LEADER, ProblemFilter, leader_choices
from renovation.domain.stages.keys import STAGE_LABELS
from renovation.form_limits import fits
from renovation.list_filters import AreaFilterForm
from renovation.models.problems import PROBLEM_CATEGORY_LABELS, PROBLEM_STATUS_LABELS, Problem


def category_choices() -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in PROBLEM_CATEGORY_LABELS.items()]


def status_choices() -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in PROBLEM_STATUS_LABELS.items()]


class ProblemForm(AppForm):
    """A problem's facts, to raise it or to edit them; the rules are the domain's, shown beside the
    fields. ``version`` is the one the user saw (editing)."""

    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the problem a short title.")),
                                                 fits(Problem.title)])
    category = SelectField(_l("Category"), choices=category_choices())
    description = TextAreaField(_l("Description"), validators=[InputRequired(_l("Describe the problem.")),
                                                               fits(Problem.description)])
    stage = SelectField(_l("Stage it blocks"), validators=[Optional()], choices=[
        SelectChoice("", _l("No stage in particular")),
        *(SelectChoice(key.value, label) for key, label in STAGE_LABELS.items())])
    departments = SelectMultipleField(_l("Departments concerned"), validators=[Optional()])
    proposal = TextAreaField(_l("Proposed solution"), validators=[Optional(), fits(Problem.proposal)])
    deadline = DateField(_l("Deadline"), validators=[
        InputRequired(_l("Enter the date by which the problem should be solved.")), plausible_date])
    photos = SelectMultipleField(_l("Photos that show it"), coerce=int, validators=[Optional()])
    version = HiddenField()

    def set_choices(self, departments, photos) -> None:
        """The configured departments (and those the problem names already) and the project's photos."""
        self.departments.choices = [SelectChoice(name, name) for name in departments]
        self.photos.choices = [SelectChoice(photo.id, photo.caption or photo.original_filename) for photo in photos]
        self.photo_rows = {photo.id: photo for photo in photos}

    def values(self) -> dict:
        return {"title": self.title.data, "category": self.category.data, "description": self.description.data,
                "stage": self.stage.data or None, "departments": self.departments.data or [],
                "proposal": self.proposal.data or "", "deadline": self.deadline.data,
                "photos": self.photos.data or []}


class AssignForm(AppForm):
    """An engineer gives the problem to a leader (again)."""

    leader = SelectField(_l("Leader"))
    version = HiddenField()

    def set_leaders(self, leaders) -> None:
        self.leader.choices = [SelectChoice("", _l("Choose a leader"))] + [
            SelectChoice(user.username, user.name) for user in leaders]

    def values(self) -> dict:
        return {"leader": self.leader.data}


class TakeOnForm(AppForm):
    """A leader takes an open problem on: nothing to fill in but the version seen."""

    version = HiddenField()

    def values(self) -> dict:
        return {}


class SolveForm(AppForm):
    resolution = TextAreaField(_l("Resolution"), validators=[Optional(), fits(Problem.resolution)])
    solved_at = DateField(_l("Solved on"), validators=[Optional(), plausible_date])
    version = HiddenField()

    def values(self) -> dict:
        return {"resolution": self.resolution.data or "", "solved_at": self.solved_at.data}


class SuspendForm(AppForm):
    reason = TextAreaField(_l("Reason for suspending"), validators=[Optional(), fits(Problem.reason)])
    version = HiddenField()

    def values(self) -> dict:
        return {"reason": self.reason.data or ""}


class ReopenForm(AppForm):
    reason = TextAreaField(_l("Reason for reopening"), validators=[Optional(), fits(Problem.reason)])
    version = HiddenField()

    def values(self) -> dict:
        return {"reason": self.reason.data or ""}


class ProblemFilterForm(AreaFilterForm):
    """The problems list's filters."""

    status = SelectField(_l("Status"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    leader = SelectField(_l("Leader"), coerce=int, validators=[Optional()])
    overdue = BooleanField(_l("Overdue only"))

    def set_own_choices(self) -> None:
        self.status.choices = [SelectChoice("", _l("All statuses"))] + status_choices()
        self.category.choices = [SelectChoice("", _l("All categories"))] + category_choices()
        self.leader.choices = [SelectChoice(0, _l("All leaders")), SelectChoice(NO_LEADER, _l("No leader yet"))] + [
            SelectChoice(user_id, name) for user_id, name in leader_choices()]

    def criteria(self) -> ProblemFilter:
        return ProblemFilter(street_id=self.valid("street"), community_id=self.valid("community"),
                             category=self.valid("category", ""), status=self.valid("status", ""),
                             leader_id=self.valid("leader"), overdue=bool(self.overdue.data))
