"""Renovation content in the domain: the catalogue (added, renamed, retired, never deleted in use), a
project's items with exact decimal quantities, done never above the plan without a reason, versions,
history and audit."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import (
    ContentConflict,
    ContentRuleViolation,
    add_content,
    change_content,
    contents_of,
    histories,
    remove_content,
)
from renovation.domain.contents.quantities import decimal_text, read_decimal
from renovation.domain.errors import RuleViolation
from renovation.extensions import db
from renovation.models import AuditEntry, ContentEvent, ContentItem, ProjectContent
from tests.conftest import make_project, make_user


@pytest.fixture
def engineer(app):
    catalogue.ensure_default_items()
    return make_user("engineer", "engineer")


def pipes(project, user, planned="1200.5", completed="0", investment="54.02", **values):
    return add_content(project, user, {"item": "rain_sewage_pipes", "planned_quantity": Decimal(planned),
                                       "completed_quantity": Decimal(completed), "investment": Decimal(investment),
                                       **values})


def test_the_catalogue_has_the_usual_items_in_three_categories(engineer):
    items = {item.key: item for item in catalogue.catalogue()}
    assert {"drainage_pipes", "water_pipes", "rain_sewage_pipes", "roads", "elevators", "parking",
            "service_points"} <= set(items)
    assert {item.category for item in items.values()} == {"basic", "improvement", "upgrade"}
    assert items["rain_sewage_pipes"].unit == "m" and items["rain_sewage_pipes"].stage_key == "rain_sewage"
    assert items["roads"].stage_key == "paving" and items["elevators"].unit == "台"
    assert catalogue.ensure_default_items() == 0  # nothing added twice


def test_the_migration_seeds_the_same_catalogue_as_the_domain():
    import importlib.util
    from pathlib import Path

    import renovation

    path = next(Path(renovation.__file__).parent.glob("migrations/versions/50a8109a7688_*.py"))
    spec = importlib.util.spec_from_file_location("content_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert tuple(module.CATALOGUE) == catalogue.DEFAULT_ITEMS


def test_decimals_are_read_and_written_exactly():
    assert read_decimal("1200.5") == Decimal("1200.5") and read_decimal(800) == Decimal(800)
    for bad in ("1,200", "1e3", "-1", "1.234", "abc", "", None, 1.5, True):
        assert read_decimal(bad) is None, bad
    assert [decimal_text(Decimal(text)) for text in ("1200.50", "1200.00", "0.00", "12.6")] == \
        ["1200.5", "1200", "0", "12.6"]


def test_a_project_states_its_items_with_exact_quantities(engineer):
    project = make_project()
    content = pipes(project, engineer)
    add_content(project, engineer, {"item": "elevators", "planned_quantity": Decimal(2),
                                    "completed_quantity": Decimal(0), "investment": Decimal("90")})
    db.session.expire_all()
    stored = db.session.get(ProjectContent, content.id)
    assert stored.planned_quantity == Decimal("1200.5") and decimal_text(stored.planned_quantity) == "1200.5"
    assert stored.stage_key == "rain_sewage"  # the item's own
    assert [found.item.key for found in contents_of(project.id)] == ["rain_sewage_pipes", "elevators"]
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "content.add"))


def test_an_item_is_added_once_and_only_from_the_live_catalogue(engineer):
    project = make_project()
    pipes(project, engineer)
    with pytest.raises(ContentRuleViolation) as twice:
        pipes(project, engineer)
    assert "item" in twice.value.errors
    with pytest.raises(ContentRuleViolation) as unknown:
        pipes(project, engineer, item="golden_taps")
    assert "item" in unknown.value.errors


def test_done_above_the_plan_needs_a_reason(engineer):
    project = make_project()
    content = pipes(project, engineer)
    change_content(content, engineer, {"completed_quantity": Decimal("800")}, content.version)
    with pytest.raises(ContentRuleViolation) as refused:
        change_content(content, engineer, {"completed_quantity": Decimal("1300")}, content.version)
    assert "reason" in refused.value.errors
    db.session.rollback()
    assert db.session.get(ProjectContent, content.id).completed_quantity == Decimal("800")
    change_content(content, engineer, {"completed_quantity": Decimal("1300"), "reason": "设计变更，增设支管"},
                   content.version)
    assert content.completed_quantity == Decimal("1300")


def test_negative_or_unreadable_figures_are_refused_by_field(engineer):
    project = make_project()
    with pytest.raises(ContentRuleViolation) as refused:
        add_content(project, engineer, {"item": "roads", "planned_quantity": None,
                                        "completed_quantity": Decimal(-1), "investment": Decimal("1e12")})
    assert set(refused.value.errors) == {"planned_quantity", "completed_quantity", "investment"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectContent)) == 0


def test_a_stale_version_is_a_conflict_with_the_content_as_it_is(engineer):
    project = make_project()
    content = pipes(project, engineer)
    seen = content.version
    change_content(content, engineer, {"completed_quantity": Decimal("100")}, seen)
    with pytest.raises(ContentConflict) as conflict:
        change_content(content, engineer, {"completed_quantity": Decimal("200")}, seen)
    assert conflict.value.current.completed_quantity == Decimal("100")


def test_every_change_is_in_the_history_newest_first(engineer):
    project = make_project()
    content = pipes(project, engineer)
    change_content(content, engineer, {"completed_quantity": Decimal("800")}, content.version)
    events = histories([content.id])[content.id]
    assert [event.action for event in events] == ["change", "add"]
    assert events[0].changes == [{"field": "completed_quantity", "old": "0", "new": "800"}]
    remove_content(content, engineer, content.version)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentEvent)) == 3  # kept after removal


def test_an_item_in_use_is_retired_not_deleted(engineer):
    project = make_project()
    pipes(project, engineer)
    admin = make_user("admin", "admin")
    item = catalogue.item_by_key("rain_sewage_pipes")
    with pytest.raises(RuleViolation):
        catalogue.delete_item(item, admin)
    catalogue.set_retired(item, True, admin, item.version)
    assert "rain_sewage_pipes" not in {found.key for found in catalogue.catalogue(include_retired=False)}
    assert [found.item.key for found in contents_of(project.id)] == ["rain_sewage_pipes"]  # kept
    unused = catalogue.add_item({"key": "bike_sheds", "name": "非机动车棚", "category": "improvement", "unit": "处",
                                 "stage": None}, admin)
    catalogue.delete_item(unused, admin)
    assert catalogue.item_by_key("bike_sheds") is None


def test_admins_rename_and_change_an_items_unit_and_stage(engineer):
    admin = make_user("admin", "admin")
    item = catalogue.item_by_key("greening")
    catalogue.change_item(item, {"name": "绿化提升", "category": "improvement", "unit": "处", "stage": "paving"},
                          admin, item.version)
    db.session.expire_all()
    item = db.session.get(ContentItem, item.id)
    assert (item.key, item.name, item.unit, item.stage_key) == ("greening", "绿化提升", "处", "paving")
    with pytest.raises(RuleViolation) as refused:
        catalogue.add_item({"key": "Bad Key", "name": "", "category": "luxury", "unit": "km"}, admin)
    assert set(refused.value.errors) == {"key", "name", "category", "unit"}
