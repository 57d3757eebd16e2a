"""Difficult problems in the city's and a street's bulletin and on the dashboard (issue 15): how many
were solved this year, how many are open, and the open ones that need a leader's attention (no
leader yet, or past their deadline), in a section of their own."""
from datetime import date, timedelta

import pytest

from renovation.domain.bulletins.issue import Scope, preview_snapshot, scope_named
from renovation.domain.bulletins.pdf import render_pdf
from renovation.domain.clock import today
from renovation.domain.problems.flow import Step
from renovation.domain.problems.operations import raise_problem, take_step
from renovation.domain.problems.summary import summary
from renovation.extensions import db
from tests import pdf_checks
from tests.bulletin_samples import programme
from tests.conftest import login, make_user


def raise_one(project, user, title, raised_on=None, days=10):
    raised_on = raised_on or today()
    return raise_problem(project, user, {
        "title": title, "description": "需协调解决", "category": "utilities", "departments": [],
        "deadline": raised_on + timedelta(days=days)}, today=raised_on)


@pytest.fixture
def problems(app, engineer):
    """Of 桂林街道's projects: one solved this year, one solved last year, one taken on and 25 days
    overdue, one awaiting a leader, one taken on in time; none in 菁城街道."""
    done, going, _idle = programme()
    make_user("leader", "leader")

    def assign(problem):
        return take_step(problem, engineer, Step.ASSIGN, {"leader": "leader"}, problem.version)

    solved = assign(raise_one(done, engineer, "屋面防水资金拨付"))
    take_step(solved, engineer, Step.SOLVE, {"resolution": "财政已拨付"}, solved.version)
    last_year = assign(raise_one(done, engineer, "化粪池迁移"))
    take_step(last_year, engineer, Step.SOLVE, {"resolution": "已迁移"}, last_year.version)
    last_year.solved_on = date(today().year - 1, 12, 20)
    db.session.commit()
    assign(raise_one(going, engineer, "燃气管线迁改", raised_on=today() - timedelta(days=30), days=5))
    raise_one(going, engineer, "违建拆除意见分歧")
    assign(raise_one(going, engineer, "通信线缆下地"))


def test_the_counts_of_the_city_and_of_a_street(problems):
    assert summary(today()) == summary(today(), scope_named("street", "桂林街道").street.id)
    counts = summary(today())
    assert (counts.solved_this_year, counts.open, counts.in_hand, counts.awaiting_leader, counts.overdue,
            counts.needing_attention) == (1, 3, 2, 1, 1, 2)
    assert summary(today(), scope_named("street", "菁城街道").street.id).open == 0


def test_the_city_bulletin_prints_them_in_a_section_of_its_own(problems):
    snapshot = preview_snapshot("city", Scope())
    attention = snapshot["data"]["problems"]["attention"]
    assert [(row["title"], row["leader"], row["days_overdue"]) for row in attention] == [
        ("燃气管线迁改", "leader", 25), ("违建拆除意见分歧", "", 0)]
    text = "".join(pdf_checks.text(render_pdf(snapshot)).split())
    assert ("今年以来，全市共解决困难问题1个。目前尚有3个困难问题待解决，其中市领导领办中2个、待研判1个，"
            "已超过解决期限1个。") in text
    assert "需重点关注的困难问题" in text and "超期25天" in text and "待研判" in text
    assert "通信线缆下地" not in text  # taken on, in time: no attention needed


def test_a_street_without_problems_says_so(problems):
    snapshot = preview_snapshot("street", scope_named("street", "菁城街道"))
    text = "".join(pdf_checks.text(render_pdf(snapshot)).split())
    assert "今年以来，菁城街道共解决困难问题0个。目前无待解决的困难问题。" in text
    assert "需重点关注的困难问题" not in text


def test_the_dashboard_counts_the_problems_solved_this_year(problems, client):
    login(client)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-figure="problems_solved">1<' in page and 'data-figure="problems_open">3<' in page
    assert "今年以来解决困难问题" in page
