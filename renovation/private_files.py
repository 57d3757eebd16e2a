"""Data at rest readable by the app's user only: files 0600, folders 0700.

The app's process runs with umask 077 (set first thing in ``create_app``),
so whatever it creates is private without each writer remembering it: the SQLite database
(and its -wal and -shm files, which SQLite gives the database file's own mode), the job queue, the
secret key, stored photos, attachments, bulletin PDFs and uploaded ledgers, and anything a
library writes (WeasyPrint, Huey). A process-wide umask is the one setting that also covers
files created by SQLite itself; the storage layer still asks for 0600/0700 explicitly
(:class:`renovation.storage.FilesystemStorage`), so it stays private if embedded elsewhere.

Files of an instance made before this was in place are tightened at start (the known files
and the data folders; a 0700 folder also closes everything beneath it to other users).
"""
import os
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

PRIVATE_UMASK = 0o077
FILE_MODE, FOLDER_MODE = 0o600, 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def use_private_umask() -> None:
    """From now on this process creates files 0600 and folders 0700."""
    os.umask(PRIVATE_UMASK)


def init_app(app: Flask) -> None:
    """Private umask for the process; tighten the instance's existing data files and folders."""
    use_private_umask()
    instance = Path(app.instance_path)
    for folder in data_folders(app):
        _tighten(folder, FOLDER_MODE)
    for path in (instance / "secret_key", instance / "demo-logins.txt",
                 *sqlite_files(app.config["SQLALCHEMY_DATABASE_URI"]), *sqlite_files(_queue_url(app))):
        _tighten(path, FILE_MODE)


def data_folders(app: Flask) -> list[Path]:
    """The instance folder and the stored files' folder (which may lie outside it, shared by
    several servers), with the uploaded ledgers in it."""
    instance = Path(app.instance_path)
    stored = Path(app.config.get("PHOTO_STORAGE_PATH") or instance / "photos")
    return [instance, stored, stored / "ledger-uploads"]


def sqlite_files(url: str) -> list[Path]:
    """A SQLite database file and its companions (empty for another database)."""
    if not url or not url.startswith("sqlite:///") or ":memory:" in url:
        return []
    database = make_url(url).database
    return [Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS] if database else []


def private_folder(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700 folders."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            pass  # another writer was first


def _queue_url(app: Flask) -> str:
    url = app.config.get("QUEUE_URL", "")
    if not url:
        return f"sqlite:///{Path(app.instance_path) / 'queue.db'}"
    return url if url.startswith("sqlite:///") else ""


def _tighten(path: Path, mode: int) -> None:
    try:
        if path.exists() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change (a read-only mount): nothing to tighten
