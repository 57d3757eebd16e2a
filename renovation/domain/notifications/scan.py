"""What time brings, found by the periodic job (every ``NOTIFY_SCAN_MINUTES``) and ``flask notify``:

- a difficult problem still open or in hand due within ``NOTIFY_PROBLEM_DUE_DAYS`` (3) days, and
  one past its deadline: for its leader and the users linked to its project;
- a resident demand that has just become overdue (``DEMAND_OVERDUE_DAYS``): for the committee of
  its community and the users linked to its project;
- a stage that has just fallen behind by more than ``NOTIFY_STAGE_BEHIND_DAYS``: for the users
  linked to its project;
and, for each, the chat robots of the place that want it.

"Just": within the last :data:`CATCH_UP_DAYS` days. A demand or a stage that crossed its line
longer ago is not announced any more (the lists and the leader's home show it): the first run,
or a worker stopped for a few days, does not flood anyone. Problems are few and each matters:
every open one is announced. Each notification names its occurrence (the deadline it missed), so
a scan repeated every quarter of an hour writes it once, and a moved deadline announces again.
"""
from collections import defaultdict
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from renovation.domain import clock
from renovation.domain.notifications.events import Event, project_area, project_facts, record
from renovation.domain.notifications.texts import SHORT_TEXT
from renovation.domain.problems.flow import RUNNING, days_overdue
from renovation.domain.residents.demands import OPEN, overdue_days_setting
from renovation.domain.stages.keys import Status
from renovation.domain.stages.schedule import stage_deadline
from renovation.extensions import db
from renovation.models import Compound, Demand, Problem, Project, Stage, User
from renovation.models.notifications import NotificationKind
from renovation.models.users import Role

K = NotificationKind
CATCH_UP_DAYS = 7


def _with_place():
    return joinedload(Project.compound).joinedload(Compound.community)


def linked_users_by_project(today: date) -> dict[int, list]:
    """The users linked to each project today (one query per active user: the bureau has tens)."""
    from renovation.domain.leaders.links import linked_project_ids

    linked = defaultdict(list)
    for user in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
        for project_id in linked_project_ids(user, today):
            linked[project_id].append(user)
    return linked


def problem_events(today: date, linked: dict) -> list[Event]:
    due_days = int(current_app.config.get("NOTIFY_PROBLEM_DUE_DAYS", 3))
    problems = db.session.scalars(
        select(Problem).where(Problem.status.in_([status.value for status in RUNNING]),
                              Problem.deadline <= today + timedelta(days=due_days))
        .options(joinedload(Problem.project).options(_with_place()), joinedload(Problem.leader))
        .order_by(Problem.id))
    events = []
    for problem in problems:
        late = days_overdue(problem, today)
        kind = K.PROBLEM_OVERDUE if late else K.PROBLEM_DUE_SOON
        facts = {**project_facts(problem.project), "title": problem.title, "deadline": problem.deadline.isoformat(),
                 "leader": problem.leader.name if problem.leader else "",
                 "days": late or (problem.deadline - today).days}
        events.append(Event(kind, problem.id, facts, [problem.leader, *linked.get(problem.project_id, [])],
                            occurrence=problem.deadline.isoformat(), area=project_area(problem.project)))
    return events


def _committees_by_community() -> dict[int, list]:
    committees = defaultdict(list)
    for user in db.session.scalars(select(User).where(User.role == Role.COMMITTEE.value, User.active.is_(True))):
        committees[user.community_id].append(user)
    return committees


def demand_events(today: date, linked: dict) -> list[Event]:
    limit = overdue_days_setting()
    # Overdue by 1 to CATCH_UP_DAYS days: raised between these two days.
    earliest, latest = today - timedelta(days=limit + CATCH_UP_DAYS), today - timedelta(days=limit + 1)
    demands = db.session.scalars(
        select(Demand).where(Demand.status.in_([status.value for status in OPEN]),
                             Demand.raised_on.between(earliest, latest))
        .options(joinedload(Demand.project).options(_with_place())).order_by(Demand.id))
    committees = _committees_by_community()
    events = []
    for demand in demands:
        text = " ".join(demand.text.split())
        facts = {**project_facts(demand.project), "text": text[:SHORT_TEXT] + ("…" if len(text) > SHORT_TEXT else ""),
                 "days": (today - demand.raised_on).days}
        recipients = [*committees.get(demand.project.compound.community_id, []), *linked.get(demand.project_id, [])]
        events.append(Event(K.DEMAND_OVERDUE, demand.id, facts, recipients, area=project_area(demand.project)))
    return events


def stage_events(today: date, linked: dict) -> list[Event]:
    behind = int(current_app.config.get("NOTIFY_STAGE_BEHIND_DAYS", 7))
    # Behind by behind+1 to behind+CATCH_UP_DAYS days: the stage's deadline between these two days.
    earliest, latest = today - timedelta(days=behind + CATCH_UP_DAYS), today - timedelta(days=behind + 1)
    open_statuses = [status.value for status in Status if status not in (Status.COMPLETED, Status.NOT_APPLICABLE)]
    stages = db.session.scalars(
        select(Stage).where(Stage.status.in_(open_statuses), or_(
            Stage.planned_end.between(earliest, latest),
            and_(Stage.status == Status.NOT_STARTED.value, Stage.planned_start.between(earliest, latest))))
        .options(joinedload(Stage.project).options(_with_place())).order_by(Stage.id))
    events = []
    for stage in stages:
        deadline = stage_deadline(stage)
        if deadline is None or not earliest <= deadline <= latest:
            continue  # its earlier deadline (the start it missed) was announced before, or is too old
        facts = {**project_facts(stage.project), "stage": stage.key, "days": (today - deadline).days,
                 "deadline": deadline.isoformat()}
        events.append(Event(K.STAGE_BEHIND, stage.id, facts, linked.get(stage.project_id, []),
                            occurrence=deadline.isoformat(), area=project_area(stage.project)))
    return events


def scan(today: date | None = None) -> int:
    """Write what time brought today (default: :func:`clock.today`) and commit; how many events."""
    today = today or clock.today()
    linked = linked_users_by_project(today)
    events = [*problem_events(today, linked), *demand_events(today, linked), *stage_events(today, linked)]
    for event in events:
        record(event)
    db.session.commit()
    return len(events)
