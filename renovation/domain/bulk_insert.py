"""Inserting many rows at once with ids chosen up front (RETURNING is far slower in bulk)."""
from sqlalchemy import func, select, text

from renovation.extensions import db


def next_id(model) -> int:
    """The first free id of ``model``'s table."""
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


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
