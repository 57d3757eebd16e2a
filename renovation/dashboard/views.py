"""The dashboard page: one domain call, one chart built from its numbers, one template."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.dashboard import bp
from renovation.domain.aftercare.coverage import aftercare_coverage
from renovation.domain.clock import today
from renovation.domain.contents.hidden_works import projects_without_hidden_works_evidence
from renovation.domain.contents.outputs import main_items, outputs, street_outputs
from renovation.domain.leaders.home import linked_compounds
from renovation.domain.problems.summary import summary as problem_summary
from renovation.domain.programme.charts import line_chart, stack
from renovation.domain.programme.dashboard import dashboard
from renovation.domain.stages.keys import STAGE_ORDER, Status
from renovation.models.contents import CONTENT_CATEGORY_LABELS
from renovation.templating import wants_fragment

STREET_ROWS = 30  # the ranking's first rows; a province has hundreds of streets and towns, shown when asked


@bp.route("/dashboard")
@permissions.require(permissions.can_view_projects)
def index():
    data = dashboard(today())
    trend = line_chart([*data.months, _("Now")],
                       [{"name": street["name"], "values": data.trend[street["id"]],
                         "href": url_for("projects.index", street=street["id"])}
                        for street in data.trend_streets])
    stage_bars = {key.value: stack([(status.value, data.stages[key.value][status.value]) for status in Status])
                  for key in STAGE_ORDER}
    every_street = request.args.get("streets") == "all"
    linked = linked_compounds(current_user, data.today)  # 我联系的小区, first on a linked user's home
    return render_template("dashboard/index.html", d=data, category_labels=CONTENT_CATEGORY_LABELS, trend=trend,
                           stage_bars=stage_bars,
                           problems=problem_summary(data.today), outputs=outputs(since=data.baseline),
                           missing_evidence=projects_without_hidden_works_evidence(limit=8),
                           aftercare=aftercare_coverage(),  # 长效管理: two statements
                           street_rows=data.streets if every_street else data.streets[:STREET_ROWS],
                           statuses=list(Status), stage_keys=[key.value for key in STAGE_ORDER], linked=linked)


@bp.route("/dashboard/outputs-by-street")
@permissions.require(permissions.can_view_projects)
def outputs_by_street():
    """The main items' planned and done quantities by street, asked for when a reader opens them
    (one grouped query over every project's contents: not paid by every view of the dashboard)."""
    shown = main_items(outputs())
    page = "dashboard/_outputs_by_street.html" if wants_fragment() else "dashboard/outputs_by_street.html"
    return render_template(page, items=shown, streets=street_outputs([row.key for row in shown]))
