"""The monthly view of a bulletin (月调度): "比上月" and each street's trend from the monthly
snapshots, worked out here by hand from the projects as they stood, and read back from the PDF."""
import json
import re
from decimal import Decimal

import pytest

from renovation.domain import audit
from renovation.domain.bulletins import issue as bulletins
from renovation.domain.bulletins.area_data import load_projects, overview
from renovation.domain.bulletins.issue import Scope, pdf_bytes, scope_named
from renovation.domain.bulletins.pdf import render_html
from renovation.domain.clock import today
from renovation.domain.programme.snapshots import month_of, previous_month, take_snapshot
from renovation.domain.stages.operations import update_stage
from renovation.extensions import db
from tests import pdf_checks
from tests.bulletin_samples import programme
from tests.conftest import days_ago

THIS_MONTH = month_of(today())
LAST_MONTH = previous_month(THIS_MONTH)
CJK_SC = {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}


def cn_month(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def move(project, key, user, **changes):
    stage = project.stage(key)
    fields = {"status": stage.status, "percent": stage.percent, "actual_start": stage.actual_start,
              "actual_end": stage.actual_end, "note": stage.note or "",
              # Some of these stages are behind schedule: a change to them says why.
              "lag_reason": stage.lag_reason or "organisation", "catch_up_date": stage.catch_up_date or today()
              } | changes
    update_stage(project, key, user, fields, stage.version)


def by_hand() -> dict:
    """The figures "比上月" compares, and each street's average progress, from the projects."""
    projects = load_projects()
    streets: dict[str, list] = {}
    for project in projects:
        streets.setdefault(project.compound.community.street.name, []).append(project.progress)
    return {"overview": overview(projects),
            "streets": {name: round(sum(values) / len(values), 1) for name, values in streets.items()}}


def signed(value, unit) -> str:
    number = float(value)
    return f"增加{value}{unit}" if number > 0 else (f"减少{str(value)[1:]}{unit}" if number < 0 else "持平")


def fonts_are_cjk_sc(pdf: bytes) -> bool:
    return {font["name"].split("+", 1)[1] for font in pdf_checks.fonts(pdf)} <= CJK_SC


@pytest.fixture
def two_months(app, engineer):
    """Last month's snapshot, work done, this month's snapshot, more work: the figures then."""
    _done, going, idle = programme()
    take_snapshot(LAST_MONTH)
    last = by_hand()
    move(idle, "survey", engineer, status="completed", percent=100, actual_start=days_ago(20), actual_end=days_ago(5))
    move(idle, "rain_sewage", engineer, status="in_progress", percent=30, actual_start=days_ago(4))
    idle.investment_completed = Decimal("35.5")
    db.session.commit()
    take_snapshot(THIS_MONTH)
    this = by_hand()
    move(going, "rain_sewage", engineer, percent=80)
    return last, this, by_hand()


def test_the_city_bulletin_prints_the_change_since_last_month_and_the_trend(two_months, engineer):
    last, this, now = two_months
    bulletin = bulletins.issue_bulletin("city", Scope(), engineer)
    text = pdf_checks.text(pdf_bytes(bulletin))
    then, live = last["overview"], now["overview"]
    investment = f"{float(live['investment_completed']) - float(then['investment_completed']):.2f}"
    assert investment == "35.50" and live["started"] - then["started"] == 1
    assert (f"比上月（与{cn_month(LAST_MONTH)}月调度数据相比），已开工项目增加1个，已完工项目持平，"
            "完工率持平，项目平均进度"
            f"{signed(round(live['average_progress'] - then['average_progress'], 1), '个百分点')}，"
            f"完成投资增加{investment}万元。") in text
    assert "各街道平均进度月度走势" in text
    # The trend: each street's average at both month ends and now, ranked like the table.
    months = bulletin.snapshot["data"]["months"]
    assert months["baseline"] == LAST_MONTH and months["months"] == [LAST_MONTH, THIS_MONTH]
    assert [row["name"] for row in months["trend"]] == [row["name"] for row in bulletin.snapshot["data"]["areas"]]
    for row in months["trend"]:
        name = row["name"]
        assert row["values"] == [last["streets"][name], this["streets"][name], now["streets"][name]]
        assert row["change"] == round(now["streets"][name] - last["streets"][name], 1)
    jing = next(row for row in months["trend"] if row["name"] == "菁城街道")
    assert jing["values"][0] < jing["values"][1] and f"+{jing['change']}" in text
    json.loads(json.dumps(bulletin.snapshot))  # plain JSON
    assert fonts_are_cjk_sc(pdf_bytes(bulletin))


def test_an_issued_bulletin_keeps_its_months_when_work_goes_on(two_months, engineer):
    bulletin = bulletins.issue_bulletin("city", Scope(), engineer, render=False)
    stored = json.loads(json.dumps(bulletin.snapshot))
    project = next(p for p in load_projects() if p.code == "ZP-2026-002")
    move(project, "rain_sewage", engineer, percent=90)
    take_snapshot(THIS_MONTH, replace=True)
    db.session.expire_all()
    assert db.session.get(type(bulletin), bulletin.id).snapshot == stored
    assert stored["data"]["months"]["trend"]


def test_a_street_bulletin_and_a_brief_show_their_own_months(two_months, engineer):
    last, this, now = two_months
    street = bulletins.issue_bulletin("street", scope_named("street", street="菁城街道"), engineer)
    text = pdf_checks.text(pdf_bytes(street))
    months = street.snapshot["data"]["months"]
    assert [row["name"] for row in months["trend"]] == ["菁城街道"]
    assert months["trend"][0]["values"] == [last["streets"]["菁城街道"], this["streets"]["菁城街道"],
                                            now["streets"]["菁城街道"]]
    change = round(now["streets"]["菁城街道"] - last["streets"]["菁城街道"], 1)
    assert ("已开工项目增加1个，已完工项目持平，完工率持平，"
            f"项目平均进度增加{change}个百分点，完成投资增加35.50万元") in text
    assert "菁城街道平均进度月度走势" in text and fonts_are_cjk_sc(pdf_bytes(street))

    brief = bulletins.issue_bulletin("project", scope_named("project", project="ZP-2026-003"), engineer)
    idle = next(p for p in load_projects() if p.code == "ZP-2026-003")
    assert brief.snapshot["data"]["months"] == [{"month": LAST_MONTH, "progress": 0},
                                                {"month": THIS_MONTH, "progress": idle.progress},
                                                {"month": None, "progress": idle.progress}]
    brief_text = pdf_checks.text(pdf_bytes(brief))
    assert (f"月度进度（月调度）：{cn_month(LAST_MONTH)}末0%→{cn_month(THIS_MONTH)}末{idle.progress}%"
            f"→本期{idle.progress}%") in brief_text
    assert fonts_are_cjk_sc(pdf_bytes(brief))


MONTH_WORDS = ("比上月", "月调度", "月度走势", "月度进度", "本期", "None")


@pytest.mark.slow
def test_without_snapshots_nothing_about_months_is_printed(app, engineer):
    programme()
    for kind, scope in (("city", Scope()), ("street", scope_named("street", street="桂林街道")),
                        ("project", scope_named("project", project="ZP-2026-002"))):
        bulletin = bulletins.issue_bulletin(kind, scope, engineer)
        assert bulletin.snapshot["data"]["months"] is None
        text = pdf_checks.text(pdf_bytes(bulletin))
        assert not [word for word in MONTH_WORDS if word in text], kind
        assert "与上期" not in text  # no previous bulletin either: as before


def test_only_this_months_snapshot_gives_a_trend_but_no_change(app, engineer):
    programme()
    take_snapshot(THIS_MONTH)
    data = bulletins.preview_snapshot("city", Scope())["data"]
    assert data["months"]["baseline"] is None and data["months"]["change"] is None
    assert all(row["change"] is None for row in data["months"]["trend"])
    html = render_html(bulletins.preview_snapshot("city", Scope()))
    assert "月度走势" in html and "比上月" not in html and "None" not in html


def test_every_audited_action_has_a_label():
    """The activity feed and the audit log show labels, not codes."""
    import pathlib

    source = "\n".join(path.read_text() for path in pathlib.Path(audit.__file__).parents[1].rglob("*.py"))
    recorded = set(re.findall(r'audit\.record\([^,]+,\s*"([a-z_.]+)"', source))
    recorded |= {"snapshot.take", "snapshot.replace"}  # recorded through a variable
    assert "bulletin.issue" in recorded
    assert recorded <= set(audit.ACTION_LABELS)
    assert str(audit.target_label("bulletin")) != "bulletin"
