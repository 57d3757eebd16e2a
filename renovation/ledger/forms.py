"""Forms of the ledger pages: the upload and the confirmation of an import."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField


class LedgerUploadForm(FlaskForm):
    """One .xlsx workbook."""

    ledger = FileField(_l("Ledger (.xlsx)"), validators=[
        FileRequired(_l("Choose the ledger file.")),
    ])  # judged by its content, not its name: see ledger_reader


class CommitLedgerForm(FlaskForm):
    """Confirms the preview the user saw: ``fingerprint`` identifies what it would change."""

    fingerprint = HiddenField()
