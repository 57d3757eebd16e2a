"""Importing the project ledger: the preview names every problem by row and column, the commit
writes all or nothing, and the same ledger (or an export) imported again changes nothing."""
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.domain.ledger.cells import CellError, parse_date, parse_int
from renovation.domain.ledger.columns import match_headers, normalise_header
from renovation.domain.ledger.commit import LedgerNotImportable, StaleLedgerPreview, commit_import
from renovation.domain.ledger.exports import project_table
from renovation.domain.ledger.preview import preview_ledger
from renovation.domain.ledger.reader import LedgerFileError
from renovation.domain.ledger.spreadsheets import xlsx_bytes
from renovation.domain.project_list import ProjectFilter, project_by_code
from renovation.extensions import db
from renovation.models import AuditEntry, Community, Project, StageEvent, Street
from tests.conftest import make_project
from tests.ledger_samples import HEADERS, ledger_file, programme_rows, row_of
from tests.test_permissions import database_state

H = HEADERS.index


def preview_of(rows, headers=HEADERS):
    return preview_ledger(io.BytesIO(ledger_file(rows, headers)))


def where(preview) -> set[tuple[int, str]]:
    return {(problem.row, problem.column) for problem in preview.problems}


def count_projects() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Project))


def test_the_issue_ledger_three_errors_then_fixed_then_round_trip(app):
    rows = programme_rows(141)
    rows[11][H(" 户 数 ")] = 12.5  # project 12: not a whole number
    rows[49][H("计划竣工")] = "2025-02-30"  # project 50: not a date
    rows[99][0] = rows[98][0]  # project 100 repeats project 99's code
    broken = ledger_file(rows)

    preview = preview_ledger(io.BytesIO(broken))
    assert where(preview) == {(row_of(12), "户数"), (row_of(50), "计划竣工"), (row_of(100), "项目编号")}
    assert all(str(problem.message) for problem in preview.problems)
    assert "99" in str(next(p.message for p in preview.problems if p.column == "项目编号"))
    with pytest.raises(LedgerNotImportable):
        commit_import(preview, None, "broken")
    assert count_projects() == 0

    fixed = ledger_file(programme_rows(141))
    preview = preview_ledger(io.BytesIO(fixed))
    assert preview.problems == [] and preview.counts["create"] == 141
    result = commit_import(preview, None, "sha-of-fixed")
    assert (result.created, result.updated) == (141, 0)
    assert count_projects() == 141
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "ledger.import"))
    assert entry.details["sha256"] == "sha-of-fixed" and entry.details["created"] == 141

    # What the spreadsheet said arrived as meant: text dates, serials, merged street, text numbers.
    assert project_by_code("ZP-2025-007").planned_start == date(2025, 3, 1)
    assert project_by_code("ZP-2025-008").planned_start == date(2025, 3, 2)
    assert project_by_code("ZP-2025-009").planned_start == date(2025, 3, 3)
    assert project_by_code("ZP-2025-010").households == 120
    assert project_by_code("ZP-2025-002").compound.community.street.name == "桂林街道"
    third = project_by_code("ZP-2025-003")
    assert third.stage("facade").status == "not_applicable" and third.stage("acceptance").percent == 50
    assert third.budget_total == Decimal("154.50") and third.current_stage == "acceptance"

    before = database_state()
    again = preview_ledger(io.BytesIO(fixed))
    assert again.counts == {"create": 0, "update": 0, "unchanged": 141, "error": 0}
    assert not commit_import(again, None, "sha-of-fixed").changed
    exported = xlsx_bytes(project_table(ProjectFilter(), today()))
    round_trip = preview_ledger(io.BytesIO(exported))
    assert round_trip.counts["unchanged"] == 141 and not round_trip.has_changes and not round_trip.problems
    assert not commit_import(round_trip, None, "export").changed
    assert database_state() == before


def test_an_update_lists_old_and_new_values_and_writes_the_stage_history(app):
    make_project("ZP-2025-001", compound="新华新村1号院", community="铁路社区", street="桂林街道")
    exported = project_table(ProjectFilter(), today())
    headers, row = list(exported.headers), next(iter(exported.rows))
    row[headers.index("户数")] = 150
    row[headers.index("摸底调查状态")], row[headers.index("摸底调查进度(%)")] = "进行中", 30
    row[headers.index("摸底调查实际开始")] = date(2025, 5, 1)
    preview = preview_ledger(io.BytesIO(xlsx_bytes(type(exported)("台账", headers, exported.widths, [row]))))
    (outcome,) = preview.rows
    assert outcome.action == "update"
    assert {(c.header, c.old, c.new) for c in outcome.changes} == {
        ("户数", 120, 150), ("摸底调查状态", "not_started", "in_progress"), ("摸底调查进度(%)", 0, 30),
        ("摸底调查实际开始", None, date(2025, 5, 1))}
    commit_import(preview, None, "x")
    project = project_by_code("ZP-2025-001")
    assert project.households == 150 and project.stage("survey").percent == 30 and project.progress > 0
    event = db.session.scalar(sa.select(StageEvent))
    assert event.stage_key == "survey" and {c["field"] for c in event.changes} == {"status", "percent", "actual_start"}


