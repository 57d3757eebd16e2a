"""Resident consultations as plain operations: add, edit, delete (soft), and the queries.

A consultation may carry a vote; its figures are checked and decided by
:mod:`renovation.domain.residents.votes`. Every write is all or nothing and leaves an audit entry.
Editing more than :data:`EDIT_GRACE` after a consultation was logged, and deleting, need a
reason, kept in the audit log.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from renovation.domain.audit import record
from renovation.domain.clock import utcnow
from renovation.domain.date_range import implausible_date_message
from renovation.domain.errors import RuleViolation
from renovation.domain.paging import Page, count_and_clamp
from renovation.domain.residents import votes
from renovation.extensions import db
from renovation.models import Community, Compound, Consultation, Project, Vote

EDIT_GRACE = timedelta(days=7)
CONSULTATION_FIELDS = ("date", "kind", "place", "organiser", "attendees", "households", "topic",
                       "opinions", "decisions", "follow_up")
TEXT_FIELDS = ("place", "organiser", "attendees", "topic", "opinions", "decisions", "follow_up")
VOTE_FIGURES = tuple(f"{group}_{basis}" for group in votes.GROUPS for basis in ("owners", "area"))


class ConsultationRuleViolation(RuleViolation):
    """Refused values: ``errors`` is ``{field: message}``; a vote's fields are ``vote.<name>``
    (``vote.matter``), as the API names them."""


# --- votes -----------------------------------------------------------------------------------

def figures_of(values) -> votes.VoteFigures:
    """The vote figures of a :class:`Vote` or of a dict of entered vote values."""
    get = (lambda name: values.get(name)) if isinstance(values, dict) else (
        lambda name: getattr(values, name))
    threshold = (get("extra_threshold") or "").strip()
    rule = votes.ExtraRule(threshold=threshold, label=get("extra_label") or "") if threshold else None
    return votes.VoteFigures(matter_class=get("matter_class") or "", extra_rule=rule,
                             **{name: get(name) for name in VOTE_FIGURES})


def decision_of(vote: Vote) -> votes.VoteDecision:
    """The decision, recomputed from the stored figures (what the pages show)."""
    return votes.decide(figures_of(vote))


@dataclass(frozen=True)
class VoteOutcome:
    """What the vote figures typed so far come to: a decision, or what keeps them from one."""

    decision: votes.VoteDecision | None
    errors: dict[str, LazyString]


def vote_outcome(vote_values: dict | None) -> VoteOutcome | None:
    """The live outcome of a vote being typed (None when no vote was taken).

    The same rules as saving (:func:`renovation.domain.residents.votes.figure_errors`, then
    :func:`~renovation.domain.residents.votes.decide`), so what the form shows is what will be stored.
    """
    if vote_values is None:
        return None
    figures = figures_of(vote_values)
    errors = votes.figure_errors(figures)
    return VoteOutcome(decision=None if errors else votes.decide(figures), errors=errors)


def _vote_errors(vote_values: dict) -> dict[str, LazyString]:
    errors = {f"vote.{name}": message for name, message in votes.figure_errors(figures_of(vote_values)).items()}
    if not (vote_values.get("matter") or "").strip():
        errors["vote.matter"] = _l("Enter the matter voted on.")
    return errors


def _apply_vote(consultation: Consultation, vote_values: dict | None) -> None:
    if vote_values is None:
        consultation.vote = None
        return
    decision = votes.decide(figures_of(vote_values))
    vote = consultation.vote or Vote()
    vote.matter = vote_values["matter"].strip()
    vote.matter_class = vote_values["matter_class"]
    for name in VOTE_FIGURES:
        value = vote_values.get(name)
        setattr(vote, name, 0 if value is None else value)  # oppose/abstain may be left out
    vote.extra_threshold = (vote_values.get("extra_threshold") or "").strip() or None
    vote.extra_label = (vote_values.get("extra_label") or "").strip() if vote.extra_threshold else ""
    vote.passed = decision.passed
    consultation.vote = vote


def _check(values: dict, vote_values: dict | None) -> dict:
    """The errors of the consultation's date and its vote (the forms check the rest)."""
    errors = _vote_errors(vote_values) if vote_values is not None else {}
    message = implausible_date_message(values.get("date"))
    if message is not None:
        errors["date"] = message
    return errors


# --- writes ----------------------------------------------------------------------------------

def _fields(values: dict) -> dict:
    """The consultation's own fields; text left out is empty text, never NULL."""
    fields = {name: values.get(name) for name in CONSULTATION_FIELDS}
    fields.update({name: (values.get(name) or "").strip() for name in TEXT_FIELDS})
    return fields


