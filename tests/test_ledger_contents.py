"""The ledger (台账) carries the main renovation content items (issue 16): a planned and a completed
quantity column each, in the template, the import and the export. An empty cell leaves an item as it
is; a figure for an item a project lacks adds it; every bad cell is named in the preview and nothing
is written; an export imported again changes nothing and exports the same cells."""
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from renovation.domain.clock import today
from renovation.domain.contents.catalogue import ensure_default_items, item_by_key, set_retired
from renovation.domain.contents.operations import add_content, change_content, contents_of
from renovation.domain.ledger.columns import COLUMNS, CONTENT_ITEMS, match_headers, normalise_header
from renovation.domain.ledger.commit import LedgerNotImportable, StaleLedgerPreview, commit_import
from renovation.domain.ledger.exports import project_table, template_tables
from renovation.domain.ledger.preview import preview_ledger
from renovation.domain.ledger.spreadsheets import csv_bytes, xlsx_bytes
from renovation.domain.project_list import ProjectFilter, project_by_code
from renovation.extensions import db
from renovation.models import AuditEntry
from renovation.models.contents import ContentEvent, ProjectContent
from tests.conftest import days_ago, login, make_project, make_user
from tests.test_ledger_pages import fingerprint_in, upload

BASE = ["项目编号", "小区名称", "所属街道", "所属社区", "户数"]


def ledger(headers: list, *rows: list) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def place(code="ZP-2026-001", compound="铁路二段生活小区"):
    return [code, compound, "桂林街道", "铁路社区", 120]


def figures(code: str) -> dict:
    """{item key: (planned, completed)} of a project's contents."""
    project = project_by_code(code)
    return {content.item.key: (content.planned_quantity, content.completed_quantity)
            for content in contents_of(project.id)}


def problems(preview) -> list[tuple]:
    return [(problem.row, problem.column, str(problem.message)) for problem in preview.problems]


@pytest.fixture
def engineer(app):
    ensure_default_items()
    return make_user()


def test_every_main_item_has_a_planned_and_a_completed_column_and_no_header_means_two_columns(app):
    headers = [column.header for column in COLUMNS]
    for key, name, unit in CONTENT_ITEMS:
        assert item_by_key(key) is not None or key in {k for k, *_ in CONTENT_ITEMS}
        assert f"{name}计划({unit})" in headers and f"{name}完成({unit})" in headers
    assert "雨污分流管网计划(m)" in headers and "加装电梯完成(台)" in headers
    meanings = defaultdict(set)
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            meanings[normalise_header(name)].add(column.field)
    assert not {name: fields for name, fields in meanings.items() if len(fields) > 1}
    # 道路硬化实际完成 stays the paving stage's date, not the roads' completed quantity
    match = match_headers(["项目编号", "道路硬化实际完成", "道路硬化完成(m²)", "雨污分流管网 计划 （米）",
                           "雨污分流管网完成", "加装电梯完成（部）", "停车位计划量"])
    assert [column.field for column in match.columns.values()] == [
        "code", "paving.actual_end", "content.roads.completed", "content.rain_sewage_pipes.planned",
        "content.rain_sewage_pipes.completed", "content.elevators.completed", "content.parking.planned"]


def test_the_template_has_the_columns_and_says_what_an_empty_cell_means(app):
    ledger_sheet, notes = template_tables()
    assert "雨污分流管网计划(m)" in ledger_sheet.headers and "充电桩完成(个)" in ledger_sheet.headers
    text = " ".join(str(cell) for row in notes.rows for cell in row)
    assert "留空的单元格不改变该项" in text and "留空则该项改造内容不变" in text
    assert "雨污分流管网计划(米)" in text  # another way to write the header


