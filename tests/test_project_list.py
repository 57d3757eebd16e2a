"""The project list /projects: search, filters, sorting, pagination, htmx fragments, query count."""
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from renovation.demo import data as demo_data
from renovation.domain.clock import today, utcnow
from renovation.domain.stages.keys import DONE, STAGE_ORDER
from renovation.domain.stages.schedule import days_behind
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street
from tests.conftest import api_token, count_statements, login, make_area, make_project, make_user

ROW_CODE = re.compile(r'<tr[^>]*>\s*<td[^>]*>\s*<a href="/projects/([^"]+)"')


def codes_in(html: str) -> list[str]:
    return ROW_CODE.findall(html)


def seed(count: int) -> None:
    demo_data.seed(count)
    db.session.commit()


def all_projects() -> list[Project]:
    return list(db.session.scalars(
        sa.select(Project).options(selectinload(Project.compound).selectinload(Compound.community)
                                   .selectinload(Community.street))
    ))


@pytest.fixture
def en_client(client):
    """A logged-in engineer's browser, pages in English (deterministic whatever the catalog)."""
    make_user("engineer", "engineer")
    assert login(client).status_code == 303
    client.set_cookie("lang", "en")
    return client


def get(client, query="", htmx=False, **headers):
    if htmx:
        headers["HX-Request"] = "true"
    return client.get("/projects" + (f"?{query}" if query else ""), headers=headers)


# --- search -----------------------------------------------------------------------------------

def make_three():
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道", households=300)
    make_project("ZP-2026-002", "铁路二段生活小区", "铁路社区", "桂林街道", households=120)
    make_project("ZP-2025-007", "新华新村", "城中社区", "菁城街道", households=80)


def test_search_by_chinese_compound_name(en_client):
    make_three()
    page = get(en_client, "q=九龙")
    assert page.status_code == 200
    assert codes_in(page.get_data(as_text=True)) == ["ZP-2026-001"]
    # A part in the middle of the name matches too.
    assert codes_in(get(en_client, "q=二段").get_data(as_text=True)) == ["ZP-2026-002"]


def test_search_by_code_ignores_case(en_client):
    make_three()
    assert codes_in(get(en_client, "q=ZP-2025").get_data(as_text=True)) == ["ZP-2025-007"]
    assert codes_in(get(en_client, "q=zp-2026-00").get_data(as_text=True)) == ["ZP-2026-001", "ZP-2026-002"]


def test_search_by_community(en_client):
    make_three()
    assert codes_in(get(en_client, "q=城中社区").get_data(as_text=True)) == ["ZP-2025-007"]
    assert codes_in(get(en_client, "q=铁路").get_data(as_text=True)) == ["ZP-2026-002"]


def test_search_wildcards_and_blanks_are_literal(en_client):
    make_three()
    # % and _ are characters a user typed, not LIKE's wildcards: no project's names contain them.
    for wildcard in ("%25", "_", "%25%25", "ZP_2026", "\\"):
        assert codes_in(get(en_client, f"q={wildcard}").get_data(as_text=True)) == [], wildcard
    make_project("ZP-2026-050", "百分之100%小区", "九龙社区", "桂林街道")
    make_project("ZP-2026-051", "下划线_小区", "九龙社区", "桂林街道")
    assert codes_in(get(en_client, "q=%25").get_data(as_text=True)) == ["ZP-2026-050"]
    assert codes_in(get(en_client, "q=_").get_data(as_text=True)) == ["ZP-2026-051"]
    assert codes_in(get(en_client, "q=+++").get_data(as_text=True)) == [
        "ZP-2025-007", "ZP-2026-001", "ZP-2026-002", "ZP-2026-050", "ZP-2026-051"]
    html = get(en_client, "q=不存在的小区").get_data(as_text=True)
    assert codes_in(html) == []
    assert "No project matches" in html


