"""The after-care form: who looks after a compound once its renovation is done."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from renovation.app_form import AppForm
from renovation.domain.aftercare.records import GROUPS_MESSAGE, MAX_PARTY_GROUPS
from renovation.form_limits import fits
from renovation.models.aftercare import PROPERTY_MANAGEMENT_LABELS, Aftercare


def read_count(text) -> int | None:
    """A whole number typed in a box (blank is 0); None when it is not one."""
    text = (text or "").strip()
    if not text:
        return 0
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_PARTY_GROUPS else None


def _whole_number(form, field):
    if read_count(field.data) is None:
        raise ValidationError(GROUPS_MESSAGE)


class AftercareForm(AppForm):
    """The after-care of one compound; ``version`` is the one the user saw (0: nothing recorded)."""

    party_branch = BooleanField(_l("The compound has a party branch"))
    party_branch_name = StringField(_l("Party branch name"),
                                    validators=[Optional(), fits(Aftercare.party_branch_name)])
    building_party_groups = StringField(_l("Building party groups"), validators=[_whole_number],
                                        render_kw={"inputmode": "numeric"})
    owners_committee = BooleanField(_l("The compound has an owners' committee"))
    red_owners_committee = BooleanField(_l("Red owners' committee (led by party members)"))
    property_management = SelectField(_l("Property management"), choices=[
        SelectChoice(kind.value, label) for kind, label in PROPERTY_MANAGEMENT_LABELS.items()])
    property_company = StringField(_l("Name of the property company"),
                                   validators=[Optional(), fits(Aftercare.property_company)])
    red_property = BooleanField(_l("Red property management"))
    version = HiddenField()

    @classmethod
    def of(cls, record, formdata=None) -> "AftercareForm":
        """The form with the record's values (and version), or as the user sent them."""
        return cls(formdata=formdata, data={
            "party_branch": record.party_branch, "party_branch_name": record.party_branch_name,
            "building_party_groups": str(record.building_party_groups),
            "owners_committee": record.owners_committee, "red_owners_committee": record.red_owners_committee,
            "property_management": record.property_management, "property_company": record.property_company,
            "red_property": record.red_property, "version": record.version})

    def values(self) -> dict:
        return {"party_branch": self.party_branch.data,
                "party_branch_name": (self.party_branch_name.data or "").strip(),
                "building_party_groups": read_count(self.building_party_groups.data),
                "owners_committee": self.owners_committee.data,
                "red_owners_committee": self.red_owners_committee.data,
                "property_management": self.property_management.data,
                "property_company": (self.property_company.data or "").strip(),
                "red_property": self.red_property.data}

    def seen_version(self) -> int:
        """The version the form was sent with (-1, a conflict, when it is no number)."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return -1

    def add_errors(self, errors: dict) -> None:
        """The domain's refusals beside their fields."""
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is None or name == "version":
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]
