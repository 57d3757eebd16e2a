"""The after-care coverage the city reports (小区党组织, 楼栋党小组, 红色业委会 rate, 红色物业 rate), for the
dashboard: per street and for the city, over the **completed** compounds — projects whose every
applicable stage is completed, 竣工验收 included (``project.current_stage == "done"``, the
dashboard's 已完成 and the street tallies' ``completed``).

- the counts (party branches, building party groups) and the coverage rates (owners' committees,
  property management) are over the completed compounds;
- the 红色业委会 rate is over the completed compounds with an owners' committee, and the 红色物业 rate
  over those with property management, as the city reports them (红色物业 100% of the compounds with
  property services);
- the completed compounds with nobody looking after them (no party branch, no owners' committee, no
  property management, or nothing recorded) are named, the first :data:`NAMED` by code, the rest
  counted.

Two queries whatever the number of projects: one for the figures by street (the completed compounds
from the street tallies the database keeps, the after-care records each joined to its project), and
one for the first named compounds, walking the index on ``(current_stage, code)`` in code order and
stopping at :data:`NAMED`.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, or_, select

from renovation.domain.stages.keys import DONE
from renovation.extensions import db
from renovation.models import Project, Street, StreetTally
from renovation.models.aftercare import Aftercare, PropertyManagement

NAMED = 20  # the completed compounds without after-care named on the dashboard; a province has thousands


def rate(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent with two decimals, as the city reports (90.16); None when
    there is nothing to count."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Coverage:
    """One street's (or the city's) completed compounds and who looks after them."""

    name: str
    street_id: int | None = None
    completed: int = 0
    party_branches: int = 0
    party_groups: int = 0
    owners_committees: int = 0
    red_owners_committees: int = 0
    managed: int = 0
    red_property: int = 0
    uncared: int = 0  # no party branch, no owners' committee, no property management

    COUNTS = ("completed", "party_branches", "party_groups", "owners_committees", "red_owners_committees",
              "managed", "red_property", "uncared")

    @property
    def owners_committee_rate(self) -> Decimal | None:
        return rate(self.owners_committees, self.completed)

    @property
    def red_owners_committee_rate(self) -> Decimal | None:
        return rate(self.red_owners_committees, self.owners_committees)

    @property
    def management_rate(self) -> Decimal | None:
        return rate(self.managed, self.completed)

    @property
    def red_property_rate(self) -> Decimal | None:
        return rate(self.red_property, self.managed)


@dataclass
class AftercareCoverage:
    """The dashboard's 长效管理 section: a row per street with completed compounds (by name), the
    city's row, and the first completed compounds with nobody looking after them."""

    streets: list[Coverage]
    city: Coverage
    uncared: list[dict] = field(default_factory=list)

    @property
    def uncared_not_named(self) -> int:
        return max(self.city.uncared - len(self.uncared), 0)


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


# Nobody looks after the compound: nothing recorded, or a record saying so.
_UNCARED = or_(Aftercare.id.is_(None),
               and_(Aftercare.party_branch.is_(False), Aftercare.owners_committee.is_(False),
                    Aftercare.property_management == PropertyManagement.NONE.value))
_MANAGED = and_(Aftercare.id.is_not(None), Aftercare.property_management != PropertyManagement.NONE.value)


def _street_query():
    # The completed compounds per street from the street tallies the database keeps; what their
    # after-care records say from those records alone (each joined to its project by primary key):
    # reading every completed project of a province took a tenth of a second.
    done = (select(StreetTally.street_name.label("street_name"), func.sum(StreetTally.projects).label("completed"))
            .where(StreetTally.current_stage == DONE).group_by(StreetTally.street_name).subquery())
    cared = (
        select(Project.street_name.label("street_name"),
               _flag(Aftercare.party_branch.is_(True)).label("party_branches"),
               func.coalesce(func.sum(case((Aftercare.party_branch.is_(True), Aftercare.building_party_groups),
                                           else_=0)), 0).label("party_groups"),
               _flag(Aftercare.owners_committee.is_(True)).label("owners_committees"),
               _flag(and_(Aftercare.owners_committee.is_(True), Aftercare.red_owners_committee.is_(True)))
               .label("red_owners_committees"),
               _flag(_MANAGED).label("managed"),
               _flag(and_(_MANAGED, Aftercare.red_property.is_(True))).label("red_property"),
               _flag(~_UNCARED).label("looked_after"))
        .select_from(Aftercare).join(Project, Project.id == Aftercare.project_id)
        .where(Project.current_stage == DONE).group_by(Project.street_name).subquery())
    counts = [func.coalesce(getattr(cared.c, name), 0) for name in Coverage.COUNTS[1:-1]]
    return (
        select(Street.id, done.c.street_name, done.c.completed, *counts,
               done.c.completed - func.coalesce(cared.c.looked_after, 0))
        .select_from(done)
        .outerjoin(cared, cared.c.street_name == done.c.street_name)
        .outerjoin(Street, Street.name == done.c.street_name)
        .where(done.c.completed > 0)
        .order_by(done.c.street_name)
    )


def uncared_compounds(limit: int = NAMED) -> list[dict]:
    """The first ``limit`` completed compounds with nobody looking after them, by project code."""
    rows = db.session.execute(
        select(Project.code, Project.compound_name, Project.community_name, Project.street_name)
        .outerjoin(Aftercare, Aftercare.project_id == Project.id)
        .where(Project.current_stage == DONE, _UNCARED)
        .order_by(Project.code).limit(limit))
    return [{"code": code, "compound": compound, "community": community, "street": street}
            for code, compound, community, street in rows]


def aftercare_coverage(named: int = NAMED) -> AftercareCoverage:
    """Per street and for the city, the completed compounds' after-care (two queries)."""
    streets = []
    for street_id, name, *counts in db.session.execute(_street_query()):
        streets.append(Coverage(name=name, street_id=street_id,
                                **dict(zip(Coverage.COUNTS, (int(count or 0) for count in counts), strict=True))))
    city = Coverage(name="", **{name: sum(getattr(row, name) for row in streets) for name in Coverage.COUNTS})
    return AftercareCoverage(streets=streets, city=city, uncared=uncared_compounds(named))
