"""The project list's search and place names kept with each project (renovation.domain.project_search):
what a word matches, and that every write of a searched field keeps them right. Run on SQLite and,
with RENOVATION_TEST_DATABASE_URL, on PostgreSQL, where the GIN index finds the rows: the same
tests, the same answers."""
import io
from datetime import date

import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.domain.ledger.commit import commit_import
from renovation.domain.ledger.exports import project_table
from renovation.domain.ledger.preview import preview_ledger
from renovation.domain.ledger.spreadsheets import xlsx_bytes
from renovation.domain.project_list import Position, ProjectFilter, list_page
from renovation.domain.project_search import rebuild_search_index
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Street
from tests.conftest import make_project


def found(q: str = "", **criteria) -> list[str]:
    return [row.code for row in list_page(ProjectFilter(q=q, **criteria), Position(), 500, today()).items]


def places() -> dict[str, tuple[str, str, str]]:
    rows = db.session.execute(sa.select(Project.code, Project.compound_name, Project.community_name,
                                        Project.street_name))
    return {code: (compound, community, street) for code, compound, community, street in rows}


def test_every_searched_field_one_and_two_characters_and_case(app):
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道")
    make_project("ZP-2025-007", "新华新村", "城中社区", "菁城街道")
    jiulong = db.session.scalar(sa.select(Project).where(Project.code == "ZP-2026-001"))
    jiulong.contractor, jiulong.supervisor, jiulong.responsible_engineer = "Minxi Road & Bridge", "永信监理", "陈志明"
    db.session.commit()
    assert found("九龙") == ["ZP-2026-001"]  # two characters: compound and community
    assert found("冠") == ["ZP-2026-001"]  # one character
    assert found("菁城街道") == ["ZP-2025-007"]  # the street
    assert found("城中") == ["ZP-2025-007"]  # the community
    assert found("ROAD") == found("road") == found("Road") == ["ZP-2026-001"]  # the contractor, any case
    assert found("永信") == found("陈志明") == ["ZP-2026-001"]  # the supervisor, the engineer
    assert found("zp-2025") == ["ZP-2025-007"]  # the code
    assert found("城建工程") == ["ZP-2025-007"]  # make_project's contractor, replaced on the other
    assert found("九龙 监理") == ["ZP-2026-001"] and found("九龙 新华") == []  # every word, each anywhere
    assert found("") == ["ZP-2025-007", "ZP-2026-001"]


def test_a_word_never_spans_two_fields(app):
    """九龙桂冠小区 then 桂林街道: "小区桂林" would be found in the joined text, not in a field."""
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道")
    assert found("小区") == found("桂林") == ["ZP-2026-001"]
    for across in ("小区桂林", "区桂", "001九", "1九", "道九", "区林"):
        assert found(across) == [], across


def test_wildcards_are_characters(app):
    make_project("ZP-2026-050", "百分之100%小区", "九龙社区", "桂林街道")
    make_project("ZP-2026-051", "下划线_小区", "九龙社区", "桂林街道")
    make_project("ZP-2026-052", "反斜杠\\小区", "九龙社区", "桂林街道")
    assert found("%") == ["ZP-2026-050"] and found("0%小") == ["ZP-2026-050"]
    assert found("_") == ["ZP-2026-051"] and found("线_") == ["ZP-2026-051"]
    assert found("\\") == ["ZP-2026-052"]
    assert found("%%") == found("ZP_2026") == found("100_") == []


def test_a_changed_project_is_found_by_its_new_values_only(app):
    project = make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道")
    project.contractor, project.code = "闽西路桥公司", "ZP-2026-101"
    db.session.commit()
    assert found("闽西路桥") == found("zp-2026-101") == ["ZP-2026-101"]
    assert found("城建工程") == found("ZP-2026-001") == []


