"""``flask --app renovation backup DEST`` and ``restore SRC [--force]`` (see
:mod:`renovation.domain.backup`)."""
import os
from pathlib import Path

import click
from flask import current_app

from renovation.domain.backup import BackupError, instance_of, make_backup, restore_backup
from renovation.extensions import db


@click.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
def backup(destination: Path) -> None:
    """Copy the database, the stored files and the secret key into the new folder DESTINATION,
    while the app keeps running."""
    try:
        manifest = make_backup(instance_of(current_app), db.engine, destination)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    size = sum(entry["size"] for entry in manifest["files"].values())
    database = manifest["database"]
    if database.get("pg_dump_major", database.get("server_major")) != database.get("server_major"):
        click.echo(f"Note: pg_dump is version {database['pg_dump_major']} and the server version "
                   f"{database['server_major']}; restore with pg_restore {database['pg_dump_major']} or newer.")
    click.echo(f"Backup of the {manifest['database']['engine']} database and {len(manifest['files'])} files "
               f"({size / 1024 / 1024:.1f} MB) written to {destination.resolve()}.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of an instance that is not empty.")
def restore(source: Path, force: bool) -> None:
    """Bring back the backup in SOURCE into this (stopped) instance, after checking every file."""
    db.session.remove()
    try:
        manifest = restore_backup(source, instance_of(current_app), db.engine, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the backup of {manifest['created_at']} ({len(manifest['files'])} files checked).")
    if os.environ.get("RENOVATION_SECRET_KEY"):
        click.echo("Note: RENOVATION_SECRET_KEY is set and overrides the restored secret key.")
