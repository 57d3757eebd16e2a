"""Writing the audit log: every write in the app leaves one entry."""
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import AuditEntry


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
