"""How a request's database transaction ends on PostgreSQL: one that wrote nothing is committed, not
rolled back.

The two end a transaction that wrote nothing alike. But psycopg forgets every statement it has
prepared on a connection at each rollback (a rolled-back transaction may have dropped what they
name), and the session rolls back at the end of every request that did not commit: PostgreSQL
parsed and planned each of a page's statements afresh on every request (a project page's ten: some
2.5 ms of the database's CPU, as much as a fifth of the page). psycopg prepares a statement once
a connection has run it five times (``prepare_threshold``); ended by a commit, a read-only request
keeps them.

Whether the transaction wrote anything is asked of PostgreSQL (``txid_current_if_assigned()`` is
null until a transaction writes or locks a row), not guessed from the statements sent: a request
that wrote and did not commit (a refused form, say) is still rolled back, and so is one that ended
in an error or whose session holds changes not yet sent. SQLite keeps its prepared statements
through a rollback: nothing changes there.
"""
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from renovation.extensions import db

_WROTE = text("SELECT txid_current_if_assigned() IS NOT NULL")


def commit_if_read_only(exc: BaseException | None = None) -> None:
    session = db.session()
    if (exc is not None or not session.in_transaction() or session.new or session.dirty or session.deleted
            or session.get_bind().dialect.name != "postgresql"):
        return
    try:
        if not session.execute(_WROTE).scalar():
            session.commit()
    except SQLAlchemyError:  # a transaction already failed: the rollback that follows ends it
        return


def init_app(app: Flask) -> None:
    # Teardown functions run in the reverse order of their registration: this one before
    # Flask-SQLAlchemy's, which removes the session (rolling back whatever is left).
    app.teardown_appcontext(commit_if_read_only)
