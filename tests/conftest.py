"""Fixtures: the app factory on a temporary instance folder, a migrated database (SQLite, or
PostgreSQL when RENOVATION_TEST_DATABASE_URL is set), emptied after every test, and factories."""
import os
import re
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import g

from renovation import create_app
from renovation.domain import accounts
from renovation.domain.clock import today, utcnow
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.domain.stages.schedule import refresh_project_summary
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street

PASSWORD = "correct-horse-1"
POSTGRES_URL = os.environ.get("RENOVATION_TEST_DATABASE_URL")


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A database brought to head by the migrations, once per test session."""
    if POSTGRES_URL:
        _reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
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
    tables = [table for table in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "QUEUE_URL": "immediate",  # background jobs run in the test; tests/test_tasks.py runs a real worker
    })

    @app.teardown_request
    def _fresh_g_per_request(_error):
        # The app context below stays pushed for the whole test, and Flask reuses it for every
        # test-client request, so ``g`` (Flask-Login's cached user, Flask-WTF's CSRF token)
        # would leak from one request, or one client, to the next. In production each request
        # has its own ``g``.
        g.__dict__.clear()

    with app.app_context():
        yield app
        db.session.rollback()
        _empty_tables()
        db.session.remove()
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
