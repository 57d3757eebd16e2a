"""renovation content (改造内容): the catalogue of items in three categories (seeded with the usual ones),
each project's items with planned and completed quantities and investment, their history; photos marked as
hidden-works (隐蔽工程) evidence of a content item; stage rules overridden with a written reason, and the
right to override them

Revision ID: 50a8109a7688
Revises: e9b4c7a2d516
Create Date: 2026-12-06 23:24:43.222799

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '50a8109a7688'
down_revision = 'e9b4c7a2d516'
branch_labels = None
depends_on = None

# The catalogue as first seeded (key, category, name, unit, stage): a copy, so that this migration
# keeps doing what it did whatever renovation/domain/contents/catalogue.py becomes.
CATALOGUE = [
    ("water_pipes", "basic", "供水管网", "m", "rain_sewage"),
    ("drainage_pipes", "basic", "排水管网", "m", "rain_sewage"),
    ("rain_sewage_pipes", "basic", "雨污分流管网", "m", "rain_sewage"),
    ("power", "basic", "供电线路", "m", None),
    ("gas", "basic", "燃气管道", "m", None),
    ("telecom", "basic", "通信管线", "m", None),
    ("roads", "basic", "道路硬化", "m²", "paving"),
    ("roof_waterproofing", "basic", "屋面防水", "m²", "facade"),
    ("facade", "basic", "外墙保温及立面", "m²", "facade"),
    ("fire_safety", "basic", "消防设施", "处", None),
    ("security_cameras", "basic", "安防监控", "个", None),
    ("sanitation", "basic", "环卫设施", "处", None),
    ("parking", "improvement", "停车位", "个", "paving"),
    ("charging_points", "improvement", "充电桩", "个", None),
    ("elevators", "improvement", "加装电梯", "台", None),
    ("accessibility", "improvement", "无障碍与适老化设施", "处", None),
    ("greening", "improvement", "绿化", "m²", None),
    ("lighting", "improvement", "照明设施", "个", None),
    ("sports_facilities", "improvement", "文体设施", "处", None),
    ("property_rooms", "improvement", "物业用房", "处", None),
    ("elderly_care", "upgrade", "养老服务设施", "处", None),
    ("childcare", "upgrade", "托育设施", "处", None),
    ("canteens", "upgrade", "社区食堂", "处", None),
    ("markets", "upgrade", "便民市场", "处", None),
    ("service_points", "upgrade", "党群及邻里服务点", "处", None),
]


def upgrade():
    items = op.create_table(
        'content_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=8), nullable=False),
        sa.Column('stage_key', sa.String(length=16), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('retired', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_item')),
        sa.UniqueConstraint('key', name=op.f('uq_content_item_key')),
    )
    op.bulk_insert(items, [
        {"key": key, "category": category, "name": name, "unit": unit, "stage_key": stage, "position": position,
         "retired": False, "version": 1}
        for position, (key, category, name, unit, stage) in enumerate(CATALOGUE, start=1)])
    op.create_table(
        'project_content',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('planned_quantity', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('completed_quantity', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('investment', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('stage_key', sa.String(length=16), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_project_content_item_id_content_item')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_content_project_id_project'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_project_content_updated_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_content')),
        sa.UniqueConstraint('project_id', 'item_id', name=op.f('uq_project_content_project_id')),
    )
    op.create_index(op.f('ix_project_content_item_id'), 'project_content', ['item_id'], unique=False)
    op.create_index(op.f('ix_project_content_project_id'), 'project_content', ['project_id'], unique=False)

    op.create_table(
        'rule_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('stage_key', sa.String(length=16), nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_rule_override_project_id_project'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_rule_override_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_override')),
    )
    op.create_index('ix_rule_override_at', 'rule_override', ['at'], unique=False)
    op.create_index(op.f('ix_rule_override_project_id'), 'rule_override', ['project_id'], unique=False)

    op.create_table(
        'content_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('content_id', sa.Integer(), nullable=True),
        sa.Column('item_key', sa.String(length=32), nullable=False),
        sa.Column('action', sa.String(length=8), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['content_id'], ['project_content.id'],
                                name=op.f('fk_content_event_content_id_project_content'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_content_event_project_id_project'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_content_event_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_event')),
    )
    op.create_index(op.f('ix_content_event_content_id'), 'content_event', ['content_id'], unique=False)
    op.create_index('ix_content_event_project_at', 'content_event', ['project_id', 'at'], unique=False)

    # Added in place (SQLite too: rebuilding photo or user would cascade through the tables naming them).
    op.add_column('photo', sa.Column('hidden_works', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('photo', sa.Column('content_id', sa.Integer(), nullable=True))  # no foreign key: see the model
    op.create_index(op.f('ix_photo_content_id'), 'photo', ['content_id'], unique=False)
    op.add_column('user', sa.Column('may_override_rules', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    # Dropped in place, on SQLite (3.35+) too: no rebuild, so nothing cascades.
    op.execute('ALTER TABLE "user" DROP COLUMN may_override_rules')
    op.drop_index(op.f('ix_photo_content_id'), table_name='photo')
    op.execute('ALTER TABLE photo DROP COLUMN content_id')
    op.execute('ALTER TABLE photo DROP COLUMN hidden_works')

    op.drop_index('ix_content_event_project_at', table_name='content_event')
    op.drop_index(op.f('ix_content_event_content_id'), table_name='content_event')
    op.drop_table('content_event')
    op.drop_index(op.f('ix_rule_override_project_id'), table_name='rule_override')
    op.drop_index('ix_rule_override_at', table_name='rule_override')
    op.drop_table('rule_override')
    op.drop_index(op.f('ix_project_content_project_id'), table_name='project_content')
    op.drop_index(op.f('ix_project_content_item_id'), table_name='project_content')
    op.drop_table('project_content')
    op.drop_table('content_item')
