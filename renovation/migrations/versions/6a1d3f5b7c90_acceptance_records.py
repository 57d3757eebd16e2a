"""acceptance with the residents (竣工验收): acceptance records, their units, residents' representatives, items checked and attachments; rectification items (整改事项)

Revision ID: 6a1d3f5b7c90
Revises: 50a8109a7688
Create Date: 2026-12-07 01:40:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '6a1d3f5b7c90'
down_revision = '50a8109a7688'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
