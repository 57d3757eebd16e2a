"""Zhangping old-compound renovation tracker."""
import gc
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from renovation import private_files
from renovation.config import default_config, instance_path_from_env
from renovation.extensions import csrf, db, htmx, login_manager, migrate
from renovation.template_environment import AppEnvironment
from renovation.url_rules import LazilyBuiltRule

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    """Build the application: config → extensions → blueprints → errors → CLI."""
    # Building the app imports some hundred modules and makes tens of thousands of objects, none of
    # them garbage: the cycle collector's full passes over them cost the command line about a tenth
    # of a second (``flask --help``), so it waits until the app is built.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_app(config)
    finally:
        if collecting:
            gc.enable()


def _build_app(config: dict | None) -> Flask:
    private_files.use_private_umask()  # first: the instance folder and the secret key are private too
    instance_path = Path((config or {}).get("INSTANCE_PATH") or instance_path_from_env())
    private_files.private_folder(instance_path)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,  # so that config.py below is the instance's, not the package's
    )
    app.url_rule_class = LazilyBuiltRule
    app.jinja_environment = AppEnvironment  # before anything asks for app.jinja_env (made at first use)
    app.config.update(default_config(instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config or {})
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    _init_extensions(app)
    _register_blueprints(app)

    from renovation import (
        cli,
        errors,
        form_attributes,
        i18n,
        request_transactions,
        security_headers,
        tasks,
        template_filters,
    )

    private_files.init_app(app)  # before anything below opens the database or the queue
    request_transactions.init_app(app)  # after db.init_app: its teardown runs before the session's removal
    form_attributes.install()
    i18n.init_app(app)
    template_filters.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    cli.init_app(app)
    tasks.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    from renovation.auth import sessions
    from renovation.domain import project_search

    sessions.init_login_manager(login_manager)
    app.session_interface = sessions.SessionCookieInterface()
    project_search.keep_current()  # the list's copies of what it searches, on every flush


def _register_blueprints(app: Flask) -> None:
    from renovation.acceptance import bp as acceptance_bp
    from renovation.account import bp as account_bp
    from renovation.admin import bp as admin_bp
    from renovation.aftercare import bp as aftercare_bp
    from renovation.api import bp as api_bp
    from renovation.auth import bp as auth_bp
    from renovation.bulletins import bp as bulletins_bp
    from renovation.consultations import bp as consultations_bp
    from renovation.contents import bp as contents_bp
    from renovation.dashboard import bp as dashboard_bp
    from renovation.demands import bp as demands_bp
    from renovation.leaders import bp as leaders_bp
    from renovation.ledger import bp as ledger_bp
    from renovation.notifications import bp as notifications_bp
    from renovation.photos import bp as photos_bp
    from renovation.problems import bp as problems_bp
    from renovation.projects import bp as projects_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(photos_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(demands_bp)
    app.register_blueprint(problems_bp)
    app.register_blueprint(acceptance_bp)
    app.register_blueprint(contents_bp)
    app.register_blueprint(aftercare_bp)
    app.register_blueprint(leaders_bp)
    app.register_blueprint(bulletins_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(account_bp, url_prefix="/account")
    csrf.exempt(api_bp)  # bearer tokens only, never cookies, so no CSRF to guard against
    app.register_blueprint(api_bp, url_prefix="/api/v1")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: write-ahead log for concurrent readers, and enforced foreign keys."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_statements_run_alone(dbapi_connection, connection_record):
    """PostgreSQL: no parallel workers for the app's statements. A page's statements take a few
    milliseconds; starting two workers for one costs more than that (a search for 龙 among 200,000
    projects: 18 ms in parallel, 3 ms alone), and the workers take the cores other requests need."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET in a transaction would end with it
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
        dbapi_connection.autocommit = autocommit
