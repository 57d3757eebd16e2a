"""Reading the audit log: entries filtered by person, project, action and date, a page at a time,
each told as sentences ("状态：进行中 → 已完成") rather than action codes and JSON."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from renovation.domain.audit import ACTION_LABELS
from renovation.domain.clock import china_midnight_utc
from renovation.domain.paging import Page, count_and_clamp
from renovation.domain.stages.keys import STAGE_LABELS, STATUS_LABELS
from renovation.domain.text_search import ESCAPE, literal_like_pattern
from renovation.extensions import db
from renovation.models import AuditEntry, Compound, Project
from renovation.models.aftercare import PROPERTY_MANAGEMENT_LABELS
from renovation.models.consultations import CATEGORY_LABELS, DEMAND_STATUS_LABELS
from renovation.models.photos import PHASE_LABELS
from renovation.models.users import ROLE_LABELS

# What the keys of an entry's details and of its changes are called.
DETAIL_LABELS = {
    "status": _l("Status"), "percent": _l("Percent complete"), "actual_start": _l("Actual start"),
    "actual_end": _l("Actual end"), "note": _l("Note"), "response": _l("Response"),
    "reason": _l("Reason"), "assignee": _l("Assignee"), "resolved_on": _l("Closed on"),
    "stage": _l("Stage"), "phase": _l("Phase"), "caption": _l("Caption"), "photo": _l("Photo"),
    "before": _l("Before photo"), "after": _l("After photo"), "filename": _l("File name"),
    "category": _l("Category"), "demand": _l("Demand"), "consultation": _l("Consultation"),
    "attachment": _l("Attachment"), "kind": _l("Kind"), "topic": _l("Topic"),
    "vote_passed": _l("Vote passed"), "fields": _l("Fields changed"), "role": _l("Role"),
    "name": _l("Token name"), "scope": _l("Scope"), "expires_in_days": _l("Valid for (days)"),
    "token": _l("API token"), "count": _l("Count"), "projects": _l("Number of projects"), "rows": _l("Rows"),
    "created": _l("Added"), "updated": _l("Updated"), "unchanged": _l("Unchanged"), "sheet": _l("Sheet"),
    "label": _l("Bulletin number"), "corrects": _l("Corrects"), "previous_taken_at": _l("Previously taken at"),
    "previous_projects": _l("Previously, projects"),
    # After the works (长效管理)
    "party_branch": _l("Compound party branch"), "party_branch_name": _l("Party branch name"),
    "building_party_groups": _l("Building party groups"), "owners_committee": _l("Owners' committee"),
    "red_owners_committee": _l("Red owners' committee"), "property_management": _l("Property management"),
    "property_company": _l("Name of the property company"), "red_property": _l("Red property management"),
}
# Details nobody reads in a sentence (a file's digest).
HIDDEN_DETAILS = frozenset({"sha256"})
# Details whose value is a key with a label of its own.
VALUE_LABELS = {"status": STATUS_LABELS, "stage": STAGE_LABELS, "phase": PHASE_LABELS,
                "category": CATEGORY_LABELS, "role": ROLE_LABELS, "property_management": PROPERTY_MANAGEMENT_LABELS}
# A demand's statuses share keys with a stage's but not their words (处理中, not 进行中).
DEMAND_VALUE_LABELS = {**VALUE_LABELS, "status": DEMAND_STATUS_LABELS}
IDENTIFIED = frozenset({"photo", "before", "after", "demand", "consultation", "attachment", "token", "corrects"})


@dataclass
class AuditFilter:
    """What the audit log page asks for; every field is optional."""

    user_id: int | None = None
    project: str = ""  # a project code or part of a compound's name
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def detail_label(key: str) -> str:
    return str(DETAIL_LABELS[key]) if key in DETAIL_LABELS else key


def readable_value(key: str, value, action: str = "") -> str:
    """A detail's value as people read it: labels for keys, 是/否, numbers of records, "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = (DEMAND_VALUE_LABELS if action.startswith("demand.") else VALUE_LABELS).get(key, {})
    if isinstance(value, str) and value in labels:
        return str(labels[value])
    if key == "percent":
        return f"{value}%"
    if key in IDENTIFIED:
        return _("No. %(id)s", id=value)
    if isinstance(value, list):
        return _(", ").join(detail_label(item) if isinstance(item, str) else str(item) for item in value)
    if isinstance(value, dict):
        return _("; ").join(_("%(field)s: %(value)s", field=detail_label(k), value=readable_value(k, v, action))
                            for k, v in value.items())
    return str(value)


def _change(field: str, old, new, action: str) -> str:
    return _("%(field)s: %(old)s → %(new)s", field=detail_label(field), old=readable_value(field, old, action),
             new=readable_value(field, new, action))


def describe(action: str, details: dict) -> list[str]:
    """The sentences of an entry's details: one per change (field: old → new), one per fact."""
    details = dict(details or {})
    sentences = []
    if isinstance(details.get("stage"), str):
        sentences.append(_("%(field)s: %(value)s", field=detail_label("stage"),
                           value=readable_value("stage", details.pop("stage"), action)))
    for change in details.pop("changes", None) or []:
        if isinstance(change, dict) and "field" in change:
            sentences.append(_change(change["field"], change.get("old"), change.get("new"), action))
    old, new = details.get("old"), details.get("new")
    if isinstance(old, dict) and isinstance(new, dict):
        details.pop("old"), details.pop("new")
        sentences += [_change(key, old.get(key), new.get(key), action) for key in new if old.get(key) != new.get(key)]
    for key, value in details.items():
        if key in HIDDEN_DETAILS or value is None:
            continue
        sentences.append(_("%(field)s: %(value)s", field=detail_label(key), value=readable_value(key, value, action)))
    return sentences


def action_choices() -> list[tuple[str, str]]:
    """(code, label) of every action, for the filter."""
    return [(code, str(label)) for code, label in ACTION_LABELS.items()]


def find_entries(criteria: AuditFilter, page: int, per_page: int) -> Page:
    """One page of matching entries, newest first, with their users: three queries."""
    query = select(AuditEntry)
    if criteria.user_id:
        query = query.where(AuditEntry.user_id == criteria.user_id)
    if criteria.action:
        query = query.where(AuditEntry.action == criteria.action)
    text = criteria.project.strip()
    if text:
        pattern = literal_like_pattern(text)
        codes = (select(Project.code).join(Project.compound)
                 .where(or_(Project.code.ilike(pattern, escape=ESCAPE), Compound.name.ilike(pattern, escape=ESCAPE))))
        query = query.where(AuditEntry.target_type == "project", AuditEntry.target_id.in_(codes))
    if criteria.date_from:
        query = query.where(AuditEntry.at >= china_midnight_utc(criteria.date_from))
    if criteria.date_to:
        query = query.where(AuditEntry.at < china_midnight_utc(criteria.date_to + timedelta(days=1)))
    total, page = count_and_clamp(query, page, per_page)
    items = db.session.scalars(
        query.options(selectinload(AuditEntry.user)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)

