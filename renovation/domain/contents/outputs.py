"""What the programme delivers, in the units it is reported in: planned and completed quantities of
each content item, for the city or one street (the dashboard and the bulletins), by category, and
the sentence a bulletin leads with ("累计改造雨污管网 12.6 公里，加装电梯 8 部，新增停车位 640 个"), and
month on month: what was done at a month-end snapshot, from its street sums (never by reading every
project's), and what is done since. Plain values (a bulletin's snapshot keeps them); one query
whatever the number of projects."""
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, func, literal, select

from renovation.domain.clock import today as china_today
from renovation.domain.contents.quantities import decimal_text
from renovation.domain.programme.changes import baseline_month, recent_months
from renovation.domain.programme.snapshots import month_of
from renovation.extensions import db
from renovation.models import Community, Compound, MonthlySnapshot, Project, Street
from renovation.models.contents import ContentCategory, ContentItem, ProjectContent
from renovation.models.snapshots import StreetContentMonth

CATEGORY_NAMES = {ContentCategory.BASIC: "基础类", ContentCategory.IMPROVEMENT: "完善类",
                  ContentCategory.UPGRADE: "提升类"}
# How a bulletin says what was done of an item: the verb before its name, and the unit a reader
# counts it in (lifts are 部, pipes in kilometres past 1,000 m). Items not named here read
# "<name> N <unit>".
PHRASES = {"rain_sewage_pipes": ("改造", "雨污管网"), "drainage_pipes": ("改造", "排水管网"),
           "water_pipes": ("改造", "供水管网"), "gas": ("改造", "燃气管道"), "power": ("改造", "供电线路"),
           "telecom": ("规整", "通信管线"), "roads": ("硬化", "道路"), "roof_waterproofing": ("完成", "屋面防水"),
           "facade": ("改造", "外墙及立面"), "elevators": ("加装", "电梯"), "parking": ("新增", "停车位"),
           "charging_points": ("新增", "充电桩"), "greening": ("新增", "绿化"),
           "service_points": ("建成", "党群及邻里服务点")}
UNIT_WORDS = {"台": "部", "m": "米", "m²": "平方米"}
HEADLINE_ITEMS = 6
# What leaders ask about first (累计改造雨污管网…，加装电梯…，新增停车位…), named before the other items.
HEADLINE_FIRST = ("rain_sewage_pipes", "elevators", "parking", "charging_points", "roads", "service_points")
STREET_ITEMS = 4  # the items the table by street shows: the city's first ones with something planned


@dataclass(frozen=True)
class Output:
    key: str
    name: str
    unit: str
    category: str
    planned: Decimal
    completed: Decimal
    projects: int
    then: Decimal | None = None  # completed at the month-end snapshot compared with; None: nothing to compare

    @property
    def rate(self) -> float:
        """How much of the plan is done, in percent (0 when nothing is planned)."""
        return round(float(self.completed * 100 / self.planned), 1) if self.planned else 0.0

    @property
    def change(self) -> Decimal | None:
        """Done since the snapshot compared with (None when there is none to compare with)."""
        return None if self.then is None else self.completed - self.then


def _then(street_id: int | None, since: str):
    """Each item's completed quantity in ``since``'s snapshot, from its street sums: a subquery."""
    query = (select(StreetContentMonth.item_key.label("key"), func.sum(StreetContentMonth.completed).label("completed"))
             .join(MonthlySnapshot, MonthlySnapshot.id == StreetContentMonth.snapshot_id)
             .where(MonthlySnapshot.month == since).group_by(StreetContentMonth.item_key))
    if street_id is not None:
        query = query.where(StreetContentMonth.street_id == street_id)
    return query.subquery("then")


def outputs(street_id: int | None = None, since: str | None = None) -> list[Output]:
    """Each content item's planned and completed quantities over the city's projects (or one
    street's), in the catalogue's order; items no project includes are left out. With ``since`` (a
    snapshot month), each also says what was done then (``then``), when that snapshot kept the
    projects' contents; the same one query."""
    then = _then(street_id, since) if since else None
    compared = (exists().where(MonthlySnapshot.month == since, MonthlySnapshot.contents_taken.is_(True))
                if since else literal(False))
    query = (select(ContentItem.key, ContentItem.name, ContentItem.unit, ContentItem.category,
                    func.coalesce(func.sum(ProjectContent.planned_quantity), 0),
                    func.coalesce(func.sum(ProjectContent.completed_quantity), 0),
                    func.count(ProjectContent.id), compared.label("compared"),
                    func.coalesce(then.c.completed, 0) if since else literal(0))
             .join(ProjectContent, ProjectContent.item_id == ContentItem.id)
             .group_by(ContentItem.id, ContentItem.key, ContentItem.name, ContentItem.unit, ContentItem.category,
                       ContentItem.position)
             .order_by(ContentItem.position, ContentItem.id))
    if since:
        query = query.outerjoin(then, then.c.key == ContentItem.key).group_by(then.c.completed)
    if street_id is not None:
        query = (query.join(Project, Project.id == ProjectContent.project_id)
                 .join(Compound, Compound.id == Project.compound_id)
                 .join(Community, Community.id == Compound.community_id).where(Community.street_id == street_id))
    categories = list(ContentCategory)
    rows = [Output(key, name, unit, category, Decimal(planned), Decimal(completed), projects,
                   Decimal(then_done).quantize(Decimal("0.01")) if was_compared else None)
            for key, name, unit, category, planned, completed, projects, was_compared, then_done
            in db.session.execute(query)]
    # The catalogue's order within each category (the query reads the items by position; the sort is stable).
    return sorted(rows, key=lambda row: categories.index(row.category) if row.category in categories else 9)


