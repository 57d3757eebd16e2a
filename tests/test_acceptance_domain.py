"""竣工验收 in the domain, without HTTP: an acceptance with its representatives and checked items, the
items to rectify it makes, closing them (a photo or a note, the version seen), and the stage rule that
refuses completing acceptance while an item is open or without a residents' representative."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.acceptance import records, rectifications
from renovation.domain.acceptance.facts import completion_facts
from renovation.domain.clock import today
from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import add_content
from renovation.domain.photos.operations import add_photo
from renovation.domain.stages.operations import StageRuleViolation, update_stage
from renovation.domain.stages.rules import (
    COMPLETION_RULES,
    CompletionFacts,
    StageState,
    broken_completion_rules,
)
from renovation.extensions import db
from renovation.models import AuditEntry
from renovation.models.acceptance import AcceptanceRecord, Rectification
from tests.conftest import days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg

DONE = {"status": "completed", "percent": 100, "actual_start": days_ago(200), "actual_end": days_ago(20)}
READY = {key: DONE for key in ("survey", "rain_sewage", "facade", "paving")} | {
    "acceptance": {"status": "in_progress", "percent": 50, "actual_start": days_ago(10)}}
COMPLETE = {"status": "completed", "percent": 100, "actual_end": days_ago(1)}
TWO_REPRESENTATIVES = [{"name": "陈秀英", "represents": "3号楼居民"}, {"name": "王建国", "represents": "5号楼居民"}]


@pytest.fixture
def engineer(app):
    return make_user("engineer", "engineer")


@pytest.fixture
def ready(engineer):
    """A project whose four first stages are completed, acceptance under way, with two content items."""
    catalogue.ensure_default_items()
    project = make_project(stages=READY, start=days_ago(300))
    pipes = add_content(project, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal(1200),
                                            "completed_quantity": Decimal(1200)})
    lifts = add_content(project, engineer, {"item": "elevators", "planned_quantity": Decimal(2),
                                            "completed_quantity": Decimal(2)})
    return project, pipes, lifts


def accept(project, user, checks, representatives=TWO_REPRESENTATIVES, **values):
    return records.record_acceptance(project, user, {
        "accepted_on": days_ago(2), "units": ["contractor", "construction_owner", "supervisor"],
        "representatives": representatives, "checks": checks, "summary": "现场验收", **values})


def complete(project, user):
    return update_stage(project, "acceptance", user, COMPLETE, project.stage("acceptance").version)


def test_the_rules_are_data_and_refuse_only_the_step_to_completed(app):
    assert [rule.key for rule in COMPLETION_RULES] == ["open_rectifications", "residents_present"]
    under_way = StageState(key="acceptance", status="in_progress", percent=50)
    completed = StageState(key="acceptance", status="completed", percent=100)
    broken = broken_completion_rules(under_way, completed, CompletionFacts(open_rectifications=2, representatives=0))
    assert [str(message) for message in broken] == [  # the domain speaks the default language, Chinese
        "竣工验收尚有2项整改事项未完成，整改完毕后方可完成验收。",
        "竣工验收须有居民代表参加：请记录至少有一名居民代表参加的验收。"]
    assert broken_completion_rules(under_way, completed, CompletionFacts(0, 1)) == []
    # a stage completed before stays editable; other stages are not concerned
    assert broken_completion_rules(completed, completed, CompletionFacts(3, 0)) == []
    paving = StageState(key="paving", status="completed", percent=100)
    assert broken_completion_rules(under_way.with_changes(key="paving"), paving, CompletionFacts(3, 0)) == []


def test_an_item_to_rectify_blocks_completion_until_closed_with_a_photo(ready, engineer):
    project, pipes, lifts = ready
    record = accept(project, engineer, [
        {"content_id": pipes.id, "result": "accepted", "note": ""},
        {"content_id": lifts.id, "result": "rectify", "note": "2号电梯井道渗水",
         "deadline": today() + timedelta(days=7), "responsible_unit": "contractor"}])
    assert record.representative_count == 2
    assert [(check.item_name, check.result) for check in record.checks] == [("雨污分流管网", "accepted"),
                                                                           ("加装电梯", "rectify")]
    (item,) = rectifications.rectifications_of(project.id)
    assert (item.description, item.status, item.acceptance_id, item.responsible_unit) == (
        "加装电梯：2号电梯井道渗水", "open", record.id, "contractor")
    assert completion_facts(project.id) == CompletionFacts(open_rectifications=1, representatives=2)

    with pytest.raises(StageRuleViolation) as refused:
        complete(project, engineer)
    assert str(refused.value.errors["status"]) == "竣工验收尚有1项整改事项未完成，整改完毕后方可完成验收。"
    db.session.rollback()
    assert project.stage("acceptance").status == "in_progress"

    photo = add_photo(project, engineer, "整改后.jpg", io.BytesIO(jpeg(seed=7)), "after", "acceptance", "井道已修复")
    rectifications.close_rectification(item, engineer, {"photo_id": photo.id}, item.version)
    assert (item.status, item.photo_id, item.closed_on) == ("closed", photo.id, today())
    assert complete(project, engineer).status == "completed"
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert {"acceptance.record", "rectification.close", "stage.update"} <= set(actions)


def test_no_completion_without_an_acceptance_with_residents(ready, engineer):
    project, pipes, _lifts = ready
    with pytest.raises(StageRuleViolation) as refused:
        complete(project, engineer)
    assert str(refused.value.errors["status"]) == "竣工验收须有居民代表参加：请记录至少有一名居民代表参加的验收。"
    db.session.rollback()
    # an acceptance without representatives does not count; a later one with a count of them does
    accept(project, engineer, [], representatives=[])
    with pytest.raises(StageRuleViolation):
        complete(project, engineer)
    db.session.rollback()
    accept(project, engineer, [], representatives=[{"headcount": 3, "represents": "1-3号楼居民"}],
           accepted_on=days_ago(1))
    assert completion_facts(project.id).representatives == 3
    assert complete(project, engineer).status == "completed"


def test_the_latest_acceptance_counts(ready, engineer):
    project, _pipes, _lifts = ready
    accept(project, engineer, [], accepted_on=days_ago(1))
    accept(project, engineer, [], representatives=[], accepted_on=days_ago(3))  # an earlier attempt, typed later
    assert completion_facts(project.id).representatives == 2
    accept(project, engineer, [], representatives=[], accepted_on=days_ago(0))
    assert completion_facts(project.id).representatives == 0


def test_closing_needs_a_photo_or_a_note_and_the_version_seen(ready, engineer):
    project, _pipes, _lifts = ready
    item = rectifications.add_rectification(project, engineer, {
        "description": "单元门禁未安装", "deadline": today() + timedelta(days=3), "responsible_unit": "contractor"})
    with pytest.raises(rectifications.RectificationRuleViolation) as refused:
        rectifications.close_rectification(item, engineer, {"note": "  "}, item.version)
    assert refused.value.errors == {"note": "整改事项销项须附整改后照片或说明。"}
    other = make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区")
    photo = add_photo(other, engineer, "别处.jpg", io.BytesIO(jpeg(seed=3)), "after", None, "")
    with pytest.raises(rectifications.RectificationRuleViolation) as refused:
        rectifications.close_rectification(item, engineer, {"photo_id": photo.id}, item.version)
    assert "photo_id" in refused.value.errors
    with pytest.raises(rectifications.RectificationConflict):
        rectifications.close_rectification(item, engineer, {"note": "已安装"}, item.version - 1)
    db.session.refresh(item)
    assert item.status == "open"
    rectifications.close_rectification(item, engineer, {"note": "已安装门禁"}, item.version)
    with pytest.raises(rectifications.RectificationRuleViolation):
        rectifications.close_rectification(item, engineer, {"note": "again"}, item.version)


@pytest.mark.parametrize("values, field", [
    ({"accepted_on": None}, "accepted_on"),
    ({"accepted_on": today() + timedelta(days=1)}, "accepted_on"),
    ({"units": ["mayor"]}, "units"),
    ({"representatives": [{"name": "陈秀英", "represents": ""}]}, "representatives"),
    ({"representatives": [{"name": "", "headcount": 0, "represents": "3号楼居民"}]}, "representatives"),
    ({"representatives": [{"name": "陈秀英", "headcount": 4, "represents": "3号楼居民"}]}, "representatives"),
])
def test_a_bad_acceptance_is_refused_with_nothing_saved(ready, engineer, values, field):
    project, _pipes, _lifts = ready
    with pytest.raises(records.AcceptanceRuleViolation) as refused:
        accept(project, engineer, [], **values)
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count(AcceptanceRecord.id))) == 0


def test_an_item_to_rectify_needs_what_is_wrong_and_checks_belong_to_the_project(ready, engineer):
    project, pipes, _lifts = ready
    with pytest.raises(records.AcceptanceRuleViolation) as refused:
        accept(project, engineer, [{"content_id": pipes.id, "result": "rectify", "note": ""}])
    assert refused.value.errors == {f"check_{pipes.id}": "请填写需整改的内容。"}
    other = make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区")
    foreign = add_content(other, engineer, {"item": "parking", "planned_quantity": Decimal(10)})
    with pytest.raises(records.AcceptanceRuleViolation) as refused:
        accept(project, engineer, [{"content_id": foreign.id, "result": "accepted"}])
    assert "checks" in refused.value.errors
    with pytest.raises(records.AcceptanceRuleViolation) as refused:
        accept(project, engineer, [{"content_id": pipes.id, "result": "rectify", "note": "渗水",
                                    "deadline": days_ago(5)}])
    assert refused.value.errors == {f"check_{pipes.id}": "整改期限不能早于验收日期。"}
    assert db.session.scalar(sa.select(sa.func.count(Rectification.id))) == 0


def test_overdue_items(ready, engineer):
    project, _pipes, _lifts = ready
    item = rectifications.add_rectification(project, engineer, {
        "description": "绿化补种", "deadline": today(), "responsible_unit": "street_community"})
    assert not rectifications.is_overdue(item, today())
    assert rectifications.days_overdue(item, today() + timedelta(days=2)) == 2
    with pytest.raises(rectifications.RectificationRuleViolation) as refused:
        rectifications.add_rectification(project, engineer, {
            "description": "x", "deadline": today() - timedelta(days=1), "responsible_unit": "mayor"})
    assert set(refused.value.errors) == {"deadline", "responsible_unit"}


def test_the_demo_accepts_a_few_completed_compounds_with_their_residents(engineer):
    """The demo's acceptances: completed compounds accepted with two or more representatives and no item
    left open; a compound under way keeps one open, which refuses completing its acceptance."""
    from renovation.demo import acceptance as demo_acceptance
    from renovation.demo import contents as demo_contents
    from renovation.demo import data as demo_data

    demo_data.seed(60)
    demo_contents.seed(engineer)
    assert demo_acceptance.seed(engineer) >= 3
    by_project = {}
    for record in db.session.scalars(sa.select(AcceptanceRecord)):
        by_project.setdefault(record.project, []).append(record)
    done = [project for project in by_project if project.stage("acceptance").status == "completed"]
    assert len(done) >= 2
    for project in done:
        assert completion_facts(project.id).representatives >= 2
        assert completion_facts(project.id).open_rectifications == 0
        assert all(check.result == "accepted" for check in records.acceptances_of(project.id)[0].checks)
    (under_way,) = [project for project in by_project if project.stage("acceptance").status == "in_progress"]
    assert completion_facts(under_way.id).open_rectifications == 1
    with pytest.raises(StageRuleViolation):
        update_stage(under_way, "acceptance", engineer, {**COMPLETE, "actual_end": today()},
                     under_way.stage("acceptance").version)
