"""Demo resident consultation: meetings, Civil Code votes and demands for the started projects.

Each started project gets the consultations a real one would have had by now — a survey of the
residents while the survey runs, a residents' council meeting voting on the scheme before the
works, sometimes a public notice — and the demands residents raised, most of the old ones
answered, a few left too long (overdue). Vote figures are consistent and decided by
:mod:`renovation.domain.residents.votes`, like the ones people enter. The rows are made here
and inserted in bulk by :mod:`renovation.demo.data`: a province of 200,000 projects loads in
minutes.
"""
import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from renovation.domain.bulk_insert import IdBlock
from renovation.domain.residents import votes
from renovation.models.consultations import Consultation, Demand, DemandEvent, Vote

PLACES = ["社区居委会二楼会议室", "小区中心广场", "社区党群服务中心", "小区物业活动室", "楼栋单元门口"]
ORGANISERS = ["社区党委书记 陈秀兰", "社区居委会主任 林春生", "网格员 黄丽萍", "社区副主任 郑文华"]
SCHEMES = [
    ("雨污分流及管网改造方案", "实施雨污分流管网改造"),
    ("立面改造及屋面防水方案", "实施立面改造与屋面防水"),
    ("道路硬化及停车位规划方案", "实施道路硬化并重新划设停车位"),
]
OPINIONS = [
    "多数居民支持改造，希望施工期间保障出行，减少夜间噪音。",
    "居民关心施工期间的停车和老人出行，建议分段施工。",
    "部分底层住户担心管网开挖影响出入，希望提前告知施工时间。",
]
DECISIONS = ["按方案实施，施工前张贴公告并逐户告知。", "方案原则通过，停车位布局按居民意见调整后公示。"]
FOLLOW_UPS = ["方案公示七天，收集书面意见。", "由网格员逐户通知施工时间。"]
DEMANDS = {
    "parking": ["希望增设非机动车棚并安装充电桩", "小区停车位不足，希望重新规划划线"],
    "drainage": ["雨天单元门口积水严重", "化粪池经常堵塞，希望一并改造"],
    "lighting": ["楼道照明不足，老人夜间出行不便", "小区主干道路灯损坏多年"],
    "greening": ["希望保留中庭老樟树", "希望增设休闲座椅和绿化带"],
    "accessibility": ["希望加装电梯", "单元入口希望增设无障碍坡道和扶手"],
    "security": ["希望增设门禁和监控", "围墙破损，希望修补"],
    "other": ["希望规范晾晒区域", "希望统一更换信报箱"],
}
RESPONSES = ["已纳入改造方案，随施工一并实施。", "已协调施工单位处理完毕，居民确认满意。",
             "已于现场整改，社区回访无异议。"]
DECLINE_REASONS = ["超出本次改造资金范围，已登记转入下一批次统筹考虑。", "涉及相邻业主权益，未取得相关业主同意。"]
BUILDINGS = ["1号楼", "2号楼", "3号楼2单元", "5号楼", "6号楼1单元", "8号楼", "沿街住户"]
CENT = Decimal("0.01")


MODELS = (Consultation, Vote, Demand, DemandEvent)  # in the order they are inserted


def rows_for(rng: random.Random, today: date, projects: list[dict], stages_by_code: dict, ids: IdBlock) -> dict:
    """Consultations, votes, demands and their events for every started project in ``projects``
    (bulk insert rows, each with ``id``, ``code``, ``households`` and ``floor_area``), as rows
    per model of :data:`MODELS`, ids taken from ``ids``."""
    rows = {"consultations": [], "votes": [], "demands": [], "events": []}
    for project in projects:
        survey = stages_by_code[project["code"]][0]
        if survey.actual_start is None or survey.actual_start > today:
            continue
        _project_residents(rng, today, project, survey.actual_start, rows, ids)
    return {Consultation: rows["consultations"], Vote: rows["votes"], Demand: rows["demands"],
            DemandEvent: rows["events"]}


def _project_residents(rng, today, project, started, rows, ids) -> None:
    meeting_day = min(started + timedelta(days=rng.randint(10, 30)), today)
    consultations = [(min(started + timedelta(days=rng.randint(0, 6)), today), "questionnaire", None),
                     (meeting_day, "council_meeting", rng.choice(SCHEMES))]
    if rng.random() < 0.4 and meeting_day + timedelta(days=3) <= today:
        consultations.append((meeting_day + timedelta(days=3), "public_notice", None))
    meeting_id = None
    for day, kind, scheme in consultations:
        consultation_id = ids.take(Consultation)
        rows["consultations"].append(_consultation(rng, project, consultation_id, day, kind, scheme))
        if scheme:
            meeting_id = consultation_id
            rows["votes"].append(_vote(rng, project, consultation_id, ids.take(Vote), scheme[1]))
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        raised_on = min(meeting_day + timedelta(days=rng.randint(0, 90)), today)
        at_meeting = raised_on == meeting_day
        _demand(rng, today, project, raised_on, meeting_id if at_meeting else None, rows, ids)


