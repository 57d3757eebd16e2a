"""What ``scripts/bench_pages.py`` serves with gunicorn: the app (``BENCH_TARGET=app``) or the floor
(``BENCH_TARGET=floor``) on the database ``BENCH_DATABASE_URL``, instance folder ``BENCH_INSTANCE``."""
import os

from bench_floor import create_floor_app
from bench_pages import app_config

from renovation import create_app

if os.environ["BENCH_TARGET"] == "app":
    app = create_app(app_config(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_INSTANCE"]))
else:
    app = create_floor_app(os.environ["BENCH_DATABASE_URL"])
