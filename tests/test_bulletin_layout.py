"""The printed bulletin laid out as GB/T 9704-2012 asks (issue 14), read back from the PDF's word
boxes: page numbers "— N —" at the outside edge, the 版记 at the foot of the last page, and the
signature never alone at the top of a page."""
import pytest

from renovation.domain.bulletins.area_data import area_data
from renovation.domain.bulletins.pdf import render_pdf
from renovation.domain.clock import today
from tests import pdf_checks
from tests.bulletin_samples import programme
from tests.test_bulletin_pdf import document

pytestmark = pytest.mark.slow
ISSUER = "漳平市住房和城乡建设局"


def notes(paragraphs: int) -> str:
    return "\n".join(f"第{n}条：加快推进滞后项目，逐项明确整改责任人和完成时限。" for n in range(1, paragraphs + 1))


def bulletin_pages(paragraphs: int) -> list[dict]:
    snapshot = {"document": document(notes=notes(paragraphs), copy_to="市政府办公室，新桥镇人民政府"),
                "data": area_data(None, None, today())}
    return pdf_checks.page_words(render_pdf(snapshot))


def page_number_of(page: dict, number: int) -> tuple:
    """The box of the page's number: the word ``number`` between two dashes, under the type area."""
    words = page["words"]
    for index, word in enumerate(words):
        if word[0] == str(number) and 0 < index < len(words) - 1 and words[index - 1][0] == words[index + 1][0] == "—":
            if word[2] > page["height"] * 0.85:
                return words[index - 1][1], word[2], words[index + 1][3], word[4]
    raise AssertionError(f"no page number {number} at the foot of its page")


def test_page_numbers_sit_at_the_outside_edge(app):
    programme()
    pages = bulletin_pages(60)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        left, _top, right, _bottom = page_number_of(page, number)
        one_character = 14  # 4号: 14 pt, one character in from the edge of the type area
        if number % 2:  # odd pages: right-hand, on the right
            assert page["width"] - 26 / 25.4 * 72 - one_character - 2 < right < page["width"] - 26 / 25.4 * 72 - 8
        else:
            assert 28 / 25.4 * 72 + 8 < left < 28 / 25.4 * 72 + one_character + 2


def test_the_colophon_is_at_the_foot_of_the_last_page(app):
    programme()
    for paragraphs in (0, 60):
        pages = bulletin_pages(paragraphs)
        last = pages[-1]
        copy_to = [word for word in last["words"] if word[0].startswith("抄送")]
        assert copy_to, "the 版记 is on the last page"
        bottom_of_type_area = last["height"] - 35 / 25.4 * 72
        printed = [word for word in last["words"] if word[0].endswith("印发")]
        assert printed and bottom_of_type_area - 30 < printed[0][4] <= bottom_of_type_area + 1
        assert copy_to[0][2] > last["height"] * 0.7
        assert not any(word[0].startswith("抄送") for page in pages[:-1] for word in page["words"])


def test_the_signature_never_stands_alone_at_the_top_of_a_page(app):
    """However long the notes, the signature's page has the end of the text above it."""
    programme()
    for paragraphs in range(0, 30):
        pages = bulletin_pages(paragraphs)
        signed = [(index, word) for index, page in enumerate(pages) for word in page["words"] if word[0] == ISSUER]
        page_index, signature = signed[-2]  # the masthead's first, the colophon's last
        above = [word for word in pages[page_index]["words"] if word[4] < signature[2] - 1]
        assert above, f"{paragraphs} paragraphs: the signature stands alone at the top of page {page_index + 1}"


