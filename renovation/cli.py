"""Command-line tasks: ``flask --app renovation seed-demo | create-user | create-token | list-tokens
| revoke-token | issue-bulletin | snapshot-month | backup | restore``."""
import os
import time
from pathlib import Path

import click
from flask import Flask, current_app

from renovation.backup_cli import backup, restore
from renovation.domain import accounts, audit
from renovation.domain.bulk_insert import refresh_statistics
from renovation.domain.bulletins import issue as bulletins
from renovation.domain.bulletins.pdf import BulletinRenderError
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import ApiToken
from renovation.models.users import Role, TokenScope
from renovation.snapshot_cli import snapshot_month
from renovation.storage import get_storage

DEMO_USERS = [
    ("admin", Role.ADMIN, None, "系统管理员"),
    ("engineer", Role.ENGINEER, None, "林建华"),
    ("committee", Role.COMMITTEE, "铁路社区", "铁路社区居委会"),
    ("leader", Role.LEADER, None, "市领导"),
]
DEMO_SIGNER = "leader"  # signs (签发) the demo's bulletins; admin checks (审核) the engineer's drafts
DEMO_LOGINS_FILE = "demo-logins.txt"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # the mode of os.open applies only to a new file
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


@click.command("seed-demo")
@click.option("--projects", default=141, show_default=True, type=click.IntRange(1, 300_000),
              help="141 is Zhangping's programme (the article's); more adds the province's other counties.")
@click.option("--password", help="Password of the four demo users (generated when omitted).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has projects.")
def seed_demo(projects: int, password: str | None, if_empty: bool) -> None:
    """Load the demo programme and the users admin, engineer, committee and leader."""
    # Imported here: the demo's photos need Pillow, which no other command should pay for at start.
    from renovation.demo import acceptance as demo_acceptance
    from renovation.demo import aftercare as demo_aftercare
    from renovation.demo import contents as demo_contents
    from renovation.demo import data as demo_data
    from renovation.demo import photos as demo_photos
    from renovation.demo import snapshots as demo_snapshots

    if not demo_data.database_is_empty():
        if if_empty:
            click.echo("The database already has projects; demo data not loaded.")
            logins = Path(current_app.instance_path) / DEMO_LOGINS_FILE
            if logins.exists():
                click.echo("Demo logins (user, password, role):\n" + logins.read_text().rstrip())
            return
        raise click.ClickException("The database already has projects; seed-demo needs an empty database.")
    if password is not None and len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"The password needs at least {accounts.MIN_PASSWORD_LENGTH} characters.")
    started = time.perf_counter()
    password = password or accounts.generate_password()
    count = demo_data.seed(projects)
    demo_snapshots.seed_previous_month()  # last month's 月调度, so the dashboard shows a change
    created, kept = [], []
    for username, role, community, name in DEMO_USERS:
        if accounts.find_user(username) is None:
            user = accounts.create_user(username, password, role, community=accounts.community_named(community),
                                        display_name=name)
            if username == DEMO_SIGNER:
                accounts.set_may_sign_bulletins(user, True, None)
            created.append((username, role))
        else:
            kept.append(username)
    audit.record(None, "demo.seed", "database", "demo", projects=count)
    db.session.commit()
    pairs = demo_photos.seed(accounts.find_user("engineer"))
    db.session.commit()
    demo_contents.seed(accounts.find_user("engineer"))  # 改造内容, and 隐蔽工程 photos of a few projects' pipes
    demo_contents.seed_hidden_works(accounts.find_user("engineer"))
    demo_snapshots.seed_previous_month_contents()  # so that the outputs, too, show last month's change
    db.session.commit()
    demo_aftercare.seed(accounts.find_user("engineer"))  # 长效管理 of most completed compounds
    demo_acceptance.seed(accounts.find_user("engineer"))  # 竣工验收 of a few completed compounds, with residents
    refresh_statistics()
    logins = "\n".join(f"  {username:<10} {password}   ({role.value})" for username, role in created)
    _write_private(Path(current_app.instance_path) / DEMO_LOGINS_FILE, logins + "\n")
    click.echo(f"Loaded {count} demo projects ({pairs} with before/after photos) in "
               f"{time.perf_counter() - started:.1f} s. Demo logins:")
    click.echo(logins)
    if kept:
        click.echo(f"Existing users kept, with their own passwords: {', '.join(kept)}.")


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--community", help="The community of a committee member.")
@click.option("--name", "display_name", default="", help="The name shown on pages.")
@click.password_option(help="Prompted when omitted.")
def create_user(username: str, role: str, community: str | None, display_name: str, password: str) -> None:
    """Add a user."""
    try:
        accounts.create_user(
            username, password, role, community=accounts.community_named(community), display_name=display_name
        )
    except accounts.AccountError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"User {username} ({role}) created.")


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="", help="What the token is for (shown in the token lists).")
@click.option("--scope", type=click.Choice([scope.value for scope in TokenScope]), default=TokenScope.READ.value,
              show_default=True, help="read: GET only; write: reads and changes (as the user's role allows).")
