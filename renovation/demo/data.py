"""A deterministic, plausible demo programme: streets, communities, compounds, projects, users.

The plan of every project is laid out from its batch; what has been done is what the plan
says should be done by now, less a lag drawn at random (most projects small, some large, a
few suspended), so that the programme looks like a real one on whatever day it is loaded.
The same seed and day always give the same data.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from renovation.demo import residents as demo_residents
from renovation.domain import project_search
from renovation.domain.bulk_insert import next_id, sync_id_sequences
from renovation.domain.clock import today as china_today
from renovation.domain.clock import utcnow
from renovation.domain.stages.keys import STAGE_ORDER, StageKey, Status
from renovation.domain.stages.rules import StageState
from renovation.domain.stages.schedule import current_stage, next_deadline, overall_progress
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


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Project))


def seed(projects: int = 141, seed_value: int = 20261127, today: date | None = None) -> int:
    """Insert the demo programme (caller commits). Returns the number of projects."""
    rng = random.Random(seed_value)
    today = today or china_today()
    now = utcnow()
    communities = _insert_areas()
    plan = _project_plan(projects, rng, communities)
    # Ids are assigned here rather than read back with RETURNING, which is far slower in bulk.
    first_compound = next_id(Compound)
    compound_ids = range(first_compound, first_compound + len(plan))
    compound_rows = [
        {"id": compound_id, "name": name, "community_id": communities[community]}
        for (name, community, _), compound_id in zip(plan, compound_ids, strict=True)
    ]
    db.session.execute(insert(Compound), compound_rows)
    project_rows, stage_rows_by_code = [], {}
    counters: dict[int, int] = {}
    for (_name, _community, year_built), compound_id in zip(plan, compound_ids, strict=True):
        batch, start = _batch_and_start(rng, today)
        counters[start.year] = counters.get(start.year, 0) + 1
        code = f"ZP-{start.year}-{counters[start.year]:03d}"
        stages = _stages(rng, start, today)
        project_rows.append(_facts(rng, code, compound_id, batch, start, year_built, stages, now))
        stage_rows_by_code[code] = stages
    first_project = next_id(Project)
    project_ids = range(first_project, first_project + len(project_rows))
    for row, project_id in zip(project_rows, project_ids, strict=True):
        row["id"] = project_id
    db.session.execute(insert(Project), project_rows)
    stage_rows = [
        {**_stage_row(state), "project_id": project_id, "position": position, "version": 1}
        for row, project_id in zip(project_rows, project_ids, strict=True)
        for position, state in enumerate(stage_rows_by_code[row["code"]])
    ]
    db.session.execute(insert(Stage), stage_rows)
    sync_id_sequences(Compound, Project)
    # A generator of its own, so the residents' side does not change the programme's draws.
    demo_residents.seed(random.Random(seed_value + 1), today, project_rows, stage_rows_by_code)
    project_search.rebuild_search_index()  # the rows above were inserted without the ORM's hooks
    return len(project_rows)


def _insert_areas() -> dict[str, int]:
    """The demo streets and communities, reusing those that already exist."""
    communities = {}
    for street_name, community_names in STREETS.items():
        street = db.session.scalar(select(Street).where(Street.name == street_name))
        if street is None:
            street = Street(name=street_name)
            db.session.add(street)
        for name in community_names:
            if db.session.scalar(select(Community).where(Community.name == name)) is None:
                db.session.add(Community(name=name, street=street))
    db.session.flush()
    for community in db.session.scalars(select(Community)):
        communities[community.name] = community.id
    return communities


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


def _facts(rng, code, compound_id, batch, start, year_built, stages, now) -> dict:
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
        "contractor": rng.choice(CONTRACTORS),
        "supervisor": rng.choice(SUPERVISORS),
        "responsible_engineer": rng.choice(ENGINEERS),
        "planned_start": start,
        "planned_end": start + timedelta(days=STAGE_WINDOWS[StageKey.ACCEPTANCE][1]),
        "progress": progress,
        "current_stage": current_stage(stages),
        "next_deadline": next_deadline(stages),
        "updated_at": now,
    }


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
