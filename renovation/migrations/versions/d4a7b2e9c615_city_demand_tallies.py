"""the city's demand tallies kept by the database

``city_demand_tally`` (the city's demands by status, and the days its resolved ones took) and
``city_open_demand_day`` (the city's open demands by the day they were raised): the community
tallies of 5e0c7a9b3d21 added up, kept by triggers of their own in the transaction of every write
to ``demand``, so that a project page reads the city's figures from a handful of rows instead of
adding up every community's (5,000 communities in a province: 40,000 rows on every view). A
project or compound changing place moves demands between communities, not in or out of the city:
these tallies do not follow it.

PostgreSQL: statement triggers over the rows the statement changed (transition tables), each count
an ``INSERT ... ON CONFLICT DO UPDATE`` in key order. SQLite: row triggers doing the same.

Revision ID: d4a7b2e9c615
Revises: c8e2f4a6b913
Create Date: 2026-12-06 18:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4a7b2e9c615'
down_revision = 'c8e2f4a6b913'
branch_labels = None
depends_on = None

OPEN = "('pending', 'in_progress')"

PG_ADD = f"""
CREATE OR REPLACE FUNCTION city_demand_tally_add(changed jsonb, direction integer) RETURNS void
LANGUAGE plpgsql AS $$
-- ``changed``: demands, as [{{status, raised_on, resolved_on}}, ...], entering the figures (1) or leaving them (-1).
BEGIN
    IF changed IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO city_demand_tally AS tally (status, demands, days_to_resolve, days_counted)
    SELECT d.status, direction * count(*),
           direction * coalesce(sum(d.resolved_on - d.raised_on) FILTER (WHERE d.status = 'resolved'), 0),
           direction * count(d.resolved_on) FILTER (WHERE d.status = 'resolved')
    FROM jsonb_to_recordset(changed) AS d(status text, raised_on date, resolved_on date)
    GROUP BY d.status ORDER BY d.status
    ON CONFLICT (status) DO UPDATE
    SET demands = tally.demands + excluded.demands,
        days_to_resolve = tally.days_to_resolve + excluded.days_to_resolve,
        days_counted = tally.days_counted + excluded.days_counted;

    INSERT INTO city_open_demand_day AS open_day (raised_on, demands)
    SELECT d.raised_on, direction * count(*)
    FROM jsonb_to_recordset(changed) AS d(status text, raised_on date)
    WHERE d.status IN {OPEN}
    GROUP BY d.raised_on ORDER BY d.raised_on
    ON CONFLICT (raised_on) DO UPDATE SET demands = open_day.demands + excluded.demands;

    -- A status or a day without demands keeps no row: the tallies are a function of the demands.
    DELETE FROM city_demand_tally AS tally USING jsonb_to_recordset(changed) AS d(status text)
    WHERE tally.status = d.status AND tally.demands = 0;
    DELETE FROM city_open_demand_day AS open_day USING jsonb_to_recordset(changed) AS d(status text, raised_on date)
    WHERE d.status IN {OPEN} AND open_day.raised_on = d.raised_on AND open_day.demands = 0;
