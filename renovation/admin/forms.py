"""Forms of the user administration."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from renovation.app_form import AppForm
from renovation.date_fields import plausible_date
from renovation.domain.audit_log import AuditFilter
from renovation.form_limits import fits
from renovation.list_filters import ListFilterForm
from renovation.models import User
from renovation.models.leaders import LeaderLink
from renovation.models.users import ROLE_LABELS


class UserForm(AppForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            fits(User.username),
            Regexp(r"^[A-Za-z0-9_.\-]+$", message=_l("Use letters, digits, dot, dash or underscore.")),
        ],
    )
    display_name = StringField(_l("Name"), validators=[Optional(), fits(User.display_name)])
    # No role is preselected: an administrator account made by a slip of the thumb is dangerous.
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("Choose a role…"))]
        + [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[DataRequired(_l("Choose a role."))],
    )
    community = SelectField(_l("Community (committee members)"), coerce=int, validators=[Optional()])
    password = PasswordField(_l("Password (leave empty to generate one)"), validators=[Optional(), Length(max=128)])
    email = EmailField(_l("E-mail address (for the daily digest)"), validators=[Optional(), fits(User.email)])


class PasswordResetForm(AppForm):
    password = PasswordField(_l("New password (leave empty to generate one)"), validators=[Optional(), Length(max=128)])


class ConfirmForm(AppForm):
    """A button that changes state: only its CSRF token."""


class AuditFilterForm(ListFilterForm):
    """The audit log's filters."""

    user = SelectField(_l("Person"), coerce=int, validators=[Optional()])
    project = StringField(_l("Project"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("To"), validators=[Optional(), plausible_date])

    def set_choices(self, users, actions) -> None:
        self.user.choices = [SelectChoice(0, _l("Everyone"))] + [
            SelectChoice(user.id, f"{user.display_name or user.username} ({user.username})") for user in users]
        self.action.choices = [SelectChoice("", _l("All actions"))] + [
            SelectChoice(code, label) for code, label in actions]

    def criteria(self) -> AuditFilter:
        return AuditFilter(user_id=self.valid("user"), project=self.valid("project", ""),
                           action=self.valid("action", ""), date_from=self.valid("date_from"),
                           date_to=self.valid("date_to"))


class LeaderLinkForm(AppForm):
    """Link a user to a community, or to one project by its code (挂钩联系点)."""

    community = SelectField(_l("Community"), coerce=int, validators=[Optional()])
    project = StringField(_l("Or a project (its code)"), validators=[Optional(), Length(max=32)])
    started_on = DateField(_l("From"), validators=[Optional(), plausible_date])
    note = StringField(_l("Post or note"), validators=[Optional(), fits(LeaderLink.note)])

    def set_communities(self, communities) -> None:
        self.community.choices = [SelectChoice(0, _l("Choose a community…"))] + [
            SelectChoice(community.id, community.name) for community in communities]


class EndLinkForm(AppForm):
    """End a link on a date (its last day); the link stays in the user's history."""

    ended_on = DateField(_l("Last day"), validators=[Optional(), plausible_date])
