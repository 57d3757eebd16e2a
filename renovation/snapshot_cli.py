"""``flask --app renovation snapshot-month [--month YYYY-MM] [--replace]``: the monthly snapshot,
for cron at each month's end."""
import click

from renovation.domain import accounts
from renovation.domain.clock import today
from renovation.domain.programme.snapshots import SnapshotError, month_of, take_snapshot


@click.command("snapshot-month")
@click.option("--month", help="The month, YYYY-MM (default: the current month in China).")
@click.option("--replace", is_flag=True, help="Take an existing month again (written to the audit log).")
@click.option("--user", "username", help="Take it in this user's name (default: the command line).")
def snapshot_month(month: str | None, replace: bool, username: str | None) -> None:
    """Store every project's stage percents, statuses, investment and renovation content under MONTH."""
    user = accounts.find_user(username) if username else None
    if username and user is None:
        raise click.ClickException(f"No user named {username}.")
    month = month or month_of(today())
    try:
        result = take_snapshot(month, replace=replace, user=user)
    except SnapshotError as error:
        raise click.ClickException(str(error)) from None
    if result.created:
        click.echo(f"Snapshot of {month} taken: {result.projects} projects.")
    elif result.replaced:
        click.echo(f"Snapshot of {month} replaced: {result.projects} projects (recorded in the audit log).")
    else:
        click.echo(f"A snapshot of {month} already exists ({result.projects} projects); nothing changed. "
                   "Use --replace to take it again.")
