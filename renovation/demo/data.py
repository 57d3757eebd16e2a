"""A deterministic, plausible demo programme: streets, communities, compounds, projects, users.

Zhangping's programme (the article's 141 projects) and, for a larger demo, the rest of the
province county by county (:mod:`renovation.demo.counties`), inserted in bulk.

The plan of every project is laid out from its batch; what has been done is what the plan
says should be done by now, less a lag drawn at random (most projects small, some large, a
few suspended), so that the programme looks like a real one on whatever day it is loaded.
The same seed and day always give the same data.
"""
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import func, select

from renovation.demo import counties
from renovation.demo import residents as demo_residents
from renovation.domain import project_search
from renovation.domain.bulk_insert import IdBlock, analyze_while_loading, insert_rows, sync_id_sequences
from renovation.domain.clock import today as china_today
from renovation.domain.clock import utcnow
from renovation.domain.stages.keys import STAGE_ORDER, StageKey, Status
from renovation.domain.stages.rules import StageState
from renovation.domain.stages.schedule import current_stage, next_deadline, overall_progress, work_begun
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street

STREETS = {
    "菁城街道": ["城中社区", "九鹏社区", "西园社区", "华侨社区", "和平社区", "解放社区"],
    "桂林街道": ["桂林社区", "铁路社区", "九龙社区", "南门社区", "北门社区", "同德社区"],
    "新桥镇": ["新桥社区", "城口社区", "北坑社区"],
}
# Compounds named in the article, placed where it says they are.
NAMED_COMPOUNDS = [("九龙桂冠小区", "九龙社区", 1998), ("铁路二段生活小区", "铁路社区", 1984)]
COMPOUND_NAMES = [
    "新华新村", "粮食局宿舍", "农机公司宿舍区", "供销社宿舍", "水电局宿舍", "电力公司宿舍",
    "一中教师宿舍", "人民医院宿舍", "烟草公司宿舍", "建行宿舍", "工商局宿舍", "纺织厂生活区",
    "化肥厂生活区", "水泥厂生活区", "木材公司宿舍", "邮电局宿舍", "交通局宿舍", "林业局宿舍",
    "百货公司宿舍", "糖厂生活区", "税务局宿舍", "农业银行宿舍", "财政局宿舍", "公安局宿舍",
    "城关小学教师楼", "机械厂生活区", "煤矿家属区", "食品公司宿舍", "自来水公司宿舍", "啤酒厂生活区",
    "红旗新村", "东风新村", "建设新村", "和平里小区", "解放路小区", "九鹏溪小区", "菁华苑",
    "桂林新村", "南门小区", "北门小区", "西园新村", "华侨新村", "新桥小区", "城口小区",
    "气象局宿舍", "法院宿舍", "检察院宿舍", "卫生局宿舍", "教育局宿舍", "文化局宿舍",
]
CONTRACTORS = [
    "福建漳平建工集团有限公司", "龙岩市第一建筑工程有限公司", "福建九龙建设集团有限公司",
    "漳平市城建工程有限公司", "福建恒盛建设工程有限公司",
]
SUPERVISORS = ["龙岩市建设监理有限公司", "福建闽西工程监理有限公司", "漳平市正信工程咨询有限公司"]
ENGINEERS = ["陈志强", "林建华", "黄文斌", "郑晓东", "吴国平", "刘海燕", "张伟"]
SUSPENSION_REASONS = [
    "雨季停工，待天气好转后复工。", "部分居民意见分歧，暂缓施工，社区正在协调。",
    "燃气管线迁改协调中。", "施工单位资金未到位，已约谈。",
]
# Planned windows of each stage, in days from the project's planned start.
STAGE_WINDOWS = {
    StageKey.SURVEY: (0, 60),
    StageKey.RAIN_SEWAGE: (60, 180),
    StageKey.FACADE: (120, 270),
    StageKey.PAVING: (210, 330),
    StageKey.ACCEPTANCE: (330, 365),
}
# (share of projects, earliest and latest planned start in days before the day of loading):
# the oldest batch mostly finished, the middle one under way, the newest still early on.
BATCHES = [(0.2, 600, 420), (0.45, 420, 150), (0.35, 150, 10)]
BATCH_NAMES = {1: "第一批", 2: "第二批"}
ZHANGPING_PROJECTS = 141  # the article's programme; a larger demo adds other counties
ZHANGPING = SimpleNamespace(prefix="ZP", contractors=CONTRACTORS, supervisors=SUPERVISORS, engineers=ENGINEERS)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Project))