def test_stage_rules_and_places_are_checked(app):
    make_project("ZP-2024-001", community="铁路社区", street="桂林街道")
    rows = programme_rows(4)
    rows[0][H("雨污分流状态")], rows[0][H("雨污分流进度（%）")] = "进行中", 10  # survey not completed
    rows[0][H("雨污分流实际开始")] = date(2025, 1, 5)
    rows[0][H("摸底调查状态")], rows[0][H("摸底调查进度(%)")] = "未开始", 0
    rows[1][H("所属社区")] = "铁路社区"  # known under 桂林街道
    rows[1][H("所属街道")] = "菁城街道"
    rows[2][H("总投资（万元）")] = 1  # not the sum of its sources
    rows[3][H("所属街道")] = ""  # blank street (merged cells are filled only when merged)
    rows[3][H("摸底调查实际完成")] = date(2099, 1, 1)  # in the future
    preview = preview_of(rows)
    assert (row_of(1), "雨污分流状态") in where(preview)
    assert (row_of(2), "所属社区") in where(preview)
    assert (row_of(3), "总投资(万元)") in where(preview)
    assert {(row_of(4), "所属街道"), (row_of(4), "摸底调查实际完成")} <= where(preview)


def test_a_total_without_its_source_columns_is_not_checked_against_zero(app):
    make_project("ZP-2025-001", community="铁路社区", street="桂林街道")  # budget 300 + 120 in the database
    sources = {"中央补助(万元)", "省级补助(万元)", "市级配套(万元)", "居民自筹(万元)", "社会资本(万元)"}
    kept = [position for position, header in enumerate(HEADERS) if header not in sources]
    rows = [[row[position] for position in kept] for row in programme_rows(5)]
    preview = preview_of(rows, [HEADERS[position] for position in kept])
    assert preview.problems == []
    commit_import(preview, None, "no-sources")
    assert project_by_code("ZP-2025-001").budget_total == Decimal("420")  # absent means not given
    # Some sources given: they may not add up to more than the total (the others are unknown).
    some = [position for position, header in enumerate(HEADERS) if header not in sources - {"中央补助(万元)"}]
    rows = [[row[position] for position in some] for row in programme_rows(2)]
    rows[1][[HEADERS[p] for p in some].index("中央补助(万元)")] = 9999
    preview = preview_of(rows, [HEADERS[position] for position in some])
    assert where(preview) == {(row_of(2), "总投资(万元)")}


def test_new_places_are_created_once(app):
    rows = programme_rows(3)
    for row in rows:
        row[H("所属街道")], row[H("所属社区")] = "新桥镇", "新桥社区"
    preview = preview_of(rows)
    assert preview.new_streets == ["新桥镇"] and preview.new_communities == ["新桥社区"]
    assert len(preview.new_compounds) == 3
    commit_import(preview, None, "x")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Street)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 1


def test_a_stale_preview_writes_nothing(app):
    make_project("ZP-2025-001")
    exported = project_table(ProjectFilter(), today())
    headers, row = list(exported.headers), next(iter(exported.rows))
    row[headers.index("户数")] = 99
    preview = preview_ledger(io.BytesIO(xlsx_bytes(type(exported)("台账", headers, exported.widths, [row]))))
    project_by_code("ZP-2025-001").households = 101  # someone else, meanwhile
    db.session.commit()
    with pytest.raises(StaleLedgerPreview):
        commit_import(preview, None, "x")
    assert project_by_code("ZP-2025-001").households == 101


def test_unknown_and_missing_columns(app):
    headers = [*HEADERS[:4], "户数", "序号", "联系人"]
    rows = [[*row[:4], 80, 1, "王五"] for row in programme_rows(2)]
    preview = preview_of(rows, headers)
    assert [warning.column for warning in preview.warnings] == ["联系人"]
    assert preview.counts["create"] == 2 and not preview.problems


def test_a_file_that_is_not_a_ledger(app):
    with pytest.raises(LedgerFileError):
        preview_ledger(io.BytesIO(b"not a workbook"))
    with pytest.raises(LedgerFileError):
        preview_ledger(io.BytesIO(ledger_file([], ["名称", "地址"])))
    assert preview_ledger(io.BytesIO(ledger_file([]))).file_problems


def test_tolerant_headers_and_cells():
    assert normalise_header(" 总投资（万元） ") == normalise_header("总投资(万元)")
    assert normalise_header("建筑面积（㎡）") == normalise_header("建筑面积(m2)")
    match = match_headers(["项目编号", "Ｘ列", "户数", "户 数"])
    assert match.unknown == [(1, "Ｘ列")] and match.repeated == [(3, "户 数")]
    assert parse_date("2026/3/1") == parse_date("2026年3月1日") == parse_date("2026-03-01") == date(2026, 3, 1)
    assert parse_date(46082) == date(2026, 3, 1)
    assert parse_int("1,200户") == 1200 and parse_int(120.0) == 120
    for wrong in ("2026-02-30", "下月", 12):
        with pytest.raises(CellError):
            parse_date(wrong)
    with pytest.raises(CellError):
        parse_int("12.5")


def test_a_ledger_with_guarded_formula_text_imports_as_it_was_exported(app):
    """A CSV export opened in Excel and saved as .xlsx keeps the apostrophe the export put before
    text like "-1号楼" or "=A1": the import takes it off, so the round trip changes nothing."""
    make_project("ZP-2026-001", compound="-1号楼", stages={"survey": {"note": "=A1"}})
    table = project_table(ProjectFilter(), today())
    rows = [[f"'{cell}" if isinstance(cell, str) and cell[:1] in "-=" else cell for cell in row] for row in table.rows]
    assert "'-1号楼" in rows[0] and "'=A1" in rows[0]
    preview = preview_ledger(io.BytesIO(xlsx_bytes(type(table)("台账", table.headers, table.widths, rows))))
    assert preview.counts["unchanged"] == 1 and not preview.problems and not preview.has_changes