@click.option("--expires-days", type=click.IntRange(min=0), default=None,
              help="Days until the token expires (default: never, until revoked).")
def create_token(username: str, name: str, scope: str, expires_days: int | None) -> None:
    """Create an API token for USERNAME; the token is printed alone on the last line."""
    user = accounts.find_user(username)
    if user is None:
        raise click.ClickException(f"No user named {username}.")
    try:
        token = accounts.create_token(user, name=name, scope=scope, expires_in_days=expires_days)
    except accounts.AccountError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"API token for {username} ({scope}; shown once; send it as 'Authorization: Bearer <token>'):")
    click.echo(token)


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


@click.command("list-tokens")
@click.argument("username", required=False)
def list_tokens(username: str | None) -> None:
    """List the API tokens of USERNAME (default: every user's), times in UTC."""
    if username and accounts.find_user(username) is None:
        raise click.ClickException(f"No user named {username}.")
    now = utcnow()
    click.echo(f"{'id':>5}  {'user':<16} {'name':<24} {'scope':<6} {'created':<16}  {'last used':<16}  "
               f"{'expires':<16}  state")
    for token in accounts.all_tokens(username):
        state = "revoked" if token.revoked_at else ("active" if token.is_live(now) else "expired")
        click.echo(f"{token.id:>5}  {token.user.username:<16} {token.name or '-':<24} {token.scope:<6} "
                   f"{_when(token.created_at):<16}  {_when(token.last_used_at):<16}  {_when(token.expires_at):<16}  "
                   f"{state}")


@click.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke the API token with id TOKEN_ID (see list-tokens)."""
    api_token = db.session.get(ApiToken, token_id)
    if api_token is None:
        raise click.ClickException(f"No API token with id {token_id}.")
    accounts.revoke_token(api_token, None)
    click.echo(f"API token {token_id} of {api_token.user.username} revoked.")


@click.command("issue-bulletin")
@click.option("--kind", required=True, type=click.Choice(["city", "street", "project"]))
@click.option("--street", help="The street of a street bulletin, by name.")
@click.option("--project", "project_code", help="The project of a project brief, by code.")
@click.option("--notes-file", type=click.File("r", encoding="utf-8"), help="七、下一步工作要求, as text.")
@click.option("--user", "username", help="Issue in this user's name (default: the command line).")
def issue_bulletin(kind: str, street: str | None, project_code: str | None, notes_file, username: str | None) -> None:
    """Issue the next bulletin of KIND (the newest photo pairs) and print its number and PDF file."""
    user = accounts.find_user(username) if username else None
    if username and user is None:
        raise click.ClickException(f"No user named {username}.")
    try:
        scope = bulletins.scope_named(kind, street, project_code)
        bulletin = bulletins.issue_bulletin(kind, scope, user, notes_file.read() if notes_file else "")
    except (bulletins.BulletinError, BulletinRenderError) as error:
        raise click.ClickException(str(error)) from None
    if bulletin.render_status != "done":
        raise click.ClickException(f"{bulletin.label} was issued but its PDF failed: {bulletin.render_error}")
    storage = get_storage()
    click.echo(f"{bulletin.title}（{bulletin.cited_as}）")
    click.echo(storage.path(bulletin.pdf_key) if hasattr(storage, "path") else bulletin.pdf_key)


def init_app(app: Flask) -> None:
    from renovation.notifications.cli import notify

    for command in (seed_demo, create_user, create_token, list_tokens, revoke_token, issue_bulletin,
                    snapshot_month, backup, restore, notify):
        app.cli.add_command(command)