def test_search_matches_every_place_and_party_and_needs_every_word(en_client):
    make_three()
    jiulong = db.session.scalar(sa.select(Project).where(Project.code == "ZP-2026-001"))
    jiulong.contractor, jiulong.supervisor, jiulong.responsible_engineer = "闽西路桥公司", "永信监理", "陈志明"
    db.session.commit()
    everyone = ["ZP-2025-007", "ZP-2026-001", "ZP-2026-002"]
    for word in ("闽西路桥", "永信", "陈志明"):
        assert codes_in(get(en_client, f"q={word}").get_data(as_text=True)) == ["ZP-2026-001"], word
    assert codes_in(get(en_client, "q=菁城街道").get_data(as_text=True)) == ["ZP-2025-007"]
    assert codes_in(get(en_client, "q=城建工程").get_data(as_text=True)) == ["ZP-2025-007", "ZP-2026-002"]
    assert codes_in(get(en_client, "q=桂林 铁路").get_data(as_text=True)) == ["ZP-2026-002"]
    assert codes_in(get(en_client, "q=桂林\u3000铁路").get_data(as_text=True)) == ["ZP-2026-002"]
    assert codes_in(get(en_client, "q=桂林 铁路 新华").get_data(as_text=True)) == []
    assert codes_in(get(en_client, "q= 林建华 ").get_data(as_text=True)) == everyone[::2]


# --- filters ----------------------------------------------------------------------------------

def test_filter_by_street_and_community(en_client):
    make_three()
    guilin = db.session.scalar(sa.select(Street.id).where(Street.name == "桂林街道"))
    jiulong = db.session.scalar(sa.select(Community.id).where(Community.name == "九龙社区"))
    assert codes_in(get(en_client, f"street={guilin}").get_data(as_text=True)) == ["ZP-2026-001", "ZP-2026-002"]
    assert codes_in(get(en_client, f"community={jiulong}").get_data(as_text=True)) == ["ZP-2026-001"]
    assert codes_in(get(en_client, f"street={guilin}&q=新华").get_data(as_text=True)) == []


def test_filter_by_current_stage_and_done(en_client):
    done = {key.value: {"status": "completed", "percent": 100,
                        "actual_start": today() - timedelta(days=200),
                        "actual_end": today() - timedelta(days=100)} for key in STAGE_ORDER}
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区")
    make_project("ZP-2026-002", "铁路二段生活小区", stages={
        "survey": done["survey"],
        "rain_sewage": {"status": "in_progress", "percent": 40, "actual_start": today() - timedelta(days=10)},
    })
    make_project("ZP-2024-003", "新华新村", "城中社区", "菁城街道", stages=done)
    assert codes_in(get(en_client, "stage=survey").get_data(as_text=True)) == ["ZP-2026-001"]
    assert codes_in(get(en_client, "stage=rain_sewage").get_data(as_text=True)) == ["ZP-2026-002"]
    assert codes_in(get(en_client, "stage=done").get_data(as_text=True)) == ["ZP-2024-003"]
    assert codes_in(get(en_client, "stage=facade").get_data(as_text=True)) == []


def test_filter_behind_schedule(en_client):
    # Survey planned to start 100 days ago and not started: behind by 100 days.
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", start=today() - timedelta(days=100))
    # Planned to start in a week: on track.
    make_project("ZP-2026-002", "铁路二段生活小区", start=today() + timedelta(days=7))
    html = get(en_client, "behind=1").get_data(as_text=True)
    assert codes_in(html) == ["ZP-2026-001"]
    assert "Behind by 100 days" in html
    assert codes_in(get(en_client, "").get_data(as_text=True)) == ["ZP-2026-001", "ZP-2026-002"]


# --- sorting ----------------------------------------------------------------------------------

STAGE_POSITION = {**{key.value: position for position, key in enumerate(STAGE_ORDER)}, DONE: len(STAGE_ORDER)}
SORT_KEYS = {
    "code": lambda p: p.code,
    "compound": lambda p: p.compound.name,
    "street": lambda p: p.compound.community.street.name,
    "community": lambda p: p.compound.community.name,
    "households": lambda p: p.households,
    # In the order of the work, not the alphabetical order of the keys.
    "stage": lambda p: STAGE_POSITION[p.current_stage],
    "progress": lambda p: p.progress,
    # Ascending: earliest pending deadline (furthest behind) first, projects without one last.
    "behind": lambda p: p.next_deadline or date.max,
    "updated": lambda p: p.updated_at,
}


@pytest.fixture
def forty(en_client):
    """40 demo projects (one page), with distinct last-updated times."""
    seed(40)
    now = utcnow()
    for index, project in enumerate(sorted(all_projects(), key=lambda p: p.households)):
        project.updated_at = now - timedelta(minutes=(index * 37) % 40)
    db.session.commit()
    db.session.expire_all()
    return en_client


