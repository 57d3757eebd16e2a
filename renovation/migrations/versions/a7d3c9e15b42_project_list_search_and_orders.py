"""project list: search text, place names and an index for each order

For the list at a province's 200,000 projects (issue 13), each project keeps copies of what the
list searches and sorts by (kept by ``renovation.domain.project_search``):

- ``search_text``: code, compound, street, community, responsible engineer, contractor and
  supervisor, lower-cased, joined by line breaks;
- ``compound_name``, ``community_name``, ``street_name``: its place's names.

Every order of the list gets an index ending on the code (its tie-breaker, which the next page's
``(key, code) > (…)`` needs): the single-column indexes on progress, current stage and last update
become ``(column, code)``; households and the three names get theirs. On PostgreSQL, two orders
are expressions (the stage in the order of the work, the schedule with "nothing pending" last),
and the search has a GIN index on the characters and character pairs of ``search_text``; the
IMMUTABLE functions they use (and the one that gives a searched word's pairs) are created here. SQLite, a city's 141 projects, needs none of those
three.

Existing rows are filled from their place before the indexes are built. SQLite adds the columns
in place (no table rebuild, which would cascade to the stages).

Revision ID: a7d3c9e15b42
Revises: a3c9e1f5b742
Create Date: 2026-12-10 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d3c9e15b42'
down_revision = 'a3c9e1f5b742'
branch_labels = None
depends_on = None

# The functions as they were written for this revision (renovation.models.list_order holds the
# current ones).
STAGE_POSITION_FUNCTION = """
CREATE OR REPLACE FUNCTION project_stage_position(stage varchar) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE stage WHEN 'survey' THEN 0 WHEN 'rain_sewage' THEN 1 \
WHEN 'facade' THEN 2 WHEN 'paving' THEN 3 WHEN 'acceptance' THEN 4 WHEN 'done' THEN 5 ELSE 6 END $$
"""
GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION project_search_grams(content text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    chars text[] := string_to_array(content, NULL);
    grams text[] := array_remove(chars, E'\n');
BEGIN
    FOR position IN 1 .. coalesce(array_length(chars, 1), 0) - 1 LOOP
        IF chars[position] <> E'\n' AND chars[position + 1] <> E'\n' THEN
            grams := grams || (chars[position] || chars[position + 1]);
        END IF;
    END LOOP;
    RETURN grams;
END
$$
"""
WORD_GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION project_search_word_grams(word text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN length(word) < 2 THEN ARRAY[word]
                ELSE ARRAY(SELECT substr(word, position, 2) FROM generate_series(1, length(word) - 1) AS position)
           END
$$
"""
FILL = """
UPDATE project SET
    compound_name = compound.name, community_name = community.name, street_name = street.name,
    search_text = lower(project.code || :sep || compound.name || :sep || street.name || :sep || community.name
                        || :sep || project.responsible_engineer || :sep || project.contractor
                        || :sep || project.supervisor)
FROM compound JOIN community ON community.id = compound.community_id JOIN street ON street.id = community.street_id
WHERE compound.id = project.compound_id
"""
COPIES = ('search_text', 'compound_name', 'community_name', 'street_name')
OLD_INDEXES = {'ix_project_progress': ['progress'], 'ix_project_current_stage': ['current_stage'],
               'ix_project_updated_at': ['updated_at']}
NEW_INDEXES = {
    'ix_project_progress_code': ['progress', 'code'],
    'ix_project_current_stage_code': ['current_stage', 'code'],
    'ix_project_updated_at_code': ['updated_at', 'code'],
    'ix_project_households_code': ['households', 'code'],
    'ix_project_compound_name_code': ['compound_name', 'code'],
    'ix_project_community_name_code': ['community_name', 'code'],
    'ix_project_street_name_code': ['street_name', 'code'],
}
POSTGRESQL_INDEXES = [
    "CREATE INDEX ix_project_stage_order ON project (project_stage_position(current_stage), code)",
    "CREATE INDEX ix_project_schedule_order ON project (coalesce(next_deadline, '9999-12-31'::date), code)",
    "CREATE INDEX ix_project_search_grams ON project USING gin (project_search_grams(search_text))",
]


def upgrade():
    on_postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('compound_name', sa.String(length=128), server_default='', nullable=False))
        batch_op.add_column(sa.Column('community_name', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('street_name', sa.String(length=64), server_default='', nullable=False))
    op.execute(sa.text(FILL).bindparams(sep='\n'))
    with op.batch_alter_table('project', schema=None) as batch_op:
        for name in OLD_INDEXES:
            batch_op.drop_index(name)
        for name, columns in NEW_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    if on_postgresql:
        op.execute(STAGE_POSITION_FUNCTION)
        op.execute(GRAMS_FUNCTION)
        op.execute(WORD_GRAMS_FUNCTION)
        for statement in POSTGRESQL_INDEXES:
            op.execute(statement)
        op.execute('ANALYZE project')  # the planner's statistics for the new expressions


def downgrade():
    on_postgresql = op.get_bind().dialect.name == 'postgresql'
    if on_postgresql:
        for name in ('ix_project_search_grams', 'ix_project_schedule_order', 'ix_project_stage_order'):
            op.execute(f'DROP INDEX {name}')
        op.execute('DROP FUNCTION project_search_grams(text)')
        op.execute('DROP FUNCTION project_search_word_grams(text)')
        op.execute('DROP FUNCTION project_stage_position(varchar)')
    with op.batch_alter_table('project', schema=None) as batch_op:
        for name in NEW_INDEXES:
            batch_op.drop_index(name)
        for name, columns in OLD_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    if on_postgresql:
        for column in COPIES:
            op.drop_column('project', column)
        return
    # SQLite drops a column in place (3.35+): no rebuild of the table, so nothing cascades.
    for column in COPIES:
        op.execute(f'ALTER TABLE project DROP COLUMN {column}')
