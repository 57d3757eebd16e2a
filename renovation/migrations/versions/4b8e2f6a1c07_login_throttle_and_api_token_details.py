"""login throttle and API token details

The per-user lock (``user.failed_logins``, ``user.locked_until``) gives way to the
``login_throttle`` table, keyed by (username, address) and by address. API tokens get a
name, a scope, an expiry and the time they were revoked (``revoked`` becomes ``revoked_at``;
tokens that exist keep reading and writing, as before).

Revision ID: 4b8e2f6a1c07
Revises: 9e5a7c3d1f42
Create Date: 2026-12-06 05:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4b8e2f6a1c07'
down_revision = '9e5a7c3d1f42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_username'), ['username'], unique=False)

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('scope', sa.String(length=8), server_default='write', nullable=False))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
    api_token = sa.table('api_token', sa.column('revoked', sa.Boolean()), sa.column('revoked_at', sa.DateTime()),
                         sa.column('created_at', sa.DateTime()))
    # The moment of an old revocation is unknown; its creation time is the honest lower bound.
    op.execute(api_token.update().where(api_token.c.revoked.is_(True)).values(revoked_at=api_token.c.created_at))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('revoked')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked', sa.Boolean(), server_default=sa.false(), nullable=False))
    api_token = sa.table('api_token', sa.column('revoked', sa.Boolean()), sa.column('revoked_at', sa.DateTime()))
    op.execute(api_token.update().where(api_token.c.revoked_at.is_not(None)).values(revoked=True))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scope')
        batch_op.drop_column('name')

    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_username'))
    op.drop_table('login_throttle')
