"""The lists as tables for .xlsx and CSV: the project ledger (as filtered on screen), its import
template, the resident demands and the consultations.

The project table has exactly the import template's columns (plus two derived, read-only ones),
with stage statuses by their Chinese names, so that importing an export changes nothing. Its
headers are the ledger's fixed Chinese headers; the demand and consultation tables are for
reading only and speak the reader's language.

Each table's rows are a generator that reads the list page by page (:data:`EXPORT_PAGE` rows at a
time) as the file is written, so that a province's 200,000 projects are never loaded at once.
"""
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from renovation.domain.ledger.columns import COLUMNS, STAGE_FIELDS, STAGE_NAMES, STATUS_NAMES
from renovation.domain.ledger.spreadsheets import Table
from renovation.domain.ledger.values import BUDGET_SOURCES, content_values, project_values
from renovation.domain.project_list import ProjectFilter, find_projects
from renovation.domain.residents import consultations, demand_list, demands
from renovation.domain.stages.keys import DONE, Status
from renovation.extensions import db
from renovation.models import Stage
from renovation.models.consultations import (
    CATEGORY_LABELS,
    DEMAND_STATUS_LABELS,
    KIND_LABELS,
    ConsultationKind,
    DemandCategory,
    DemandStatus,
)

EXPORT_PAGE = 2000  # rows read from the database at a time
LEDGER_TITLE = "项目台账"
KIND_NAMES = {"text": "文字", "int": "整数", "year": "年份，如 1984", "decimal": "数字，最多两位小数",
              "date": "日期，如 2026-03-01", "status": "未开始、进行中、已完成、暂停 或 不涉及",
              "percent": "0 到 100 的整数",
              "quantity": "数字（列名中的单位），最多两位小数；留空则该项改造内容不变"}
ALIASES_SHOWN = 4  # a content column answers to a dozen spellings; the notes show the first few


def ledger_row(values: dict, progress: int | None = None, current_stage: str | None = None) -> list:
    """One project's cells, in the order of :data:`COLUMNS`; blank text is an empty cell."""
    row = []
    for column in COLUMNS:
        name = column.field
        if name == "budget_total":
            value = sum((values[source] for source in BUDGET_SOURCES), start=Decimal("0.00"))
        elif name == "current_stage":
            value = "已全部完成" if current_stage == DONE else STAGE_NAMES.get(current_stage or "")
        elif name == "progress":
            value = progress
        elif name.endswith(".status"):
            value = STATUS_NAMES[Status(values[name])]
        elif column.kind == "quantity":
            value = _quantity(values[name])
        else:
            value = values[name]
        row.append(None if value == "" else value)
    return row