def seed(projects: int = 141, seed_value: int = 20261127, today: date | None = None) -> int:
    """Insert the demo programme and return its number of projects.

    Up to the article's 141 projects, Zhangping's (the same programme for the same seed and day,
    whatever the total); beyond, the rest of the province, county by county
    (:mod:`renovation.demo.counties`). Each county is committed once inserted, so that memory
    stays flat at 200,000 projects; the caller commits what follows.
    """
    today = today or china_today()
    now = utcnow()
    home = min(projects, ZHANGPING_PROJECTS)
    rng = random.Random(seed_value)
    communities = _insert_areas()
    ids = IdBlock(Street, Community, Compound, Project, Stage, *demo_residents.MODELS)
    plan = [(name, communities[community], year_built)
            for name, community, year_built in _project_plan(home, rng, communities)]
    rows = _programme(rng, today, now, plan, ids, ZHANGPING)
    # A generator of its own, so the residents' side does not change the programme's draws.
    _insert_programme(rows, demo_residents.rows_for(random.Random(seed_value + 1), today, rows.projects,
                                                    rows.stages_by_code, ids))
    taken = set(communities)
    for number, size in enumerate(counties.county_sizes(projects - home)):
        db.session.commit()
        if number & (number - 1) == 0:  # before the 1st, 2nd, 3rd, 5th, 9th … county
            analyze_while_loading()
        county_rng = random.Random(f"{seed_value}:{number}")
        county = counties.lay_out(number, size, county_rng, taken)
        plan = _county_plan(county, county_rng, _insert_county_areas(county, ids))
        rows = _programme(county_rng, today, now, plan, ids, county)
        _insert_programme(rows, demo_residents.rows_for(county_rng, today, rows.projects, rows.stages_by_code,
                                                        ids))
    sync_id_sequences(Street, Community, Compound, Project, Stage, *demo_residents.MODELS)
    db.session.commit()
    project_search.rebuild_search_index()  # the rows above were inserted without the ORM's hooks
    return projects


@dataclass
class ProgrammeRows:
    """The rows of one part of the programme, ready for :func:`insert_rows`."""

    compounds: list[dict]
    projects: list[dict]
    stages: list[dict]
    stages_by_code: dict[str, list[StageState]]


def _programme(rng, today, now, plan, ids: IdBlock, place) -> ProgrammeRows:
    """Compounds, projects and stages for ``plan`` ((compound, community id, year built) each) in
    ``place`` (Zhangping or a county: its code prefix and firms)."""
    compounds, projects, stages, stages_by_code = [], [], [], {}
    counters: dict[int, int] = {}
    for name, community_id, year_built in plan:
        compound_id = ids.take(Compound)
        compounds.append({"id": compound_id, "name": name, "community_id": community_id})
        batch, start = _batch_and_start(rng, today)
        counters[start.year] = counters.get(start.year, 0) + 1
        code = f"{place.prefix}-{start.year}-{counters[start.year]:03d}"
        states = _stages(rng, start, today)
        project = {"id": ids.take(Project), **_facts(rng, place, code, compound_id, batch, start, year_built,
                                                     states, now)}
        projects.append(project)
        stages_by_code[code] = states
        stages.extend({"id": ids.take(Stage), **_stage_row(state), "project_id": project["id"],
                       "position": position, "version": 1}
                      for position, state in enumerate(states))
    return ProgrammeRows(compounds, projects, stages, stages_by_code)


def _insert_programme(rows: ProgrammeRows, residents: dict) -> None:
    insert_rows(Compound, rows.compounds)
    insert_rows(Project, rows.projects)
    insert_rows(Stage, rows.stages)
    for model in demo_residents.MODELS:
        insert_rows(model, residents[model])


