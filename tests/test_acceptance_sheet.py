"""The printable acceptance sheet (竣工验收单): one A4 page in Chinese with the CJK fonts embedded,
naming the units, the residents' representatives (with room to sign), each item checked and the items
to rectify; everyone who reads the project may print it, and nothing a user typed goes into a header."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from renovation.domain.acceptance import records, rectifications
from renovation.domain.clock import today
from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import add_content
from tests import pdf_checks
from tests.conftest import days_ago, login, make_project, make_user

READY = {key: {"status": "completed", "percent": 100, "actual_start": days_ago(200), "actual_end": days_ago(20)}
         for key in ("survey", "rain_sewage", "facade", "paving")} | {
    "acceptance": {"status": "in_progress", "percent": 50, "actual_start": days_ago(10)}}


@pytest.fixture
def accepted(app):
    catalogue.ensure_default_items()
    engineer = make_user("engineer", "engineer")
    make_user("leader", "leader")
    project = make_project("ZP-2026-001", stages=READY, start=days_ago(300))
    pipes = add_content(project, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal(1200),
                                            "completed_quantity": Decimal(1200)})
    lifts = add_content(project, engineer, {"item": "elevators", "planned_quantity": Decimal(2),
                                            "completed_quantity": Decimal(2)})
    record = records.record_acceptance(project, engineer, {
        "accepted_on": days_ago(2), "units": ["construction_owner", "contractor", "street_community"],
        "representatives": [{"name": "陈秀英", "represents": "3号楼居民"},
                            {"name": "王建国", "represents": "5号楼居民"}],
        "checks": [{"content_id": pipes.id, "result": "accepted", "note": ""},
                   {"content_id": lifts.id, "result": "rectify", "note": "2号电梯井道渗水",
                    "deadline": today() - timedelta(days=1), "responsible_unit": "contractor"}],
        "summary": "=HYPERLINK(\"x\")<b>现场查验</b>"})
    return record


def test_the_sheet_is_one_page_in_chinese_with_fonts_embedded(client, accepted):
    login(client, "leader")  # a reader prints it too
    answer = client.get(f"/acceptances/{accepted.id}/sheet.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == (
        f'inline; filename="acceptance-ZP-2026-001-{days_ago(2).isoformat()}.pdf"')
    pdf = answer.get_data()
    assert pdf_checks.pages(pdf) == 1
    assert all(font["embedded"] for font in pdf_checks.fonts(pdf))
    text = pdf_checks.text(pdf)
    for expected in ("老旧小区改造项目竣工验收单", "ZP-2026-001", "铁路二段生活小区", "建设单位", "未到场",
                     "居民代表（共2人）", "陈秀英", "3号楼居民", "王建国", "雨污分流管网合格", "加装电梯需整改",
                     "2号电梯井道渗水", "待整改，超期1天", "尚有1项整改事项未完成", "<b>现场查验</b>"):
        assert expected in text, expected


def test_the_project_page_offers_each_acceptance_s_sheet(client, accepted):
    login(client, "leader")
    assert f'href="/acceptances/{accepted.id}/sheet.pdf"' in client.get("/projects/ZP-2026-001").get_data(as_text=True)


def test_once_the_item_is_closed_the_sheet_says_the_acceptance_is_agreed(client, accepted):
    item = rectifications.rectifications_of(accepted.project_id)[0]
    rectifications.close_rectification(item, accepted.recorded_by, {"note": "已修复渗水点"}, item.version)
    login(client, "engineer")
    text = pdf_checks.text(client.get(f"/acceptances/{accepted.id}/sheet.pdf").get_data())
    assert "已整改" in text and "所列整改事项均已整改完成" in text


def test_an_unknown_acceptance_is_404_and_the_signed_out_are_sent_to_log_in(client, accepted):
    assert client.get(f"/acceptances/{accepted.id}/sheet.pdf").status_code in (302, 303)
    login(client, "leader")
    assert client.get(f"/acceptances/{accepted.id + 99}/sheet.pdf").status_code == 404


def test_the_project_brief_lists_the_open_rectifications_in_numbered_tables(app, accepted):
    from renovation.domain.bulletins.brief_data import project_data
    from renovation.domain.bulletins.pdf import render_html
    from renovation.domain.project_list import project_by_code
    from tests.test_bulletin_pdf import document

    def brief() -> str:
        data = project_data(project_by_code("ZP-2026-001"), None, today())
        return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", render_html({"document": document(), "data": data},
                                                                          lambda sha: sha)))

    text = brief()
    assert "竣工验收整改事项" in text and "加装电梯：2号电梯井道渗水施工单位" in text and "其中超期1项" in text
    titles = re.findall(r"表(\d+)", text)
    assert titles == [str(n) for n in range(1, len(titles) + 1)]  # numbered in the order they print
    item = rectifications.rectifications_of(accepted.project_id)[0]
    rectifications.close_rectification(item, accepted.recorded_by, {"note": "已修复"}, item.version)
    assert "竣工验收整改事项" not in brief()
