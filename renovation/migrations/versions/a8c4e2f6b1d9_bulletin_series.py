"""bulletins numbered per series: the city's, each street's, each project's briefs; the label as printed and the 发文字号

Until now street bulletins shared one series across streets and briefs another, so three documents
could each read 2026年第1期. A bulletin now belongs to a series (``city``, ``street:<id>``,
``project:<id>``), numbered on its own per year (renovation/domain/bulletins/series.py), and keeps
the label it was printed with. Bulletins issued before keep their numbers and labels (2026年第N期,
as printed); a street's next number follows the highest of its own.

Revision ID: a8c4e2f6b1d9
Revises: f2b8d4c6a913
Create Date: 2026-12-06 21:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a8c4e2f6b1d9'
down_revision = 'f2b8d4c6a913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bulletin') as batch:
        batch.add_column(sa.Column('series', sa.String(length=32), nullable=False, server_default='city'))
        batch.add_column(sa.Column('label', sa.String(length=64), nullable=False, server_default=''))
        batch.add_column(sa.Column('document_number', sa.String(length=64), nullable=False, server_default=''))
    op.execute("UPDATE bulletin SET series = 'street:' || street_id WHERE kind = 'street'")
    op.execute("UPDATE bulletin SET series = 'project:' || project_id WHERE kind = 'project'")
    op.execute("UPDATE bulletin SET label = year || '年第' || number || '期'")
    with op.batch_alter_table('bulletin') as batch:
        for column in ('series', 'label', 'document_number'):
            batch.alter_column(column, server_default=None)
        batch.drop_constraint('uq_bulletin_kind_year_number', type_='unique')
        batch.create_unique_constraint('uq_bulletin_series_year_number', ['series', 'year', 'number'])


def downgrade():
    # Back to one series per kind: fails if two streets' (or projects') series have the same
    # number in a year, as the old constraint cannot hold them.
    with op.batch_alter_table('bulletin') as batch:
        batch.drop_constraint('uq_bulletin_series_year_number', type_='unique')
        batch.create_unique_constraint('uq_bulletin_kind_year_number', ['kind', 'year', 'number'])
        batch.drop_column('document_number')
        batch.drop_column('label')
        batch.drop_column('series')
