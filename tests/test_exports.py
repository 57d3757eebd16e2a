"""Exports of the lists as filtered on screen: typed .xlsx cells, a frozen header row, widths,
and CSV in UTF-8 with a byte-order mark."""
import csv
import io
from datetime import datetime

from openpyxl import load_workbook

from renovation.domain.ledger import exports as ledger_exports
from renovation.domain.ledger.preview import preview_ledger
from renovation.domain.project_list import project_by_code
from renovation.domain.residents.consultations import add_consultation
from renovation.domain.residents.demands import raise_demand
from renovation.extensions import db
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
    values = dict(zip(headers, rows[1], strict=True))
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
    hearings = client.get("/consultations?kind=hearing").get_data(as_text=True)
    assert "/exports/consultations.xlsx?kind=hearing" in hearings
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


# Text a spreadsheet program would run as a formula (or as a DDE command) if it were a formula.
RISKY = {"compound": "=HYPERLINK(\"http://evil\",\"点我\")", "contractor": "-1号楼施工队", "note": "@SUM(A1:A9)",
         "demand": "+86 13800000000", "raised_by": "\t=cmd|' /C calc'!A0", "topic": "\r=1+1", "place": "=A1"}


def _risky_records(engineer):
    project = make_project(compound=RISKY["compound"], stages={"survey": {"note": RISKY["note"]}})
    project.contractor = RISKY["contractor"]
    db.session.commit()
    raise_demand(project, engineer, {"category": "parking", "text": RISKY["demand"], "raised_by": RISKY["raised_by"],
                                     "raised_on": days_ago(3)})
    add_consultation(project, engineer, {"date": days_ago(2), "kind": "hearing", "topic": RISKY["topic"],
                                         "place": RISKY["place"], "households": 30}, None)


def test_text_that_looks_like_a_formula_is_text_in_every_xlsx_export(client):
    """Opened in Excel, a compound named "=HYPERLINK(...)" shows its name; nothing is computed."""
    _risky_records(make_user("engineer", "engineer"))
    login(client)
    texts = []
    for name in ("projects", "demands", "consultations"):
        sheet = workbook(client.get(f"/exports/{name}.xlsx")).worksheets[0]
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert cell.quotePrefix, (name, cell.coordinate)  # Excel's own mark for typed-in text
                    texts.append(cell.value)
    assert {value.strip() for value in RISKY.values()} <= set(texts)  # the forms trim tab and CR


def test_text_that_looks_like_a_formula_is_quoted_in_every_csv_export(client):
    _risky_records(make_user("engineer", "engineer"))
    login(client)
    cells = []
    for name in ("projects", "demands", "consultations"):
        lines = list(csv.reader(io.StringIO(client.get(f"/exports/{name}.csv").data.decode("utf-8-sig"))))
        cells += [cell for line in lines for cell in line]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {f"'{value.strip()}" for value in RISKY.values()} <= set(cells)
    assert "2026" in " ".join(cells) or any(cell[:1].isdigit() for cell in cells)  # dates and numbers as they were


def test_tab_and_carriage_return_starts_and_real_numbers():
    """Tab and CR starts (which the forms trim, but an import may bring) are guarded too; a
    negative number stays a number."""
    from decimal import Decimal

    from renovation.domain.ledger.spreadsheets import Table, csv_bytes, without_formula_guard, xlsx_bytes

    table = Table("t", ["a", "b", "c"], [8, 8, 8],
                  [["\t=1+1", "\r@A1", Decimal("-3.50")], ["普通文字", -2, "'已有引号"]])
    lines = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert lines[1] == ["'\t=1+1", "'\r@A1", "-3.50"] and lines[2] == ["普通文字", "-2", "'已有引号"]
    assert [without_formula_guard(cell) for cell in lines[1][:2]] == ["\t=1+1", "\r@A1"]
    assert without_formula_guard("'已有引号") == "'已有引号"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).worksheets[0]
    assert [cell.data_type for cell in sheet[2]] == ["s", "s", "n"] and sheet["A2"].quotePrefix
    assert sheet["C2"].value == Decimal("-3.50") or sheet["C2"].value == -3.5


def test_exports_are_sent_as_they_are_written_a_page_of_rows_at_a_time(client, monkeypatch):
    """Every row of every page, in the list's order, once; the answer is a stream, not a file
    built in memory; the .xlsx comes back through the ledger import unchanged."""
    monkeypatch.setattr(ledger_exports, "EXPORT_PAGE", 3)
    engineer = make_user("engineer", "engineer")
    codes = [f"ZP-2026-{number:03d}" for number in range(1, 9)]
    for code in reversed(codes):
        project = make_project(code, compound=f"新华新村{code[-1]}区")
        raise_demand(project, engineer, {"category": "parking", "text": f"停车难{code}", "raised_on": days_ago(3)})
        add_consultation(project, engineer, {"date": days_ago(2), "kind": "hearing", "topic": f"听证{code}",
                                             "households": 30}, None)
    login(client)
    response = client.get("/exports/projects.csv")
    assert response.is_streamed and response.headers["Content-Disposition"].startswith("attachment")
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == codes
    response = client.get("/exports/projects.xlsx")
    assert response.is_streamed and response.content_length is None  # sent as it is written
    preview = preview_ledger(io.BytesIO(workbook_bytes(response)))
    assert preview.counts == {"create": 0, "update": 0, "unchanged": 8, "error": 0} and not preview.problems
    for name, column in (("demands", 0), ("consultations", 1)):
        lines = list(csv.reader(io.StringIO(client.get(f"/exports/{name}.csv").data.decode("utf-8-sig"))))
        assert sorted(line[column] for line in lines[1:]) == codes, name


def workbook_bytes(response) -> bytes:
    workbook(response)  # a workbook, sent as one
    return response.data


def test_a_csv_is_written_piece_by_piece_as_its_rows_come():
    from renovation.domain.ledger.spreadsheets import Table, csv_chunks

    pulled = []

    def rows():
        for number in range(1200):
            pulled.append(number)
            yield [number, "漳平"]

    pieces = csv_chunks(Table("t", ["编号", "地点"], [8, 8], rows()), rows_per_chunk=500)
    first = next(pieces)
    assert first.startswith("\ufeff编号,地点\r\n0,漳平".encode()) and len(pulled) == 500
    assert len(list(pieces)) == 2 and len(pulled) == 1200


def test_a_workbook_cell_keeps_its_text_as_written_and_drops_what_no_cell_can_hold():
    from renovation.domain.ledger.spreadsheets import Table, xlsx_bytes

    markup = '</t></is><v>1</v> & "引号" &amp;'
    table = Table("台账 <&>", ["说明", "是否"], [8, 8],
                  [["第一行\r\n第二行", True], ["铃\x07声", None], [markup, False]])
    book = load_workbook(io.BytesIO(xlsx_bytes(table)))
    assert book.sheetnames == ["台账 <&>"]
    assert [[cell.value for cell in row] for row in book.worksheets[0].iter_rows(min_row=2)] == [
        ["第一行\r\n第二行", True], ["铃声", None], [markup, False]]
