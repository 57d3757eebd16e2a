"""The demands list's queries give what the list promises, whatever their shape: every page of
every sort, read one way or from the far end, and the figures, equal what the filters and the
orders say when they are worked out here in plain Python from every demand."""
from datetime import date

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today, utcnow
from renovation.domain.residents import demand_list, demands
from renovation.domain.residents.demand_list import DemandFilter
from renovation.domain.residents.demands import change_demand, raise_demand
from renovation.extensions import db
from renovation.models import User
from renovation.models.consultations import Demand
from tests.conftest import days_ago, make_project, make_user

LIMIT = demands.DEFAULT_OVERDUE_DAYS
# (project index, text, raised_by, age in days, category, status, response)
ROWS = [
    (0, "雨天单元门口积水严重", "3号楼2单元", 40, "drainage", "pending", ""),
    (0, "楼道灯不亮 Lamp broken", "5号楼", 3, "lighting", "in_progress", ""),
    (0, "增加50%的停车位", "沿街住户", 25, "parking", "resolved", "已划线 DONE"),
    (0, "编号A_1的路灯", "1号楼", 25, "lighting", "declined", ""),
    (1, "希望加装电梯", "2号楼", 60, "accessibility", "pending", ""),
    (1, "雨天积水，希望疏通", "8号楼", 16, "drainage", "resolved", "已疏通排水沟"),
    (1, "希望增设门禁 gate", "6号楼1单元", 15, "security", "pending", ""),
    (1, "路面积水", "沿街住户", 1, "drainage", "in_progress", ""),
    (2, "希望保留中庭老樟树", "1号楼", 30, "greening", "resolved", "保留 Kept"),
    (2, "单元入口增设坡道", "2号楼", 30, "accessibility", "pending", ""),
    (2, "围墙破损 wall", "3号楼", 90, "security", "pending", ""),
    (3, "希望统一更换信报箱", "5号楼", 10, "other", "declined", ""),
    (3, "楼道照明不足 LIGHT", "1号楼", 50, "lighting", "in_progress", ""),
]
PROJECTS = [("ZP-2026-003", "铁路二段生活小区", "铁路社区", "桂林街道"),
            ("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道"),
            ("ZP-2026-010", "新华新村", "城中社区", "菁城街道"),
            ("zp-2026-002", "粮食局宿舍", "铁路社区", "桂林街道")]
SEARCHES = ["", "积水", "希望", "积水 单元", "积水　希望", "lamp", "LIGHT", "done", "%", "_", "zp-2026-00",
            "ZP-2026-001", "九龙", "铁路 电梯", "铁路 希望", "粮食 lighting", "沿街", "无此诉求"]


@pytest.fixture
def world(app):
    """Thirteen demands in four projects, three communities and two streets."""
    user = make_user("engineer", "engineer")
    projects = [make_project(code=code, compound=compound, community=community, street=street)
                for code, compound, community, street in PROJECTS]
    for index, text, raised_by, age, category, status, response in ROWS:
        demand = raise_demand(projects[index], user, {"category": category, "text": text, "raised_by": raised_by,
                                                      "raised_on": days_ago(age)})
        if status != "pending":
            change_demand(demand, user, {"status": status, "response": response,
                                         "reason": "超出资金范围" if status == "declined" else ""}, 1)
    db.session.expire_all()
    return projects


def _is_open(demand) -> bool:
    return demand.status in demands.OPEN


def _expected(criteria: DemandFilter, everything: list[Demand], on: date) -> list[Demand]:
    """The matches in the criteria's order, by the list's definitions: every word (half- or
    full-width spaces part them) in the text, household, response, project code or compound
    name, ignoring the case of ASCII letters; % and _ literal."""
    def matches(demand):
        fields = (demand.text, demand.raised_by, demand.response, demand.project.code, demand.project.compound.name)
        community = demand.project.compound.community
        return (all(any(word.lower() in field.lower() for field in fields)
                    for word in criteria.q.replace("\u3000", " ").split())
                and (not criteria.status or demand.status == criteria.status)
                and (not criteria.category or demand.category == criteria.category)
                and (not criteria.community_id or community.id == criteria.community_id)
                and (not criteria.street_id or community.street_id == criteria.street_id)
                and (not criteria.overdue or demands.days_overdue(demand, on, LIMIT) > 0))

    keys = {
        "overdue": lambda d: (not _is_open(d), d.raised_on, d.id),
        "newest": lambda d: (-d.raised_on.toordinal(), -d.id),
        "oldest": lambda d: (d.raised_on, d.id),
        "project": lambda d: (d.project.code, not _is_open(d), d.raised_on, d.id),
    }
    return sorted(filter(matches, everything), key=keys.get(criteria.sort, keys["overdue"]))


def _all_pages(criteria: DemandFilter, per_page: int, listed: demand_list.ListFigures | None) -> list[int]:
    pages = demand_list.demand_page(criteria, 1, per_page).pages
    ids = []
    for number in range(1, pages + 1):
        if listed is None:
            page = demand_list.demand_page(criteria, number, per_page)
        else:
            page = demand_list.demand_page(criteria, number, per_page, total=listed.figures.received,
                                           per_project=listed.per_project)
        assert page.page == number and len(page.items) <= per_page
        ids += [demand.id for demand in page.items]
    return ids


