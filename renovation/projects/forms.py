"""Forms of the project pages: the list filters and the stage card."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from renovation.date_fields import plausible_date
from renovation.domain.project_list import SORT_COLUMNS
from renovation.domain.stages import DONE, DONE_LABEL, STAGE_LABELS, STATUS_LABELS


class ProjectFilterForm(FlaskForm):
    """The list's search and filters, read from the query string (GET, so no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=64)])
    street = SelectField(_l("Street"), coerce=int, validators=[Optional()])
    community = SelectField(_l("Community"), coerce=int, validators=[Optional()])
    stage = SelectField(_l("Current stage"), validators=[Optional()])
    behind = BooleanField(_l("Behind schedule only"))
    started = BooleanField(_l("Started only"))
    mine = BooleanField(_l("Mine"))  # engineers: projects whose responsible engineer has their name
    # "<stage>:<status>": the dashboard's per-stage counts link here.
    stage_status = SelectField(choices=[SelectChoice(f"{key.value}:{status.value}") for key in STAGE_LABELS
                                        for status in STATUS_LABELS], validators=[Optional()])
    sort = SelectField(choices=[SelectChoice(key) for key in SORT_COLUMNS], validators=[Optional()])
    dir = SelectField(choices=[SelectChoice("asc"), SelectChoice("desc")], validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)])

    def set_choices(self, streets, communities) -> None:
        everything = SelectChoice(0, _l("All"))
        self.street.choices = [everything] + [SelectChoice(street.id, street.name) for street in streets]
        self.community.choices = [everything] + [SelectChoice(c.id, c.name) for c in communities]
        self.stage.choices = (
            [SelectChoice("", _l("All"))]
            + [SelectChoice(key.value, label) for key, label in STAGE_LABELS.items()]
            + [SelectChoice(DONE, DONE_LABEL)]
        )


class StageForm(FlaskForm):
    """One stage card. ``version`` is the version the user saw, for the conflict check."""

    status = SelectField(
        _l("Status"), choices=[SelectChoice(key.value, label) for key, label in STATUS_LABELS.items()]
    )
    percent = IntegerField(
        _l("Percent complete"),
        validators=[
            InputRequired(_l("Enter the percent complete (0 to 100).")),
            NumberRange(0, 100, _l("Percent complete must be a whole number from 0 to 100.")),
        ],
    )
    actual_start = DateField(_l("Actual start"), validators=[Optional(), plausible_date])
    actual_end = DateField(_l("Actual end"), validators=[Optional(), plausible_date])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    version = HiddenField()

    def changes(self) -> dict:
        return {
            "status": self.status.data,
            "percent": self.percent.data,
            "actual_start": self.actual_start.data,
            "actual_end": self.actual_end.data,
            "note": (self.note.data or "").strip(),
        }