END $$;
"""


def _pg_rows(rows: str, where: str = "") -> str:
    return f"(SELECT jsonb_agg(counted) FROM (SELECT {rows}.status, {rows}.raised_on, {rows}.resolved_on FROM {rows} {where}) AS counted)"


CHANGED = ("(old_demands.status, old_demands.raised_on, old_demands.resolved_on) "
           "IS DISTINCT FROM (new_demands.status, new_demands.raised_on, new_demands.resolved_on)")

PG_FOLLOW = f"""
CREATE OR REPLACE FUNCTION city_demand_tally_follow_demands() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM city_demand_tally_add({_pg_rows('new_demands')}, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM city_demand_tally_add({_pg_rows('old_demands')}, -1);
    ELSE  -- only the demands whose status or dates changed
        PERFORM city_demand_tally_add({_pg_rows(
            'old_demands', f'JOIN new_demands ON new_demands.id = old_demands.id WHERE {CHANGED}')}, -1);
        PERFORM city_demand_tally_add({_pg_rows(
            'new_demands', f'JOIN old_demands ON old_demands.id = new_demands.id WHERE {CHANGED}')}, 1);
    END IF;
    RETURN NULL;
END $$;
"""

PG_TRIGGERS = [
    "CREATE TRIGGER city_demand_tally_insert AFTER INSERT ON demand REFERENCING NEW TABLE AS new_demands "
    "FOR EACH STATEMENT EXECUTE FUNCTION city_demand_tally_follow_demands()",
    "CREATE TRIGGER city_demand_tally_update AFTER UPDATE ON demand "
    "REFERENCING OLD TABLE AS old_demands NEW TABLE AS new_demands "
    "FOR EACH STATEMENT EXECUTE FUNCTION city_demand_tally_follow_demands()",
    "CREATE TRIGGER city_demand_tally_delete AFTER DELETE ON demand REFERENCING OLD TABLE AS old_demands "
    "FOR EACH STATEMENT EXECUTE FUNCTION city_demand_tally_follow_demands()",
]
PG_FUNCTIONS = ["city_demand_tally_follow_demands()", "city_demand_tally_add(jsonb, integer)"]


def _sqlite_count(row: str, direction: int) -> str:
    """Add ``row`` (NEW or OLD, a demand) to the city's tallies, or take it away."""
    resolved = f"{row}.status = 'resolved' AND {row}.resolved_on IS NOT NULL"
    return f"""
    INSERT INTO city_demand_tally (status, demands, days_to_resolve, days_counted)
    VALUES ({row}.status, {direction},
            {direction} * CASE WHEN {resolved}
                               THEN CAST(julianday({row}.resolved_on) - julianday({row}.raised_on) AS INTEGER)
                               ELSE 0 END,
            {direction} * ({resolved}))
    ON CONFLICT (status) DO UPDATE
    SET demands = demands + excluded.demands, days_to_resolve = days_to_resolve + excluded.days_to_resolve,
        days_counted = days_counted + excluded.days_counted;
    INSERT INTO city_open_demand_day (raised_on, demands)
    SELECT {row}.raised_on, {direction} WHERE {row}.status IN {OPEN}
    ON CONFLICT (raised_on) DO UPDATE SET demands = demands + excluded.demands;
    DELETE FROM city_demand_tally WHERE status = {row}.status AND demands = 0;
    DELETE FROM city_open_demand_day WHERE raised_on = {row}.raised_on AND demands = 0;"""


SQLITE_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in ("status", "raised_on", "resolved_on"))
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER city_demand_tally_insert AFTER INSERT ON demand BEGIN
    {_sqlite_count('NEW', 1)}
    END""",
    f"""CREATE TRIGGER city_demand_tally_update AFTER UPDATE OF status, raised_on, resolved_on ON demand
    WHEN {SQLITE_CHANGED} BEGIN
    {_sqlite_count('OLD', -1)}
    {_sqlite_count('NEW', 1)}
    END""",
    f"""CREATE TRIGGER city_demand_tally_delete AFTER DELETE ON demand BEGIN
    {_sqlite_count('OLD', -1)}
    END""",
]
TRIGGER_NAMES = ["city_demand_tally_insert", "city_demand_tally_update", "city_demand_tally_delete"]


def _fill(dialect: str) -> list[str]:
    days = ("resolved_on - raised_on" if dialect == "postgresql"
            else "CAST(julianday(resolved_on) - julianday(raised_on) AS INTEGER)")
    resolved = "status = 'resolved' AND resolved_on IS NOT NULL"
    return [
        f"""INSERT INTO city_demand_tally (status, demands, days_to_resolve, days_counted)
        SELECT status, count(*), coalesce(sum(CASE WHEN {resolved} THEN {days} END), 0),
               count(CASE WHEN {resolved} THEN 1 END)
        FROM demand GROUP BY status""",
        f"""INSERT INTO city_open_demand_day (raised_on, demands)
        SELECT raised_on, count(*) FROM demand WHERE status IN {OPEN} GROUP BY raised_on""",
    ]


def upgrade():
    op.create_table('city_demand_tally',
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('demands', sa.Integer(), nullable=False),
    sa.Column('days_to_resolve', sa.BigInteger(), nullable=False),
    sa.Column('days_counted', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status', name=op.f('pk_city_demand_tally'))
    )
    op.create_table('city_open_demand_day',
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('demands', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('raised_on', name=op.f('pk_city_open_demand_day'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute('LOCK TABLE demand IN SHARE ROW EXCLUSIVE MODE')  # no write between the fill and the triggers
    for statement in _fill(dialect):
        op.execute(statement)
    if dialect == 'postgresql':
        for statement in (PG_ADD, PG_FOLLOW, *PG_TRIGGERS):
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name in TRIGGER_NAMES:
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (' ON demand' if postgresql else ''))
    if postgresql:
        for function in PG_FUNCTIONS:
            op.execute(f'DROP FUNCTION IF EXISTS {function}')
    op.drop_table('city_open_demand_day')
    op.drop_table('city_demand_tally')
