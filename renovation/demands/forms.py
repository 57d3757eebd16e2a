"""Forms of the demand pages: raise a demand, change its status, and the list's filters."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from renovation.app_form import AppForm
from renovation.date_fields import plausible_date
from renovation.domain.residents.demand_list import DEFAULT_SORT, DemandFilter
from renovation.form_limits import fits
from renovation.i18n import long_date
from renovation.list_filters import AreaFilterForm
from renovation.models.consultations import CATEGORY_LABELS, DEMAND_STATUS_LABELS, Demand


def category_choices() -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in CATEGORY_LABELS.items()]


def status_choices() -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in DEMAND_STATUS_LABELS.items()]


class RaiseDemandForm(AppForm):
    """A new demand; the rules (date not in the future, consultation of this project) are the
    domain's, shown beside the fields."""

    category = SelectField(_l("Category"), choices=category_choices())
    text = TextAreaField(_l("Demand"), validators=[InputRequired(_l("Write what the residents ask for.")),
                                                   fits(Demand.text)])
    raised_by = StringField(_l("Raised by (household or building)"), validators=[Optional(), fits(Demand.raised_by)])
    raised_on = DateField(_l("Raised on"), validators=[InputRequired(_l("Enter the date the demand was raised.")),
                                                         plausible_date])
    consultation_id = SelectField(_l("Raised at"), coerce=int, validators=[Optional()])

    def set_consultations(self, consultations) -> None:
        self.consultation_id.choices = [SelectChoice(0, _l("Not at a consultation"))] + [
            SelectChoice(c.id, f"{long_date(c.date)} · {c.topic}") for c in consultations]

    def values(self) -> dict:
        return {"category": self.category.data, "text": self.text.data, "raised_by": self.raised_by.data,
                "raised_on": self.raised_on.data, "consultation_id": self.consultation_id.data or None}


class ChangeDemandForm(AppForm):
    """Status, response, reason and assignee of one demand; ``version`` is the one the user saw."""

    status = SelectField(_l("Status"), choices=status_choices())
    response = TextAreaField(_l("Response"), validators=[Optional(), fits(Demand.response)])
    reason = TextAreaField(_l("Reason for declining"), validators=[Optional(), fits(Demand.reason)])
    assignee = StringField(_l("Assignee"), validators=[Optional(), fits(Demand.assignee)])
    version = HiddenField()

    def changes(self) -> dict:
        return {"status": self.status.data, "response": self.response.data or "",
                "reason": self.reason.data or "", "assignee": self.assignee.data or ""}


class DemandFilterForm(AreaFilterForm):
    """The list's filters (and its export's)."""

    by_street_in_a_province = True  # 5,000 communities in one select: the chosen street's instead

    category = SelectField(_l("Category"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    overdue = BooleanField(_l("Overdue only"))
    q = StringField(_l("Search"), validators=[Optional(), Length(max=64)])
    sort = SelectField(_l("Sort"), validators=[Optional()], choices=[
        SelectChoice("overdue", _l("Overdue first")), SelectChoice("newest", _l("Newest first")),
        SelectChoice("oldest", _l("Oldest first")), SelectChoice("project", _l("By project"))])

    def set_own_choices(self) -> None:
        self.category.choices = [SelectChoice("", _l("All categories"))] + category_choices()
        self.status.choices = [SelectChoice("", _l("All statuses"))] + status_choices()

    def criteria(self) -> DemandFilter:
        return DemandFilter(street_id=self.valid("street"), community_id=self.valid("community"),
                            category=self.valid("category", ""), status=self.valid("status", ""),
                            overdue=bool(self.overdue.data), q=self.valid("q", "").strip(),
                            sort=self.valid("sort", DEFAULT_SORT))