def expected_order(key: str, descending: bool) -> list[str]:
    """Ties are broken by the code; descending is the exact reverse of ascending (each order is one
    index, read either way, whatever page it starts on)."""
    ordered = [p.code for p in sorted(all_projects(), key=lambda p: (SORT_KEYS[key](p), p.code))]
    return ordered[::-1] if descending else ordered


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SORT_KEYS))
def test_sort_by_each_column(forty, key, descending):
    expected = expected_order(key, descending)
    assert len(set(SORT_KEYS[key](p) for p in all_projects())) > 1, "the demo data should vary"
    query = f"sort={key}" + ("&dir=desc" if descending else "")
    html = get(forty, query).get_data(as_text=True)
    assert codes_in(html) == expected
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in html


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_sort_by_schedule_is_by_days_behind(forty, descending):
    html = get(forty, "sort=behind" + ("&dir=desc" if descending else "")).get_data(as_text=True)
    by_code = {p.code: days_behind(p.next_deadline, today()) for p in all_projects()}
    behind = [by_code[code] for code in codes_in(html)]
    assert any(behind) and not all(behind)
    assert behind == sorted(behind, reverse=not descending)


def test_sort_links_toggle_the_direction_and_keep_filters(forty):
    html = get(forty, "q=宿舍&sort=households&dir=desc").get_data(as_text=True)
    links = dict(re.findall(r'<a href="(/projects\?[^"]*)"\s+hx-get="[^"]*" hx-target="#results" '
                            r'hx-push-url="true">([^<▲▼]+)', html))
    by_label = {label.strip(): parse_qs(urlsplit(href.replace("&amp;", "&")).query) for href, label in links.items()}
    assert by_label["Households"] == {"q": ["宿舍"], "sort": ["households"]}  # desc → asc
    assert by_label["Compound"] == {"q": ["宿舍"], "sort": ["compound"]}
    assert by_label["Progress"] == {"q": ["宿舍"], "sort": ["progress"], "dir": ["desc"]}


# --- pagination -------------------------------------------------------------------------------

@pytest.fixture
def hundred_twenty(en_client):
    seed(120)
    return en_client


def next_link(html: str) -> str:
    return re.search(r'<a href="([^"]+)"[^>]*rel="next"', html).group(1).replace("&amp;", "&")


def previous_link(html: str) -> str:
    return re.search(r'<a href="([^"]+)"[^>]*rel="prev"', html).group(1).replace("&amp;", "&")


def query_of(href: str) -> dict:
    return parse_qs(urlsplit(href).query)


def test_pages_of_fifty(hundred_twenty):
    everything = [p.code for p in sorted(all_projects(), key=lambda p: p.code)]
    assert len(everything) == 120
    pages = [codes_in(get(hundred_twenty, f"page={n}").get_data(as_text=True)) for n in (1, 2, 3)]
    assert [len(page) for page in pages] == [50, 50, 20]
    assert pages[0] + pages[1] + pages[2] == everything
    first = get(hundred_twenty, "").get_data(as_text=True)
    assert "120 projects" in first and "page 1 of 3" in first and "<span>1 / 3</span>" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    # The next page starts after the last project shown: the same page, whatever its depth.
    assert next_link(first) == f"/projects?page=2&after={pages[0][-1]}"
    last = get(hundred_twenty, "page=3").get_data(as_text=True)
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_next_and_previous_links_walk_every_page(hundred_twenty):
    everything = [p.code for p in sorted(all_projects(), key=lambda p: p.code)]
    html, seen = get(hundred_twenty, "").get_data(as_text=True), []
    for number in (1, 2, 3):
        assert f"page {number} of 3" in html
        seen.append(codes_in(html))
        if number < 3:
            html = hundred_twenty.get(next_link(html)).get_data(as_text=True)
    assert sum(seen, []) == everything
    assert 'rel="next"' not in html
    for number in (2, 1):
        href = previous_link(html)
        assert query_of(href) == ({"page": ["2"], "before": [seen[2][0]]} if number == 2 else {})
        html = hundred_twenty.get(href).get_data(as_text=True)
        assert codes_in(html) == seen[number - 1] and f"page {number} of 3" in html


def test_page_past_the_end_shows_the_last_page(hundred_twenty):
    response = get(hundred_twenty, "page=99", htmx=True)
    assert response.status_code == 200
    assert len(codes_in(response.get_data(as_text=True))) == 20
    assert response.headers["HX-Push-Url"] == "/projects?page=3"
    # After the last project there is nothing: the last page again.
    last = max(p.code for p in all_projects())
    response = get(hundred_twenty, f"page=4&after={last}", htmx=True)
    assert len(codes_in(response.get_data(as_text=True))) == 20 and "page 3 of 3" in response.get_data(as_text=True)


