"""The demand tallies the database keeps (renovation/models/demand_tallies.py): after any write —
the app's operations, bulk inserts, SQL by hand, a project or a compound changing place, writers at
the same moment — a community's and the city's figures read from them are those counted from the
demands themselves."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today, utcnow
from renovation.domain.residents.demand_list import DemandFilter, figures, list_figures
from renovation.domain.residents.demand_tallies import community_and_city_figures, tallied_figures
from renovation.domain.residents.demands import change_demand, raise_demand
from renovation.extensions import db
from renovation.models import (
    CityDemandTally,
    CityOpenDemandDay,
    Community,
    Compound,
    DemandTally,
    OpenDemandDay,
    Project,
    Street,
)
from renovation.models.consultations import Demand
from tests.conftest import count_statements, days_ago, make_area, make_project, make_user, revision_before


@pytest.fixture
def city(app):
    """Two projects in 铁路社区, one in 和平社区, one in 西园社区 (another street)."""
    return {"railway": make_project("ZP-2026-001", "铁路二段生活小区", "铁路社区"),
            "railway2": make_project("ZP-2026-002", "粮食局宿舍", "铁路社区"),
            "peace": make_project("ZP-2026-003", "新华新村", "和平社区"),
            "west": make_project("ZP-2026-004", "农机公司宿舍区", "西园社区", street="菁城街道")}


def assert_tallies_match_the_demands(on=None):
    """Every community's figures and the city's, tallied and counted, on ``on`` (overdue moves with the day)."""
    db.session.expire_all()
    on = on or today()
    city = figures(DemandFilter(), on)
    for community_id in db.session.scalars(sa.select(Community.id)):
        counted = figures(DemandFilter(community_id=community_id), on)
        assert tallied_figures(community_id, on) == counted, community_id
        assert community_and_city_figures(community_id, on) == (counted, city), community_id
    assert tallied_figures(None, on) == city
    # the demands list, unfiltered or by place, reads the same figures per community from the tallies
    for street_id in [None, *db.session.scalars(sa.select(Street.id))]:
        listed = list_figures(DemandFilter(street_id=street_id), on)
        assert listed.figures == figures(DemandFilter(street_id=street_id), on), street_id
        assert {community_id: found for _name, community_id, found in listed.by_community} == {
            community_id: figures(DemandFilter(community_id=community_id), on)
            for community_id in db.session.scalars(sa.select(Community.id).where(
                Community.id.in_(sa.select(Compound.community_id).join(Project).join(Demand)),
                street_id is None or Community.street_id == street_id))}, street_id
        # the list's page ranks the communities in the database and keeps the first few: the same
        for shown in (1, 2, 50):
            ranked = list_figures(DemandFilter(street_id=street_id), on, communities_shown=shown)
            assert ranked.figures == listed.figures and ranked.communities == len(listed.by_community), shown
            assert ranked.by_community == listed.by_community[:shown], shown
    assert db.session.scalar(sa.select(sa.func.count()).where(OpenDemandDay.demands == 0)) == 0, \
        "a day without open demands keeps no row"
    assert db.session.scalar(sa.select(sa.func.count()).where(DemandTally.demands == 0)) == 0, \
        "a status without demands keeps no row"
    for table in (CityDemandTally, CityOpenDemandDay):
        assert db.session.scalar(sa.select(sa.func.count()).where(table.demands == 0)) == 0, table.__tablename__


def _raise(project, user, days, category="parking"):
    return raise_demand(project, user, {"category": category, "text": "希望增设停车位", "raised_by": "3号楼",
                                        "raised_on": days_ago(days)})


def _demand_row(project_id, status, raised_days, closed_days=None):
    now = utcnow()
    closed_on = days_ago(closed_days) if closed_days is not None else None
    return {"project_id": project_id, "category": "drainage", "text": "雨天积水", "raised_by": "", "status": status,
            "raised_on": days_ago(raised_days), "resolved_on": closed_on,
            "response": "已处理" if status == "resolved" else "", "reason": "超出范围" if status == "declined" else "",
            "assignee": "", "created_at": now, "updated_at": now, "version": 1}


def test_the_apps_writes_keep_the_tallies(city):
    engineer = make_user()
    assert tallied_figures() == figures(DemandFilter())  # nothing yet: zeros, no average
    first = _raise(city["railway"], engineer, 40)
    second = _raise(city["railway2"], engineer, 3)
    third = _raise(city["peace"], engineer, 20)
    assert_tallies_match_the_demands()
    change_demand(first, engineer, {"status": "in_progress", "assignee": "施工单位"}, first.version)
    change_demand(first, engineer, {"status": "resolved", "response": "已增设"}, first.version)
    change_demand(third, engineer, {"status": "declined", "reason": "超出改造范围"}, third.version)
    change_demand(second, engineer, {"assignee": "社区居委会"}, second.version)  # no count changes
    assert_tallies_match_the_demands()
    railway = tallied_figures(city["railway"].compound.community_id)
    assert (railway.received, railway.resolved, railway.open, railway.average_days_to_resolve) == (2, 1, 1, 40.0)
    city_wide = tallied_figures()
    assert (city_wide.received, city_wide.declined, city_wide.overdue) == (3, 1, 0)


def test_overdue_follows_the_day_without_a_write(city):
    engineer = make_user()
    _raise(city["railway"], engineer, 15)  # 15 days: not yet overdue, tomorrow it is
    community_id = city["railway"].compound.community_id
    assert tallied_figures(community_id).overdue == 0
    assert tallied_figures(community_id, today() + timedelta(days=1)).overdue == 1
    for on in (today(), today() + timedelta(days=1), today() + timedelta(days=30)):
        assert_tallies_match_the_demands(on)


def test_bulk_inserts_updates_and_deletes_by_sql_keep_the_tallies(city):
    rows = [_demand_row(city[name].id, status, raised, closed)
            for name in ("railway", "railway2", "peace", "west")
            for status, raised, closed in (("pending", 30, None), ("in_progress", 2, None), ("in_progress", 30, None),
                                           ("resolved", 25, 5), ("resolved", 9, 9), ("resolved", 60, None),
                                           ("declined", 12, 1))]
    db.session.execute(sa.insert(Demand), rows)
    db.session.commit()
    assert_tallies_match_the_demands()
    db.session.execute(sa.update(Demand).where(Demand.status == "pending")
                       .values(status="resolved", resolved_on=today(), response="已处理"))
    db.session.execute(sa.update(Demand).where(Demand.raised_on == days_ago(2)).values(raised_on=days_ago(45)))
    db.session.execute(sa.update(Demand).where(Demand.project_id == city["west"].id, Demand.status == "declined")
                       .values(project_id=city["railway"].id))
    db.session.commit()
    assert_tallies_match_the_demands()
    db.session.execute(sa.delete(Demand).where(Demand.project_id == city["railway2"].id))
    db.session.execute(sa.delete(Demand).where(Demand.status == "in_progress", Demand.project_id == city["peace"].id))
    db.session.commit()
    assert_tallies_match_the_demands()


def test_a_project_or_a_compound_changing_place_takes_its_demands_along(city):
    db.session.execute(sa.insert(Demand), [
        _demand_row(city["railway2"].id, status, 20, 3 if status == "resolved" else None)
        for status in ("pending", "resolved", "in_progress")])
    db.session.commit()
    # A ledger import moves the project to a compound of another community.
    project = db.session.get(Project, city["railway2"].id)
    project.compound = Compound(name="粮食局宿舍", community=make_area("桂林街道", "和平社区"))
    db.session.commit()
    assert_tallies_match_the_demands()
    # A compound moved to another community, by hand.
    db.session.execute(sa.update(Compound).where(Compound.id == project.compound_id)
                       .values(community_id=make_area("菁城街道", "西园社区").id))
    db.session.commit()
    assert_tallies_match_the_demands()
    west = tallied_figures(city["west"].compound.community_id)
    assert (west.received, west.open, west.resolved) == (3, 2, 1)


def test_writers_at_the_same_moment_all_count(city):
    """Eight connections raise and close demands of the same community at once: every addition to
    the same tally rows counts (on PostgreSQL they queue on the row; SQLite takes turns)."""
    engine = db.engine
    project_ids = [city["railway"].id, city["railway2"].id]
    start = threading.Barrier(8)
    failures = []

    def write(worker):
        try:
            start.wait(10)
            for round_ in range(5):
                with engine.begin() as connection:
                    new_id = connection.execute(sa.insert(Demand).returning(Demand.id),
                                                [_demand_row(project_ids[worker % 2], "pending", round_ + 10)]).scalar()
                    if round_ % 2:
                        connection.execute(sa.update(Demand).where(Demand.id == new_id)
                                           .values(status="resolved", resolved_on=today(), response="已处理"))
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert_tallies_match_the_demands()
    railway = tallied_figures(city["railway"].compound.community_id)
    assert (railway.received, railway.resolved) == (40, 16)


def test_the_tallies_are_a_few_rows_whatever_the_number_of_demands(city):
    db.session.execute(sa.insert(Demand), [_demand_row(city["peace"].id, "resolved", 30, 10)] * 500
                       + [_demand_row(city["peace"].id, "pending", 3)] * 500)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DemandTally)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OpenDemandDay)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CityDemandTally)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CityOpenDemandDay)) == 1
    assert_tallies_match_the_demands()
    for criteria in (DemandFilter(), DemandFilter(street_id=city["peace"].compound.community.street_id),
                     DemandFilter(community_id=city["peace"].compound.community_id, sort="newest")):
        with count_statements() as statements:
            listed = list_figures(criteria)
        assert listed.figures.received == 1000
        assert len(statements) == 1 and " demand " not in f"{statements[0]} ", "the list's figures read no demand"


@pytest.mark.slow
def test_the_migration_fills_the_tallies_from_the_demands_there_are(city):
    from flask_migrate import downgrade, upgrade

    db.session.execute(sa.insert(Demand), [_demand_row(city[name].id, status, 20, 4 if status == "resolved" else None)
                                           for name in ("railway", "peace") for status in ("pending", "resolved")])
    db.session.commit()
    db.session.remove()  # no open transaction may hold the tables while they are altered
    downgrade(revision=revision_before("5e0c7a9b3d21"))
    assert "demand_tally" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    assert_tallies_match_the_demands()
    assert tallied_figures().received == 4


def test_a_projects_page_counts_its_own_demands_as_the_database_does(city):
    """The project's own figures come from the demands its page loads (demand_list.figures_of_demands)."""
    from renovation.domain.residents.project_demands import figures_of_demands, project_demands

    project = city["railway"]
    kinds = (("pending", 15, None), ("pending", 16, None), ("in_progress", 40, None), ("resolved", 25, 5),
             ("resolved", 9, 9), ("resolved", 60, None), ("declined", 12, 1), ("declined", 3, None))
    db.session.execute(sa.insert(Demand), [_demand_row(project.id, *kind) for kind in kinds])
    db.session.commit()
    loaded = project_demands(project)
    assert [demand.status for demand in loaded][:3] == ["in_progress", "pending", "pending"]  # open, oldest first
    for on in (today(), today() + timedelta(days=1)):
        assert figures_of_demands(loaded, on) == figures(DemandFilter(project_id=project.id), on)
    assert figures_of_demands([]) == figures(DemandFilter(project_id=city["west"].id))
