"""The command-line tasks: seed-demo, create-user, create-token, list-tokens and revoke-token."""
import hashlib
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from renovation.extensions import db
from renovation.models import ApiToken, AuditEntry, Project, Stage, User
from tests.conftest import PASSWORD, login, make_area, make_project, make_user

DEMO_PASSWORD = "demo-pass-2026"


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def user_named(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def refused(result, *pieces) -> None:
    """A clean refusal: exit code 1 and one ``Error:`` line naming the problem, no traceback.

    Command-line messages are in the default language (Chinese once translated), so the
    tests look for what the message names rather than its wording."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    for piece in pieces:
        if isinstance(piece, tuple):
            assert any(alternative in result.output for alternative in piece), result.output
        else:
            assert piece in result.output, result.output


def seed(runner, *args):
    return runner.invoke(args=["seed-demo", *args])


# --- seed-demo --------------------------------------------------------------------------------

@pytest.mark.slow
def test_seed_demo_loads_projects_and_four_users_who_can_log_in(app, runner):
    result = seed(runner, "--projects", "30", "--password", DEMO_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Loaded 30 demo projects" in result.output
    assert count(Project) == 30
    assert count(Stage) == 30 * 5

    users = {user.username: user for user in db.session.scalars(sa.select(User))}
    assert set(users) == {"admin", "engineer", "committee", "leader"}
    assert {name: user.role for name, user in users.items()} == {
        "admin": "admin", "engineer": "engineer", "committee": "committee", "leader": "leader"}
    assert users["committee"].community.name == "铁路社区"
    assert all(user.community is None for name, user in users.items() if name != "committee")

    for username in users:
        client = app.test_client()
        assert login(client, username, DEMO_PASSWORD).status_code == 303, username
        assert client.get("/projects", follow_redirects=True).status_code == 200  # committee: to their community
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "demo.seed")) is not None


@pytest.mark.slow
def test_seed_demo_names_the_article_compounds(app, runner):
    assert seed(runner, "--projects", "30", "--password", DEMO_PASSWORD).exit_code == 0
    client = app.test_client()
    login(client, "engineer", DEMO_PASSWORD)
    html = client.get("/projects", query_string={"q": "铁路二段"}).get_data(as_text=True)
    assert "铁路二段生活小区" in html


def test_seed_demo_refuses_a_database_with_projects(runner):
    make_project()
    result = seed(runner, "--projects", "30", "--password", DEMO_PASSWORD)
    assert result.exit_code != 0
    assert "already has projects" in result.output
    assert count(Project) == 1
    assert count(User) == 0


def test_seed_demo_twice_fails_the_second_time(runner):
    assert seed(runner, "--projects", "5", "--password", DEMO_PASSWORD).exit_code == 0
    again = seed(runner, "--projects", "5", "--password", DEMO_PASSWORD)
    assert again.exit_code != 0
    assert "already has projects" in again.output
    assert count(Project) == 5


def test_seed_demo_if_empty_does_nothing_on_a_loaded_database(runner):
    make_project()
    users_before, audit_before = count(User), count(AuditEntry)
    result = seed(runner, "--projects", "30", "--password", DEMO_PASSWORD, "--if-empty")
    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert (count(Project), count(User), count(AuditEntry)) == (1, users_before, audit_before)


def test_seed_demo_if_empty_reprints_the_kept_logins(app, runner):
    """./scripts/run prints the demo logins on every start, not only the first."""
    first = seed(runner, "--projects", "3")
    password = next(line.split()[1] for line in first.output.splitlines() if line.split()[:1] == ["engineer"])
    again = seed(runner, "--if-empty")
    assert again.exit_code == 0, again.output
    assert "not loaded" in again.output
    assert any(line.split()[:2] == ["engineer", password] for line in again.output.splitlines())


def test_seed_demo_if_empty_loads_an_empty_database(runner):
    result = seed(runner, "--projects", "3", "--password", DEMO_PASSWORD, "--if-empty")
    assert result.exit_code == 0, result.output
    assert count(Project) == 3


def test_seed_demo_generates_prints_and_keeps_a_password(app, runner):
    result = seed(runner, "--projects", "3")
    assert result.exit_code == 0, result.output
    logins = Path(app.instance_path) / "demo-logins.txt"
    assert mode_of(logins) == 0o600
    line = next(line for line in logins.read_text().splitlines() if line.split()[0] == "engineer")
    password = line.split()[1]
    assert len(password) >= 12
    assert password in result.output
    for username in ("admin", "engineer", "committee", "leader"):
        assert login(app.test_client(), username, password).status_code == 303


def test_demo_logins_file_is_private_even_when_it_existed(app, runner):
    logins = Path(app.instance_path) / "demo-logins.txt"
    logins.write_text("old logins\n")
    logins.chmod(0o644)
    assert seed(runner, "--projects", "3", "--password", DEMO_PASSWORD).exit_code == 0
    assert mode_of(logins) == 0o600
    assert DEMO_PASSWORD in logins.read_text() and "old logins" not in logins.read_text()


def test_seed_demo_keeps_an_existing_user_and_does_not_claim_its_password(app, runner):
    """The admin made with create-user before the demo keeps their password, and the printed
    and saved logins do not pretend otherwise."""
    make_user("admin", "admin")
    result = seed(runner, "--projects", "3", "--password", DEMO_PASSWORD)
    assert result.exit_code == 0, result.output
    logins = (Path(app.instance_path) / "demo-logins.txt").read_text()
    assert [line.split()[0] for line in logins.splitlines()] == ["engineer", "committee", "leader"]
    assert f"admin      {DEMO_PASSWORD}" not in result.output
    assert "Existing users kept, with their own passwords: admin." in result.output
    assert login(app.test_client(), "admin", DEMO_PASSWORD).status_code == 200
    assert login(app.test_client(), "admin", PASSWORD).status_code == 303
    assert login(app.test_client(), "engineer", DEMO_PASSWORD).status_code == 303


def test_seed_demo_refuses_a_short_password(runner):
    result = seed(runner, "--projects", "3", "--password", "short")
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    assert count(Project) == 0 and count(User) == 0


@pytest.mark.parametrize("projects", ["0", "-5", "many"])
def test_seed_demo_refuses_a_bad_project_count(runner, projects):
    result = seed(runner, "--projects", projects, "--password", DEMO_PASSWORD)
    assert result.exit_code == 2
    assert count(Project) == 0


# --- create-user ---------------------------------------------------------------------------------

def test_create_user_committee_of_a_community(app, runner):
    make_area("桂林街道", "铁路社区")
    db.session.commit()
    result = runner.invoke(args=["create-user", "tielu", "--role", "committee", "--community", "铁路社区",
                                 "--password", "committee-pass", "--name", "铁路社区居委会"])
    assert result.exit_code == 0, result.output
    assert "tielu" in result.output
    user = user_named("tielu")
    assert (user.role, user.community.name, user.display_name) == ("committee", "铁路社区", "铁路社区居委会")
    assert login(app.test_client(), "tielu", "committee-pass").status_code == 303
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert (entry.target_id, entry.user_id) == ("tielu", None)


def test_create_user_engineer(app, runner):
    result = runner.invoke(args=["create-user", "linjh", "--role", "engineer", "--password", "engineer-pass"])
    assert result.exit_code == 0, result.output
    assert user_named("linjh").role == "engineer"


def test_create_user_unknown_community_is_refused(runner):
    make_area("桂林街道", "铁路社区")
    db.session.commit()
    result = runner.invoke(args=["create-user", "x", "--role", "committee", "--community", "火星社区",
                                 "--password", "committee-pass"])
    refused(result, "火星社区")
    assert user_named("x") is None


def test_create_user_committee_without_community_is_refused(runner):
    result = runner.invoke(args=["create-user", "x", "--role", "committee", "--password", "committee-pass"])
    refused(result, ("社区", "community"))  # 社区居委会人员须归属一个社区 / A committee member belongs to one community
    assert user_named("x") is None


@pytest.mark.parametrize("role", ["superuser", "Admin", ""])
def test_create_user_bad_role_is_refused(runner, role):
    result = runner.invoke(args=["create-user", "x", "--role", role, "--password", "long-password"])
    assert result.exit_code == 2
    assert "--role" in result.output
    assert user_named("x") is None


def test_create_user_duplicate_is_refused(runner):
    make_user("linjh", "engineer")
    result = runner.invoke(args=["create-user", "linjh", "--role", "admin", "--password", "long-password"])
    refused(result, "linjh")
    assert user_named("linjh").role == "engineer"


def test_create_user_short_password_is_refused(runner):
    result = runner.invoke(args=["create-user", "x", "--role", "engineer", "--password", "short"])
    refused(result, "8")
    assert user_named("x") is None


def test_create_user_prompts_for_the_password(app, runner):
    result = runner.invoke(args=["create-user", "linjh", "--role", "leader"],
                           input="prompted-pass\nprompted-pass\n")
    assert result.exit_code == 0, result.output
    assert "prompted-pass" not in result.output
    assert login(app.test_client(), "linjh", "prompted-pass").status_code == 303


# --- create-token ---------------------------------------------------------------------------------

def test_create_token_prints_a_working_token_alone_on_the_last_line(app, runner):
    make_project()
    make_user("engineer", "engineer")
    result = runner.invoke(args=["create-token", "engineer"])
    assert result.exit_code == 0, result.output
    token = result.output.rstrip("\n").splitlines()[-1]
    assert token == token.strip() and " " not in token and len(token) >= 32

    response = app.test_client().get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["total"] == 1


def test_only_the_sha256_of_a_token_is_stored(app, runner):
    user = make_user("engineer", "engineer")
    token = runner.invoke(args=["create-token", "engineer"]).output.rstrip("\n").splitlines()[-1]
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.user_id == user.id
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    for table in db.metadata.sorted_tables:  # the token itself is nowhere in the database
        for row in db.session.execute(sa.select(table)):
            assert token not in " ".join(str(value) for value in row), table.name
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "token.create"))
    assert entry.target_id == "engineer"


def test_each_token_is_new(runner):
    make_user("engineer", "engineer")
    first = runner.invoke(args=["create-token", "engineer"]).output.splitlines()[-1]
    second = runner.invoke(args=["create-token", "engineer"]).output.splitlines()[-1]
    assert first != second
    assert count(ApiToken) == 2


def test_create_token_unknown_user_is_refused(runner):
    result = runner.invoke(args=["create-token", "nobody"])
    assert result.exit_code != 0
    assert "No user named nobody" in result.output
    assert count(ApiToken) == 0


def test_token_of_a_leader_reads_but_cannot_write(app, runner):
    project = make_project()
    make_user("leader", "leader")
    token = runner.invoke(args=["create-token", "leader", "--scope", "write"]).output.splitlines()[-1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/projects/{project.code}", headers=headers).status_code == 200
    assert client.patch(f"/api/v1/projects/{project.code}/stages/survey", json={"note": "x", "version": 1},
                        headers=headers).status_code == 403


def test_session_login_and_token_are_independent(app, runner):
    make_user("engineer", "engineer")
    token = runner.invoke(args=["create-token", "engineer"]).output.splitlines()[-1]
    client = app.test_client()
    assert login(client, "engineer", PASSWORD).status_code == 303
    client.post("/logout")  # ends browser sessions, not API tokens
    assert client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_create_token_with_name_scope_and_expiry(app, runner):
    make_project()
    make_user("engineer", "engineer")
    result = runner.invoke(args=["create-token", "engineer", "--name", "sync", "--scope", "write",
                                 "--expires-days", "30"])
    assert result.exit_code == 0, result.output
    token = result.output.splitlines()[-1]
    stored = db.session.scalar(sa.select(ApiToken))
    assert (stored.name, stored.scope) == ("sync", "write") and stored.expires_at is not None
    response = app.test_client().patch("/api/v1/projects/ZP-2026-001/stages/survey", json={"percent": 10, "version": 1},
                                       headers={"Authorization": f"Bearer {token}"})
    assert response.status_code != 403


def test_create_token_is_read_only_unless_asked(app, runner):
    make_project()
    make_user("engineer", "engineer")
    token = runner.invoke(args=["create-token", "engineer"]).output.splitlines()[-1]
    assert db.session.scalar(sa.select(ApiToken.scope)) == "read"
    response = app.test_client().patch("/api/v1/projects/ZP-2026-001/stages/survey", json={"percent": 10, "version": 1},
                                       headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_list_tokens_and_revoke_one(app, runner):
    make_user("engineer", "engineer")
    make_user("leader", "leader")
    kept = runner.invoke(args=["create-token", "engineer", "--name", "kept"]).output.splitlines()[-1]
    gone = runner.invoke(args=["create-token", "leader", "--name", "gone"]).output.splitlines()[-1]
    listing = runner.invoke(args=["list-tokens"])
    assert listing.exit_code == 0, listing.output
    assert "kept" in listing.output and "gone" in listing.output
    assert kept not in listing.output and gone not in listing.output  # ids and names, never the secrets
    only_leader = runner.invoke(args=["list-tokens", "leader"]).output
    assert "gone" in only_leader and "kept" not in only_leader

    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "gone"))
    result = runner.invoke(args=["revoke-token", str(token_id)])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.get("/api/v1/projects", headers={"Authorization": f"Bearer {gone}"}).status_code == 401
    assert client.get("/api/v1/projects", headers={"Authorization": f"Bearer {kept}"}).status_code == 200
    line = [line for line in runner.invoke(args=["list-tokens"]).output.splitlines() if "gone" in line][0]
    assert line.rstrip().endswith("revoked")
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "token.revoke"


def test_revoke_token_and_list_tokens_refuse_unknowns(runner):
    assert "No API token with id 42" in runner.invoke(args=["revoke-token", "42"]).output
    assert "No user named nobody" in runner.invoke(args=["list-tokens", "nobody"]).output

