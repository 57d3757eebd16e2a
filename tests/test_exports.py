"""Exports of the lists as filtered on screen: typed .xlsx cells, a frozen header row, widths,
and CSV in UTF-8 with a byte-order mark."""
import csv
import io
from datetime import datetime

from openpyxl import load_workbook

from renovation.domain.consultations import add_consultation
from renovation.domain.demands import raise_demand
from renovation.domain.project_list import project_by_code
from tests.conftest import days_ago, login, make_project, make_user


def workbook(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data))


def test_project_list_as_filtered_on_screen(client):
    make_user("leader", "leader")
    make_project("ZP-2026-001", compound="新华新村", community="铁路社区", street="桂林街道")
    make_project("ZP-2026-002", compound="粮食局宿舍", community="城中社区", street="菁城街道")
    street_id = project_by_code("ZP-2026-002").compound.community.street_id
    login(client, "leader")
    sheet = workbook(client.get(f"/exports/projects.xlsx?street={street_id}&page=3")).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert len(rows) == 2 and rows[1][0] == "ZP-2026-002"
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["B"].width > 15
    values = dict(zip(headers, rows[1]))
    assert values["户数"] == 120 and isinstance(values["户数"], int)
    assert values["总投资(万元)"] == 420 and isinstance(values["计划开工"], datetime)
    assert values["摸底调查状态"] == "未开始" and values["施工单位"] == "漳平市城建工程有限公司"

    response = client.get("/exports/projects.csv?q=新华")
    assert response.data.startswith("\ufeff".encode()) and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert lines[0][:2] == ["项目编号", "小区名称"] and [line[0] for line in lines[1:]] == ["ZP-2026-001"]


def test_list_pages_link_to_their_exports_with_the_filters(client):
    make_user("engineer", "engineer")
    make_project()
    login(client)
    assert "/exports/projects.xlsx?q=%E9%93%81" in client.get("/projects?q=%E9%93%81").get_data(as_text=True) \
        or "/exports/projects.xlsx?q=铁" in client.get("/projects?q=铁").get_data(as_text=True)
    assert "/exports/demands.csv?status=pending" in client.get("/demands?status=pending").get_data(as_text=True)
    assert "/exports/consultations.xlsx?kind=hearing" in client.get("/consultations?kind=hearing").get_data(as_text=True)
    assert "/ledger/import" in client.get("/projects").get_data(as_text=True)


def test_demands_and_consultations(client):
    engineer = make_user("engineer", "engineer")
    project = make_project()
    raise_demand(project, engineer, {"category": "parking", "text": "停车难", "raised_on": days_ago(40)})
    raise_demand(project, engineer, {"category": "lighting", "text": "路灯不亮", "raised_on": days_ago(1)})
    add_consultation(project, engineer, {"date": days_ago(2), "kind": "hearing", "topic": "加装电梯听证",
                                         "households": 30}, None)
    login(client)
    rows = list(workbook(client.get("/exports/demands.xlsx?overdue=1")).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and "停车难" in rows[1] and isinstance(rows[1][6], datetime) and rows[1][-1] == 25
    text = client.get("/exports/demands.csv").data.decode("utf-8-sig")
    assert "停车难" in text and "路灯不亮" in text
    rows = list(workbook(client.get("/exports/consultations.xlsx")).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and "加装电梯听证" in rows[1] and rows[1][8] == 30
    assert len(client.get("/exports/consultations.csv?kind=council_meeting").data.decode("utf-8-sig").splitlines()) == 1
