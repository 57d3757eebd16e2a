"""A project's page costs the same in a small city and in a large one (issue 13): the same
statements, none of which reads a whole table of the city's projects, stages, demands,
consultations or photos, and figures that are right at both sizes."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain.clock import utcnow
from renovation.domain.residents.consultations import add_consultation
from renovation.domain.residents.demand_list import DemandFilter, figures
from renovation.domain.residents.demands import change_demand, raise_demand
from renovation.domain.stages.operations import update_stage
from renovation.extensions import db
from renovation.models import Compound, Consultation, Demand, Photo, Project, Stage, StageEvent
from tests.conftest import days_ago, login, make_area, make_project, make_user

CODE = "ZP-2026-001"
# The tables that grow with the city; reading any of them whole would make the page grow too.
CITY_TABLES = {"project", "compound", "stage", "stage_event", "demand", "demand_event", "consultation", "vote",
               "photo", "photo_pair", "audit_entry"}


def _copyable(table):
    return [column for column in table.columns if column.computed is None]


def add_projects(count: int) -> None:
    """``count`` more projects in bulk, copies of ZP-2026-001's rows in compounds of their own spread
    over three communities (its own among them), each with its stages, its history, two
    consultations and three demands (pending, in progress, resolved)."""
    first = db.session.get(Project, 1)
    communities = [make_area("桂林街道", "铁路社区").id, make_area("桂林街道", "和平社区").id,
                   make_area("菁城街道", "西园社区").id]
    tables = {model: model.__table__ for model in (Compound, Project, Stage, StageEvent, Consultation, Demand)}
    whose = {Compound: tables[Compound].c.id == first.compound_id, Project: tables[Project].c.id == first.id}
    rows = {model: [dict(row._mapping) for row in db.session.execute(
        sa.select(*_copyable(table)).where(whose.get(model, table.c.get("project_id") == first.id)))]
        for model, table in tables.items()}
    next_ids = {model: (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
                for model, table in tables.items()}
    made = {model: [] for model in tables}
    now = utcnow()
    for number in range(count):
        compound_id = next_ids[Compound] + number
        project_id = next_ids[Project] + number
        made[Compound].append({"id": compound_id, "name": f"扩展小区{number}", "community_id": communities[number % 3]})
        made[Project].append({**rows[Project][0], "id": project_id, "code": f"ZX-{number:05d}",
                              "compound_id": compound_id})
        made[Stage] += [{**stage, "id": None, "project_id": project_id} for stage in rows[Stage]]
        made[StageEvent] += [{**event, "id": None, "project_id": project_id} for event in rows[StageEvent]]
        made[Consultation] += [{**consultation, "id": None, "project_id": project_id}
                               for consultation in rows[Consultation]]
        for status, age in (("pending", 40), ("in_progress", 5), ("resolved", 30)):
            made[Demand].append({"project_id": project_id, "category": "parking", "text": "希望增设停车位",
                                 "raised_by": "", "raised_on": days_ago(age), "status": status, "response": "",
                                 "reason": "", "assignee": "", "version": 1, "created_at": now, "updated_at": now,
                                 "resolved_on": days_ago(age - 10) if status == "resolved" else None})
    for model in (Compound, Project, Stage, StageEvent, Consultation, Demand):
        for row in made[model]:
            if row.get("id") is None:
                row.pop("id", None)
        db.session.execute(sa.insert(tables[model]), made[model])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def page_statements(client, monkeypatch=None):
    """The page's HTML and the statements it sent, each with its parameters."""
    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(f"/projects/{CODE}")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return response.get_data(as_text=True), sent


def whole_table_reads(statements) -> list[str]:
    """The city's tables read whole by any of ``statements`` (with the database's plan; PostgreSQL
    asked to avoid sequential scans, so that one appears only where no index serves)."""
    found = []
    with db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = connection.exec_driver_sql(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement,
                                              parameters).all()
            lines = [row[0] if postgres else row[-1] for row in plan]
            for line in lines:
                scanned = (re.search(r"Seq Scan on (\w+)", line) if postgres
                           else re.match(r"\s*SCAN (\w+)(?! USING (?:COVERING )?INDEX)", line))
                if scanned and scanned.group(1) in CITY_TABLES:
                    found.append(f"{scanned.group(1)}: {' '.join(statement.split())[:120]}")
        if postgres:
            connection.exec_driver_sql("RESET enable_seqscan")
    return found


