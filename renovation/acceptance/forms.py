"""Forms of 竣工验收: a new acceptance (date, units present, residents' representatives, each content
item checked), a rectification item added directly, and closing one with a photo or a note."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from renovation.app_form import AppForm
from renovation.date_fields import plausible_date
from renovation.domain import clock
from renovation.domain.acceptance.records import MAX_HEADCOUNT, RECTIFY_DAYS
from renovation.form_limits import fits
from renovation.models.acceptance import (
    ACCEPTANCE_UNIT_LABELS,
    CHECK_RESULT_LABELS,
    AcceptanceCheck,
    AcceptanceRecord,
    AcceptanceRepresentative,
    AcceptanceUnit,
    Rectification,
)

REPRESENTATIVE_ROWS = 4  # blank rows of a new acceptance's representatives


def unit_choices() -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in ACCEPTANCE_UNIT_LABELS.items()]


class RepresentativeRow(Form):
    """One row: a named representative, or how many took part; and whom they represent."""

    name = StringField(_l("Name"), validators=[Optional(), fits(AcceptanceRepresentative.name)])
    headcount = IntegerField(_l("Or how many"), validators=[
        Optional(), NumberRange(1, MAX_HEADCOUNT, _l("From 1 to 999."))])
    represents = StringField(_l("Whom they represent"), validators=[
        Optional(), fits(AcceptanceRepresentative.represents)])


class CheckRow(Form):
    """One content item of the project as the acceptance found it."""

    content_id = HiddenField()
    result = SelectField(_l("Result"), choices=[SelectChoice("", _l("Not checked")), *(
        SelectChoice(key.value, label) for key, label in CHECK_RESULT_LABELS.items())], validators=[Optional()])
    note = StringField(_l("What is to be rectified"), validators=[Optional(), fits(AcceptanceCheck.note)])


class AcceptanceForm(AppForm):
    """A new acceptance; ``checks`` has a row per content of the project (``set_contents``)."""

    accepted_on = DateField(_l("Date of the acceptance"), validators=[
        InputRequired(_l("Enter the date of the acceptance.")), plausible_date])
    units = SelectMultipleField(_l("Units present"), choices=unit_choices(), validators=[Optional()])
    representatives = FieldList(FormField(RepresentativeRow), min_entries=REPRESENTATIVE_ROWS,
                                max_entries=20)
    checks = FieldList(FormField(CheckRow), max_entries=200)
    rectify_deadline = DateField(_l("Items to rectify: deadline"), validators=[Optional(), plausible_date])
    rectify_unit = SelectField(_l("Items to rectify: unit responsible"), choices=unit_choices(),
                               default=AcceptanceUnit.CONTRACTOR.value)
    summary = TextAreaField(_l("Conclusion and remarks"), validators=[Optional(), fits(AcceptanceRecord.summary)])

    @classmethod
    def blank(cls, contents, formdata=None):
        """The form, blank (today, the usual units, a row per content) or as the user sent it."""
        data = None if formdata else {
            "accepted_on": clock.today(), "rectify_deadline": clock.today() + timedelta(days=RECTIFY_DAYS),
            "units": [AcceptanceUnit.CONSTRUCTION_OWNER.value, AcceptanceUnit.CONTRACTOR.value,
                      AcceptanceUnit.SUPERVISOR.value, AcceptanceUnit.STREET_COMMUNITY.value],
            "checks": [{"content_id": str(content.id), "result": "", "note": ""} for content in contents]}
        form = cls(formdata=formdata, data=data)
        form.content_names = {str(content.id): content.item.name for content in contents}
        form.list_errors = {}  # the domain's messages about the representatives or the checks as a whole
        return form

    def values(self) -> dict:
        checks = []
        for row in self.checks:
            content_id = row.form.content_id.data
            if not row.form.result.data or not str(content_id or "").isdigit():
                continue
            checks.append({"content_id": int(content_id), "result": row.form.result.data,
                           "note": row.form.note.data or "", "deadline": self.rectify_deadline.data,
                           "responsible_unit": self.rectify_unit.data})
        return {"accepted_on": self.accepted_on.data, "units": self.units.data or [],
                "representatives": [{"name": row.form.name.data or "", "headcount": row.form.headcount.data,
                                     "represents": row.form.represents.data or ""} for row in self.representatives],
                "checks": checks, "summary": self.summary.data or ""}


class RectificationForm(AppForm):
    """An item to rectify added directly."""

    description = TextAreaField(_l("What is to be rectified"), validators=[
        InputRequired(_l("Describe what is to be rectified.")), fits(Rectification.description)])
    deadline = DateField(_l("Deadline"), validators=[
        InputRequired(_l("Enter the date by which it is to be rectified.")), plausible_date])
    responsible_unit = SelectField(_l("Unit responsible"), choices=unit_choices(),
                                   default=AcceptanceUnit.CONTRACTOR.value)

    @classmethod
    def blank(cls, formdata=None):
        return cls(formdata=formdata, data=None if formdata else {
            "deadline": clock.today() + timedelta(days=RECTIFY_DAYS)})

    def values(self) -> dict:
        return {"description": self.description.data, "deadline": self.deadline.data,
                "responsible_unit": self.responsible_unit.data}


class CloseForm(AppForm):
    """Closing an item: a photo of the rectified work (uploaded as photo evidence of the project) or a
    note, or both; ``version`` is the one the user saw."""

    photo = FileField(_l("Photo of the rectified work"))
    note = TextAreaField(_l("Note"), validators=[Optional(), fits(Rectification.closing_note)])
    version = HiddenField()

    def upload(self):
        """The chosen photo, or None (a browser sends an empty part when none is chosen)."""
        data = self.photo.data
        return data if data and getattr(data, "filename", "") else None
