"""Uploaded ledgers, kept until they are imported: ``instance/ledger-uploads/<sha256>.xlsx``
(their previews beside them: see :mod:`renovation.ledger.kept_previews`).

The preview and the commit both read the stored file by its sha256, so the commit re-reads and
re-judges exactly the bytes that were previewed; the file's name is its content, so the same
upload twice is stored once.
"""
import hashlib
import re
from pathlib import Path

from flask import current_app

from renovation.storage import FilesystemStorage

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def storage() -> FilesystemStorage:
    """The folder of uploaded ledgers and their previews."""
    return FilesystemStorage(Path(current_app.instance_path) / "ledger-uploads")


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
