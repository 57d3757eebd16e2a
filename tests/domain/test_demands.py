"""Resident demands: the flow, raising and changing, overdue at its boundary, the figures."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from renovation.domain.clock import today
from renovation.domain.residents import demand_list, demands
from renovation.domain.residents.demand_list import DemandFilter, figures
from renovation.domain.residents.demands import (
    DemandConflict,
    DemandRuleViolation,
    change_demand,
    days_overdue,
    raise_demand,
)
from renovation.extensions import db
from renovation.models import AuditEntry
from renovation.models.consultations import Consultation, Demand, DemandEvent
from tests.conftest import count_statements, days_ago, make_project, make_user


def _raise(project, user, **values):
    return raise_demand(project, user, {"category": "parking", "text": "小区停车位不足", "raised_by": "3号楼",
                                        "raised_on": days_ago(2), **values})


@pytest.fixture
def committee(app):
    return make_user("committee", "committee", community="铁路社区")


def test_raise_records_the_demand_its_history_and_audit(project, committee):
    demand = _raise(project, committee)
    assert (demand.status, demand.version, demand.raised_by) == ("pending", 1, "3号楼")
    assert [event.changes for event in demand.events] == [[{"field": "status", "old": None, "new": "pending"}]]
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action.like("demand.%"))) == "demand.raise"


@pytest.mark.parametrize("values, field", [
    ({"category": "fireworks"}, "category"),
    ({"text": "   "}, "text"),
    ({"raised_on": None}, "raised_on"),
])
def test_raise_refuses_bad_values(project, committee, values, field):
    with pytest.raises(DemandRuleViolation) as refused:
        _raise(project, committee, **values)
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count(Demand.id))) == 0


def test_raise_refuses_a_date_in_the_future_but_takes_today(project, committee):
    with pytest.raises(DemandRuleViolation) as refused:
        _raise(project, committee, raised_on=today() + timedelta(days=1))
    assert "raised_on" in refused.value.errors
    assert _raise(project, committee, raised_on=today()).raised_on == today()


def test_raise_takes_only_a_consultation_of_the_same_project(project, committee):
    other = make_project(code="ZP-2026-002", compound="建设新村")
    from renovation.domain.clock import utcnow

    meeting = Consultation(project_id=other.id, date=days_ago(3), kind="council_meeting", topic="雨污分流",
                           created_at=utcnow(), updated_at=utcnow())
    db.session.add(meeting)
    db.session.commit()
    with pytest.raises(DemandRuleViolation) as refused:
        _raise(project, committee, consultation_id=meeting.id)
    assert "consultation_id" in refused.value.errors
    assert _raise(other, committee, consultation_id=meeting.id).consultation_id == meeting.id


def _change(demand, user, **changes):
    return change_demand(demand, user, changes, demand.version)


def test_pending_to_in_progress_to_resolved_with_response(project, committee):
    demand = _raise(project, committee)
    _change(demand, committee, status="in_progress", assignee="王工")
    _change(demand, committee, status="resolved", response="已划定临时停车位")
    assert (demand.status, demand.resolved_on, demand.version) == ("resolved", today(), 3)
    assert len(demand.events) == 3
    fields = [change["field"] for change in demand.events[0].changes]
    assert fields == ["status", "response", "resolved_on"]
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))
                             .where(AuditEntry.action == "demand.update")) == 2


@pytest.mark.parametrize("status, field", [("resolved", "response"), ("declined", "reason")])
@pytest.mark.parametrize("start", ["pending", "in_progress"])
def test_closing_needs_its_text(project, committee, start, status, field):
    demand = _raise(project, committee)
    if start == "in_progress":
        _change(demand, committee, status="in_progress")
    version = demand.version
    with pytest.raises(DemandRuleViolation) as refused:
        _change(demand, committee, status=status, **{field: "  "})
    assert refused.value.errors == {field: demands.REQUIRED_MESSAGES[field]}
    db.session.rollback()
    assert db.session.get(Demand, demand.id).version == version
    _change(demand, committee, status=status, **{field: "理由充分"})
    assert demand.status == status


@pytest.mark.parametrize("final, text", [("resolved", {"response": "已解决"}),
                                         ("declined", {"reason": "不在改造范围"})])
@pytest.mark.parametrize("attempt", [{"status": "pending"}, {"status": "in_progress"}, {"assignee": "李工"}])
def test_closed_demands_are_final(project, committee, final, text, attempt):
    demand = _raise(project, committee)
    _change(demand, committee, status=final, **text)
    with force_locale("en"), pytest.raises(DemandRuleViolation) as refused:
        _change(demand, committee, **attempt)
    assert "cannot be reopened" in refused.value.errors["status"]


def test_in_progress_cannot_go_back_to_pending(project, committee):
    demand = _raise(project, committee)
    _change(demand, committee, status="in_progress")
    with pytest.raises(DemandRuleViolation):
        _change(demand, committee, status="pending")


def test_the_flow_is_data():
    assert demands.FINAL == {"resolved", "declined"}
    assert demands.OPEN == {"pending", "in_progress"}
    assert "pending" not in demands.TRANSITIONS["in_progress"]


def test_stale_version_is_a_conflict_and_saves_nothing(project, committee):
    demand = _raise(project, committee)
    with pytest.raises(DemandConflict):
        change_demand(demand, committee, {"status": "in_progress"}, seen_version=0)
    assert db.session.scalar(sa.select(sa.func.count(DemandEvent.id))) == 1


def test_no_change_writes_nothing(project, committee):
    demand = _raise(project, committee)
    _change(demand, committee, status="pending", assignee="")
    assert demand.version == 1 and len(demand.events) == 1


@pytest.mark.parametrize("age, late", [(14, 0), (15, 0), (16, 1), (20, 5)])
def test_overdue_after_more_than_15_days(project, committee, age, late):
    demand = _raise(project, committee, raised_on=days_ago(age))
    assert days_overdue(demand, today()) == late
    assert figures(DemandFilter()).overdue == (1 if late else 0)
    assert len(demand_list.find_demands(DemandFilter(overdue=True))) == (1 if late else 0)


def test_closed_demands_are_never_overdue(project, committee):
    demand = _raise(project, committee, raised_on=days_ago(40))
    _change(demand, committee, status="declined", reason="重复诉求")
    assert days_overdue(demand, today()) == 0
    assert figures(DemandFilter()).overdue == 0


def test_overdue_days_are_configurable(app, project, committee):
    app.config["DEMAND_OVERDUE_DAYS"] = 5
    demand = _raise(project, committee, raised_on=days_ago(6))
    assert days_overdue(demand, today()) == 1
    assert figures(DemandFilter()).overdue == 1


def _resolved(project, user, age, took):
    demand = _raise(project, user, raised_on=days_ago(age))
    _change(demand, user, status="resolved", response="已处理")
    demand.resolved_on = days_ago(age - took)
    db.session.commit()
    return demand


def test_figures_per_project_community_and_city(project, committee):
    engineer = make_user("engineer", "engineer")
    elsewhere = make_project(code="ZP-2026-002", compound="东门小区", community="东城社区", street="菁城街道")
    _resolved(project, committee, 30, 4)
    _resolved(project, committee, 30, 9)
    _raise(project, committee, raised_on=days_ago(20))  # overdue
    declined = _raise(project, committee, raised_on=days_ago(3))
    _change(declined, committee, status="declined", reason="不在改造范围")
    _raise(elsewhere, engineer, raised_on=days_ago(1))

    mine = figures(DemandFilter(project_id=project.id))
    assert (mine.received, mine.resolved, mine.declined, mine.open, mine.overdue) == (4, 2, 1, 1, 1)
    assert mine.average_days_to_resolve == 6.5
    community = figures(DemandFilter(community_id=project.compound.community_id))
    assert community.received == 4
    city = figures(DemandFilter())
    assert (city.received, city.open, city.overdue) == (5, 2, 1)
    assert figures(DemandFilter(street_id=elsewhere.compound.community.street_id)).received == 1
    assert figures(DemandFilter(category="drainage")).received == 0
    assert figures(DemandFilter(status="resolved")).received == 2
    by_community = demand_list.figures_by_community(DemandFilter())
    assert [(name, scope.received, scope.overdue) for name, _, scope in by_community] == [
        ("铁路社区", 4, 1), ("东城社区", 1, 0)]
    assert by_community[0][2].average_days_to_resolve == 6.5
    empty = figures(DemandFilter(project_id=-1))
    assert (empty.received, empty.average_days_to_resolve) == (0, None)


def test_figures_and_list_take_a_constant_number_of_queries(project, committee):
    def measure():
        with count_statements() as counted:
            figures(DemandFilter())
            demand_list.figures_by_community(DemandFilter())
            found = demand_list.find_demands(DemandFilter())
            [event.user for demand in found for event in demand.events]
            [demand.project.compound.community.name for demand in found]
        return len(counted)

    for _ in range(3):
        _raise(project, committee)
    few = measure()
    for _ in range(20):
        _change(_raise(project, committee), committee, status="in_progress")
    db.session.expire_all()
    assert measure() == few
