"""Demo after-care (长效管理): who looks after Zhangping's compounds once renovated, recorded through
:func:`renovation.domain.aftercare.records.save_aftercare` like an engineer's. Most completed compounds
have a party branch with its building party groups, an owners' committee (about nine in ten of them
红色业委会, as the city's 90.16%) and property management (all of it 红色物业, as the city's 100%); a
few have nobody yet, so the dashboard's list has something to show. Some compounds still under way
have recorded theirs already."""
import random

from sqlalchemy import select

from renovation.demo.data import STREETS as ZHANGPING_STREETS
from renovation.domain.aftercare.records import save_aftercare
from renovation.domain.stages.keys import DONE
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Street

COMPANIES = ("漳平市安居物业服务有限公司", "漳平市菁城物业管理有限公司", "龙岩市恒信物业服务有限公司",
             "漳平市桂林物业服务有限公司")
# The article's model compounds, as it describes them.
MODELS = {
    "九龙桂冠小区": {"party_branch": True, "party_branch_name": "九龙桂冠小区党总支", "building_party_groups": 6,
                  "owners_committee": True, "red_owners_committee": True, "property_management": "professional",
                  "property_company": "漳平市安居物业服务有限公司", "red_property": True},
    "铁路二段生活小区": {"party_branch": True, "party_branch_name": "铁路二段生活小区党支部",
                    "building_party_groups": 4,
                    "owners_committee": True, "red_owners_committee": True, "property_management": "community",
                    "property_company": "", "red_property": True},
}
LIMIT = 141  # Zhangping's programme: a province's other counties get none


def _drawn(rng: random.Random, compound: str) -> dict | None:
    """A compound's after-care, or None (nothing recorded yet)."""
    draw = rng.random()
    if draw < 0.06:
        return None
    if draw < 0.10:  # recorded: nobody looks after it yet
        return {"party_branch": False, "party_branch_name": "", "building_party_groups": 0, "owners_committee": False,
                "red_owners_committee": False, "property_management": "none", "property_company": "",
                "red_property": False}
    branch = rng.random() < 0.9
    committee = rng.random() < 0.8
    management = rng.choices(("professional", "community", "self", "none"), (0.5, 0.3, 0.12, 0.08))[0]
    return {"party_branch": branch, "party_branch_name": f"{compound}党支部" if branch else "",
            "building_party_groups": rng.randint(1, 5) if branch else 0,
            "owners_committee": committee, "red_owners_committee": committee and rng.random() < 0.9,
            "property_management": management,
            "property_company": rng.choice(COMPANIES) if management == "professional" else "",
            "red_property": management != "none"}


def seed(user, seed_value: int = 20261127) -> int:
    """Record the after-care of most of Zhangping's completed compounds and a quarter of the others;
    returns how many were recorded."""
    rng = random.Random(seed_value + 16)
    rows = db.session.execute(
        select(Project, Compound.name).join(Compound).join(Community).join(Street)
        .where(Street.name.in_(list(ZHANGPING_STREETS))).order_by(Project.code).limit(LIMIT)).all()
    recorded = 0
    for project, compound in rows:
        if project.current_stage != DONE and compound not in MODELS and rng.random() >= 0.25:
            continue
        values = MODELS.get(compound) or _drawn(rng, compound)
        if values is not None:
            save_aftercare(project, user, values, 0)
            recorded += 1
    return recorded
