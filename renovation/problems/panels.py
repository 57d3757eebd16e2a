"""What the problem pages show, built from the records and the signed-in user: the project page's
problems section, a problem's page with the step forms the user may use now, and the forms
themselves (blank, or as the user typed them)."""
from datetime import timedelta

from flask_login import current_user

from renovation import permissions
from renovation.domain import clock
from renovation.domain.problems import facts, listing
from renovation.domain.problems.flow import STEP_FROM, Step, departments_setting
from renovation.problems.forms import AssignForm, ProblemForm, ReopenForm, SolveForm, SuspendForm, TakeOnForm

STEP_FORMS = {Step.ASSIGN: AssignForm, Step.TAKE_ON: TakeOnForm, Step.SOLVE: SolveForm,
              Step.SUSPEND: SuspendForm, Step.REOPEN: ReopenForm, Step.EDIT: ProblemForm}
STEPS_SHOWN = (Step.TAKE_ON, Step.ASSIGN, Step.SOLVE, Step.SUSPEND, Step.REOPEN, Step.EDIT)
DEFAULT_DAYS = 14  # a new problem's deadline, to start from


def problem_form(project, formdata=None, problem=None) -> ProblemForm:
    """The facts form: blank (a deadline two weeks ahead) or the problem's, with its choices."""
    if problem is None:
        form = ProblemForm(formdata=formdata, deadline=clock.today() + timedelta(days=DEFAULT_DAYS))
        kept = ()
    else:
        form = ProblemForm(formdata=formdata, data={
            "title": problem.title, "category": problem.category, "description": problem.description,
            "stage": problem.stage_key or "", "departments": list(problem.departments or []),
            "proposal": problem.proposal, "deadline": problem.deadline,
            "photos": [photo.id for photo in problem.photos], "version": problem.version})
        kept = [name for name in problem.departments or [] if name not in departments_setting()]
    form.set_choices([*departments_setting(), *kept], facts.project_photos(project.id))
    return form


def step_form(problem, step: Step, formdata=None):
    """The form of one step, blank (with the version seen) or as the user sent it."""
    if step == Step.EDIT:
        return problem_form(problem.project, formdata, problem)
    form = STEP_FORMS[step](formdata=formdata, version=problem.version)
    if step == Step.ASSIGN:
        form.set_leaders(facts.leaders())
    return form


def step_forms(problem, sent: dict | None = None) -> dict:
    """The forms of the steps the user may take now, in the order the page shows them; ``sent``:
    a form as the user sent it, in place of the blank one."""
    sent = sent or {}
    forms = {}
    for step in STEPS_SHOWN:
        if problem.status in STEP_FROM[step] and permissions.can_take_problem_step(current_user, problem, step):
            if step == Step.TAKE_ON and problem.leader_id:
                continue
            forms[step.value] = sent.get(step.value) or step_form(problem, step)
    return forms


def problem_page(problem, sent: dict | None = None, **context) -> dict:
    """Everything a problem's page shows."""
    return {"problem": problem, "project": problem.project, "today": clock.today(),
            "forms": step_forms(problem, sent), **context}


def problems_panel(project, problems=None, raise_form: ProblemForm | None = None) -> dict:
    """The project page's problems: the rows (unsolved first), whether the user may raise one, and
    ``raise_form`` with the user's input after a refused raise (otherwise the section asks for a
    blank one when 反映困难问题 is opened)."""
    can_raise = permissions.can_raise_problem(current_user, project)
    rows = problems if problems is not None else listing.project_problems(project.id)
    return {"rows": rows, "can_raise": can_raise, "raise_form": raise_form if can_raise else None,
            "today": clock.today()}
