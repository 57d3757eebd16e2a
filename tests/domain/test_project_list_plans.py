"""The project list's queries are served by indexes on PostgreSQL: EXPLAIN ANALYZE of every statement
a page sends (its bounded count, the cursor's look-up, its rows) shows no sequential scan of the
project table, and no index scan reading more than a tenth of it, for the search (one character,
two: 九龙, three or more, several words), the filters (street, stage, behind schedule), every order,
and the first page and one deep in the list.

A fact about PostgreSQL's planner (SQLite, a city's 141 projects, reads them all): marked
``postgresql``, so left out of the SQLite pass and run in ./scripts/test's PostgreSQL pass. The table gets
10,000 projects, vacuumed, with fresh statistics (VACUUM ANALYZE), and the list counts up to 25
of them: the share of the table that 500 is of 200,000, so that the planner weighs an index
against reading the table as it does at a province's size (a count up to 500 of 10,000 would
read a twentieth of the table, which it rightly reads whole).
"""
import json
import random
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain.bulk_insert import next_id, sync_id_sequences
from renovation.domain.clock import today, utcnow
from renovation.domain.project_list import SORT_COLUMNS, Position, ProjectFilter, list_page
from renovation.domain.project_search import rebuild_search_index
from renovation.domain.stages.keys import DONE, STAGE_ORDER
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Street

PROJECTS = 10_000
COUNT_LIMIT = PROJECTS * 500 // 200_000
# As a province's share out (800 streets and 5,000 communities for 200,000 projects): 400 streets
# of 25 projects and 2,000 communities of 5, so that one is as small a share of the table.
TOWNS = ["东城", "西城", "南城", "北城", "城关", "龙门", "白沙", "铁山", "雁石", "溪口"]
COUNTIES = ["新罗", "永定", "长汀", "上杭", "武平", "连城", "鼓楼", "台江", "仓山", "马尾", "晋安", "长乐", "闽侯",
            "连江", "罗源", "闽清", "永泰", "平潭", "福清", "思明"]
STREETS = [f"{county}{town}{kind}" for county in COUNTIES for town in TOWNS for kind in ("街道", "镇")]
UNITS = ["粮食局", "供销社", "水电局", "邮电局", "交通局", "林业局", "税务局", "财政局", "纺织厂", "化肥厂",
         "水泥厂", "机械厂", "糖厂", "百货公司", "食品公司", "烟草公司", "农机公司", "物资局", "茶厂", "印刷厂"]
FIRMS = ["城建工程有限公司", "建工集团有限公司", "第一建筑工程有限公司", "路桥工程有限公司"]
ENGINEERS = ["陈志强", "林建华", "黄文斌", "郑晓东", "吴国平", "刘海燕", "张伟", "蔡明辉", "杨丽萍", "许春生"]

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]


