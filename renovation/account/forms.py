"""Forms of a user's own account page."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired

from renovation.app_form import AppForm
from renovation.form_limits import fits
from renovation.models.users import TOKEN_SCOPE_LABELS, ApiToken, TokenScope

EXPIRY_CHOICES = [
    SelectChoice(30, _l("In 30 days")),
    SelectChoice(90, _l("In 90 days")),
    SelectChoice(365, _l("In a year")),
    SelectChoice(0, _l("Never (until revoked)")),
]


class TokenForm(AppForm):
    name = StringField(_l("Name (what the token is for)"),
                       validators=[DataRequired(_l("Name the token, e.g. the program that uses it.")),
                                   fits(ApiToken.name)])
    scope = SelectField(_l("Access"), default=TokenScope.READ.value,
                        choices=[SelectChoice(scope.value, label) for scope, label in TOKEN_SCOPE_LABELS.items()])
    expires_in_days = SelectField(_l("Expires"), choices=EXPIRY_CHOICES, coerce=int, default=90)
