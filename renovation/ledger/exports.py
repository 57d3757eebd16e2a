"""Downloads: the ledger template (importers) and the project, demand and consultation lists as
.xlsx or CSV, filtered exactly as on screen (the same forms read the same query string)."""
import io

from flask import request, send_file
from flask_login import current_user

from renovation import permissions
from renovation.consultations.forms import ConsultationFilterForm
from renovation.consultations.views import criteria_from_form as consultation_criteria
from renovation.demands.forms import DemandFilterForm
from renovation.demands.views import criteria_from_form as demand_criteria
from renovation.domain import project_list
from renovation.domain.clock import today
from renovation.domain.ledger import exports as list_exports
from renovation.domain.ledger.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, Table, csv_bytes, xlsx_bytes
from renovation.ledger.views import bp, can_import
from renovation.projects.forms import ProjectFilterForm
from renovation.projects.listing import criteria_from_form as project_criteria

can_view = permissions.require(permissions.can_view_projects)
FORMAT = "<any(xlsx, csv):fmt>"


def _filter_form(form_class):
    """The list's filter form read from this request's query string, validated like the list."""
    form = form_class(request.args)
    form.set_choices(*project_list.streets_and_communities())
    form.validate()
    return form


def _download(table: Table, fmt: str, name: str):
    data = xlsx_bytes(table) if fmt == "xlsx" else csv_bytes(table)
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE if fmt == "xlsx" else CSV_MIMETYPE,
                     as_attachment=True, download_name=f"{name}-{today():%Y%m%d}.{fmt}", max_age=0)


@bp.route("/ledger/template.xlsx")
@can_import
def template():
    return send_file(io.BytesIO(xlsx_bytes(*list_exports.template_tables())), mimetype=XLSX_MIMETYPE,
                     as_attachment=True, download_name="项目台账导入模板.xlsx", max_age=0)


@bp.route(f"/exports/projects.{FORMAT}")
@can_view
def export_projects(fmt):
    criteria = project_criteria(_filter_form(ProjectFilterForm), permissions.responsible_name(current_user))
    return _download(list_exports.project_table(criteria, today()), fmt, list_exports.LEDGER_TITLE)


@bp.route(f"/exports/demands.{FORMAT}")
@can_view
def export_demands(fmt):
    criteria = demand_criteria(_filter_form(DemandFilterForm))
    return _download(list_exports.demand_table(criteria, today()), fmt, "居民诉求")


@bp.route(f"/exports/consultations.{FORMAT}")
@can_view
def export_consultations(fmt):
    criteria = consultation_criteria(_filter_form(ConsultationFilterForm))
    return _download(list_exports.consultation_table(criteria), fmt, "居民协商")
