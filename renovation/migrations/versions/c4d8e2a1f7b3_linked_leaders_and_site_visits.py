"""linked leaders (挂钩联系点): a user linked to a community or a project for a span of dates;
site visits (蹲点调研): who came, what was seen and decided, the problems raised on the spot

Revision ID: c4d8e2a1f7b3
Revises: 731b2e7e4e5d
Create Date: 2026-12-06 23:15:09.361082

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d8e2a1f7b3'
down_revision = '731b2e7e4e5d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('leader_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('(community_id IS NULL) <> (project_id IS NULL)', name=op.f('ck_leader_link_one_place')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_leader_link_community_id_community')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_leader_link_created_by_id_user')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['user.id'], name=op.f('fk_leader_link_ended_by_id_user')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_leader_link_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_leader_link_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_link'))
    )
    with op.batch_alter_table('leader_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_link_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leader_link_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_leader_link_user_started', ['user_id', 'started_on'], unique=False)

    op.create_table('site_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('others', sa.String(length=500), nullable=False),
    sa.Column('seen', sa.Text(), nullable=False),
    sa.Column('decided', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_site_visit_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_site_visit_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_visit'))
    )
    with op.batch_alter_table('site_visit', schema=None) as batch_op:
        batch_op.create_index('ix_site_visit_project_visited', ['project_id', 'visited_on'], unique=False)

    op.create_table('site_visit_leader',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_site_visit_leader_user_id_user')),
    sa.ForeignKeyConstraint(['visit_id'], ['site_visit.id'], name=op.f('fk_site_visit_leader_visit_id_site_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'user_id', name=op.f('pk_site_visit_leader'))
    )
    with op.batch_alter_table('site_visit_leader', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_visit_leader_user_id'), ['user_id'], unique=False)

    op.create_table('site_visit_problem',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_site_visit_problem_problem_id_problem'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['site_visit.id'], name=op.f('fk_site_visit_problem_visit_id_site_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'problem_id', name=op.f('pk_site_visit_problem'))
    )
    with op.batch_alter_table('site_visit_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_visit_problem_problem_id'), ['problem_id'], unique=False)



def downgrade():
    with op.batch_alter_table('site_visit_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_visit_problem_problem_id'))

    op.drop_table('site_visit_problem')
    with op.batch_alter_table('site_visit_leader', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_visit_leader_user_id'))

    op.drop_table('site_visit_leader')
    with op.batch_alter_table('site_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_site_visit_project_visited')

    op.drop_table('site_visit')
    with op.batch_alter_table('leader_link', schema=None) as batch_op:
        batch_op.drop_index('ix_leader_link_user_started')
        batch_op.drop_index(batch_op.f('ix_leader_link_project_id'))
        batch_op.drop_index(batch_op.f('ix_leader_link_community_id'))

    op.drop_table('leader_link')
