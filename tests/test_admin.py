"""User administration and the audit log."""
import re

import pytest
import sqlalchemy as sa

from renovation.domain import accounts
from renovation.extensions import db
from renovation.models import AuditEntry, Community, User
from tests.conftest import PASSWORD, api_token, days_ago, login, make_area, make_project, make_user


@pytest.fixture
def admin(app):
    return make_user("admin", "admin")


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert login(client, "admin").status_code == 303
    return client


@pytest.fixture
def railway(app):
    community = make_area("桂林街道", "铁路社区")
    db.session.commit()
    return community


def user_named(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def users_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def new_user_form(**overrides) -> dict:
    form = {"username": "linjh", "display_name": "林建华", "role": "engineer", "community": "0",
            "password": "site-visit-2026"}
    form.update(overrides)
    return form


def flash_text(html: str) -> str:
    return " ".join(re.findall(r'<p class="flash flash-[a-z]+" role="status">(.*?)</p>', html, re.S))


# --- adding users ------------------------------------------------------------------------------

def test_admin_adds_an_engineer_who_is_listed_and_can_log_in(app, admin_client, admin):
    response = admin_client.post("/admin/users", data=new_user_form())
    assert response.status_code == 303
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "User linjh created." in flash_text(page)
    assert "linjh" in page and "林建华" in page

    user = user_named("linjh")
    assert (user.display_name, user.role, user.community_id, user.active) == ("林建华", "engineer", None, True)
    assert "site-visit-2026" not in user.password_hash

    entry = audit_entries("user.create")[-1]
    assert (entry.user_id, entry.target_id, entry.details) == (admin.id, "linjh", {"role": "engineer"})

    newcomer = app.test_client()
    assert login(newcomer, "linjh", "site-visit-2026").status_code == 303
    assert newcomer.get("/projects").status_code == 200


def test_admin_adds_a_committee_member_of_a_community(app, admin_client, railway):
    response = admin_client.post("/admin/users", data=new_user_form(
        username="tielu", display_name="铁路社区居委会", role="committee", community=str(railway.id)))
    assert response.status_code == 303
    user = user_named("tielu")
    assert (user.role, user.community_id) == ("committee", railway.id)
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "铁路社区" in page
    assert login(app.test_client(), "tielu", "site-visit-2026").status_code == 303


def test_the_form_lists_the_communities(admin_client, railway):
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert f'<option value="{railway.id}">铁路社区</option>' in page


def test_only_committee_members_keep_a_community(admin_client, railway):
    admin_client.post("/admin/users", data=new_user_form(community=str(railway.id)))
    assert user_named("linjh").community_id is None


def shown_password(response) -> str:
    """The generated password on the page that answered the POST."""
    return re.search(r'<code class="secret">(\S+)</code>', response.get_data(as_text=True)).group(1)


def assert_not_in_the_session(client, secret: str) -> None:
    """Neither the session (signed, but readable by anyone holding the cookie) nor its cookie."""
    with client.session_transaction() as session:
        assert secret not in repr(dict(session))
    cookie = client.get_cookie("session")
    assert cookie is None or secret not in cookie.value


def test_an_empty_password_is_generated_and_shown_once_on_the_answer(app, admin_client):
    response = admin_client.post("/admin/users", data=new_user_form(password=""))
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["HX-Push-Url"] == "/admin/users"
    password = shown_password(response)
    assert len(password) >= 12
    assert "User linjh created. Their password, shown only this once:" in response.get_data(as_text=True)
    assert_not_in_the_session(admin_client, password)
    assert login(app.test_client(), "linjh", password).status_code == 303
    assert password not in admin_client.get("/admin/users").get_data(as_text=True)  # shown once


def test_duplicate_username_is_422_and_adds_nothing(admin_client, admin):
    make_user("linjh", "engineer")
    before, audit_before = users_count(), len(audit_entries())
    response = admin_client.post("/admin/users", data=new_user_form(role="leader"))
    assert response.status_code == 422
    assert "The username linjh is already taken." in response.get_data(as_text=True)
    assert "site-visit-2026" not in response.get_data(as_text=True)  # the password is not sent back
    assert users_count() == before
    assert len(audit_entries()) == audit_before
    assert user_named("linjh").role == "engineer"


def test_duplicate_username_via_htmx_is_422(admin_client):
    make_user("linjh", "engineer")
    response = admin_client.post("/admin/users", data=new_user_form(), headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "already taken" in response.get_data(as_text=True)


def test_committee_member_without_community_is_refused(admin_client):
    before = users_count()
    response = admin_client.post("/admin/users", data=new_user_form(role="committee", community="0"))
    assert response.status_code == 422
    assert "A committee member belongs to one community" in response.get_data(as_text=True)
    assert users_count() == before
    assert user_named("linjh") is None


@pytest.mark.parametrize("overrides, message", [
    ({"username": ""}, "Enter a username."),
    ({"username": "lin jh"}, "Use letters, digits, dot, dash or underscore."),
    ({"username": "x" * 65}, None),
    ({"role": "superuser"}, None),
    ({"role": ""}, "Choose a role."),
    ({"community": "99999"}, None),
    ({"community": "railway"}, None),
    ({"password": "short"}, "A password has at least 8 characters."),
    ({"display_name": "名" * 65}, None),
])
def test_invalid_user_form_is_422_and_adds_nothing(admin_client, overrides, message):
    before = users_count()
    response = admin_client.post("/admin/users", data=new_user_form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html
    if message:
        assert message in html
    assert users_count() == before


# --- disabling, enabling and passwords --------------------------------------------------------

def test_disable_and_enable_a_user(app, admin_client, admin):
    engineer = make_user("engineer", "engineer")
    response = admin_client.post(f"/admin/users/{engineer.id}/active")
    assert response.status_code == 303
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "engineer disabled." in flash_text(page)
    assert user_named("engineer").active is False
    assert login(app.test_client()).status_code == 200  # cannot log in

    assert admin_client.post(f"/admin/users/{engineer.id}/active").status_code == 303
    assert "engineer enabled." in flash_text(admin_client.get("/admin/users").get_data(as_text=True))
    assert user_named("engineer").active is True
    assert login(app.test_client()).status_code == 303

    actions = [(entry.action, entry.user_id, entry.target_id) for entry in audit_entries()
               if entry.action in ("user.disable", "user.enable")]
    assert actions == [("user.disable", admin.id, "engineer"), ("user.enable", admin.id, "engineer")]


def test_disabled_users_tokens_stop_working(app, admin_client):
    from tests.conftest import api_token

    engineer = make_user("engineer", "engineer")
    token = api_token(engineer)
    admin_client.post(f"/admin/users/{engineer.id}/active")
    response = app.test_client().get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_the_new_user_form_preselects_no_role(admin_client):
    html = admin_client.get("/admin/users").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', html, re.S)
    assert select and "required" in select.group(0).split(">")[0]
    options = re.findall(r"<option[^>]*>", select.group(1))
    assert options[0].startswith('<option selected value=""') or 'value=""' in options[0]
    assert [option for option in options if "selected" in option and 'value=""' not in option] == []


def test_an_admin_has_no_disable_button_on_their_own_row(admin_client, admin):
    make_user("engineer", "engineer")
    html = admin_client.get("/admin/users").get_data(as_text=True)
    own_row = re.search(rf'<tr id="user-{admin.id}">(.*?)</tr>', html, re.S).group(1)
    assert f"/admin/users/{admin.id}/active" not in own_row
    assert "/active" in html  # the others' rows keep theirs


def test_the_rule_lives_in_the_domain(admin):
    from renovation.domain import accounts
    with pytest.raises(accounts.AccountError):
        accounts.set_active(admin, False, admin)
    assert admin.active is True


def test_admin_cannot_disable_themselves(admin_client, admin):
    before = len(audit_entries())
    response = admin_client.post(f"/admin/users/{admin.id}/active")
    assert response.status_code == 303
    assert "You cannot disable your own account." in flash_text(admin_client.get("/admin/users").get_data(as_text=True))
    assert user_named("admin").active is True
    assert len(audit_entries()) == before
    assert admin_client.get("/admin/users").status_code == 200


def test_reset_password_shows_the_new_password_once_on_the_answer(app, admin_client, admin):
    engineer = make_user("engineer", "engineer")
    response = admin_client.post(f"/admin/users/{engineer.id}/password", data={"password": ""})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "New password of engineer, shown only this once:" in response.get_data(as_text=True)
    password = shown_password(response)
    assert_not_in_the_session(admin_client, password)
    assert password not in admin_client.get("/admin/users").get_data(as_text=True)
    assert login(app.test_client(), "engineer", PASSWORD).status_code == 200
    assert login(app.test_client(), "engineer", password).status_code == 303
    entry = audit_entries("user.reset_password")[-1]
    assert (entry.user_id, entry.target_id) == (admin.id, "engineer")
    assert password not in str(entry.details)


def test_reset_password_to_a_chosen_password(app, admin_client):
    engineer = make_user("engineer", "engineer")
    response = admin_client.post(f"/admin/users/{engineer.id}/password", data={"password": "chosen-password"})
    assert response.status_code == 303
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "The password of engineer was changed." in flash_text(page)
    assert "chosen-password" not in page  # the admin chose it: never sent back
    assert_not_in_the_session(admin_client, "chosen-password")
    assert login(app.test_client(), "engineer", "chosen-password").status_code == 303


def test_reset_password_lifts_the_login_throttle_of_the_user(app, admin_client):
    engineer = make_user("engineer", "engineer")
    for _attempt in range(5):
        login(app.test_client(), "engineer", "wrong-password")
    assert login(app.test_client(), "engineer", PASSWORD).status_code == 429
    admin_client.post(f"/admin/users/{engineer.id}/password", data={"password": "chosen-password"})
    assert login(app.test_client(), "engineer", "chosen-password").status_code == 303


def test_a_chosen_password_is_not_sent_back_when_adding_a_user(admin_client):
    response = admin_client.post("/admin/users", data=new_user_form())
    assert response.status_code == 303
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "User linjh created." in flash_text(page) and "site-visit-2026" not in page
    assert_not_in_the_session(admin_client, "site-visit-2026")


# --- API tokens of a user --------------------------------------------------------------------

def test_admin_lists_and_revokes_a_users_tokens(app, admin_client, admin):
    engineer = make_user("engineer", "engineer")
    secret = accounts.create_token(engineer, name="数据大屏", scope="read", expires_in_days=30)
    db.session.commit()
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{engineer.id}/tokens" in page
    listing = admin_client.get(f"/admin/users/{engineer.id}/tokens")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "数据大屏" in html and "Read only" in html and secret not in html
    token = accounts.tokens_of(engineer)[0]
    response = admin_client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/users/{engineer.id}/tokens")
    assert accounts.user_for_token(secret) is None
    assert [(e.action, e.user_id) for e in audit_entries("token.revoke")] == [("token.revoke", admin.id)]
    assert "Revoked" in admin_client.get(f"/admin/users/{engineer.id}/tokens").get_data(as_text=True)


@pytest.mark.parametrize("action, data", [("active", {}), ("password", {"password": "chosen-password"})])
def test_disabling_or_resetting_the_password_revokes_the_tokens(app, admin_client, action, data):
    engineer = make_user("engineer", "engineer")
    secret = api_token(engineer)
    admin_client.post(f"/admin/users/{engineer.id}/{action}", data=data)
    if action == "active":
        admin_client.post(f"/admin/users/{engineer.id}/active")  # enabled again: the token stays dead
    assert user_named("engineer").active
    response = app.test_client().get("/api/v1/projects", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_too_short_password_is_refused_and_changes_nothing(app, admin_client):
    engineer = make_user("engineer", "engineer")
    hash_before, epoch_before = engineer.password_hash, engineer.session_epoch
    audit_before = len(audit_entries())
    response = admin_client.post(f"/admin/users/{engineer.id}/password", data={"password": "short"})
    assert response.status_code == 303
    users_page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "A password has at least 8 characters." in flash_text(users_page)
    user = user_named("engineer")
    assert (user.password_hash, user.session_epoch) == (hash_before, epoch_before)
    assert len(audit_entries()) == audit_before


@pytest.mark.parametrize("action", ["active", "password"])
def test_unknown_user_is_404(admin_client, action):
    assert admin_client.post(f"/admin/users/99999/{action}").status_code == 404


# --- the audit log --------------------------------------------------------------------------

def test_every_admin_write_is_in_the_audit_log_with_its_actor(admin_client, admin, railway):
    admin_client.post("/admin/users", data=new_user_form())
    admin_client.post("/admin/users", data=new_user_form(username="tielu", role="committee",
                                                         community=str(railway.id)))
    linjh = user_named("linjh")
    admin_client.post(f"/admin/users/{linjh.id}/active")
    admin_client.post(f"/admin/users/{linjh.id}/active")
    admin_client.post(f"/admin/users/{linjh.id}/password", data={"password": "another-password"})
    written = [(entry.action, entry.target_id) for entry in audit_entries() if entry.user_id == admin.id]
    assert written == [
        ("user.create", "linjh"), ("user.create", "tielu"), ("user.disable", "linjh"),
        ("user.enable", "linjh"), ("user.reset_password", "linjh"),
    ]
    assert all(entry.at is not None for entry in audit_entries())


def test_refused_writes_leave_no_audit_entry(admin_client):
    make_user("linjh", "engineer")
    before = len(audit_entries())
    admin_client.post("/admin/users", data=new_user_form())  # duplicate
    admin_client.post("/admin/users", data=new_user_form(username="x", role="committee"))  # no community
    assert len(audit_entries()) == before


def test_audit_page_shows_who_did_what(admin_client, admin):
    admin.display_name = "系统管理员"
    db.session.commit()
    admin_client.post("/admin/users", data=new_user_form())
    page = admin_client.get("/admin/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "系统管理员" in html and "User added" in html and "linjh" in html
    assert "user.create" not in html.split('class="audit-entries"')[1]  # words, not codes


def test_audit_page_shows_chinese_details_readably(admin_client):
    project = make_project()
    engineer = make_user("engineer", "engineer")
    from renovation.domain.stages.operations import update_stage

    update_stage(project, "survey", engineer,
                 {"status": "in_progress", "percent": 10, "actual_start": days_ago(1), "note": "入户调查"}, 1)
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "入户调查" in html
    assert "\\u5165" not in html


def test_audit_page_escapes_what_users_typed(admin_client):
    project = make_project()
    engineer = make_user("engineer", "engineer")
    from renovation.domain.stages.operations import update_stage

    update_stage(project, "survey", engineer,
                 {"status": "in_progress", "percent": 10, "actual_start": days_ago(1),
                  "note": "<script>alert(1)</script>"}, 1)
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


# --- only admins ------------------------------------------------------------------------------

# Non-admins get 403 from every admin route and change nothing: the permission matrix
# (tests/test_permissions.py, every role against every route).


def test_a_disabled_admin_loses_admin_pages(app, admin_client):
    other = make_user("admin2", "admin")
    other_client = app.test_client()
    login(other_client, "admin2")
    admin_client.post(f"/admin/users/{other.id}/active")
    assert other_client.get("/admin/users").status_code == 302


def test_community_choices_include_new_communities(admin_client):
    make_area("菁城街道", "城中社区")
    db.session.commit()
    community = db.session.scalar(sa.select(Community).where(Community.name == "城中社区"))
    assert f'value="{community.id}"' in admin_client.get("/admin/users").get_data(as_text=True)
