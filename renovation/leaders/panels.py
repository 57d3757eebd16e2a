"""What the site-visit section of a project page and a leader's page show, built from the records
and the signed-in user, with the visit form blank or as the user typed it."""
from datetime import timedelta

from flask_login import current_user

from renovation import permissions
from renovation.domain import clock
from renovation.domain.leaders import links, visits
from renovation.domain.problems import listing as problem_listing
from renovation.domain.problems.listing import ProblemFilter
from renovation.leaders.forms import VisitForm
from renovation.models.users import Role

PROBLEM_DAYS = 14  # a problem raised on the spot: its deadline, to start from
PROBLEMS_SHOWN = 100  # a leader's page: their problems, the most urgent first


def visit_form(project, formdata=None) -> VisitForm:
    """The visit form, blank (today, the recording leader ticked) or as the user sent it."""
    today = clock.today()
    mine = [current_user.id] if current_user.role == Role.LEADER.value else []
    form = VisitForm(formdata=formdata, data=None if formdata else {
        "visited_on": today, "leaders": mine, "problem": {"deadline": today + timedelta(days=PROBLEM_DAYS)}})
    form.set_choices(visits.who_may_have_come(project, today), problem_listing.project_problems(project.id))
    return form


def visits_panel(project, form: VisitForm | None = None, rows: list | None = None) -> dict:
    """The project page's visits, the latest first (``rows`` when the caller has them); whether the
    user may record one, and ``form`` with the user's input after a refused one (otherwise the
    section asks for a blank one when 记录蹲点调研 is opened)."""
    can_record = permissions.can_record_visit(current_user, project)
    return {"rows": visits.project_visits(project.id) if rows is None else rows, "can_record": can_record,
            "form": form if can_record else None}


def leader_page(user) -> dict:
    """A leader's page: their links (current first), the visits they came on, their problems."""
    today = clock.today()
    problems = problem_listing.problem_page(ProblemFilter(leader_id=user.id), today, 1, PROBLEMS_SHOWN)
    return {"leader": user, "today": today, "links": links.links_of(user.id, today),
            "visits": visits.visits_of(user.id), "problems": problems,
            "can_manage": permissions.can_manage_leader_links(current_user)}
