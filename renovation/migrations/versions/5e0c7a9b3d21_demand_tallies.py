"""demand tallies kept by the database

``demand_tally`` (a community's demands by status, and the days its resolved ones took) and
``open_demand_day`` (a community's open demands by the day they were raised), kept by triggers in
the transaction of every write to ``demand`` — and of a change of a project's compound or a
compound's community, which moves demands from one community to another — so that a project page
reads its community's and the city's demand figures from a few rows instead of counting every
demand (renovation/models/demand_tallies.py).

PostgreSQL: one trigger function for the demands, run once per statement over the rows the
statement changed (transition tables: a bulk insert of thousands of demands adds them up in one
go), and row triggers on ``project`` and ``compound`` that fire only when the place changes. Each
count is an ``INSERT ... ON CONFLICT DO UPDATE`` adding to the row: concurrent writers queue on the
row they add to and both additions count. SQLite: row triggers doing the same.

The tallies are filled from the demands already there after the triggers exist (on PostgreSQL the
``CREATE TRIGGER`` holds back writes to ``demand`` until the migration commits, so none is missed).

Revision ID: 5e0c7a9b3d21
Revises: a7d3c9e15b42
Create Date: 2026-12-06 15:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e0c7a9b3d21'
down_revision = 'a7d3c9e15b42'
branch_labels = None
depends_on = None

OPEN = "('pending', 'in_progress')"

# --- PostgreSQL ----------------------------------------------------------------------------------

PG_ADD = f"""
CREATE OR REPLACE FUNCTION demand_tally_add(changed jsonb, direction integer) RETURNS void
LANGUAGE plpgsql AS $$
-- ``changed``: demands, as [{{community_id, status, raised_on, resolved_on}}, ...], entering the
-- figures (direction 1) or leaving them (-1). Rows are added in key order (no deadlock between two
-- writers adding to the same rows).
BEGIN
    IF changed IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO demand_tally AS tally (community_id, status, demands, days_to_resolve, days_counted)
    SELECT d.community_id, d.status, direction * count(*),
           direction * coalesce(sum(d.resolved_on - d.raised_on) FILTER (WHERE d.status = 'resolved'), 0),
           direction * count(d.resolved_on) FILTER (WHERE d.status = 'resolved')
    FROM jsonb_to_recordset(changed) AS d(community_id integer, status text, raised_on date, resolved_on date)
    GROUP BY d.community_id, d.status
    ORDER BY d.community_id, d.status
    ON CONFLICT (community_id, status) DO UPDATE
    SET demands = tally.demands + excluded.demands,
        days_to_resolve = tally.days_to_resolve + excluded.days_to_resolve,
        days_counted = tally.days_counted + excluded.days_counted;

    INSERT INTO open_demand_day AS open_day (community_id, raised_on, demands)
    SELECT d.community_id, d.raised_on, direction * count(*)
    FROM jsonb_to_recordset(changed) AS d(community_id integer, status text, raised_on date)
    WHERE d.status IN {OPEN}
    GROUP BY d.community_id, d.raised_on
    ORDER BY d.community_id, d.raised_on
    ON CONFLICT (community_id, raised_on) DO UPDATE SET demands = open_day.demands + excluded.demands;

    -- A status or a day without demands keeps no row: the tallies are a function of the demands.
    DELETE FROM demand_tally AS tally
    USING jsonb_to_recordset(changed) AS d(community_id integer, status text)
    WHERE tally.community_id = d.community_id AND tally.status = d.status AND tally.demands = 0;
    DELETE FROM open_demand_day AS open_day
    USING jsonb_to_recordset(changed) AS d(community_id integer, status text, raised_on date)
    WHERE d.status IN {OPEN} AND open_day.community_id = d.community_id
      AND open_day.raised_on = d.raised_on AND open_day.demands = 0;
