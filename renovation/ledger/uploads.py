"""Uploaded ledgers, kept until they are imported: ``ledger-uploads/<sha256>.xlsx`` in the stored
files' folder (:func:`renovation.storage.storage_root`), their previews beside them (see
:mod:`renovation.ledger.kept_previews`). Not in the instance folder, which is each server's own:
with several app servers the upload, its preview page and the import may each reach another
server, and a large file is judged by a worker on yet another host.

The preview and the commit both read the stored file by its sha256, so the commit re-reads and
re-judges exactly the bytes that were previewed; the file's name is its content, so the same
upload twice is stored once.
"""
import hashlib
import re
from pathlib import Path

from renovation.storage import FilesystemStorage, storage_root

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def storage() -> FilesystemStorage:
    """The folder of uploaded ledgers and their previews."""
    return FilesystemStorage(storage_root() / "ledger-uploads")


def store_upload(data: bytes) -> str:
    """Keep the uploaded workbook and return its sha256."""
    sha256 = hashlib.sha256(data).hexdigest()
    folder = storage()
    if not folder.exists(f"{sha256}.xlsx"):
        folder.put(f"{sha256}.xlsx", data)
    return sha256


def upload_path(sha256: str) -> Path | None:
    """The stored workbook with this sha256, or None."""
    if not SHA256.match(sha256 or ""):
        return None
    path = storage().path(f"{sha256}.xlsx")
    return path if path.is_file() else None
