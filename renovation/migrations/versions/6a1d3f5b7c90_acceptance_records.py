"""acceptance with the residents (竣工验收): acceptance records, their units, residents' representatives, items checked and attachments; rectification items (整改事项)

Revision ID: 6a1d3f5b7c90
Revises: 50a8109a7688
Create Date: 2026-12-07 01:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6a1d3f5b7c90'
down_revision = '50a8109a7688'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('acceptance_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_acceptance_record_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_acceptance_record_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acceptance_record'))
    )
    with op.batch_alter_table('acceptance_record', schema=None) as batch_op:
        batch_op.create_index('ix_acceptance_record_project_date', ['project_id', 'accepted_on'], unique=False)

    op.create_table('acceptance_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acceptance_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('is_pdf', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acceptance_id'], ['acceptance_record.id'], name=op.f('fk_acceptance_attachment_acceptance_id_acceptance_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user.id'], name=op.f('fk_acceptance_attachment_deleted_by_id_user')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_acceptance_attachment_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acceptance_attachment'))
    )
    with op.batch_alter_table('acceptance_attachment', schema=None) as batch_op:
        batch_op.create_index('ix_acceptance_attachment_acceptance', ['acceptance_id', 'uploaded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_acceptance_attachment_sha256'), ['sha256'], unique=False)

    op.create_table('acceptance_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acceptance_id', sa.Integer(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item_name', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['acceptance_id'], ['acceptance_record.id'], name=op.f('fk_acceptance_check_acceptance_id_acceptance_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['content_id'], ['project_content.id'], name=op.f('fk_acceptance_check_content_id_project_content'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acceptance_check')),
    sa.UniqueConstraint('acceptance_id', 'content_id', name=op.f('uq_acceptance_check_acceptance_id'))
    )
    with op.batch_alter_table('acceptance_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acceptance_check_content_id'), ['content_id'], unique=False)

    op.create_table('acceptance_representative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acceptance_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('represents', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['acceptance_id'], ['acceptance_record.id'], name=op.f('fk_acceptance_representative_acceptance_id_acceptance_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acceptance_representative'))
    )
    with op.batch_alter_table('acceptance_representative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acceptance_representative_acceptance_id'), ['acceptance_id'], unique=False)

    op.create_table('rectification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('acceptance_id', sa.Integer(), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('responsible_unit', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['acceptance_id'], ['acceptance_record.id'], name=op.f('fk_rectification_acceptance_id_acceptance_record'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['check_id'], ['acceptance_check.id'], name=op.f('fk_rectification_check_id_acceptance_check'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_rectification_closed_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_rectification_created_by_id_user')),
    sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_rectification_photo_id_photo'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_rectification_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification'))
    )
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_acceptance_id'), ['acceptance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_check_id'), ['check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_photo_id'), ['photo_id'], unique=False)
        batch_op.create_index('ix_rectification_project_status', ['project_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_project_status')
        batch_op.drop_index(batch_op.f('ix_rectification_photo_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_check_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_acceptance_id'))

    op.drop_table('rectification')
    with op.batch_alter_table('acceptance_representative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acceptance_representative_acceptance_id'))

    op.drop_table('acceptance_representative')
    with op.batch_alter_table('acceptance_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acceptance_check_content_id'))

    op.drop_table('acceptance_check')
    with op.batch_alter_table('acceptance_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acceptance_attachment_sha256'))
        batch_op.drop_index('ix_acceptance_attachment_acceptance')

    op.drop_table('acceptance_attachment')
    with op.batch_alter_table('acceptance_record', schema=None) as batch_op:
        batch_op.drop_index('ix_acceptance_record_project_date')

    op.drop_table('acceptance_record')
