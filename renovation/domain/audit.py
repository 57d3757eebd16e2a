"""Writing the audit log: every write in the app leaves one entry."""
from flask_babel import lazy_gettext as _l

from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import AuditEntry

# What each action code means, for the audit log page.
ACTION_LABELS = {
    "stage.update": _l("Stage updated"),
    "user.create": _l("User added"),
    "user.enable": _l("User enabled"),
    "user.disable": _l("User disabled"),
    "user.reset_password": _l("Password reset"),
    "user.grant_signing": _l("Allowed to sign bulletins"),
    "user.withdraw_signing": _l("No longer allowed to sign bulletins"),
    "user.locked": _l("Username locked after failed logins"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "token.revoke_all": _l("All API tokens of a user revoked"),
    "demo.seed": _l("Demo data loaded"),
    "photo.add": _l("Photo added"),
    "photo.update": _l("Photo edited"),
    "photo.delete": _l("Photo deleted"),
    "photo.pair": _l("Before/after pair made"),
    "photo.unpair": _l("Before/after pair removed"),
    "consultation.add": _l("Consultation logged"),
    "consultation.update": _l("Consultation edited"),
    "consultation.delete": _l("Consultation deleted"),
    "attachment.add": _l("Consultation file attached"),
    "attachment.delete": _l("Consultation file deleted"),
    "demand.raise": _l("Resident demand raised"),
    "demand.update": _l("Resident demand updated"),
    "problem.raise": _l("Difficult problem raised"),
    "problem.assign": _l("Difficult problem given to a leader"),
    "problem.take_on": _l("Difficult problem taken on by a leader"),
    "problem.solve": _l("Difficult problem solved"),
    "problem.suspend": _l("Difficult problem suspended"),
    "problem.reopen": _l("Difficult problem reopened"),
    "problem.edit": _l("Difficult problem edited"),
    "stage.override_rule": _l("Stage rule overridden with a reason"),
    "user.grant_overriding": _l("Allowed to override stage rules"),
    "user.withdraw_overriding": _l("No longer allowed to override stage rules"),
    "content.add": _l("Renovation content added"),
    "content.change": _l("Renovation content changed"),
    "content.remove": _l("Renovation content removed"),
    "aftercare.change": _l("After-care recorded (party branch, owners' committee, property management)"),
    "content_item.add": _l("Content item added to the catalogue"),
    "content_item.change": _l("Content item changed"),
    "content_item.retire": _l("Content item retired"),
    "content_item.restore": _l("Content item offered again"),
    "content_item.delete": _l("Content item deleted"),
    "acceptance.record": _l("Acceptance with the residents recorded"),
    "acceptance_attachment.add": _l("Acceptance paper attached"),
    "acceptance_attachment.delete": _l("Acceptance paper deleted"),
    "rectification.add": _l("Rectification item added"),
    "rectification.close": _l("Rectification item closed"),
    "leader_link.add": _l("Linked to a community or compound"),
    "leader_link.end": _l("Link to a community or compound ended"),
    "visit.record": _l("Site visit recorded"),
    "notifications.choose": _l("Notification choices saved"),
    "robot.add": _l("Chat robot added"),
    "robot.change": _l("Chat robot changed"),
    "robot.delete": _l("Chat robot removed"),
    "delivery.send_again": _l("Undelivered message sent again"),
    "ledger.import": _l("Project ledger imported"),
    "snapshot.take": _l("Monthly snapshot taken"),
    "snapshot.replace": _l("Monthly snapshot replaced"),
    "bulletin.draft": _l("Bulletin drafted"),
    "bulletin.edit": _l("Bulletin draft edited"),
    "bulletin.send_on": _l("Bulletin sent for checking or signing"),
    "bulletin.check": _l("Bulletin checked"),
    "bulletin.sign": _l("Bulletin signed"),
    "bulletin.send_back": _l("Bulletin sent back to its drafter"),
    "bulletin.issue": _l("Bulletin issued"),
}
TARGET_LABELS = {"project": _l("Project"), "user": _l("User"), "database": _l("Database"),
                 "snapshot": _l("Monthly snapshot"), "bulletin": _l("Bulletin"),
                 "content_item": _l("Content item"), "robot": _l("Chat robot"),
                 "delivery": _l("Message outside the app")}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def target_label(target_type: str) -> str:
    return TARGET_LABELS.get(target_type, target_type)


def record(user, action: str, target_type: str, target_id, **details) -> AuditEntry:
    """Add an audit entry to the session; the caller's commit saves it with the change."""
    entry = AuditEntry(
        at=utcnow(),
        user_id=user.id if user is not None else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
    )
    db.session.add(entry)
    return entry
