"""The dashboard's feed of recent work, read from the audit log: one query.

Only the programme's work appears (stages, photos, consultations, demands, bulletins,
snapshots); account administration (users, passwords, tokens) stays on the admin's audit page.
"""
from functools import cache

from sqlalchemy import Integer, and_, bindparam, select

from renovation.domain.audit import action_label
from renovation.extensions import db
from renovation.models import AuditEntry, Compound, Project, User

FEED_TARGETS = ("project", "bulletin", "snapshot")


def recent_activity(limit: int = 12) -> list[dict]:
    """The newest entries about the programme, newest first, as plain data: when, who, what,
    and the project (code and compound) or bulletin it concerns: one query of plain rows."""
    return [_item(entry) for entry in db.session.execute(_feed_query(), {"limit": limit})]


@cache
def _feed_query():
    """The statement of :func:`recent_activity`, built once."""
    about_project = and_(AuditEntry.target_type == "project", Project.code == AuditEntry.target_id)
    return (
        select(AuditEntry.at, AuditEntry.action, AuditEntry.target_type, AuditEntry.target_id, AuditEntry.details,
               User.display_name, User.username, Compound.name.label("compound"))
        .outerjoin(User, User.id == AuditEntry.user_id)
        .outerjoin(Project, about_project).outerjoin(Compound, Compound.id == Project.compound_id)
        .where(AuditEntry.target_type.in_(FEED_TARGETS))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(bindparam("limit", type_=Integer))
    )


def _item(entry) -> dict:
    details = entry.details or {}
    return {
        "at": entry.at,
        "who": entry.display_name or entry.username or "",
        "action": entry.action,
        "label": action_label(entry.action),
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        # a project that was deleted since keeps its code, without a link
        "compound": entry.compound,
        "stage": details.get("stage") if entry.action == "stage.update" else None,
        "bulletin_label": details.get("label") if entry.target_type == "bulletin" else None,
    }
