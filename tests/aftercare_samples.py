"""Projects for the after-care tests: completed ones (every stage done, 竣工验收 included) and their
after-care as a user would record it."""
from datetime import timedelta

from renovation.domain.aftercare.records import save_aftercare
from renovation.domain.clock import today
from renovation.domain.stages.keys import STAGE_ORDER
from tests.conftest import make_project

CARED = {"party_branch": True, "party_branch_name": "铁路二段小区党支部", "building_party_groups": 3,
         "owners_committee": True, "red_owners_committee": True, "property_management": "professional",
         "property_company": "漳平市安居物业服务有限公司", "red_property": True}
NOBODY = {"party_branch": False, "party_branch_name": "", "building_party_groups": 0, "owners_committee": False,
          "red_owners_committee": False, "property_management": "none", "property_company": "",
          "red_property": False}


def completed_project(code, compound, community="铁路社区", street="桂林街道"):
    """A project whose five stages are completed: its current stage is ``done``."""
    start = today() - timedelta(days=400)
    stages = {key: {"status": "completed", "percent": 100, "actual_start": start + timedelta(days=60 * position),
                    "actual_end": start + timedelta(days=60 * position + 50)}
              for position, key in enumerate(STAGE_ORDER)}
    project = make_project(code, compound, community, street, stages=stages, start=start)
    assert project.current_stage == "done"
    return project


def record(project, user, **values):
    """Save the project's after-care: :data:`CARED` with ``values`` over it."""
    from renovation.domain.aftercare.records import aftercare_of

    return save_aftercare(project, user, {**CARED, **values}, aftercare_of(project.id).version)
