"""The dashboard's feed of recent work, read from the audit log: two queries.

Only the programme's work appears (stages, photos, consultations, demands, bulletins,
snapshots); account administration (users, passwords, tokens) stays on the admin's audit page.
"""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from renovation.domain.audit import action_label
from renovation.extensions import db
from renovation.models import AuditEntry, Compound, Project

FEED_TARGETS = ("project", "bulletin", "snapshot")


def recent_activity(limit: int = 12) -> list[dict]:
    """The newest entries about the programme, newest first, as plain data: when, who, what,
    and the project (code and compound) or bulletin it concerns."""
    entries = list(db.session.scalars(
        select(AuditEntry).options(joinedload(AuditEntry.user))
        .where(AuditEntry.target_type.in_(FEED_TARGETS))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ))
    codes = {entry.target_id for entry in entries if entry.target_type == "project"}
    compounds = dict(db.session.execute(
        select(Project.code, Compound.name).join(Project.compound).where(Project.code.in_(codes))
    ).all()) if codes else {}
    return [_item(entry, compounds) for entry in entries]


def _item(entry: AuditEntry, compounds: dict[str, str]) -> dict:
    details = entry.details or {}
    return {
        "at": entry.at,
        "who": entry.user.name if entry.user else "",
        "action": entry.action,
        "label": action_label(entry.action),
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        # a project that was deleted since keeps its code, without a link
        "compound": compounds.get(entry.target_id) if entry.target_type == "project" else None,
        "stage": details.get("stage") if entry.action == "stage.update" else None,
        "bulletin_label": details.get("label") if entry.target_type == "bulletin" else None,
    }
