"""Where photo files live: a small interface and its filesystem backend.

Keys are content-addressed (``originals/ab/cd/<sha256>``), so the same bytes are stored once
and a stored file never changes: a shared or object store can take the filesystem's place by
implementing the same four methods. Writes are atomic (temporary file, then rename), so a file
is either wholly there or not at all. Files are 0600 and folders 0700 (see
:mod:`renovation.private_files`).
"""
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from renovation.private_files import private_folder


class Storage(Protocol):
    def put(self, key: str, data: bytes | BinaryIO) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


def original_key(sha256: str) -> str:
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def derived_key(sha256: str, kind: str) -> str:
    """``kind`` is ``display`` or ``thumbnail``; both are JPEG."""
    return f"{kind}/{sha256[:2]}/{sha256[2:4]}/{sha256}.jpg"


class FilesystemStorage:
    """Files under one folder (by default ``instance/photos``)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"key outside the storage: {key}")
        return path

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        target = self.path(key)
        private_folder(target.parent)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                if isinstance(data, bytes):
                    handle.write(data)
                else:
                    data.seek(0)
                    while chunk := data.read(1 << 20):
                        handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


def storage_root() -> Path:
    """The folder of the app's stored files (``PHOTO_STORAGE_PATH``, default instance/photos): photos,
    consultation attachments, bulletin PDFs and uploaded ledgers. Several app servers share it (an
    NFS mount): a file stored through one is read through another."""
    from flask import current_app

    return Path(current_app.config.get("PHOTO_STORAGE_PATH") or Path(current_app.instance_path) / "photos")


def get_storage() -> Storage:
    """The storage configured for the app, in :func:`storage_root`."""
    from flask import current_app

    storage = current_app.extensions.get("renovation_storage")
    if storage is None:
        storage = current_app.extensions["renovation_storage"] = FilesystemStorage(storage_root())
    return storage
