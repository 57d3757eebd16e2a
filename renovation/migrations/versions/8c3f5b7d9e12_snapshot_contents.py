"""monthly snapshots keep each project's renovation content (planned and completed quantities per item) and each street's sums of them

``project_month.contents``: each project's content items as the snapshot found them (item key →
planned and completed quantities). ``street_content_month``: each street's sums per item, taken
with the snapshot from those rows, so that outputs are compared month on month from a few rows
per street instead of every project's. ``monthly_snapshot.contents_taken``: whether the snapshot
kept them; the snapshots taken before this migration did not (their contents are unknown, and
nothing is compared with them).

Revision ID: 8c3f5b7d9e12
Revises: 7b2e4a6c8d01
Create Date: 2026-12-07 01:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8c3f5b7d9e12'
down_revision = '7b2e4a6c8d01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('monthly_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contents_taken', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('project_month', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contents', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    op.create_table('street_content_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=32), nullable=False),
    sa.Column('planned', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('completed', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['monthly_snapshot.id'],
                            name=op.f('fk_street_content_month_snapshot_id_monthly_snapshot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['street_id'], ['street.id'], name=op.f('fk_street_content_month_street_id_street'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_street_content_month')),
    sa.UniqueConstraint('snapshot_id', 'street_id', 'item_key', name='uq_street_content_month_snapshot_street_item')
    )
    op.create_index(op.f('ix_street_content_month_street_id'), 'street_content_month', ['street_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_street_content_month_street_id'), table_name='street_content_month')
    op.drop_table('street_content_month')
    with op.batch_alter_table('project_month', schema=None) as batch_op:
        batch_op.drop_column('contents')
    with op.batch_alter_table('monthly_snapshot', schema=None) as batch_op:
        batch_op.drop_column('contents_taken')
