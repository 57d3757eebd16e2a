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
