"""The content pages: the project page's 改造内容 section (what each role sees and may do), adding an
item and reporting what is done with htmx and without a script, errors beside the fields, a stale
version (409); the catalogue's admin page; the stage card asking an allowed engineer for the reason
to override the hidden-works rule; the list of overrides; the upload form's hidden-works fields."""
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain import accounts
from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import add_content, change_content
from renovation.extensions import db
from renovation.models import ContentItem, Photo, ProjectContent, RuleOverride, User
from tests.conftest import days_ago, login, make_project, make_user
from tests.domain.photo_samples import jpeg

HTMX = {"HX-Request": "true"}
CODE = "ZP-2026-001"
PIPES_LAID = {"survey": {"status": "completed", "percent": 100, "actual_start": days_ago(40),
                         "actual_end": days_ago(30)},
              "rain_sewage": {"status": "in_progress", "percent": 60, "actual_start": days_ago(20)}}


@pytest.fixture
def people(app):
    catalogue.ensure_default_items()
    make_project(CODE, stages=PIPES_LAID, start=days_ago(60))
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    return {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
            "committee": make_user("committee", "committee", community="铁路社区"),
            "other_committee": make_user("other_committee", "committee", community="九龙社区"),
            "leader": make_user("leader", "leader")}


def pipes_form(**values) -> dict:
    return {"item": "rain_sewage_pipes", "stage": "", "planned_quantity": "1200", "completed_quantity": "0",
            "investment": "54", "reason": "", **values}


def switch(client, username):
    client.post("/logout")
    login(client, username)


def project():
    from renovation.domain import project_list

    return project_list.project_by_code(CODE)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_engineer_adds_pipes_and_lifts_and_reports_800_m_done(client, people):
    login(client, "engineer")
    section = client.post(f"/projects/{CODE}/contents", data=pipes_form(), headers=HTMX)
    assert section.status_code == 200 and section.headers["HX-Trigger"] == "contentsChanged"
    assert "雨污分流管网" in section.get_data(as_text=True)
    client.post(f"/projects/{CODE}/contents", data=pipes_form(item="elevators", planned_quantity="2", investment="90"),
                headers=HTMX)
    content = db.session.scalars(sa.select(ProjectContent).join(ContentItem)
                                 .where(ContentItem.key == "rain_sewage_pipes")).one()
    form = client.get(f"/contents/{content.id}/edit", headers=HTMX).get_data(as_text=True)
    assert 'name="completed_quantity"' in form and 'inputmode="decimal"' in form
    saved = client.post(f"/contents/{content.id}/edit", headers=HTMX, data={
        "planned_quantity": "1200", "completed_quantity": "800", "investment": "54", "stage": "rain_sewage",
        "reason": "", "version": "1"})
    assert saved.status_code == 200 and "800 m" in text(saved.get_data(as_text=True))
    page = text(client.get(f"/projects/{CODE}").get_data(as_text=True))
    assert "1200 m" in page and "800 m" in page and "2 台" in page


def test_the_add_form_comes_when_opened_offering_the_items_not_yet_included(client, people):
    login(client, "engineer")
    add_content(project(), people["engineer"], {"item": "elevators", "planned_quantity": Decimal(2)})
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert f'hx-get="/projects/{CODE}/contents/new"' in page and 'name="planned_quantity"' not in page
    form = client.get(f"/projects/{CODE}/contents/new", headers=HTMX).get_data(as_text=True)
    assert "<html" not in form and f'hx-post="/projects/{CODE}/contents"' in form
    offered = re.findall(r'<option value="([a-z_]+)"', form)
    assert "rain_sewage_pipes" in offered and "elevators" not in offered  # the project has its lifts already
    alone = client.get(f"/projects/{CODE}/contents/new").get_data(as_text=True)  # without a script: a page
    assert "<html" in alone and 'hx-post' not in alone.split("<main", 1)[1].split("</main>")[0]


