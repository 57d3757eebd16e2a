"""隐蔽工程: work that gets buried (pipes before paving) is photographed while it is open. A photo is
evidence of a stage's buried work when it is marked ``hidden_works`` and shows that stage, or is linked
to a content item of that stage. The stage rule that needs it is data in
:mod:`renovation.domain.stages.rules` (``EVIDENCE_RULES``); this module answers it, lists the projects
whose buried work has no evidence, and the rules people overrode with a reason."""
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from renovation.domain.stages.keys import STARTED_STATUSES, StageKey
from renovation.extensions import db
from renovation.models import Community, Compound, Photo, Project, Stage, Street
from renovation.models.contents import ProjectContent, RuleOverride

OVERRIDES_SHOWN = 200


def _evidence_of(stage_key: str, project_id):
    """Whether the project has a live hidden-works photo of ``stage_key`` (an SQL condition)."""
    linked = select(ProjectContent.id).where(ProjectContent.id == Photo.content_id,
                                             ProjectContent.stage_key == stage_key)
    return exists().where(Photo.project_id == project_id, Photo.hidden_works.is_(True), Photo.deleted_at.is_(None),
                          or_(Photo.stage_key == stage_key, linked.exists()))


def evidenced_stages(project_id: int) -> set[str]:
    """The stages of the project whose buried work has at least one hidden-works photo."""
    rows = db.session.execute(
        select(Photo.stage_key, ProjectContent.stage_key)
        .outerjoin(ProjectContent, ProjectContent.id == Photo.content_id)
        .where(Photo.project_id == project_id, Photo.hidden_works.is_(True), Photo.deleted_at.is_(None)))
    return {key for pair in rows for key in pair if key}


@dataclass(frozen=True)
class MissingEvidence:
    """A project whose rain/sewage separation has begun without a hidden-works photo: plain values,
    for the bulletin and the dashboard."""

    code: str
    compound: str
    street: str
    community: str
    rain_sewage: str  # the stage's status key
    paving: str


@dataclass(frozen=True)
class MissingEvidenceList:
    """The first ``rows`` of the projects without hidden-works photos, and how many there are."""

    rows: list[MissingEvidence]
    total: int


def projects_without_hidden_works_evidence(street_id: int | None = None, limit: int = 20) -> MissingEvidenceList:
    """The projects (of one street when ``street_id`` is given) whose 雨污分流 has started, is
    suspended or is completed, and which have no hidden-works photo of it (marked 隐蔽工程 with the
    stage rain_sewage, or linked to a content item of that stage): the first ``limit`` by street and
    code, and their number. Two queries; a province has thousands, none is read whole into memory."""
    pipes = aliased(Stage)
    missing = and_(pipes.status.in_([status.value for status in STARTED_STATUSES]),
                   ~_evidence_of(StageKey.RAIN_SEWAGE.value, Project.id))
    counted = (select(func.count()).select_from(Project)
               .join(pipes, and_(pipes.project_id == Project.id, pipes.key == StageKey.RAIN_SEWAGE.value))
               .where(missing))
    if street_id is not None:
        counted = (counted.join(Compound, Compound.id == Project.compound_id)
                   .join(Community, Community.id == Compound.community_id).where(Community.street_id == street_id))
    total = db.session.scalar(counted) or 0
    if not total:
        return MissingEvidenceList([], 0)
    paving = aliased(Stage)
    query = (
        select(Project.code, Compound.name, Street.name, Community.name, pipes.status, paving.status)
        .join(Compound, Compound.id == Project.compound_id)
        .join(Community, Community.id == Compound.community_id)
        .join(Street, Street.id == Community.street_id)
        .join(pipes, and_(pipes.project_id == Project.id, pipes.key == StageKey.RAIN_SEWAGE.value))
        .join(paving, and_(paving.project_id == Project.id, paving.key == StageKey.PAVING.value))
        .where(missing)
        .order_by(Street.name, Project.code).limit(limit))
    if street_id is not None:
        query = query.where(Street.id == street_id)
    return MissingEvidenceList([MissingEvidence(*row) for row in db.session.execute(query)], total)


def rule_overrides(limit: int = OVERRIDES_SHOWN) -> list[RuleOverride]:
    """The stage rules overridden, newest first, with their project, place and user."""
    return list(db.session.scalars(
        select(RuleOverride)
        .options(joinedload(RuleOverride.user),
                 joinedload(RuleOverride.project).joinedload(Project.compound)
                 .joinedload(Compound.community).joinedload(Community.street))
        .order_by(RuleOverride.at.desc(), RuleOverride.id.desc()).limit(limit)))
