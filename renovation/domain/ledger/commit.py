"""Writing an imported ledger: all or nothing, in one transaction, only without problems.

:func:`commit_import` takes a :class:`renovation.domain.ledger.preview.LedgerPreview`, checks
that every value it is about to overwrite is still what the preview showed (otherwise the
preview is stale and nothing is written), creates the streets, communities and compounds it
names for the first time, writes the projects and their stages, a stage history entry for each
changed stage and one audit entry with the file's sha256 and the counts. The main content items
a row gives figures for are added or changed through the contents operations (each with its
history event and audit entry, in the same transaction). A ledger whose rows are all unchanged
writes nothing at all, so importing the same file twice is harmless.
"""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.contents.operations import record_content_change, record_new_content
from renovation.domain.errors import RuleViolation
from renovation.domain.ledger.columns import STAGE_FIELDS, content_field, content_item_of
from renovation.domain.ledger.preview import CREATE, UNCHANGED, UPDATE, LedgerPreview
from renovation.domain.ledger.values import (
    CONTENT_FIELDS,
    CONTENT_KEYS,
    PLACE_FIELDS,
    PROJECT_FIELDS,
    comparable,
    values_of_project,
)
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.domain.stages.schedule import refresh_project_summary
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, StageEvent, Street
from renovation.models.contents import ContentItem, ProjectContent

CHUNK = 500  # codes per query: well under SQLite's and PostgreSQL's parameter limits


class LedgerNotImportable(Exception):
    """The preview has problems; nothing was written."""


class StaleLedgerPreview(Exception):
    """The database changed since the preview was made; nothing was written."""


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def commit_import(preview: LedgerPreview, user, file_sha256: str) -> ImportResult:
    """Write the preview's creates and updates and commit, or raise and write nothing."""
    if preview.has_errors:
        raise LedgerNotImportable(f"{len(preview.problems)} problems")
    creates, updates = preview.of(CREATE), preview.of(UPDATE)
    result = ImportResult(len(creates), len(updates), len(preview.of(UNCHANGED)))
    if not result.changed:
        return result
    try:
        places, now = _Places(), utcnow()
        _apply_updates(updates, places, user, now)
        _create_projects(creates, places, user, now)
        audit.record(user, "ledger.import", "database", "ledger", sha256=file_sha256, sheet=preview.sheet,
                     rows=len(preview.rows), created=result.created, updated=result.updated,
                     unchanged=result.unchanged)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _apply_updates(rows, places: "_Places", user, now) -> None:
    for chunk in _chunks(rows):
        projects = {project.code: project for project in db.session.scalars(
            select(Project).where(Project.code.in_([row.code for row in chunk]))
            .options(selectinload(Project.stages),
                     joinedload(Project.compound).joinedload(Compound.community).joinedload(Community.street))
        ).unique()}
        contents = _contents_of(project.id for project in projects.values())
        for row in chunk:
            project = projects.get(row.code)
            if project is None:
                raise StaleLedgerPreview(row.code)
            current = values_of_project(project, contents.get(project.id, {}).values())
            if any(comparable(current[change.field]) != comparable(change.old) for change in row.changes):
                raise StaleLedgerPreview(row.code)
            _update(project, row, places, user, now)
            _write_contents(project, row, {change.field for change in row.changes}, contents.get(project.id, {}),
                            user)


def _contents_of(project_ids) -> dict[int, dict[str, ProjectContent]]:
    """The projects' contents of the main items, by project id and item key: one query."""
    found: dict[int, dict[str, ProjectContent]] = {}
    for content in db.session.scalars(
        select(ProjectContent).join(ProjectContent.item).options(contains_eager(ProjectContent.item))
        .where(ProjectContent.project_id.in_(list(project_ids)), ContentItem.key.in_(CONTENT_KEYS))
    ):
        found.setdefault(content.project_id, {})[content.item.key] = content
    return found


