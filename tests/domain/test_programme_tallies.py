"""The programme tallies the database keeps (renovation/models/programme_tallies.py): after any write
— a stage changed in the app, a ledger-style change of households and budget, bulk inserts, updates
and deletes by SQL, a project moving to another street, a street renamed, writers at the same
moment — the dashboard's street sums and stage counts read from them are those counted from the
projects and stages themselves."""
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.domain.programme.figures import SUMS, stage_status_counts, street_and_stage_sums
from renovation.domain.stages.keys import DONE, STAGE_ORDER, Status
from renovation.domain.stages.operations import update_stage
from renovation.domain.stages.schedule import refresh_project_summary, work_begun
from renovation.extensions import db
from renovation.models import Compound, Project, Stage, StageTally, Street, StreetDeadlineDay, StreetTally
from tests.conftest import count_statements, make_area, make_project, make_user, revision_before


@pytest.fixture
def city(app):
    """Two projects in 桂林街道, one in 菁城街道."""
    return {"railway": make_project("ZP-2026-001", "铁路二段生活小区", "铁路社区", households=120),
            "grain": make_project("ZP-2026-002", "粮食局宿舍", "和平社区", households=64,
                                  start=today() - timedelta(days=200)),
            "west": make_project("ZP-2026-003", "农机公司宿舍区", "西园社区", street="菁城街道", households=48)}


def counted_streets(on) -> dict[str, dict]:
    """Each street's sums counted from its projects and their stages, as the dashboard shows them."""
    found: dict[str, dict] = {}
    for project in db.session.scalars(sa.select(Project)):
        name = project.compound.community.street.name
        sums = found.setdefault(name, dict.fromkeys(SUMS, 0) | {"investment_planned": Decimal(0),
                                                              "investment_completed": Decimal(0)})
        done = project.current_stage == DONE
        sums["projects"] += 1
        sums["started"] += project.started  # derived from the stages by the app, as current_stage is
        sums["completed"] += done
        sums["households"] += project.households
        sums["households_completed"] += project.households if done else 0
        sums["investment_planned"] += project.budget_total
        sums["investment_completed"] += project.investment_completed or 0
        sums["progress_sum"] += project.progress
        sums["behind"] += project.next_deadline is not None and project.next_deadline < on
    return found


def counted_stages() -> dict[str, dict[str, int]]:
    counts = {key.value: {status.value: 0 for status in Status} for key in STAGE_ORDER}
    for stage in db.session.scalars(sa.select(Stage)):
        counts[stage.key][stage.status] += 1
    return counts


def assert_tallies_match(on=None):
    db.session.expire_all()
    on = on or today()
    streets, current = street_and_stage_sums(on)
    assert {row["name"]: {key: row[key] for key in SUMS} for row in streets} == counted_streets(on)
    projects = list(db.session.scalars(sa.select(Project)))
    assert current == {key.value: sum(p.current_stage == key.value for p in projects) for key in STAGE_ORDER} | {
        DONE: sum(p.current_stage == DONE for p in projects)}
    assert stage_status_counts() == counted_stages()
    for table, column in ((StreetTally, StreetTally.projects), (StreetDeadlineDay, StreetDeadlineDay.projects),
                          (StageTally, StageTally.stages)):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table).where(column == 0)) == 0, \
            f"a key without rows keeps no row in {table.__tablename__}"


def _stage(project, key):
    return db.session.scalar(sa.select(Stage).where(Stage.project_id == project.id, Stage.key == key))


def test_the_apps_stage_changes_keep_the_tallies(city):
    engineer = make_user()
    assert_tallies_match()
    survey = _stage(city["railway"], "survey")
    update_stage(city["railway"], "survey", engineer, {"status": "completed", "percent": 100,
                                                       "actual_start": today() - timedelta(days=20),
                                                       "actual_end": today()}, survey.version)
    assert_tallies_match()
    rain = _stage(city["railway"], "rain_sewage")
    update_stage(city["railway"], "rain_sewage", engineer, {"status": "in_progress", "percent": 30,
                                                            "actual_start": today()}, rain.version)
    assert_tallies_match()
    gulin = next(row for row in street_and_stage_sums(today())[0] if row["name"] == "桂林街道")
    assert (gulin["projects"], gulin["started"], gulin["households"]) == (2, 1, 184)
    assert all(project.started == work_begun(project.stages) for project in db.session.scalars(sa.select(Project)))


def test_behind_follows_the_day_without_a_write(city):
    deadline = city["railway"].next_deadline
    for on in (deadline, deadline + timedelta(days=1), today() + timedelta(days=400)):
        assert_tallies_match(on)
    gulin = {row["name"]: row for row in street_and_stage_sums(deadline + timedelta(days=1))[0]}["桂林街道"]
    assert gulin["behind"] >= 1