def test_without_a_script_the_forms_post_and_redirect(client, people):
    login(client, "engineer")
    added = client.post(f"/projects/{CODE}/contents", data=pipes_form(planned_quantity="1200.5"))
    assert added.status_code == 303 and added.headers["Location"].endswith(f"/projects/{CODE}#contents")
    content = db.session.scalars(sa.select(ProjectContent)).one()
    assert content.planned_quantity == 1200.5
    page = client.get(f"/contents/{content.id}/edit")
    assert page.status_code == 200 and "<h1>" in page.get_data(as_text=True)
    refused = client.post(f"/projects/{CODE}/contents", data=pipes_form(item="roads", planned_quantity="十二"))
    assert refused.status_code == 422
    assert 'value="十二"' in refused.get_data(as_text=True) and "<h1>" in refused.get_data(as_text=True)


def test_more_done_than_planned_is_refused_beside_the_field_with_the_input_kept(client, people):
    login(client, "engineer")
    refused = client.post(f"/projects/{CODE}/contents", headers=HTMX,
                          data=pipes_form(completed_quantity="1300.5"))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert re.search(r'id="new-content-reason-error"', html)
    assert 'value="1300.5"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectContent)) == 0


def test_a_stale_version_shows_the_current_values_with_409(client, people):
    engineer = db.session.scalars(sa.select(User).where(User.username == "engineer")).one()
    content = add_content(project(), engineer, {"item": "roads", "planned_quantity": 3000, "completed_quantity": 0,
                                                "investment": 60})
    change_content(content, engineer, {"completed_quantity": 1000}, 1)
    login(client, "admin")
    stale = client.post(f"/contents/{content.id}/edit", headers=HTMX, data={
        "planned_quantity": "3000", "completed_quantity": "2000", "investment": "60", "stage": "paving",
        "reason": "", "version": "1"})
    assert stale.status_code == 409
    assert 'value="1000"' in stale.get_data(as_text=True) and 'role="alert"' in stale.get_data(as_text=True)


@pytest.mark.parametrize("role", ["committee", "other_committee", "leader"])
def test_readers_see_the_figures_without_the_forms(client, people, role):
    engineer = db.session.scalars(sa.select(User).where(User.username == "engineer")).one()
    content = add_content(project(), engineer, {"item": "elevators", "planned_quantity": 2, "completed_quantity": 1,
                                                "investment": 90})
    login(client, role)
    html = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert "加装电梯" in html and "1 台" in text(html)
    assert f"/contents/{content.id}/edit" not in html and f"/projects/{CODE}/contents" not in html
    assert client.post(f"/projects/{CODE}/contents", data=pipes_form(), headers=HTMX).status_code == 403
    assert client.post(f"/contents/{content.id}/edit", headers=HTMX, data={"version": "1"}).status_code == 403


def test_an_admin_adds_renames_and_retires_catalogue_items(client, people):
    login(client, "admin")
    assert client.post("/admin/content-items", data={"key": "bike_sheds", "name": "非机动车棚",
                                                      "category": "improvement", "unit": "处",
                                                      "stage": ""}).status_code == 303
    item = catalogue.item_by_key("bike_sheds")
    assert client.post(f"/admin/content-items/{item.id}", data={"key": "bike_sheds", "name": "电动自行车棚",
                                                                 "category": "improvement", "unit": "处",
                                                                 "stage": "paving", "version": "1"}).status_code == 303
    assert client.post(f"/admin/content-items/{item.id}/retire", data={"version": "2"}).status_code == 303
    db.session.expire_all()
    item = catalogue.item_by_key("bike_sheds")
    assert (item.name, item.stage_key, item.retired) == ("电动自行车棚", "paving", True)
    refused = client.post("/admin/content-items", data={"key": "bike_sheds", "name": "", "category": "improvement",
                                                         "unit": "处"})
    assert refused.status_code == 422 and "field-error" in refused.get_data(as_text=True)
    switch(client, "engineer")
    assert client.get("/admin/content-items").status_code == 403


def test_an_item_in_use_is_not_deleted(client, people):
    engineer = db.session.scalars(sa.select(User).where(User.username == "engineer")).one()
    add_content(project(), engineer, {"item": "parking", "planned_quantity": 40, "completed_quantity": 0,
                                      "investment": 12})
    item = catalogue.item_by_key("parking")
    login(client, "admin")
    page = client.get("/admin/content-items").get_data(as_text=True)
    assert f"/admin/content-items/{item.id}/delete" not in page
    client.post(f"/admin/content-items/{item.id}/delete", data={"version": "1"})
    assert catalogue.item_by_key("parking") is not None


