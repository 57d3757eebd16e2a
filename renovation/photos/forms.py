"""Forms of the photo pages: upload, edit, delete, pair, and the city-wide filters."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from renovation.app_form import AppForm
from renovation.domain.messages import with_values
from renovation.domain.photos.gallery import NO_STAGE, PhotoFilter
from renovation.domain.stages.keys import STAGE_LABELS
from renovation.form_limits import fits
from renovation.list_filters import AreaFilterForm
from renovation.models.audit import REASON_MAX
from renovation.models.photos import PHASE_LABELS, Phase, Photo


def phase_choices() -> list[SelectChoice]:
    return [SelectChoice(phase.value, label) for phase, label in PHASE_LABELS.items()]


def stage_choices(empty_label) -> list[SelectChoice]:
    return [SelectChoice("", empty_label)] + [SelectChoice(key.value, label) for key, label in STAGE_LABELS.items()]


def optional_id(value) -> int | None:
    """A chosen record's id; None for none (or nonsense: the domain checks the rest)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class PhotoFieldsForm(AppForm):
    """Phase, stage and caption: what the user says about a photo; and whether it is evidence of buried
    work (隐蔽工程), of which content item of the project."""

    phase = RadioField(_l("Phase"), choices=phase_choices(), default=Phase.DURING.value)
    stage = SelectField(_l("Stage"), choices=stage_choices(_l("No stage")), default="")
    caption = StringField(_l("Caption"), validators=[Optional(), fits(Photo.caption)])
    hidden_works = BooleanField(_l("Hidden works (隐蔽工程): buried work photographed while open"))
    content_id = SelectField(_l("Content item shown"), coerce=optional_id, validate_choice=False, default=None,
                             choices=[SelectChoice("", _l("None"))])

    def set_contents(self, contents) -> None:
        """The project's content items a photo may show."""
        self.content_id.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(content.id, content.item.name) for content in contents]


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


class DeletePhotoForm(AppForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=REASON_MAX)])


class PairForm(AppForm):
    after = SelectField(_l("After photo of the same viewpoint"), coerce=int)


class ConfirmForm(AppForm):
    """A button and its CSRF token (unpair)."""


class PhotoFilterForm(AreaFilterForm):
    """The city-wide page's filters."""

    stage = SelectField(_l("Stage"), validators=[Optional()])
    phase = SelectField(_l("Phase"), validators=[Optional()])
    taken_from = DateField(_l("Taken from"), validators=[Optional()])
    taken_to = DateField(_l("Taken to"), validators=[Optional()])

    def set_own_choices(self) -> None:
        self.stage.choices = stage_choices(_l("All stages")) + [SelectChoice(NO_STAGE, _l("No stage"))]
        self.phase.choices = [SelectChoice("", _l("All phases"))] + phase_choices()

    def criteria(self) -> PhotoFilter:
        return PhotoFilter(street_id=self.valid("street"), community_id=self.valid("community"),
                           stage=self.valid("stage", ""), phase=self.valid("phase", ""),
                           taken_from=self.valid("taken_from"), taken_to=self.valid("taken_to"))


def _photo_id(value) -> int | None:
    """A ticked thumbnail's photo id; None when nothing (or nonsense) was sent."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


AFTER_FIELD = re.compile(r"after_(\d+)")


class PairRowsForm(AppForm):
    """The pairing page: a row per before photo without a pair, where one of the after photos it
    can go with is ticked (or none, "not now"); each ticked row is a pair, all saved in one submit.
    Made for the page's rows by :func:`pair_rows_form`; the pairs are checked by the domain."""

    rows: list = []
    stale: dict = {}  # before photo id → after photo id ticked for a before photo that has no row any more

    def row_field(self, row):
        return self[f"after_{row.before.id}"]

    def picks(self) -> list[tuple[int, int]]:
        """(before photo id, after photo id) of each ticked row in the page's order, then those
        ticked for before photos paired or deleted since the page was shown."""
        ticked = [(row.before.id, self.row_field(row).data) for row in self.rows if self.row_field(row).data]
        return ticked + sorted(self.stale.items())

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.picks():
            self.form_errors.append(_l("Tick an after photo beside at least one before photo."))
            return False
        return True

    def show_problems(self, problems: dict) -> None:
        """Put the domain's reasons (by position in :meth:`picks`) beside their rows, or above the
        rows for a photo that has no row any more."""
        picks = self.picks()
        for at, message in problems.items():
            field = self._fields.get(f"after_{picks[at][0]}")
            if field is not None:
                field.errors = [message]
            else:
                self.form_errors.append(with_values(
                    _l("A photo ticked on this page can no longer be paired: %(reason)s"), reason=message))


def pair_rows_form(rows, formdata=None) -> PairRowsForm:
    """A :class:`PairRowsForm` with a choice of after photo in each row that has something to
    offer, or that the user ticked (an after photo taken by a colleague meanwhile is refused
    beside its row, never silently dropped)."""
    ticked = {int(found.group(1)): _photo_id(value) for name, value in (formdata or {}).items()
              if (found := AFTER_FIELD.fullmatch(name)) and _photo_id(value)}

    class Form(PairRowsForm):
        pass

    shown = [row for row in rows if row.candidates or row.before.id in ticked]
    for row in shown:
        setattr(Form, f"after_{row.before.id}", RadioField(
            row.before.caption or row.before.original_filename, coerce=_photo_id, validate_choice=False,
            choices=[SelectChoice("", _l("Not now"))] + [
                SelectChoice(after.id, after.caption or after.original_filename) for after in row.candidates]))
    form = Form(formdata=formdata)
    form.rows = shown
    form.stale = {before_id: after_id for before_id, after_id in ticked.items()
                  if before_id not in {row.before.id for row in shown}}
    return form
