"""Demo acceptance with the residents (竣工验收), recorded through
:func:`renovation.domain.acceptance.records.record_acceptance` like an engineer's: a few of Zhangping's
completed compounds were accepted with their residents' representatives, every content item checked,
some after a first attempt whose item to rectify was closed with a note; and a compound whose
acceptance is under way has an item still open, which keeps 竣工验收 from being completed."""
import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from renovation.demo.data import STREETS as ZHANGPING_STREETS
from renovation.domain.acceptance import records, rectifications
from renovation.domain.clock import today
from renovation.domain.contents.operations import contents_of
from renovation.domain.stages.keys import StageKey, Status
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Street

NAMES = ("陈秀英", "王建国", "林桂芳", "黄志明", "张淑珍", "李国华", "吴美玲", "郑德福", "刘金水", "苏丽华")
COMPLETED_SHOWN = 4  # completed compounds with their acceptance recorded
UNDER_WAY_SHOWN = 1  # compounds whose acceptance is under way, with an item still open
# What an acceptance finds wanting, by content item.
FLAWS = {"rain_sewage_pipes": "检查井井盖松动，需重新固定", "water_pipes": "水表箱未封闭",
         "facade": "局部外墙涂料脱落", "roof_waterproofing": "屋面局部渗漏", "roads": "路面接缝处开裂",
         "parking": "停车位标线不清", "elevators": "电梯井道渗水", "lighting": "楼道照明感应失灵"}


def _representatives(rng: random.Random, buildings: int) -> list[dict]:
    named = [{"name": name, "represents": f"{rng.randint(1, max(buildings, 1))}号楼居民"}
             for name in rng.sample(NAMES, rng.randint(2, 3))]
    return [*named, {"headcount": rng.randint(2, 6), "represents": "其他楼栋居民"}]


def _values(rng, project, contents, accepted_on, flaw: bool) -> dict:
    checks = [{"content_id": content.id, "result": "accepted", "note": ""} for content in contents]
    wanting = [check for check, content in zip(checks, contents, strict=True) if content.item.key in FLAWS]
    if flaw and wanting:
        check = rng.choice(wanting)
        key = next(content.item.key for content in contents if content.id == check["content_id"])
        check.update(result="rectify", note=FLAWS[key], deadline=accepted_on + timedelta(days=14),
                     responsible_unit="contractor")
    return {"accepted_on": accepted_on, "units": ["construction_owner", "contractor", "supervisor",
                                                  "street_community"],
            "representatives": _representatives(rng, project.buildings or 4), "checks": checks,
            "summary": "经建设、施工、监理单位和街道社区及居民代表现场查验，" + (
                "除整改事项外，其余改造内容符合要求。" if flaw else "改造内容符合设计和规范要求，同意通过验收。")}


def seed(user, seed_value: int = 20261127) -> int:
    """Record the acceptances; returns how many were recorded."""
    rng = random.Random(seed_value + 23)
    projects = list(db.session.scalars(
        select(Project).join(Compound).join(Community).join(Street)
        .where(Street.name.in_(list(ZHANGPING_STREETS))).options(selectinload(Project.stages))
        .order_by(Project.code)))
    completed = [p for p in projects if p.stage(StageKey.ACCEPTANCE).status == Status.COMPLETED]
    under_way = [p for p in projects if p.stage(StageKey.ACCEPTANCE).status == Status.IN_PROGRESS]
    recorded = 0
    for index, project in enumerate(completed[:COMPLETED_SHOWN]):
        stage = project.stage(StageKey.ACCEPTANCE)
        accepted_on = stage.actual_end or today()
        contents = contents_of(project.id)
        if index % 2 == 1:  # a first attempt found one item wanting; it was rectified, then accepted
            first = max(stage.actual_start or accepted_on - timedelta(days=20), accepted_on - timedelta(days=20))
            records.record_acceptance(project, user, _values(rng, project, contents, first, True),
                                      today=accepted_on)
            for item in rectifications.rectifications_of(project.id):
                rectifications.close_rectification(item, user, {"note": "已按要求整改完毕，经复查合格。"},
                                                   item.version, today=accepted_on)
            recorded += 1
        records.record_acceptance(project, user, _values(rng, project, contents, accepted_on, False),
                                  today=accepted_on)
        recorded += 1
    for project in under_way[:UNDER_WAY_SHOWN]:
        contents = contents_of(project.id)
        records.record_acceptance(project, user, _values(rng, project, contents, today() - timedelta(days=3), True))
        recorded += 1
    return recorded
