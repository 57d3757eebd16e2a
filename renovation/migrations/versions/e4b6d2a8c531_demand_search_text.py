"""demand search text

``demand.search_text``: the demand's text, household and response, lower-cased, kept by the
database itself (a stored generated column). The demands list searches this one column with
LIKE instead of lower-casing three columns of every row (ILIKE) and joining the project and
compound of every row: at 20,000 demands that was most of a searched page's time.

SQLite cannot add a stored generated column to a table in place, so the table is rebuilt, with
foreign keys off for the copy: dropping the old table with them on would delete every demand's
history (``demand_event`` cascades). PostgreSQL adds the column in place.

Revision ID: e4b6d2a8c531
Revises: c5d1a9e3f720
Create Date: 2026-12-07 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4b6d2a8c531'
down_revision = 'c5d1a9e3f720'
branch_labels = None
depends_on = None

# The same expression as renovation.models.consultations.DEMAND_SEARCH_TEXT, written out here
# so that this migration keeps meaning what it meant when the model changes.
SEARCH_TEXT = """lower("text" || ' ' || raised_by || ' ' || response)"""


def _search_text_column():
    return sa.Column('search_text', sa.Text(), sa.Computed(SEARCH_TEXT, persisted=True), nullable=False)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.add_column('demand', _search_text_column())
        return
    _foreign_keys_off(bind)
    with op.batch_alter_table('demand', schema=None, recreate='always') as batch_op:
        batch_op.add_column(_search_text_column())
    _check_foreign_keys(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_column('demand', 'search_text')
        return
    # SQLite drops a column in place (3.35+): no rebuild, so nothing cascades.
    op.execute('ALTER TABLE demand DROP COLUMN search_text')


def _foreign_keys_off(bind):
    """SQLite ignores this pragma inside a transaction: make sure it took effect before the
    rebuild drops the old table. renovation/migrations/env.py turns them on again."""
    bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
    if bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError('SQLite foreign keys are still on: rebuilding demand would delete its history')


def _check_foreign_keys(bind):
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise RuntimeError(f'foreign keys broken by the rebuild of demand: {broken[:5]}')
