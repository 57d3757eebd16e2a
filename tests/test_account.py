"""A user's own API tokens (/account/tokens): created with a name, scope and expiry, shown once,
listed, revoked by their owner (and by admins, see tests/test_admin.py)."""
import re

import pytest
import sqlalchemy as sa

from renovation.domain import accounts
from renovation.extensions import db
from renovation.models import ApiToken, AuditEntry
from tests.conftest import login, make_project, make_user


@pytest.fixture
def engineer_client(app, engineer):
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert login(client).status_code == 303
    return client


def shown_token(response) -> str:
    return re.search(r'<code class="secret">(rnv_\S+)</code>', response.get_data(as_text=True)).group(1)


def test_a_new_token_is_shown_once_and_works_with_its_scope(app, engineer_client, engineer):
    make_project()
    response = engineer_client.post("/account/tokens", data={"name": "数据大屏", "scope": "read",
                                                              "expires_in_days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = shown_token(response)
    with engineer_client.session_transaction() as session:
        assert secret not in repr(dict(session))
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert (stored.user_id, stored.name, stored.scope) == (engineer.id, "数据大屏", "read")
    assert stored.expires_at is not None

    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/projects", headers=headers).status_code == 200
    assert api.patch("/api/v1/projects/ZP-2026-001/stages/survey", json={"percent": 10, "version": 1},
                     headers=headers).status_code == 403

    page = engineer_client.get("/account/tokens").get_data(as_text=True)
    assert "数据大屏" in page and "Read only" in page and secret not in page  # listed, never shown again


def test_the_list_shows_only_the_users_own_tokens(engineer_client, engineer):
    accounts.create_token(make_user("colleague", "engineer"), name="别人的令牌")
    accounts.create_token(engineer, name="我的令牌")
    db.session.commit()
    page = engineer_client.get("/account/tokens").get_data(as_text=True)
    assert "我的令牌" in page and "别人的令牌" not in page


def test_a_token_needs_a_name(engineer_client):
    response = engineer_client.post("/account/tokens", data={"name": "", "scope": "write", "expires_in_days": "90"})
    assert response.status_code == 422
    assert "Name the token, e.g. the program that uses it." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_the_owner_revokes_a_token(app, engineer_client, engineer):
    secret = accounts.create_token(engineer, name="旧脚本")
    db.session.commit()
    token = accounts.tokens_of(engineer)[0]
    response = engineer_client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 303 and response.headers["Location"].endswith("/account/tokens")
    assert accounts.user_for_token(secret) is None
    page = engineer_client.get("/account/tokens").get_data(as_text=True)
    assert "The API token 旧脚本 was revoked." in page and "Revoked" in page
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "token.revoke"))
    assert entry.user_id == engineer.id


def test_someone_elses_token_cannot_be_revoked(engineer_client):
    colleague = make_user("colleague", "engineer")
    secret = accounts.create_token(colleague)
    db.session.commit()
    token = accounts.tokens_of(colleague)[0]
    assert engineer_client.post(f"/account/tokens/{token.id}/revoke").status_code == 403
    assert accounts.user_for_token(secret).id == colleague.id
    assert engineer_client.post("/account/tokens/99999/revoke").status_code == 404
