"""Outputs month on month (issue 16): the dashboard and the city's and a street's bulletins say
what was done of each item since last month's snapshot, from its street sums; before any snapshot
that kept the contents they say nothing of it."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.bulletins.issue import Scope, preview_snapshot, scope_named
from renovation.domain.bulletins.pdf import render_html
from renovation.domain.clock import today
from renovation.domain.contents.catalogue import ensure_default_items
from renovation.domain.contents.operations import add_content, change_content, contents_of
from renovation.domain.contents.outputs import bulletin_outputs, outputs
from renovation.domain.programme.snapshots import month_of, previous_month, take_snapshot
from renovation.extensions import db
from renovation.models import MonthlySnapshot
from tests.bulletin_samples import programme
from tests.conftest import count_statements, login

LAST_MONTH = previous_month(month_of(today()))
LAST_MONTH_WORDS = f"{LAST_MONTH[:4]}年{int(LAST_MONTH[5:])}月"


def content(project, key):
    return next(found for found in contents_of(project.id) if found.item.key == key)


@pytest.fixture
def delivered(app, engineer):
    """At last month's end: 桂林街道 had 1,000 m of pipes done (of 2,000) and one lift of two;
    菁城街道 300 m planned, nothing done. Since: 300 m more pipes in 桂林街道, the second lift,
    120 m in 菁城街道 and 40 parking places planned (none done)."""
    ensure_default_items()
    done, going, idle = programme()
    for project, planned, completed in ((done, "1200", "1000"), (going, "800", "0"), (idle, "300", "0")):
        add_content(project, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal(planned),
                                        "completed_quantity": Decimal(completed)})
    add_content(done, engineer, {"item": "elevators", "planned_quantity": Decimal("2"),
                                 "completed_quantity": Decimal("1")})
    take_snapshot(LAST_MONTH)
    for project, key, completed in ((going, "rain_sewage_pipes", "300"), (done, "elevators", "2"),
                                    (idle, "rain_sewage_pipes", "120")):
        found = content(project, key)
        change_content(found, engineer, {"completed_quantity": Decimal(completed)}, found.version)
    add_content(going, engineer, {"item": "parking", "planned_quantity": Decimal("40")})
    return done, going, idle


def plain_text(html: str) -> str:
    return "".join(re.sub(r"<[^>]+>", "", html).split())


def test_outputs_compare_with_the_snapshots_street_sums(delivered):
    city = {row.key: (row.completed, row.then, row.change) for row in outputs(since=LAST_MONTH)}
    assert city == {"rain_sewage_pipes": (Decimal("1420"), Decimal("1000"), Decimal("420")),
                    "elevators": (Decimal("2"), Decimal("1"), Decimal("1")),
                    "parking": (Decimal("0"), Decimal("0"), Decimal("0"))}
    street = scope_named("street", "菁城街道").street.id
    assert {row.key: row.change for row in outputs(street, since=LAST_MONTH)} == {"rain_sewage_pipes": Decimal("120")}
    assert all(row.then is None for row in outputs())  # nothing asked: nothing compared
    data = bulletin_outputs()
    assert data["baseline"] == LAST_MONTH and data["month_headline"] == "改造雨污管网420米，加装电梯1部"


def test_the_city_and_street_bulletins_say_what_was_done_since_last_month(delivered):
    city = plain_text(render_html(preview_snapshot("city", Scope())))
    assert (f"全市已累计改造雨污管网1.4公里，加装电梯2部。比上月（与{LAST_MONTH_WORDS}月调度数据相比），"
            "新增改造雨污管网420米，加装电梯1部。") in city
    table = city[city.index("改造内容工程量"):]
    assert "较上月" in table and "雨污分流管网2,3001,420+420m" in table and "加装电梯22+1台" in table
    assert "停车位400—个" in table  # planned this month, nothing done: no change to state

    street = plain_text(render_html(preview_snapshot("street", Scope(street=scope_named("street", "菁城街道").street))))
    assert (f"菁城街道已累计改造雨污管网120米。比上月（与{LAST_MONTH_WORDS}月调度数据相比），"
            "新增改造雨污管网120米。") in street


def test_the_dashboard_shows_the_change_under_each_done_figure(delivered, client):
    login(client)
    page = client.get("/dashboard").get_data(as_text=True)
    section = page[page.index('id="outputs"'):]
    section = section[:section.index("</section>")]
    assert 'id="outputs-since"' in section
    assert re.search(r'data-change="rain_sewage_pipes">\s*<span class="delta up"[^>]*>▲\+420<', section)
    assert re.search(r'data-change="elevators">\s*<span class="delta up"[^>]*>▲\+1<', section)
    assert re.search(r'data-change="parking">\s*<span class="delta flat"', section)


def test_nothing_is_said_of_months_without_a_snapshot_that_kept_the_contents(app, engineer, client):
    ensure_default_items()
    done, _going, _idle = programme()
    add_content(done, engineer, {"item": "elevators", "planned_quantity": Decimal("2"),
                                 "completed_quantity": Decimal("1")})
    login(client)

    def said() -> tuple[str, str]:
        page = client.get("/dashboard").get_data(as_text=True)
        section = page[page.index('id="outputs"'):]
        bulletin = plain_text(render_html(preview_snapshot("city", Scope())))
        return section[:section.index("</section>")], bulletin

    for section, bulletin in (said(), said()):
        assert "data-change" not in section and "outputs-since" not in section
        assert "比上月" not in bulletin and "较上月" not in bulletin and "加装电梯1部" in bulletin
        # A snapshot taken before the snapshots kept the contents knows none: it is not compared with.
        take_snapshot(LAST_MONTH)
        db.session.execute(sa.update(MonthlySnapshot).values(contents_taken=False))
        db.session.commit()
    assert bulletin_outputs()["baseline"] is None


def test_the_comparison_costs_the_dashboard_no_statement(delivered, client):
    login(client)
    with count_statements() as with_snapshot:
        client.get("/dashboard")
    db.session.execute(sa.delete(MonthlySnapshot))
    db.session.commit()
    with count_statements() as without:
        client.get("/dashboard")
    assert len(with_snapshot) - len(without) <= 2  # the movers' two statements, which need a snapshot
    assert not any("street_content_month" in statement for statement in without)
    assert sum("street_content_month" in statement for statement in with_snapshot) == 1