def _insert_areas() -> dict[str, int]:
    """Zhangping's streets and communities, reusing those that already exist: ids by community name."""
    for street_name, community_names in STREETS.items():
        street = db.session.scalar(select(Street).where(Street.name == street_name))
        if street is None:
            street = Street(name=street_name)
            db.session.add(street)
        for name in community_names:
            if db.session.scalar(select(Community).where(Community.name == name)) is None:
                db.session.add(Community(name=name, street=street))
    db.session.flush()
    return dict(db.session.execute(select(Community.name, Community.id).order_by(Community.id)).all())


def _insert_county_areas(county: counties.County, ids: IdBlock) -> dict[str, int]:
    """The county's streets and communities: their ids by community name."""
    streets, communities = [], []
    for street, names in county.streets.items():
        streets.append({"id": ids.take(Street), "name": street})
        communities.extend({"id": ids.take(Community), "name": name, "street_id": streets[-1]["id"]}
                           for name in names)
    insert_rows(Street, streets)
    insert_rows(Community, communities)
    return {row["name"]: row["id"] for row in communities}


def _county_plan(county: counties.County, rng: random.Random, communities: dict[str, int]) -> list:
    """(compound, community id, year built) for each of the county's projects, spread evenly over
    its communities."""
    names = list(communities)
    plan = []
    for number, community in enumerate(names):
        count = county.projects // len(names) + (1 if number < county.projects % len(names) else 0)
        plan.extend((compound, communities[community], rng.randint(1978, 2005))
                    for compound in counties.compound_names(rng, count, community))
    return plan