def _criteria(world) -> list[DemandFilter]:
    rail = world[0].compound.community
    found = [DemandFilter(q=q, sort=sort) for q in SEARCHES for sort in demand_list.SORT_KEYS]
    found += [DemandFilter(q=q, sort=sort, **where) for q in ("", "希望", "积水 单元")
              for sort in demand_list.SORT_KEYS
              for where in ({"status": "pending"}, {"overdue": True}, {"category": "drainage"},
                            {"community_id": rail.id}, {"street_id": rail.street_id},
                            {"community_id": rail.id, "overdue": True, "status": "pending"})]
    return found


@pytest.mark.slow
def test_every_page_of_every_search_sort_and_filter_is_the_list_in_order(world):
    on = today()
    everything = list(db.session.scalars(db.select(Demand)))
    for criteria in _criteria(world):
        expected = [demand.id for demand in _expected(criteria, everything, on)]
        listed = demand_list.list_figures(criteria, per_project=True)
        assert listed.figures.received == len(expected), criteria
        assert sum(count for _code, _id, count in listed.per_project) == len(expected), criteria
        for per_page in (2, 3, 50):
            assert _all_pages(criteria, per_page, listed) == expected, (criteria, per_page)
        assert _all_pages(criteria, 3, None) == expected, criteria  # counting for itself


def test_the_figures_by_community_add_up_to_the_matches(world):
    on = today()
    everything = list(db.session.scalars(db.select(Demand)))
    for q in SEARCHES:
        criteria = DemandFilter(q=q)
        expected = _expected(criteria, everything, on)
        listed = demand_list.list_figures(criteria, per_project=True)
        by_name = {name: scope for name, _id, scope in listed.by_community}
        for name in {demand.project.compound.community.name for demand in everything}:
            mine = [demand for demand in expected if demand.project.compound.community.name == name]
            if not mine:
                assert name not in by_name, (q, name)
                continue
            scope = by_name[name]
            overdue = sum(demands.days_overdue(d, on, LIMIT) > 0 for d in mine)
            expected_figures = (len(mine), sum(map(_is_open, mine)), overdue)
            assert (scope.received, scope.open, scope.overdue) == expected_figures, (q, name)
        assert listed.figures.resolved == sum(d.status == "resolved" for d in expected), q
        assert [code for code, _id, _count in listed.per_project] == sorted(
            {demand.project.code for demand in expected}
        ), q


def test_the_search_column_follows_every_change_of_the_text_fields(world):
    demand = db.session.scalar(db.select(Demand).where(Demand.text == "希望加装电梯"))
    engineer = db.session.scalar(db.select(User).where(User.username == "engineer"))

    def found(q):
        return [d.id for d in demand_list.demand_page(DemandFilter(q=q), 1, 50).items]

    assert found("elevator") == [] and found("Fitted") == []
    change_demand(demand, engineer, {"status": "resolved", "response": "Elevator fitted", "reason": ""}, 1)
    assert found("elevator") == [demand.id] and found("FITTED") == [demand.id]
    demand.raised_by = "7号楼"  # no form changes these; the database keeps up all the same
    db.session.commit()
    assert found("7号楼") == [demand.id] and found("2号楼 电梯") == []
    assert db.session.scalar(db.select(Demand.search_text).where(Demand.id == demand.id)) == (
        "希望加装电梯 7号楼 elevator fitted"
    )


@pytest.mark.postgresql
def test_the_default_order_is_read_along_its_index(app):
    """Open first, the longest waiting first: the statement sorts by the expression of the index
    ix_demand_open_first (its open statuses are the domain's), so a first page reads 50 entries of
    the index instead of sorting every demand (PostgreSQL's planner; SQLite has no such index)."""
    from renovation.domain.residents.demands import OPEN
    from renovation.models.consultations import OPEN_DEMAND_STATUSES
    assert set(OPEN_DEMAND_STATUSES) == {status.value for status in OPEN}
    project = make_project()
    now = utcnow()
    db.session.execute(sa.insert(Demand), [
        {"project_id": project.id, "category": "other", "text": f"诉求{index}", "raised_by": "", "assignee": "",
         "status": ("pending", "in_progress", "resolved", "declined")[index % 4], "raised_on": days_ago(index % 300),
         "response": "", "reason": "", "created_at": now, "updated_at": now, "version": 1} for index in range(3000)])
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    query = demand_list._filtered(DemandFilter(), today(), 15, place=False).with_only_columns(Demand.id)
    statement = query.order_by(*demand_list.sort_order("overdue")).limit(50)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = " ".join(str(row) for row in db.session.execute(sa.text(f"EXPLAIN {compiled}")))
    assert "ix_demand_open_first" in plan, plan
    ids = list(db.session.scalars(statement))
    shown = {demand.id: demand for demand in db.session.scalars(sa.select(Demand).where(Demand.id.in_(ids)))}
    assert [shown[i].status in ("pending", "in_progress") for i in ids] == [True] * 50
    assert [shown[i].raised_on for i in ids] == sorted(shown[i].raised_on for i in ids)
