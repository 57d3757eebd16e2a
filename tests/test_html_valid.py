"""The Nu HTML checker (vnu.jar) finds no error on any page, for any role, nor in the htmx
fragments the pages swap in (forms opened, sent with errors, uploads answered), other than htmx's
own attributes.

The pages are every GET route of ``app.url_map`` built with the ids of a small seeded demo, exactly
as tests/browser/test_accessibility.py builds them (both use tests/small_demo.py), so a new page is
checked as soon as it exists. Each is also asked for as htmx asks (the
``HX-Request`` header), which answers a list's results or a card as a fragment. The forms' htmx
states are posted as the browser posts them. A fragment is checked inside a minimal valid document.

Everything is written to a temporary folder and checked by one run of the checker (the JVM takes a
few seconds to start). The checker comes from the npm registry (``vnu-jar`` in package.json,
devDependencies) and runs with Java (``default-jre-headless``); ``WITH_TEST=1 scripts/setup``
provides both. Without them the test is skipped, except under CI where it fails.
"""
import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from renovation.extensions import db
from renovation.i18n import LANGUAGE_COOKIE
from tests.conftest import PASSWORD, _empty_tables, csrf_token_from
from tests.domain.photo_samples import jpeg
from tests.small_demo import ROLES, Demo, demo_app, page_urls, seed

pytestmark = pytest.mark.slow

VNU = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Chinese by default, English when chosen (the header's switch sets this cookie): a translation can
# bring markup of its own.
LANGUAGES = ("zh_CN", "en")
HX = {"HX-Request": "true"}
HX_GET = re.compile(r'hx-get="([^"]+)"')

# The only errors left alone: htmx's attributes (hx-get, hx-post, hx-target, hx-swap, hx-boost,
# hx-headers …) are not HTML, and the checker names each one it meets in exactly this sentence.
# Nothing else is ignored: not other attributes, not misplaced elements, not htmx's values. (htmx
# also reads data-hx-*, which HTML allows as data attributes, so the checker never reports them.)
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z:-]+” not allowed on element “[a-z0-9]+” at this point\.$")

FRAGMENT_PAGE = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>fragment</title></head>'
                 "<body>\n{fragment}\n</body></html>\n")

# A document the checker must fault once (a duplicate id) and whose htmx attribute it must let
# pass: proves the checker ran, its answer is read, and the filter is no broader than it says.
CANARY = ('<!DOCTYPE html>\n<html lang="en"><head><title>canary</title></head><body>'
          '<p id="twice" hx-get="/">a</p><p id="twice">b</p></body></html>\n')


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    """The checker's command line (asked for before the demo is seeded, so a skip is quick)."""
    java = shutil.which("java")
    missing = [what for what, there in (("java (apt-get install default-jre-headless)", java),
                                        (f"{VNU} (WITH_TEST=1 scripts/setup: npm ci)", VNU.exists())) if not there]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"The Nu HTML checker needs {' and '.join(missing)}")
        pytest.skip(f"The Nu HTML checker needs {' and '.join(missing)}")
    return [java, "-jar", str(VNU), "--format", "json", "--errors-only"]


@pytest.fixture(scope="module")
def demo(database_url, tmp_path_factory):
    """The small demo of tests/small_demo.py, CSRF protection on, served through the test client."""
    app = demo_app(database_url, str(tmp_path_factory.mktemp("vnu-instance")))
    ids = seed(app)
    try:
        yield Demo("", ids, app)
    finally:
        with app.app_context():
            _empty_tables()
            db.engine.dispose()


class Documents:
    """The HTML to check, by a label saying where it came from; fragments wrapped in a page."""

    def __init__(self):
        self.by_label: dict[str, str] = {}
        self._seen: set[str] = set()

    def add(self, label: str, answer) -> None:
        assert answer.mimetype == "text/html", f"{label}: answered {answer.status_code} {answer.mimetype}"
        text = answer.get_data(as_text=True)
        if text in self._seen:
            return
        self._seen.add(text)
        if "<html" not in text[:300].lower():
            text = FRAGMENT_PAGE.format(fragment=text)
        self.by_label[label] = text