def test_a_page_after_a_project_keeps_its_address_and_survives_a_stale_code(hundred_twenty):
    everything = [p.code for p in sorted(all_projects(), key=lambda p: p.code)]
    response = get(hundred_twenty, f"page=2&after={everything[59]}", htmx=True)
    assert codes_in(response.get_data(as_text=True)) == everything[60:110]
    assert response.headers["HX-Push-Url"] == f"/projects?page=2&after={everything[59]}"
    # A project code that is no longer there (or never was): the page by its number.
    assert codes_in(get(hundred_twenty, "page=2&after=ZP-1999-999").get_data(as_text=True)) == everything[50:100]
    assert codes_in(get(hundred_twenty, "page=2&after=" + "长" * 40).get_data(as_text=True)) == everything[50:100]


def test_pagination_keeps_the_filters(hundred_twenty):
    html = get(hundred_twenty, "sort=progress&dir=desc").get_data(as_text=True)
    expected = expected_order("progress", True)
    assert query_of(next_link(html)) == {"sort": ["progress"], "dir": ["desc"], "page": ["2"], "after": [expected[49]]}
    assert codes_in(hundred_twenty.get(next_link(html)).get_data(as_text=True)) == expected[50:100]
    assert codes_in(get(hundred_twenty, "sort=progress&dir=desc&page=2").get_data(as_text=True)) == expected[50:100]


def test_a_long_list_counts_only_so_far_and_pages_on(app, hundred_twenty):
    """Past the count limit (500 by default; 100 here), the list says "more than" and pages on
    from project to project; a page asked for by its number stays among the counted ones."""
    app.config["PROJECTS_COUNT_LIMIT"] = 100
    everything = [p.code for p in sorted(all_projects(), key=lambda p: p.code)]
    html = get(hundred_twenty, "").get_data(as_text=True)
    assert "More than 100 projects · page 1" in html and "<span>1</span>" in html
    html = hundred_twenty.get(next_link(html)).get_data(as_text=True)
    html = hundred_twenty.get(next_link(html)).get_data(as_text=True)
    assert codes_in(html) == everything[100:] and "page 3" in html and 'rel="next"' not in html
    assert codes_in(get(hundred_twenty, "page=3").get_data(as_text=True)) == everything[50:100]
    # A short match is counted exactly.
    assert "1 project" in get(hundred_twenty, f"q={everything[7]}").get_data(as_text=True)


# --- a province's communities --------------------------------------------------------------------

COMMUNITY_OPTION = re.compile(r'<option value="(\d*)" ?(selected)?>([^<]*)</option>')


def community_options(html: str, out_of_band: bool = False) -> list[tuple[str, str]]:
    """(label, "selected" or "") of the community select's options (its out-of-band copy)."""
    select = re.search(r'<select name="community"([^>]*)>(.*?)</select>', html, re.S)
    assert ('hx-swap-oob="true"' in select.group(1)) == out_of_band
    return [(label, selected) for _value, selected, label in COMMUNITY_OPTION.findall(select.group(2))]


@pytest.fixture
def province(en_client):
    """Two projects in two streets, and 400 communities: more than a city's filter lists."""
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道")
    make_project("ZP-2025-007", "新华新村", "城中社区", "菁城街道")
    street = db.session.scalar(sa.select(Street.id).where(Street.name == "菁城街道"))
    db.session.execute(sa.insert(Community), [{"name": f"第{n:03d}社区", "street_id": street} for n in range(400)])
    db.session.commit()
    return en_client


def ids_of(model, name) -> int:
    return db.session.scalar(sa.select(model.id).where(model.name == name))


def test_a_province_offers_the_chosen_streets_communities(province):
    html = get(province, "").get_data(as_text=True)
    assert community_options(html) == [("All communities (choose a street to list them)", "")]
    assert len(codes_in(html)) == 2
    guilin = ids_of(Street, "桂林街道")
    html = get(province, f"street={guilin}").get_data(as_text=True)
    assert community_options(html) == [("All communities", ""), ("九龙社区", "")]
    # A community chosen without its street (a shared address) stays chosen, and filters.
    chengzhong = ids_of(Community, "城中社区")
    html = get(province, f"community={chengzhong}").get_data(as_text=True)
    assert community_options(html) == [("All communities (choose a street to list them)", ""), ("城中社区", "selected")]
    assert codes_in(html) == ["ZP-2025-007"]


