"""Photo evidence: how long an upload takes, how much memory it needs, and how fast the page
of a project with 500 photos renders. Prints figures beside their targets (issue 3).

Uploads go through ``add_photo`` (checks, processing, content-addressed storage, the database
row) on a scratch SQLite database, with 12-megapixel phone-like images made on the spot
(gradients, shapes and sensor-like noise, EXIF orientation 6, date, GPS and camera model), each
one different so none is a duplicate. Memory is measured in a fresh process per format: the
resident high-water mark (what the kernel saw, Pillow's and libheif's buffers included) and
tracemalloc's peak (Python allocations only).

    ./scripts/bench-photos [--runs N]
"""
import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from hashlib import sha256
from pathlib import Path

import pillow_heif
import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFilter

from renovation import create_app
from renovation.extensions import db

pillow_heif.register_heif_opener()

WIDTH, HEIGHT = 4032, 3024  # a 12-megapixel phone sensor, stored sideways (orientation 6)
PASSWORD = "bench-password-1"
TARGETS = {"jpeg": 0.4, "heic": 1.5, "memory_mb": 150, "page_ms": 150}


# --- images --------------------------------------------------------------------------------

def phone_photo(seed: int) -> Image.Image:
    """A 12 MP picture with the detail of a real one: smooth light and colour, edges, texture
    and noise (a flat colour would compress to nothing and decode unrealistically fast)."""
    rng = random.Random(seed)
    small = Image.new("RGB", (48, 36))
    small.putdata([(rng.randrange(40, 230), rng.randrange(40, 230), rng.randrange(40, 230))
                   for _ in range(48 * 36)])
    image = small.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(160):  # windows, pipes, scaffolding
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        w, h = rng.randrange(20, 600), rng.randrange(20, 400)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), outline=colour, width=rng.randrange(2, 12))
        else:
            draw.line((x, y, x + w, y + h), fill=colour, width=rng.randrange(2, 20))
    noise = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), 48) for _ in range(3)])
    noise = noise.filter(ImageFilter.GaussianBlur(0.6))
    return Image.blend(image, noise, 0.18)


def phone_exif(seed: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[272] = "HUAWEI P40"
    details = exif.get_ifd(0x8769)
    details[36867] = f"2026:03:{1 + seed % 28:02d} 09:30:00"
    details[36881] = "+08:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (25.0, 17.0, 29.04), "E", (117.0, 25.0, 12.0)
    return exif


def write_sample(folder: Path, fmt: str, seed: int, quality=None) -> Path:
    """JPEG at quality 92 (~3 MB, as phones save them); HEIC at quality 60 (~3 MB, as phones
    save 12 MP HEIC), encoded with x265's fastest preset so the benchmark does not take minutes."""
    image, buffer = phone_photo(seed), io.BytesIO()
    if fmt == "jpeg":
        image.save(buffer, "JPEG", quality=quality or 92, exif=phone_exif(seed))
    else:
        image.save(buffer, "HEIF", quality=quality or 60, exif=phone_exif(seed).tobytes(),
                   enc_params={"preset": "ultrafast"})
    path = folder / f"IMG_{seed:04d}_{quality or 'std'}.{fmt}"
    path.write_bytes(buffer.getvalue())
    return path


def write_samples(folder: Path, jobs: list[tuple]) -> list[Path]:
    """Made in worker processes: faster on several cores, and this process's resident
    high-water mark stays low (a child inherits it, which would blur its memory figure)."""
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(write_sample, *zip(*[(folder, *job) for job in jobs], strict=True)))


# --- a scratch app -------------------------------------------------------------------------

