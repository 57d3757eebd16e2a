"""Inserting rows that must exist once: a row whose unique key is already taken (also by a
concurrent writer, the database decides) is left out, not an error."""
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from renovation.extensions import db


def insert_once(model, rows: list[dict], key: list[str]) -> None:
    """Insert ``rows`` into ``model``'s table, leaving out those whose ``key`` columns are taken."""
    if not rows:
        return
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(model).values(rows).on_conflict_do_nothing(index_elements=key))
