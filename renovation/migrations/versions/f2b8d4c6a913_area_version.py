"""the areas' version: a value the database gives anew whenever a street or community changes

The lists' filters offer every street (a province has some 800) and, in a city, every community;
a process keeps those lists while this value stays the same (``renovation.domain.area_lists``).
Triggers on ``street`` and ``community`` write a new random value in the transaction of any insert,
update or delete, whoever writes; the row is made when missing.

Revision ID: f2b8d4c6a913
Revises: e7c3a1f9b284
Create Date: 2026-12-06 20:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2b8d4c6a913'
down_revision = 'e7c3a1f9b284'
branch_labels = None
depends_on = None

TABLES = ("street", "community")
EVENTS = ("insert", "update", "delete")

PG_RANDOM = "(random() * 9007199254740991)::bigint"
PG_FUNCTION = f"""
CREATE FUNCTION area_version_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO area_version (id, version) VALUES (1, {PG_RANDOM})
    ON CONFLICT (id) DO UPDATE SET version = excluded.version;
    RETURN NULL;
END $$;
"""
SQLITE_RENEW = """INSERT INTO area_version (id, version) VALUES (1, random())
    ON CONFLICT (id) DO UPDATE SET version = excluded.version;"""


def _trigger(table: str, event: str) -> str:
    return f"area_version_{table}_{event}"


def upgrade():
    op.create_table(
        'area_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_area_version')),
    )
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if postgresql:
        op.execute(PG_FUNCTION)
    for table in TABLES:
        for event in EVENTS:
            if postgresql:
                op.execute(f"CREATE TRIGGER {_trigger(table, event)} AFTER {event.upper()} ON {table} "
                           "FOR EACH STATEMENT EXECUTE FUNCTION area_version_renew()")
            else:
                op.execute(f"CREATE TRIGGER {_trigger(table, event)} AFTER {event.upper()} ON {table} "
                           f"BEGIN {SQLITE_RENEW} END")
    op.execute(f"INSERT INTO area_version (id, version) VALUES (1, {PG_RANDOM if postgresql else 'random()'})")


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in TABLES:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER {_trigger(table, event)}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION area_version_renew()")
    op.drop_table('area_version')
