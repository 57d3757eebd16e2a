"""Login form."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from renovation.app_form import AppForm
from renovation.form_limits import fits
from renovation.models import User


class LoginForm(AppForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username.")), fits(User.username)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