def test_import_adds_and_changes_contents_with_history_audit_and_versions(engineer):
    project = make_project()
    add_content(project, engineer, {"item": "elevators", "planned_quantity": Decimal("2"),
                                    "completed_quantity": Decimal("0"), "investment": Decimal("60")})
    source = ledger([*BASE, "雨污分流管网 计划 （米）", "雨污分流管网完成", "加装电梯完成（部）", "停车位计划(个)",
                     "充电桩计划(个)"],
                    [*place(), "1,200", "800米", 1, 40, None],
                    [*place("ZP-2026-009", "新华新村"), 300, None, None, None, " 6 "])
    preview = preview_ledger(source)
    assert not preview.problems and preview.counts == {"create": 1, "update": 1, "unchanged": 0, "error": 0}
    update = preview.of("update")[0]
    assert {(change.header, change.old, change.new) for change in update.changes} == {
        ("雨污分流管网计划(m)", None, Decimal("1200.00")), ("雨污分流管网完成(m)", None, Decimal("800.00")),
        ("加装电梯完成(台)", Decimal("0.00"), Decimal("1.00")), ("停车位计划(个)", None, Decimal("40.00"))}
    result = commit_import(preview, engineer, "sha")
    assert (result.created, result.updated) == (1, 1)
    assert figures("ZP-2026-001") == {"rain_sewage_pipes": (Decimal("1200"), Decimal("800")),
                                      "elevators": (Decimal("2"), Decimal("1")),
                                      "parking": (Decimal("40"), Decimal("0"))}
    assert figures("ZP-2026-009") == {"rain_sewage_pipes": (Decimal("300"), Decimal("0")),
                                      "charging_points": (Decimal("6"), Decimal("0"))}
    lift = next(content for content in contents_of(project.id) if content.item.key == "elevators")
    assert lift.version == 2 and lift.investment == Decimal("60") and lift.updated_by_id == engineer.id
    events = db.session.execute(sa.select(ContentEvent.item_key, ContentEvent.action, ContentEvent.user_id)
                                .order_by(ContentEvent.id)).all()
    assert events[1:] == [("rain_sewage_pipes", "add", engineer.id), ("elevators", "change", engineer.id),
                          ("parking", "add", engineer.id), ("rain_sewage_pipes", "add", engineer.id),
                          ("charging_points", "add", engineer.id)]
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("content.add") == 5 and actions.count("content.change") == 1 and "ledger.import" in actions

    again = preview_ledger(ledger([*BASE, "雨污分流管网计划(m)", "雨污分流管网完成(m)"], [*place(), None, 900]))
    assert again.counts["update"] == 1 and [c.header for c in again.of("update")[0].changes] == ["雨污分流管网完成(m)"]
    commit_import(again, engineer, "sha2")
    assert figures("ZP-2026-001")["rain_sewage_pipes"] == (Decimal("1200"), Decimal("900"))  # the plan stays


def test_bad_cells_are_named_in_the_preview_and_nothing_is_written(engineer):
    make_project()
    make_project("ZP-2026-002", "新华新村")
    source = ledger([*BASE, "雨污分流管网计划(m)", "雨污分流管网完成(m)", "加装电梯计划(台)", "加装电梯完成(台)",
                     "停车位计划(个)"],
                    [*place(), "一千二", -5, 2, 3, 10],
                    [*place("ZP-2026-002", "新华新村"), 100, 100, None, None, "40个"])
    preview = preview_ledger(source)
    assert problems(preview) == [
        (2, "雨污分流管网计划(m)", "请按数字填写工程量，如 1200.5。"),
        (2, "雨污分流管网完成(m)", "不能为负数。"),
        (2, "加装电梯完成(台)", "完成量超过计划量（2.00）：请更正数字，或先在项目页的改造内容中写明原因。"),
    ]
    assert preview.counts == {"create": 0, "update": 1, "unchanged": 0, "error": 1}
    assert preview.has_errors
    with pytest.raises(LedgerNotImportable):
        commit_import(preview, engineer, "sha")
    assert db.session.scalar(sa.select(sa.func.count(ProjectContent.id))) == 0


def test_more_done_than_planned_passes_when_the_project_says_why(engineer):
    project = make_project()
    pipes = add_content(project, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal("100")})
    change_content(pipes, engineer, {"reason": "设计变更，增加支管"}, pipes.version)
    preview = preview_ledger(ledger([*BASE, "雨污分流管网完成(m)"], [*place(), 130]))
    assert not preview.problems and preview.counts["update"] == 1
    commit_import(preview, engineer, "sha")
    assert figures("ZP-2026-001") == {"rain_sewage_pipes": (Decimal("100"), Decimal("130"))}


def test_a_retired_item_is_not_added_but_a_project_that_has_it_keeps_changing_it(engineer):
    first, _second = make_project(), make_project("ZP-2026-002", "新华新村")
    add_content(first, engineer, {"item": "charging_points", "planned_quantity": Decimal("4")})
    item = item_by_key("charging_points")
    set_retired(item, True, engineer, item.version)
    preview = preview_ledger(ledger([*BASE, "充电桩计划(个)"], [*place(), 6], [*place("ZP-2026-002", "新华新村"), 6]))
    assert problems(preview) == [(3, "充电桩计划(个)", "改造内容清单中已没有这一项（已停用或删除），不能再添加。")]


