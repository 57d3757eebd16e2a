"""``flask --app renovation import-ledger FILE [--commit] [--user NAME]``: the import's preview on
the command line, every problem with its row number and column header; exit status 1 when
anything is wrong, and with ``--commit`` the ledger is written only when nothing is."""
import hashlib
from pathlib import Path

import click

from renovation.domain import accounts
from renovation.domain.ledger.commit import StaleLedgerPreview, commit_import
from renovation.domain.ledger.preview import CREATE, UPDATE, LedgerPreview, preview_ledger
from renovation.domain.ledger.reader import LedgerFileError


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def print_preview(preview: LedgerPreview) -> None:
    """The preview as text: counts, problems, ignored columns, new places, then the changes."""
    counts = preview.counts
    click.echo(f"Sheet {preview.sheet}, header in row {preview.header_row}: {len(preview.rows)} rows — "
               f"{counts[CREATE]} new, {counts[UPDATE]} changed, {counts['unchanged']} unchanged, "
               f"{counts['error']} with problems.")
    if preview.problems:
        click.echo(f"\n{len(preview.problems)} problems:")
        for problem in preview.problems:
            where = f"row {problem.row}" if problem.row else "file"
            shown = f" ({problem.value})" if problem.value else ""
            click.echo(f"  {where}  [{problem.column or '—'}]  {problem.message}{shown}")
    for warning in preview.warnings:
        click.echo(f"  row {warning.row}  [{warning.column}]  {warning.message}")
    for label, names in (("New streets", preview.new_streets), ("New communities", preview.new_communities),
                         ("New compounds", preview.new_compounds)):
        if names:
            click.echo(f"{label}: {', '.join(names)}")
    for row in preview.of(CREATE):
        click.echo(f"  row {row.row}  {row.code}  new: {row.values['compound']} "
                   f"({row.values['community']}, {row.values['street']})")
    for row in preview.of(UPDATE):
        changes = "; ".join(f"{change.header}: {_value(change.old)} → {_value(change.new)}" for change in row.changes)
        click.echo(f"  row {row.row}  {row.code}  {changes}")


@click.command("import-ledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Import the ledger when it has no problems.")
@click.option("--user", "username", help="Import in this user's name (default: the command line).")
def import_ledger(file: Path, commit: bool, username: str | None) -> None:
    """Preview the project ledger FILE (.xlsx); with --commit, import it if nothing is wrong."""
    user = accounts.find_user(username) if username else None
    if username and user is None:
        raise click.ClickException(f"No user named {username}.")
    try:
        preview = preview_ledger(file)  # checked against the limits before it is parsed
    except LedgerFileError as error:
        raise click.ClickException(str(error.message)) from None
    print_preview(preview)
    if preview.has_errors:
        click.echo("\nNothing was imported: correct the problems above and try again.", err=True)
        raise click.exceptions.Exit(1)
    if not commit:
        click.echo("\nPreview only: run again with --commit to import.")
        return
    try:
        result = commit_import(preview, user, _sha256(file))
    except StaleLedgerPreview:
        raise click.ClickException("The projects changed while the ledger was read; run the import again.") from None
    if result.changed:
        click.echo(f"\nImported: {result.created} new projects, {result.updated} changed, "
                   f"{result.unchanged} unchanged.")
    else:
        click.echo("\nNothing to import: every project is already as the ledger says.")
