"""The issue form: kind and scope, photo pairs, next steps, and the bulletin it corrects.

The same form reads a GET (the preview, no CSRF: it changes nothing) and a POST (issuing)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from renovation.domain.bulletins.archive import ArchiveFilter
from renovation.form_limits import fits
from renovation.list_filters import AreaSelectField, ListFilterForm
from renovation.models import Bulletin
from renovation.models.bulletins import BULLETIN_KIND_LABELS


class IssueBulletinForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(kind.value, label)
                                            for kind, label in BULLETIN_KIND_LABELS.items()])
    street = SelectField(_l("Street (street bulletin)"), validators=[Optional()])
    project = StringField(_l("Project (project brief)"), validators=[Optional(), Length(max=128)])
    pairs = SelectMultipleField(_l("Before/after photo pairs (up to 6)"), coerce=int, validators=[Optional()])
    notes = TextAreaField(_l("Next steps (七、下一步工作要求)"), validators=[Optional(), fits(Bulletin.notes)])
    corrects = SelectField(_l("Corrects"), coerce=int, validators=[Optional()])
    copy_to = TextAreaField(_l("Copy to (抄送)"), validators=[Optional(), fits(Bulletin.copy_to)])

    def set_choices(self, streets, pairs, issued) -> None:
        """Streets by name, the pairs in the chosen scope, bulletins a correction may name."""
        self.street.choices = [SelectChoice("", "—")] + [SelectChoice(s.name, s.name) for s in streets]
        self.pair_options = pairs  # the pairs themselves, for the picker's thumbnails
        self.pairs.choices = [SelectChoice(pair["id"], f'{pair["project_code"]} {pair["compound"]}')
                              for pair in pairs]
        self.corrects.choices = [SelectChoice(0, _l("Not a correction"))] + [
            SelectChoice(b.id, f"{b.title}（{b.label}）") for b in issued]

    def choice(self) -> dict:
        """The domain's arguments: kind, street name, project code, pair ids (None: newest), notes."""
        return {"kind": self.kind.data, "street": self.street.data or None,
                "project": self.project.data or None, "notes": self.notes.data or "",
                "pair_ids": list(self.pairs.data) if self.pairs.data else None,
                "corrects_id": self.corrects.data or None, "copy_to": self.copy_to.data or ""}


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
