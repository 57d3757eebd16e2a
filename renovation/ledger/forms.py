"""Forms of the ledger pages: the upload and the confirmation of an import."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField

from renovation.app_form import AppForm


class LedgerUploadForm(AppForm):
    """One .xlsx workbook."""

    ledger = FileField(_l("Ledger (.xlsx)"), validators=[
        FileRequired(_l("Choose the ledger file.")),
    ])  # judged by its content, not its name: see ledger_reader


class CommitLedgerForm(AppForm):
    """Confirms the preview the user saw: ``fingerprint`` identifies what it would change."""

    fingerprint = HiddenField()
