"""What the completion rules of 竣工验收 read of a project (the rules themselves are data in
:mod:`renovation.domain.stages.rules`): its open rectification items and the residents'
representatives at its latest acceptance."""
from sqlalchemy import func, select

from renovation.domain.stages.rules import CompletionFacts
from renovation.extensions import db
from renovation.models.acceptance import (
    AcceptanceRecord,
    AcceptanceRepresentative,
    Rectification,
    RectificationStatus,
)


def latest_acceptance_id(project_id: int) -> int | None:
    """The acceptance that counts: the latest by date, then the last recorded."""
    return db.session.scalar(
        select(AcceptanceRecord.id).where(AcceptanceRecord.project_id == project_id)
        .order_by(AcceptanceRecord.accepted_on.desc(), AcceptanceRecord.id.desc()).limit(1))


def open_rectification_count(project_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Rectification).where(
        Rectification.project_id == project_id, Rectification.status == RectificationStatus.OPEN.value)) or 0


def completion_facts(project_id: int) -> CompletionFacts:
    """The project's open rectification items and the representatives at its latest acceptance."""
    latest = latest_acceptance_id(project_id)
    representatives = 0 if latest is None else db.session.scalar(
        select(func.coalesce(func.sum(AcceptanceRepresentative.headcount), 0))
        .where(AcceptanceRepresentative.acceptance_id == latest)) or 0
    return CompletionFacts(open_rectifications=open_rectification_count(project_id),
                           representatives=int(representatives))
