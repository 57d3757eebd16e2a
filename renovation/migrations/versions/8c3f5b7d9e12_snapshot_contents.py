"""monthly snapshots keep each project's renovation content (planned and completed quantities per item) and each street's sums of them

Revision ID: 8c3f5b7d9e12
Revises: 7b2e4a6c8d01
Create Date: 2026-12-07 01:40:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '8c3f5b7d9e12'
down_revision = '7b2e4a6c8d01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