END $$;
"""


def _pg_placed(rows: str, project: str) -> str:
    """``rows`` (demands) with their community, as the JSON demand_tally_add takes."""
    return f"""(SELECT jsonb_agg(placed) FROM (
        SELECT compound.community_id, {rows}.status, {rows}.raised_on, {rows}.resolved_on
        FROM {rows} JOIN project ON project.id = {project} JOIN compound ON compound.id = project.compound_id
    ) AS placed)"""


CHANGED = ("(old_demands.project_id, old_demands.status, old_demands.raised_on, old_demands.resolved_on) "
           "IS DISTINCT FROM (new_demands.project_id, new_demands.status, new_demands.raised_on, "
           "new_demands.resolved_on)")

PG_FOLLOW_DEMANDS = f"""
CREATE OR REPLACE FUNCTION demand_tally_follow_demands() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM demand_tally_add({_pg_placed('new_demands', 'new_demands.project_id')}, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM demand_tally_add({_pg_placed('old_demands', 'old_demands.project_id')}, -1);
    ELSE  -- only the demands whose place, status or dates changed
        PERFORM demand_tally_add((SELECT jsonb_agg(placed) FROM (
            SELECT compound.community_id, old_demands.status, old_demands.raised_on, old_demands.resolved_on
            FROM old_demands JOIN new_demands ON new_demands.id = old_demands.id
            JOIN project ON project.id = old_demands.project_id JOIN compound ON compound.id = project.compound_id
            WHERE {CHANGED}) AS placed), -1);
        PERFORM demand_tally_add((SELECT jsonb_agg(placed) FROM (
            SELECT compound.community_id, new_demands.status, new_demands.raised_on, new_demands.resolved_on
            FROM new_demands JOIN old_demands ON old_demands.id = new_demands.id
            JOIN project ON project.id = new_demands.project_id JOIN compound ON compound.id = project.compound_id
            WHERE {CHANGED}) AS placed), 1);
    END IF;
    RETURN NULL;
END $$;
"""


def _pg_moved(where: str, community: str) -> str:
    return f"""(SELECT jsonb_agg(placed) FROM (
        SELECT {community} AS community_id, demand.status, demand.raised_on, demand.resolved_on
        FROM demand JOIN project ON project.id = demand.project_id WHERE {where}) AS placed)"""


PG_FOLLOW_PROJECT = f"""
CREATE OR REPLACE FUNCTION demand_tally_follow_project() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN  -- the project moved to another compound: its demands leave one community for another
    PERFORM demand_tally_add({_pg_moved('project.id = OLD.id',
                                        '(SELECT community_id FROM compound WHERE id = OLD.compound_id)')}, -1);
    PERFORM demand_tally_add({_pg_moved('project.id = NEW.id',
                                        '(SELECT community_id FROM compound WHERE id = NEW.compound_id)')}, 1);
    RETURN NULL;
END $$;
"""

PG_FOLLOW_COMPOUND = f"""
CREATE OR REPLACE FUNCTION demand_tally_follow_compound() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN  -- the compound moved to another community, and the demands of its projects with it
    PERFORM demand_tally_add({_pg_moved('project.compound_id = OLD.id', 'OLD.community_id')}, -1);
    PERFORM demand_tally_add({_pg_moved('project.compound_id = NEW.id', 'NEW.community_id')}, 1);
    RETURN NULL;
END $$;
"""

PG_TRIGGERS = [
    "CREATE TRIGGER demand_tally_insert AFTER INSERT ON demand REFERENCING NEW TABLE AS new_demands "
    "FOR EACH STATEMENT EXECUTE FUNCTION demand_tally_follow_demands()",
    "CREATE TRIGGER demand_tally_update AFTER UPDATE ON demand "
    "REFERENCING OLD TABLE AS old_demands NEW TABLE AS new_demands "
    "FOR EACH STATEMENT EXECUTE FUNCTION demand_tally_follow_demands()",
    "CREATE TRIGGER demand_tally_delete AFTER DELETE ON demand REFERENCING OLD TABLE AS old_demands "
    "FOR EACH STATEMENT EXECUTE FUNCTION demand_tally_follow_demands()",
    "CREATE TRIGGER demand_tally_project_moved AFTER UPDATE OF compound_id ON project FOR EACH ROW "
    "WHEN (OLD.compound_id IS DISTINCT FROM NEW.compound_id) EXECUTE FUNCTION demand_tally_follow_project()",
    "CREATE TRIGGER demand_tally_compound_moved AFTER UPDATE OF community_id ON compound FOR EACH ROW "
    "WHEN (OLD.community_id IS DISTINCT FROM NEW.community_id) EXECUTE FUNCTION demand_tally_follow_compound()",
]
PG_FUNCTIONS = ["demand_tally_follow_demands()", "demand_tally_follow_project()", "demand_tally_follow_compound()",
                "demand_tally_add(jsonb, integer)"]

# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_count(row: str, direction: int, community: str) -> str:
    """Add ``row`` (NEW or OLD, a demand of ``community``) to the tallies, or take it away."""
    resolved = f"{row}.status = 'resolved' AND {row}.resolved_on IS NOT NULL"
    return f"""
    INSERT INTO demand_tally (community_id, status, demands, days_to_resolve, days_counted)
    SELECT {community}, {row}.status, {direction},
           {direction} * CASE WHEN {resolved}
                              THEN CAST(julianday({row}.resolved_on) - julianday({row}.raised_on) AS INTEGER)
                              ELSE 0 END,
           {direction} * ({resolved})
    WHERE {community} IS NOT NULL
    ON CONFLICT (community_id, status) DO UPDATE
    SET demands = demands + excluded.demands, days_to_resolve = days_to_resolve + excluded.days_to_resolve,
        days_counted = days_counted + excluded.days_counted;
    INSERT INTO open_demand_day (community_id, raised_on, demands)
    SELECT {community}, {row}.raised_on, {direction}
    WHERE {community} IS NOT NULL AND {row}.status IN {OPEN}
    ON CONFLICT (community_id, raised_on) DO UPDATE SET demands = demands + excluded.demands;
    DELETE FROM demand_tally WHERE community_id = {community} AND status = {row}.status AND demands = 0;
    DELETE FROM open_demand_day WHERE community_id = {community} AND raised_on = {row}.raised_on AND demands = 0;"""


def _sqlite_community(project_id: str) -> str:
    return (f"(SELECT compound.community_id FROM project JOIN compound ON compound.id = project.compound_id "
            f"WHERE project.id = {project_id})")


def _sqlite_move(where: str, community: str, direction: int) -> str:
    """Add the demands of the projects ``where`` selects to ``community``, or take them away."""
    resolved = "demand.status = 'resolved' AND demand.resolved_on IS NOT NULL"
    return f"""
    INSERT INTO demand_tally (community_id, status, demands, days_to_resolve, days_counted)
    SELECT {community}, demand.status, {direction} * count(*),
           {direction} * coalesce(sum(CASE WHEN {resolved}
               THEN CAST(julianday(demand.resolved_on) - julianday(demand.raised_on) AS INTEGER) END), 0),
           {direction} * sum({resolved})
    FROM demand JOIN project ON project.id = demand.project_id WHERE {where} GROUP BY demand.status
    ON CONFLICT (community_id, status) DO UPDATE
    SET demands = demands + excluded.demands, days_to_resolve = days_to_resolve + excluded.days_to_resolve,
        days_counted = days_counted + excluded.days_counted;
    INSERT INTO open_demand_day (community_id, raised_on, demands)
    SELECT {community}, demand.raised_on, {direction} * count(*)
    FROM demand JOIN project ON project.id = demand.project_id
    WHERE {where} AND demand.status IN {OPEN} GROUP BY demand.raised_on
    ON CONFLICT (community_id, raised_on) DO UPDATE SET demands = demands + excluded.demands;
    DELETE FROM demand_tally WHERE community_id = {community} AND demands = 0;
    DELETE FROM open_demand_day WHERE community_id = {community} AND demands = 0;"""


SQLITE_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}"
                              for column in ("project_id", "status", "raised_on", "resolved_on"))
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER demand_tally_insert AFTER INSERT ON demand BEGIN
    {_sqlite_count('NEW', 1, _sqlite_community('NEW.project_id'))}
    END""",
    f"""CREATE TRIGGER demand_tally_update AFTER UPDATE OF project_id, status, raised_on, resolved_on ON demand
    WHEN {SQLITE_CHANGED} BEGIN
    {_sqlite_count('OLD', -1, _sqlite_community('OLD.project_id'))}
    {_sqlite_count('NEW', 1, _sqlite_community('NEW.project_id'))}
    END""",
    f"""CREATE TRIGGER demand_tally_delete AFTER DELETE ON demand BEGIN
    {_sqlite_count('OLD', -1, _sqlite_community('OLD.project_id'))}
    END""",
    f"""CREATE TRIGGER demand_tally_project_moved AFTER UPDATE OF compound_id ON project
    WHEN OLD.compound_id IS NOT NEW.compound_id BEGIN
    {_sqlite_move('project.id = OLD.id', '(SELECT community_id FROM compound WHERE id = OLD.compound_id)', -1)}
    {_sqlite_move('project.id = NEW.id', '(SELECT community_id FROM compound WHERE id = NEW.compound_id)', 1)}
    END""",
    f"""CREATE TRIGGER demand_tally_compound_moved AFTER UPDATE OF community_id ON compound
    WHEN OLD.community_id IS NOT NEW.community_id BEGIN
    {_sqlite_move('project.compound_id = OLD.id', 'OLD.community_id', -1)}
    {_sqlite_move('project.compound_id = NEW.id', 'NEW.community_id', 1)}
    END""",
]
TRIGGER_NAMES = [("demand_tally_insert", "demand"), ("demand_tally_update", "demand"), ("demand_tally_delete", "demand"),
                 ("demand_tally_project_moved", "project"), ("demand_tally_compound_moved", "compound")]

