"""A small programme for the bulletin tests: projects in two streets at known stages, photo
pairs, consultations with votes, and demands."""
import io
from datetime import timedelta
from decimal import Decimal

from renovation.domain.clock import today, utcnow
from renovation.domain.photos.operations import add_photo
from renovation.domain.photos.pairing import pair_photos
from renovation.extensions import db
from renovation.models import Consultation, Demand, Vote
from tests.conftest import make_project
from tests.domain.photo_samples import jpeg

DONE = {"status": "completed", "percent": 100}


def completed_stages() -> dict:
    return {key: {**DONE, "actual_start": today() - timedelta(days=200), "actual_end": today() - timedelta(days=10)}
            for key in ("survey", "rain_sewage", "facade", "paving", "acceptance")}


def on_track(code, **kwargs):
    """A project planned to start in the future: nothing is behind."""
    return make_project(code=code, start=today() + timedelta(days=10), **kwargs)


def programme():
    """Three projects: one completed (桂林街道), one under way and behind (桂林街道), one not
    started and behind (菁城街道)."""
    done = make_project("ZP-2026-001", "九龙桂冠小区", "桂冠社区", "桂林街道", households=200,
                        stages=completed_stages(), start=today() - timedelta(days=400))
    going = make_project("ZP-2026-002", "铁路二段生活小区", "铁路社区", "桂林街道", households=120, stages={
        "survey": {**DONE, "actual_start": today() - timedelta(days=60), "actual_end": today() - timedelta(days=40)},
        "rain_sewage": {"status": "in_progress", "percent": 40, "actual_start": today() - timedelta(days=30),
                        "planned_end": today() - timedelta(days=12), "note": "管网迁改协调中"}})
    idle = make_project("ZP-2026-003", "粮食局宿舍", "城中社区", "菁城街道", households=80)
    done.investment_completed = Decimal("410.50")
    going.investment_completed = Decimal("90")
    db.session.commit()
    return done, going, idle


def add_pair(project, user, seed=0, caption="单元入口"):
    before = add_photo(project, user, f"b{seed}.jpg", io.BytesIO(jpeg(size=(640, 480), seed=seed)),
                       "before", "facade", caption + "改造前")
    after = add_photo(project, user, f"a{seed}.jpg", io.BytesIO(jpeg(size=(640, 480), seed=seed + 100)),
                      "after", "facade", caption + "改造后")
    return pair_photos(project, user, before, after)


def add_consultation(project, passed=None, days=5):
    now = utcnow()
    consultation = Consultation(project_id=project.id, date=today() - timedelta(days=days),
                                kind="council_meeting", topic="雨污分流施工方案", created_at=now, updated_at=now)
    if passed is not None:
        consultation.vote = Vote(
            matter="同意实施雨污分流改造",
            matter_class="special",
            total_owners=100,
            total_area=Decimal("8000"),
            participating_owners=90,
            participating_area=Decimal("7500"),
            agree_owners=80 if passed else 40,
            agree_area=Decimal("7000") if passed else Decimal("3000"),
            oppose_owners=10,
            oppose_area=Decimal("500"),
            abstain_owners=0,
            abstain_area=Decimal("0"),
            passed=passed,
        )
    db.session.add(consultation)
    db.session.commit()
    return consultation


def add_demand(project, status="pending", days=3, text="增设停车位"):
    now = utcnow()
    demand = Demand(
        project_id=project.id,
        category="parking",
        text=text,
        raised_on=today() - timedelta(days=days),
        status=status,
        created_at=now,
        updated_at=now,
        resolved_on=today() if status in ("resolved", "declined") else None,
        response="已答复" if status == "resolved" else "",
    )
    db.session.add(demand)
    db.session.commit()
    return demand
