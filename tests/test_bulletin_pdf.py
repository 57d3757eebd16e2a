"""Real PDFs of bulletins, read back with poppler: text, fonts, pages, photos, metadata, and the
loud failures (no CJK fonts, a glyph no font has, a missing photo)."""
import pytest
import sqlalchemy as sa

from renovation.domain.bulletins import pdf as bulletin_pdf
from renovation.domain.bulletins import weasyprint_printer
from renovation.domain.bulletins.area_data import area_data
from renovation.domain.bulletins.brief_data import project_data
from renovation.domain.bulletins.pdf import BulletinRenderError, CJKFontsMissing, render_html, render_pdf
from renovation.domain.clock import today
from renovation.domain.project_list import project_by_code
from renovation.extensions import db
from renovation.models import Project
from renovation.storage import derived_key, get_storage
from tests import pdf_checks
from tests.bulletin_samples import add_pair, on_track, programme
from tests.conftest import _empty_tables, borrowed, make_project

TITLE = "全市城镇老旧小区改造工作进度通报"


def document(**overrides) -> dict:
    values = {"title": TITLE, "masthead": ["全市城镇老旧小区改造工作", "进度通报"], "label": "2026年第3期",
              "issuer": "漳平市住房和城乡建设局", "issued_on": "2026-11-27", "issued_at": "2026-11-27T10:00:00",
              "subject": "城镇老旧小区改造工作进度", "notes": "加快推进滞后项目。", "copy_to": "市政府办公室",
              "corrects": None, "previous_label": None, "subject_line": None}
    return values | overrides


def city_pdf(pair_ids=None, **overrides) -> bytes:
    return render_pdf({"document": document(**overrides), "data": area_data(None, pair_ids, today())})


@pytest.fixture(scope="module")
def programme_pdf(shared_app, tmp_path_factory) -> tuple[bytes, dict]:
    """The city bulletin of the sample programme, rendered once for the tests that only read it,
    with the figures the database holds (the database is emptied again afterwards)."""
    with borrowed(shared_app, tmp_path_factory.mktemp("programme-pdf") / "instance"), shared_app.app_context():
        programme()
        pdf = city_pdf()
        figures = {
            "projects": db.session.scalar(sa.select(sa.func.count(Project.id))),
            "completed": db.session.scalar(sa.select(sa.func.count(Project.id)).where(Project.current_stage == "done")),
            "households": db.session.scalar(sa.select(sa.func.sum(Project.households))),
        }
        _empty_tables()
        db.session.remove()
    return pdf, figures


def test_city_bulletin_prints_title_number_and_figures_from_the_database(programme_pdf):
    pdf, figures = programme_pdf
    text = pdf_checks.text(pdf)
    projects, completed, households = figures["projects"], figures["completed"], figures["households"]
    assert TITLE.removesuffix("进度通报") in text and "进度通报" in text and "2026年第3期" in text
    assert f"项目共{projects}个" in text and f"已完工{completed}个" in text
    assert f"完工率{round(100 * completed / projects, 1)}%" in text and f"惠及居民{households:,}户" in text
    assert "桂林街道" in text and "菁城街道" in text and "粮食局宿舍" in text  # ranked table, behind list
    assert "下一步工作要求" in text and "抄送：市政府办公室" in text
    assert "—1—" in text  # the page number
    assert 1 <= pdf_checks.pages(pdf) <= 6


def test_every_font_is_embedded_subset_and_a_chinese_noto_cjk(programme_pdf):
    found = pdf_checks.fonts(programme_pdf[0])
    assert found
    assert all(font["embedded"] and font["subset"] for font in found)
    names = {font["name"].split("+", 1)[1] for font in found}
    assert names <= {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}
    assert "Noto-Serif-CJK-SC" in names and "Noto-Sans-CJK-SC" in names


def test_metadata_title_author_subject_language_and_tags(programme_pdf):
    pdf = programme_pdf[0]
    info = {key: value.strip() for key, value in pdf_checks.info(pdf).items()}
    assert info["Title"] == f"{TITLE}（2026年第3期）"
    assert info["Author"] == "漳平市住房和城乡建设局" and info["Subject"] == "城镇老旧小区改造工作进度"
    assert info["Tagged"] == "yes" and info["Page size"].startswith("595.")  # A4
    assert pdf_checks.language(pdf) == "zh-CN"


def test_no_project_behind_schedule_is_said_not_printed_as_an_empty_table(app):
    on_track("ZP-2026-010")
    text = pdf_checks.text(city_pdf())
    assert "无滞后项目" in text and "滞后项目清单" not in text