def add_consultation(project: Project, user, values: dict, vote_values: dict | None = None) -> Consultation:
    """Log a consultation (and its vote) for a project; raises :class:`ConsultationRuleViolation`."""
    errors = _check(values, vote_values)
    if errors:
        raise ConsultationRuleViolation(errors)
    now = utcnow()
    consultation = Consultation(project=project, created_by_id=user.id, created_at=now, updated_at=now,
                                **_fields(values))
    _apply_vote(consultation, vote_values)
    db.session.add(consultation)
    db.session.flush()
    record(user, "consultation.add", "project", project.code, consultation=consultation.id,
           topic=consultation.topic, vote_passed=consultation.vote.passed if consultation.vote else None)
    db.session.commit()
    return consultation


def needs_edit_reason(consultation: Consultation, now=None) -> bool:
    """An edit more than seven days after the consultation was logged must give a reason."""
    return (now or utcnow()) - consultation.created_at > EDIT_GRACE


def update_consultation(consultation: Consultation, user, values: dict, vote_values: dict | None,
                        reason: str = "") -> Consultation:
    """Change a consultation and its vote (``None`` removes the vote)."""
    reason = (reason or "").strip()
    errors = _check(values, vote_values)
    if needs_edit_reason(consultation) and not reason:
        errors["reason"] = _l("More than seven days have passed: say why the record is changed.")
    if errors:
        raise ConsultationRuleViolation(errors)
    fields = _fields(values)
    changed = [name for name, value in fields.items() if getattr(consultation, name) != value]
    for name, value in fields.items():
        setattr(consultation, name, value)
    _apply_vote(consultation, vote_values)
    consultation.updated_at = utcnow()
    record(user, "consultation.update", "project", consultation.project.code, consultation=consultation.id,
           fields=changed, reason=reason, vote_passed=consultation.vote.passed if consultation.vote else None)
    db.session.commit()
    return consultation


def delete_consultation(consultation: Consultation, user, reason: str) -> None:
    """Soft delete: the record stays, hidden, with who deleted it and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ConsultationRuleViolation({"reason": _l("Say why the record is deleted.")})
    consultation.deleted_at = utcnow()
    consultation.deleted_by_id = user.id
    consultation.delete_reason = reason
    record(user, "consultation.delete", "project", consultation.project.code, consultation=consultation.id,
           topic=consultation.topic, reason=reason)
    db.session.commit()


# --- queries ---------------------------------------------------------------------------------

def _live() -> Select:
    return select(Consultation).where(Consultation.deleted_at.is_(None))


# Built once (at the first call: a loader option configures every mapper, which a command that
# reads nothing need not pay for), with the project bound at each call: SQLAlchemy keys a statement
# for its cache of compiled SQL by walking all of it, every time for a statement built anew, once
# for one kept.
@cache
def _project_consultations() -> Select:
    return (_live().where(Consultation.project_id == bindparam("project_id"))
            .options(joinedload(Consultation.vote))
            .order_by(Consultation.date.desc(), Consultation.id.desc()))


def project_consultations(project_id: int) -> list[Consultation]:
    """A project's consultations, newest first, each with its vote: one query."""
    return list(db.session.scalars(_project_consultations(), {"project_id": project_id}).unique())


def live_consultation(consultation_id: int) -> Consultation | None:
    return db.session.scalar(
        _live().where(Consultation.id == consultation_id)
        .options(joinedload(Consultation.vote),
                 joinedload(Consultation.project).joinedload(Project.compound).joinedload(Compound.community))
    )


@dataclass
class ConsultationFilter:
    street_id: int | None = None
    community_id: int | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _filtered(criteria: ConsultationFilter) -> Select:
    query = _live().join(Consultation.project).join(Project.compound).join(Compound.community)
    if criteria.street_id:
        query = query.where(Community.street_id == criteria.street_id)
    if criteria.community_id:
        query = query.where(Compound.community_id == criteria.community_id)
    if criteria.kind:
        query = query.where(Consultation.kind == criteria.kind)
    if criteria.date_from:
        query = query.where(Consultation.date >= criteria.date_from)
    if criteria.date_to:
        query = query.where(Consultation.date <= criteria.date_to)
    return query


def find_consultations(criteria: ConsultationFilter, page: int, per_page: int) -> Page:
    """One page of consultations across projects, newest first: two queries."""
    query = _filtered(criteria)
    total, page = count_and_clamp(query, page, per_page)
    items = db.session.scalars(
        query.options(contains_eager(Consultation.project).contains_eager(Project.compound)
                      .contains_eager(Compound.community),
                      joinedload(Consultation.vote))
        .order_by(Consultation.date.desc(), Consultation.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).unique().all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)
