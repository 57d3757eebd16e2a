"""The 长效管理 section of the project page: what each role sees and may do, recording the after-care
with htmx and without a script, errors beside the fields, a stale form (409); and the dashboard's
coverage per street with the completed compounds nobody looks after."""
import re

import pytest
import sqlalchemy as sa

from renovation.domain.aftercare.records import aftercare_of, save_aftercare
from renovation.extensions import db
from renovation.models import AuditEntry
from tests.aftercare_samples import CARED, NOBODY, completed_project, record
from tests.conftest import login, make_project, make_user

HTMX = {"HX-Request": "true"}
CODE = "ZP-2026-001"
FORM = {"party_branch": "y", "party_branch_name": "铁路二段小区党支部", "building_party_groups": "4",
        "owners_committee": "y", "red_owners_committee": "y", "property_management": "community",
        "property_company": "", "red_property": "y", "version": "0"}


@pytest.fixture
def people(app):
    make_project(CODE)
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    return {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
            "committee": make_user("committee", "committee", community="铁路社区"),
            "other_committee": make_user("other_committee", "committee", community="九龙社区"),
            "leader": make_user("leader", "leader")}


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str) -> str:
    return re.search(r'<section id="aftercare".*?</section>', html, re.S).group(0)


def saved():
    from renovation.domain import project_list

    db.session.expire_all()
    return aftercare_of(project_list.project_by_code(CODE).id)


def test_the_project_page_says_nobody_is_recorded_and_offers_the_form_to_the_community(client, people):
    login(client, "committee")
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert 'href="#aftercare"' in page
    shown = section(page)
    assert "长效管理" in shown and 'data-aftercare="none"' in shown
    assert f'href="/projects/{CODE}/aftercare"' in shown


@pytest.mark.parametrize("role", ["leader", "other_committee"])
def test_readers_see_the_section_without_a_button_and_are_refused_the_form(client, people, role):
    from renovation.domain import project_list

    save_aftercare(project_list.project_by_code(CODE), people["engineer"], CARED, 0)
    login(client, role)
    shown = section(client.get(f"/projects/{CODE}").get_data(as_text=True))
    assert "铁路二段小区党支部" in shown and "漳平市安居物业服务有限公司" in shown and "红色物业" in shown
    assert f"/projects/{CODE}/aftercare" not in shown
    assert client.get(f"/projects/{CODE}/aftercare").status_code == 403
    assert client.post(f"/projects/{CODE}/aftercare", data={**FORM, "version": "1"}).status_code == 403
    assert saved().building_party_groups == 3


def test_the_committee_records_its_compound_in_place_with_htmx(client, people):
    login(client, "committee")
    form = client.get(f"/projects/{CODE}/aftercare", headers=HTMX)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="aftercare"') and 'hx-post="/projects/' in html
    answer = client.post(f"/projects/{CODE}/aftercare", data=FORM, headers=HTMX)
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "aftercareChanged"
    shown = text(answer.get_data(as_text=True))
    assert "已保存" in shown and "铁路二段小区党支部" in shown and "4个楼栋党小组" in shown.replace(" ", "")
    assert "红色业委会" in shown and "社区托管" in shown
    record = saved()
    assert (record.version, record.building_party_groups, record.property_management) == (1, 4, "community")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "aftercare.change")).one()
    assert entry.user_id == people["committee"].id and entry.target_id == CODE


