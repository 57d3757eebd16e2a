"""The client address behind a reverse proxy: believed from X-Forwarded-For only when the bureau
says a proxy is there (RENOVATION_TRUSTED_PROXIES), since the login throttle keys on it."""
import pytest

from renovation import create_app
from renovation.extensions import db
from tests.conftest import PASSWORD, _empty_tables, make_user


@pytest.fixture
def app_with(database_url, tmp_path):
    made = []

    def make(**config):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                          "INSTANCE_PATH": str(tmp_path / f"instance{len(made)}"), "SECRET_KEY": "test",
                          "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "QUEUE_URL": "immediate", **config})
        context = app.app_context()
        context.push()
        made.append(context)
        make_user("engineer", "engineer")
        return app

    yield make
    for context in made:
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()
        context.pop()


def _guess_five_times_then_log_in(app) -> int:
    client = app.test_client()
    for _ in range(5):
        client.post("/login", data={"username": "engineer", "password": "wrong-guess"},
                    headers={"X-Forwarded-For": "10.1.1.1"})
    answer = client.post("/login", data={"username": "engineer", "password": PASSWORD},
                         headers={"X-Forwarded-For": "10.2.2.2"})
    return answer.status_code


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(app_with):
    """Nobody escapes the throttle by inventing an X-Forwarded-For: both tries count as one client."""
    assert _guess_five_times_then_log_in(app_with()) == 429


def test_behind_a_trusted_proxy_each_client_is_told_apart(app_with):
    """Behind nginx every request comes from 127.0.0.1: the forwarded address tells users apart,
    so a guesser at one desk does not block a colleague at another."""
    assert _guess_five_times_then_log_in(app_with(TRUSTED_PROXIES=1)) == 303
