"""Forms of the notifications: a user's choices, and an admin's chat robot."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Optional

from renovation.app_form import AppForm
from renovation.domain.notifications.robots import ROBOT_KINDS
from renovation.form_limits import fits
from renovation.models import User
from renovation.models.notifications import (
    NOTIFICATION_KIND_LABELS,
    ROBOT_KIND_LABELS,
    ROBOT_POST_LABELS,
    ChatRobot,
    NotificationKind,
)


class ChoicesForm(AppForm):
    """What a user wants to hear about, and where their daily e-mail goes."""

    kinds = SelectMultipleField(_l("Tell me about"), validators=[Optional()],
                                choices=[SelectChoice(kind.value, NOTIFICATION_KIND_LABELS[kind])
                                         for kind in NotificationKind])
    digest = BooleanField(_l("Send me a daily e-mail of my new notifications"))
    email = EmailField(_l("E-mail address"), validators=[Optional(), fits(User.email)])

    def values(self) -> dict:
        return {"kinds": self.kinds.data or [], "digest": self.digest.data, "email": self.email.data or ""}


class RobotForm(AppForm):
    """A group chat's robot: its name, kind, webhook address, 钉钉's secret, place and kinds."""

    name = StringField(_l("Group chat"), validators=[DataRequired(_l("Name the group chat, e.g. 铁路社区改造群.")),
                                                     fits(ChatRobot.name)])
    kind = SelectField(_l("Robot"), choices=[
        SelectChoice(kind.value, label) for kind, label in ROBOT_KIND_LABELS.items()])
    url = StringField(_l("Webhook address"), validators=[DataRequired(_l("Enter the robot's webhook address.")),
                                                         fits(ChatRobot.url)])
    secret = PasswordField(_l("Signing secret (钉钉 加签; leave empty to keep the one saved)"),
                           validators=[Optional(), fits(ChatRobot.secret)])
    place = SelectField(_l("For"), validators=[Optional()])
    kinds = SelectMultipleField(_l("Post"), validators=[Optional()], choices=[
        SelectChoice(kind.value, ROBOT_POST_LABELS[kind]) for kind in ROBOT_KINDS])
    active = BooleanField(_l("On"), default=True)

    def set_places(self, streets, communities) -> None:
        """The whole city, each street and each community (``street:ID``, ``community:ID``)."""
        self.place.choices = (
            [SelectChoice("", _l("The whole city"))]
            + [SelectChoice(f"street:{street.id}", street.name) for street in streets]
            + [SelectChoice(f"community:{community.id}", community.name) for community in communities])

    def place_ids(self) -> tuple[str, int] | None:
        """("street" or "community", id) of the chosen place, or None for the whole city."""
        value = self.place.data or ""
        if ":" not in value:
            return None
        kind, _, number = value.partition(":")
        return (kind, int(number)) if kind in ("street", "community") and number.isdigit() else None


class ConfirmForm(AppForm):
    """A button that changes state: only its CSRF token."""
