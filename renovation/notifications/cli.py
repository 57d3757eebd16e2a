"""``flask notify``: one round of what the worker does every quarter of an hour, for cron and tests."""
import click

from renovation.notifications.jobs import notify_once


@click.command("notify")
@click.option("--digest/--no-digest", default=None,
              help="Write today's e-mail digests now (default: only once NOTIFY_DIGEST_HOUR has come).")
@click.option("--no-send", is_flag=True, help="Write the notifications and deliveries, send nothing.")
def notify(digest: bool | None, no_send: bool) -> None:
    """Find what time brought (problems due or overdue, demands overdue, stages behind), write the
    digests when due, and send the deliveries that wait."""
    outcome = notify_once(send=not no_send, digest=digest)
    click.echo(f"{outcome['events']} event(s) found, {outcome['digests']} digest(s) written; "
               f"sent {outcome.get('sent', 0)}, to retry {outcome.get('pending', 0)}, "
               f"failed {outcome.get('failed', 0)}.")