def test_content_columns_never_bring_in_the_stage_rules(app, engineer):
    """Paving under way without hidden-works photos: a content row still imports (contents are not
    stages, and the ledger checks the stage rules only for rows that change a stage)."""
    app.config["HIDDEN_WORKS_RULE"] = True
    make_project(stages={"survey": {"status": "completed", "percent": 100, "actual_start": days_ago(90),
                                    "actual_end": days_ago(60)},
                         "rain_sewage": {"status": "completed", "percent": 100, "actual_start": days_ago(59),
                                         "actual_end": days_ago(30)},
                         "paving": {"status": "in_progress", "percent": 20, "actual_start": days_ago(10)}})
    preview = preview_ledger(ledger([*BASE, "道路硬化计划(m²)", "道路硬化完成(m²)"], [*place(), 3000, 600]))
    assert not preview.problems and preview.counts["update"] == 1
    commit_import(preview, engineer, "sha")
    assert figures("ZP-2026-001") == {"roads": (Decimal("3000"), Decimal("600"))}


def test_a_stale_preview_writes_no_content(engineer):
    project = make_project()
    add_content(project, engineer, {"item": "elevators", "planned_quantity": Decimal("2")})
    preview = preview_ledger(ledger([*BASE, "加装电梯完成(台)", "停车位计划(个)"], [*place(), 1, 30]))
    lift = contents_of(project.id)[0]
    change_content(lift, engineer, {"completed_quantity": Decimal("2")}, lift.version)
    with pytest.raises(StaleLedgerPreview):
        commit_import(preview, engineer, "sha")
    assert figures("ZP-2026-001") == {"elevators": (Decimal("2"), Decimal("2"))}  # no parking half-added


def cells(table) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(xlsx_bytes(table)), read_only=True)
            .worksheets[0].iter_rows(values_only=True)]


def test_export_import_export_changes_nothing(engineer):
    first = make_project()
    make_project("ZP-2026-002", "新华新村", "城中社区", "菁城街道")  # no content: empty cells
    third = make_project("ZP-2026-003", "粮食局宿舍")
    add_content(first, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal("1200.5"),
                                  "completed_quantity": Decimal("800.25")})
    add_content(first, engineer, {"item": "elevators", "planned_quantity": Decimal("2"),
                                  "completed_quantity": Decimal("2")})
    add_content(first, engineer, {"item": "greening", "planned_quantity": Decimal("500")})  # not a column
    over = add_content(third, engineer, {"item": "parking", "planned_quantity": Decimal("10"),
                                         "completed_quantity": Decimal("12"), "reason": "利用边角地增设"})
    assert over.completed_quantity > over.planned_quantity
    exported = cells(project_table(ProjectFilter(), today()))
    headers = exported[0]
    row = dict(zip(headers, exported[1], strict=True))
    assert row["雨污分流管网计划(m)"] == 1200.5 and row["雨污分流管网完成(m)"] == 800.25
    assert row["加装电梯计划(台)"] == 2 and row["停车位计划(个)"] is None and row["供水管网计划(m)"] is None

    preview = preview_ledger(io.BytesIO(xlsx_bytes(project_table(ProjectFilter(), today()))))
    assert not preview.problems and not preview.has_changes and preview.counts["unchanged"] == 3
    assert not commit_import(preview, engineer, "export").changed
    assert cells(project_table(ProjectFilter(), today())) == exported

    csv_text = csv_bytes(project_table(ProjectFilter(), today())).decode("utf-8-sig")
    assert ",1200.5,800.25," in csv_text and ",2,2," in csv_text


def test_the_preview_page_names_the_bad_cell_and_the_import_adds_the_content(client, engineer):
    """As an engineer sees it: the problem beside its row and column, in Chinese; then the fixed
    file imported, the changes listed under their headers first."""
    make_project()
    login(client)
    headers = [*BASE, "雨污分流管网计划（m）", "雨污分流管网完成（m）"]
    response = upload(client, ledger(headers, [*place(), 1200, "八百"]).getvalue())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<td class="num">2</td><td>雨污分流管网完成\(m\)</td>', page)
    assert "请按数字填写工程量" in page and 'name="fingerprint"' not in page

    response = upload(client, ledger(headers, [*place(), 1200, 800]).getvalue())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "雨污分流管网计划(m)" in page and "1200" in page
    assert client.post(response.headers["Location"], data={"fingerprint": fingerprint_in(page)}).status_code == 303
    assert figures("ZP-2026-001") == {"rain_sewage_pipes": (Decimal("1200"), Decimal("800"))}