def test_without_a_script_the_form_is_a_page_and_saving_goes_back_to_the_section(client, people):
    login(client, "engineer")
    page = client.get(f"/projects/{CODE}/aftercare").get_data(as_text=True)
    assert "<h1>" in page and "hx-post" not in re.search(r'<form method="post".*?>', page, re.S).group(0)
    answer = client.post(f"/projects/{CODE}/aftercare", data={**FORM, "property_management": "professional",
                                                             "property_company": "漳平市安居物业服务有限公司"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/projects/{CODE}#aftercare")
    assert saved().property_company == "漳平市安居物业服务有限公司"


def test_bad_values_are_refused_beside_their_fields_and_kept_as_typed(client, people):
    login(client, "engineer")
    answer = client.post(f"/projects/{CODE}/aftercare", headers=HTMX, data={
        **FORM, "building_party_groups": "三", "property_management": "professional", "property_company": ""})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="aftercare-building_party_groups-error"' in html and "楼栋党小组" in text(html)
    assert 'value="三"' in html
    answer = client.post(f"/projects/{CODE}/aftercare", headers=HTMX, data={
        **FORM, "property_management": "professional", "property_company": ""})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="aftercare-property_company-error"' in html and "请填写物业服务企业名称" in text(html).replace(" ", "")
    unticked = {name: value for name, value in FORM.items() if name != "owners_committee"}
    answer = client.post(f"/projects/{CODE}/aftercare", headers=HTMX, data=unticked)
    assert answer.status_code == 422 and 'id="aftercare-red_owners_committee-error"' in answer.get_data(as_text=True)
    assert saved().recorded is False


def test_a_stale_form_answers_409_with_the_values_now(client, people):
    from renovation.domain import project_list

    save_aftercare(project_list.project_by_code(CODE), people["engineer"], CARED, 0)
    login(client, "committee")
    answer = client.post(f"/projects/{CODE}/aftercare", data=FORM, headers=HTMX)  # the form of version 0
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert 'role="alert"' in html and 'value="铁路二段小区党支部"' in html and 'value="3"' in html
    assert 'name="version" type="hidden" value="1"' in html
    assert saved().building_party_groups == 3 and saved().property_management == "professional"


def test_cancel_brings_the_read_view_back(client, people):
    login(client, "engineer")
    answer = client.get(f"/projects/{CODE}?fragment=aftercare", headers=HTMX)
    assert answer.status_code == 200 and 'data-aftercare="none"' in answer.get_data(as_text=True)


# --- the dashboard -----------------------------------------------------------------------------

@pytest.fixture
def completed(app, engineer):
    one = completed_project("ZP-2024-001", "九龙桂冠小区", "桂冠社区")
    record(one, engineer)
    two = completed_project("ZP-2024-002", "铁路二段生活小区", "铁路社区")
    record(two, engineer, red_owners_committee=False)
    record(completed_project("ZP-2024-003", "粮食局宿舍", "铁路社区"), engineer, **NOBODY)
    completed_project("ZP-2024-004", "西园新村", "西园社区", "菁城街道")
    make_user("leader", "leader")


def figure(html: str, street: str, name: str) -> str:
    row = re.search(rf'<tr data-street="{street}".*?</tr>', section_of_dashboard(html), re.S).group(0)
    return re.search(rf'data-figure="{name}">([^<]*)<', row).group(1)


def section_of_dashboard(html: str) -> str:
    return re.search(r'<section class="dash-wide" id="aftercare">.*?</section>', html, re.S).group(0)


def test_the_dashboard_shows_the_coverage_per_street_and_for_the_city(client, completed):
    login(client, "leader")
    html = client.get("/dashboard").get_data(as_text=True)
    shown = text(section_of_dashboard(html))
    assert "长效管理" in shown and "已竣工验收的小区" in shown.replace(" ", "")
    counts = ("completed", "party_branches", "party_groups")
    assert [figure(html, "桂林街道", name) for name in counts] == ["3", "2", "6"]
    assert figure(html, "桂林街道", "owners_committee_rate") == "66.67%"
    assert figure(html, "桂林街道", "red_owners_committee_rate") == "50.00%"
    assert figure(html, "桂林街道", "red_property_rate") == "100.00%"
    assert figure(html, "菁城街道", "owners_committee_rate") == "0.00%"
    assert figure(html, "菁城街道", "red_owners_committee_rate") == "—"
    assert [figure(html, "city", name) for name in ("completed", "party_branches", "uncared")] == ["4", "2", "2"]
    assert figure(html, "city", "management_rate") == "50.00%"


def test_the_dashboard_names_the_completed_compounds_nobody_looks_after(client, completed):
    login(client, "leader")
    listed = section_of_dashboard(client.get("/dashboard").get_data(as_text=True))
    links = re.findall(r'<a href="/projects/([^"#]+)#aftercare"><strong>([^<]+)</strong>', listed)
    assert links == [("ZP-2024-003", "粮食局宿舍"), ("ZP-2024-004", "西园新村")]


def test_beyond_the_first_named_the_rest_are_counted(client, completed, monkeypatch):
    from renovation.domain.aftercare import coverage

    monkeypatch.setattr(coverage.aftercare_coverage, "__defaults__", (1,))
    login(client, "leader")
    listed = section_of_dashboard(client.get("/dashboard").get_data(as_text=True))
    assert len(re.findall(r"#aftercare\"><strong>", listed)) == 1 and 'data-figure="uncared_not_named">另有1个' in \
        listed.replace(" ", "")


def test_the_dashboard_section_costs_two_statements_that_read_no_whole_table(client, completed, engineer):
    """One grouped by street and one naming the first compounds, through the index on the projects'
    current stage: the same at any size, and no whole read of the city's projects."""
    from tests.test_project_page_cost import whole_table_reads

    def section_statements() -> list:
        sent = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if "aftercare" in statement:
                sent.append((statement, parameters))

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get("/dashboard").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
        return sent

    login(client, "leader")
    few = section_statements()
    for number in range(30):
        project = completed_project(f"ZP-2023-{number:03d}", f"扩展小区{number}", f"社区{number % 4}", "新桥镇")
        if number % 3:
            record(project, engineer)
        make_project(f"ZP-2026-{number + 100:03d}", f"在建小区{number}", f"社区{number % 4}", "新桥镇")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    more = section_statements()
    assert len(few) == len(more) == 2
    assert [" ".join(statement.split()) for statement, _ in few] == [" ".join(s.split()) for s, _ in more]
    assert whole_table_reads(more) == []


def test_the_audit_log_tells_each_change_in_words(client, people):
    login(client, "committee")
    client.post(f"/projects/{CODE}/aftercare", data=FORM)
    client.post(f"/projects/{CODE}/aftercare", data={**FORM, "building_party_groups": "5", "version": "1"})
    client.post("/logout")
    login(client, "admin")
    shown = text(client.get("/admin/audit?action=aftercare.change").get_data(as_text=True)).replace(" ", "")
    assert "楼栋党小组：4→5" in shown
    assert "物业管理：—→社区托管" in shown and "红色业委会：—→是" in shown
