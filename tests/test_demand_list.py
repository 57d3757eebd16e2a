"""The demands list: 50 a page, text search (literal % and _), four sorts, a link per demand,
filters kept in the URL, and the figures over every match (not just the page)."""
import re

import pytest

from renovation.domain.residents import demand_list
from renovation.domain.residents.demand_list import DemandFilter
from renovation.domain.residents.demands import change_demand, raise_demand
from renovation.extensions import db
from tests.conftest import count_statements, days_ago, login, make_project, make_user

HTMX = {"HX-Request": "true"}


@pytest.fixture
def committee(app):
    return make_user("committee", "committee", community="铁路社区")


def _raise(project, user, text, age=1, raised_by="", category="other"):
    return raise_demand(project, user, {"category": category, "text": text, "raised_by": raised_by,
                                        "raised_on": days_ago(age)})


def _ids_on(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<article class="demand[^"]*" id="demand-(\d+)"', html)]


def test_sixty_demands_are_two_pages_of_fifty_and_ten(client, project, engineer):
    made = [_raise(project, engineer, f"诉求{index}", age=index % 40) for index in range(60)]
    login(client)
    first = client.get("/demands").get_data(as_text=True)
    assert len(_ids_on(first)) == 50
    assert "60" in first.split('class="result-count"')[1][:200]
    assert 'href="/demands?page=2"' in first and 'rel="next"' in first
    second = client.get("/demands?page=2").get_data(as_text=True)
    assert len(_ids_on(second)) == 10
    assert set(_ids_on(first)) | set(_ids_on(second)) == {demand.id for demand in made}
    # The figures count every match, not the page.
    assert "<dd>60</dd>" in second
    assert len(_ids_on(client.get("/demands?page=99").get_data(as_text=True))) == 10  # the last page


def test_every_demand_links_to_its_own_page(client, project, engineer):
    demand = _raise(project, engineer, "楼道灯不亮")
    login(client)
    html = client.get("/demands").get_data(as_text=True)
    assert f'href="/demands/{demand.id}"' in html
    assert "楼道灯不亮" in client.get(f"/demands/{demand.id}").get_data(as_text=True)


def test_search_matches_text_raised_by_response_code_and_compound(client, project, engineer):
    other = make_project(code="ZP-2026-002", compound="东门小区", community="东城社区", street="菁城街道")
    lamp = _raise(project, engineer, "楼道灯不亮", raised_by="5号楼")
    water = _raise(other, engineer, "雨天积水")
    change_demand(water, engineer, {"status": "resolved", "response": "已疏通排水沟"}, 1)
    login(client)

    def found(q):
        return _ids_on(client.get("/demands", query_string={"q": q}).get_data(as_text=True))

    assert found("灯") == [lamp.id]
    assert found("5号楼") == [lamp.id]
    assert found("排水沟") == [water.id]
    assert found("zp-2026-002") == [water.id]
    assert found("东门") == [water.id]
    assert found("东门　积水") == [water.id]  # full-width space: every word must match
    assert found("东门 灯") == []


def test_percent_and_underscore_are_literal(client, project, engineer):
    percent = _raise(project, engineer, "增加50%的停车位")
    underscore = _raise(project, engineer, "编号A_1的路灯")
    _raise(project, engineer, "普通诉求")
    login(client)
    assert _ids_on(client.get("/demands?q=%25").get_data(as_text=True)) == [percent.id]
    assert _ids_on(client.get("/demands?q=_").get_data(as_text=True)) == [underscore.id]
    assert demand_list.demand_page(DemandFilter(q="%"), 1, 50).total == 1


def test_four_sorts(client, project, engineer):
    other = make_project(code="ZP-2026-000", compound="东门小区", community="东城社区", street="菁城街道")
    old = _raise(project, engineer, "旧", age=30)
    new = _raise(project, engineer, "新", age=1)
    closed = _raise(other, engineer, "已办", age=40)
    change_demand(closed, engineer, {"status": "resolved", "response": "好"}, 1)
    login(client)

    def order(sort):
        return _ids_on(client.get("/demands", query_string={"sort": sort}).get_data(as_text=True))

    assert order("newest") == [new.id, old.id, closed.id]
    assert order("oldest") == [closed.id, old.id, new.id]
    assert order("overdue") == [old.id, new.id, closed.id]  # open first, the longest waiting first
    assert order("project") == [closed.id, old.id, new.id]  # by project code
    assert order("nonsense") == order("overdue")
    page = client.get("/demands").get_data(as_text=True)
    assert re.search(r'<select[^>]*name="sort"', page)  # a control, not only table headers


