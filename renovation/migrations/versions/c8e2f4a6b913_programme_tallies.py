"""programme tallies kept by the database; project.started

``street_tally`` (a street's projects by current stage and whether work has begun, with their
households, budget, investment and progress summed), ``street_deadline_day`` (a street's projects
by the day of their next deadline) and ``stage_tally`` (a street's stages by key and status), kept
by triggers in the transaction of every write to ``project`` and ``stage``, so that the dashboard
reads its street sums and stage counts from a few thousand rows instead of counting every project
and stage (renovation/models/programme_tallies.py). ``project.started`` (work on site has begun)
is derived from the stages like ``current_stage``, so that the street sums need not read them.

The tallies are keyed by the project's copy of its street's name (``project.street_name``): a
project that moves or whose street is renamed gets a new copy, an update of its own row, and its
shares (stages included) follow it.

PostgreSQL: one trigger function per table, run once per statement over the rows the statement
changed (transition tables: a bulk load of thousands of projects adds them up in one go); an
update counts only the rows whose counted columns changed, so a write that only touches a project
(``updated_at``) takes no lock on a tally. Each count is an ``INSERT ... ON CONFLICT DO UPDATE``
adding to the row, in key order: concurrent writers queue on the row they add to and both
additions count. SQLite: row triggers doing the same.

Revision ID: c8e2f4a6b913
Revises: 5e0c7a9b3d21
Create Date: 2026-12-06 18:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c8e2f4a6b913'
down_revision = '5e0c7a9b3d21'
branch_labels = None
depends_on = None

STARTED_WHERE = "stage.key <> 'survey' AND stage.status IN ('completed', 'in_progress', 'suspended')"
BUDGET = ("coalesce({row}.budget_central, 0) + coalesce({row}.budget_provincial, 0) + coalesce({row}.budget_city, 0)"
          " + coalesce({row}.budget_residents, 0) + coalesce({row}.budget_social, 0)")
# What a project adds to the tallies; an update that changes none of them changes no tally.
COUNTED = ("street_name", "current_stage", "started", "households", "budget_central", "budget_provincial",
           "budget_city", "budget_residents", "budget_social", "investment_completed", "progress", "next_deadline")

# --- PostgreSQL ----------------------------------------------------------------------------------

PG_ADD_PROJECTS = """
CREATE OR REPLACE FUNCTION programme_tally_add_projects(changed jsonb, direction integer) RETURNS void
LANGUAGE plpgsql AS $$
-- ``changed``: projects, as [{street_name, current_stage, started, households, budget,
-- investment_completed, progress, next_deadline}, ...], entering the tallies (direction 1) or
-- leaving them (-1). Rows are added in key order (no deadlock between two writers of one statement each).
BEGIN
    IF changed IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO street_tally AS tally (street_name, current_stage, started, projects, households, budget,
                                       investment_completed, progress_sum)
    SELECT p.street_name, p.current_stage, p.started, direction * count(*), direction * sum(p.households),
           direction * sum(p.budget), direction * sum(p.investment_completed), direction * sum(p.progress)
    FROM jsonb_to_recordset(changed) AS p(street_name text, current_stage text, started boolean, households bigint,
                                          budget numeric, investment_completed numeric, progress bigint)
    GROUP BY p.street_name, p.current_stage, p.started
    ORDER BY p.street_name, p.current_stage, p.started
    ON CONFLICT (street_name, current_stage, started) DO UPDATE
    SET projects = tally.projects + excluded.projects, households = tally.households + excluded.households,
        budget = tally.budget + excluded.budget,
        investment_completed = tally.investment_completed + excluded.investment_completed,
        progress_sum = tally.progress_sum + excluded.progress_sum;

    INSERT INTO street_deadline_day AS deadline (street_name, next_deadline, projects)
    SELECT p.street_name, p.next_deadline, direction * count(*)
    FROM jsonb_to_recordset(changed) AS p(street_name text, next_deadline date)
    WHERE p.next_deadline IS NOT NULL
    GROUP BY p.street_name, p.next_deadline
    ORDER BY p.street_name, p.next_deadline
    ON CONFLICT (street_name, next_deadline) DO UPDATE SET projects = deadline.projects + excluded.projects;

    -- A key without projects keeps no row: the tallies are a function of the projects.
    DELETE FROM street_tally AS tally
    USING jsonb_to_recordset(changed) AS p(street_name text, current_stage text, started boolean)
    WHERE tally.street_name = p.street_name AND tally.current_stage = p.current_stage
      AND tally.started = p.started AND tally.projects = 0;
    DELETE FROM street_deadline_day AS deadline
    USING jsonb_to_recordset(changed) AS p(street_name text, next_deadline date)
    WHERE deadline.street_name = p.street_name AND deadline.next_deadline = p.next_deadline
      AND deadline.projects = 0;
