"""A project's after-care (长效管理): read it, check proposed values, save them. A save checks the
version seen (0 while nothing is recorded), writes an audit entry with the changes, and commits, or
raises having saved nothing: :class:`AftercareConflict` (409) or :class:`AftercareRuleViolation`
(422, messages by field)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.errors import Conflict, RuleViolation, commit_or_conflict
from renovation.domain.messages import with_values
from renovation.extensions import db
from renovation.models.aftercare import Aftercare, PropertyManagement
from renovation.models.limits import column_limit

FIELDS = ("party_branch", "party_branch_name", "building_party_groups", "owners_committee",
          "red_owners_committee", "property_management", "property_company", "red_property")
FLAGS = ("party_branch", "owners_committee", "red_owners_committee", "red_property")
MAX_PARTY_GROUPS = 9999  # a compound's buildings, generously
NAME_MAX = column_limit(Aftercare.party_branch_name)
COMPANY_MAX = column_limit(Aftercare.property_company)
GROUPS_MESSAGE = with_values(_l("Enter the number of building party groups: a whole number from 0 to %(max)d."),
                             max=MAX_PARTY_GROUPS)


class AftercareConflict(Conflict):
    """Someone else saved the after-care since it was loaded; ``current`` is the record now (a blank,
    unsaved one when it was removed)."""


class AftercareRuleViolation(RuleViolation):
    """The values break a rule; ``errors`` maps fields to messages."""


@dataclass
class Blank:
    """What a project shows while nothing is recorded: nobody looks after it, version 0."""

    project_id: int
    party_branch: bool = False
    party_branch_name: str = ""
    building_party_groups: int = 0
    owners_committee: bool = False
    red_owners_committee: bool = False
    property_management: str = PropertyManagement.NONE.value
    property_company: str = ""
    red_property: bool = False
    updated_at: None = None
    updated_by: None = None
    version: int = 0
    recorded = False


def aftercare_of(project_id: int) -> Aftercare | Blank:
    """The project's after-care with who last saved it, or a :class:`Blank` (one query)."""
    found = db.session.scalar(select(Aftercare).where(Aftercare.project_id == project_id)
                              .options(joinedload(Aftercare.updated_by)))
    return Blank(project_id) if found is None else found


def values_of(record) -> dict:
    """The record's :data:`FIELDS`."""
    return {name: getattr(record, name) for name in FIELDS}


def errors_of(values: dict) -> dict:
    """Why ``values`` (all of :data:`FIELDS`) cannot be saved, by field; empty when they can."""
    errors = {}
    groups = values["building_party_groups"]
    if isinstance(groups, bool) or not isinstance(groups, int) or not 0 <= groups <= MAX_PARTY_GROUPS:
        errors["building_party_groups"] = GROUPS_MESSAGE
    if len(values["party_branch_name"]) > NAME_MAX:
        errors["party_branch_name"] = with_values(_l("At most %(n)d characters."), n=NAME_MAX)
    if not values["party_branch"]:
        if values["party_branch_name"]:
            errors["party_branch_name"] = _l("Name the party branch only when the compound has one.")
        if "building_party_groups" not in errors and groups:
            errors["building_party_groups"] = _l(
                "Building party groups belong to a compound party branch: tick the party branch first.")
    if values["red_owners_committee"] and not values["owners_committee"]:
        errors["red_owners_committee"] = _l("Only an owners' committee can be a red owners' committee.")
    management = values["property_management"]
    if management not in {kind.value for kind in PropertyManagement}:
        errors["property_management"] = _l("Choose how the compound is managed.")
    company = values["property_company"]
    if len(company) > COMPANY_MAX:
        errors["property_company"] = with_values(_l("At most %(n)d characters."), n=COMPANY_MAX)
    elif management == PropertyManagement.PROFESSIONAL and not company:
        errors["property_company"] = _l("Name the property company.")
    elif management != PropertyManagement.PROFESSIONAL and company:
        errors["property_company"] = _l("Name a company only when a property company manages the compound.")
    if values["red_property"] and management == PropertyManagement.NONE:
        errors["red_property"] = _l("Only a managed compound can have red property management.")
    return errors


def _cleaned(values: dict) -> dict:
    cleaned = dict(values)
    for name in ("party_branch_name", "property_company"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].replace("\x00", "").strip()
    for name in FLAGS:
        if name in cleaned:
            cleaned[name] = bool(cleaned[name])
    return cleaned


def save_aftercare(project, user, values: dict, seen_version: int) -> Aftercare:
    """Save the after-care of ``project``: ``values`` holds any of :data:`FIELDS` (the rest stay as
    they are), ``seen_version`` the version the user saw (0: nothing was recorded). Commits, or
    raises :class:`AftercareConflict` / :class:`AftercareRuleViolation` having saved nothing."""
    record = aftercare_of(project.id)
    if seen_version != record.version:
        raise AftercareConflict(record)
    current = values_of(record)
    proposed = {**current, **_cleaned({name: values[name] for name in FIELDS if name in values})}
    errors = errors_of(proposed)
    if errors:
        raise AftercareRuleViolation(errors)
    diff = [{"field": name, "old": current[name] if record.recorded else None, "new": proposed[name]}
            for name in FIELDS if not record.recorded or current[name] != proposed[name]]
    if record.recorded and not diff:
        return record
    with db.session.no_autoflush:
        if not record.recorded:
            record = Aftercare(project_id=project.id)
            db.session.add(record)
        for name in FIELDS:
            setattr(record, name, proposed[name])
        record.updated_at, record.updated_by_id = utcnow(), user.id
        audit.record(user, "aftercare.change", "project", project.code, changes=diff)
    try:
        return commit_or_conflict(record, AftercareConflict)
    except IntegrityError:  # someone else recorded it first (the project's row is unique)
        db.session.rollback()
        raise AftercareConflict(aftercare_of(project.id)) from None
