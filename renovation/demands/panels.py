"""The sections the demand area puts on pages, each built from its record and the user: the project
page's demands (figures, the comparison with the community and the city, the raise form, the rows),
a consultation's demands, and the status form of one demand. Called by the pages' views and by the
views that re-render a section or a row after a write."""
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.demands.forms import ChangeDemandForm, RaiseDemandForm
from renovation.domain.clock import today
from renovation.domain.residents import demand_list, demand_tallies, demands, project_demands


def change_form(demand, can_write: bool | None = None) -> ChangeDemandForm | None:
    """The status form of an open demand, for a user who may handle it (``can_write`` when the caller
    knows already); None for a closed demand or a user who only reads."""
    if can_write is None:
        can_write = permissions.can_write_consultations(current_user, demand.project)
    if not can_write or demand.status in demands.FINAL:
        return None
    return ChangeDemandForm(formdata=None, obj=demand, version=demand.version)


def _rows(found, can_write: bool) -> list[tuple]:
    """Each demand with its status form (or None)."""
    return [(demand, change_form(demand, can_write)) for demand in found]


def demands_panel(project, raise_form: RaiseDemandForm | None = None) -> dict:
    """What the project page's demand section shows: the figures and their comparison, the demands
    (each asks for its status form and history when its fold is opened), whether the user may raise
    one, and ``raise_form`` with the user's input after a refused raise. Otherwise the section holds
    no raise form: it asks for a blank one when the user opens 登记诉求 (``demands.new``)."""
    can_write = permissions.can_write_consultations(current_user, project)
    found = project_demands.project_demands(project)
    # The figures of the demands the page shows, unless it shows only the first of many.
    figures = (project_demands.figures_of_demands(found) if len(found) < project_demands.SHOWN
               else demand_list.figures(demand_list.DemandFilter(project_id=project.id)))
    return {"figures": figures, "rows": [(demand, None) for demand in found], "can_write": can_write,
            "raise_form": raise_form if can_write else None, "today": today(),
            "compared": compared_figures(project, figures)}


def blank_raise_form(project) -> RaiseDemandForm:
    """A new demand of today, to be linked to one of the project's consultations if the user likes."""
    form = RaiseDemandForm(formdata=None, raised_on=today())
    form.set_consultations(demands.project_consultations(project.id))
    return form


def compared_figures(project, figures) -> list[tuple]:
    """The project's demand figures beside its community's and the city's, each row labelled by
    its scope (本项目 / 本社区 / 全市): the name alone does not say which figure is whose. The
    community's and the city's come from the tallies the database keeps, not from counting every
    demand: a project's page costs the same in a small city and a large one."""
    community = project.compound.community
    community_figures, city_figures = demand_tallies.community_and_city_figures(community.id)
    return [
        (_("This project"), project.compound.name, figures, None),
        (_("This community"), community.name, community_figures, url_for("demands.index", community=community.id)),
        (_("City-wide"), None, city_figures, url_for("demands.index")),
    ]


def consultation_raise_form(consultation, formdata=None) -> RaiseDemandForm:
    """The raise form of a consultation's page: dated the day of the consultation, linked to it."""
    form = RaiseDemandForm(formdata=formdata, raised_on=consultation.date, consultation_id=consultation.id)
    form.set_consultations([consultation])
    return form


def consultation_demands_panel(consultation, raise_form: RaiseDemandForm | None = None) -> dict:
    """What a consultation's page shows of its demands: those raised at it (each with its status
    form), and the raise form."""
    can_write = permissions.can_write_consultations(current_user, consultation.project)
    if raise_form is None and can_write:
        raise_form = consultation_raise_form(consultation)
    found = demand_list.find_demands(demand_list.DemandFilter(consultation_id=consultation.id))
    return {"rows": _rows(found, can_write), "raise_form": raise_form, "today": today()}
