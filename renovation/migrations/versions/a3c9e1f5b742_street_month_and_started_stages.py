"""street sums of each monthly snapshot; an index of the stages that mean work has begun

``street_month``: each street's sums in a monthly snapshot (projects, started, completed,
investment completed, progress), taken with the snapshot, so that the dashboard's trend and its
change since last month read a few hundred rows per month instead of adding up 200,000 project
rows joined to their streets. The snapshots taken before are summed here once.

``ix_stage_started_project``: a partial index of the stages after the survey that are under way,
completed or suspended, from which "has work begun" is read for every project (the dashboard's
street figures, the snapshot, the list's filter) without reading every stage.

Revision ID: a3c9e1f5b742
Revises: e4b6d2a8c531
Create Date: 2026-12-07 15:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3c9e1f5b742'
down_revision = 'e4b6d2a8c531'
branch_labels = None
depends_on = None

# Written out rather than imported, so that this migration keeps meaning what it meant.
STARTED_WHERE = "key <> 'survey' AND status IN ('completed', 'in_progress', 'suspended')"
BACKFILL = """
INSERT INTO street_month (snapshot_id, street_id, projects, started, completed, investment_completed, progress_sum)
SELECT project_month.snapshot_id, community.street_id, count(*),
       sum(CASE WHEN project_month.started THEN 1 ELSE 0 END),
       sum(CASE WHEN project_month.completed THEN 1 ELSE 0 END),
       coalesce(sum(project_month.investment_completed), 0), coalesce(sum(project_month.progress), 0)
FROM project_month
JOIN project ON project.id = project_month.project_id
JOIN compound ON compound.id = project.compound_id
JOIN community ON community.id = compound.community_id
GROUP BY project_month.snapshot_id, community.street_id
"""


def upgrade():
    op.create_table('street_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('investment_completed', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('progress_sum', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['monthly_snapshot.id'], name=op.f('fk_street_month_snapshot_id_monthly_snapshot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['street_id'], ['street.id'], name=op.f('fk_street_month_street_id_street'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_street_month')),
    sa.UniqueConstraint('snapshot_id', 'street_id', name='uq_street_month_snapshot_street')
    )
    op.create_index(op.f('ix_street_month_street_id'), 'street_month', ['street_id'], unique=False)
    op.execute(BACKFILL)
    op.create_index('ix_stage_started_project', 'stage', ['project_id'], unique=False,
                    postgresql_where=sa.text(STARTED_WHERE), sqlite_where=sa.text(STARTED_WHERE))


def downgrade():
    op.drop_index('ix_stage_started_project', table_name='stage')
    op.drop_index(op.f('ix_street_month_street_id'), table_name='street_month')
    op.drop_table('street_month')
