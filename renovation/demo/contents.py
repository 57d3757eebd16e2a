"""Demo renovation content: what each of Zhangping's projects delivers, in quantities, with the share
done following its stages (pipes as far as rain/sewage separation has gone, roads as far as paving…),
added through :func:`renovation.domain.contents.operations.add_content` like an engineer's; and
hidden-works (隐蔽工程) photos of the buried pipes for a few projects, so that the rule and the list of
projects without them both have something to show."""
import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from renovation.demo.data import STREETS as ZHANGPING_STREETS
from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import add_content
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Street

# item key → (stage whose progress it follows, planned range, 万元 per unit)
PLAN = {
    "rain_sewage_pipes": ("rain_sewage", (600, 2200), Decimal("0.045")),
    "water_pipes": ("rain_sewage", (300, 1200), Decimal("0.03")),
    "facade": ("facade", (4000, 16000), Decimal("0.018")),
    "roof_waterproofing": ("facade", (1500, 6000), Decimal("0.012")),
    "roads": ("paving", (1800, 7000), Decimal("0.02")),
    "parking": ("paving", (20, 120), Decimal("0.3")),
    "elevators": ("facade", (1, 4), Decimal("45")),
    "lighting": ("paving", (10, 60), Decimal("0.5")),
}
ALWAYS = ("rain_sewage_pipes", "facade", "roads")
SOMETIMES = ("water_pipes", "roof_waterproofing", "parking", "elevators", "lighting")
LIMIT = 141  # Zhangping's programme: a province's other counties get none


def seed(user, seed_value: int = 20261127) -> int:
    """Give Zhangping's projects their contents; returns how many contents were added."""
    catalogue.ensure_default_items()
    rng = random.Random(seed_value)
    added = 0
    for project in _zhangping_projects():
        percents = {stage.key: stage.percent for stage in project.stages}
        keys = list(ALWAYS) + [key for key in SOMETIMES if rng.random() < 0.4]
        for key in keys:
            stage, (low, high), unit_cost = PLAN[key]
            planned = Decimal(rng.randint(low, high))
            if high > 1000:  # metres and m² are measured to the half
                planned += Decimal(rng.choice(["0", "0.5"]))
            done = (planned * percents.get(stage, 0) / 100).quantize(
                Decimal("1") if high <= 120 else Decimal("0.1"), rounding=ROUND_HALF_UP)
            add_content(project, user, {"item": key, "planned_quantity": planned,
                                        "completed_quantity": min(done, planned),
                                        "investment": (planned * unit_cost).quantize(Decimal("0.01"))})
            added += 1
    return added


def _zhangping_projects() -> list[Project]:
    return list(db.session.scalars(
        select(Project).join(Compound).join(Community).join(Street)
        .where(Street.name.in_(list(ZHANGPING_STREETS))).options(selectinload(Project.stages))
        .order_by(Project.code).limit(LIMIT)))


def seed_hidden_works(user, projects: int = 2) -> int:
    """Two hidden-works photos of the open trench for ``projects`` projects whose pipes are being laid
    (drawn like the other demo photos), linked to their rain/sewage pipes; returns the photos made."""
    from renovation.demo.photos import _jpeg, _scene  # Pillow, only when the demo is seeded
    from renovation.domain.contents.operations import contents_of
    from renovation.domain.photos.operations import add_photo

    made = 0
    candidates = [project for project in _zhangping_projects()
                  if project.stage("rain_sewage").status in ("in_progress", "completed")][:projects]
    for number, project in enumerate(candidates):
        pipes = next((content for content in contents_of(project.id) if content.item.key == "rain_sewage_pipes"), None)
        stage = project.stage("rain_sewage")
        for shot in range(2):
            day = stage.actual_start + timedelta(days=3 + shot * 5)
            add_photo(project, user, f"IMG_{5000 + number * 2 + shot}.jpg",
                      _jpeg(_scene(7000 + number * 2 + shot, after=False, works=True), day), "during", "rain_sewage",
                      f"雨污分流管网沟槽（回填前）{shot + 1}", hidden_works=True,
                      content_id=pipes.id if pipes else None)
            made += 1
    return made
