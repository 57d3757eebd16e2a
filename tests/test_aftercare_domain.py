"""After the works (长效管理) without HTTP: a project's after-care saved with its rules, versions and audit
entry; the coverage the city reports per street over the completed compounds, and the completed
compounds nobody looks after."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.aftercare.coverage import aftercare_coverage, rate, uncared_compounds
from renovation.domain.aftercare.records import (
    AftercareConflict,
    AftercareRuleViolation,
    aftercare_of,
    save_aftercare,
)
from renovation.extensions import db
from renovation.models import AuditEntry
from renovation.models.aftercare import Aftercare
from tests.aftercare_samples import CARED, NOBODY, completed_project, record
from tests.conftest import count_statements, make_project


def _aftercare_entries() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "aftercare.change"))


def test_a_project_without_a_record_has_nobody_and_version_0(app, project):
    blank = aftercare_of(project.id)
    assert (blank.recorded, blank.version, blank.party_branch, blank.property_management) == (False, 0, False, "none")


def test_the_first_save_records_every_field_with_its_audit_entry(app, project, engineer):
    saved = save_aftercare(project, engineer, CARED, 0)
    assert saved.version == 1 and saved.recorded
    again = aftercare_of(project.id)
    assert {name: getattr(again, name) for name in CARED} == CARED
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "aftercare.change")).one()
    assert entry.target_id == project.code and entry.user_id == engineer.id
    assert {change["field"]: change["new"] for change in entry.details["changes"]} == CARED


def test_a_change_names_only_what_changed_and_bumps_the_version(app, project, engineer):
    save_aftercare(project, engineer, CARED, 0)
    saved = save_aftercare(project, engineer, {"building_party_groups": 5, "red_property": False}, 1)
    assert saved.version == 2 and saved.building_party_groups == 5 and saved.owners_committee is True
    last = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.details["changes"] == [{"field": "building_party_groups", "old": 3, "new": 5},
                                       {"field": "red_property", "old": True, "new": False}]


def test_saving_the_same_values_writes_nothing(app, project, engineer):
    save_aftercare(project, engineer, CARED, 0)
    assert save_aftercare(project, engineer, CARED, 1).version == 1
    assert _aftercare_entries() == 1


@pytest.mark.parametrize("seen", [0, 2, -1])
def test_a_stale_version_is_a_conflict_with_the_record_as_it_is(app, project, engineer, seen):
    save_aftercare(project, engineer, CARED, 0)
    with pytest.raises(AftercareConflict) as refused:
        save_aftercare(project, engineer, {"building_party_groups": 9}, seen)
    assert refused.value.current.version == 1 and refused.value.current.building_party_groups == 3
    assert aftercare_of(project.id).building_party_groups == 3


def test_a_first_save_over_someone_elses_is_a_conflict(app, project, engineer):
    save_aftercare(project, engineer, CARED, 0)
    with pytest.raises(AftercareConflict):
        save_aftercare(project, engineer, NOBODY, 0)


@pytest.mark.parametrize("values, field", [
    ({"building_party_groups": -1}, "building_party_groups"),
    ({"building_party_groups": 10000}, "building_party_groups"),
    ({"building_party_groups": None}, "building_party_groups"),
    ({"party_branch": False, "party_branch_name": "", "building_party_groups": 2}, "building_party_groups"),
    ({"party_branch": False, "building_party_groups": 0}, "party_branch_name"),
    ({"owners_committee": False}, "red_owners_committee"),
    ({"property_management": "hotel"}, "property_management"),
    ({"property_company": ""}, "property_company"),
    ({"property_management": "self"}, "property_company"),
    ({"property_management": "none", "property_company": ""}, "red_property"),
    ({"party_branch_name": "支" * 65}, "party_branch_name"),
])
def test_values_that_break_a_rule_are_refused_by_field_and_nothing_is_saved(app, project, engineer, values, field):
    with pytest.raises(AftercareRuleViolation) as refused:
        save_aftercare(project, engineer, {**CARED, **values}, 0)
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Aftercare)) == 0
    assert _aftercare_entries() == 0


def test_names_are_kept_without_surrounding_spaces(app, project, engineer):
    saved = save_aftercare(project, engineer, {**CARED, "property_company": "  安居物业  "}, 0)
    assert saved.property_company == "安居物业"


def test_rates_have_two_decimals_as_the_city_reports_them():
    assert rate(55, 61) == Decimal("90.16") and rate(3, 3) == Decimal("100.00") and rate(0, 0) is None


@pytest.fixture
def city(app, engineer):
    """桂林街道: three completed compounds (two cared for, one recorded as nobody), one not completed
    with a party branch (not counted); 菁城街道: two completed, one never recorded."""
    one = completed_project("ZP-2024-001", "九龙桂冠小区", "桂冠社区")
    record(one, engineer)  # branch (3 groups), red committee, red professional management
    two = completed_project("ZP-2024-002", "铁路二段生活小区", "铁路社区")
    record(two, engineer, building_party_groups=2, red_owners_committee=False, property_management="community",
           property_company="", red_property=True)
    three = completed_project("ZP-2024-003", "粮食局宿舍", "铁路社区")
    record(three, engineer, **NOBODY)
    going = make_project("ZP-2026-004", "新华新村", "和平社区")
    record(going, engineer, building_party_groups=7)
    four = completed_project("ZP-2024-005", "农机公司宿舍区", "西园社区", "菁城街道")
    record(four, engineer, party_branch=False, party_branch_name="", building_party_groups=0,
           owners_committee=False, red_owners_committee=False, property_management="self", property_company="",
           red_property=False)
    completed_project("ZP-2024-006", "西园新村", "西园社区", "菁城街道")


def test_the_coverage_counts_the_completed_compounds_per_street_and_for_the_city(city):
    coverage = aftercare_coverage()
    guilin, jingcheng = coverage.streets
    assert (guilin.name, guilin.completed, guilin.party_branches, guilin.party_groups) == ("桂林街道", 3, 2, 5)
    assert (guilin.owners_committees, guilin.red_owners_committees, guilin.managed, guilin.red_property) == (2, 1, 2, 2)
    assert guilin.owners_committee_rate == Decimal("66.67") and guilin.red_owners_committee_rate == Decimal("50.00")
    assert guilin.management_rate == Decimal("66.67") and guilin.red_property_rate == Decimal("100.00")
    assert guilin.uncared == 1
    assert (jingcheng.name, jingcheng.completed, jingcheng.party_branches, jingcheng.managed) == ("菁城街道", 2, 0, 1)
    assert jingcheng.red_owners_committee_rate is None and jingcheng.red_property_rate == Decimal("0.00")
    assert jingcheng.uncared == 1
    city_row = coverage.city
    assert (city_row.completed, city_row.party_branches, city_row.party_groups, city_row.uncared) == (5, 2, 5, 2)
    assert city_row.management_rate == Decimal("60.00")


def test_the_completed_compounds_nobody_looks_after_are_named_by_code(city):
    coverage = aftercare_coverage()
    assert [row["code"] for row in coverage.uncared] == ["ZP-2024-003", "ZP-2024-006"]
    assert coverage.uncared[1] == {"code": "ZP-2024-006", "compound": "西园新村", "community": "西园社区",
                                   "street": "菁城街道"}
    assert coverage.uncared_not_named == 0


def test_the_first_are_named_and_the_rest_counted(city):
    coverage = aftercare_coverage(named=1)
    assert [row["code"] for row in coverage.uncared] == ["ZP-2024-003"] and coverage.uncared_not_named == 1


def test_a_compound_that_records_someone_leaves_the_list(city, engineer):
    from renovation.domain import project_list

    save_aftercare(project_list.project_by_code("ZP-2024-003"), engineer, {"owners_committee": True}, 1)
    assert [row["code"] for row in uncared_compounds()] == ["ZP-2024-006"]


def test_the_coverage_is_two_statements_whatever_the_number_of_compounds(city, engineer):
    with count_statements() as few:
        aftercare_coverage()
    for number in range(10):
        record(completed_project(f"ZP-2025-{number:03d}", f"小区{number}", f"社区{number % 3}", "新桥镇"), engineer)
    with count_statements() as more:
        coverage = aftercare_coverage()
    assert len(few) == len(more) == 2
    assert [row.name for row in coverage.streets] == ["新桥镇", "桂林街道", "菁城街道"]


def test_twenty_are_named_and_the_rest_counted(app):
    for number in range(23):
        completed_project(f"ZP-2023-{number:03d}", f"宿舍区{number}", f"社区{number % 3}")
    coverage = aftercare_coverage()
    assert len(coverage.uncared) == 20 and coverage.uncared_not_named == 3 and coverage.city.uncared == 23
    assert [row["code"] for row in coverage.uncared] == [f"ZP-2023-{number:03d}" for number in range(20)]
