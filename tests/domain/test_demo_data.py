"""The demo programme (renovation.demo.data).

The article's places, the rules on every stage, a plausible spread, the same data every time.
"""
import hashlib
import random
import re
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renovation.demo import counties as province_counties
from renovation.demo import data as demo_data
from renovation.domain.stages.keys import DONE, STAGE_ORDER
from renovation.domain.stages.operations import state_of
from renovation.domain.stages.rules import stage_errors
from renovation.domain.stages.schedule import current_stage, next_deadline, overall_progress
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street

# Any day: the demo programme is laid out relative to the day it is loaded.
TODAY = date(2026, 6, 30)


def all_projects():
    return db.session.scalars(sa.select(Project).order_by(Project.code)).all()


def summary():
    """What a reader of the list sees: code, compound, community, stage statuses and percents."""
    rows = db.session.execute(
        sa.select(Project.code, Compound.name, Community.name, Stage.key, Stage.status,
                  Stage.percent, Stage.actual_start, Stage.actual_end)
        .join(Compound, Project.compound_id == Compound.id)
        .join(Community, Compound.community_id == Community.id)
        .join(Stage, Stage.project_id == Project.id)
        .order_by(Project.code, Stage.position)
    ).all()
    return [tuple(row) for row in rows]


def empty_database():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def demo(app):
    assert demo_data.database_is_empty()
    assert demo_data.seed(141, today=TODAY) == 141
    db.session.commit()
    return all_projects()


def test_the_article_programme(demo):
    assert len(demo) == 141
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 15
    assert not demo_data.database_is_empty()
    codes = [project.code for project in demo]
    assert len(set(codes)) == 141
    assert all(re.fullmatch(r"ZP-20(24|25|26)-\d{3}", code) for code in codes)


@pytest.mark.parametrize("compound, community, street", [
    ("九龙桂冠小区", "九龙社区", "桂林街道"),
    ("铁路二段生活小区", "铁路社区", "桂林街道"),
])
def test_the_compounds_named_in_the_article(demo, compound, community, street):
    found = db.session.execute(
        sa.select(Community.name, Street.name)
        .join(Compound, Compound.community_id == Community.id)
        .join(Street, Community.street_id == Street.id)
        .join(Project, Project.compound_id == Compound.id)
        .where(Compound.name == compound)
    ).all()
    assert [tuple(row) for row in found] == [(community, street)]


def test_both_urban_streets_of_the_article_are_there(demo):
    streets = set(db.session.scalars(sa.select(Street.name)))
    assert {"菁城街道", "桂林街道"} <= streets


def test_every_stage_obeys_the_rules(demo):
    broken = {}
    with force_locale("en"):
        for project in demo:
            states = {stage.key: state_of(stage) for stage in project.stages}
            for key, state in states.items():
                if errors := stage_errors(state, states, TODAY):
                    broken[project.code, key] = {field: str(text) for field, text in errors.items()}
    assert broken == {}


def test_every_project_has_its_five_stages_in_order(demo):
    for project in demo:
        assert [stage.key for stage in project.stages] == [key.value for key in STAGE_ORDER]
        assert all(stage.version == 1 for stage in project.stages)


def test_the_list_columns_agree_with_the_stages(demo):
    for project in demo:
        assert project.progress == overall_progress(project.stages), project.code
        assert project.current_stage == current_stage(project.stages), project.code
        assert project.next_deadline == next_deadline(project.stages), project.code


def test_the_spread_looks_like_a_real_programme(demo):
    finished = [p for p in demo if p.current_stage == DONE]
    midway = [p for p in demo if 0 < p.progress < 100]
    not_begun = [p for p in demo if p.progress == 0]
    behind = [p for p in demo if p.next_deadline and p.next_deadline < TODAY]
    statuses = Counter(stage.status for project in demo for stage in project.stages)

    assert len(finished) >= 14  # at least a tenth
    assert len(midway) >= len(demo) // 3
    assert len(midway) > max(len(finished), len(not_begun))  # mid-way is the largest group
    assert 14 <= len(behind) <= len(demo) // 2
    assert statuses["not_applicable"] >= 5
    assert statuses["in_progress"] >= 20
    suspended = [s for project in demo for s in project.stages if s.status == "suspended"]
    assert suspended and all(stage.note.strip() for stage in suspended)


def test_budgets_and_facts_are_filled_in(demo):
    for project in demo:
        assert project.households > 0 and project.buildings >= 2
        assert project.budget_total > 0
        assert 0 <= project.investment_completed <= project.budget_total
        if project.progress == 100:  # a finished project has spent its budget, to the fen
            assert project.investment_completed == project.budget_total, project.code
        assert project.contractor and project.supervisor and project.responsible_engineer
        assert project.planned_start < project.planned_end


