"""The demo's resident consultation (renovation.demo.residents): consultations, votes and
demands that obey the same rules as the ones people enter, on the same day as the programme."""
from datetime import date

import pytest
import sqlalchemy as sa

from renovation.demo import data as demo_data
from renovation.domain.residents import votes
from renovation.domain.residents.consultations import decision_of, figures_of
from renovation.domain.residents.demand_list import DemandFilter, figures
from renovation.domain.residents.demands import FINAL, OPEN
from renovation.extensions import db
from renovation.models import Project, Stage
from renovation.models.consultations import Consultation, Demand, DemandEvent, Vote

TODAY = date(2026, 6, 30)


@pytest.fixture
def demo(app):
    demo_data.seed(141, today=TODAY)
    db.session.commit()


def _all(model):
    return db.session.scalars(sa.select(model).order_by(model.id)).all()


def test_started_projects_have_been_consulted_and_unstarted_ones_not(demo):
    started = set(db.session.scalars(sa.select(Stage.project_id).where(
        Stage.key == "survey", Stage.actual_start.is_not(None))))
    consulted = {c.project_id for c in _all(Consultation)}
    assert consulted == started and len(started) < 141
    for consultation in _all(Consultation):
        assert consultation.date <= TODAY and consultation.topic
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 141


def test_every_vote_is_consistent_and_decided_as_the_app_decides(demo):
    found = _all(Vote)
    assert len(found) > 50
    for vote in found:
        assert votes.figure_errors(figures_of(vote)) == {}, vote.id
        assert vote.passed == decision_of(vote).passed
        assert vote.total_owners == vote.consultation.project.households
        assert vote.consultation.kind == "council_meeting"
    passed = sum(vote.passed for vote in found)
    assert 0 < len(found) - passed < len(found) / 4  # a few fail, as in life


def test_demands_follow_the_flow_and_a_few_are_overdue(demo):
    found = _all(Demand)
    assert len(found) > 50
    for demand in found:
        assert demand.raised_on <= TODAY
        if demand.status == "resolved":
            assert demand.response and demand.raised_on <= demand.resolved_on <= TODAY
        elif demand.status == "declined":
            assert demand.reason and demand.resolved_on
        else:
            assert demand.status in OPEN and demand.resolved_on is None
        statuses = [change["new"] for event in sorted(demand.events, key=lambda e: e.at)
                    for change in event.changes if change["field"] == "status"]
        assert statuses[0] == "pending" and statuses[-1] == demand.status
        if demand.consultation_id:
            assert demand.consultation.project_id == demand.project_id
    city = figures(DemandFilter(), today=TODAY)
    assert city.received == len(found)
    assert 0 < city.overdue < city.received / 4
    assert city.resolved > city.open
    assert {d.status for d in found} == {s.value for s in OPEN | FINAL}


def test_written_rows_leave_the_id_sequences_ready_for_new_ones(demo, app):
    """After the bulk insert, a consultation added the usual way gets a fresh id."""
    project = db.session.scalars(sa.select(Project)).first()
    consultation = Consultation(project=project, date=TODAY, kind="hearing", topic="听证会",
                                created_at=demo_now(), updated_at=demo_now())
    db.session.add(consultation)
    db.session.commit()
    assert consultation.id == max(c.id for c in _all(Consultation))
    assert len(_all(DemandEvent)) > len(_all(Demand))


def demo_now():
    from renovation.domain.clock import utcnow

    return utcnow()
