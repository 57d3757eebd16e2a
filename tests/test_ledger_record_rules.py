"""The ledger import holds a project the app already has to the rules that rest on its records, as the
project page does: paving does not start without hidden-works photos of the buried pipes, and 竣工验收
is not completed with a rectification item open or without residents' representatives. A new project's
row records what happened before the app and is not held to them."""
from datetime import timedelta

import pytest

from renovation.domain.acceptance import records, rectifications
from renovation.domain.clock import today
from renovation.domain.ledger.preview import preview_ledger
from tests.conftest import days_ago, make_project, make_user
from tests.test_ledger_contents import BASE, ledger

DONE = {"status": "completed", "percent": 100, "actual_start": days_ago(200), "actual_end": days_ago(20)}
PIPES_LAID = {"survey": DONE, "rain_sewage": {**DONE, "actual_end": days_ago(10)}}
READY = {key: DONE for key in ("survey", "rain_sewage", "facade", "paving")} | {
    "acceptance": {"status": "in_progress", "percent": 50, "actual_start": days_ago(10)}}


def place(code: str) -> list:
    return [code, "铁路二段生活小区" if code.endswith("1") else f"小区{code}", "桂林街道", "铁路社区", 120]


def messages(preview) -> list[tuple]:
    return [(problem.column, str(problem.message)) for problem in preview.problems]


@pytest.fixture
def engineer(app):
    return make_user("engineer", "engineer")


def test_paving_started_in_the_ledger_without_hidden_works_photos_is_refused(engineer):
    make_project("ZP-2026-001", stages=PIPES_LAID, start=days_ago(300))
    row = [*place("ZP-2026-001"), "进行中", 10, days_ago(1)]
    preview = preview_ledger(ledger([*BASE, "道路硬化状态", "道路硬化进度(%)", "道路硬化实际开始"], row))
    assert [column for column, message in messages(preview) if "隐蔽工程" in message] == ["道路硬化状态"]
    assert preview.has_errors


def test_completing_acceptance_in_the_ledger_follows_the_acceptance_records(engineer):
    project = make_project("ZP-2026-001", stages=READY, start=days_ago(300))
    headers = [*BASE, "竣工验收状态", "竣工验收进度(%)", "竣工验收实际完成"]
    row = [*place("ZP-2026-001"), "已完成", 100, days_ago(1)]
    assert [column for column, _ in messages(preview_ledger(ledger(headers, row)))] == ["竣工验收状态"]  # no residents

    records.record_acceptance(project, engineer, {
        "accepted_on": days_ago(2), "units": ["contractor"], "checks": [], "summary": "",
        "representatives": [{"name": "陈秀英", "represents": "3号楼居民"}]})
    rectifications.add_rectification(project, engineer, {
        "description": "单元门禁未安装", "deadline": today() + timedelta(days=3), "responsible_unit": "contractor"})
    refused = messages(preview_ledger(ledger(headers, row)))
    assert len(refused) == 1 and "整改" in refused[0][1]

    item = rectifications.rectifications_of(project.id)[0]
    rectifications.close_rectification(item, engineer, {"note": "已安装"}, item.version)
    assert not preview_ledger(ledger(headers, row)).has_errors


def test_a_new_project_s_row_records_what_happened_before_the_app(engineer):
    stages = ("摸底调查", "雨污分流", "立面改造", "道路硬化", "竣工验收")
    headers = [*BASE, *(f"{name}状态" for name in stages), *(f"{name}进度(%)" for name in stages),
               *(f"{name}{part}" for name in stages for part in ("实际开始", "实际完成"))]
    dates = [days_ago(300 - 50 * index - offset) for index in range(5) for offset in (0, 20)]
    preview = preview_ledger(ledger(headers, [*place("ZP-2026-009"), *["已完成"] * 5, *[100] * 5, *dates]))
    assert messages(preview) == [] and preview.counts["create"] == 1