def test_bulk_inserts_updates_and_deletes_by_sql_keep_the_tallies(city):
    db.session.execute(sa.update(Project).where(Project.id == city["grain"].id)
                       .values(households=70, budget_social=Decimal("12.34"), investment_completed=Decimal("56.78"),
                               progress=45, current_stage="facade", started=True, next_deadline=today()))
    db.session.execute(sa.update(Stage).where(Stage.project_id == city["west"].id, Stage.key == "survey")
                       .values(status="completed"))
    db.session.execute(sa.update(Stage).where(Stage.project_id == city["west"].id, Stage.key == "rain_sewage")
                       .values(status="suspended"))
    db.session.commit()
    assert_tallies_match()
    db.session.execute(sa.update(Project).values(responsible_engineer="陈明"))  # counts nothing: no tally row locked
    db.session.commit()
    assert_tallies_match()
    db.session.execute(sa.delete(Stage).where(Stage.project_id == city["west"].id, Stage.key == "acceptance"))
    db.session.commit()
    assert_tallies_match()


def test_a_project_moving_street_and_a_street_renamed_take_their_shares_along(city):
    # A ledger import moves the project to a compound of another street's community.
    project = db.session.get(Project, city["grain"].id)
    project.compound = Compound(name="粮食局宿舍", community=make_area("菁城街道", "西园社区"))
    db.session.commit()
    assert_tallies_match()
    street = db.session.scalar(sa.select(Street).where(Street.name == "菁城街道"))
    street.name = "菁城街道办事处"
    db.session.commit()
    assert_tallies_match()
    assert set(db.session.scalars(sa.select(StageTally.street_name).distinct())) == {"桂林街道", "菁城街道办事处"}


@pytest.mark.postgresql
def test_a_write_that_changes_nothing_counted_waits_for_no_tally(city):
    """Every tally row held by another transaction: an engineer's or contractor's change to a
    project, or a stage's note, still goes through at once (only counted changes lock a tally)."""
    project_id, stage_id = city["railway"].id, _stage(city["railway"], "facade").id
    db.session.commit()
    with db.engine.connect() as holder:
        for table in ("street_tally", "street_deadline_day", "stage_tally"):
            holder.execute(sa.text(f"SELECT 1 FROM {table} FOR UPDATE"))
        with db.engine.connect() as writer:
            writer.execute(sa.text("SET lock_timeout = '2s'"))
            writer.execute(sa.update(Project).where(Project.id == project_id)
                           .values(contractor="龙岩市政工程有限公司", updated_at=sa.func.now()))
            writer.execute(sa.update(Stage).where(Stage.id == stage_id).values(note="脚手架已搭设"))
            writer.commit()
            writer.execute(sa.text("SET lock_timeout = '200ms'"))
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):  # a counted change must wait
                writer.execute(sa.update(Project).where(Project.id == project_id).values(households=121))
            writer.rollback()
        holder.rollback()
    assert_tallies_match()


def test_writers_at_the_same_moment_all_count(city):
    """Eight connections change stages of projects of the same street at once: every addition to
    the same tally rows counts (on PostgreSQL they queue on the row; SQLite takes turns)."""
    engine = db.engine
    stage_ids = [_stage(city[name], key).id for name in ("railway", "grain") for key in ("survey", "rain_sewage",
                                                                                          "facade", "paving")]
    start = threading.Barrier(8)
    failures = []

    def write(worker):
        try:
            start.wait(10)
            for status in ("in_progress", "completed", "suspended", "in_progress"):
                with engine.begin() as connection:
                    connection.execute(sa.update(Stage).where(Stage.id == stage_ids[worker]).values(status=status))
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert stage_status_counts() == counted_stages()
    assert stage_status_counts()["facade"]["in_progress"] == 2


def test_the_dashboards_figures_are_two_queries_of_the_tallies(city):
    with count_statements() as statements:
        street_and_stage_sums(today())
        stage_status_counts()
    assert len(statements) == 2
    assert all(" project " not in f"{statement} " and " stage " not in f"{statement} " for statement in statements)


@pytest.mark.slow
def test_the_migration_fills_the_tallies_and_started_from_the_projects_there_are(city):
    from flask_migrate import downgrade, upgrade

    west_id = city["west"].id
    db.session.execute(sa.update(Stage).where(Stage.project_id == west_id, Stage.key == "facade")
                       .values(status="in_progress"))
    db.session.commit()
    db.session.remove()  # no open transaction may hold the tables while they are altered
    downgrade(revision=revision_before("c8e2f4a6b913"))
    assert "street_tally" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    west = db.session.get(Project, west_id)
    assert west.started is True
    refresh_project_summary(west)  # the rest of the summary as the app keeps it
    db.session.commit()
    assert_tallies_match()
