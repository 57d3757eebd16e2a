"""bulletins drafted, checked, signed, then issued: their step, who took each and when; users who may sign

A bulletin now exists from its draft on; it has a number, a date of issue and a snapshot only once
issued (renovation/domain/bulletins/workflow.py). Bulletins issued before are ``issued``, drafted
by whoever issued them.

Revision ID: b3e7d1f5a820
Revises: a8c4e2f6b1d9
Create Date: 2026-12-06 21:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3e7d1f5a820'
down_revision = 'a8c4e2f6b1d9'
branch_labels = None
depends_on = None

PEOPLE = ('drafted_by', 'checked_by', 'signed_by')


def upgrade():
    with op.batch_alter_table('bulletin') as batch:
        batch.add_column(sa.Column('status', sa.String(length=12), nullable=False, server_default='issued'))
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        for person in PEOPLE:
            batch.add_column(sa.Column(f'{person}_id', sa.Integer(), nullable=True))
            batch.add_column(sa.Column(f'{person[:-3]}_at', sa.DateTime(), nullable=True))
            batch.create_foreign_key(f'fk_bulletin_{person}_id_user', 'user', [f'{person}_id'], ['id'])
        batch.add_column(sa.Column('sent_back_reason', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('copy_to', sa.Text(), nullable=False, server_default=''))
        for column, kind in (('year', sa.Integer()), ('number', sa.Integer()), ('label', sa.String(length=64)),
                             ('issued_at', sa.DateTime()), ('snapshot', sa.JSON()), ('render_status', sa.String(12))):
            batch.alter_column(column, existing_type=kind, nullable=True)
    op.execute("UPDATE bulletin SET drafted_by_id = issued_by_id, drafted_at = issued_at")
    with op.batch_alter_table('bulletin') as batch:
        for column in ('status', 'version', 'sent_back_reason', 'copy_to'):
            batch.alter_column(column, server_default=None)
    # Added in place (SQLite too: rebuilding user would cascade through every table naming a user).
    op.add_column('user', sa.Column('may_sign_bulletins', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    op.execute("DELETE FROM bulletin WHERE status <> 'issued'")
    op.execute('ALTER TABLE "user" DROP COLUMN may_sign_bulletins')  # in place, on SQLite (3.35+) too
    with op.batch_alter_table('bulletin') as batch:
        for column, kind in (('year', sa.Integer()), ('number', sa.Integer()), ('label', sa.String(length=64)),
                             ('issued_at', sa.DateTime()), ('snapshot', sa.JSON()), ('render_status', sa.String(12))):
            batch.alter_column(column, existing_type=kind, nullable=False)
        batch.drop_column('copy_to')
        batch.drop_column('sent_back_reason')
        for person in reversed(PEOPLE):
            batch.drop_constraint(f'fk_bulletin_{person}_id_user', type_='foreignkey')
            batch.drop_column(f'{person[:-3]}_at')
            batch.drop_column(f'{person}_id')
        batch.drop_column('version')
        batch.drop_column('status')
