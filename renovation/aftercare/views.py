"""The project page's 长效管理 section: its form, opened in place with htmx or on a page of its own
without a script, and saved. Thin views over :mod:`renovation.domain.aftercare.records`."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.aftercare import bp
from renovation.aftercare.forms import AftercareForm
from renovation.aftercare.panels import aftercare_panel
from renovation.domain import project_list
from renovation.domain.aftercare.records import aftercare_of, save_aftercare
from renovation.domain.errors import Conflict, RuleViolation
from renovation.templating import fragment_or_redirect, render, wants_fragment


def _section(project, **panel) -> str:
    return render("aftercare/_section.html", project=project, aftercare=aftercare_panel(project, **panel))


@bp.route("/projects/<code>/aftercare", methods=["GET", "POST"])
@permissions.require(permissions.can_view_projects)
def edit(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_edit_aftercare(current_user, project):
        abort(403)
    record = aftercare_of(project.id)
    form, status, conflict = AftercareForm.of(record), 200, False
    if request.method == "POST":
        form, status = AftercareForm.of(record, request.form), 422
        if form.validate_on_submit():
            try:
                save_aftercare(project, current_user, form.values(), form.seen_version())
            except RuleViolation as violation:
                form.add_errors(violation.errors)
            except Conflict as error:
                record, conflict, status = error.current, True, 409
                form = AftercareForm.of(record)
            else:
                return fragment_or_redirect(
                    lambda: _section(project, saved=True),
                    url_for("projects.show", code=project.code, _anchor="aftercare"), trigger="aftercareChanged",
                    flashes=[(_("After-care saved."), "success")])
    panel = {"record": record, "form": form, "conflict": conflict}
    if wants_fragment():
        return _section(project, **panel), status
    return render("aftercare/edit.html", project=project, aftercare=aftercare_panel(project, **panel)), status