def _log_in(app, role: str, language: str):
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, language)
    answer = client.post("/login", data={"username": role, "password": PASSWORD,
                                         "csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True))})
    assert answer.status_code in (302, 303), f"{role} could not log in"
    return client


def _pages(demo: Demo, client, who: str, documents: Documents) -> int:
    """Every page the role can open, the same address asked for by htmx, and what the pages'
    own ``hx-get`` links fetch (a stage's edit form, a demand's row, a page's summary …). Returns
    how many whole pages the role could open."""
    code = demo.ids["code"]
    urls = page_urls(demo) + [
        f"/bulletins/{demo.ids['issued_bulletin_id']}", f"/bulletins/{demo.ids['signed_bulletin_id']}",
        f"/bulletins/{demo.ids['signed_bulletin_id']}/issue",
                              f"/projects?q={code}", f"/demands?q={code}"]
    htmx_links, pages = {}, 0
    for url in urls:
        for how, headers in (("page", {}), ("htmx", HX)):
            with client.get(url, headers=headers) as answer:  # closed: a photo or a PDF is a streamed file
                if answer.status_code == 200 and answer.mimetype == "text/html":
                    documents.add(f"{who} GET {url} ({how})", answer)
                    pages += how == "page" and "<html" in answer.get_data(as_text=True)[:300]
                    for link in HX_GET.findall(answer.get_data(as_text=True)):
                        htmx_links.setdefault(_kind_of_link(html.unescape(link)), html.unescape(link))
    for link in htmx_links.values():
        documents.add(f"{who} GET {link} (htmx, from a page)", client.get(link, headers=HX))
    documents.add(f"{who} GET /no-such-page", client.get("/no-such-page"))
    return pages


def _kind_of_link(link: str) -> tuple[str, str | None]:
    """One link of a kind is enough: the same path but for its ids, asking for the same fragment
    (the list's sort links differ only in their order)."""
    url = urlsplit(link)
    return re.sub(r"\d+", "N", url.path), parse_qs(url.query).get("fragment", [None])[0]


@dataclass
class State:
    """A form's state as the browser reaches it: a request, sent by htmx or as a whole page,
    with the page's CSRF token unless the session expired."""

    method: str
    url: str
    data: dict = field(default_factory=dict)
    htmx: bool = True
    token: bool = True


def _uploads() -> list:
    """Two files sent at once: one photo taken, one refused (each answered on its own line)."""
    return [(BytesIO(jpeg()), "东门入口.jpg"), (BytesIO(b"not a photo"), "说明.txt")]


def _state_requests(ids: dict, version: str) -> dict[str, State]:
    """Forms opened, sent with errors, in conflict, after the session expired, uploads answered."""
    code, consultation = ids["code"], ids["consultation_id"]
    stage = f"/projects/{code}/stages/{ids['key']}/edit"
    refused_completion = {"status": "completed", "percent": "50", "version": version}  # completed ⇔ 100%
    return {
        "stage form open": State("get", stage),
        "stage form with errors": State("post", stage, refused_completion),
        "stage form with errors (no JavaScript)": State("post", stage, refused_completion, htmx=False),
        "stage form in conflict": State("post", stage, {"status": "in_progress", "percent": "40",
                                                        "version": str(int(version) + 50)}),
        "stage form after the session expired": State("post", stage, refused_completion, token=False),
        "stage form after the session expired (no JavaScript)": State("post", stage, refused_completion,
                                                                      htmx=False, token=False),
        "consultation form with errors": State("post", f"/projects/{code}/consultations"),
        "consultation form with vote errors": State("post", f"/projects/{code}/consultations", {
            "has_vote": "y", "vote-owners_total": "abc", "topic": "加装电梯"}),
        "consultation form with errors (no JavaScript)": State("post", f"/projects/{code}/consultations", htmx=False),
        "vote outcome": State("post", f"/projects/{code}/consultations/vote-outcome", {
            "has_vote": "y", "vote-owners_total": "100", "vote-owners_agreed": "80"}),
        "demand form with errors": State("post", f"/projects/{code}/demands"),
        "demand form with errors (no JavaScript)": State("post", f"/projects/{code}/demands", htmx=False),
        "consultation's demand form with errors": State("post", f"/consultations/{consultation}/demands"),
        "demand row open": State("get", f"/demands/{ids['demand_id']}?fragment=row"),
        "demand handling with errors": State("post", f"/demands/{ids['demand_id']}/status",
                                             {"status": "declined", "version": "1"}),  # declined needs a reason
        "photo upload outcomes": State("post", f"/projects/{code}/photos", {"files": _uploads(), "phase": "during"}),
        "photo upload refused": State("post", f"/projects/{code}/photos", {"phase": "during"}),  # no file
        "consultation file outcomes": State("post", f"/consultations/{consultation}/attachments",
                                            {"files": _uploads(), "kind": "sign_in_sheet"}),
        "photo edit with errors": State("post", f"/photos/{ids['photo_id']}/edit", {"phase": "nonsense"}, htmx=False),
        "photo pair with errors": State("post", f"/photos/{ids['photo_id']}/pair", htmx=False),
        "pairing with errors": State("post", f"/projects/{code}/pairing"),
        "consultation edit with errors": State("post", f"/consultations/{consultation}/edit", htmx=False),
        "consultation delete with errors": State("post", f"/consultations/{consultation}/delete", htmx=False),
        "new user with errors": State("post", "/admin/users", htmx=False),
        "new token with errors": State("post", "/account/tokens", htmx=False),
        "bulletin with errors": State("post", "/bulletins", {"kind": "project"}, htmx=False),
        "ledger upload with errors": State("post", "/ledger/import", htmx=False),
        "problem form with errors": State("post", f"/projects/{code}/problems", {"category": "utilities"}),
        "problem form with errors (no JavaScript)": State("post", f"/projects/{code}/problems", htmx=False),
        "problem step with errors": State("post", f"/problems/{ids['problem_id']}/suspend", {"version": "1"}),
    }


def _states(demo: Demo, client, who: str, documents: Documents) -> set[str]:
    """Reaches every state the role may reach; the names of those it reached (not refused)."""
    token = csrf_token_from(client.get(f"/projects/{demo.ids['code']}").get_data(as_text=True))
    card = client.get(f"/projects/{demo.ids['code']}/stages/{demo.ids['key']}/edit", headers=HX).get_data(as_text=True)
    version = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', card)
    reached = set()
    for name, state in _state_requests(demo.ids, version.group(1) if version else "1").items():
        headers = {**HX, **({"X-CSRFToken": token} if state.token else {})} if state.htmx else {}
        if state.method == "get":
            answer = client.get(state.url, headers=headers)
        else:
            answer = client.post(state.url, headers=headers,
                                 data={**state.data, **({"csrf_token": token} if state.token else {})})
        if answer.status_code in (302, 303):
            raise AssertionError(f"{who} {name}: {state.url} was saved, not refused ({answer.headers['Location']})")
        documents.add(f"{who} {name} ({state.method.upper()} {state.url}: {answer.status_code})", answer)
        if answer.status_code not in (403, 404):
            reached.add(name)
    return reached


def _errors(command: list[str], folder: Path, labels: dict[str, str]) -> tuple[list[str], dict]:
    """The checker's errors, each as 'label → message → extract', and the raw messages by file."""
    # The JSON report goes to stderr; exit status 1 only says some error was found.
    run = subprocess.run([*command, *(str(folder / name) for name in sorted(labels))], check=False,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1) and run.stderr.startswith("{"), f"the checker failed: {run.stderr[-2000:]}"
    report = json.loads(run.stderr)
    by_file: dict[str, list[str]] = {}
    problems = []
    for message in report["messages"]:
        if message.get("type") == "non-document-error":
            raise AssertionError(f"the checker could not read a file: {message}")
        name = Path(message.get("url", "").removeprefix("file:")).name
        by_file.setdefault(name, []).append(message["message"])
        if message.get("type") != "error" or HTMX_ATTRIBUTE.match(message["message"]):
            continue
        problems.append(f"{labels.get(name, name)} → {message['message']} → {message.get('extract', '').strip()!r}")
    return problems, by_file


def test_every_page_and_htmx_state_is_valid_html(vnu, demo, tmp_path):
    documents, reached = Documents(), set()
    anonymous = demo.app.test_client()
    documents.add("anonymous GET /login", anonymous.get("/login"))
    documents.add("anonymous login refused", anonymous.post("/login", data={
        "username": "engineer", "password": "not-the-password",
        "csrf_token": csrf_token_from(anonymous.get("/login").get_data(as_text=True))}))
    for role in ROLES:
        for language in LANGUAGES:
            client = _log_in(demo.app, role, language)
            pages = _pages(demo, client, f"{role} {language}", documents)
            assert pages >= 8, f"{role} opened only {pages} pages"
            reached |= _states(demo, client, f"{role} {language}", documents)
    states = set(_state_requests(demo.ids, "1"))
    assert reached == states, f"no role reached {sorted(states - reached)}"

    labels = {"canary.html": "canary"}
    (tmp_path / "canary.html").write_text(CANARY, encoding="utf-8")
    for number, (label, text) in enumerate(documents.by_label.items()):
        (tmp_path / f"{number:03d}.html").write_text(text, encoding="utf-8")
        labels[f"{number:03d}.html"] = label
    problems, by_file = _errors(vnu, tmp_path, labels)

    assert by_file.get("canary.html") == ["Attribute “hx-get” not allowed on element “p” at this point.",
                                          "Duplicate ID “twice”."], by_file.get("canary.html")
    canary = [problem for problem in problems if problem.startswith("canary → ")]
    assert len(canary) == 1 and "Duplicate ID “twice”" in canary[0], canary
    problems = [problem for problem in problems if problem not in canary]
    assert problems == [], f"{len(problems)} errors:\n" + "\n".join(problems)
