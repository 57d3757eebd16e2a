"""Forms of the content pages: a project's content (its figures as exact decimals) and a catalogue item."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from renovation.app_form import AppForm
from renovation.domain.contents.quantities import FIGURES, NOT_A_NUMBER, read_decimal
from renovation.domain.stages.keys import STAGE_LABELS
from renovation.form_limits import fits
from renovation.models.contents import CONTENT_CATEGORY_LABELS, UNITS, ContentItem, ProjectContent


def stage_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("No stage"))] + [SelectChoice(key.value, label) for key, label in STAGE_LABELS.items()]


class DecimalText(StringField):
    """A quantity typed as text and kept as typed; :meth:`value` is the exact Decimal (None: unreadable)."""

    def value(self):
        return read_decimal(self.data or "0")


def _readable(form, field):
    if read_decimal(field.data or "0") is None:
        raise ValidationError(NOT_A_NUMBER[field.name])


class ContentFiguresForm(AppForm):
    """A content's figures, stage and reason; ``version`` is the one the user saw."""

    planned_quantity = DecimalText(_l("Planned quantity"), validators=[_readable])
    completed_quantity = DecimalText(_l("Completed quantity"), validators=[_readable])
    investment = DecimalText(_l("Investment (10k yuan)"), validators=[_readable])
    stage = SelectField(_l("Stage"), choices=stage_choices(), default="")
    reason = TextAreaField(_l("Why more is done than planned"), validators=[Optional(), fits(ProjectContent.reason)])
    version = HiddenField()

    def values(self) -> dict:
        return {**{name: getattr(self, name).value() for name in FIGURES}, "stage": self.stage.data or None,
                "reason": (self.reason.data or "").strip()}


class NewContentForm(ContentFiguresForm):
    """An item of the catalogue added to a project; its stage is the item's unless the user chooses."""

    item = SelectField(_l("Item"), choices=[])
    stage = SelectField(_l("Stage"), choices=[SelectChoice("", _l("The item's own"))] + stage_choices()[1:],
                        default="")

    def set_items(self, items) -> None:
        self.item.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(item.key, f"{item.name}（{item.unit}）") for item in items]

    def values(self) -> dict:
        values = {**super().values(), "item": self.item.data}
        if not self.stage.data:
            values.pop("stage")  # the item's own
        return values


class ContentItemForm(AppForm):
    """A catalogue item: its key (fixed once made), name, category, unit and stage."""

    key = StringField(_l("Key"), validators=[fits(ContentItem.key)])
    name = StringField(_l("Name"), validators=[fits(ContentItem.name)])
    category = SelectField(_l("Category"), choices=[SelectChoice(key.value, label)
                                                    for key, label in CONTENT_CATEGORY_LABELS.items()])
    unit = SelectField(_l("Unit"), choices=[SelectChoice(unit, unit) for unit in UNITS])
    stage = SelectField(_l("Stage"), choices=stage_choices(), default="")
    version = HiddenField()

    def values(self) -> dict:
        return {"key": (self.key.data or "").strip(), "name": (self.name.data or "").strip(),
                "category": self.category.data, "unit": self.unit.data, "stage": self.stage.data or None}


class VersionForm(AppForm):
    """A button with its CSRF token and the version seen (retire, remove)."""

    version = HiddenField()


def add_errors(form, errors: dict) -> None:
    """The domain's refusals beside their fields (above the form for one it has no field for)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None or name == "version":
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def seen_version(form) -> int:
    """The version the form was sent with (-1, a conflict, when it is no number)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return -1
