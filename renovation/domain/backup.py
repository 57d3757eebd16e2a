"""Backing up a running instance and restoring it: the database, the stored files, the secret key.

A backup is a folder::

    manifest.json        what is in it, with the sha256 and size of every other file
    database.sqlite3     SQLite's online backup API (a consistent copy while the app writes)
    database.dump        or PostgreSQL's pg_dump, custom format (one repeatable-read snapshot)
    queue.sqlite3        the SQLite job queue, when there is one (queued bulletin renders)
    secret_key           the key the app signs sessions with
    photos/...           the file storage: photos, consultation attachments, bulletin PDFs
    instance/...         the rest of the instance folder that is data (uploaded ledgers, ...)

Why the copy is consistent while the app runs: the database is copied first, in one snapshot;
the files afterwards. Stored files are named by their content and written before the row that
names them is committed, and never change, so every file a row of the snapshot names is
already there when the files are copied (files added later are copied too, and harmless).

The instance folder's ``config.py`` is configuration, not data (it may name the very database
being backed up): it is left out; keep it with the deployment's other settings.
"""
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from renovation.private_files import FILE_MODE, private_folder, sqlite_files

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE, DUMP_FILE, QUEUE_FILE, KEY_FILE = "database.sqlite3", "database.dump", "queue.sqlite3", "secret_key"
# Never data: configuration, and the temporary files of writes in progress.
SKIPPED_NAMES = {"config.py", "secret_key"}
SKIPPED_PREFIXES = (".incoming-", ".secret_key.", ".restore-")
CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why and what to do."""


@dataclass
class Instance:
    """Where one instance keeps its data (see :func:`instance_of`)."""

    database_url: str
    instance_path: Path
    photo_path: Path
    queue_file: Path | None  # the SQLite queue, when the queue is one
    secret_key: str


def instance_of(app) -> Instance:
    """The :class:`Instance` of a Flask app, from its configuration."""
    instance_path = Path(app.instance_path)
    queue_url = app.config.get("QUEUE_URL", "")
    queue_file = (instance_path / "queue.db" if not queue_url
                  else Path(queue_url.removeprefix("sqlite:///")) if queue_url.startswith("sqlite:///") else None)
    return Instance(database_url=app.config["SQLALCHEMY_DATABASE_URI"], instance_path=instance_path,
                    photo_path=Path(app.config.get("PHOTO_STORAGE_PATH") or instance_path / "photos"),
                    queue_file=queue_file, secret_key=app.config["SECRET_KEY"])


# --- backup ---------------------------------------------------------------------------------------

def make_backup(source: Instance, engine: sa.Engine, destination: Path) -> dict:
    """Copy ``source`` into the new or empty folder ``destination``; return the manifest."""
    destination = destination.resolve()
    for data_folder in (source.instance_path, source.photo_path):
        if destination == data_folder.resolve() or data_folder.resolve() in destination.parents:
            raise BackupError(f"{destination} is inside the instance's data ({data_folder}): choose another place.")
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} already exists and is not an empty folder.")
    private_folder(destination)
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": _backup_database(source.database_url, engine, destination), "files": {}}
    # The database first, then the files (see the module's docstring).
    if source.queue_file is not None and source.queue_file.exists():
        _sqlite_copy(source.queue_file, destination / QUEUE_FILE)
    _write_private(destination / KEY_FILE, source.secret_key.encode())
    skipped = _skipped_paths(source)
    _copy_tree(source.photo_path, destination / "photos", skipped)
    _copy_tree(source.instance_path, destination / "instance", skipped | {source.photo_path.resolve()})
    manifest["files"] = {str(path.relative_to(destination)): _fingerprint(path)
                         for path in sorted(destination.rglob("*")) if path.is_file()}
    _write_private(destination / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
    return manifest


def _backup_database(url: str, engine: sa.Engine, destination: Path) -> dict:
    with engine.connect() as connection:
        revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    if engine.dialect.name == "sqlite":
        _sqlite_copy(Path(make_url(url).database), destination / SQLITE_FILE)
        return {"engine": "sqlite", "file": SQLITE_FILE, "revision": revision}
    if engine.dialect.name != "postgresql":
        raise BackupError(f"Backing up a {engine.dialect.name} database is not supported.")
    with engine.connect() as connection:
        server = int(connection.execute(sa.text("SHOW server_version_num")).scalar()) // 10000
    pg_dump = _tool("pg_dump")
    client = _tool_major(pg_dump)
    check_pg_dump_version(client, server)
    target = destination / DUMP_FILE
    _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--lock-wait-timeout=30s", f"--file={target}",
          f"--dbname={_libpq_url(url)}"], url)
    target.chmod(FILE_MODE)
    return {"engine": "postgresql", "file": DUMP_FILE, "revision": revision, "server_major": server,
            "pg_dump_major": client}


def check_pg_dump_version(client: int, server: int) -> None:
    """pg_dump refuses a newer server: say which client tools to install."""
    if client < server:
        raise BackupError(f"pg_dump is version {client} but the PostgreSQL server is version {server}: "
                          f"install the PostgreSQL {server} client tools (e.g. postgresql-client-{server}) "
                          "and put them first on PATH.")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: one consistent copy while others keep writing."""
    with closing(sqlite3.connect(source, timeout=30)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)  # all pages in one step: one read transaction, one snapshot
    target.chmod(FILE_MODE)


def _skipped_paths(source: Instance) -> set[Path]:
    """The database and queue files (copied through SQLite, never as plain files)."""
    files = [*sqlite_files(source.database_url)]
    if source.queue_file is not None:
        files += sqlite_files(f"sqlite:///{source.queue_file}")
    return {path.resolve() for path in files}