@pytest.fixture
def province(app):
    """10,000 projects in 400 streets, 2,000 communities: some seventy named 九龙…, the rest not."""
    assert db.engine.dialect.name == "postgresql", "marked postgresql: the SQLite pass leaves it out"
    rng = random.Random(13)
    streets = [{"id": number, "name": name} for number, name in enumerate(STREETS, start=next_id(Street))]
    communities = [{"id": number, "name": f"{street['name']}第{index + 1}社区", "street_id": street["id"]}
                   for number, (index, street) in enumerate(
                       ((index, street) for street in streets for index in range(5)), start=next_id(Community))]
    compounds, projects = [], []
    first_compound, first_project = next_id(Compound), next_id(Project)
    for index in range(PROJECTS):
        name = (f"九龙{['花园', '新村', '公寓'][index % 3]}{index}号" if index % 150 == 0
                else f"{rng.choice(UNITS)}宿舍{index}号")
        compounds.append({"id": first_compound + index, "name": name,
                          "community_id": communities[index % len(communities)]["id"]})
        deadline = today() + timedelta(days=rng.randint(-200, 300)) if rng.random() < 0.9 else None
        projects.append({"id": first_project + index, "code": f"PV-{2024 + index % 3}-{index:05d}",
                         "compound_id": first_compound + index, "households": rng.randint(40, 600),
                         "contractor": f"{rng.choice(STREETS)[2:4]}{rng.choice(FIRMS)}",
                         "supervisor": "省建设监理有限公司", "responsible_engineer": rng.choice(ENGINEERS),
                         "progress": rng.randint(0, 100), "next_deadline": deadline,
                         "current_stage": rng.choice([*(str(key) for key in STAGE_ORDER), DONE]),
                         "updated_at": utcnow() - timedelta(minutes=rng.randint(0, 100000))})
    for model, rows in ((Street, streets), (Community, communities), (Compound, compounds), (Project, projects)):
        db.session.execute(sa.insert(model), rows)
    sync_id_sequences(Street, Community, Compound, Project)
    rebuild_search_index()
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE project")  # as autovacuum leaves a table: no dead rows
    return {"street": streets[3]["id"], "middle": sorted(row["code"] for row in projects)[PROJECTS // 2]}


@contextmanager
def statements_sent():
    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def project_scans(plan: dict) -> list[tuple[str, int]]:
    """How each plan node below ``plan`` reads the project table ("Index Scan", "Seq Scan"…), and
    how many rows it read (found and filtered out), when EXPLAIN ANALYZE says."""
    found = []
    if plan.get("Relation Name") == "project":
        read = (plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1) + plan.get("Rows Removed by Filter", 0)
                + plan.get("Rows Removed by Index Recheck", 0))
        found.append((plan["Node Type"], read))
    for child in plan.get("Plans", []):
        found += project_scans(child)
    return found


def plans_of_page(criteria: ProjectFilter, position: Position) -> list[tuple[str, list]]:
    """(statement, how it reads the project table) for each statement of the list's page."""
    with statements_sent() as sent:
        page = list_page(criteria, position, 50, today(), COUNT_LIMIT)
    assert page.items, "the case should find projects"
    plans = []
    for statement, parameters in sent:
        if "project" not in statement:
            continue
        explained = db.session.connection().exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}",
                                                           parameters).scalar()
        plan = (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]
        plans.append((" ".join(statement.split())[:160], project_scans(plan)))
    return plans


def wide_reads(criteria: ProjectFilter, position: Position) -> list:
    """The page's statements that read the project table sequentially, or read more than a tenth
    of its rows through an index (a whole index walked for a rare match is no better)."""
    plans = plans_of_page(criteria, position)
    assert plans and all(scans for _statement, scans in plans), plans
    return [plan for plan in plans
            if any(node == "Seq Scan" or read > PROJECTS // 10 for node, read in plan[1])]


def cases(picked: dict) -> dict:
    """(criteria, position) by name: the search, the filters, and every order's first page and the
    pages after and before a project half-way down the list (as its Next and Previous links ask)."""
    found = {
        "first page": (ProjectFilter(), Position()),
        "search, one character": (ProjectFilter(q="茶"), Position()),
        "search, two characters": (ProjectFilter(q="九龙"), Position()),
        "search, three and more": (ProjectFilter(q="烟草公司"), Position()),
        "search, several words": (ProjectFilter(q="九龙 花园"), Position()),
        "search, a code": (ProjectFilter(q="pv-2025-0012"), Position()),
        "search and stage": (ProjectFilter(q="九龙", stage="survey"), Position()),
        "filter, street": (ProjectFilter(street_id=picked["street"]), Position()),
        "filter, street, by progress": (ProjectFilter(street_id=picked["street"], sort="progress"), Position()),
        "filter, stage": (ProjectFilter(stage="facade"), Position()),
        "filter, behind schedule": (ProjectFilter(behind=True), Position()),
        "filter, behind, most behind first": (ProjectFilter(behind=True, sort="behind"), Position()),
    }
    for sort in SORT_COLUMNS:
        for descending in (False, True):
            criteria = ProjectFilter(sort=sort, descending=descending)
            name = f"{sort} {'desc' if descending else 'asc'}"
            found[f"{name}, first page"] = (criteria, Position())
            found[f"{name}, after the middle"] = (criteria, Position(page=60, after=picked["middle"]))
            found[f"{name}, before the middle"] = (criteria, Position(page=59, before=picked["middle"]))
    return found


def test_search_filters_orders_and_deep_pages_read_the_projects_through_indexes(province):
    """One test for some seventy cases: the projects are inserted and analysed once. First, the
    check itself: a filter on a column without an index (the batch) reads the table."""
    query = sa.select(Project.code).where(Project.batch == "x").order_by(Project.batch).limit(50)
    statement = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = db.session.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}").scalar()
    assert project_scans((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])[0][0] == "Seq Scan"

    wide = {name: reads for name, (criteria, position) in cases(province).items()
            if (reads := wide_reads(criteria, position))}
    assert wide == {}
