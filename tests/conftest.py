"""Fixtures: the app factory on a temporary instance folder, a migrated database (SQLite, or
PostgreSQL when RENOVATION_TEST_DATABASE_URL is set), emptied after every test, and factories."""
import os
import re
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from sqlalchemy.engine import make_url

from renovation import create_app
from renovation.domain import accounts
from renovation.domain.clock import today, utcnow
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.domain.stages.schedule import refresh_project_summary
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street
from renovation.private_files import private_folder

PASSWORD = "correct-horse-1"
POSTGRES_URL = os.environ.get("RENOVATION_TEST_DATABASE_URL")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A browser test is a slow test (``./scripts/test --fast`` leaves both out). A test marked
    ``postgresql`` (a fact about PostgreSQL, or a layout that needs it) is left out of the SQLite
    pass, deselected rather than skipped: ``./scripts/test`` runs it in its PostgreSQL pass."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
    if not POSTGRES_URL:
        kept = [item for item in items if not item.get_closest_marker("postgresql")]
        if len(kept) < len(items):
            config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("postgresql")])
            items[:] = kept


def _postgres_url_of_this_worker(url: str) -> str:
    """Each pytest-xdist worker (``gw0``, ``gw1``, …) gets a database of its own beside the
    configured one (``<name>_gw0``), created when missing; without xdist, the configured one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A database brought to head by the migrations, once per test session (and per xdist
    worker: SQLite files live in the worker's own temporary folder)."""
    if POSTGRES_URL:
        url = _postgres_url_of_this_worker(POSTGRES_URL)
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_PATH": str(tmp_path_factory.mktemp("migrate-instance"))})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


def _empty_tables() -> None:
    """Delete every row, and restart the id sequences (a test's first project is number 1)."""
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        # Only the tables holding rows, with DELETE: TRUNCATE of every table replaces each
        # table's files and cost PostgreSQL runs most of their time.
        filled = set(db.session.scalars(sa.text(" UNION ALL ".join(
            f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")" for table in tables))))
        for table in reversed(tables):
            if table.name in filled:
                db.session.execute(table.delete())
        db.session.execute(sa.text("SELECT setval(oid::regclass, 1, false) FROM pg_class "
                                   "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@sa.event.listens_for(sa.engine.Engine, "connect")
def _no_waiting_for_the_disk(dbapi_connection, connection_record):
    """The tests' databases are thrown away: a commit need not wait for the disk (SQLite here;
    PostgreSQL through ``synchronous_commit`` in ``TEST_CONFIG``)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "QUEUE_URL": "immediate",  # background jobs run in the test; tests/test_tasks.py runs a real worker
}


def _make_app(database_url: str, instance_path: Path):
    config = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance_path)}
    if database_url.startswith("postgresql"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                               "connect_args": {"options": "-c synchronous_commit=off"}}
    app = create_app(config)

    @app.teardown_request
    def _fresh_g_per_request(_error):
        # The app context of a test stays pushed for the whole test, and Flask reuses it for
        # every test-client request, so ``g`` (Flask-Login's cached user, Flask-WTF's CSRF
        # token) would leak from one request, or one client, to the next. In production each
        # request has its own ``g``.
        g.__dict__.clear()

    return app


@pytest.fixture(scope="session")
def shared_app(database_url, tmp_path_factory):
    """One app for the whole session (building one takes longer than most tests): each test
    borrows it through ``app``, which gives it an instance folder of its own and puts back the
    configuration and extensions the test changed."""
    app = _make_app(database_url, tmp_path_factory.mktemp("shared-instance"))
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def borrowed(app, instance_path: Path):
    """``app`` on its own instance folder (and photo storage) until the block ends; then its
    configuration, extensions (the job queue) and instance folder as they were."""
    config, extensions, instance = dict(app.config), dict(app.extensions), app.instance_path
    private_folder(instance_path)
    app.instance_path = str(instance_path)
    app.config["PHOTO_STORAGE_PATH"] = str(instance_path / "photos")
    try:
        yield app
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)
        app.instance_path = instance


@pytest.fixture
def app(request, database_url, tmp_path):
    """The app in a pushed app context, on a database emptied after the test. The session's app,
    unless the test is marked ``own_app`` (it adds routes, which an app that has served a request
    refuses)."""
    instance_path = tmp_path / "instance"
    if request.node.get_closest_marker("own_app"):
        app = _make_app(database_url, instance_path)
        lent = nullcontext(app)
    else:
        app = request.getfixturevalue("shared_app")
        lent = borrowed(app, instance_path)
    with lent, app.app_context():
        yield app
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        if request.node.get_closest_marker("own_app"):
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -----------------------------------------------------------------------------

@contextmanager
def count_statements():
    """The SQL statements run inside the block, to prove a page loads in constant queries."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def revision_before(revision: str) -> str:
    """The migration ``revision`` follows (to downgrade to just before it, then upgrade again)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from renovation import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def make_area(street="桂林街道", community="铁路社区"):
    street_row = db.session.scalar(sa.select(Street).where(Street.name == street)) or Street(name=street)
    community_row = db.session.scalar(sa.select(Community).where(Community.name == community))
    if community_row is None:
        community_row = Community(name=community, street=street_row)
        db.session.add(community_row)
    db.session.flush()
    return community_row


def make_project(code="ZP-2026-001", compound="铁路二段生活小区", community="铁路社区",
                 street="桂林街道", households=120, stages=None, start=None):
    """A project with five stages, planned from ``start``; ``stages`` overrides stage fields."""
    community_row = make_area(street, community)
    compound_row = Compound(name=compound, community=community_row)
    start = start or today() - timedelta(days=30)
    project = Project(code=code, compound=compound_row, households=households, batch="2026年第一批",
                      year_built=1984, buildings=6, floor_area=Decimal("8600"),
                      budget_central=Decimal("300"), budget_city=Decimal("120"),
                      contractor="漳平市城建工程有限公司", supervisor="龙岩市建设监理有限公司",
                      responsible_engineer="林建华", planned_start=start,
                      planned_end=start + timedelta(days=270), updated_at=utcnow())
    for position, key in enumerate(STAGE_ORDER):
        values = {"status": "not_started", "percent": 0, "note": "",
                  "planned_start": start + timedelta(days=60 * position),
                  "planned_end": start + timedelta(days=60 * position + 90)}
        values.update((stages or {}).get(key, {}))
        project.stages.append(Stage(key=key.value, position=position, **values))
    refresh_project_summary(project)
    db.session.add(project)
    db.session.commit()
    return project


def make_user(username="engineer", role="engineer", community=None, password=PASSWORD):
    community_row = make_area(community=community) if community else None
    user = accounts.create_user(username, password, role, community=community_row)
    db.session.commit()
    return user


def login(client, username="engineer", password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def api_token(user) -> str:
    token = accounts.create_token(user)
    db.session.commit()
    return token


def csrf_token_from(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    return found.group(1) or found.group(2)


@pytest.fixture
def engineer(app):
    return make_user("engineer", "engineer")


@pytest.fixture
def project(app):
    return make_project()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)