def _copy_tree(root: Path, target: Path, skipped: set[Path]) -> None:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        resolved = path.resolve()
        if (resolved in skipped or any(parent in skipped for parent in resolved.parents)
                or path.name in SKIPPED_NAMES and path.parent == root or path.name.startswith(SKIPPED_PREFIXES)
                or not path.is_file()):
            continue
        copy = target / path.relative_to(root)
        private_folder(copy.parent)
        try:
            shutil.copyfile(path, copy)
        except FileNotFoundError:
            continue  # removed meanwhile (an upload undone): not part of the snapshot
        copy.chmod(FILE_MODE)


# --- restore --------------------------------------------------------------------------------------

def read_manifest(backup: Path) -> dict:
    """The manifest, after checking every file it lists against its sha256 and size."""
    try:
        manifest = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{backup} is not a complete backup: {MANIFEST} cannot be read ({error}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{backup} is a backup of format {manifest.get('format')}; this version reads {FORMAT}.")
    damaged = []
    for name, expected in manifest["files"].items():
        path = backup / name
        if ".." in Path(name).parts or not path.is_file() or _fingerprint(path) != expected:
            damaged.append(name)
    if damaged:
        shown = ", ".join(damaged[:5]) + (f" and {len(damaged) - 5} more" if len(damaged) > 5 else "")
        raise BackupError(f"The backup is damaged: {shown} missing or changed since it was made. Nothing was restored.")
    return manifest


def target_contents(target: Instance, engine: sa.Engine) -> list[str]:
    """What the target already holds (empty for an empty instance): tables with rows, stored files."""
    found = []
    inspector = sa.inspect(engine)
    with engine.connect() as connection:
        for table in inspector.get_table_names():
            if table != "alembic_version" and connection.execute(
                    sa.select(sa.literal(1)).select_from(sa.table(table)).limit(1)).first():
                found.append(f"table {table}")
    skipped = _skipped_paths(target)
    for root in (target.photo_path, target.instance_path):
        for path in root.rglob("*") if root.is_dir() else []:
            if (path.is_file() and path.resolve() not in skipped and path.name not in SKIPPED_NAMES
                    and not path.name.startswith(SKIPPED_PREFIXES)):
                found.append(str(path))
                break
    return found


def restore_backup(backup: Path, target: Instance, engine: sa.Engine, *, force: bool = False) -> dict:
    """Bring the backup in ``backup`` back into ``target``; return its manifest.

    Refuses a target that already holds data unless ``force``; checks the whole backup before
    changing anything.
    """
    manifest = read_manifest(backup)
    database = manifest["database"]
    if database["engine"] != engine.dialect.name:
        raise BackupError(f"The backup holds a {database['engine']} database; this instance uses "
                          f"{engine.dialect.name}. Restore it into an instance of the same kind.")
    present = target_contents(target, engine)
    if present and not force:
        raise BackupError("The target instance is not empty (" + ", ".join(present[:3]) + "). "
                          "Restore into an empty instance, or add --force to replace its data.")
    engine.dispose()  # the caller's session is closed: no connection of ours holds a lock
    if database["engine"] == "sqlite":
        _restore_sqlite(backup / database["file"], Path(make_url(target.database_url).database))
    else:
        _restore_postgres(backup / database["file"], target.database_url, database.get("pg_dump_major", 0))
    if target.queue_file is not None and (backup / QUEUE_FILE).exists():
        private_folder(target.queue_file.parent)
        _restore_sqlite(backup / QUEUE_FILE, target.queue_file)
    _restore_tree(backup / "photos", target.photo_path)
    _restore_tree(backup / "instance", target.instance_path)
    _replace_file(target.instance_path / KEY_FILE, (backup / KEY_FILE).read_bytes())
    return manifest


def _restore_sqlite(source: Path, target: Path) -> None:
    private_folder(target.parent)
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target, timeout=30)) as writer:
        reader.backup(writer)  # replaces every page of the target
    for path in sqlite_files(f"sqlite:///{target}"):
        if path.exists():
            path.chmod(FILE_MODE)


def _restore_postgres(dump: Path, url: str, dumped_by: int) -> None:
    pg_restore = _tool("pg_restore")
    version = _tool_major(pg_restore)
    if version < dumped_by:
        raise BackupError(f"The backup was made by pg_dump {dumped_by} but pg_restore is version {version}: "
                          f"install the PostgreSQL {dumped_by} client tools and put them first on PATH.")
    # A running app holding locks on the tables would make pg_restore wait forever: give up instead.
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={_libpq_url(url)}", str(dump)], url, lock_timeout="30s")


def _restore_tree(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if path.is_file():
            _replace_file(target / path.relative_to(source), path.read_bytes())


def _replace_file(target: Path, data: bytes) -> None:
    """Write ``data`` at ``target`` (0600) through a temporary file: never half-written."""
    private_folder(target.parent)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- small pieces ---------------------------------------------------------------------------------

def _fingerprint(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client tools.")
    return found


def _tool_major(program: str) -> int:
    output = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"Cannot tell the version of {program} from: {output.strip()}")
    return int(match.group(1))


def _libpq_url(url: str) -> str:
    """The database URL as libpq reads it, without the password (passed in the environment)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: str, lock_timeout: str | None = None) -> None:
    environment = dict(os.environ)
    if lock_timeout:
        environment["PGOPTIONS"] = f"{environment.get('PGOPTIONS', '')} -c lock_timeout={lock_timeout}".strip()
    password = make_url(url).password
    if password:
        environment["PGPASSWORD"] = password
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")