def test_moving_a_project_or_renaming_its_place_refreshes_it(app):
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道")
    make_project("ZP-2026-002", "铁路二段生活小区", "铁路社区", "桂林街道")
    make_project("ZP-2025-007", "新华新村", "城中社区", "菁城街道")
    # Another compound, in another street.
    project = db.session.scalar(sa.select(Project).where(Project.code == "ZP-2026-002"))
    project.compound = db.session.scalar(sa.select(Compound).where(Compound.name == "新华新村"))
    db.session.commit()
    assert places()["ZP-2026-002"] == ("新华新村", "城中社区", "菁城街道")
    assert found("铁路") == [] and found("菁城") == ["ZP-2025-007", "ZP-2026-002"]
    # Renamed street, community and compound: every project in them.
    db.session.scalar(sa.select(Street).where(Street.name == "菁城街道")).name = "菁华街道"
    db.session.scalar(sa.select(Community).where(Community.name == "九龙社区")).name = "九龙江社区"
    db.session.scalar(sa.select(Compound).where(Compound.name == "九龙桂冠小区")).name = "桂冠花园"
    db.session.commit()
    assert places() == {"ZP-2026-001": ("桂冠花园", "九龙江社区", "桂林街道"),
                        "ZP-2026-002": ("新华新村", "城中社区", "菁华街道"),
                        "ZP-2025-007": ("新华新村", "城中社区", "菁华街道")}
    assert found("菁城") == [] and found("菁华") == ["ZP-2025-007", "ZP-2026-002"]
    assert found("九龙江") == found("桂冠花园") == ["ZP-2026-001"]
    # A community moved to another street.
    community = db.session.scalar(sa.select(Community).where(Community.name == "城中社区"))
    community.street = db.session.scalar(sa.select(Street).where(Street.name == "桂林街道"))
    db.session.commit()
    assert found("桂林") == ["ZP-2025-007", "ZP-2026-001", "ZP-2026-002"]


def test_the_list_filters_by_street_and_community_from_the_copies(app):
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道")
    make_project("ZP-2025-007", "新华新村", "城中社区", "菁城街道")
    guilin = db.session.scalar(sa.select(Street.id).where(Street.name == "桂林街道"))
    chengzhong = db.session.scalar(sa.select(Community.id).where(Community.name == "城中社区"))
    assert found(street_id=guilin) == ["ZP-2026-001"] and found(community_id=chengzhong) == ["ZP-2025-007"]
    db.session.scalar(sa.select(Street).where(Street.id == guilin)).name = "桂林新街道"
    db.session.commit()
    assert found(street_id=guilin) == ["ZP-2026-001"]  # found by the street, whatever its name now


def test_a_ledger_import_that_moves_and_renames_is_found_as_imported(app):
    make_project("ZP-2025-001", compound="新华新村1号院", community="铁路社区", street="桂林街道")
    exported = project_table(ProjectFilter(), today())
    headers, row = list(exported.headers), next(iter(exported.rows))
    row[headers.index("小区名称")] = "红旗新村"
    row[headers.index("所属街道")], row[headers.index("所属社区")] = "新桥镇", "新桥社区"
    row[headers.index("施工单位")] = "福建恒盛建设工程有限公司"
    preview = preview_ledger(io.BytesIO(xlsx_bytes(type(exported)("台账", headers, exported.widths, [row]))))
    commit_import(preview, None, "moved")
    assert places()["ZP-2025-001"] == ("红旗新村", "新桥社区", "新桥镇")
    assert found("红旗 新桥镇 恒盛") == ["ZP-2025-001"] and found("新华新村") == found("铁路") == []


def test_rows_written_without_the_orm_are_found_after_a_rebuild(app):
    make_project("ZP-2026-001", "九龙桂冠小区", "九龙社区", "桂林街道")
    compound_id = db.session.scalar(sa.select(Project.compound_id))
    db.session.execute(sa.insert(Project), [{"code": "ZP-2026-900", "compound_id": compound_id, "households": 1,
                                             "contractor": "核心插入公司", "updated_at": date(2026, 1, 1)}])
    db.session.commit()
    assert found("核心插入") == [] and found("九龙") == ["ZP-2026-001"]
    rebuild_search_index([db.session.scalar(sa.select(Project.id).where(Project.code == "ZP-2026-900"))])
    db.session.commit()
    assert found("核心插入") == ["ZP-2026-900"] and found("九龙") == ["ZP-2026-001", "ZP-2026-900"]
    db.session.execute(sa.update(Project).values(contractor="另一家公司"))
    rebuild_search_index()
    db.session.commit()
    assert found("核心插入") == [] and found("另一家") == ["ZP-2026-001", "ZP-2026-900"]
