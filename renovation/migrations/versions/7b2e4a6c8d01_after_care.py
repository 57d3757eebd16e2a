"""after the works (长效管理): who looks after each compound afterwards (小区党支部 and 楼栋党小组, 业委会, property management)

Revision ID: 7b2e4a6c8d01
Revises: 6a1d3f5b7c90
Create Date: 2026-12-07 01:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b2e4a6c8d01'
down_revision = '6a1d3f5b7c90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'aftercare',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('party_branch', sa.Boolean(), nullable=False),
        sa.Column('party_branch_name', sa.String(length=64), nullable=False),
        sa.Column('building_party_groups', sa.Integer(), nullable=False),
        sa.Column('owners_committee', sa.Boolean(), nullable=False),
        sa.Column('red_owners_committee', sa.Boolean(), nullable=False),
        sa.Column('property_management', sa.String(length=16), nullable=False),
        sa.Column('property_company', sa.String(length=128), nullable=False),
        sa.Column('red_property', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_aftercare_project_id_project'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_aftercare_updated_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_aftercare')),
        sa.UniqueConstraint('project_id', name=op.f('uq_aftercare_project_id')),
    )


def downgrade():
    op.drop_table('aftercare')
