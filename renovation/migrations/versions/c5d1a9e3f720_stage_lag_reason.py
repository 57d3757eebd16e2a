"""stage lag reason, note and catch-up date

A stage that is behind schedule says why (``lag_reason``, one of the keys of
``renovation.domain.stages.keys.LagReason``, and ``lag_note``) and when it should be back on track
(``catch_up_date``). Existing stages get empty values; the form asks for them at the next change.

Revision ID: c5d1a9e3f720
Revises: 4b8e2f6a1c07
Create Date: 2026-12-06 06:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5d1a9e3f720'
down_revision = '4b8e2f6a1c07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lag_reason', sa.String(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('lag_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('catch_up_date', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_column('catch_up_date')
        batch_op.drop_column('lag_note')
        batch_op.drop_column('lag_reason')
