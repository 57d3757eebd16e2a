"""A project as the ledger sees it: one flat dict of field → plain value, keyed like the columns.

The export writes these values, the importer compares a row's values with them, and the commit
checks them again before writing; one function builds them for ORM objects and for the plain
rows the importer loads in bulk, so the three always agree. The main content items' quantities
are among them (``content.<key>.planned``, None when the project does not include the item), with
each included item's reason for doing more than planned (``content.<key>.reason``, not a column).
"""
from decimal import Decimal

from sqlalchemy import select

from renovation.domain.ledger.cells import CENT
from renovation.domain.ledger.columns import CONTENT_FIGURES, CONTENT_ITEMS, STAGE_FIELDS, content_field
from renovation.domain.stages.keys import STAGE_ORDER, Status
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street
from renovation.models.contents import ContentItem, ProjectContent

PROJECT_FIELDS = ("buildings", "households", "floor_area", "year_built", "batch", "budget_central",
                  "budget_provincial", "budget_city", "budget_residents", "budget_social",
                  "investment_completed", "contractor", "supervisor", "responsible_engineer",
                  "planned_start", "planned_end")
PLACE_FIELDS = ("compound", "community", "street")
BUDGET_SOURCES = ("budget_central", "budget_provincial", "budget_city", "budget_residents", "budget_social")
# Columns that may not be empty in the database: a blank cell means zero.
ZERO_WHEN_BLANK = frozenset((*BUDGET_SOURCES, "investment_completed"))
TEXT_FIELDS = frozenset(("batch", "contractor", "supervisor", "responsible_engineer", *PLACE_FIELDS))
CONTENT_KEYS = tuple(key for key, _name, _unit in CONTENT_ITEMS)
CONTENT_FIELDS = tuple(content_field(key, figure) for key in CONTENT_KEYS for figure in CONTENT_FIGURES)

# What a new project has in the fields its ledger row leaves out.
NEW_PROJECT = {
    **{field: None for field in PROJECT_FIELDS},
    **{field: "" for field in TEXT_FIELDS},
    **{field: Decimal("0.00") for field in ZERO_WHEN_BLANK},
    **{f"{key.value}.{field}": None for key in STAGE_ORDER for field in STAGE_FIELDS},
    **{f"{key.value}.status": Status.NOT_STARTED.value for key in STAGE_ORDER},
    **{f"{key.value}.percent": 0 for key in STAGE_ORDER},
    **{f"{key.value}.note": "" for key in STAGE_ORDER},
    **{field: None for field in CONTENT_FIELDS},
}


def comparable(value):
    """The form two values are compared in: amounts to the cent, text trimmed, blank text ''."""
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    if isinstance(value, str):
        return value.strip()
    return value


def blank_value(field: str):
    """What an empty cell means for ``field``."""
    if field in ZERO_WHEN_BLANK:
        return Decimal("0.00")
    if field.endswith(".status"):
        return Status.NOT_STARTED.value
    if field.endswith(".percent"):
        return 0
    if field in TEXT_FIELDS or field.endswith(".note"):
        return ""
    return None


def project_values(project, compound: str, community: str, street: str, stages, contents=None) -> dict:
    """The ledger values of a project (an ORM object or a row with the same attribute names);
    ``contents``: its main items' values (see :func:`content_values`)."""
    values = {"code": project.code, "compound": compound, "community": community, "street": street,
              **{field: None for field in CONTENT_FIELDS}, **(contents or {})}
    for field in PROJECT_FIELDS:
        value = getattr(project, field)
        values[field] = comparable(value if value is not None else blank_value(field))
    for stage in stages:
        for field in STAGE_FIELDS:
            name = f"{stage.key}.{field}"
            value = getattr(stage, field)
            values[name] = comparable(value if value is not None else blank_value(name))
    return values


def values_of_project(project, contents=()) -> dict:
    """The ledger values of a loaded project (compound, community, street and stages) and its
    ``contents`` (:class:`ProjectContent` with their items)."""
    compound = project.compound
    return project_values(project, compound.name, compound.community.name, compound.community.street.name,
                          project.stages, content_values_of(contents))


def _content_entries(key: str, planned, completed, reason) -> dict:
    return {content_field(key, "planned"): comparable(Decimal(planned)),
            content_field(key, "completed"): comparable(Decimal(completed)),
            content_field(key, "reason"): reason or ""}


def content_values_of(contents) -> dict:
    """The ledger values of loaded contents (those of the main items)."""
    values = {}
    for content in contents:
        if content.item.key in CONTENT_KEYS:
            values.update(_content_entries(content.item.key, content.planned_quantity, content.completed_quantity,
                                           content.reason))
    return values


def content_values(project_ids=None) -> dict[int, dict]:
    """The main items' ledger values of the projects ``project_ids`` (every project when None), by
    project id: one query."""
    query = (select(ProjectContent.project_id, ContentItem.key, ProjectContent.planned_quantity,
                    ProjectContent.completed_quantity, ProjectContent.reason)
             .join(ContentItem, ContentItem.id == ProjectContent.item_id).where(ContentItem.key.in_(CONTENT_KEYS)))
    if project_ids is not None:
        query = query.where(ProjectContent.project_id.in_(list(project_ids)))
    found: dict[int, dict] = {}
    for project_id, key, planned, completed, reason in db.session.execute(query):
        found.setdefault(project_id, {}).update(_content_entries(key, planned, completed, reason))
    return found


def existing_ledger() -> dict[str, dict]:
    """Every project's ledger values by code, in three queries (no ORM objects: 20,000 projects)."""
    columns = [getattr(Project, field) for field in PROJECT_FIELDS]
    projects = db.session.execute(
        select(Project.id, Project.code, *columns, Compound.name.label("compound_name"),
               Community.name.label("community_name"), Street.name.label("street_name"))
        .join(Project.compound).join(Compound.community).join(Community.street)
    ).all()
    stages: dict[int, list] = {}
    for stage in db.session.execute(
        select(Stage.project_id, Stage.key, *(getattr(Stage, field) for field in STAGE_FIELDS))
    ):
        stages.setdefault(stage.project_id, []).append(stage)
    contents = content_values()
    return {
        row.code: project_values(row, row.compound_name, row.community_name, row.street_name,
                                 stages.get(row.id, []), contents.get(row.id))
        for row in projects
    }


def known_places() -> tuple[set[str], dict[str, str], set[tuple[str, str]]]:
    """Street names, community → its street, and (community, compound) pairs already known."""
    streets = set(db.session.scalars(select(Street.name)))
    communities = dict(db.session.execute(select(Community.name, Street.name).join(Community.street)).tuples().all())
    compounds = set(db.session.execute(select(Community.name, Compound.name).join(Compound.community)).tuples().all())
    return streets, communities, compounds


def content_catalogue() -> dict[str, bool]:
    """The main items the catalogue has, each with whether it is retired: one query."""
    return dict(db.session.execute(select(ContentItem.key, ContentItem.retired)
                                   .where(ContentItem.key.in_(CONTENT_KEYS))).tuples().all())
