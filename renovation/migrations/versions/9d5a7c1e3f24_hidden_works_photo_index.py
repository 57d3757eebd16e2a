"""a partial index of the live hidden-works photos (隐蔽工程) by project: the projects without them are
found from it, not from every photo of a province

Revision ID: 9d5a7c1e3f24
Revises: 8c3f5b7d9e12
Create Date: 2026-12-07 02:55:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9d5a7c1e3f24'
down_revision = '8c3f5b7d9e12'
branch_labels = None
depends_on = None

HIDDEN_WORKS_WHERE = "hidden_works AND deleted_at IS NULL"  # a copy: the model's may change


def upgrade():
    op.create_index('ix_photo_hidden_works_project', 'photo', ['project_id'], unique=False,
                    postgresql_where=sa.text(HIDDEN_WORKS_WHERE), sqlite_where=sa.text(HIDDEN_WORKS_WHERE))


def downgrade():
    op.drop_index('ix_photo_hidden_works_project', table_name='photo')
