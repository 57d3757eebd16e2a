"""Forms of the project pages: the list filters and the stage card."""
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from renovation.app_form import AppForm
from renovation.date_fields import plausible_date
from renovation.domain.project_list import DEFAULT_SORT, SORT_COLUMNS, Position, ProjectFilter
from renovation.domain.stages.keys import DONE, DONE_LABEL, LAG_REASON_LABELS, STAGE_LABELS, STATUS_LABELS
from renovation.form_limits import fits
from renovation.list_filters import AreaFilterForm
from renovation.models import Project, RuleOverride, Stage
from renovation.models.limits import column_limit


class ProjectFilterForm(AreaFilterForm):
    """The list's search and filters (and its export's)."""

    by_street_in_a_province = True  # 5,000 communities in one select: the chosen street's instead

    q = StringField(_l("Search"), validators=[Optional(), Length(max=64)])
    stage = SelectField(_l("Current stage"), validators=[Optional()])
    behind = BooleanField(_l("Behind schedule only"))
    started = BooleanField(_l("Started only"))
    mine = BooleanField(_l("Mine"))  # engineers: projects whose responsible engineer has their name
    # "<stage>:<status>": the dashboard's per-stage counts link here.
    stage_status = SelectField(choices=[SelectChoice(f"{key.value}:{status.value}") for key in STAGE_LABELS
                                        for status in STATUS_LABELS], validators=[Optional()])
    sort = SelectField(choices=[SelectChoice(key) for key in SORT_COLUMNS], validators=[Optional()])
    dir = SelectField(choices=[SelectChoice("asc"), SelectChoice("desc")], validators=[Optional()])
    # The page after the project with this code (the last of the page before), or before it.
    after = StringField(validators=[Optional(), Length(max=column_limit(Project.code))])
    before = StringField(validators=[Optional(), Length(max=column_limit(Project.code))])

    def set_own_choices(self) -> None:
        self.stage.choices = (
            [SelectChoice("", _l("All"))]
            + [SelectChoice(key.value, label) for key, label in STAGE_LABELS.items()]
            + [SelectChoice(DONE, DONE_LABEL)]
        )

    def criteria(self, my_name: str = "") -> ProjectFilter:
        """The filter the form describes. ``my_name``: the engineer's name that 我负责的 (``mine``)
        matches."""
        sort = self.valid("sort", DEFAULT_SORT)
        return ProjectFilter(
            q=self.valid("q", "").strip(),
            street_id=self.valid("street"),
            community_id=self.valid("community"),
            stage=self.valid("stage", ""),
            behind=bool(self.behind.data),
            started=bool(self.started.data),
            stage_status=self.valid("stage_status", ""),
            responsible_engineer=my_name if self.mine.data else "",
            sort=sort if sort in SORT_COLUMNS else DEFAULT_SORT,
            descending=self.valid("dir") == "desc",
        )

    def position(self) -> Position:
        """Which page: its number, and the project it follows or precedes."""
        return Position(page=self.page_number(), after=self.valid("after", ""), before=self.valid("before", ""))


# The name and value of the "mark as completed" submit button (on the card and in the form).
COMPLETE_ACTION = ("action", "complete")


def stage_formdata(stage, posted: MultiDict) -> MultiDict:
    """The posted stage form, with the stage's own values for the fields not sent.

    The card's "mark as completed" button posts only the token, the version and the action;
    the form's own button posts everything the user typed, which wins.
    """
    values = MultiDict({
        "status": stage.status, "percent": str(stage.percent), "note": stage.note or "",
        "actual_start": stage.actual_start.isoformat() if stage.actual_start else "",
        "actual_end": stage.actual_end.isoformat() if stage.actual_end else "",
        "lag_reason": stage.lag_reason or "", "lag_note": stage.lag_note or "",
        "catch_up_date": stage.catch_up_date.isoformat() if stage.catch_up_date else "",
    })
    for key in posted:
        values.setlist(key, posted.getlist(key))
    return values


class StageForm(AppForm):
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
    note = TextAreaField(_l("Note"), validators=[Optional(), fits(Stage.note)])
    # Asked when the stage is behind schedule (stage_rules.lag_errors decides).
    lag_reason = SelectField(
        _l("Reason for the delay"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(key.value, label) for key, label in LAG_REASON_LABELS.items()],
        # stage_rules.lag_errors checks the value (and says so in words), absent means none.
        validate_choice=False,
    )
    lag_note = TextAreaField(_l("About the delay"), validators=[Optional(), fits(Stage.lag_note)])
    catch_up_date = DateField(_l("Back on track by"), validators=[Optional(), plausible_date])
    # Asked when a rule the user may override refused the change (paving before hidden-works photos).
    override_reason = TextAreaField(_l("Reason for overriding the rule"),
                                    validators=[Optional(), fits(RuleOverride.reason)])
    version = HiddenField()

    def changes(self) -> dict:
        return {
            "status": self.status.data,
            "percent": self.percent.data,
            "actual_start": self.actual_start.data,
            "actual_end": self.actual_end.data,
            "note": (self.note.data or "").strip(),
            "lag_reason": self.lag_reason.data or "",
            "lag_note": (self.lag_note.data or "").strip(),
            "catch_up_date": self.catch_up_date.data,
        }
