"""What the projects deliver, where a leader looks (issue 16): the dashboard and the city's and a
street's bulletins state the outputs in their units, planned against done ("累计改造雨污管网1.2公里，
加装电梯2部"), and list the projects whose buried pipes have no hidden-works photo."""
import io
import re
from decimal import Decimal

import pytest

from renovation.domain.bulletins.issue import Scope, preview_snapshot, scope_named
from renovation.domain.bulletins.pdf import render_pdf
from renovation.domain.contents.catalogue import ensure_default_items
from renovation.domain.contents.operations import add_content
from renovation.domain.contents.outputs import amount, headline, outputs
from renovation.domain.photos.operations import add_photo
from tests import pdf_checks
from tests.bulletin_samples import programme
from tests.conftest import login
from tests.domain.photo_samples import jpeg


@pytest.fixture
def delivered(app, engineer):
    """桂林街道's two projects: 2,000 m of pipes planned, 1,250.5 done; 2 lifts planned and done;
    the project under way has laid pipes without photographing them. 菁城街道: 300 m planned."""
    ensure_default_items()
    done, going, idle = programme()
    add_content(done, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal("1200"),
                                 "completed_quantity": Decimal("1200")})
    add_content(going, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal("800"),
                                  "completed_quantity": Decimal("50.5")})
    add_content(done, engineer, {"item": "elevators", "planned_quantity": Decimal("2"),
                                 "completed_quantity": Decimal("2")})
    add_content(idle, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal("300")})
    add_photo(done, engineer, "管沟.jpg", io.BytesIO(jpeg(seed=3)), "during", "rain_sewage", hidden_works=True)
    return done, going, idle


def test_outputs_add_up_per_item_for_the_city_and_a_street(delivered):
    city = {row.key: (row.planned, row.completed, row.projects) for row in outputs()}
    assert city == {"rain_sewage_pipes": (Decimal("2300"), Decimal("1250.5"), 3),
                    "elevators": (Decimal("2"), Decimal("2"), 1)}
    street = {row.key: row.planned for row in outputs(scope_named("street", "菁城街道").street.id)}
    assert street == {"rain_sewage_pipes": Decimal("300")}
    assert headline(outputs()) == "改造雨污管网1.3公里，加装电梯2部"
    assert amount(Decimal("640"), "个") == ("640", "个") and amount(Decimal("12345.5"), "m²") == ("12,345.5", "平方米")


def test_the_city_bulletin_states_the_outputs_and_the_missing_photos(delivered):
    snapshot = preview_snapshot("city", Scope())
    assert [row["code"] for row in snapshot["data"]["hidden_works_missing"]] == ["ZP-2026-002"]
    assert snapshot["data"]["hidden_works_missing_total"] == 1
    text = "".join(pdf_checks.text(render_pdf(snapshot)).split())
    assert "从改造内容看，全市已累计改造雨污管网1.3公里，加装电梯2部。" in text
    assert "改造内容工程量" in text and "雨污分流管网" in text and "1,250.5" in text and "54.4%" in text
    assert "有1个项目雨污分流已开工，但尚无隐蔽工程影像资料" in text and "铁路二段生活小区（ZP-2026-002）" in text
    # By street: done of planned, the city's main items as columns.
    assert "各街道主要改造内容完成情况（完成/计划）" in text
    assert "桂林街道1,250.5/2,0002/2" in text and "菁城街道0/300—" in text


def test_the_dashboard_shows_the_outputs_and_the_missing_photos(delivered, client):
    login(client)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-figure="done-rain_sewage_pipes">1,250.5<' in page and 'data-figure="done-elevators">2<' in page
    section = page[page.index('id="hidden-works"'):]
    section = section[:section.index("</section>")]
    assert "ZP-2026-002" in section and "ZP-2026-001" not in section


def test_the_dashboard_groups_the_outputs_by_category_and_opens_them_by_street(delivered, client):
    login(client)
    page = client.get("/dashboard").get_data(as_text=True)
    section = page[page.index('id="outputs"'):]
    assert section.index('scope="rowgroup">基础类<') < section.index('data-item="rain_sewage_pipes"') \
        < section.index('scope="rowgroup">完善类<') < section.index('data-item="elevators"')
    assert 'hx-get="/dashboard/outputs-by-street"' in section and "菁城街道" not in section.split("</section>")[0]
    table = client.get("/dashboard/outputs-by-street", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in table
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr>.*?</tr>", table, re.S)]
    assert rows == ["街道 雨污分流管网 m 加装电梯 台", "桂林街道 1,250.5 / 2,000 2 / 2", "菁城街道 0 / 300 —"]
    assert "<html" in client.get("/dashboard/outputs-by-street").get_data(as_text=True)  # without a script: a page


def test_the_headline_names_pipes_lifts_and_parking_before_the_other_items():
    from renovation.domain.contents.outputs import Output

    def made(key, name, unit, category, done):
        return Output(key, name, unit, category, Decimal(done), Decimal(done), 1)

    rows = [made("water_pipes", "供水管网", "m", "basic", 500),
            made("rain_sewage_pipes", "雨污分流管网", "m", "basic", 2400),
            made("facade", "外墙保温及立面", "m²", "basic", 900), made("parking", "停车位", "个", "improvement", 40),
            made("elevators", "加装电梯", "台", "improvement", 3)]
    assert headline(rows, limit=4) == "改造雨污管网2.4公里，加装电梯3部，新增停车位40个，改造供水管网500米"
