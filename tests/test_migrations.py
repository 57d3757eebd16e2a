"""The models and the migrations agree, and ``flask db upgrade`` builds a database from nothing."""
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from renovation import MIGRATIONS_DIR, create_app
from renovation.extensions import db

# The project list's three PostgreSQL-only indexes are on expressions, which SQLite's reflection
# cannot read: alembic compares them on PostgreSQL and says it skips them on SQLite.
SKIPS_EXPRESSION_INDEXES = pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index 'ix_project_:UserWarning")
# Made by its migration alone (renovation/models/consultations.py says why).
MIGRATION_ONLY_INDEXES = {"ix_demand_open_first"}


@SKIPS_EXPRESSION_INDEXES
def test_migrated_database_matches_the_models(app):
    """The ``database_url`` fixture ran the migrations; autogenerate would find nothing to add."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_object": lambda item, name, kind, reflected, compare_to: name not in MIGRATION_ONLY_INDEXES})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models and migrations differ: write a migration (flask db migrate)"


def test_migrations_have_one_head():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"


@pytest.fixture
def fresh_app(tmp_path):
    database = tmp_path / "fresh.db"
    fresh = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
    })
    yield fresh
    with fresh.app_context():
        db.engine.dispose()


def _tables(app) -> set[str]:
    with app.app_context():
        names = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


@pytest.mark.slow
@SKIPS_EXPRESSION_INDEXES
def test_flask_db_upgrade_creates_every_table_in_a_new_sqlite_file(fresh_app, tmp_path):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fresh.db").exists()
    assert _tables(fresh_app) >= {table.name for table in db.metadata.sorted_tables} | {"alembic_version"}

    with fresh_app.app_context():
        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata
            )
        db.engine.dispose()
    assert differences == []


@pytest.mark.slow
def test_migrations_downgrade_to_nothing_and_up_again(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    downgrade = runner.invoke(args=["db", "downgrade", "base"])
    assert downgrade.exit_code == 0, downgrade.output
    assert _tables(fresh_app) <= {"alembic_version"}
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    assert _tables(fresh_app) >= {table.name for table in db.metadata.sorted_tables}


@pytest.mark.slow
def test_a_new_database_is_ready_for_seed_demo(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with fresh_app.app_context():  # the real ``flask`` command pushes one; app.cli alone does not
        result = runner.invoke(args=["seed-demo", "--projects", "3", "--password", "demo-pass-2026"])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert Path(fresh_app.instance_path, "demo-logins.txt").exists()


SEARCH_TEXT_REVISION = "e4b6d2a8c531"  # demand.search_text


def _demand_rows() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("demand", "demand_event", "consultation", "project")}


def test_the_search_text_migration_keeps_every_demand_and_its_history(app, project, engineer):
    """Down and up again with demands in the database: SQLite rebuilds the demand table to add a
    stored generated column, which with its foreign keys on would delete every demand's history
    (demand_event cascades); afterwards they are on again and the new column is filled."""
    from flask_migrate import downgrade, upgrade

    from renovation.domain.residents.demands import change_demand, raise_demand
    from tests.conftest import days_ago

    demand = raise_demand(project, engineer, {"category": "lighting", "text": "楼道灯不亮 LAMP", "raised_by": "5号楼",
                                              "raised_on": days_ago(3)})
    change_demand(demand, engineer, {"status": "resolved", "response": "Replaced", "reason": ""}, 1)
    demand_id, before = demand.id, _demand_rows()
    assert before["demand_event"] == 2
    db.session.remove()  # no open transaction may hold the table while it is altered
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    previous = ScriptDirectory.from_config(config).get_revision(SEARCH_TEXT_REVISION).down_revision

    downgrade(revision=previous)
    assert "search_text" not in {column["name"] for column in sa.inspect(db.engine).get_columns("demand")}
    assert _demand_rows() == before
    upgrade()
    assert _demand_rows() == before
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT search_text FROM demand WHERE id = :id"),
                                  {"id": demand_id}).scalar() == "楼道灯不亮 lamp 5号楼 replaced"
    if db.engine.dialect.name == "sqlite":
        # Every pooled connection, the migration's among them, enforces foreign keys again.
        connections = [db.engine.connect() for _ in range(db.engine.pool.size())]
        try:
            assert [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in connections] == [1] * len(connections)
        finally:
            for connection in connections:
                connection.close()
