"""A project as the ledger sees it: one flat dict of field → plain value, keyed like the columns.

The export writes these values, the importer compares a row's values with them, and the commit
checks them again before writing; one function builds them for ORM objects and for the plain
rows the importer loads in bulk, so the three always agree.
"""
from decimal import Decimal

from sqlalchemy import select

from renovation.domain.ledger.cells import CENT
from renovation.domain.ledger.columns import STAGE_FIELDS
from renovation.domain.stages.keys import STAGE_ORDER, Status
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street

PROJECT_FIELDS = ("buildings", "households", "floor_area", "year_built", "batch", "budget_central",
                  "budget_provincial", "budget_city", "budget_residents", "budget_social",
                  "investment_completed", "contractor", "supervisor", "responsible_engineer",
                  "planned_start", "planned_end")
PLACE_FIELDS = ("compound", "community", "street")
BUDGET_SOURCES = ("budget_central", "budget_provincial", "budget_city", "budget_residents", "budget_social")
# Columns that may not be empty in the database: a blank cell means zero.
ZERO_WHEN_BLANK = frozenset((*BUDGET_SOURCES, "investment_completed"))
TEXT_FIELDS = frozenset(("batch", "contractor", "supervisor", "responsible_engineer", *PLACE_FIELDS))

# What a new project has in the fields its ledger row leaves out.
NEW_PROJECT = {
    **{field: None for field in PROJECT_FIELDS},
    **{field: "" for field in TEXT_FIELDS},
    **{field: Decimal("0.00") for field in ZERO_WHEN_BLANK},
    **{f"{key.value}.{field}": None for key in STAGE_ORDER for field in STAGE_FIELDS},
    **{f"{key.value}.status": Status.NOT_STARTED.value for key in STAGE_ORDER},
    **{f"{key.value}.percent": 0 for key in STAGE_ORDER},
    **{f"{key.value}.note": "" for key in STAGE_ORDER},
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


def project_values(project, compound: str, community: str, street: str, stages) -> dict:
    """The ledger values of a project (an ORM object or a row with the same attribute names)."""
    values = {"code": project.code, "compound": compound, "community": community, "street": street}
    for field in PROJECT_FIELDS:
        value = getattr(project, field)
        values[field] = comparable(value if value is not None else blank_value(field))
    for stage in stages:
        for field in STAGE_FIELDS:
            name = f"{stage.key}.{field}"
            value = getattr(stage, field)
            values[name] = comparable(value if value is not None else blank_value(name))
    return values


def values_of_project(project) -> dict:
    """The ledger values of a loaded project (compound, community, street and stages)."""
    compound = project.compound
    return project_values(project, compound.name, compound.community.name, compound.community.street.name,
                          project.stages)


def existing_ledger() -> dict[str, dict]:
    """Every project's ledger values by code, in two queries (no ORM objects: 20,000 projects)."""
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
    return {
        row.code: project_values(row, row.compound_name, row.community_name, row.street_name,
                                 stages.get(row.id, []))
        for row in projects
    }


def known_places() -> tuple[set[str], dict[str, str], set[tuple[str, str]]]:
    """Street names, community → its street, and (community, compound) pairs already known."""
    streets = set(db.session.scalars(select(Street.name)))
    communities = dict(db.session.execute(select(Community.name, Street.name).join(Community.street)).tuples().all())
    compounds = set(db.session.execute(select(Community.name, Compound.name).join(Compound.community)).tuples().all())
    return streets, communities, compounds