def _consultation(rng, project, consultation_id, day, kind, scheme) -> dict:
    at = datetime.combine(day, time(2, 0))  # 10:00 in China, stored in UTC
    topic = {"questionnaire": "改造意愿及需求问卷调查", "public_notice": "改造方案公示"}.get(kind)
    households = project["households"]
    return {
        "id": consultation_id, "project_id": project["id"], "date": day, "kind": kind,
        "place": rng.choice(PLACES), "organiser": rng.choice(ORGANISERS),
        "attendees": f"居民代表{rng.randint(18, 60)}人，施工单位、监理单位代表" if scheme else "",
        "households": rng.randint(households * 6 // 10, households) if kind != "public_notice" else None,
        "topic": topic or scheme[0], "opinions": rng.choice(OPINIONS),
        "decisions": rng.choice(DECISIONS) if scheme else "", "follow_up": rng.choice(FOLLOW_UPS),
        "created_by_id": None, "created_at": at, "updated_at": at, "deleted_at": None,
        "deleted_by_id": None, "delete_reason": "",
    }


def _vote(rng, project, consultation_id, vote_id, matter) -> dict:
    """Consistent figures: areas in proportion to the owners; about one vote in eight fails."""
    owners, area = project["households"], Decimal(project["floor_area"])
    failing = rng.random() < 0.12
    participating = round(owners * (rng.uniform(0.55, 0.68) if failing and rng.random() < 0.5
                                    else rng.uniform(0.70, 0.95)))
    agree = round(participating * (rng.uniform(0.55, 0.74) if failing else rng.uniform(0.78, 0.96)))
    abstain = max(1, (participating - agree) // 4)
    agree = min(agree, participating - abstain)
    oppose = participating - agree - abstain

    def share(count):
        return (area * count / owners).quantize(CENT, rounding=ROUND_DOWN)

    figures = {"total_owners": owners, "total_area": area, "participating_owners": participating,
               "participating_area": share(participating), "agree_owners": agree, "agree_area": share(agree),
               "oppose_owners": oppose, "oppose_area": share(oppose), "abstain_owners": abstain}
    figures["abstain_area"] = figures["participating_area"] - figures["agree_area"] - figures["oppose_area"]
    decision = votes.decide(votes.VoteFigures(matter_class="special", **figures))
    return {"id": vote_id, "consultation_id": consultation_id, "matter": matter, "matter_class": "special",
            **figures, "extra_threshold": None, "extra_label": "", "passed": decision.passed}


def _demand(rng, today, project, raised_on, consultation_id, rows, ids) -> None:
    category = rng.choice(list(DEMANDS))
    age = (today - raised_on).days
    draw = rng.random()
    # Answered once old enough; a few stay open a while past the 15 days, none for months.
    if (age > 20 and draw < 0.86) or age > 50:
        status = "resolved" if draw < 0.78 or draw >= 0.86 else "declined"
    else:
        status = rng.choice(("pending", "in_progress", "in_progress"))
    closed = status in ("resolved", "declined")
    closed_on = min(raised_on + timedelta(days=rng.randint(2, 20)), today) if closed else None
    demand_id = ids.take(Demand)
    raised_at = datetime.combine(raised_on, time(3, 0))
    rows["demands"].append({
        "id": demand_id, "project_id": project["id"], "consultation_id": consultation_id, "category": category,
        "text": rng.choice(DEMANDS[category]), "raised_by": rng.choice(BUILDINGS), "raised_on": raised_on,
        "status": status, "response": rng.choice(RESPONSES) if status == "resolved" else "",
        "reason": rng.choice(DECLINE_REASONS) if status == "declined" else "",
        "assignee": rng.choice(("施工单位", "社区居委会", "住建局城建股")) if status != "pending" else "",
        "resolved_on": closed_on, "created_by_id": None, "created_at": raised_at, "updated_at": raised_at,
        "version": 1,
    })
    events = [(raised_at, [{"field": "status", "old": None, "new": "pending"}])]
    if status != "pending":
        changes = [{"field": "status", "old": "pending", "new": status}]
        if closed_on:
            changes.append({"field": "resolved_on", "old": None, "new": closed_on.isoformat()})
        events.append((datetime.combine(closed_on or raised_on, time(8, 0)), changes))
    for at, changes in events:
        rows["events"].append({"id": ids.take(DemandEvent), "demand_id": demand_id, "at": at,
                               "user_id": None, "changes": changes})
