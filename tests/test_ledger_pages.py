"""The ledger import as an engineer uses it: upload → preview (problems first) → import, the
template, the stale-preview refusal, and the same through the command line."""
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from renovation import tasks
from renovation.domain.ledger.columns import COLUMNS
from renovation.extensions import db
from renovation.models import AuditEntry, Project
from tests.conftest import login, make_project, make_user
from tests.ledger_samples import HEADERS, entity_bomb, ledger_file, merged_bomb, programme_rows, row_of, zip_bomb
from tests.test_permissions import database_state


def count_projects() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Project))


def upload(client, data: bytes, name="台账.xlsx"):
    return client.post("/ledger/import", data={"ledger": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def broken_rows():
    rows = programme_rows(141)
    rows[11][HEADERS.index(" 户 数 ")] = "12.5"
    rows[49][HEADERS.index("计划竣工")] = "下个月"
    rows[99][0] = None
    return rows


def fingerprint_in(html: str) -> str:
    return re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', html).group(1)


def test_upload_preview_and_import(client, engineer):
    login(client)
    assert "项目编号" in load_workbook(io.BytesIO(client.get("/ledger/template.xlsx").data)).worksheets[1]["A2"].value
    response = upload(client, ledger_file(broken_rows()))
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "ledger-problems" in page and 'name="fingerprint"' not in page  # no import button
    for row, column in ((row_of(12), "户数"), (row_of(50), "计划竣工"), (row_of(100), "项目编号")):
        assert re.search(rf"<td class=\"num\">{row}</td><td>{column}</td>", page), (row, column)
    assert page.index("ledger-problems") < page.index("ledger-creates")
    assert client.post(preview_url, data={"fingerprint": "x"}).status_code == 422
    assert count_projects() == 0

    response = upload(client, ledger_file(programme_rows(141)))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ledger-problems" not in page and "新华新村1号院" in page
    response = client.post(response.headers["Location"], data={"fingerprint": fingerprint_in(page)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/projects")
    assert count_projects() == 141
    details = db.session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "ledger.import"))
    assert details["created"] == 141


def test_a_stale_preview_is_refused(client, engineer):
    make_project("ZP-2025-001", compound="新华新村1号院", community="铁路社区", street="桂林街道")
    login(client)
    location = upload(client, ledger_file(programme_rows(1))).headers["Location"]
    fingerprint = fingerprint_in(client.get(location).get_data(as_text=True))
    project = db.session.scalar(sa.select(Project))
    project.households = 77  # changed by someone else after the preview
    db.session.commit()
    before = database_state()
    response = client.post(location, data={"fingerprint": fingerprint})
    assert response.status_code == 409 and 'name="fingerprint"' in response.get_data(as_text=True)
    assert database_state() == before


def test_what_is_not_a_ledger(client, engineer):
    """Refused on the upload form itself, before anything is kept or parsed."""
    login(client)
    for data, name in ((b"name,address\n", "台账.csv"), (b"PK not really", "台账.xlsx")):
        response = upload(client, data, name=name)
        assert response.status_code == 422 and "不是 Excel 工作簿（.xlsx）" in response.get_data(as_text=True)
    location = upload(client, ledger_file([], ["名称", "地址"])).headers["Location"]  # a workbook, no ledger
    page = client.get(location)
    assert page.status_code == 200 and "项目编号" in page.get_data(as_text=True)


HOSTILE = {"merged ranges": (merged_bomb, "合并"), "zip bomb": (zip_bomb, "解压"),
           "billion laughs": (entity_bomb, "DTD")}


@pytest.mark.slow
@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_workbook_is_refused_on_the_page_and_on_the_command_line(client, runner, engineer, tmp_path,
                                                                          kind):
    build, words = HOSTILE[kind]
    data = build()
    login(client)
    response = upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and words in page and "field-error" in page
    assert not list((tmp_path / "instance" / "photos" / "ledger-uploads").glob("*"))  # nothing kept

    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    result = runner.invoke(args=["import-ledger", str(path), "--commit"])
    assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output
    assert count_projects() == 0


def test_a_real_workbook_is_read_whatever_its_name(client, engineer):
    """Browsers and download folders lose extensions: the content decides, as for photos."""
    login(client)
    response = upload(client, ledger_file(programme_rows(3)), name="download")
    assert response.status_code == 303 and "/ledger/import/" in response.headers["Location"]
    assert "3" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_export_then_import_reports_no_changes(client, engineer):
    for number in range(1, 4):
        make_project(f"ZP-2026-{number:03d}", compound=f"粮食局宿舍{number}号楼")
    make_project("ZP-2026-004", compound="-1号楼", stages={"survey": {"note": "=A1"}})  # look like formulas
    login(client)
    exported = client.get("/exports/projects.xlsx").data
    location = upload(client, exported).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "ledger-updates" not in page and "ledger-creates" not in page
    assert "没有变化" in page or "No changes" in page
    before = database_state()
    response = client.post(location, data={"fingerprint": fingerprint_in(page)})
    assert response.status_code == 303
    assert database_state() == before


def test_import_ledger_command(app, runner, tmp_path):
    make_user("engineer", "engineer")
    broken, fixed = tmp_path / "broken.xlsx", tmp_path / "fixed.xlsx"
    broken.write_bytes(ledger_file(broken_rows()))
    fixed.write_bytes(ledger_file(programme_rows(141)))

    result = runner.invoke(args=["import-ledger", str(broken), "--commit"])
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("  row ") and "[" in line]
    assert {re.match(r"  row (\d+)  \[([^\]]+)\]", line).groups() for line in problems} == {
        (str(row_of(12)), "户数"), (str(row_of(50)), "计划竣工"), (str(row_of(100)), "项目编号")}
    assert count_projects() == 0

    assert runner.invoke(args=["import-ledger", str(fixed)]).exit_code == 0
    assert count_projects() == 0  # a preview only
    result = runner.invoke(args=["import-ledger", str(fixed), "--commit", "--user", "engineer"])
    assert result.exit_code == 0 and "141" in result.output
    before = database_state()
    result = runner.invoke(args=["import-ledger", str(fixed), "--commit"])
    assert result.exit_code == 0 and "Nothing to import" in result.output
    assert database_state() == before
    assert [column.header for column in COLUMNS][:2] == ["项目编号", "小区名称"]


def test_the_preview_is_computed_once_and_kept(client, engineer, monkeypatch, tmp_path):
    from renovation.ledger import kept_previews

    judged = []
    real = kept_previews.preview_ledger
    monkeypatch.setattr(kept_previews, "preview_ledger",
                        lambda *args, **kwargs: judged.append(1) or real(*args, **kwargs))
    login(client)
    location = upload(client, ledger_file(broken_rows())).headers["Location"]
    pages = [client.get(location).get_data(as_text=True) for _ in range(3)]
    assert len(judged) == 1 and pages[0] == pages[2]
    assert re.search(rf"<td class=\"num\">{row_of(12)}</td><td>户数</td>", pages[2])  # problems, from the kept copy
    assert list((tmp_path / "instance" / "photos" / "ledger-uploads").glob("*.preview.json"))
    assert "请填写整数。" in pages[0]
    client.set_cookie("lang", "en")  # the kept messages speak each reader's language
    english = client.get(location).get_data(as_text=True)
    assert "Enter a whole number." in english and len(judged) == 1


def test_a_large_ledger_is_previewed_by_the_worker_with_a_progress_bar(app, client, engineer, monkeypatch):
    from renovation.domain.ledger import preview as ledger_import
    from renovation.domain.ledger import reader as ledger_reader
    from renovation.ledger import kept_previews

    app.config["LEDGER_BACKGROUND_ROWS"] = 100
    queued = []
    monkeypatch.setitem(tasks.app_jobs(app), "preview_ledger", queued.append)  # a worker not yet started
    login(client)
    location = upload(client, ledger_file(programme_rows(141))).headers["Location"]
    sha256 = location.rsplit("/", 1)[1]
    assert queued == [sha256]
    page = client.get(location).get_data(as_text=True)
    assert "<progress" in page and 'hx-trigger="every 1s"' in page and "正在排队" in page
    assert 'name="fingerprint"' not in page
    fragment = client.get(f"{location}?fragment=progress", headers={"HX-Request": "true"})
    assert "<progress" in fragment.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)

    reported = []
    write = kept_previews._write
    monkeypatch.setattr(kept_previews, "_write", lambda key, content: reported.append(content) or write(key, content))
    monkeypatch.setattr(ledger_reader, "PROGRESS_EVERY", 40)
    monkeypatch.setattr(ledger_import, "PROGRESS_EVERY", 40)
    kept_previews.compute_and_keep(sha256)  # what the worker runs
    fractions = [content["fraction"] for content in reported if "fraction" in content]
    assert fractions == sorted(fractions) and len(set(fractions)) >= 4 and 0 < fractions[-1] < 1

    done = client.get(f"{location}?fragment=progress", headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true"  # the polling ends: the page shows the preview
    page = client.get(location).get_data(as_text=True)
    assert "<progress" not in page and "ledger-creates" in page
    assert client.post(location, data={"fingerprint": fingerprint_in(page)}).status_code == 303
    assert count_projects() == 141


def test_a_worker_that_died_while_previewing_is_noticed(app, client, engineer, monkeypatch, tmp_path):
    import json
    import time

    app.config["LEDGER_BACKGROUND_ROWS"] = 100
    monkeypatch.setitem(tasks.app_jobs(app), "preview_ledger", lambda sha256: None)
    login(client)
    location = upload(client, ledger_file(programme_rows(141))).headers["Location"]
    progress = next((tmp_path / "instance" / "photos" / "ledger-uploads").glob("*.progress.json"))
    long_ago = time.time() - app.config["LEDGER_PREVIEW_SECONDS"] - 120
    progress.write_text(json.dumps({"fraction": 0.4, "started": True, "queued_at": long_ago, "updated_at": long_ago}))
    page = client.get(location).get_data(as_text=True)
    assert "读取该台账时中断了" in page and "<progress" not in page


@pytest.mark.slow
def test_a_real_worker_process_previews_a_large_ledger(app, client, engineer, database_url, tmp_path):
    import time

    from tests.worker_process import queue_jobs_into, worker_process

    app.config["LEDGER_BACKGROUND_ROWS"] = 100
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    queue = queue_jobs_into(app, queue_url)
    login(client)
    location = upload(client, ledger_file(programme_rows(141))).headers["Location"]
    assert queue.pending_count() == 1 and "<progress" in client.get(location).get_data(as_text=True)
    with worker_process(app, database_url, queue_url) as worker:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and worker.poll() is None:
            fragment = client.get(f"{location}?fragment=progress", headers={"HX-Request": "true"})
            if fragment.headers.get("HX-Refresh"):
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the worker did not preview the ledger")
    page = client.get(location).get_data(as_text=True)
    assert "ledger-creates" in page and 'name="fingerprint"' in page