def _project_plan(count: int, rng: random.Random, communities: dict) -> list[tuple[str, str, int]]:
    """(compound name, community, year built) for each project, names unique per community."""
    plan = [named for named in NAMED_COMPOUNDS][: count]
    names = list(communities)
    used = {(name, community) for name, community, _ in plan}
    index = 0
    while len(plan) < count:
        base = COMPOUND_NAMES[index % len(COMPOUND_NAMES)]
        community = names[(index * 7 + index // len(COMPOUND_NAMES)) % len(names)]
        round_ = index // (len(COMPOUND_NAMES) * len(names))
        name = base if round_ == 0 else f"{base}{round_ + 1}区"
        index += 1
        if (name, community) in used:
            continue
        used.add((name, community))
        plan.append((name, community, rng.randint(1978, 2000)))
    return plan


def _days_back(draw: float) -> tuple[int, int]:
    """The range of days before today (earliest, latest) of the batch a draw in [0, 1) falls in."""
    for share, earliest, latest in BATCHES:
        if draw < share:
            return earliest, latest
        draw -= share
    return BATCHES[-1][1], BATCHES[-1][2]


def _batch_and_start(rng: random.Random, today: date) -> tuple[str, date]:
    """The planned start, and the batch it belongs to (first or second half of its year)."""
    earliest, latest = _days_back(rng.random())
    start = today - timedelta(days=rng.randint(latest, earliest))
    return f"{start.year}年{BATCH_NAMES[1 if start.month <= 6 else 2]}", start


def _stages(rng: random.Random, start: date, today: date) -> list[StageState]:
    """Stage states consistent with the rules, as far along as the plan and the lag allow."""
    lag_draw = rng.random()
    lag = rng.randint(0, 10) if lag_draw < 0.82 else rng.randint(30, 120)
    reached = today - timedelta(days=lag)
    not_applicable = {
        StageKey.RAIN_SEWAGE: rng.random() < 0.08,
        StageKey.FACADE: rng.random() < 0.05,
        StageKey.PAVING: rng.random() < 0.04,
    }
    states = {}
    for key in STAGE_ORDER:
        first, last = STAGE_WINDOWS[key]
        planned_start, planned_end = start + timedelta(days=first), start + timedelta(days=last)
        plan = {"planned_start": planned_start, "planned_end": planned_end}
        if not_applicable.get(key):
            states[key] = StageState(key=key, status=Status.NOT_APPLICABLE, **plan)
            continue
        actual_start = planned_start + timedelta(days=rng.randint(-5, 15))
        actual_end = planned_end + timedelta(days=rng.randint(-10, 20))
        if actual_end <= reached and _may_complete(key, states):
            states[key] = StageState(key=key, status=Status.COMPLETED, percent=100,
                                     actual_start=min(actual_start, actual_end), actual_end=actual_end, **plan)
        elif actual_start <= reached and _may_start(key, states):
            span = max((planned_end - planned_start).days, 1)
            percent = min(max(round(100 * (reached - actual_start).days / span), 5), 95)
            states[key] = StageState(key=key, status=Status.IN_PROGRESS, percent=percent,
                                     actual_start=actual_start, **plan)
        else:
            states[key] = StageState(key=key, **plan)
    if rng.random() < 0.08:
        _suspend_one(rng, states)
    return [states[key] for key in STAGE_ORDER]


def _done(states, key) -> bool:
    return key in states and states[key].status in (Status.COMPLETED, Status.NOT_APPLICABLE)


def _may_start(key, states) -> bool:
    if key == StageKey.SURVEY:
        return True
    if key == StageKey.ACCEPTANCE:
        return all(_done(states, other) for other in STAGE_ORDER[:-1])
    return _done(states, StageKey.SURVEY)


def _may_complete(key, states) -> bool:
    if not _may_start(key, states):
        return False
    return key != StageKey.PAVING or _done(states, StageKey.RAIN_SEWAGE)


def _suspend_one(rng, states) -> None:
    for key in (StageKey.RAIN_SEWAGE, StageKey.FACADE, StageKey.PAVING):
        if states[key].status == Status.IN_PROGRESS:
            states[key] = states[key].with_changes(status=Status.SUSPENDED, note=rng.choice(SUSPENSION_REASONS))
            return


def _facts(rng, place, code, compound_id, batch, start, year_built, stages, now) -> dict:
    households = rng.randint(48, 620)
    total = Decimal(households) * Decimal(rng.randint(9000, 16000)) / Decimal(10000)
    shares = {"central": 0.45, "provincial": 0.1, "city": 0.3, "residents": 0.05, "social": 0.1}
    budget = {f"budget_{source}": (total * Decimal(share)).quantize(Decimal("0.01"))
              for source, share in shares.items()}
    progress = overall_progress(stages)
    return {
        "code": code,
        "compound_id": compound_id,
        "batch": batch,
        "year_built": year_built,
        "buildings": max(2, households // rng.randint(24, 48)),
        "households": households,
        "floor_area": Decimal(households * rng.randint(62, 96)),
        **budget,
        "investment_completed": (sum(budget.values()) * Decimal(progress) / 100).quantize(Decimal("0.01")),
        "contractor": rng.choice(place.contractors),
        "supervisor": rng.choice(place.supervisors),
        "responsible_engineer": rng.choice(place.engineers),
        "planned_start": start,
        "planned_end": start + timedelta(days=STAGE_WINDOWS[StageKey.ACCEPTANCE][1]),
        "progress": progress,
        "current_stage": current_stage(stages),
        "started": work_begun(stages),
        "next_deadline": next_deadline(stages),
        "updated_at": _last_update(stages, start, now),
    }


def _last_update(stages, start: date, now: datetime) -> datetime:
    """When the project was last written: its latest stage start or end (10:00 in China), or its
    planned start before any; never after ``now``. (A project's progress changes only with such a
    write: the dashboard's movers since last month look among the projects updated since.)"""
    days = [day for state in stages for day in (state.actual_start, state.actual_end) if day is not None]
    return min(datetime.combine(max(days, default=start), time(2, 0)), now)


def _stage_row(state: StageState) -> dict:
    return {
        "key": str(state.key),
        "status": str(state.status),
        "percent": state.percent,
        "planned_start": state.planned_start,
        "planned_end": state.planned_end,
        "actual_start": state.actual_start,
        "actual_end": state.actual_end,
        "note": state.note,
    }
