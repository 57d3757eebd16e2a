"""``flask backup`` while the app writes, ``flask restore`` into an empty instance: every project,
photo, consultation and bulletin comes back byte for byte, with its files and the secret key.
On SQLite and on PostgreSQL (restored into a scratch database the test creates and drops)."""
import io
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from renovation import create_app
from renovation.domain.backup import BackupError, check_pg_dump_version
from renovation.domain.bulletins.issue import Scope, issue_bulletin
from renovation.domain.photos.operations import add_photo
from renovation.domain.residents.attachments import add_attachments
from renovation.domain.residents.consultations import add_consultation
from renovation.extensions import db
from renovation.ledger.uploads import store_upload
from renovation.storage import get_storage
from tests.conftest import days_ago, make_project, make_user
from tests.domain.photo_samples import heic, jpeg
from tests.domain.test_attachments import pdf

pytestmark = pytest.mark.slow

WRITTEN_DURING_THE_BACKUP = {"project", "stage", "compound"}
# The database's tallies of those (renovation/models/programme_tallies.py): restored, they count the
# snapshot's projects and stages, checked below.
TALLIES_OF_THE_WRITTEN = {"street_tally", "street_deadline_day", "stage_tally"}
WRITER_PREFIX = "ZP-2099-"


# --- the instance to restore into -------------------------------------------------------------------

@contextmanager
def scratch_database(source_url: str, tmp_path: Path):
    """An empty database of the source's kind: a new SQLite file, or a PostgreSQL database
    created beside the test database (``<name>_restore``) and dropped afterwards."""
    url = make_url(source_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'renovation.db'}"
        return
    name = f"{url.database}_restore"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def restore(target, destination: Path, *options: str):
    """``flask restore`` in the target's own app context (the test holds the source's)."""
    with target.app_context():
        return target.test_cli_runner().invoke(args=["restore", str(destination), *options])


def empty_instance(url: str, tmp_path: Path):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / "restored"),
                       "QUEUE_URL": "immediate"})


# --- what the source holds -------------------------------------------------------------------------

def seed() -> dict:
    """Projects, photos (JPEG, HEIC), a consultation with a PDF and an image, an issued bulletin, a ledger."""
    engineer = make_user()
    first, second = make_project(), make_project("ZP-2026-002", "新华新村", "九龙社区")
    taken = io.BytesIO(jpeg(seed=71, taken="2026:05:03 09:30:00"))
    add_photo(first, engineer, "东门 改造前.jpg", taken, "before", None)
    add_photo(second, engineer, "西门.HEIC", io.BytesIO(heic(seed=72)), "during", "survey", "雨污分流管道")
    meeting = add_consultation(first, engineer, {"date": days_ago(3), "kind": "council_meeting", "topic": "加装电梯"},
                               None)
    add_attachments(meeting, engineer, "minutes", [("纪要.pdf", io.BytesIO(pdf(title="纪要"))),
                                                   ("签到表.jpg", io.BytesIO(jpeg(seed=73)))])
    bulletin = issue_bulletin("city", Scope(), engineer, notes="加快推进滞后项目。")
    assert bulletin.pdf_key
    return {"ledger": store_upload(b"PK\x03\x04 an uploaded ledger")}


def rows(engine: sa.Engine, table: str) -> list[dict]:
    metadata = sa.MetaData()
    reflected = sa.Table(table, metadata, autoload_with=engine)
    with engine.connect() as connection:
        ordered = connection.execute(sa.select(reflected).order_by(*reflected.primary_key.columns))
        return [dict(row._mapping) for row in ordered]


def stored_files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@contextmanager
def writer_thread(app):
    """Another 'user' adding projects one after another for as long as the block runs."""
    stop, written, failures = threading.Event(), [], []

    def write():
        with app.app_context():
            try:
                while not stop.is_set() and len(written) < 500:
                    code = f"{WRITER_PREFIX}{len(written) + 1:03d}"
                    make_project(code, f"测试小区{len(written) + 1}")
                    written.append(code)
            except Exception as error:  # noqa: BLE001 (reported by the test below)
                failures.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while not written and not failures:
            stop.wait(0.01)
        yield written
    finally:
        stop.set()
        thread.join()
    assert not failures, failures


# --- the tests ---------------------------------------------------------------------------------------

