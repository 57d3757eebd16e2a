"""after the works (长效管理): who looks after each compound afterwards (小区党支部 and 楼栋党小组, 业委会, property management)

Revision ID: 7b2e4a6c8d01
Revises: 6a1d3f5b7c90
Create Date: 2026-12-07 01:40:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '7b2e4a6c8d01'
down_revision = '6a1d3f5b7c90'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