def scratch_app(folder: Path, projects: int = 141):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "INSTANCE_PATH": str(folder / "instance"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        from flask_migrate import upgrade

        from renovation.demo import data as demo_data
        from renovation.domain import accounts

        upgrade()
        demo_data.seed(projects)
        accounts.create_user("bench", PASSWORD, "engineer")
        db.session.commit()
    return app


def first_project():
    from renovation.models import Project

    return db.session.scalars(sa.select(Project).order_by(Project.id)).first()


def bench_user():
    from renovation.domain import accounts

    return accounts.find_user("bench")


def upload(path: Path) -> float:
    from renovation.domain.photos.operations import add_photo

    with path.open("rb") as stream:
        started = time.perf_counter()
        add_photo(first_project(), bench_user(), path.name, stream, "during", "facade", "bench")
        return time.perf_counter() - started


# --- a fresh process per format: memory ----------------------------------------------------

def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def child(fmt: str, paths: list[str]) -> None:
    """Run in a fresh interpreter with a one-project database: warm up on a small image, then
    measure one upload. The resident high-water mark is reset just before it (Linux
    /proc/self/clear_refs), and getrusage's ru_maxrss is compared with the resident size then."""
    folder = Path(tempfile.mkdtemp(prefix="bench-photos-child-"))
    app = scratch_app(folder, projects=1)
    with app.app_context():
        from renovation.domain.photos.operations import add_photo

        warm = io.BytesIO()
        Image.new("RGB", (64, 48), "grey").save(warm, "JPEG" if fmt == "jpeg" else "HEIF")
        add_photo(first_project(), bench_user(), "warm", warm, "before", None)
        rss_before = _status_kb("VmRSS")
        try:
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
            reset = True
        except OSError:
            reset = False
        upload(Path(paths[0]))
        hwm = _status_kb("VmHWM") if reset else None
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        upload(Path(paths[1]))
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.engine.dispose()
    print(json.dumps({"hwm_mb": None if hwm is None else (hwm - rss_before) / 1024,
                      "maxrss_mb": (maxrss - rss_before) / 1024, "rss_before_mb": rss_before / 1024,
                      "traced_mb": traced_peak / 1024 / 1024}))


def memory(fmt: str, paths: list[Path]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", fmt, str(paths[0]), str(paths[1])],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-3000:])
        raise SystemExit(f"memory measurement for {fmt} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the project page with 500 photos ------------------------------------------------------

def seed_photos(app, count: int = 500) -> str:
    """Photo rows inserted directly (with small shared-looking files under their own keys),
    a few before/after pairs, and a history event each, as add_photo would leave."""
    from renovation import storage as files
    from renovation.domain.clock import utcnow
    from renovation.models import Photo, PhotoPair, StageEvent

    with app.app_context():
        project, user = first_project(), bench_user()
        code = project.code
        thumb, display = io.BytesIO(), io.BytesIO()
        phone_photo(0).resize((320, 240)).save(thumb, "JPEG", quality=80)
        phone_photo(0).resize((1600, 1200)).save(display, "JPEG", quality=85)
        storage = files.get_storage()
        stages = ["survey", "rain_sewage", "facade", "paving", "acceptance", None]
        phases = ["before", "during", "after"]
        now, rows = utcnow(), []
        existing = db.session.scalar(sa.select(sa.func.count()).select_from(Photo)
                                     .where(Photo.project_id == project.id))
        for index in range(count - existing):
            digest = sha256(f"bench-photo-{index}".encode()).hexdigest()
            for key, data in ((files.original_key(digest), display.getvalue()),
                              (files.derived_key(digest, "display"), display.getvalue()),
                              (files.derived_key(digest, "thumbnail"), thumb.getvalue())):
                path = storage.path(key)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            taken = now - timedelta(hours=index * 7)
            rows.append(dict(
                project_id=project.id, stage_key=stages[index % len(stages)],
                phase=phases[index % 3], caption=f"第{index + 1}张 现场照片", sha256=digest,
                content_type="image/jpeg", original_filename=f"IMG_{index:04d}.jpg", width=1200,
                height=1600, byte_size=len(display.getvalue()), taken_at=taken,
                taken_at_source="exif", gps_latitude=25.2914, gps_longitude=117.42,
                camera_model="HUAWEI P40", uploaded_by_id=user.id, uploaded_at=taken,
                deleted_at=None, deleted_by_id=None))
        db.session.execute(sa.insert(Photo), rows)
        photos = db.session.scalars(sa.select(Photo).where(Photo.project_id == project.id)
                                    .order_by(Photo.id)).all()
        db.session.execute(sa.insert(StageEvent), [
            {"project_id": project.id, "stage_key": photo.stage_key, "at": photo.uploaded_at,
             "user_id": user.id, "note": "", "changes": [
                 {"field": "photo_added", "old": None, "new": photo.original_filename,
                  "photo": photo.id}]} for photo in photos])
        befores = [photo for photo in photos if photo.phase == "before"]
        afters = [photo for photo in photos if photo.phase == "after"]
        db.session.execute(sa.insert(PhotoPair), [
            {"project_id": project.id, "before_id": before.id, "after_id": after.id,
             "created_by_id": user.id, "created_at": now}
            for before, after in list(zip(befores, afters, strict=False))[:25]])
        db.session.commit()
        return code


def page(app, code: str, runs: int = 10) -> dict:
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": PASSWORD})
    path = f"/projects/{code}"
    with app.app_context():
        engine = db.engine
    queries = []

    def count(*_args, **_kwargs):
        queries.append(1)

    response = client.get(path)  # warm the templates and caches
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    html = response.get_data(as_text=True)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    return {"status": response.status_code, "ms": statistics.median(samples),
            "queries": len(queries),
            "kb": len(html.encode()) / 1024, "imgs": html.count("<img"),
            "lazy": html.count('loading="lazy"'), "path": path}


# --- main ----------------------------------------------------------------------------------

def verdict(value: float, target: float) -> str:
    return "ok" if value < target else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="uploads timed per format (median)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    runs = max(1, args.runs)
    folder = Path(tempfile.mkdtemp(prefix="bench-photos-"))
    print(f"Photo benchmark ({os.cpu_count()} CPUs, Pillow {Image.__version__}, "
          f"pillow-heif {pillow_heif.__version__}); scratch folder {folder}")
    started = time.perf_counter()
    jobs = [("jpeg", 1 + index, None) for index in range(runs + 2)]
    jobs += [("heic", 1001 + index, None) for index in range(runs + 2)] + [("heic", 2000, 85)]
    paths = write_samples(folder, jobs)
    samples = {"jpeg": paths[:runs + 2], "heic": paths[runs + 2:2 * runs + 4]}
    heavy = paths[-1]
    sizes = {fmt: statistics.median(p.stat().st_size for p in paths) / 1024 / 1024
             for fmt, paths in samples.items()}
    print(f"  made {runs + 2} JPEG ({sizes['jpeg']:.1f} MB each, quality 92) and {runs + 2} HEIC "
          f"({sizes['heic']:.1f} MB each, quality 60) 4032×3024 images, and one heavier HEIC "
          f"({heavy.stat().st_size / 1024 / 1024:.1f} MB, quality 85), in "
          f"{time.perf_counter() - started:.0f} s")

    print()
    print("Peak extra memory per upload (fresh process per format, after a warm-up):")
    for fmt in ("jpeg", "heic"):
        measured = memory(fmt, samples[fmt][runs:runs + 2])
        rss = measured["hwm_mb"] if measured["hwm_mb"] is not None else measured["maxrss_mb"]
        print(f"  {fmt.upper():5} resident peak +{rss:6.1f} MB (getrusage ru_maxrss "
              f"+{measured['maxrss_mb']:.1f} MB)   tracemalloc peak {measured['traced_mb']:5.1f} MB"
              f"   target < {TARGETS['memory_mb']} MB   {verdict(rss, TARGETS['memory_mb'])}")
    print("  (above the process's resident size just before the upload; tracemalloc sees Python\n"
          "   allocations only, Pillow's and libheif's pixel buffers show in the resident figures)")

    app = scratch_app(folder)
    with app.app_context():
        # Warm up imports, codecs and the database with a small image first.
        from renovation.domain.photos.operations import add_photo

        warm = io.BytesIO()
        Image.new("RGB", (64, 48), "grey").save(warm, "JPEG")
        add_photo(first_project(), bench_user(), "warm.jpg", warm, "before", None)
        timings = {fmt: [upload(path) for path in paths[:runs]] for fmt, paths in samples.items()}
        heavy_time = upload(heavy)
    print()
    print(f"Upload through add_photo (store + process), median of {runs}, each image different:")
    for fmt, label in (("jpeg", "12 MP phone JPEG"), ("heic", "12 MP phone HEIC")):
        median, worst = statistics.median(timings[fmt]), max(timings[fmt])
        print(f"  {label:18} {median:6.2f} s   (slowest {worst:.2f} s)   target < "
              f"{TARGETS[fmt]} s   {verdict(median, TARGETS[fmt])}")
    print(f"  {'heavier HEIC':18} {heavy_time:6.2f} s   (one run; for information)")

    print()
    code = seed_photos(app)
    measured = page(app, code)
    print(f"Project page with 500 photos (GET {measured['path']} as an engineer, test client, "
          f"median of 10):")
    if measured["status"] != 200:
        print(f"  status {measured['status']}: the page did not render; figures below are for that")
    print(f"  {measured['ms']:6.1f} ms   target < {TARGETS['page_ms']} ms   "
          f"{verdict(measured['ms'], TARGETS['page_ms'])}")
    print(f"  {measured['queries']} SQL queries, {measured['kb']:.0f} KB of HTML, "
          f"{measured['imgs']} <img> tags of which {measured['lazy']} loading=\"lazy\"")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