def _without_figures_and_tokens(html: str) -> str:
    html = re.sub(r'<table class="demand-compare">.*?</table>', "", html, flags=re.S)
    return re.sub(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1", html)


def compared_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table class="demand-compare">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr class.*?</tr>", table, re.S)
    return [re.findall(r"<td[^>]*>(?:<a [^>]*>)?([\d.—]+)", row) for row in rows]


@pytest.fixture
def page_project(app):
    """ZP-2026-001 with what its page shows: stage changes, a consultation, demands (one closed),
    photos; and a project in another community with a demand of its own."""
    engineer = make_user("engineer", "engineer")
    project = make_project(CODE)
    update_stage(project, "survey", engineer, {"status": "in_progress", "percent": 30,
                                               "actual_start": days_ago(20)}, 1)
    add_consultation(project, engineer, {"date": days_ago(18), "kind": "council_meeting", "topic": "改造方案"}, None)
    for age in (25, 3):
        raise_demand(project, engineer, {"category": "lighting", "text": "楼道灯不亮", "raised_by": "3号楼",
                                         "raised_on": days_ago(age)})
    demand = db.session.scalars(sa.select(Demand).order_by(Demand.id)).first()
    change_demand(demand, engineer, {"status": "resolved", "response": "已更换"}, demand.version)
    now = utcnow()
    db.session.execute(sa.insert(Photo), [
        {"project_id": project.id, "stage_key": "survey", "phase": phase, "caption": f"照片{index}",
         "sha256": f"{index:064d}", "content_type": "image/jpeg", "original_filename": f"IMG_{index}.jpg",
         "width": 1200, "height": 1600, "byte_size": 1000, "taken_at": now - timedelta(hours=index),
         "taken_at_source": "exif", "camera_model": "", "uploaded_by_id": engineer.id, "uploaded_at": now}
        for index, phase in enumerate(("before", "during", "after"))])
    other = make_project("ZP-2026-002", "新华新村", "和平社区")
    raise_demand(other, engineer, {"category": "parking", "text": "停车难", "raised_by": "", "raised_on": days_ago(30)})
    db.session.commit()
    return project


def test_a_project_page_sends_the_same_statements_in_a_small_city_and_a_large_one(app, client, page_project):
    login(client)
    small_html, small = page_statements(client)
    add_projects(2000)
    large_html, large = page_statements(client)
    assert len(large) == len(small)
    assert [" ".join(statement.split()) for statement, _ in large] == [" ".join(s.split()) for s, _ in small]
    assert whole_table_reads(large) == []
    # The page shows the same project at both sizes; the city's figures beside it have grown.
    assert _without_figures_and_tokens(small_html) == _without_figures_and_tokens(large_html)
    project_row, community_row, city_row = compared_rows(large_html)
    community_id = page_project.compound.community_id
    for row, counted in ((project_row, figures(DemandFilter(project_id=page_project.id))),
                         (community_row, figures(DemandFilter(community_id=community_id))),
                         (city_row, figures(DemandFilter()))):
        average = counted.average_days_to_resolve
        assert row == [str(counted.received), str(counted.resolved), str(counted.open), str(counted.overdue),
                       "—" if average is None else str(average)]
    assert int(city_row[0]) == 3 + 2000 * 3 and int(community_row[0]) > 2000


def test_the_check_sees_a_whole_table_read(app, page_project):
    """The plan check is not blind: counting every demand is a whole-table read."""
    statement = str(sa.select(sa.func.count(Demand.id)).where(Demand.text.like("%x%"))
                    .compile(db.engine, compile_kwargs={"literal_binds": True}))
    assert whole_table_reads([(statement, ())]) == [f"demand: {' '.join(statement.split())[:120]}"]
