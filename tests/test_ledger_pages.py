"""The ledger import as an engineer uses it: upload → preview (problems first) → import, the
template, the stale-preview refusal, and the same through the command line."""
import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from renovation.domain.ledger_columns import COLUMNS
from renovation.extensions import db
from renovation.models import AuditEntry, Project
from tests.conftest import login, make_project, make_user
from tests.ledger_samples import HEADERS, ledger_file, programme_rows, row_of
from tests.test_permissions import database_state


def count_projects() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Project))


def upload(client, data: bytes, name="台账.xlsx"):
    return client.post("/ledger/import", data={"ledger": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def broken_rows():
    rows = programme_rows(141)
    rows[11][HEADERS.index(" 户 数 ")] = "12.5"
    rows[49][HEADERS.index("计划竣工")] = "下个月"
    rows[99][0] = None
    return rows


def fingerprint_in(html: str) -> str:
    return re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', html).group(1)


def test_upload_preview_and_import(client, engineer):
    login(client)
    assert "项目编号" in load_workbook(io.BytesIO(client.get("/ledger/template.xlsx").data)).worksheets[1]["A2"].value
    response = upload(client, ledger_file(broken_rows()))
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "ledger-problems" in page and 'name="fingerprint"' not in page  # no import button
    for row, column in ((row_of(12), "户数"), (row_of(50), "计划竣工"), (row_of(100), "项目编号")):
        assert re.search(rf"<td class=\"num\">{row}</td><td>{column}</td>", page), (row, column)
    assert page.index("ledger-problems") < page.index("ledger-creates")
    assert client.post(preview_url, data={"fingerprint": "x"}).status_code == 422
    assert count_projects() == 0

    response = upload(client, ledger_file(programme_rows(141)))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ledger-problems" not in page and "新华新村1号院" in page
    response = client.post(response.headers["Location"], data={"fingerprint": fingerprint_in(page)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/projects")
    assert count_projects() == 141
    assert db.session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "ledger.import"))["created"] == 141


def test_a_stale_preview_is_refused(client, engineer):
    make_project("ZP-2025-001", compound="新华新村1号院", community="铁路社区", street="桂林街道")
    login(client)
    location = upload(client, ledger_file(programme_rows(1))).headers["Location"]
    fingerprint = fingerprint_in(client.get(location).get_data(as_text=True))
    project = db.session.scalar(sa.select(Project))
    project.households = 77  # changed by someone else after the preview
    db.session.commit()
    before = database_state()
    response = client.post(location, data={"fingerprint": fingerprint})
    assert response.status_code == 409 and 'name="fingerprint"' in response.get_data(as_text=True)
    assert database_state() == before


def test_what_is_not_a_ledger(client, engineer):
    login(client)
    for data, name in ((b"name,address\n", "台账.csv"), (b"PK not really", "台账.xlsx")):
        page = client.get(upload(client, data, name=name).headers["Location"])
        assert page.status_code == 200 and "不是 Excel 工作簿（.xlsx）" in page.get_data(as_text=True)


def test_a_real_workbook_is_read_whatever_its_name(client, engineer):
    """Browsers and download folders lose extensions: the content decides, as for photos."""
    login(client)
    response = upload(client, ledger_file(programme_rows(3)), name="download")
    assert response.status_code == 303 and "/ledger/import/" in response.headers["Location"]
    assert "3" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_export_then_import_reports_no_changes(client, engineer):
    for number in range(1, 4):
        make_project(f"ZP-2026-{number:03d}", compound=f"粮食局宿舍{number}号楼")
    make_project("ZP-2026-004", compound="-1号楼", stages={"survey": {"note": "=A1"}})  # look like formulas
    login(client)
    exported = client.get("/exports/projects.xlsx").data
    location = upload(client, exported).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "ledger-updates" not in page and "ledger-creates" not in page
    assert "没有变化" in page or "No changes" in page
    before = database_state()
    response = client.post(location, data={"fingerprint": fingerprint_in(page)})
    assert response.status_code == 303
    assert database_state() == before


def test_import_ledger_command(app, runner, tmp_path):
    make_user("engineer", "engineer")
    broken, fixed = tmp_path / "broken.xlsx", tmp_path / "fixed.xlsx"
    broken.write_bytes(ledger_file(broken_rows()))
    fixed.write_bytes(ledger_file(programme_rows(141)))

    result = runner.invoke(args=["import-ledger", str(broken), "--commit"])
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("  row ") and "[" in line]
    assert {re.match(r"  row (\d+)  \[([^\]]+)\]", line).groups() for line in problems} == {
        (str(row_of(12)), "户数"), (str(row_of(50)), "计划竣工"), (str(row_of(100)), "项目编号")}
    assert count_projects() == 0

    assert runner.invoke(args=["import-ledger", str(fixed)]).exit_code == 0
    assert count_projects() == 0  # a preview only
    result = runner.invoke(args=["import-ledger", str(fixed), "--commit", "--user", "engineer"])
    assert result.exit_code == 0 and "141" in result.output
    before = database_state()
    result = runner.invoke(args=["import-ledger", str(fixed), "--commit"])
    assert result.exit_code == 0 and "Nothing to import" in result.output
    assert database_state() == before
    assert [column.header for column in COLUMNS][:2] == ["项目编号", "小区名称"]
