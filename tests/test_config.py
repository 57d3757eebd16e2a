"""Configuration: the generated secret key, the environment, and SQLite's pragmas."""
import multiprocessing
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from renovation import create_app
from renovation.config import load_or_create_secret_key
from renovation.extensions import db


@pytest.fixture
def no_secret_in_env(monkeypatch):
    monkeypatch.delenv("RENOVATION_SECRET_KEY", raising=False)


def _app(instance: Path, **config):
    return create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": "sqlite://", **config})


def test_secret_key_is_generated_once_kept_private_and_reused(tmp_path, no_secret_in_env):
    instance = tmp_path / "instance"
    first = _app(instance)
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32

    second = _app(instance)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert _app(tmp_path / "elsewhere").config["SECRET_KEY"] != first.config["SECRET_KEY"]


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("RENOVATION_SECRET_KEY", "from-the-environment")
    app = _app(tmp_path / "instance")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_sessions_survive_a_restart(tmp_path, no_secret_in_env):
    """A second process (a restart, another gunicorn worker) accepts the first one's cookies."""
    instance = tmp_path / "instance"
    first = _app(instance)
    with first.test_request_context():
        from flask import session

        session["x"] = 1
        cookie = first.session_interface.get_signing_serializer(first).dumps(dict(session))
    second = _app(instance)
    assert second.session_interface.get_signing_serializer(second).loads(cookie) == {"x": 1}


def _key_in_a_new_process(instance: str, start, results) -> None:
    start.wait()
    try:
        results.put(load_or_create_secret_key(Path(instance)))
    except Exception as error:  # noqa: BLE001 - reported to the test
        results.put(repr(error))


@pytest.mark.slow
def test_workers_starting_together_share_one_key(tmp_path):
    """gunicorn starts several workers at once on a new instance folder: one key for all,
    never a crash on the file another worker just created, never a half-written (empty) key."""
    context = multiprocessing.get_context("fork")
    workers = 16
    for attempt in range(10):  # a race: try it a few times
        instance = tmp_path / f"instance-{attempt}"
        instance.mkdir()
        start, results = context.Barrier(workers), context.Queue()
        processes = [context.Process(target=_key_in_a_new_process, args=(str(instance), start, results))
                     for _ in range(workers)]
        for process in processes:
            process.start()
        keys = [results.get(timeout=30) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        results.close()
        results.join_thread()
        assert len(set(keys)) == 1, keys
        assert len(keys[0]) == 64
        assert [path.name for path in instance.iterdir()] == ["secret_key"]
        assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


def test_session_cookie_settings():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["MAX_CONTENT_LENGTH"] <= 2 * 1024 * 1024


@pytest.mark.parametrize("value, secure", [("1", True), ("true", True), ("", False), ("0", False)])
def test_secure_cookies_from_the_environment(monkeypatch, tmp_path, value, secure):
    monkeypatch.setenv("RENOVATION_SECURE_COOKIES", value)
    app = _app(tmp_path / "instance", SECRET_KEY="x")
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure


def test_sqlite_uses_wal_and_foreign_keys(tmp_path):
    app = _app(tmp_path / "instance", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pragmas.db'}",
               SECRET_KEY="x")
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000
        db.engine.dispose()


@pytest.mark.postgresql
def test_postgresql_statements_run_without_parallel_workers(app):
    """Every connection of the app's pool, also after a transaction rolled back: a page's short
    statements never wait for parallel workers to start."""
    assert db.engine.dialect.name == "postgresql", "marked postgresql: the SQLite pass leaves it out"
    db.engine.dispose()
    connections = [db.engine.connect() for _ in range(2)]
    try:
        for connection in connections:
            with connection.begin() as transaction:
                assert connection.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"
                transaction.rollback()
            assert connection.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"
    finally:
        for connection in connections:
            connection.close()


def test_the_test_database_enforces_foreign_keys(app):
    """On the migrated test database (SQLite or PostgreSQL) a dangling reference is refused."""
    from renovation.models import Community

    db.session.add(Community(name="无街道社区", street_id=999999))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_instance_config_py_is_read(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('BULLETIN_ISSUER = "漳平市住房和城乡建设局（测试）"\nAPI_MAX_PER_PAGE = 7\n')
    app = _app(instance)
    assert app.config["BULLETIN_ISSUER"] == "漳平市住房和城乡建设局（测试）"
    assert app.config["API_MAX_PER_PAGE"] == 7
    assert "PROJECT_ROOT" not in app.config  # the package's own config.py is not read as settings
    # The caller's overrides still win over the file.
    assert _app(instance, API_MAX_PER_PAGE=9).config["API_MAX_PER_PAGE"] == 9
