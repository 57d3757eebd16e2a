"""The dashboard /dashboard: figures that agree with the bulletin's and with the lists they link
to, the change between two monthly snapshots, and a constant number of queries."""
import html as html_lib
import re

import pytest
import sqlalchemy as sa

from renovation.demo import data as demo_data
from renovation.domain.bulletins.area_data import area_table, is_started, load_projects, overview, stage_table
from renovation.domain.clock import today
from renovation.domain.programme.snapshots import month_of, previous_month, take_snapshot
from renovation.domain.residents.demands import days_overdue, raise_demand
from renovation.domain.stages.operations import update_stage
from renovation.extensions import db
from renovation.models import Demand, Project
from tests.conftest import _empty_tables, borrowed, count_statements, days_ago, login, make_project, make_user

FIGURE = re.compile(r'<a class="kpi[^"]*" href="([^"]+)">.*?data-figure="(\w+)">([\d.,]+)', re.S)
RESULT_COUNT = re.compile(r'class="result-count">(\d+) project')


@pytest.fixture
def leader(client):
    """A leader's browser, pages in English so that counts can be read off the lists."""
    make_user("leader", "leader")
    login(client, "leader")
    client.set_cookie("lang", "en")
    return client


def seed(count=60):
    demo_data.seed(count)
    db.session.commit()


def figures_on(page: str) -> dict[str, tuple[str, str]]:
    """data-figure name → (link, value) of the key figures."""
    return {name: (html_lib.unescape(href), value.replace(",", "")) for href, name, value in FIGURE.findall(page)}


def listed(client, url: str) -> int:
    """How many projects the list at ``url`` says it shows."""
    found = RESULT_COUNT.search(client.get(url).get_data(as_text=True))
    return int(found.group(1))


@pytest.fixture(scope="class")
def seeded_programme(shared_app, tmp_path_factory):
    """The demo programme seeded once, for a class of tests that only read it."""
    with borrowed(shared_app, tmp_path_factory.mktemp("dashboard") / "instance"), shared_app.app_context():
        make_user("leader", "leader")
        seed()
        db.session.remove()
        yield shared_app
        _empty_tables()
        db.session.remove()


@pytest.fixture
def reader(seeded_programme):
    """A leader's browser on the seeded programme, pages in English."""
    with seeded_programme.app_context():
        client = seeded_programme.test_client()
        login(client, "leader")
        client.set_cookie("lang", "en")
        yield client
        db.session.remove()


class TestTheSeededProgramme:
    """Read-only checks of one seeded demo programme (a leader's GET requests), seeded once."""

    def test_key_figures_agree_with_the_bulletin_and_the_demands(self, reader):
        page = reader.get("/dashboard")
        assert page.status_code == 200
        shown = figures_on(page.get_data(as_text=True))
        projects = load_projects()
        expected = overview(projects)
        for key in ("projects", "started", "completed", "households", "investment_completed"):
            assert shown[key][1] == str(expected[key]), key
        assert shown["average_progress"][1] == str(expected["average_progress"])
        assert shown["behind"][1] == str(sum(p.next_deadline is not None and p.next_deadline < today()
                                             for p in projects))
        demands = db.session.scalars(sa.select(Demand)).all()
        assert shown["demands_received"][1] == str(len(demands)) != "0"
        assert shown["demands_resolved"][1] == str(sum(d.status == "resolved" for d in demands))
        assert shown["demands_overdue"][1] == str(sum(days_overdue(d, today()) > 0 for d in demands))


    def test_every_project_figure_links_to_a_list_of_that_many(self, reader):
        shown = figures_on(reader.get("/dashboard").get_data(as_text=True))
        for key in ("projects", "started", "completed", "behind"):
            href, value = shown[key]
            assert href.startswith("/projects")
            assert listed(reader, href) == int(value), (key, href)


    def test_demand_figures_link_to_lists_of_that_many(self, reader):
        shown = figures_on(reader.get("/dashboard").get_data(as_text=True))
        for key in ("demands_received", "demands_resolved", "demands_overdue"):
            href, value = shown[key]
            rows, url = 0, href
            while url:  # the list is paged: follow "next" to the end
                page = reader.get(url).get_data(as_text=True)
                rows += len(re.findall(r'<article class="demand[ "]', page))
                following = re.search(r'<a href="([^"]+)"[^>]*rel="next"', page)
                url = following.group(1).replace("&amp;", "&") if following else None
            assert rows == int(value), (key, href)


    def test_street_and_stage_tables_link_to_lists_of_that_many(self, reader):
        page = reader.get("/dashboard").get_data(as_text=True)
        projects = load_projects()
        streets = {row["name"]: row for row in area_table(projects, True, today())}
        for name, row in streets.items():
            cells = re.search(rf'<tr data-street="{name}">(.*?)</tr>', page, re.S).group(1)
            links = re.findall(r'<td class="num"><a href="([^"]+)"[^>]*>(\d+)</a>', cells)
            assert [int(value) for _href, value in links] == [row["projects"], row["started"], row["completed"],
                                                              row["behind"]]
            for href, value in links:
                assert listed(reader, html_lib.unescape(href)) == int(value), href
            assert f'{row["average_progress"]}%' in cells
        stages = {row["key"]: row for row in stage_table(projects, today())}
        for key, row in stages.items():
            cells = re.search(rf'<tr data-stage="{key}">(.*?)</tr>', page, re.S).group(1)
            for href, status, value in re.findall(r'<a href="([^"]+)" data-status="(\w+)">(\d+)</a>', cells):
                assert int(value) == row[status]
                if int(value):
                    assert listed(reader, html_lib.unescape(href)) == int(value), href
            href, value = re.search(r'<a href="([^"]+)" data-current="\w+">(\d+)</a>', cells).groups()
            assert int(value) == row["current"] == listed(reader, html_lib.unescape(href))

    def test_started_means_what_the_bulletin_means(self, reader):
        shown = figures_on(reader.get("/dashboard").get_data(as_text=True))
        assert int(shown["started"][1]) == sum(map(is_started, load_projects()))


