"""The lists' streets and communities, kept by a process while the database's areas stay the same
(renovation/domain/area_lists.py): whatever changes them, and however, the next read sees it."""
import sqlalchemy as sa

from renovation.domain.area_lists import CITY_COMMUNITIES, area_lists
from renovation.extensions import db
from renovation.models import AreaVersion, Community, Street
from tests.conftest import count_statements, make_area


def names(rows) -> list[str]:
    return [name for _id, name in rows]


def test_a_second_read_is_one_row_and_the_same_lists(app):
    make_area("桂林街道", "铁路社区")
    db.session.commit()
    first = area_lists()
    with count_statements() as statements:
        again = area_lists()
    assert again is first and len(statements) == 1
    assert names(first.streets) == ["桂林街道"] and names(first.communities) == ["铁路社区"]


def test_every_change_of_a_street_or_community_is_seen(app):
    make_area("桂林街道", "铁路社区")
    db.session.commit()
    area_lists()
    make_area("菁城街道", "城中社区")
    db.session.commit()
    assert names(area_lists().streets) == sorted(["桂林街道", "菁城街道"])
    db.session.execute(sa.update(Community).where(Community.name == "铁路社区").values(name="铁路新社区"))
    db.session.commit()
    assert "铁路新社区" in names(area_lists().communities)
    db.session.execute(sa.delete(Community).where(Community.name == "城中社区"))
    db.session.execute(sa.delete(Street).where(Street.name == "菁城街道"))
    db.session.commit()
    assert names(area_lists().streets) == ["桂林街道"] and names(area_lists().communities) == ["铁路新社区"]


def test_sql_by_hand_is_seen_too(app):
    make_area("桂林街道", "铁路社区")
    db.session.commit()
    area_lists()
    with db.engine.begin() as connection:  # another connection, as another server or psql would
        connection.execute(sa.text("UPDATE street SET name = '桂林新街道'"))
    db.session.commit()
    assert names(area_lists().streets) == ["桂林新街道"]


def test_a_change_rolled_back_is_forgotten(app):
    make_area("桂林街道", "铁路社区")
    db.session.commit()
    make_area("菁城街道", "城中社区")  # flushed, not committed: this transaction alone sees it
    assert "菁城街道" in names(area_lists().streets)
    db.session.rollback()
    assert names(area_lists().streets) == ["桂林街道"]
    assert names(area_lists().communities) == ["铁路社区"]


def test_a_province_has_too_many_communities_to_list(app):
    street = make_area("菁城街道", "城中社区").street_id
    db.session.execute(sa.insert(Community), [{"name": f"第{n:03d}社区", "street_id": street}
                                              for n in range(CITY_COMMUNITIES)])
    db.session.commit()
    lists = area_lists()
    assert lists.communities is None and names(lists.streets) == ["菁城街道"]


def test_without_the_version_nothing_is_kept(app):
    make_area("桂林街道", "铁路社区")
    db.session.commit()
    db.session.execute(sa.delete(AreaVersion))
    db.session.commit()
    assert names(area_lists().streets) == ["桂林街道"]
    with count_statements() as statements:
        assert names(area_lists().streets) == ["桂林街道"]
    assert len(statements) == 3  # the version (none), the communities, the streets
