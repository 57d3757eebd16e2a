"""The bulletin forms: a new draft (kind and scope, photo pairs, next steps, 抄送, the bulletin it
corrects), a draft's changes, the steps from draft to issue, and the archive's filters."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from renovation.app_form import AppForm
from renovation.domain.bulletins.archive import ArchiveFilter
from renovation.form_limits import fits
from renovation.list_filters import AreaSelectField, ListFilterForm
from renovation.models import Bulletin
from renovation.models.bulletins import BULLETIN_KIND_LABELS


class DraftContentForm(AppForm):
    """What a draft says and prints: the photo pairs, the next steps and the 抄送 line."""

    pairs = SelectMultipleField(_l("Before/after photo pairs (up to 6)"), coerce=int, validators=[Optional()])
    notes = TextAreaField(_l("Next steps (七、下一步工作要求)"), validators=[Optional(), fits(Bulletin.notes)])
    copy_to = TextAreaField(_l("Copy to (抄送)"), validators=[Optional(), fits(Bulletin.copy_to)])

    def set_pairs(self, pairs) -> None:
        self.pair_options = pairs  # the pairs themselves, for the picker's thumbnails
        self.pairs.choices = [SelectChoice(pair["id"], f'{pair["project_code"]} {pair["compound"]}')
                              for pair in pairs]


class IssueBulletinForm(DraftContentForm):
    """A new draft: its kind and scope, and the bulletin it corrects, fixed once drafted."""

    kind = SelectField(_l("Kind"), choices=[SelectChoice(kind.value, label)
                                            for kind, label in BULLETIN_KIND_LABELS.items()])
    street = SelectField(_l("Street (street bulletin)"), validators=[Optional()])
    project = StringField(_l("Project (project brief)"), validators=[Optional(), Length(max=128)])
    corrects = SelectField(_l("Corrects"), coerce=int, validators=[Optional()])

    def set_choices(self, streets, pairs, issued) -> None:
        """Streets by name, the pairs in the chosen scope, bulletins a correction may name."""
        self.street.choices = [SelectChoice("", "—")] + [SelectChoice(s.name, s.name) for s in streets]
        self.set_pairs(pairs)
        self.corrects.choices = [SelectChoice(0, _l("Not a correction"))] + [
            SelectChoice(b.id, f"{b.title}（{b.label}）") for b in issued]

    def choice(self) -> dict:
        """The domain's arguments: kind, street name, project code, pair ids (None: newest), notes."""
        return {"kind": self.kind.data, "street": self.street.data or None,
                "project": self.project.data or None, "notes": self.notes.data or "",
                "pair_ids": list(self.pairs.data) if self.pairs.data else None,
                "corrects_id": self.corrects.data or None, "copy_to": self.copy_to.data or ""}


class EditDraftForm(DraftContentForm):
    """Changes to a draft, against the version its drafter saw."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class StepForm(AppForm):
    """A step (send on, check, sign, issue) taken on the version of the bulletin the user saw;
    issuing also carries the number the user confirmed."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    label = HiddenField()


class SendBackForm(StepForm):
    reason = TextAreaField(_l("Why it goes back"), validators=[
        DataRequired(_l("Say why the bulletin goes back to its drafter.")), fits(Bulletin.sent_back_reason)])


class ArchiveFilterForm(ListFilterForm):
    """The archive's filters: the series (city, a street's, project briefs), the year, the street."""

    kind = SelectField(_l("Series"), choices=[SelectChoice("", _l("All series"))] + [
        SelectChoice(kind.value, label) for kind, label in BULLETIN_KIND_LABELS.items()], validators=[Optional()])
    year = SelectField(_l("Year"), coerce=lambda value: int(value) if value else None, validators=[Optional()])
    street = AreaSelectField(_l("Street"), coerce=int, validators=[Optional()])

    @classmethod
    def read(cls, args, years: list[int], streets) -> "ArchiveFilterForm":
        form = cls(args)
        form.year.choices = [SelectChoice(None, _l("All years"))] + [SelectChoice(year, str(year)) for year in years]
        form.street.set_area_choices(_l("All streets"), streets)
        form.validate()
        return form

    def criteria(self) -> ArchiveFilter:
        return ArchiveFilter(kind=self.valid("kind"), year=self.valid("year"), street_id=self.valid("street"))
