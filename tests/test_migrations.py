"""The models and the migrations agree, and ``flask db upgrade`` builds a database from nothing."""
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config

from renovation import MIGRATIONS_DIR, create_app
from renovation.extensions import db


def test_migrated_database_matches_the_models(app):
    """The ``database_url`` fixture ran the migrations; autogenerate would find nothing to add."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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


def test_migrations_downgrade_to_nothing_and_up_again(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    downgrade = runner.invoke(args=["db", "downgrade", "base"])
    assert downgrade.exit_code == 0, downgrade.output
    assert _tables(fresh_app) <= {"alembic_version"}
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    assert _tables(fresh_app) >= {table.name for table in db.metadata.sorted_tables}


def test_a_new_database_is_ready_for_seed_demo(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with fresh_app.app_context():  # the real ``flask`` command pushes one; app.cli alone does not
        result = runner.invoke(args=["seed-demo", "--projects", "3", "--password", "demo-pass-2026"])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert Path(fresh_app.instance_path, "demo-logins.txt").exists()