def test_backup_while_writing_then_restore_into_an_empty_instance(app, runner, database_url, tmp_path):
    extra = seed()
    destination = tmp_path / "backup"
    with writer_thread(app) as written:
        before = len(written)
        result = runner.invoke(args=["backup", str(destination)])
        during = len(written)
    assert result.exit_code == 0, result.output
    assert during > before  # the backup really ran while projects were being written
    manifest = json.loads((destination / "manifest.json").read_text())
    assert manifest["database"]["engine"] == db.engine.dialect.name

    with scratch_database(database_url, tmp_path) as target_url:
        target = empty_instance(target_url, tmp_path)
        restored = restore(target, destination)
        assert restored.exit_code == 0, restored.output
        source_engine = db.engine
        with target.app_context():
            target_engine = db.engine
            assert sorted(sa.inspect(target_engine).get_table_names()) == sorted(
                sa.inspect(source_engine).get_table_names())
            for table in [*db.metadata.tables, "alembic_version"]:
                source_rows, target_rows = rows(source_engine, table), rows(target_engine, table)
                if table in WRITTEN_DURING_THE_BACKUP:  # the writer went on after the snapshot
                    assert target_rows == source_rows[:len(target_rows)], table
                elif table in TALLIES_OF_THE_WRITTEN:  # they count what the snapshot holds, not what came after
                    continue
                else:
                    assert target_rows == source_rows, table
            with target_engine.connect() as connection:
                assert connection.scalar(sa.text("SELECT sum(projects) FROM street_tally")) == connection.scalar(
                    sa.text("SELECT count(*) FROM project"))
                assert connection.scalar(sa.text("SELECT sum(projects) FROM street_deadline_day")) == connection.scalar(
                    sa.text("SELECT count(*) FROM project WHERE next_deadline IS NOT NULL"))
                assert connection.scalar(sa.text("SELECT sum(stages) FROM stage_tally")) == connection.scalar(
                    sa.text("SELECT count(*) FROM stage"))
            codes = [row["code"] for row in rows(target_engine, "project") if row["code"].startswith(WRITER_PREFIX)]
            # A consistent snapshot: the writer's projects up to some point, none missing in between.
            assert codes == [f"{WRITER_PREFIX}{n:03d}" for n in range(1, len(codes) + 1)]
            db.session.remove()
            target_engine.dispose()
        source_files = stored_files(Path(app.config["PHOTO_STORAGE_PATH"]))
        target_files = stored_files(Path(target.config["PHOTO_STORAGE_PATH"]))
        assert target_files == source_files
        with app.app_context():
            store = get_storage()
            for photo in rows(db.engine, "photo"):
                assert store.exists(f"originals/{photo['sha256'][:2]}/{photo['sha256'][2:4]}/{photo['sha256']}")
            assert all(store.exists(row["pdf_key"]) for row in rows(db.engine, "bulletin"))
        ledger = f"ledger-uploads/{extra['ledger']}.xlsx"  # with the stored files, shared by several servers
        assert (Path(target.config["PHOTO_STORAGE_PATH"]) / ledger).read_bytes() == (
            Path(app.config["PHOTO_STORAGE_PATH"]) / ledger).read_bytes()
        # The secret key comes back: sessions and signed links stay valid.
        assert empty_instance(target_url, tmp_path).config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_restore_refuses_a_target_that_is_not_empty_unless_forced(app, runner, database_url, tmp_path):
    seed()
    destination = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(destination)]).exit_code == 0
    refused = runner.invoke(args=["restore", str(destination)])  # into the source itself
    assert refused.exit_code != 0
    assert "not empty" in refused.output and "--force" in refused.output
    forced = runner.invoke(args=["restore", str(destination), "--force"])
    assert forced.exit_code == 0, forced.output
    assert len(rows(db.engine, "photo")) == 2


def test_a_damaged_backup_is_refused_before_anything_changes(app, runner, database_url, tmp_path):
    seed()
    destination = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(destination)]).exit_code == 0
    original = next((destination / "photos" / "originals").rglob("*"))
    while original.is_dir():
        original = next(original.iterdir())
    original.write_bytes(original.read_bytes()[:-1] + b"!")
    with scratch_database(database_url, tmp_path) as target_url:
        target = empty_instance(target_url, tmp_path)
        result = restore(target, destination)
        assert result.exit_code != 0
        assert "damaged" in result.output and original.name in result.output
        assert not (tmp_path / "restored" / "photos").exists()
        with target.app_context():
            assert sa.inspect(db.engine).get_table_names() == []
            db.engine.dispose()


def test_backup_refuses_a_folder_that_is_not_empty_or_inside_the_instance(app, runner, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    result = runner.invoke(args=["backup", str(tmp_path / "full")])
    assert result.exit_code != 0 and "not an empty folder" in result.output
    inside = runner.invoke(args=["backup", str(Path(app.instance_path) / "backups")])
    assert inside.exit_code != 0 and "inside the instance" in inside.output


def test_backup_files_are_private(app, runner, tmp_path):
    seed()
    destination = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(destination)]).exit_code == 0
    for path in [destination, *destination.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path


def test_a_pg_dump_older_than_the_server_is_named_clearly():
    with pytest.raises(BackupError, match="pg_dump is version 15 but the PostgreSQL server is version 16"):
        check_pg_dump_version(15, 16)
    check_pg_dump_version(16, 15)  # a newer pg_dump reads an older server


def test_backup_names_a_pg_dump_older_than_the_server(app, runner, tmp_path, monkeypatch):
    """On PostgreSQL an old pg_dump is refused by name; on SQLite no pg_dump is ever asked."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (tools / "pg_dump").chmod(0o700)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    if db.engine.dialect.name != "postgresql":
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code != 0
    assert "pg_dump is version 9 but the PostgreSQL server is version" in result.output
    assert "client tools" in result.output