def test_changing_the_street_brings_its_communities_out_of_band(province):
    """htmx swaps the results; the community select, outside them, comes along out of band."""
    jingcheng = ids_of(Street, "菁城街道")
    html = get(province, f"street={jingcheng}", htmx=True).get_data(as_text=True)
    options = community_options(html, out_of_band=True)
    assert len(options) == 402 and options[:2] == [("All communities", ""), ("城中社区", "")]
    assert 'id="community-filter"' in get(province, "").get_data(as_text=True)  # what it replaces


def street_options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="street"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [(label, selected) for _value, selected, label in COMMUNITY_OPTION.findall(select)]


def test_the_chosen_street_is_the_one_marked_each_time(en_client):
    """The street options are written once while the areas stay the same; each page marks its own."""
    make_three()
    make_area("<b>新</b>街道", "新社区")  # a name is text, escaped, kept or not
    db.session.commit()
    guilin, jingcheng = ids_of(Street, "桂林街道"), ids_of(Street, "菁城街道")
    everything = street_options(get(en_client, "").get_data(as_text=True))
    assert everything[0] == ("All streets", "") and ("&lt;b&gt;新&lt;/b&gt;街道", "") in everything
    assert [selected for _label, selected in everything] == [""] * len(everything)
    for street, name in ((guilin, "桂林街道"), (jingcheng, "菁城街道"), (guilin, "桂林街道")):
        options = street_options(get(en_client, f"street={street}").get_data(as_text=True))
        assert [label for label, selected in options if selected] == [name]
        assert [label for label, _selected in options] == [label for label, _selected in everything]
    assert [s for _l, s in street_options(get(en_client, "").get_data(as_text=True)) if s] == []


def test_a_city_lists_every_community_and_sends_nothing_out_of_band(en_client):
    make_three()
    guilin = ids_of(Street, "桂林街道")
    html = get(en_client, f"street={guilin}").get_data(as_text=True)
    assert [label for label, _ in community_options(html)] == ["All communities", "九龙社区", "城中社区", "铁路社区"]
    assert "hx-swap-oob" not in get(en_client, f"street={guilin}", htmx=True).get_data(as_text=True)


# --- htmx and the full page -------------------------------------------------------------------

