"""difficult problems (困难问题): a project's problems, their steps, and the photos that show them

Revision ID: 731b2e7e4e5d
Revises: b3e7d1f5a820
Create Date: 2026-12-06 22:49:16.507869

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '731b2e7e4e5d'
down_revision = 'b3e7d1f5a820'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'problem',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('stage_key', sa.String(length=16), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=24), nullable=False),
        sa.Column('departments', sa.JSON(), nullable=False),
        sa.Column('proposal', sa.Text(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('leader_id', sa.Integer(), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('solved_on', sa.Date(), nullable=True),
        sa.Column('raised_by_id', sa.Integer(), nullable=True),
        sa.Column('raised_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['leader_id'], ['user.id'], name=op.f('fk_problem_leader_id_user')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_problem_project_id_project'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['raised_by_id'], ['user.id'], name=op.f('fk_problem_raised_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_problem')),
    )
    with op.batch_alter_table('problem') as batch_op:
        batch_op.create_index('ix_problem_leader_status', ['leader_id', 'status'], unique=False)
        batch_op.create_index('ix_problem_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index('ix_problem_status_deadline', ['status', 'deadline'], unique=False)

    op.create_table(
        'problem_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('problem_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('step', sa.String(length=16), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_event_problem_id_problem'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_problem_event_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_event')),
    )
    with op.batch_alter_table('problem_event') as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_event_problem_id'), ['problem_id'], unique=False)

    op.create_table(
        'problem_photo',
        sa.Column('problem_id', sa.Integer(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_problem_photo_photo_id_photo'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_photo_problem_id_problem'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('problem_id', 'photo_id', name=op.f('pk_problem_photo')),
    )
    with op.batch_alter_table('problem_photo') as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_photo_photo_id'), ['photo_id'], unique=False)


def downgrade():
    op.drop_table('problem_photo')
    op.drop_table('problem_event')
    op.drop_table('problem')