def _write_contents(project: Project, row, fields: set[str], contents: dict[str, ProjectContent], user) -> None:
    """Add or change the items whose figures the row changes, through the contents operations. A
    rule they refuse now was kept when the preview was judged: the database changed since."""
    for key in CONTENT_KEYS:
        if not any(content_item_of(name) == key for name in fields):
            continue
        figures = {"planned_quantity": row.values[content_field(key, "planned")],
                   "completed_quantity": row.values[content_field(key, "completed")]}
        try:
            if key in contents:
                record_content_change(contents[key], user, figures)
            else:
                record_new_content(project, user, {"item": key, **figures})
        except RuleViolation:
            raise StaleLedgerPreview(row.code) from None


def _update(project: Project, row, places: "_Places", user, now) -> None:
    fields = {change.field for change in row.changes}
    if fields & set(PLACE_FIELDS):
        project.compound = places.compound(row.values["street"], row.values["community"], row.values["compound"])
    for name in PROJECT_FIELDS:
        if name in fields:
            setattr(project, name, row.values[name])
    for stage in project.stages:
        diff = [{"field": change.field.split(".")[1], "old": _plain(change.old), "new": _plain(change.new)}
                for change in row.changes if change.field.startswith(f"{stage.key}.")]
        if not diff:
            continue
        for item in diff:
            setattr(stage, item["field"], row.values[f"{stage.key}.{item['field']}"])
        stage.updated_at, stage.updated_by_id = now, getattr(user, "id", None)
        db.session.add(StageEvent(project_id=project.id, stage_key=stage.key, at=now, user_id=getattr(user, "id", None),
                                  changes=diff, note=row.values[f"{stage.key}.note"] if any(
                                      item["field"] == "note" for item in diff) else ""))
    project.updated_at = now
    refresh_project_summary(project)


def _create_projects(rows, places: "_Places", user, now) -> None:
    codes = [row.code for row in rows]
    for chunk in _chunks(codes):
        if db.session.scalar(select(Project.code).where(Project.code.in_(chunk)).limit(1)):
            raise StaleLedgerPreview("a new project's code is taken")
    for row in rows:
        values = row.values
        project = Project(code=row.code, updated_at=now,
                          compound=places.compound(values["street"], values["community"], values["compound"]),
                          **{name: values[name] for name in PROJECT_FIELDS})
        for position, key in enumerate(STAGE_ORDER):
            project.stages.append(Stage(key=key.value, position=position,
                                        **{name: values[f"{key.value}.{name}"] for name in STAGE_FIELDS}))
        refresh_project_summary(project)
        db.session.add(project)
        given = {name for name in CONTENT_FIELDS if values[name] is not None}
        if given:
            db.session.flush()  # the project's id, for its contents
            _write_contents(project, row, given, {}, user)


class _Places:
    """Streets, communities and compounds by name, created on first use."""

    def __init__(self):
        self.streets = {street.name: street for street in db.session.scalars(select(Street))}
        self.communities = {community.name: community for community in db.session.scalars(select(Community))}
        self.compounds = {(compound.community_id, compound.name): compound
                          for compound in db.session.scalars(select(Compound))}
        self.new_compounds: dict[tuple[str, str], Compound] = {}

    def compound(self, street_name: str, community_name: str, compound_name: str) -> Compound:
        street = self.streets.get(street_name)
        if street is None:
            street = self.streets[street_name] = Street(name=street_name)
            db.session.add(street)
        community = self.communities.get(community_name)
        if community is None:
            community = self.communities[community_name] = Community(name=community_name, street=street)
            db.session.add(community)
        found = self.compounds.get((community.id, compound_name)) if community.id else None
        found = found or self.new_compounds.get((community_name, compound_name))
        if found is None:
            found = self.new_compounds[(community_name, compound_name)] = Compound(name=compound_name,
                                                                                  community=community)
            db.session.add(found)
        return found


def _plain(value):
    """A JSON-friendly form of a value for the stage history."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