def test_paging_links_keep_the_filters(client, project, engineer):
    for index in range(55):
        _raise(project, engineer, f"积水{index}", age=20, category="drainage")
    login(client)
    community = project.compound.community_id
    html = client.get(f"/demands?q=积水&community={community}&status=pending&overdue=y&sort=newest",
                      headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and len(_ids_on(html)) == 50
    next_link = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    for part in (f"community={community}", "status=pending", "overdue=y", "sort=newest", "page=2"):
        assert part in next_link
    assert len(_ids_on(client.get(next_link).get_data(as_text=True))) == 5


def test_domain_page_is_one_page_with_the_total(app, project, engineer):
    for index in range(7):
        _raise(project, engineer, f"诉求{index}", age=index)
    page = demand_list.demand_page(DemandFilter(sort="newest"), 2, 5)
    assert (page.total, page.page, page.pages, len(page.items)) == (7, 2, 2, 2)
    assert [d.text for d in page.items] == ["诉求5", "诉求6"]


def test_a_row_opens_its_form_in_place_and_handling_it_refreshes_the_figures(client, project, committee):
    demand = _raise(project, committee, "楼道灯不亮", age=20)
    login(client, "committee")
    listing = client.get("/demands", follow_redirects=True).get_data(as_text=True)  # to their community
    row_url = f"/demands/{demand.id}?fragment=row"
    assert f'hx-get="{row_url}"' in listing.replace("&amp;", "&")
    assert 'name="status"' not in listing.split(f'id="demand-{demand.id}"')[1]  # no form until asked
    row = client.get(row_url, headers=HTMX).get_data(as_text=True)
    assert "<html" not in row and row.lstrip().startswith("{#") is False
    assert f'id="demand-{demand.id}"' in row and 'name="status"' in row and 'class="demand-more" open' in row
    done = client.post(f"/demands/{demand.id}/status", headers=HTMX, data={
        "status": "resolved", "response": "已更换灯具", "reason": "", "assignee": "", "version": "1"})
    assert done.headers["HX-Trigger"] == "demandsChanged"
    assert 'hx-trigger="demandsChanged from:body"' in listing


def _criteria_for(sort: str, query: dict) -> DemandFilter:
    return DemandFilter(sort=sort, q=query.get("q", ""), overdue=bool(query.get("overdue")),
                        community_id=query.get("community"), category=query.get("category", ""))


def test_every_page_sort_and_search_takes_the_same_number_of_queries(app, client, project, engineer):
    """Whatever the page (first, middle, last: read from the far end) or the search, the list runs
    the same queries for an order; the order by project reads one more (each project's count, to
    sort only the projects the page falls in)."""
    other = make_project(code="ZP-2026-002", compound="东门小区", community="东城社区", street="菁城街道")
    for index in range(14):
        _raise(project if index % 3 else other, engineer, f"积水{index} Pipe", age=index * 3,
               category="drainage" if index % 2 else "parking")
    app.config["DEMANDS_PER_PAGE"] = 3
    login(client)
    client.get("/demands")  # the filter's streets and communities are read once (domain/area_lists.py)
    counted = {}
    for sort in demand_list.SORT_KEYS:
        for query in ({}, {"q": "积水"}, {"q": "pipe　积水"}, {"q": "东门 PIPE"}, {"overdue": "y"},
                      {"community": project.compound.community_id, "category": "parking"}):
            pages = demand_list.demand_page(_criteria_for(sort, query), 1, 3).pages
            for page in sorted({1, (pages + 1) // 2, pages}):
                url_query = {**query, "sort": sort, "page": page}
                db.session.expire_all()
                with count_statements() as statements:
                    html = client.get("/demands", query_string=url_query).get_data(as_text=True)
                assert _ids_on(html), url_query
                counted[str(url_query)] = len(statements) - (sort == "project")
    assert len(set(counted.values())) == 1, counted


def test_a_province_offers_the_chosen_streets_communities(client, project, engineer):
    """Beyond a city's communities the filter lists the chosen street's, as the project list does;
    a change of street brings them out of band with the results."""
    import sqlalchemy as sa

    from renovation.models import Community, Street
    from tests.test_project_list import community_options

    other = make_project(code="ZP-2026-002", compound="东门小区", community="东城社区", street="菁城街道")
    _raise(project, engineer, "楼道灯不亮")
    _raise(other, engineer, "雨天积水")
    jingcheng = other.compound.community.street_id
    db.session.execute(sa.insert(Community), [{"name": f"第{n:03d}社区", "street_id": jingcheng} for n in range(400)])
    db.session.commit()
    login(client)
    client.set_cookie("lang", "en")
    html = client.get("/demands").get_data(as_text=True)
    assert community_options(html) == [("All communities (choose a street to list them)", "")]
    assert len(_ids_on(html)) == 2
    guilin = db.session.scalar(sa.select(Street.id).where(Street.name == "桂林街道"))
    html = client.get(f"/demands?street={guilin}").get_data(as_text=True)
    assert community_options(html) == [("All communities", ""), ("铁路社区", "")]
    assert len(_ids_on(html)) == 1
    answer = client.get(f"/demands?street={jingcheng}", headers=HTMX).get_data(as_text=True)
    options = community_options(answer, out_of_band=True)
    assert len(options) == 402 and options[:2] == [("All communities", ""), ("东城社区", "")]
