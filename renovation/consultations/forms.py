"""Forms of the consultation pages: the consultation with its optional vote, delete, filters."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from renovation.app_form import AppForm
from renovation.date_fields import plausible_date
from renovation.domain.residents.consultations import CONSULTATION_FIELDS, VOTE_FIGURES, ConsultationFilter
from renovation.domain.residents.votes import MatterClass
from renovation.form_limits import fits
from renovation.list_filters import AreaFilterForm
from renovation.models.audit import REASON_MAX
from renovation.models.consultations import KIND_LABELS, Consultation, ConsultationKind, Vote

MATTER_CLASS_LABELS = {
    MatterClass.SPECIAL: _l("Special: maintenance funds, renovating buildings or facilities, change of use"),
    MatterClass.ORDINARY: _l("Ordinary: any other matter"),
}


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]


def two_decimals(form, field):
    if isinstance(field.data, Decimal) and field.data.as_tuple().exponent < -2:
        raise ValidationError(_l("Enter the area with at most two decimals."))


def _owners(label):
    return IntegerField(label, validators=[Optional()])


def _area(label):
    return DecimalField(label, places=None, validators=[Optional(), two_decimals])


class VoteForm(Form):
    """The vote fieldset; checked by the vote rules (figure_errors) once the form is read."""

    matter = StringField(_l("Matter voted on"), validators=[Optional(), fits(Vote.matter)])
    matter_class = SelectField(_l("Class of matter"), default=MatterClass.SPECIAL.value,
                               choices=[SelectChoice(key.value, label) for key, label in MATTER_CLASS_LABELS.items()])
    total_owners = _owners(_l("Owners in the voting scope"))
    total_area = _area(_l("Area of the voting scope (m²)"))
    participating_owners = _owners(_l("Owners taking part"))
    participating_area = _area(_l("Area taking part (m²)"))
    agree_owners = _owners(_l("Owners agreeing"))
    agree_area = _area(_l("Area agreeing (m²)"))
    oppose_owners = _owners(_l("Owners opposing"))
    oppose_area = _area(_l("Area opposing (m²)"))
    abstain_owners = _owners(_l("Owners abstaining"))
    abstain_area = _area(_l("Area abstaining (m²)"))
    extra_threshold = StringField(_l("Stricter local rule: share of all owners who must agree"),
                                  validators=[Optional(), fits(Vote.extra_threshold)])
    extra_label = StringField(_l("Name of the local rule"), validators=[Optional(), fits(Vote.extra_label)])


class ConsultationForm(AppForm):
    date = DateField(_l("Date"), validators=[InputRequired(), plausible_date])
    kind = SelectField(_l("Kind"), choices=kind_choices(), default=ConsultationKind.COUNCIL_MEETING.value)
    place = StringField(_l("Place"), validators=[Optional(), fits(Consultation.place)])
    organiser = StringField(_l("Organiser"), validators=[Optional(), fits(Consultation.organiser)])
    attendees = TextAreaField(_l("Attendees"), validators=[Optional(), fits(Consultation.attendees)])
    households = IntegerField(_l("Households represented"), validators=[Optional(), NumberRange(min=0)])
    topic = StringField(_l("Topic"), validators=[DataRequired(), fits(Consultation.topic)])
    opinions = TextAreaField(_l("Residents' opinions"), validators=[Optional(), fits(Consultation.opinions)])
    decisions = TextAreaField(_l("Decisions"), validators=[Optional(), fits(Consultation.decisions)])
    follow_up = TextAreaField(_l("Follow-up"), validators=[Optional(), fits(Consultation.follow_up)])
    has_vote = BooleanField(_l("A vote was taken"))
    vote = FormField(VoteForm)

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in CONSULTATION_FIELDS}

    def vote_values(self) -> dict | None:
        if not self.has_vote.data:
            return None
        vote = self.vote.form
        values = {name: vote[name].data for name in VOTE_FIGURES}
        values.update(matter=vote.matter.data or "", matter_class=vote.matter_class.data,
                      extra_threshold=vote.extra_threshold.data or "", extra_label=vote.extra_label.data or "")
        return values

    def add_errors(self, errors: dict) -> None:
        """Put the domain's ``{field: message}`` beside the fields (``vote.…`` in the vote)."""
        for name, message in errors.items():
            if name.startswith("vote."):
                target = self.vote.form[name.removeprefix("vote.")]
            else:
                target = self[name]
            target.errors = [*target.errors, message]

    def fill_from(self, consultation) -> None:
        """The stored values, for the edit form."""
        for name in CONSULTATION_FIELDS:
            self[name].data = getattr(consultation, name)
        vote = consultation.vote
        self.has_vote.data = vote is not None
        if vote is not None:
            for name in (*VOTE_FIGURES, "matter", "matter_class", "extra_threshold", "extra_label"):
                self.vote.form[name].data = getattr(vote, name)


class VoteOutcomeForm(AppForm):
    """The vote fields of a consultation form, posted as they are typed for the live outcome."""

    has_vote = BooleanField()
    vote = FormField(VoteForm)
    vote_values = ConsultationForm.vote_values

    def typing_errors(self) -> dict:
        """Figures the fields could not read (letters in a count, say), as ``{field: message}``."""
        return {name: messages[0] for name, messages in self.vote.errors.items() if messages}


class EditConsultationForm(ConsultationForm):
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=REASON_MAX)])


class DeleteConsultationForm(AppForm):
    reason = StringField(_l("Reason for deleting"), validators=[DataRequired(), fits(Consultation.delete_reason)])


class ConsultationFilterForm(AreaFilterForm):
    """The list's filters (and its export's)."""

    kind = SelectField(_l("Kind"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def set_own_choices(self) -> None:
        self.kind.choices = [SelectChoice("", _l("All kinds"))] + kind_choices()

    def criteria(self) -> ConsultationFilter:
        return ConsultationFilter(street_id=self.valid("street"), community_id=self.valid("community"),
                                  kind=self.valid("kind", ""), date_from=self.valid("date_from"),
                                  date_to=self.valid("date_to"))