END $$;
"""

PG_ADD_STAGES = """
CREATE OR REPLACE FUNCTION programme_tally_add_stages(changed jsonb, direction integer) RETURNS void
LANGUAGE plpgsql AS $$
-- ``changed``: stages, as [{street_name, key, status}, ...], entering (1) or leaving (-1).
BEGIN
    IF changed IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO stage_tally AS tally (street_name, key, status, stages)
    SELECT s.street_name, s.key, s.status, direction * count(*)
    FROM jsonb_to_recordset(changed) AS s(street_name text, key text, status text)
    GROUP BY s.street_name, s.key, s.status
    ORDER BY s.street_name, s.key, s.status
    ON CONFLICT (street_name, key, status) DO UPDATE SET stages = tally.stages + excluded.stages;
    DELETE FROM stage_tally AS tally
    USING jsonb_to_recordset(changed) AS s(street_name text, key text, status text)
    WHERE tally.street_name = s.street_name AND tally.key = s.key AND tally.status = s.status AND tally.stages = 0;
END $$;
"""


def _pg_projects(rows: str, where: str = "") -> str:
    """``rows`` (projects) as the JSON programme_tally_add_projects takes."""
    return f"""(SELECT jsonb_agg(counted) FROM (
        SELECT {rows}.street_name, {rows}.current_stage, {rows}.started, {rows}.households,
               {BUDGET.format(row=rows)} AS budget, coalesce({rows}.investment_completed, 0) AS investment_completed,
               {rows}.progress, {rows}.next_deadline
        FROM {rows} {where}) AS counted)"""


def _pg_project_changed() -> str:
    return (f"({', '.join(f'old_projects.{column}' for column in COUNTED)}) IS DISTINCT FROM "
            f"({', '.join(f'new_projects.{column}' for column in COUNTED)})")


PG_FOLLOW_PROJECTS = f"""
CREATE OR REPLACE FUNCTION programme_tally_follow_projects() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM programme_tally_add_projects({_pg_projects('new_projects')}, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM programme_tally_add_projects({_pg_projects('old_projects')}, -1);
    ELSE  -- only the projects whose counted columns changed
        PERFORM programme_tally_add_projects({_pg_projects(
            'old_projects', f'JOIN new_projects ON new_projects.id = old_projects.id WHERE {_pg_project_changed()}')},
            -1);
        PERFORM programme_tally_add_projects({_pg_projects(
            'new_projects', f'JOIN old_projects ON old_projects.id = new_projects.id WHERE {_pg_project_changed()}')},
            1);
        -- a project that changed street takes its stages along
        PERFORM programme_tally_add_stages((SELECT jsonb_agg(moved) FROM (
            SELECT old_projects.street_name, stage.key, stage.status
            FROM old_projects JOIN new_projects ON new_projects.id = old_projects.id
            JOIN stage ON stage.project_id = old_projects.id
            WHERE old_projects.street_name IS DISTINCT FROM new_projects.street_name) AS moved), -1);
        PERFORM programme_tally_add_stages((SELECT jsonb_agg(moved) FROM (
            SELECT new_projects.street_name, stage.key, stage.status
            FROM new_projects JOIN old_projects ON old_projects.id = new_projects.id
            JOIN stage ON stage.project_id = new_projects.id
            WHERE old_projects.street_name IS DISTINCT FROM new_projects.street_name) AS moved), 1);
    END IF;
    RETURN NULL;
END $$;
"""


def _pg_stages(rows: str, where: str = "true") -> str:
    """``rows`` (stages) with their project's street, as the JSON programme_tally_add_stages takes."""
    return f"""(SELECT jsonb_agg(placed) FROM (
        SELECT project.street_name, {rows}.key, {rows}.status
        FROM {rows} JOIN project ON project.id = {rows}.project_id WHERE {where}) AS placed)"""


STAGE_CHANGED = ("(old_stages.project_id, old_stages.key, old_stages.status) IS DISTINCT FROM "
                 "(new_stages.project_id, new_stages.key, new_stages.status)")

PG_FOLLOW_STAGES = f"""
CREATE OR REPLACE FUNCTION programme_tally_follow_stages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM programme_tally_add_stages({_pg_stages('new_stages')}, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM programme_tally_add_stages({_pg_stages('old_stages')}, -1);
    ELSE  -- only the stages whose key or status changed
        PERFORM programme_tally_add_stages({_pg_stages(
            'old_stages', f'old_stages.id IN (SELECT old_stages.id FROM old_stages JOIN new_stages '
                          f'ON new_stages.id = old_stages.id WHERE {STAGE_CHANGED})')}, -1);
        PERFORM programme_tally_add_stages({_pg_stages(
            'new_stages', f'new_stages.id IN (SELECT new_stages.id FROM new_stages JOIN old_stages '
                          f'ON old_stages.id = new_stages.id WHERE {STAGE_CHANGED})')}, 1);
    END IF;
    RETURN NULL;
END $$;
"""

PG_TRIGGERS = [
    "CREATE TRIGGER programme_tally_project_insert AFTER INSERT ON project REFERENCING NEW TABLE AS new_projects "
    "FOR EACH STATEMENT EXECUTE FUNCTION programme_tally_follow_projects()",
    "CREATE TRIGGER programme_tally_project_update AFTER UPDATE ON project "
    "REFERENCING OLD TABLE AS old_projects NEW TABLE AS new_projects "
    "FOR EACH STATEMENT EXECUTE FUNCTION programme_tally_follow_projects()",
    "CREATE TRIGGER programme_tally_project_delete AFTER DELETE ON project REFERENCING OLD TABLE AS old_projects "
    "FOR EACH STATEMENT EXECUTE FUNCTION programme_tally_follow_projects()",
    "CREATE TRIGGER programme_tally_stage_insert AFTER INSERT ON stage REFERENCING NEW TABLE AS new_stages "
    "FOR EACH STATEMENT EXECUTE FUNCTION programme_tally_follow_stages()",
    "CREATE TRIGGER programme_tally_stage_update AFTER UPDATE ON stage "
    "REFERENCING OLD TABLE AS old_stages NEW TABLE AS new_stages "
    "FOR EACH STATEMENT EXECUTE FUNCTION programme_tally_follow_stages()",
    "CREATE TRIGGER programme_tally_stage_delete AFTER DELETE ON stage REFERENCING OLD TABLE AS old_stages "
    "FOR EACH STATEMENT EXECUTE FUNCTION programme_tally_follow_stages()",
]
PG_FUNCTIONS = ["programme_tally_follow_projects()", "programme_tally_follow_stages()",
                "programme_tally_add_projects(jsonb, integer)", "programme_tally_add_stages(jsonb, integer)"]

# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_project(row: str, direction: int) -> str:
    """Add ``row`` (NEW or OLD, a project) to the tallies, or take it away."""
    return f"""
    INSERT INTO street_tally (street_name, current_stage, started, projects, households, budget,
                              investment_completed, progress_sum)
    VALUES ({row}.street_name, {row}.current_stage, {row}.started, {direction}, {direction} * {row}.households,
            {direction} * ({BUDGET.format(row=row)}), {direction} * coalesce({row}.investment_completed, 0),
            {direction} * {row}.progress)
    ON CONFLICT (street_name, current_stage, started) DO UPDATE
    SET projects = projects + excluded.projects, households = households + excluded.households,
        budget = budget + excluded.budget, investment_completed = investment_completed + excluded.investment_completed,
        progress_sum = progress_sum + excluded.progress_sum;
    INSERT INTO street_deadline_day (street_name, next_deadline, projects)
    SELECT {row}.street_name, {row}.next_deadline, {direction} WHERE {row}.next_deadline IS NOT NULL
    ON CONFLICT (street_name, next_deadline) DO UPDATE SET projects = projects + excluded.projects;
    DELETE FROM street_tally WHERE street_name = {row}.street_name AND current_stage = {row}.current_stage
        AND started = {row}.started AND projects = 0;
    DELETE FROM street_deadline_day WHERE street_name = {row}.street_name AND next_deadline = {row}.next_deadline
        AND projects = 0;"""


def _sqlite_stages(street: str, where: str, direction: int) -> str:
    """Add the stages ``where`` selects, as stages of ``street``, to the tallies, or take them away."""
    return f"""
    INSERT INTO stage_tally (street_name, key, status, stages)
    SELECT {street}, stage.key, stage.status, {direction} * count(*) FROM stage
    WHERE {where} AND {street} IS NOT NULL GROUP BY stage.key, stage.status
    ON CONFLICT (street_name, key, status) DO UPDATE SET stages = stages + excluded.stages;
    DELETE FROM stage_tally WHERE street_name = {street} AND stages = 0;"""


def _sqlite_stage(row: str, direction: int) -> str:
    """Add ``row`` (NEW or OLD, a stage) to the tallies, or take it away."""
    street = f"(SELECT street_name FROM project WHERE id = {row}.project_id)"
    return f"""
    INSERT INTO stage_tally (street_name, key, status, stages)
    SELECT {street}, {row}.key, {row}.status, {direction} WHERE {street} IS NOT NULL
    ON CONFLICT (street_name, key, status) DO UPDATE SET stages = stages + excluded.stages;
    DELETE FROM stage_tally WHERE street_name = {street} AND key = {row}.key AND status = {row}.status
        AND stages = 0;"""


SQLITE_PROJECT_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED)
SQLITE_STAGE_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in ("project_id", "key", "status"))
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER programme_tally_project_insert AFTER INSERT ON project BEGIN
    {_sqlite_project('NEW', 1)}
    END""",
    f"""CREATE TRIGGER programme_tally_project_update AFTER UPDATE OF {', '.join(COUNTED)} ON project
    WHEN {SQLITE_PROJECT_CHANGED} BEGIN
    {_sqlite_project('OLD', -1)}
    {_sqlite_project('NEW', 1)}
    END""",
    f"""CREATE TRIGGER programme_tally_project_moved AFTER UPDATE OF street_name ON project
    WHEN OLD.street_name IS NOT NEW.street_name BEGIN
    {_sqlite_stages('OLD.street_name', 'stage.project_id = OLD.id', -1)}
    {_sqlite_stages('NEW.street_name', 'stage.project_id = NEW.id', 1)}
    END""",
    f"""CREATE TRIGGER programme_tally_project_delete AFTER DELETE ON project BEGIN
    {_sqlite_project('OLD', -1)}
    END""",
    f"""CREATE TRIGGER programme_tally_stage_insert AFTER INSERT ON stage BEGIN
    {_sqlite_stage('NEW', 1)}
    END""",
    f"""CREATE TRIGGER programme_tally_stage_update AFTER UPDATE OF project_id, key, status ON stage
    WHEN {SQLITE_STAGE_CHANGED} BEGIN
    {_sqlite_stage('OLD', -1)}
    {_sqlite_stage('NEW', 1)}
    END""",
    f"""CREATE TRIGGER programme_tally_stage_delete AFTER DELETE ON stage BEGIN
    {_sqlite_stage('OLD', -1)}
    END""",
]
TRIGGER_NAMES = [("programme_tally_project_insert", "project"), ("programme_tally_project_update", "project"),
                 ("programme_tally_project_moved", "project"), ("programme_tally_project_delete", "project"),
                 ("programme_tally_stage_insert", "stage"), ("programme_tally_stage_update", "stage"),
                 ("programme_tally_stage_delete", "stage")]

# --- filling the tallies from the projects there are --------------------------------------------

FILL = [
    f"UPDATE project SET started = EXISTS (SELECT 1 FROM stage WHERE stage.project_id = project.id AND {STARTED_WHERE})",
    f"""INSERT INTO street_tally (street_name, current_stage, started, projects, households, budget,
                                 investment_completed, progress_sum)
    SELECT street_name, current_stage, started, count(*), sum(households), sum({BUDGET.format(row='project')}),
           sum(coalesce(investment_completed, 0)), sum(progress)
    FROM project GROUP BY street_name, current_stage, started""",
    """INSERT INTO street_deadline_day (street_name, next_deadline, projects)
    SELECT street_name, next_deadline, count(*) FROM project WHERE next_deadline IS NOT NULL
    GROUP BY street_name, next_deadline""",
    """INSERT INTO stage_tally (street_name, key, status, stages)
    SELECT project.street_name, stage.key, stage.status, count(*)
    FROM stage JOIN project ON project.id = stage.project_id GROUP BY project.street_name, stage.key, stage.status""",
]


def upgrade():
    op.add_column('project', sa.Column('started', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.create_table('street_tally',
    sa.Column('street_name', sa.String(length=64), nullable=False),
    sa.Column('current_stage', sa.String(length=16), nullable=False),
    sa.Column('started', sa.Boolean(), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('households', sa.BigInteger(), nullable=False),
    sa.Column('budget', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('investment_completed', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('progress_sum', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('street_name', 'current_stage', 'started', name=op.f('pk_street_tally'))
    )
    op.create_table('street_deadline_day',
    sa.Column('street_name', sa.String(length=64), nullable=False),
    sa.Column('next_deadline', sa.Date(), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('street_name', 'next_deadline', name=op.f('pk_street_deadline_day'))
    )
    op.create_table('stage_tally',
    sa.Column('street_name', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stages', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('street_name', 'key', 'status', name=op.f('pk_stage_tally'))
    )
    # Filled before the triggers exist (the UPDATE of ``started`` would otherwise count every project
    # twice); on PostgreSQL the tables are locked meanwhile, so no write falls between the two.
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute('LOCK TABLE project, stage IN SHARE ROW EXCLUSIVE MODE')
    for statement in FILL:
        op.execute(statement)
    if dialect == 'postgresql':
        for statement in (PG_ADD_PROJECTS, PG_ADD_STAGES, PG_FOLLOW_PROJECTS, PG_FOLLOW_STAGES, *PG_TRIGGERS):
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    for name, table in TRIGGER_NAMES:
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (f' ON {table}' if op.get_bind().dialect.name == 'postgresql'
                                                         else ''))
    if op.get_bind().dialect.name == 'postgresql':
        for function in PG_FUNCTIONS:
            op.execute(f'DROP FUNCTION IF EXISTS {function}')
    op.drop_table('stage_tally')
    op.drop_table('street_deadline_day')
    op.drop_table('street_tally')
    op.execute('ALTER TABLE project DROP COLUMN started')  # in place on SQLite too (3.35 and later)
