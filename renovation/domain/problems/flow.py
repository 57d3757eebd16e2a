"""The way of a difficult problem, as data: 待研判 (open) → 领办中 (in hand: a leader assigned) →
已解决 (solved, with the resolution and its date) or 挂起 (suspended, with the reason); a solved or
suspended problem is reopened with a reason. Who may take which step is
:func:`renovation.permissions.can_take_problem_step`'s."""
from datetime import date
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l

from renovation.models.problems import ProblemStatus

S = ProblemStatus


class Step(StrEnum):
    """What can happen to a problem."""

    RAISE = "raise"
    ASSIGN = "assign"  # an engineer or admin names the leader (again)
    TAKE_ON = "take_on"  # a leader takes an open problem on themselves
    SOLVE = "solve"
    SUSPEND = "suspend"
    REOPEN = "reopen"
    EDIT = "edit"  # the facts: title, description, category, departments, proposal, deadline, stage, photos


STEP_LABELS = {
    Step.RAISE: _l("Raised"),
    Step.ASSIGN: _l("Leader assigned"),
    Step.TAKE_ON: _l("Taken on"),
    Step.SOLVE: _l("Solved"),
    Step.SUSPEND: _l("Put on hold"),
    Step.REOPEN: _l("Reopened"),
    Step.EDIT: _l("Edited"),
}

# The statuses a step may be taken from.
STEP_FROM: dict[Step, frozenset[ProblemStatus]] = {
    Step.ASSIGN: frozenset({S.OPEN, S.IN_HAND}),
    Step.TAKE_ON: frozenset({S.OPEN}),
    Step.SOLVE: frozenset({S.IN_HAND}),
    Step.SUSPEND: frozenset({S.OPEN, S.IN_HAND}),
    Step.REOPEN: frozenset({S.SOLVED, S.SUSPENDED}),
    Step.EDIT: frozenset({S.OPEN, S.IN_HAND, S.SUSPENDED}),
}
# What a step must be given, and what is said when it is not.
STEP_NEEDS: dict[Step, tuple[str, ...]] = {
    Step.ASSIGN: ("leader",),
    Step.SOLVE: ("resolution",),
    Step.SUSPEND: ("reason",),
    Step.REOPEN: ("reason",),
}
NEEDED_MESSAGES = {
    "leader": _l("Choose the leader who takes the problem on."),
    "resolution": _l("Write how the problem was solved."),
    "reason": _l("Write the reason."),
}
NOT_NOW_MESSAGES = {
    Step.ASSIGN: _l("Only a problem awaiting assessment or in hand can be given to a leader."),
    Step.TAKE_ON: _l("Only a problem awaiting assessment can be taken on."),
    Step.SOLVE: _l("Only a problem a leader has taken on can be marked solved."),
    Step.SUSPEND: _l("Only a problem awaiting assessment or in hand can be suspended."),
    Step.REOPEN: _l("Only a solved or suspended problem can be reopened."),
    Step.EDIT: _l("A solved problem cannot be changed; reopen it first."),
}
UNSOLVED = frozenset({S.OPEN, S.IN_HAND, S.SUSPENDED})
# A problem counts against its deadline while someone is working on it; a suspended one waits.
RUNNING = frozenset({S.OPEN, S.IN_HAND})

# The leading group's member departments and the utilities (PROBLEM_DEPARTMENTS overrides them).
DEFAULT_DEPARTMENTS = (
    "市住房和城乡建设局", "市发展和改革局", "市财政局", "市自然资源局", "市城市管理和综合执法局",
    "市市场监督管理局", "市民政局", "市公安局", "菁城街道办事处", "桂林街道办事处",
    "国网漳平市供电公司", "中国电信漳平分公司", "中国移动漳平分公司", "中国联通漳平分公司",
    "漳平市燃气公司", "漳平市自来水公司",
)


def departments_setting() -> tuple[str, ...]:
    """The departments a problem may concern (``PROBLEM_DEPARTMENTS``), in the configured order."""
    configured = current_app.config.get("PROBLEM_DEPARTMENTS") or DEFAULT_DEPARTMENTS
    return tuple(configured)


def status_after(step: Step, problem) -> str:
    """The status a problem is in after ``step``: reopened, it goes back to its leader if it has one."""
    if step in (Step.ASSIGN, Step.TAKE_ON):
        return S.IN_HAND.value
    if step == Step.SOLVE:
        return S.SOLVED.value
    if step == Step.SUSPEND:
        return S.SUSPENDED.value
    if step == Step.REOPEN:
        return S.IN_HAND.value if problem.leader_id else S.OPEN.value
    return problem.status


def may_be_taken(step: Step, status: str) -> bool:
    """Whether ``step`` may be taken from ``status`` (the rule; the user's permission is separate)."""
    return status in STEP_FROM.get(step, frozenset())


def days_overdue(problem, today: date) -> int:
    """How many days past its deadline an open or in-hand problem is; 0 when it is not overdue
    (on the deadline itself it is not yet late; a solved or suspended problem never is)."""
    if problem.status not in RUNNING or problem.deadline is None:
        return 0
    return max(0, (today - problem.deadline).days)


def is_overdue(problem, today: date) -> bool:
    return days_overdue(problem, today) > 0