# --- filling the tallies from the demands there are ---------------------------------------------


def _fill(dialect: str) -> list[str]:
    days = ("demand.resolved_on - demand.raised_on" if dialect == "postgresql"
            else "CAST(julianday(demand.resolved_on) - julianday(demand.raised_on) AS INTEGER)")
    resolved = "demand.status = 'resolved' AND demand.resolved_on IS NOT NULL"
    placed = "FROM demand JOIN project ON project.id = demand.project_id JOIN compound ON compound.id = project.compound_id"
    return [
        f"""INSERT INTO demand_tally (community_id, status, demands, days_to_resolve, days_counted)
        SELECT compound.community_id, demand.status, count(*),
               coalesce(sum(CASE WHEN {resolved} THEN {days} END), 0),
               count(CASE WHEN {resolved} THEN 1 END)
        {placed} GROUP BY compound.community_id, demand.status""",
        f"""INSERT INTO open_demand_day (community_id, raised_on, demands)
        SELECT compound.community_id, demand.raised_on, count(*)
        {placed} WHERE demand.status IN {OPEN} GROUP BY compound.community_id, demand.raised_on""",
    ]


def upgrade():
    op.create_table('demand_tally',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('demands', sa.Integer(), nullable=False),
    sa.Column('days_to_resolve', sa.Integer(), nullable=False),
    sa.Column('days_counted', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_demand_tally_community_id_community'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'status', name=op.f('pk_demand_tally'))
    )
    op.create_table('open_demand_day',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('demands', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_open_demand_day_community_id_community'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'raised_on', name=op.f('pk_open_demand_day'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for statement in (PG_ADD, PG_FOLLOW_DEMANDS, PG_FOLLOW_PROJECT, PG_FOLLOW_COMPOUND, *PG_TRIGGERS):
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    for statement in _fill(dialect):
        op.execute(statement)


def downgrade():
    for name, table in TRIGGER_NAMES:
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (f' ON {table}' if op.get_bind().dialect.name == 'postgresql'
                                                         else ''))
    if op.get_bind().dialect.name == 'postgresql':
        for function in PG_FUNCTIONS:
            op.execute(f'DROP FUNCTION IF EXISTS {function}')
    op.drop_table('open_demand_day')
    op.drop_table('demand_tally')
