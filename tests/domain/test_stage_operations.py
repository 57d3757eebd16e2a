"""Changing a stage (renovation.domain.stages.operations.update_stage): all or nothing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renovation.domain.clock import today
from renovation.domain.stages.operations import StageConflict, StageRuleViolation, update_stage
from renovation.extensions import db
from renovation.models import AuditEntry, Project, Stage, StageEvent

TODAY = today()


# ``project`` (conftest) started 30 days ago: its survey, planned to start then, has not
# started, so the project is 30 days behind.


def stored_stage(project_id, key):
    """The stage as saved, read on a connection of its own (nothing pending in the session)."""
    with db.engine.connect() as connection:
        return connection.execute(
            sa.select(Stage.__table__).where(Stage.project_id == project_id, Stage.key == key)
        ).one()


def stored_project(project_id):
    with db.engine.connect() as connection:
        query = sa.select(Project.__table__).where(Project.id == project_id)
        return connection.execute(query).one()


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def start_survey(project, user, seen_version=1, **changes):
    values = {"status": "in_progress", "percent": 20, "actual_start": TODAY - timedelta(days=3)}
    return update_stage(project, "survey", user, {**values, **changes}, seen_version, today=TODAY)


# --- a successful change -------------------------------------------------------------------

def test_update_saves_the_stage_and_bumps_its_version(project, engineer):
    start_survey(project, engineer)
    saved = stored_stage(project.id, "survey")
    assert (saved.status, saved.percent) == ("in_progress", 20)
    assert saved.actual_start == TODAY - timedelta(days=3)
    assert saved.version == 2
    assert saved.updated_by_id == engineer.id and saved.updated_at is not None


def test_update_writes_the_history_with_old_and_new_values(project, engineer):
    start_survey(project, engineer)
    event = db.session.scalars(sa.select(StageEvent)).one()
    assert (event.project_id, event.stage_key, event.user_id) == (project.id, "survey", engineer.id)
    assert event.changes == [
        {"field": "status", "old": "not_started", "new": "in_progress"},
        {"field": "percent", "old": 0, "new": 20},
        {"field": "actual_start", "old": None, "new": (TODAY - timedelta(days=3)).isoformat()},
    ]
    assert event.note == ""


def test_a_changed_note_is_kept_on_the_history_entry(project, engineer):
    start_survey(project, engineer, note="入户走访已开始。")
    assert db.session.scalars(sa.select(StageEvent)).one().note == "入户走访已开始。"


def test_update_is_audited(project, engineer):
    start_survey(project, engineer)
    updates = sa.select(AuditEntry).where(AuditEntry.action == "stage.update")
    entry = db.session.scalars(updates).one()
    assert (entry.user_id, entry.target_type) == (engineer.id, "project")
    assert entry.target_id == "ZP-2026-001"
    assert entry.details["stage"] == "survey"
    changed = {change["field"] for change in entry.details["changes"]}
    assert changed == {"status", "percent", "actual_start"}


def test_update_refreshes_the_project_summary(project, engineer):
    before = stored_project(project.id)
    assert (before.progress, before.current_stage) == (0, "survey")
    assert before.next_deadline == TODAY - timedelta(days=30)  # the survey should have started

    start_survey(project, engineer)
    after = stored_project(project.id)
    assert (after.progress, after.current_stage) == (4, "survey")  # 20 / 5
    # The survey is under way (due in 60 days); rain/sewage is due to start in 30 days.
    assert after.next_deadline == TODAY + timedelta(days=30)

    update_stage(project, "survey", engineer,
                 {"status": "completed", "percent": 100, "actual_end": TODAY}, 2, today=TODAY)
    after = stored_project(project.id)
    assert (after.progress, after.current_stage) == (20, "rain_sewage")


def test_saving_without_a_change_writes_no_history(project, engineer):
    unchanged = {"status": "not_started", "percent": 0}
    update_stage(project, "survey", engineer, unchanged, 1, today=TODAY)
    assert stored_stage(project.id, "survey").version == 1
    assert count(StageEvent) == 0
    assert count(AuditEntry) == 1  # only the creation of the engineer's account


def test_versions_move_on_with_each_save(project, engineer):
    start_survey(project, engineer)
    start_survey(project, engineer, seen_version=2, percent=50)
    assert stored_stage(project.id, "survey").percent == 50
    assert stored_stage(project.id, "survey").version == 3
    assert count(StageEvent) == 2


# --- refusals leave everything as it was ---------------------------------------------------

def assert_nothing_saved(project_id):
    saved = stored_stage(project_id, "survey")
    assert (saved.status, saved.percent, saved.actual_start) == ("not_started", 0, None)
    assert saved.version == 1
    summary = stored_project(project_id)
    assert (summary.progress, summary.current_stage) == (0, "survey")
    assert count(StageEvent) == 0
    assert count(AuditEntry) == 1  # only the creation of the engineer's account
    # Nothing left pending either, for a later commit to save by accident.
    assert not db.session.dirty and not db.session.new


def test_stale_version_is_a_conflict(project, engineer):
    with pytest.raises(StageConflict) as raised:
        start_survey(project, engineer, seen_version=0)
    assert raised.value.current.version == 1
    assert_nothing_saved(project.id)


def test_rule_violation_is_refused_with_the_fields(project, engineer):
    with pytest.raises(StageRuleViolation) as raised:
        start_survey(project, engineer, percent=100)
    assert set(raised.value.errors) == {"percent"}
    assert_nothing_saved(project.id)


def test_starting_construction_before_the_survey_is_refused(project, engineer):
    changes = {"status": "in_progress", "percent": 10, "actual_start": TODAY}
    with pytest.raises(StageRuleViolation) as raised:
        update_stage(project, "facade", engineer, changes, 1, today=TODAY)
    assert set(raised.value.errors) == {"status"}
    assert stored_stage(project.id, "facade").status == "not_started"
    assert count(StageEvent) == 0


def test_acceptance_refusal_outside_a_request(project, engineer):
    """A script (no request, so no language chosen yet) gets the refusal, not a crash."""
    changes = {"status": "in_progress", "percent": 10, "actual_start": TODAY}
    with pytest.raises(StageRuleViolation) as raised:
        update_stage(project, "acceptance", engineer, changes, 1, today=TODAY)
    assert set(raised.value.errors) == {"status"}


def test_actual_date_in_the_future_is_refused(project, engineer):
    with pytest.raises(StageRuleViolation) as raised:
        start_survey(project, engineer, actual_start=TODAY + timedelta(days=1))
    assert set(raised.value.errors) == {"actual_start"}
    assert_nothing_saved(project.id)


# --- concurrent edits ----------------------------------------------------------------------

def test_change_saved_behind_our_back_is_a_conflict_not_an_overwrite(project, engineer):
    survey = project.stage("survey")
    assert survey.version == 1  # loaded: the form shows version 1
    with db.engine.begin() as other:
        other.execute(sa.update(Stage.__table__)
                      .where(Stage.id == survey.id)
                      .values(note="另一位工程师的记录", version=Stage.version + 1))

    with pytest.raises(StageConflict) as raised:
        start_survey(project, engineer, seen_version=1)

    saved = stored_stage(project.id, "survey")
    assert (saved.note, saved.status, saved.version) == ("另一位工程师的记录", "not_started", 2)
    # The conflict carries the stage as now saved, for the form to show.
    assert (raised.value.current.version, raised.value.current.note) == (2, "另一位工程师的记录")
    assert count(StageEvent) == 0
    updates = sa.select(AuditEntry).where(AuditEntry.action == "stage.update")
    assert db.session.scalars(updates).all() == []


def test_two_engineers_editing_the_same_stage(project, engineer):
    mine = db.session.get(Project, project.id)
    assert mine.stage("survey").version == 1

    with Session(db.engine) as theirs:
        their_project = theirs.get(Project, project.id)
        their_project.stage("survey").percent = 0
        their_project.stage("survey").note = "问卷已发放。"
        theirs.commit()

    with pytest.raises(StageConflict):
        start_survey(mine, engineer, seen_version=1)
    saved = stored_stage(project.id, "survey")
    assert (saved.note, saved.status, saved.version) == ("问卷已发放。", "not_started", 2)

    # Reloaded at version 2, the engineer can save on top of the colleague's note.
    start_survey(mine, engineer, seen_version=2)
    saved = stored_stage(project.id, "survey")
    assert (saved.note, saved.status, saved.version) == ("问卷已发放。", "in_progress", 3)


def test_cross_stage_rules_hold_when_two_engineers_save_at_once(app):
    """One engineer reopens rain/sewage separation while another completes paving: the second
    save waits for the first and is then checked against it, so both cannot pass."""
    import threading
    import time

    from sqlalchemy.orm import sessionmaker

    from renovation.domain.stages.operations import StageRuleViolation, update_stage
    from renovation.models import Project, Stage
    from tests.conftest import days_ago, make_project, make_user

    done = {"status": "completed", "percent": 100, "actual_start": days_ago(90), "actual_end": days_ago(60)}
    project = make_project(stages={
        "survey": done, "rain_sewage": done, "facade": done,
        "paving": {"status": "in_progress", "percent": 90, "actual_start": days_ago(30)},
    })
    engineer = make_user()
    paving_version = project.stage("paving").version
    other = sessionmaker(bind=db.engine)()
    started = threading.Event()

    def reopen_pipes():
        with other.begin():
            other.execute(sa.update(Project).where(Project.id == project.id).values(updated_at=Project.updated_at))
            other.execute(sa.update(Stage).where(Stage.project_id == project.id, Stage.key == "rain_sewage")
                          .values(status="in_progress", percent=80, actual_end=None, version=Stage.version + 1))
            started.set()
            time.sleep(0.5)
        other.close()

    thread = threading.Thread(target=reopen_pipes)
    thread.start()
    started.wait(5)
    with pytest.raises(StageRuleViolation):
        update_stage(project, "paving", engineer,
                     {"status": "completed", "percent": 100, "actual_end": days_ago(1)}, paving_version)
    thread.join()
    db.session.rollback()
    assert db.session.scalar(sa.select(Stage.status).where(Stage.project_id == project.id,
                                                           Stage.key == "paving")) == "in_progress"


def _at_once(app, *writes):
    """Run each ``write(project)`` in a thread of its own, with its own app context and session
    (as two requests are), started together: how each ended (saved, conflict or refused, with the
    stage's key, version and note as the writer saw them)."""
    import threading

    from renovation.domain.project_list import project_by_code

    start, outcomes = threading.Barrier(len(writes)), [None] * len(writes)

    def run(index, write):
        with app.app_context():
            project = project_by_code("ZP-2026-001")
            start.wait(10)
            try:
                stage = write(project)
                outcomes[index] = ("saved", stage.key, stage.version, stage.note)
            except StageConflict as conflict:
                outcomes[index] = ("conflict", conflict.current.key, conflict.current.version, conflict.current.note)
            except StageRuleViolation as violation:
                outcomes[index] = ("refused", sorted(violation.errors))
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, write)) for index, write in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_the_same_version_saved_twice_at_once_is_one_save_and_one_conflict(app, project, engineer):
    """Two engineers save the same stage at the same moment from the same version: one is saved,
    the other is a conflict carrying the stage as the first saved it (a 409 for its request)."""
    outcomes = sorted(_at_once(app, lambda mine: start_survey(mine, engineer, note="甲的记录"),
                               lambda mine: start_survey(mine, engineer, note="乙的记录")))
    saved = stored_stage(project.id, "survey")
    assert [outcome[0] for outcome in outcomes] == ["conflict", "saved"], outcomes
    assert outcomes[0][1:] == outcomes[1][1:] == ("survey", 2, saved.note) and saved.version == 2
    assert count(StageEvent) == 1


def test_cross_stage_rules_hold_between_two_real_saves_at_once(app, engineer):
    """One engineer completes paving while another reopens rain/sewage separation, both through
    update_stage at the same moment: whatever order they take, paving is never left completed on
    top of pipes that are not."""
    from tests.conftest import days_ago, make_project

    done = {"status": "completed", "percent": 100, "actual_start": days_ago(90), "actual_end": days_ago(60)}
    make_project(stages={"survey": done, "rain_sewage": done, "facade": done,
                         "paving": {"status": "in_progress", "percent": 90, "actual_start": days_ago(30)}})
    outcomes = _at_once(
        app,
        lambda mine: update_stage(mine, "paving", engineer, {"status": "completed", "percent": 100,
                                                             "actual_end": days_ago(1)}, 1),
        lambda mine: update_stage(mine, "rain_sewage", engineer, {"status": "in_progress", "percent": 80,
                                                                  "actual_end": None}, 1))
    assert {outcome[0] for outcome in outcomes} <= {"saved", "refused"}, outcomes
    paving, pipes = stored_stage(1, "paving"), stored_stage(1, "rain_sewage")
    assert not (paving.status == "completed" and pipes.status != "completed"), (paving.status, pipes.status)
