"""A request's transaction on PostgreSQL ends with a commit when it wrote nothing, so that psycopg
keeps the statements it prepared (renovation/request_transactions.py); one that wrote is rolled back
as before: a refused form saves nothing."""
import pytest
import sqlalchemy as sa

from renovation.extensions import db
from renovation.models import Street
from renovation.request_transactions import commit_if_read_only
from tests.conftest import login, make_project, make_user

pytestmark = pytest.mark.postgresql

PREPARED = sa.text("SELECT count(*) FROM pg_prepared_statements")


def street_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Street.id)))


def test_a_transaction_that_wrote_and_did_not_commit_is_still_rolled_back(app):
    db.session.execute(sa.insert(Street).values(name="未提交街道"))  # written, never committed
    commit_if_read_only(None)
    db.session.remove()  # as Flask-SQLAlchemy ends the request
    assert street_count() == 0


def test_a_request_that_failed_is_rolled_back_whatever_it_read(app):
    street_count()
    commit_if_read_only(RuntimeError("the view failed"))
    assert db.session().in_transaction()  # left to the rollback that follows


def test_pending_changes_are_not_committed_by_the_end_of_a_read_only_request(app):
    street_count()
    db.session.add(Street(name="未发送街道"))
    commit_if_read_only(None)
    db.session.remove()
    assert street_count() == 0


def test_a_read_only_request_keeps_the_statements_psycopg_prepared(app, client):
    make_project()
    make_user()
    db.session.commit()
    login(client)
    db.session.remove()
    db.engine.dispose()  # the pool starts empty: the requests below, one at a time, share its one connection
    for _ in range(12):  # psycopg prepares a statement at its sixth run on a connection
        assert client.get("/projects/ZP-2026-001").status_code == 200
        commit_if_read_only(None)  # as the end of the request does (its teardown), then
        db.session.remove()  # Flask-SQLAlchemy's, which rolls back what is left
    with db.engine.connect() as connection:  # the connection the requests used (the pool's only one)
        assert connection.scalar(PREPARED) > 0


def test_the_app_ends_each_request_so_before_the_session_is_removed(app):
    ends = app.teardown_appcontext_funcs  # run last registered first
    removal = next(i for i, func in enumerate(ends) if func.__module__.startswith("flask_sqlalchemy"))
    assert ends.index(commit_if_read_only) > removal
