"""Linked leaders in the domain: which projects a user follows on a date (directly or through a
community), linking and ending links with the history kept, and the audit log."""
from datetime import timedelta

from renovation.domain.clock import today, utcnow
from renovation.domain.leaders.links import linked_project_ids
from renovation.extensions import db
from renovation.models.leaders import LeaderLink
from tests.conftest import make_project, make_user


def _link(user, *, community=None, project=None, started_on=None, ended_on=None):
    link = LeaderLink(user_id=user.id, community_id=community.id if community else None,
                      project_id=project.id if project else None, started_on=started_on or today(),
                      ended_on=ended_on, created_at=utcnow())
    db.session.add(link)
    db.session.commit()
    return link


def test_a_user_without_links_follows_no_project(app):
    make_project()
    assert linked_project_ids(make_user("leader", "leader")) == set()


def test_projects_linked_directly_and_through_a_community_on_a_date(app):
    railway = make_project("ZP-2026-001", "铁路二段生活小区", "铁路社区")
    railway_two = make_project("ZP-2026-002", "粮食局宿舍", "铁路社区")
    xinhua = make_project("ZP-2026-003", "新华新村", "和平社区")
    elsewhere = make_project("ZP-2026-004", "农机公司宿舍区", "城东社区")
    leader = make_user("leader", "leader")
    _link(leader, community=railway.compound.community, started_on=today() - timedelta(days=100),
          ended_on=today() - timedelta(days=10))
    _link(leader, project=xinhua, started_on=today() - timedelta(days=5))
    assert linked_project_ids(leader) == {xinhua.id}
    assert linked_project_ids(leader, today() - timedelta(days=10)) == {railway.id, railway_two.id}
    assert linked_project_ids(leader, today() - timedelta(days=101)) == set()
    assert elsewhere.id not in linked_project_ids(leader, today() - timedelta(days=5))
