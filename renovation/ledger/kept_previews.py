"""The preview of an uploaded ledger, computed once and kept beside the upload.

``ledger-uploads/<sha256>.preview.json``, in the stored files' folder, holds the preview (or why
the file was refused) and every later GET reads it instead of judging 20,000 rows again; while a
large file is judged by the background worker, ``<sha256>.progress.json`` says how far it has
come, for the page's progress bar. The commit never trusts what is kept: it judges the file afresh and
compares fingerprints, so a kept preview the database has moved away from is refused as stale.
"""
import json
import logging
import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from renovation.domain.clock import today
from renovation.domain.ledger.limits import LedgerFileError, check_workbook, current_limits
from renovation.domain.ledger.preview import LedgerPreview, preview_ledger
from renovation.domain.ledger.preview_json import (
    error_to_json,
    is_refusal,
    preview_from_json,
    preview_to_json,
    refusal_from_json,
)
from renovation.ledger.uploads import storage, upload_path
from renovation.tasks import enqueue

WORKER_NOTICE_SECONDS = 60  # queued this long without a start: the worker is probably not running
logger = logging.getLogger(__name__)


@dataclass
class PreviewState:
    """Where the preview of one upload stands."""

    preview: LedgerPreview | None = None
    fingerprint: str = ""
    file_error: object = None
    running: bool = False
    fraction: float = 0.0
    started: bool = False
    waiting_long: bool = False

    @property
    def percent(self) -> int:
        return int(self.fraction * 100)


def _preview_key(sha256: str) -> str:
    return f"{sha256}.preview.json"


def _progress_key(sha256: str) -> str:
    return f"{sha256}.progress.json"


def _read(key: str) -> dict | None:
    path = storage().path(key)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def _write(key: str, content: dict) -> None:
    storage().put(key, json.dumps(content, ensure_ascii=False).encode("utf-8"))


def check_upload(data) -> int:
    """Refuse an upload beyond the limits (:class:`LedgerFileError`); its rows when it is not."""
    return check_workbook(data, current_limits()).rows


def start_preview(sha256: str, rows: int | None = None) -> None:
    """Judge the upload now when it is small, or queue it for the worker when it has more than
    ``LEDGER_BACKGROUND_ROWS`` rows; ``rows`` is what :func:`check_upload` counted, if known."""
    if rows is None:
        try:
            rows = check_workbook(upload_path(sha256), current_limits()).rows
        except LedgerFileError as error:
            _write(_preview_key(sha256), error_to_json(error.message))
            return
    if rows > current_app.config["LEDGER_BACKGROUND_ROWS"]:
        _write(_progress_key(sha256), {"fraction": 0.0, "started": False, "queued_at": time.time()})
        enqueue("preview_ledger", sha256)
    else:
        compute_and_keep(sha256)


def compute_and_keep(sha256: str) -> None:
    """Judge the upload and keep the outcome, reporting progress as it goes (the worker's job)."""
    path = upload_path(sha256)
    if path is None:
        storage().delete(_progress_key(sha256))
        return
    queued_at = (_read(_progress_key(sha256)) or {}).get("queued_at", time.time())

    def report(fraction: float) -> None:
        _write(_progress_key(sha256), {"fraction": round(fraction, 3), "started": True, "queued_at": queued_at,
                                       "updated_at": time.time()})

    try:
        report(0.0)
        kept = preview_to_json(preview_ledger(path, today(), current_limits(), report))
    except LedgerFileError as error:
        kept = error_to_json(error.message)
    except Exception:  # noqa: BLE001 - the page must stop waiting, whatever went wrong
        logger.exception("ledger preview %s failed", sha256)
        kept = error_to_json(_l("The preview of this ledger failed unexpectedly. Upload it again; if it fails "
                                "again, tell the system administrator."))
    _write(_preview_key(sha256), kept)
    storage().delete(_progress_key(sha256))


def keep(sha256: str, preview: LedgerPreview) -> None:
    """Keep a preview judged elsewhere (the commit's fresh one) in place of the old."""
    _write(_preview_key(sha256), preview_to_json(preview))


def forget(sha256: str) -> None:
    """Drop the kept preview (after an import it no longer says what the file would do)."""
    storage().delete(_preview_key(sha256))


def _stalled(progress: dict) -> bool:
    """Started, then silent for longer than a preview may take: the worker died on the way."""
    silent = time.time() - progress.get("updated_at", time.time())
    return progress.get("started", False) and silent > current_app.config["LEDGER_PREVIEW_SECONDS"] + 60


def preview_state(sha256: str) -> PreviewState:
    """The kept preview, or how far its computation has come; starts it when neither exists."""
    for attempt in range(2):
        kept = _read(_preview_key(sha256))
        if kept is not None:
            if is_refusal(kept):
                return PreviewState(file_error=refusal_from_json(kept))
            preview, fingerprint = preview_from_json(kept)
            return PreviewState(preview=preview, fingerprint=fingerprint)
        progress = _read(_progress_key(sha256))
        if progress is not None:
            if _stalled(progress):
                storage().delete(_progress_key(sha256))  # reloading the page starts it again
                return PreviewState(file_error=_l(
                    "The background worker stopped while reading this ledger. Reload the page to read it again."))
            waited = time.time() - progress.get("queued_at", time.time())
            return PreviewState(running=True, fraction=progress.get("fraction", 0.0),
                                started=progress.get("started", False),
                                waiting_long=not progress.get("started") and waited > WORKER_NOTICE_SECONDS)
        if attempt == 0:
            start_preview(sha256)
    return PreviewState(running=True)
