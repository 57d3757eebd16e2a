"""Bulletin rendering: how long the city-wide bulletin and a project brief take in a warm process
and how large they are. Prints figures beside the targets of issue 5 (not a timed test).

Each programme size gets a scratch SQLite database with the demo programme and six before/after
pairs of phone-sized photos made on the spot (processed by add_photo, so the bulletin embeds the
display derivatives, as in production).

    ./scripts/bench-bulletins [--projects 141 2000] [--runs 3]
"""
import argparse
import io
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from PIL import Image, ImageDraw, ImageFilter

from renovation import create_app
from renovation.demo import data as demo_data
from renovation.domain import accounts
from renovation.domain.bulletins.area_data import area_data
from renovation.domain.bulletins.brief_data import project_data
from renovation.domain.bulletins.issue import Scope, preview_snapshot
from renovation.domain.bulletins.pdf import render_pdf
from renovation.domain.clock import today
from renovation.domain.photos.operations import add_photo
from renovation.domain.photos.pairing import pair_photos
from renovation.domain.project_list import project_by_code
from renovation.extensions import db
from renovation.models import Project

TARGETS = {"city_s": 3.0, "city_mb": 3.0, "brief_s": 1.0, "city_2000_s": 20.0}


def site_photo(seed: int, size=(3000, 2250)) -> io.BytesIO:
    """A phone-like photo: light, shapes, texture and noise (so JPEGs are realistically large)."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.blend(image, Image.new("RGB", size, tuple(rng.randrange(60, 200) for _ in range(3))), 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(80):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.rectangle((x, y, x + rng.randrange(40, 500), y + rng.randrange(40, 400)),
                       fill=tuple(rng.randrange(30, 240) for _ in range(3)))
    image = Image.blend(image, Image.effect_noise(size, 50).convert("RGB"), 0.15).filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    buffer.seek(0)
    return buffer


def build(projects: int, folder: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "INSTANCE_PATH": str(folder),
                      "SECRET_KEY": "bench", "QUEUE_URL": "immediate"})
    with app.app_context():
        upgrade()
        demo_data.seed(projects)
        user = accounts.create_user("bench", "bench-password-1", "engineer")
        db.session.commit()
        for index, project in enumerate(db.session.scalars(sa.select(Project).order_by(Project.code).limit(6))):
            before = add_photo(project, user, f"b{index}.jpg", site_photo(index), "before", "facade", "楼栋外立面")
            after = add_photo(project, user, f"a{index}.jpg", site_photo(index + 100), "after", "facade", "楼栋外立面")
            pair_photos(project, user, before, after)
    return app


def timed(function, runs: int) -> tuple[float, bytes]:
    function()  # warm: fonts loaded, templates compiled
    times, result = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, nargs="+", default=[141, 2000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for count in args.projects:
        with tempfile.TemporaryDirectory(prefix="bench-bulletins-") as folder:
            app = build(count, Path(folder))
            with app.app_context():
                gather_s, _ = timed(lambda: area_data(None, None, today()), args.runs)
                snapshot = preview_snapshot("city", Scope())
                city_s, pdf = timed(lambda snapshot=snapshot: render_pdf(snapshot), args.runs)
                code = db.session.scalar(sa.select(Project.code).order_by(Project.code).limit(1))
                brief = {"document": snapshot["document"] | {"masthead": ["城镇老旧小区改造", "项目简报"]},
                         "data": project_data(project_by_code(code), None, today())}
                brief_s, brief_pdf = timed(lambda brief=brief: render_pdf(brief), args.runs)
            target = TARGETS["city_s"] if count <= 141 else TARGETS["city_2000_s"]
            print(f"{count} projects, 6 photo pairs (median of {args.runs} warm runs):")
            print(f"  gather the city data   {gather_s * 1000:7.0f} ms")
            print(f"  city-wide bulletin     {city_s:7.2f} s  (target < {target:g} s)   "
                  f"{len(pdf) / 1e6:5.2f} MB (target < {TARGETS['city_mb']:g} MB)")
            print(f"  project brief          {brief_s:7.2f} s  (target < {TARGETS['brief_s']:g} s)   "
                  f"{len(brief_pdf) / 1e6:5.2f} MB")


if __name__ == "__main__":
    main()
