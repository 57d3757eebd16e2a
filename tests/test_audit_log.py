"""The audit log reads as sentences (字段：旧值 → 新值, actions in words), filters by person,
project, action and date, and pages by 50."""
from datetime import datetime, timedelta

import pytest

from renovation.domain import audit, audit_log
from renovation.domain.residents.demands import change_demand, raise_demand
from renovation.domain.stages.operations import update_stage
from renovation.extensions import db
from renovation.models import AuditEntry
from tests.conftest import days_ago, login, make_project, make_user


@pytest.fixture
def admin_client(app):
    make_user("admin", "admin")
    client = app.test_client()
    login(client, "admin")
    return client


def _entries(html: str) -> int:
    return html.count('<li class="audit-entry">')


def test_a_stage_change_reads_as_chinese_sentences(admin_client):
    project = make_project()
    engineer = make_user("engineer", "engineer")
    update_stage(project, "survey", engineer, {"status": "in_progress", "percent": 10,
                                               "actual_start": days_ago(1), "note": "入户调查"}, 1)
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "阶段：摸底调查" in html
    assert "状态：未开始 → 进行中" in html
    assert "完成比例：0% → 10%" in html
    assert "备注：— → 入户调查" in html
    results = html.split('class="audit-entries"')[1]
    assert "stage.update" not in results and "{" not in results


def test_photo_and_demand_details_are_words_not_codes(admin_client):
    project = make_project()
    engineer = make_user("engineer", "engineer")
    demand = raise_demand(project, engineer, {"category": "parking", "text": "车位", "raised_on": days_ago(1)})
    change_demand(demand, engineer, {"status": "resolved", "response": "已划线"}, 1)
    audit.record(engineer, "photo.pair", "project", project.code, before=3, after=4)
    db.session.commit()
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    results = html.split('class="audit-entries"')[1]
    assert "建立改造前后对比" in results and "photo.pair" not in results
    assert "类别：停车" in html
    assert "状态：待处理 → 已办结" in html
    assert "答复：— → 已划线" in html


def test_describe_old_and_new_values_of_a_photo():
    with_changes = audit_log.describe("photo.update", {"photo": 7, "old": {"phase": "before", "caption": ""},
                                       "new": {"phase": "after", "caption": "新立面"}})
    assert len(with_changes) == 3 and not any("{" in sentence for sentence in with_changes)


def _entry(user, action, code, at):
    db.session.add(AuditEntry(at=at, user_id=user.id, action=action, target_type="project", target_id=code,
                              details={}))


def test_filters_by_person_project_action_and_date(admin_client):
    one = make_project()
    two = make_project(code="ZP-2026-002", compound="东门小区", community="东城社区", street="菁城街道")
    wang, li = make_user("wang", "engineer"), make_user("li", "engineer")
    now = datetime(2026, 3, 10, 2, 0)  # 10:00 in China
    _entry(wang, "photo.add", one.code, now)
    _entry(wang, "stage.update", two.code, now - timedelta(days=3))
    _entry(li, "photo.add", two.code, now - timedelta(days=10))
    db.session.commit()

    def count(**query):
        return _entries(admin_client.get("/admin/audit", query_string=query).get_data(as_text=True))

    assert count(user=wang.id) == 2  # make_user's own entries have no actor
    assert count(project="东门") == 2 and count(project="zp-2026-001") == 1
    assert count(action="photo.add") == 2
    assert count(date_from="2026-03-07", date_to="2026-03-07") == 1
    assert count(date_from="2026-03-08", date_to="2026-03-31") == 1  # (the users were added today)
    assert count(user=li.id, project="东门", action="photo.add") == 1
    assert count(project="%") == 0
    refused = admin_client.get("/admin/audit?date_from=0206-01-01").get_data(as_text=True)
    assert 'class="field-error"' in refused and count(date_from="0206-01-01") == count()


def test_fifty_a_page(admin_client, app):
    user = make_user("wang", "engineer")
    start = datetime(2026, 3, 1)
    for index in range(60):
        _entry(user, "photo.add", f"ZP-{index:03d}", start + timedelta(minutes=index))
    db.session.commit()
    first = admin_client.get("/admin/audit?action=photo.add").get_data(as_text=True)
    assert _entries(first) == 50 and 'rel="next"' in first and "ZP-059" in first
    assert "action=photo.add" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = admin_client.get("/admin/audit?action=photo.add&page=2").get_data(as_text=True)
    assert _entries(second) == 10 and "ZP-000" in second