def test_the_fonts_gb_t_9704_asks_for_are_used_where_installed_and_stood_in_for_otherwise(app):
    from renovation.domain.bulletins.fonts import typefaces

    free = {"Noto Serif CJK SC", "Noto Sans CJK SC", "LXGW WenKai"}
    chosen = typefaces(free)
    assert [(key, face.family, face.stands_in) for key, face in chosen.items()] == [
        ("body", "Noto Serif CJK SC", True), ("heading", "Noto Sans CJK SC", True),
        ("subheading", "LXGW WenKai", True), ("title", "Noto Serif CJK SC", True)]
    licensed = typefaces(free | {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"})
    assert {key: face.family for key, face in licensed.items()} == {
        "body": "仿宋_GB2312", "heading": "黑体", "subheading": "楷体_GB2312", "title": "方正小标宋简体"}
    assert not any(face.stands_in for face in licensed.values())
    # A bureau names its own font first; a name that is not installed, or that could break out of
    # the style sheet, is passed over.
    app.config["BULLETIN_FONT_BODY"] = "Bureau FangSong, 仿宋_GB2312"
    assert typefaces(free | {"仿宋_GB2312", "Bureau FangSong"})["body"].family == "Bureau FangSong"
    app.config["BULLETIN_FONT_BODY"] = 'Evil"; } body { color: red'
    assert typefaces(free | {'Evil"; } body { color: red'})["body"].family == "Noto Serif CJK SC"


def test_the_pdf_embeds_the_chosen_fonts_and_the_preview_names_the_stand_ins(app):
    from renovation.domain.bulletins.pdf import render_html

    programme()
    snapshot = {"document": document(draft=True), "data": area_data(None, None, today())}
    html = render_html(snapshot)
    assert "字体：仿宋未安装，以 Noto Serif CJK SC 代替；黑体未安装，以 Noto Sans CJK SC 代替；" in html
    assert "楷体未安装，以 LXGW WenKai 代替" in html
    issued = render_html({"document": document(), "data": snapshot["data"]})
    assert "字体：" not in issued  # the issued document does not say so
    pdf = render_pdf({"document": document(), "data": area_data(None, None, today())})
    fonts = pdf_checks.fonts(pdf)
    assert fonts and all(font["embedded"] and font["subset"] for font in fonts)


def test_chart_labels_print_at_least_9_points(app):
    import re

    from renovation.domain.bulletins.pdf import render_html

    programme()
    html = render_html({"document": document(), "data": area_data(None, None, today())})
    charts = re.findall(r'<svg viewBox="0 0 (\d+) [\d.]+"(.*?)</svg>', html, re.S)
    assert charts
    type_area_pt = (210 - 28 - 26) / 25.4 * 72  # the charts are as wide as the type area
    for width, chart in charts:
        sizes = [float(size) for size in re.findall(r'<text[^>]*font-size="([\d.]+)"', chart)]
        assert sizes and min(sizes) * type_area_pt / float(width) >= 9, sizes


def test_no_line_starts_with_closing_punctuation(app):
    programme()
    snapshot = {"document": document(notes=notes(40)), "data": area_data(None, None, today())}
    lines = [line for page in pdf_checks.page_lines(render_pdf(snapshot)) for line in page]
    assert lines and not [line for line in lines if line[0] in "，。、；：？！）》」』”’"]


def test_no_paragraph_ends_on_one_lone_character(app):
    """Paragraphs of every length around a full line: the last line holds at least two characters."""
    programme()
    paragraphs = "\n".join("推进" * (length // 2) + "快" * (length % 2) + "。" for length in range(44, 60))
    snapshot = {"document": document(notes=paragraphs), "data": area_data(None, None, today())}
    lines = [line for page in pdf_checks.page_lines(render_pdf(snapshot)) for line in page]
    endings = [line for line in lines if line.endswith("。") and set(line) <= set("推进快。")]
    assert len(endings) == 16, endings  # every paragraph's last line, found
    assert not [line for line in endings if len(line.rstrip("。")) < 2]


def test_the_preview_breaks_its_pages_where_the_issued_bulletin_does(app, engineer):
    from renovation.domain.bulletins import preview, workflow
    from renovation.domain.bulletins.issue import Scope, pdf_bytes, render_bulletin

    programme()
    app.config["BULLETIN_STEPS"] = ""  # an office issuing in one step: the draft is issued as it is
    draft = workflow.create_draft("city", Scope(), engineer, notes=notes(24))
    shown = preview.preview(draft, engineer)
    previewed = pdf_checks.page_words(preview.pdf(draft.id, shown.sha256))
    issued = pdf_checks.page_words(pdf_bytes(render_bulletin(workflow.issue(draft.id, engineer, draft.version).id)))

    def type_area(page):  # the words printed in the type area, the preview's mark across the page left out
        return sorted((word[0], round(word[1]), round(word[2])) for word in page["words"]
                if 30 / 25.4 * 72 < word[2] < page["height"] - 35 / 25.4 * 72 and not set(word[0]) <= set("预览稿"))

    assert len(previewed) == len(issued) >= 2
    for preview_page, issued_page in zip(previewed, issued, strict=True):
        assert type_area(preview_page) == type_area(issued_page)
    assert preview.pdf(draft.id, shown.sha256) is None  # issuing removed the preview


def test_figures_with_thousands_separators_never_split_across_lines(app):
    """A figure such as 12,345.67 lands wherever the text puts it; it is printed whole on one line."""
    programme()
    paragraphs = "\n".join("推" * shift + "完成投资12,345.67万元，惠及居民4,328户，" * 6 for shift in range(0, 28, 3))
    snapshot = {"document": document(notes=paragraphs), "data": area_data(None, None, today())}
    lines = [line for page in pdf_checks.page_lines(render_pdf(snapshot)) for line in page]
    whole = sum(line.count("12,345.67") + line.count("4,328") for line in lines)
    assert whole == 2 * 6 * len(range(0, 28, 3)), [line for line in lines if "," in line][:12]