def test_htmx_request_gets_only_the_results_with_a_clean_push_url(en_client):
    make_three()
    guilin = db.session.scalar(sa.select(Street.id).where(Street.name == "桂林街道"))
    # What the filter form sends: every field, most of them empty or default.
    response = get(en_client, f"q=九龙&street={guilin}&community=&stage=&sort=code&dir=asc", htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<form" not in html
    assert '<table class="striped project-table">' in html
    assert codes_in(html) == ["ZP-2026-001"]
    pushed = urlsplit(response.headers["HX-Push-Url"])
    assert pushed.path == "/projects"
    assert parse_qs(pushed.query) == {"q": ["九龙"], "street": [str(guilin)]}


def test_htmx_push_url_of_the_default_list_is_bare(en_client):
    make_three()
    response = get(en_client, "q=&street=&community=&stage=&sort=code&dir=asc", htmx=True)
    assert response.headers["HX-Push-Url"] == "/projects"


def test_boosted_navigation_and_plain_requests_get_the_full_page(en_client):
    make_three()
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"},
                    {"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        response = en_client.get("/projects?q=九龙", headers=headers)
        html = response.get_data(as_text=True)
        assert "<html" in html and "<form" in html
        assert "HX-Push-Url" not in response.headers


def test_full_page_keeps_the_filters_in_the_form(en_client):
    make_three()
    make_project("ZP-2026-009", "九龙花园", "九龙社区", "桂林街道")
    guilin = db.session.scalar(sa.select(Street.id).where(Street.name == "桂林街道"))
    jiulong = db.session.scalar(sa.select(Community.id).where(Community.name == "九龙社区"))
    html = get(en_client, f"q=九龙&street={guilin}&community={jiulong}&stage=survey&behind=1"
                          "&sort=households&dir=desc").get_data(as_text=True)
    assert 'name="q" value="九龙"' in html
    assert re.search(rf'<option value="{guilin}" selected>桂林街道</option>', html)
    assert re.search(rf'<option value="{jiulong}" selected>九龙社区</option>', html)
    assert '<option value="survey" selected>' in html
    assert re.search(r'name="behind" value="1" checked', html)
    # The sort is kept by the sort control (shown on phones, where the headers are hidden).
    assert '<option value="households" selected>' in html
    assert '<option value="desc" selected>' in html
    # Only one option of each select is selected.
    assert html.count(" selected>") == 5


def test_html_in_the_search_is_escaped(en_client):
    make_three()
    html = get(en_client, "q=<script>x</script>").get_data(as_text=True)
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("query", [
    "page=abc", "page=0", "page=-3", "street=999", "street=abc", "community=999999999999999999999",
    "stage=bogus", "sort=drop", "sort=code;drop table project", "dir=sideways", "behind=maybe",
    "q=" + "长" * 300, "page=1&page=2", "street=",
])
def test_bad_parameters_do_not_crash(en_client, query):
    make_three()
    for htmx in (False, True):
        response = get(en_client, query, htmx=htmx)
        assert response.status_code == 200, query
    assert codes_in(response.get_data(as_text=True)) or "q=" in query


@pytest.mark.parametrize("query", ["q=%00", "q=%E4%B9%9D%00", "stage=survey%00"])
def test_nul_bytes_are_refused_not_sent_to_the_database(en_client, query):
    """PostgreSQL refuses NUL in text: such a request is a clear 400, never a server error."""
    make_three()
    for htmx in (False, True):
        assert get(en_client, query, htmx=htmx).status_code == 400
    assert en_client.get("/projects/ZP-2026-001%00").status_code == 400


def test_bad_parameters_fall_back_to_everything(en_client):
    make_three()
    response = get(en_client, "page=abc&street=999&sort=drop&stage=bogus", htmx=True)
    assert codes_in(response.get_data(as_text=True)) == ["ZP-2025-007", "ZP-2026-001", "ZP-2026-002"]
    assert response.headers["HX-Push-Url"] == "/projects"


# An anonymous visitor is sent to the login (an htmx request gets 401 and HX-Redirect): the
# permission matrix's anonymous tests, for every page (tests/test_permissions.py).


@pytest.mark.parametrize("role", ["committee", "leader", "admin"])
def test_every_role_reads_the_list(client, role):
    make_three()
    make_user("someone", role, community="九龙社区" if role == "committee" else None)
    login(client, "someone")
    # A committee member's list opens on their community; "全市" (community=0) is the whole city.
    assert len(codes_in(client.get("/projects?community=0").get_data(as_text=True))) == 3
    assert len(codes_in(client.get("/projects", follow_redirects=True).get_data(as_text=True))) == (
        1 if role == "committee" else 3)


# --- a constant number of SQL statements ---------------------------------------------------------

def _shrink_to(count: int) -> None:
    ids = db.session.scalars(sa.select(Project.id).order_by(Project.id).offset(count)).all()
    db.session.execute(sa.delete(Stage).where(Stage.project_id.in_(ids)))
    db.session.execute(sa.delete(Project).where(Project.id.in_(ids)))
    db.session.commit()
    db.session.expunge_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == count


def _statements_for(client, url, **headers) -> int:
    client.get(url, headers=headers)  # warm up: first connections, caches
    db.session.expunge_all()
    with count_statements() as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("query", ["", "q=宿舍&sort=compound&dir=desc", "behind=1&sort=behind", "page=2"])
def test_the_list_runs_a_constant_number_of_statements(hundred_twenty, query):
    client = hundred_twenty
    url = "/projects?" + query
    many = _statements_for(client, url)
    many_htmx = _statements_for(client, url, **{"HX-Request": "true"})
    _shrink_to(10 if query != "page=2" else 60)
    few = _statements_for(client, url)
    few_htmx = _statements_for(client, url, **{"HX-Request": "true"})
    assert many == few, (many, few)
    assert many_htmx == few_htmx
    assert many <= 6, many


def test_the_api_list_runs_a_constant_number_of_statements(app, client):
    seed(120)
    headers = {"Authorization": f"Bearer {api_token(make_user('engineer', 'engineer'))}"}
    url = "/api/v1/projects?per_page=200"
    many = _statements_for(client, url, **headers)
    assert len(client.get(url, headers=headers).get_json()["items"]) == 120
    _shrink_to(10)
    few = _statements_for(client, url, **headers)
    assert len(client.get(url, headers=headers).get_json()["items"]) == 10
    assert many == few, (many, few)
    assert many <= 7