def test_photo_pairs_are_embedded_from_the_display_derivatives(app, engineer, monkeypatch):
    done, going, _ = programme()
    first, second = add_pair(done, engineer, 1), add_pair(going, engineer, 2)
    opened = []
    original = bulletin_pdf.storage_photo
    monkeypatch.setattr(bulletin_pdf, "storage_photo", lambda sha: opened.append(sha) or original(sha))
    pdf = render_pdf({"document": document(), "data": area_data(None, [first.id, second.id], today())},
                     open_photo=bulletin_pdf.storage_photo)
    assert pdf_checks.images(pdf) == 4
    assert len(opened) == 4 and first.before.sha256 in opened
    assert "改造前后对比" in pdf_checks.text(pdf)


def test_a_missing_photo_file_fails_the_render(app, engineer):
    done, _, _ = programme()
    pair = add_pair(done, engineer)
    get_storage().delete(derived_key(pair.after.sha256, "display"))
    with pytest.raises(BulletinRenderError, match="photo"):
        city_pdf([pair.id])


def test_without_cjk_fonts_it_stops_before_rendering(app, monkeypatch):
    programme()
    monkeypatch.setattr(bulletin_pdf, "installed_font_families", lambda: {"DejaVu Sans"})
    monkeypatch.setattr(weasyprint_printer, "print_pdf", lambda *args, **kwargs: pytest.fail("rendered anyway"))
    with pytest.raises(CJKFontsMissing, match="fonts-noto-cjk"):
        city_pdf()


def test_a_glyph_no_font_has_fails_loudly(app):
    programme()
    with pytest.raises(BulletinRenderError, match="notdef"):
        city_pdf(notes="私用区字符\U000F0000不应静默打印成方框")


def test_the_slow_subsetter_fails_loudly(app, monkeypatch):
    programme()
    from weasyprint.pdf import fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    with pytest.raises(BulletinRenderError, match="HarfBuzz"):
        city_pdf()


def test_a_correction_names_the_bulletin_it_corrects(app):
    programme()
    text = pdf_checks.text(city_pdf(corrects={"title": TITLE, "label": "2026年第2期"}))
    assert "更正" in text and "2026年第2期" in text


def test_project_brief(app, engineer):
    _, going, _ = programme()
    add_pair(going, engineer)
    snapshot = {"document": document(title="铁路二段生活小区改造项目简报", masthead=["城镇老旧小区改造", "项目简报"]),
                "data": project_data(project_by_code("ZP-2026-002"), None, today())}
    pdf = render_pdf(snapshot)
    text = pdf_checks.text(pdf)
    assert "铁路二段生活小区" in text and "雨污分流" in text and "40%" in text and "滞后12天" in text
    assert pdf_checks.images(pdf) == 2 and pdf_checks.pages(pdf) <= 4


def test_preview_html_is_the_same_template_in_chinese(app):
    programme()
    html = render_html({"document": document(), "data": area_data(None, None, today())}, lambda sha: f"/x/{sha}")
    assert '<html lang="zh-CN">' in html and "一、总体进展" in html and "@page" in html


@pytest.mark.slow
def test_a_bulletin_renders_without_any_weasyprint_warning(app, engineer, caplog):
    done, going, _ = programme()
    pair = add_pair(done, engineer)
    caplog.set_level("WARNING", logger="weasyprint")
    city_pdf([pair.id])
    render_pdf({"document": document(), "data": project_data(project_by_code("ZP-2026-002"), None, today())})
    assert [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")] == []


CLOSING_PUNCTUATION = tuple("。，、；：！？）》」”")


@pytest.mark.slow
def test_long_tables_repeat_their_header_and_no_line_starts_with_closing_punctuation(app):
    """Sixty late projects fill several pages: each page of the table has its header row; the
    long notes wrap by Chinese rules (never a 。 or ， at the start of a line)."""
    from datetime import timedelta

    for number in range(60):
        make_project(code=f"ZP-2025-{number + 1:03d}", compound=f"纺织厂生活区{number + 1}号院",
                     start=today() - timedelta(days=400))
    notes = "一是加快推进滞后项目，逐个分析原因、制定措施，确保按期完工。" * 12
    pdf = city_pdf(notes=notes)
    table_pages = [lines for lines in pdf_checks.page_lines(pdf) if any("ZP-2025-" in line for line in lines)]
    assert len(table_pages) >= 2
    for lines in table_pages:
        assert any("原因及说明" in line for line in lines), "a page of the behind-schedule table has no header"
    every_line = [line for lines in pdf_checks.page_lines(pdf) for line in lines]
    assert not [line for line in every_line if line.startswith(CLOSING_PUNCTUATION)]
    assert "一是加快推进滞后项目" in pdf_checks.text(pdf)


def test_the_app_and_its_commands_start_without_the_heavy_libraries():
    """WeasyPrint (half a second), openpyxl and pypdf (a tenth each), Pillow and the queue's huey
    and Redis client (a fifth) load where they are used: the app, and so every ``flask`` command,
    starts without them."""
    import subprocess
    import sys

    code = ("import sys; from renovation import create_app; create_app({'TESTING': True}); "
            "print(sorted({'weasyprint', 'openpyxl', 'pypdf', 'PIL', 'huey', 'redis'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "[]"
