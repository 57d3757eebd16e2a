"""隐蔽工程: work that gets buried (pipes before paving) is photographed while it is open. A photo is
evidence of a stage's buried work when it is marked ``hidden_works`` and shows that stage, or is linked
to a content item of that stage. The stage rule that needs it is data in
:mod:`renovation.domain.stages.rules` (``EVIDENCE_RULES``); this module answers it, lists the projects
whose buried work has no evidence, and the rules people overrode with a reason."""
from dataclasses import dataclass

from sqlalchemy import and_, distinct, exists, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from renovation.domain.stages.keys import STARTED_STATUSES, StageKey
from renovation.extensions import db
from renovation.models import Community, Compound, Photo, Project, Stage, StageTally, Street
from renovation.models.contents import ProjectContent, RuleOverride

OVERRIDES_SHOWN = 200
# A live hidden-works photo, written as the partial index ix_photo_hidden_works_project is, so that
# PostgreSQL reads that small index (it does not take "hidden_works IS true" for "hidden_works").
LIVE_HIDDEN_WORKS = (Photo.hidden_works == true(), Photo.deleted_at.is_(None))


def _evidence_of(stage_key: str, project_id):
    """Whether the project has a live hidden-works photo of ``stage_key`` (an SQL condition)."""
    linked = select(ProjectContent.id).where(ProjectContent.id == Photo.content_id,
                                             ProjectContent.stage_key == stage_key)
    return exists().where(Photo.project_id == project_id, *LIVE_HIDDEN_WORKS,
                          or_(Photo.stage_key == stage_key, linked.exists()))


def evidenced_stages(project_id: int) -> set[str]:
    """The stages of the project whose buried work has at least one hidden-works photo."""
    rows = db.session.execute(
        select(Photo.stage_key, ProjectContent.stage_key)
        .outerjoin(ProjectContent, ProjectContent.id == Photo.content_id)
        .where(Photo.project_id == project_id, *LIVE_HIDDEN_WORKS))
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
    started = [status.value for status in STARTED_STATUSES]
    missing = and_(pipes.status.in_(started), ~_evidence_of(StageKey.RAIN_SEWAGE.value, Project.id))
    total = db.session.scalar(_missing_count(street_id, started)) or 0
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


def _missing_count(street_id: int | None, started: list[str]):
    """How many projects have begun 雨污分流 without a hidden-works photo of it: those begun, from the
    stage tallies the database keeps, less those begun that have one, found from the few hidden-works
    photos (a partial index) — never by reading every project of a province."""
    begun = select(func.coalesce(func.sum(StageTally.stages), 0)).where(
        StageTally.key == StageKey.RAIN_SEWAGE.value, StageTally.status.in_(started))
    pipes = aliased(Stage)
    linked = select(ProjectContent.id).where(ProjectContent.id == Photo.content_id,
                                             ProjectContent.stage_key == StageKey.RAIN_SEWAGE.value)
    evidenced = (select(func.count(distinct(Photo.project_id)))
                 .join(pipes, and_(pipes.project_id == Photo.project_id, pipes.key == StageKey.RAIN_SEWAGE.value))
                 .where(*LIVE_HIDDEN_WORKS, pipes.status.in_(started),
                        or_(Photo.stage_key == StageKey.RAIN_SEWAGE.value, linked.exists())))
    if street_id is not None:
        begun = begun.where(StageTally.street_name == select(Street.name).where(Street.id == street_id)
                            .scalar_subquery())
        evidenced = (evidenced.join(Project, Project.id == Photo.project_id)
                     .join(Compound, Compound.id == Project.compound_id)
                     .join(Community, Community.id == Compound.community_id).where(Community.street_id == street_id))
    return select(begun.scalar_subquery() - evidenced.scalar_subquery())


def rule_overrides(limit: int = OVERRIDES_SHOWN) -> list[RuleOverride]:
    """The stage rules overridden, newest first, with their project, place and user."""
    return list(db.session.scalars(
        select(RuleOverride)
        .options(joinedload(RuleOverride.user),
                 joinedload(RuleOverride.project).joinedload(Project.compound)
                 .joinedload(Compound.community).joinedload(Community.street))
        .order_by(RuleOverride.at.desc(), RuleOverride.id.desc()).limit(limit)))
