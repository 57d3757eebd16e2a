"""Forms of the photo pages: upload, edit, delete, pair, and the city-wide filters."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from renovation.domain.messages import with_values
from renovation.domain.photo_gallery import NO_STAGE
from renovation.domain.stages import STAGE_LABELS
from renovation.models.photos import PHASE_LABELS, Phase


def phase_choices() -> list[SelectChoice]:
    return [SelectChoice(phase.value, label) for phase, label in PHASE_LABELS.items()]


def stage_choices(empty_label) -> list[SelectChoice]:
    return [SelectChoice("", empty_label)] + [SelectChoice(key.value, label) for key, label in STAGE_LABELS.items()]


class PhotoFieldsForm(FlaskForm):
    """Phase, stage and caption: what the user says about a photo."""

    phase = RadioField(_l("Phase"), choices=phase_choices(), default=Phase.DURING.value)
    stage = SelectField(_l("Stage"), choices=stage_choices(_l("No stage")), default="")
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=500)])


class UploadForm(PhotoFieldsForm):
    """One or many photos at once. The files are checked one by one by the domain, each with
    its own outcome; the form only checks that there is something to check."""

    files = MultipleFileField(_l("Photos"))

    def __init__(self, *args, max_files: int = 20, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_files = max_files

    def uploads(self) -> list:
        """The chosen files (a browser sends one empty part when none is chosen)."""
        return [upload for upload in (self.files.data or []) if upload and upload.filename]

    def validate_files(self, field):
        chosen = self.uploads()
        if not chosen:
            raise ValidationError(_l("Choose at least one photo."))
        if len(chosen) > self.max_files:
            raise ValidationError(with_values(_l("Send at most %(num)d photos at a time."), num=self.max_files))


class EditPhotoForm(PhotoFieldsForm):
    pass


class DeletePhotoForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class PairForm(FlaskForm):
    after = SelectField(_l("After photo of the same viewpoint"), coerce=int)


class ConfirmForm(FlaskForm):
    """A button and its CSRF token (unpair)."""


class PhotoFilterForm(FlaskForm):
    """The city-wide page's filters, read from the query string (GET, so no CSRF)."""

    class Meta:
        csrf = False

    street = SelectField(_l("Street"), coerce=int, validators=[Optional()])
    community = SelectField(_l("Community"), coerce=int, validators=[Optional()])
    stage = SelectField(_l("Stage"), validators=[Optional()])
    phase = SelectField(_l("Phase"), validators=[Optional()])
    taken_from = DateField(_l("Taken from"), validators=[Optional()])
    taken_to = DateField(_l("Taken to"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)])

    def set_choices(self, streets, communities) -> None:
        self.street.choices = [SelectChoice(0, _l("All streets"))] + [SelectChoice(s.id, s.name) for s in streets]
        self.community.choices = [SelectChoice(0, _l("All communities"))] + [
            SelectChoice(c.id, c.name) for c in communities]
        self.stage.choices = stage_choices(_l("All stages")) + [SelectChoice(NO_STAGE, _l("No stage"))]
        self.phase.choices = [SelectChoice("", _l("All phases"))] + phase_choices()


def _photo_id(value) -> int | None:
    """A ticked thumbnail's photo id; None when nothing (or nonsense) was sent."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PairPickForm(FlaskForm):
    """The pairing page: one ticked before thumbnail and one ticked after thumbnail make a pair.
    The choices are the project's photos without a pair, set by :meth:`set_choices`."""

    before = RadioField(_l("Before renovation"), coerce=_photo_id, validate_choice=False)
    after = RadioField(_l("After renovation"), coerce=_photo_id, validate_choice=False)

    def set_choices(self, befores, afters) -> None:
        self.before_photos, self.after_photos = list(befores), list(afters)
        self.before.choices = [(photo.id, photo.caption or photo.original_filename) for photo in self.before_photos]
        self.after.choices = [(photo.id, photo.caption or photo.original_filename) for photo in self.after_photos]

    def validate_before(self, field):
        if field.data not in {photo.id for photo in self.before_photos}:
            raise ValidationError(_l("Tick a photo taken before renovation."))

    def validate_after(self, field):
        if field.data not in {photo.id for photo in self.after_photos}:
            raise ValidationError(_l("Tick a photo taken after renovation, of the same viewpoint."))

    def chosen(self) -> tuple:
        """The ticked before and after photos."""
        by_id = {photo.id: photo for photo in (*self.before_photos, *self.after_photos)}
        return by_id[self.before.data], by_id[self.after.data]