def _quantity(value: Decimal | None):
    """A quantity as a plain number (1200, 800.5): metres and lifts are not amounts of money."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def every_item(find_page: Callable) -> Iterator:
    """Every item of a paged finder (``find_page(page, per_page)`` → a :class:`Page`), one page of
    :data:`EXPORT_PAGE` in memory at a time."""
    page, per_page = 1, EXPORT_PAGE
    while True:
        found = find_page(page, per_page)
        yield from found.items
        if not found.items or page * per_page >= found.total:
            return
        page += 1


def project_table(criteria: ProjectFilter, today: date) -> Table:
    """The projects the list shows for ``criteria``, in its order, all pages: read a page at a
    time, with one more query per page for its stages."""
    return _ledger_table(_project_rows(criteria, today))


def _project_rows(criteria: ProjectFilter, today: date) -> Iterator[list]:
    pages = every_item(lambda page, per_page: _with_stages(find_projects(criteria, page, per_page, today)))
    for project, stages, contents in pages:
        place = project.compound
        yield ledger_row(project_values(project, place.name, place.community.name, place.community.street.name,
                                        stages, contents), project.progress, project.current_stage)


def _with_stages(found):
    """The page's projects, each with its stages (plain rows) and its main content items' values."""
    stages: dict[int, list] = {}
    contents: dict[int, dict] = {}
    if found.items:
        ids = [project.id for project in found.items]
        for stage in db.session.execute(
            select(Stage.project_id, Stage.key, *(getattr(Stage, field) for field in STAGE_FIELDS))
            .where(Stage.project_id.in_(ids))
        ):
            stages.setdefault(stage.project_id, []).append(stage)
        contents = content_values(ids)
    return replace(found, items=[(project, stages.get(project.id, []), contents.get(project.id))
                                 for project in found.items])


def template_tables() -> tuple[Table, Table]:
    """The empty ledger to fill in, and a sheet that explains each column."""
    notes = [
        [column.header,
         "必填" if column.required else "",
         "导出时填写，导入时忽略" if column.readonly else KIND_NAMES[column.kind],
         _aliases(column)]
        for column in COLUMNS
    ]
    notes.append(["总投资(万元)", "", "须等于五项资金来源之和；留空则不核对", ""])
    notes.append(["改造内容各列", "",
                  "按项目填写主要改造内容的计划量和完成量（单位见列名）。留空的单元格不改变该项；"
                  "项目尚无此项时，填写计划量或完成量即新增该项（另一项按0计）。完成量不得超过计划量，"
                  "确需超过的，请先在项目页的改造内容中写明原因。", ""])
    return _ledger_table([]), Table("填写说明", ["列名", "是否必填", "填写内容", "也可写作"], [18, 10, 36, 40], notes)


def _aliases(column) -> str:
    if column.kind == "quantity":
        return "、".join(column.aliases[:ALIASES_SHOWN]) + " 等"
    return "、".join(column.aliases)


def _ledger_table(rows) -> Table:
    return Table(LEDGER_TITLE, [column.header for column in COLUMNS], [column.width for column in COLUMNS], rows)


def demand_table(criteria: demand_list.DemandFilter, today: date) -> Table:
    """The demands the list shows for ``criteria``, in its order (open and oldest first)."""
    headers = [_l("Code"), _l("Compound"), _l("Community"), _l("Category"), _l("Demand"),
               _l("Raised by (household or building)"), _l("Raised on"), _l("Status"), _l("Assignee"),
               _l("Response"), _l("Reason for declining"), _l("Closed on"), _l("Days overdue")]
    rows = (
        [demand.code, demand.compound, demand.community,
         CATEGORY_LABELS.get(DemandCategory(demand.category), demand.category), demand.text, demand.raised_by,
         demand.raised_on, DEMAND_STATUS_LABELS.get(DemandStatus(demand.status), demand.status), demand.assignee,
         demand.response, demand.reason, demand.resolved_on, demands.days_overdue(demand, today) or None]
        for demand in every_item(lambda page, per_page: demand_list.demand_page(
            replace(criteria, sort=demand_list.DEFAULT_SORT), page, per_page, today))
    )
    return Table(str(_l("Resident demands")), headers, [12, 18, 10, 10, 40, 16, 12, 10, 10, 30, 30, 12, 10], rows)


def consultation_table(criteria: consultations.ConsultationFilter) -> Table:
    """The consultations the list shows for ``criteria``, newest first."""
    headers = [_l("Date"), _l("Code"), _l("Compound"), _l("Community"), _l("Kind"), _l("Place"), _l("Organiser"),
               _l("Attendees"), _l("Households represented"), _l("Topic"), _l("Residents' opinions"),
               _l("Decisions"), _l("Follow-up"), _l("Vote")]
    rows = (
        [item.date, item.project.code, item.project.compound.name, item.project.compound.community.name,
         KIND_LABELS.get(ConsultationKind(item.kind), item.kind), item.place, item.organiser, item.attendees,
         item.households, item.topic, item.opinions, item.decisions, item.follow_up, _vote(item)]
        for item in every_item(lambda page, per_page: consultations.find_consultations(criteria, page, per_page))
    )
    return Table(str(_l("Consultations")), headers, [12, 12, 18, 10, 12, 16, 10, 20, 8, 24, 40, 40, 30, 8], rows)


def _vote(consultation):
    if consultation.vote is None:
        return None
    return _l("Passed") if consultations.decision_of(consultation.vote).passed else _l("Not passed")