@dataclass(frozen=True)
class StreetOutputs:
    """One street's planned and completed quantities of the items shown: ``{key: (planned, completed)}``."""

    street_id: int
    street: str
    items: dict


def main_items(rows: list[Output], limit: int = STREET_ITEMS) -> list[Output]:
    """The items a table by street shows: the first ``limit`` in the catalogue's order with something
    planned (the basic ones first: pipes, roads, then lifts and parking)."""
    return [row for row in rows if row.planned > 0][:limit]


def street_outputs(keys: list[str]) -> list[StreetOutputs]:
    """Each street's planned and completed quantities of the items ``keys``, by street name; one
    grouped query (asked for when a reader opens it, or when a bulletin is printed)."""
    if not keys:
        return []
    query = (select(Street.id, Street.name, ContentItem.key,
                    func.coalesce(func.sum(ProjectContent.planned_quantity), 0),
                    func.coalesce(func.sum(ProjectContent.completed_quantity), 0))
             .join(ProjectContent, ProjectContent.item_id == ContentItem.id)
             .join(Project, Project.id == ProjectContent.project_id)
             .join(Compound, Compound.id == Project.compound_id)
             .join(Community, Community.id == Compound.community_id)
             .join(Street, Street.id == Community.street_id)
             .where(ContentItem.key.in_(keys))
             .group_by(Street.id, Street.name, ContentItem.key).order_by(Street.name, Street.id))
    streets: dict[int, StreetOutputs] = {}
    for street_id, name, key, planned, completed in db.session.execute(query):
        row = streets.setdefault(street_id, StreetOutputs(street_id, name, {}))
        row.items[key] = (Decimal(planned), Decimal(completed))
    return list(streets.values())


def amount(value: Decimal, unit: str) -> tuple[str, str]:
    """A quantity as a reader counts it: 12,600 m reads 12.6 公里; 8 台 reads 8 部."""
    if unit == "m" and value >= 1000:
        return decimal_text((value / 1000).quantize(Decimal("0.1"))), "公里"
    text = decimal_text(value)
    whole, _dot, fraction = text.partition(".")
    whole = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return (f"{whole}.{fraction}" if fraction else whole), UNIT_WORDS.get(unit, unit)


def phrase(output: Output, quantity: Decimal | None = None) -> str:
    """改造雨污管网12.6公里 (what is done of one item; ``quantity``: of it, when not all that is done)."""
    verb, noun = PHRASES.get(output.key, ("", output.name))
    number, unit = amount(output.completed if quantity is None else quantity, output.unit)
    return f"{verb}{noun}{number}{unit}"


def _leading(rows: list[Output]) -> list[Output]:
    """The items in the order a bulletin names them: those leaders ask about first
    (:data:`HEADLINE_FIRST`), then the others in the catalogue's order."""
    first = {key: index for index, key in enumerate(HEADLINE_FIRST)}
    return sorted(rows, key=lambda row: first.get(row.key, len(first)))


def headline(rows: list[Output], limit: int = HEADLINE_ITEMS) -> str:
    """The bulletin's sentence of outputs: the items leaders ask about first, those with something done."""
    done = [row for row in _leading(rows) if row.completed > 0][:limit]
    return "，".join(phrase(row) for row in done)


def month_headline(rows: list[Output], limit: int = HEADLINE_ITEMS) -> str:
    """What was done since the snapshot compared with ("改造雨污管网300米，加装电梯1部"): the items
    with more done than then, in the headline's order; "" when none (or nothing to compare)."""
    done = [row for row in _leading(rows) if row.change is not None and row.change > 0][:limit]
    return "，".join(phrase(row, row.change) for row in done)


def bulletin_outputs(street_id: int | None = None, today: date | None = None) -> dict:
    """What a bulletin prints of the outputs, as plain data (quantities as decimal text): with
    ``baseline`` (the month-end snapshot compared with, None when there is none that kept the
    contents), each item's ``change`` since then and the sentence of it (``month_headline``)."""
    baseline = baseline_month(recent_months(), month_of(today or china_today()))  # as the dashboard's
    rows = outputs(street_id, baseline)
    compared = bool(rows) and rows[0].then is not None
    shown = main_items(rows) if street_id is None else []
    by_street = {"items": [{"key": row.key, "name": row.name, "unit": row.unit} for row in shown],
                 "streets": [{"name": street.street,
                              "figures": {key: [decimal_text(planned), decimal_text(completed)]
                                          for key, (planned, completed) in street.items.items()}}
                             for street in street_outputs([row.key for row in shown])]}
    return {"headline": headline(rows),
            "by_street": by_street if shown else None,
            "baseline": baseline if compared else None,
            "month_headline": month_headline(rows) if compared else "",
            "items": [asdict(row) | {"category": CATEGORY_NAMES.get(row.category, row.category),
                                     "planned": decimal_text(row.planned), "completed": decimal_text(row.completed),
                                     "then": None if row.then is None else decimal_text(row.then),
                                     "change": None if row.change is None else decimal_text(row.change),
                                     "rate": row.rate} for row in rows]}
