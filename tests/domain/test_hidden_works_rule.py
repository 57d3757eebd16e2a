"""隐蔽工程: paving does not start while rain/sewage separation has no hidden-works photo (with the rule's
message, like every stage rule); two photos marked as hidden works let it start; someone allowed
overrides it with a written reason (recorded and listed); the setting switches it off; and the projects
whose pipes went in unphotographed are listed."""
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain import accounts
from renovation.domain.contents import catalogue
from renovation.domain.contents.hidden_works import (
    MissingEvidence,
    MissingEvidenceList,
    evidenced_stages,
    projects_without_hidden_works_evidence,
    rule_overrides,
)
from renovation.domain.contents.operations import add_content
from renovation.domain.photos.operations import add_photo
from renovation.domain.stages.operations import StageRuleViolation, update_stage
from renovation.extensions import db
from renovation.models import AuditEntry, RuleOverride, StageEvent, Street
from tests.conftest import days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg

PIPES_LAID = {"survey": {"status": "completed", "percent": 100, "actual_start": days_ago(40),
                         "actual_end": days_ago(30)},
              "rain_sewage": {"status": "in_progress", "percent": 60, "actual_start": days_ago(20)}}
START_PAVING = {"status": "in_progress", "percent": 10, "actual_start": days_ago(1)}
MESSAGE = ("Paving cannot start before the buried rain/sewage pipes are photographed: upload hidden-works (隐蔽工程) "
           "photos of rain/sewage separation first.")
ZH_MESSAGE = "雨污分流管道未拍摄隐蔽工程照片，道路硬化不能开工：请先上传雨污分流的隐蔽工程照片。"


@pytest.fixture
def engineer(app):
    return make_user("engineer", "engineer")


def laid(code="ZP-2026-001", **kwargs):
    return make_project(code=code, stages=PIPES_LAID, start=days_ago(60), **kwargs)


def start_paving(project, user, **kwargs):
    return update_stage(project, "paving", user, START_PAVING, project.stage("paving").version, **kwargs)


def trench_photo(project, user, seed, **kwargs):
    return add_photo(project, user, f"沟槽{seed}.jpg", io.BytesIO(jpeg(seed=seed)), "during", kwargs.pop("stage", None),
                     "雨污管道回填前", **kwargs)


def test_paving_does_not_start_without_hidden_works_photos_then_does_after_two(engineer):
    project = laid()
    with pytest.raises(StageRuleViolation) as refused:
        start_paving(project, engineer)
    assert str(refused.value.errors["status"]) in (MESSAGE, ZH_MESSAGE)
    assert refused.value.overridable == ()  # this engineer has no right to override
    db.session.rollback()
    assert project.stage("paving").status == "not_started"
    trench_photo(project, engineer, 1, stage="rain_sewage", hidden_works=True)
    trench_photo(project, engineer, 2, stage="rain_sewage", hidden_works=True)
    assert evidenced_stages(project.id) == {"rain_sewage"}
    start_paving(project, engineer)
    assert project.stage("paving").status == "in_progress"


def test_a_photo_of_the_pipes_content_is_evidence_too(engineer):
    catalogue.ensure_default_items()
    project = laid()
    content = add_content(project, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal(1200),
                                              "completed_quantity": Decimal(800), "investment": Decimal(54)})
    trench_photo(project, engineer, 3, hidden_works=True, content_id=content.id)  # no stage of its own
    start_paving(project, engineer)


def test_a_photo_not_marked_as_hidden_works_is_not_evidence(engineer):
    project = laid()
    trench_photo(project, engineer, 4, stage="rain_sewage")
    with pytest.raises(StageRuleViolation):
        start_paving(project, engineer)


def test_an_allowed_engineer_overrides_the_rule_with_a_reason(engineer):
    project = laid()
    accounts.set_may_override_rules(engineer, True, None)
    with pytest.raises(StageRuleViolation) as refused:
        start_paving(project, engineer)
    assert refused.value.overridable == ("hidden_works",)
    db.session.rollback()
    start_paving(project, engineer, override_reason="管道已于前期工程随道路一并验收，有监理旁站记录")
    assert project.stage("paving").status == "in_progress"
    [override] = rule_overrides()
    assert (override.project.code, override.stage_key, override.rule, override.user.username) == \
        ("ZP-2026-001", "paving", "hidden_works", "engineer")
    event = db.session.scalars(sa.select(StageEvent).where(StageEvent.stage_key == "paving")).one()
    assert {"field": "rule_override", "old": None, "new": override.reason, "rule": "hidden_works"} in event.changes
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "stage.override_rule"))


def test_a_reason_from_someone_not_allowed_is_refused(engineer):
    project = laid()
    with pytest.raises(StageRuleViolation) as refused:
        start_paving(project, engineer, override_reason="赶工期")
    assert "override_reason" in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RuleOverride)) == 0


def test_the_setting_switches_the_rule_off(app, engineer):
    app.config["HIDDEN_WORKS_RULE"] = False
    start_paving(laid(), engineer)


def test_paving_already_under_way_is_not_stopped(engineer):
    project = make_project(stages={**PIPES_LAID, "paving": {"status": "in_progress", "percent": 10,
                                                            "actual_start": days_ago(5)}}, start=days_ago(60))
    update_stage(project, "paving", engineer, {"percent": 40}, project.stage("paving").version)


def test_no_pipes_no_rule(engineer):
    project = make_project(stages={**PIPES_LAID, "rain_sewage": {"status": "not_applicable"}}, start=days_ago(60))
    start_paving(project, engineer)


def test_projects_whose_pipes_went_in_without_photos_are_listed(engineer):
    without = laid("ZP-2026-001")
    photographed = laid("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区")
    make_project("ZP-2026-003", compound="新华新村", community="九龙社区")  # pipes not begun
    trench_photo(photographed, engineer, 5, stage="rain_sewage", hidden_works=True)
    assert projects_without_hidden_works_evidence() == MissingEvidenceList([
        MissingEvidence(code="ZP-2026-001", compound="铁路二段生活小区", street="桂林街道", community="铁路社区",
                        rain_sewage="in_progress", paving="not_started")], 1)
    street_id = without.compound.community.street_id
    assert [row.code for row in projects_without_hidden_works_evidence(street_id).rows] == ["ZP-2026-001"]
    assert projects_without_hidden_works_evidence(street_id + 100) == MissingEvidenceList([], 0)


def test_a_province_s_thousands_are_counted_and_the_first_named(engineer):
    for number in range(1, 6):
        odd = number % 2
        laid(f"ZP-2026-00{number}", compound=f"小区{number}", community="九龙社区" if odd else "铁路社区",
             street="菁城街道" if odd else "桂林街道")
    missing = projects_without_hidden_works_evidence(limit=2)
    assert missing.total == 5 and [row.code for row in missing.rows] == ["ZP-2026-002", "ZP-2026-004"]  # 桂林 first
    guilin = db.session.scalar(sa.select(Street.id).where(Street.name == "桂林街道"))
    one = projects_without_hidden_works_evidence(guilin, limit=1)
    assert one.total == 2 and [row.code for row in one.rows] == ["ZP-2026-002"]