def test_two_snapshots_show_a_change(leader):
    engineer = make_user("engineer", "engineer")
    project = make_project()
    make_project("ZP-2026-002", "新华新村", "城中社区", "菁城街道")
    assert "data-street" in leader.get("/dashboard").get_data(as_text=True)
    take_snapshot(previous_month(month_of(today())))
    before = leader.get("/dashboard").get_data(as_text=True)
    assert "▲+" not in before
    survey = project.stage("survey")
    update_stage(project, "survey", engineer, {"status": "completed", "percent": 100, "actual_start": days_ago(9),
                                               "actual_end": days_ago(1), "note": ""}, survey.version)
    take_snapshot(month_of(today()))
    page = leader.get("/dashboard").get_data(as_text=True)
    桂林 = re.search(r'<tr data-street="桂林街道">(.*?)</tr>', page, re.S).group(1)
    assert "▲+20.0%" in 桂林  # the survey is one of five stages
    assert "▲+10.0%" in page  # the city's average progress: two projects
    assert "0% → 20%" in page and "/projects/ZP-2026-001" in page  # the project that moved
    assert page.count("<circle") == 2 * 3  # two streets, two snapshots and today


def test_no_snapshot_yet_says_so(leader):
    make_project()
    page = leader.get("/dashboard").get_data(as_text=True)
    assert "No monthly snapshot yet" in page and "▲+" not in page


@pytest.mark.parametrize("role", ["admin", "engineer", "committee"])
def test_every_signed_in_role_sees_it_with_a_nav_link(client, role):
    make_user(role, role, community="铁路社区" if role == "committee" else None)
    login(client, role)
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert 'href="/dashboard"' in page.get_data(as_text=True)


def test_the_page_runs_a_constant_number_of_queries(client):
    def queries(count: int) -> int:
        _empty_tables()
        seed(count)
        leader = make_user("leader", "leader")
        # At least one overdue demand either way: the overdue panel loads its rows' history once.
        project = db.session.scalars(sa.select(Project)).first()
        raise_demand(project, leader, {"category": "other", "text": "楼道灯不亮", "raised_on": days_ago(30)})
        login(client, "leader")
        take_snapshot(previous_month(month_of(today())))
        with count_statements() as statements:
            assert client.get("/dashboard").status_code == 200
        return len(statements)

    # 20 today, of which the 长效管理 section's two (its figures grouped by street in one, the first
    # completed compounds nobody looks after in the other: tests/test_aftercare_pages.py).
    assert queries(10) == queries(60) <= 25


def test_dates_read_as_on_the_other_pages_in_chinese(client):
    """截至2026年12月6日, not 截至2026-12-06: the date, the snapshot's month and an overdue demand's date
    read like the rest of the app; only ``<time datetime>``-style attributes keep ISO."""
    make_user("leader", "leader")
    login(client, "leader")
    project = make_project()
    raised = days_ago(60)
    raise_demand(project, make_user("engineer", "engineer"), {"category": "parking", "text": "车棚",
                                                             "raised_on": raised})
    baseline = previous_month(month_of(today()))
    take_snapshot(baseline)
    page = client.get("/dashboard").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", " ", page)
    assert f"截至{today().year}年{today().month}月{today().day}日。" in text
    assert f"{raised.year}年{raised.month}月{raised.day}日" in text  # the overdue demand
    year, month = baseline.split("-")
    assert f"与{year}年{int(month)}月月度快照相比" in text and f"{year}年{int(month)}月以来进展最大的项目" in text
    # No bare ISO day left in the text (the recent changes' times keep the app's 2026-12-06 17:34).
    assert re.findall(r"(?<![\w-])\d{4}-\d\d-\d\d(?! \d\d:\d\d)", text) == []


def test_a_province_shows_the_rankings_first_streets_and_every_street_when_asked(leader, monkeypatch):
    from renovation.dashboard import views

    for number, street in enumerate(("桂林街道", "菁城街道", "新桥镇")):
        make_project(code=f"ZP-2026-00{number + 1}", compound=f"小区{number}", community=f"社区{number}", street=street)
    monkeypatch.setattr(views, "STREET_ROWS", 2)
    page = leader.get("/dashboard").get_data(as_text=True)
    assert len(re.findall(r'<tr data-street="', page)) == 2
    assert "The first 2 streets and towns of the ranking, of 3." in page
    every = html_lib.unescape(re.search(r'<a href="([^"]+)">Show every street and town</a>', page).group(1))
    everything = leader.get(every).get_data(as_text=True)
    assert sorted(re.findall(r'<tr data-street="([^"]+)">', everything)) == ["新桥镇", "桂林街道", "菁城街道"]
    assert "Show every street and town" not in everything