def test_same_seed_and_day_give_the_same_programme(app):
    demo_data.seed(141, today=TODAY)
    db.session.commit()
    first = summary()
    assert len(first) == 141 * 5

    empty_database()
    demo_data.seed(141, today=TODAY)
    db.session.commit()
    assert summary() == first

    empty_database()
    demo_data.seed(141, seed_value=7, today=TODAY)
    db.session.commit()
    assert summary() != first  # the summary does tell programmes apart


def test_a_large_programme_keeps_names_unique_per_community(app):
    assert demo_data.seed(2000, today=TODAY) == 2000
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 2000
    pairs = db.session.execute(sa.select(Compound.community_id, Compound.name)).all()
    assert len(pairs) == len(set(pairs)) == 2000
    assert len(set(db.session.scalars(sa.select(Project.code)))) == 2000


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed_value=st.integers(0, 2**32), start=st.dates(date(2024, 1, 1), date(2026, 12, 31)),
       offset=st.integers(-60, 900))
def test_demo_stages_obey_the_rules_on_any_day(app, seed_value, start, offset):
    """Whatever day the demo is loaded, each project it lays out is one the rules allow."""
    today = start + timedelta(days=offset)
    states = demo_data._stages(random.Random(seed_value), start, today)
    by_key = {state.key: state for state in states}
    with force_locale("en"):
        assert [stage_errors(state, by_key, today) for state in states] == [{}] * 5


def test_seed_reuses_streets_and_communities_that_already_exist(app):
    """A database with areas but no projects (e.g. a committee user created first) still seeds."""
    from tests.conftest import make_area

    make_area("桂林街道", "铁路社区")
    db.session.commit()
    assert demo_data.seed(20) == 20
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 15


# --- a province: Zhangping's programme and the other counties -----------------------------------

# sha256 of summary() for seed(141, today=TODAY), taken before the province was added: the
# article's demo, which the tests and the screenshots rely on, stays what it was.
ARTICLE_DEMO_DIGEST = "ec3f3643d371365a12547d4b08690e9f9d3ffb804f08638b75d6ec58433d5f36"


def digest(rows) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_default_demo_is_the_article_programme_as_it_was(app):
    demo_data.seed(141, today=TODAY)
    db.session.commit()
    assert digest(summary()) == ARTICLE_DEMO_DIGEST
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Street)) == 3


@pytest.fixture
def province(app):
    """A demo larger than Zhangping's: the article's 141 projects and 1,859 in other counties."""
    assert demo_data.seed(2000, today=TODAY) == 2000
    db.session.commit()


def test_a_larger_demo_adds_counties_and_keeps_zhangping_as_it_was(province):
    zhangping = [row for row in summary() if row[0].startswith("ZP-")]
    assert len(zhangping) == 141 * 5 and digest(zhangping) == ARTICLE_DEMO_DIGEST
    streets = set(db.session.scalars(sa.select(Street.name)))
    counties = {name for name, _short, _prefix in province_counties.COUNTIES
                if any(street.startswith(name) for street in streets)}
    assert len(counties) >= 3  # several counties, each with its streets or towns
    assert set(demo_data.STREETS) <= streets
    prefixes = {code.split("-")[0] for code in db.session.scalars(sa.select(Project.code))}
    assert len(prefixes) == len(counties) + 1
    per_county = Counter(next(name for name in counties if street.startswith(name))
                         for street in streets - set(demo_data.STREETS))
    assert min(per_county.values()) >= 2
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Community.name)))) == \
        db.session.scalar(sa.select(sa.func.count()).select_from(Community)) > 15


def test_every_project_of_a_larger_demo_has_five_stages_that_agree_with_its_summary(province):
    stages: dict[int, list] = {}
    for stage in db.session.scalars(sa.select(Stage).order_by(Stage.project_id, Stage.position)):
        stages.setdefault(stage.project_id, []).append(stage)
    projects = db.session.scalars(sa.select(Project)).all()
    assert len(projects) == len(stages) == 2000
    broken = []
    with force_locale("en"):
        for project in projects:
            own = stages[project.id]
            states = {stage.key: state_of(stage) for stage in own}
            if [stage.key for stage in own] != [key.value for key in STAGE_ORDER] \
                    or project.progress != overall_progress(own) or project.current_stage != current_stage(own) \
                    or project.next_deadline != next_deadline(own) \
                    or any(stage_errors(state, states, TODAY) for state in states.values()):
                broken.append(project.code)
    assert broken == []
    assert len({project.compound_id for project in projects}) == 2000  # a compound per project