def test_an_allowed_engineer_is_asked_why_and_overrides_the_hidden_works_rule(client, people):
    login(client, "engineer")
    url = f"/projects/{CODE}/stages/paving/edit"
    start = {"status": "in_progress", "percent": "10", "actual_start": days_ago(1).isoformat(), "actual_end": "",
             "note": "", "version": "1"}
    refused = client.post(url, data=start, headers=HTMX)
    assert refused.status_code == 422 and "隐蔽工程" in refused.get_data(as_text=True)
    assert "override_reason" not in refused.get_data(as_text=True)  # not allowed: not asked
    switch(client, "admin")
    client.post(f"/admin/users/{people['engineer'].id}/overriding", data={})
    switch(client, "engineer")
    asked = client.post(url, data=start, headers=HTMX)
    assert asked.status_code == 422 and 'name="override_reason"' in asked.get_data(as_text=True)
    done = client.post(url, data={**start, "override_reason": "管道已有监理旁站记录"}, headers=HTMX)
    assert done.status_code == 200
    assert db.session.scalars(sa.select(RuleOverride)).one().reason == "管道已有监理旁站记录"
    listed = client.get("/rule-overrides").get_data(as_text=True)
    assert "管道已有监理旁站记录" in listed and "铁路二段生活小区" in listed


def test_two_hidden_works_photos_from_the_upload_form_let_paving_start(client, people):
    login(client, "engineer")
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert 'name="hidden_works"' in page
    for seed in (21, 22):
        answer = client.post(f"/projects/{CODE}/photos", headers=HTMX, data={
            "phase": "during", "stage": "rain_sewage", "caption": "沟槽", "hidden_works": "y",
            "files": (io.BytesIO(jpeg(seed=seed)), f"沟槽{seed}.jpg")})
        assert answer.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo).where(Photo.hidden_works.is_(True))) == 2
    started = client.post(f"/projects/{CODE}/stages/paving/edit", headers=HTMX, data={
        "status": "in_progress", "percent": "10", "actual_start": days_ago(1).isoformat(), "actual_end": "",
        "note": "", "version": "1"})
    assert started.status_code == 200
    assert "ZP-2026-001" not in client.get("/rule-overrides").get_data(as_text=True)


def test_a_row_counts_its_hidden_works_photos_on_the_page_and_after_a_change(client, people):
    login(client, "engineer")
    content = add_content(project(), people["engineer"],
                          {"item": "rain_sewage_pipes", "planned_quantity": Decimal(1200)})
    for seed in (23, 24, 25):
        client.post(f"/projects/{CODE}/photos", headers=HTMX, data={
            "phase": "during", "stage": "rain_sewage", "caption": "沟槽", "hidden_works": "y",
            "content_id": str(content.id), "files": (io.BytesIO(jpeg(seed=seed)), f"沟槽{seed}.jpg")})
    db.session.execute(sa.update(Photo).where(Photo.caption == "沟槽").values(deleted_at=Photo.uploaded_at).where(
        Photo.id == sa.select(sa.func.max(Photo.id)).scalar_subquery()))  # one deleted: not counted
    db.session.commit()
    assert "2 张隐蔽工程照片" in client.get(f"/projects/{CODE}").get_data(as_text=True)
    saved = client.post(f"/contents/{content.id}/edit", headers=HTMX, data={
        "planned_quantity": "1200", "completed_quantity": "300", "investment": "0", "stage": "rain_sewage",
        "reason": "", "version": str(content.version)})
    assert saved.status_code == 200 and "2 张隐蔽工程照片" in saved.get_data(as_text=True)


def test_the_users_page_grants_the_right_to_override(client, people):
    login(client, "admin")
    assert f"/admin/users/{people['engineer'].id}/overriding" in client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{people['engineer'].id}/overriding", data={})
    db.session.expire_all()
    assert db.session.get(User, people["engineer"].id).may_override_rules
    accounts.set_may_override_rules(db.session.get(User, people["engineer"].id), False, None)
