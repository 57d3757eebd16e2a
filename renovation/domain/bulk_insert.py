"""Inserting many rows at once with ids chosen up front (RETURNING is far slower in bulk).

:func:`insert_rows` writes plain dicts through Core, not the ORM: the ORM's bulk insert leaves
out every None of a row (so that defaults apply) and so splits rows whose None fall in different
columns into separate statements, thousands of them for a demo programme. On PostgreSQL the
rows go through COPY, the fastest way in.
"""
import json
from collections.abc import Sequence

from sqlalchemy import JSON, func, select, text

from renovation.extensions import db


def next_id(model) -> int:
    """The first free id of ``model``'s table."""
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


class IdBlock:
    """Ids handed out in order from each table's first free id (read once per table)."""

    def __init__(self, *models):
        self._next = {model: next_id(model) for model in models}

    def take(self, model) -> int:
        """The next id of ``model``."""
        self._next[model] += 1
        return self._next[model] - 1


def insert_rows(model, rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys, ids included) into ``model``'s table."""
    if not rows:
        return
    table = model.__table__
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(table.insert(), rows)
        return
    names = list(rows[0])
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = db.session.connection().connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name], ensure_ascii=False) if name in as_json else row[name]
                            for name in names])


def sync_id_sequences(*models) -> None:
    """PostgreSQL: move the id sequences past the ids inserted explicitly (an empty table's
    sequence is left alone: setval ignores NULL)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        )


def refresh_statistics() -> None:
    """PostgreSQL: VACUUM (ANALYZE) the database after a bulk load and its commit, so that the
    planner knows the tables' sizes (a plan made for empty tables joins 200,000 rows by nested
    loops) and index-only scans can skip the tables. Outside any transaction, as VACUUM must be."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


def analyze_while_loading() -> None:
    """PostgreSQL: ANALYZE the database between two committed parts of a bulk load (a no-op on SQLite).

    Each row inserted checks its foreign keys with a plan made from the tables' statistics; a
    table last analysed empty (a migration does so) is planned as empty and read whole for every
    check, so that a load slows as the square of its size while nothing analyses it meanwhile
    (autovacuum may be off: 35,000 projects took 8 minutes). Called as the tables double, it
    keeps each planned for its size."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
