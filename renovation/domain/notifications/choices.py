"""Which kinds of notification a user wants, and the address of their daily digest.

Without a saved choice the user's role decides (:data:`ROLE_DEFAULTS`): a leader follows the
problems given to them and their linked compounds, a committee its community's overdue demands,
everyone who reads the printed bulletins hears when one is issued; administrators hear about
deliveries that failed. A user may always choose any kind: a kind that cannot concern them (a
stage behind, for someone linked to no compound) simply never comes."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from renovation.domain import audit
from renovation.domain.accounts import EMAIL_ADDRESS
from renovation.domain.clock import utcnow
from renovation.domain.errors import RuleViolation
from renovation.extensions import db
from renovation.models.notifications import NotificationKind, NotificationSetting
from renovation.models.users import Role, User

K = NotificationKind
PROBLEMS = (K.PROBLEM_ASSIGNED, K.PROBLEM_DUE_SOON, K.PROBLEM_OVERDUE)
ROLE_DEFAULTS: dict[str, frozenset[str]] = {
    Role.LEADER: frozenset({*PROBLEMS, K.DEMAND_OVERDUE, K.STAGE_BEHIND, K.BULLETIN_ISSUED}),
    Role.COMMITTEE: frozenset({K.DEMAND_OVERDUE, K.BULLETIN_ISSUED}),
    Role.ENGINEER: frozenset({*PROBLEMS, K.DEMAND_OVERDUE, K.STAGE_BEHIND}),
    Role.ADMIN: frozenset({*PROBLEMS, K.STAGE_BEHIND, K.DELIVERY_FAILED}),
}


class ChoiceRuleViolation(RuleViolation):
    """The choices break a rule; ``errors`` maps fields to messages."""


def setting_of(user_id: int) -> NotificationSetting | None:
    return db.session.get(NotificationSetting, user_id)


def kinds_of(user, setting: NotificationSetting | None) -> frozenset[str]:
    """The kinds ``user`` wants given their saved ``setting`` (None: their role's defaults)."""
    if setting is not None:
        return frozenset(setting.kinds or ())
    return ROLE_DEFAULTS.get(user.role, frozenset())


def wanted_kinds(user) -> frozenset[str]:
    """The kinds ``user`` wants: their saved choice, or their role's defaults."""
    return kinds_of(user, setting_of(user.id))


def wants_digest(user, setting: NotificationSetting | None) -> bool:
    """Whether the daily e-mail goes to ``user`` given their saved ``setting`` (an address is needed)."""
    return bool(user.email) and (setting is None or setting.digest)


def settings_of(user_ids) -> dict[int, NotificationSetting]:
    """The saved choices of these users, in one query."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    return {setting.user_id: setting for setting in db.session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id.in_(user_ids)))}


def wanting(users, kind: str) -> list:
    """Those of ``users`` (active ones only) who want ``kind``."""
    users = [user for user in users if user.active]
    settings = settings_of(user.id for user in users)
    return [user for user in users if kind in kinds_of(user, settings.get(user.id))]


def save_choices(user: User, kinds, digest: bool, email: str) -> NotificationSetting:
    """Save ``user``'s kinds, digest choice and e-mail address, and commit."""
    email = (email or "").strip()
    if email and not EMAIL_ADDRESS.match(email):
        raise ChoiceRuleViolation({"email": str(_l("Enter an e-mail address such as name@example.com."))})
    unknown = set(kinds) - set(NotificationKind)
    if unknown:
        raise ChoiceRuleViolation({"kinds": str(_l("Choose among the kinds listed."))})
    setting = setting_of(user.id) or NotificationSetting(user_id=user.id)
    setting.kinds = sorted(set(kinds))
    setting.digest = bool(digest)
    setting.updated_at = utcnow()
    db.session.add(setting)
    changed_email = user.email != email
    user.email = email
    audit.record(user, "notifications.choose", "user", user.username, kinds=setting.kinds, digest=setting.digest,
                 **({"email": email} if changed_email else {}))
    db.session.commit()
    return setting
