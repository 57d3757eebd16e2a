"""Data at rest is readable by the app's user only: every file the app writes in its instance
folder is 0600 and every folder 0700, whatever umask the process was started with."""
import io
import os
import stat
from pathlib import Path

import pytest
from flask_migrate import upgrade

from renovation import create_app, tasks
from renovation.domain.photos.operations import add_photo
from renovation.domain.residents.attachments import add_attachments
from renovation.domain.residents.consultations import add_consultation
from renovation.extensions import db
from renovation.ledger.uploads import store_upload
from renovation.storage import get_storage
from tests.conftest import days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg
from tests.domain.test_attachments import pdf


@pytest.fixture
def loose_umask():
    """The usual 022 of a login shell, put back afterwards."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(root: Path) -> dict[str, str]:
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.stat().st_mode))
    return found


def test_everything_the_app_writes_is_private(tmp_path, loose_umask):
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        engineer = make_user()
        project = make_project()
        add_photo(project, engineer, "东门.jpg", io.BytesIO(jpeg(seed=61)), "before", None)
        meeting = add_consultation(project, engineer, {"date": days_ago(1), "kind": "council_meeting",
                                                       "topic": "雨污分流"}, None)
        [outcome] = add_attachments(meeting, engineer, "minutes", [("纪要.pdf", io.BytesIO(pdf()))])
        assert outcome.attachment is not None
        get_storage().put("bulletins/ab/cd/abcd.pdf", b"%PDF-1.4\n%%EOF\n")
        store_upload(b"PK\x03\x04 a workbook")
        tasks.app_queue(app).storage.enqueue(b"job", 0)
        # While the database is open: its write-ahead log and shared-memory files exist too.
        found = modes(instance)
        db.session.remove()
        db.engine.dispose()
    for name in ("renovation.db", "renovation.db-wal", "renovation.db-shm", "queue.db", "secret_key"):
        assert name in found, name
    assert any(name.startswith("photos/originals/") for name in found)
    assert any(name.startswith("photos/ledger-uploads/") for name in found)
    loose = {name: mode for name, mode in found.items()
             if mode != (oct(0o700) if (instance / name).is_dir() else oct(0o600))}
    assert loose == {}


def test_an_older_instance_is_tightened_at_start(tmp_path, loose_umask):
    instance = tmp_path / "instance"
    (instance / "photos" / "originals").mkdir(parents=True, mode=0o755)
    instance.chmod(0o755)
    (instance / "secret_key").write_text("an old key")
    (instance / "secret_key").chmod(0o644)
    (instance / "renovation.db").touch(mode=0o644)
    create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "photos").stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "renovation.db").stat().st_mode) == 0o600
