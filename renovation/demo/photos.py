"""Demo photo evidence: drawn before/after pictures of a few compounds whose facade is done.

The pictures are made here (a residential block before — grey, stained, tangled wires, a broken
road with puddles — and after — fresh paint, tidy cables, new asphalt, planters) and go through
the same upload path as a phone photo (:func:`add_photo`: checks, derivatives, EXIF date), then
are paired as an engineer would pair them. So the galleries, the photo search and the bulletin's
六、改造前后对比 have something real to show on a fresh demo.
"""
import io
import random
from datetime import datetime, time, timedelta

from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from renovation.demo.data import STREETS as ZHANGPING_STREETS
from renovation.domain.bulk_insert import IdBlock, analyze_while_loading, insert_rows, sync_id_sequences
from renovation.domain.clock import utcnow
from renovation.domain.photos.operations import add_photo
from renovation.domain.photos.pairing import pair_photos
from renovation.extensions import db
from renovation.models import Community, Compound, Photo, PhotoPair, Project, Stage, Street

SIZE = (1600, 1200)
EXIF_IFD, DATETIME_ORIGINAL = 0x8769, 0x9003
SPREAD_CHUNK = 20_000  # projects' photo records per insert and commit
VIEWPOINTS = ["东门入口", "3号楼立面", "中心道路", "5号楼单元入口", "北侧巷道", "小区主干道"]


def seed(user, pairs: int = 6, seed_value: int = 20261127) -> int:
    """Photograph ``pairs`` of Zhangping's compounds whose facade stage is completed; returns pairs
    made. In a demo larger than Zhangping, every other project whose facade has begun gets photo
    records too (:func:`spread`), of the same pictures."""
    rng = random.Random(seed_value)
    projects = _photographable(pairs)
    pictures = []
    for number, project in enumerate(projects):
        facade = next(stage for stage in project.stages if stage.key == "facade")
        viewpoint = VIEWPOINTS[number % len(VIEWPOINTS)]
        scene = rng.getrandbits(32)
        before = add_photo(project, user, f"IMG_{2000 + number}.jpg",
                           _jpeg(_scene(scene, after=False), facade.actual_start - timedelta(days=12)),
                           "before", "facade", f"{viewpoint}改造前")
        during = add_photo(project, user, f"IMG_{3000 + number}.jpg",
                           _jpeg(_scene(scene, after=False, works=True), facade.actual_start + timedelta(days=10)),
                           "during", "facade", f"{viewpoint}施工中")
        after = add_photo(project, user, f"IMG_{4000 + number}.jpg",
                          _jpeg(_scene(scene, after=True), facade.actual_end), "after", "facade",
                          f"{viewpoint}改造后")
        pair_photos(project, user, before, after)
        pictures.append((viewpoint, _picture(before), _picture(during), _picture(after)))
    if pictures:
        spread(user, pictures)
    return len(projects)


def _photographable(count: int) -> list[Project]:
    """Zhangping's projects with a completed facade, one per community as far as possible, by
    code: the candidates as plain rows, then the chosen ones with their stages."""
    candidates = db.session.execute(
        select(Project.id, Compound.community_id).join(Project.compound).join(Compound.community)
        .join(Community.street).join(Stage)
        .where(Street.name.in_(list(ZHANGPING_STREETS)), Stage.key == "facade", Stage.status == "completed",
               Stage.actual_start.is_not(None), Stage.actual_end.is_not(None))
        .order_by(Project.code)
    ).all()
    chosen, communities = [], set()
    for project_id, community_id in candidates:
        if community_id not in communities:
            chosen.append(project_id)
            communities.add(community_id)
    chosen = chosen[:count]
    found = {project.id: project for project in db.session.scalars(
        select(Project).options(selectinload(Project.stages)).where(Project.id.in_(chosen)))}
    return [found[project_id] for project_id in chosen]


def _picture(photo: Photo) -> dict:
    """What a photo record of the same picture shares with ``photo``."""
    return {"sha256": photo.sha256, "content_type": photo.content_type, "width": photo.width,
            "height": photo.height, "byte_size": photo.byte_size, "camera_model": photo.camera_model}


def spread(user, pictures: list[tuple]) -> int:
    """Photo records, without files of their own, for every project outside Zhangping whose
    facade has begun: a before and a during photo, and once the facade is completed an after
    photo paired with the before one. The stored pictures are content-addressed, so the records
    show the demo's drawn ``pictures`` ((viewpoint, before, during, after) each). Inserted in
    bulk and committed in chunks; returns the number of records."""
    facades = (
        select(Stage.project_id, Stage.status, Stage.actual_start, Stage.actual_end)
        .join(Project, Project.id == Stage.project_id).join(Project.compound).join(Compound.community)
        .join(Community.street)
        .where(Street.name.not_in(list(ZHANGPING_STREETS)), Stage.key == "facade", Stage.actual_start.is_not(None))
        .order_by(Stage.project_id)
    )
    facades = db.session.execute(facades).all()
    ids = IdBlock(Photo, PhotoPair)
    now = utcnow()
    made = 0
    for chunk, start in enumerate(range(0, len(facades), SPREAD_CHUNK)):
        if chunk & (chunk - 1) == 0 and chunk:  # after the 1st, 2nd, 4th … chunk
            analyze_while_loading()
        photos, pairs = [], []
        for project_id, status, begun, ended in facades[start:start + SPREAD_CHUNK]:
            viewpoint, *shots = pictures[project_id % len(pictures)]
            taken = [(begun - timedelta(days=12), "before", "改造前"), (begun + timedelta(days=10), "during", "施工中")]
            if status == "completed" and ended:
                taken.append((ended, "after", "改造后"))
            for (day, phase, words), shot in zip(taken, shots, strict=False):
                at = datetime.combine(min(day, now.date()), time(1, 30))  # 09:30 in China, stored in UTC
                photos.append({"id": ids.take(Photo), "project_id": project_id, "stage_key": "facade",
                               "phase": phase, "caption": f"{viewpoint}{words}", **shot,
                               "original_filename": f"IMG_{project_id}_{phase}.jpg", "taken_at": at,
                               "taken_at_source": "exif", "gps_latitude": None, "gps_longitude": None,
                               "uploaded_by_id": user.id, "uploaded_at": at, "deleted_at": None,
                               "deleted_by_id": None})
            if len(taken) == 3:
                pairs.append({"id": ids.take(PhotoPair), "project_id": project_id, "before_id": photos[-3]["id"],
                              "after_id": photos[-1]["id"], "created_by_id": user.id,
                              "created_at": photos[-1]["uploaded_at"]})
        insert_rows(Photo, photos)
        insert_rows(PhotoPair, pairs)
        db.session.commit()
        made += len(photos)
    sync_id_sequences(Photo, PhotoPair)
    db.session.commit()
    return made


def _jpeg(image: Image.Image, day) -> io.BytesIO:
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = datetime.combine(day, time(9, 30)).strftime("%Y:%m:%d %H:%M:%S")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, exif=exif)
    buffer.seek(0)
    return buffer


def _scene(seed_value: int, after: bool, works: bool = False) -> Image.Image:
    """A block of flats seen from the lane in front of it."""
    rng = random.Random(seed_value)
    width, height = SIZE
    image = Image.new("RGB", SIZE, (178, 206, 230) if after else (196, 200, 204))
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.72)
    floors, bays = rng.randint(5, 6), rng.randint(5, 7)
    left, right, top = 140, width - 140, horizon - floors * 118
    wall = (236, 222, 196) if after else (150, 146, 138)
    draw.rectangle((left, top, right, horizon), fill=wall)
    if after:
        draw.rectangle((left, top - 18, right, top), fill=(176, 74, 52))  # new eaves
        draw.rectangle((left, horizon - 70, right, horizon), fill=(190, 160, 128))  # plinth
    bay = (right - left) / bays
    for floor in range(floors):
        for column in range(bays):
            x, y = left + column * bay + bay * 0.2, top + floor * 118 + 26
            frame = (255, 255, 255) if after else (96, 96, 92)
            glass = (120, 160, 190) if after else (70, 76, 80)
            draw.rectangle((x, y, x + bay * 0.6, y + 66), fill=frame)
            draw.rectangle((x + 5, y + 5, x + bay * 0.6 - 5, y + 61), fill=glass)
            if not after and rng.random() < 0.35:  # rusty security cages
                for bar in range(5):
                    bx = x + bar * bay * 0.6 / 4
                    draw.line((bx, y - 6, bx, y + 72), fill=(110, 70, 40), width=3)
    if not after:
        for _ in range(40):  # damp and stains
            x, y = rng.randint(left, right), rng.randint(top, horizon)
            draw.ellipse((x, y, x + rng.randint(20, 90), y + rng.randint(40, 160)), fill=(118, 116, 108))
        for _ in range(7):  # tangled overhead wires
            y0, y1 = rng.randint(top - 60, top + 200), rng.randint(top - 60, top + 200)
            draw.line((0, y0, width * 0.5, (y0 + y1) // 2 + 40, width, y1), fill=(30, 30, 30), width=4)
    road = (70, 72, 76) if after else (128, 120, 108)
    draw.rectangle((0, horizon, width, height), fill=road)
    if after:
        for x in range(0, width, 220):
            draw.rectangle((x, horizon + 210, x + 120, horizon + 222), fill=(240, 240, 240))
        for x in (80, width - 180):  # planters and a lamp
            draw.rectangle((x, horizon - 60, x + 100, horizon), fill=(120, 90, 60))
            draw.ellipse((x - 10, horizon - 150, x + 110, horizon - 40), fill=(60, 140, 70))
        draw.rectangle((width // 2, horizon - 380, width // 2 + 10, horizon), fill=(60, 60, 60))
        draw.ellipse((width // 2 - 25, horizon - 400, width // 2 + 35, horizon - 370), fill=(250, 240, 190))
    else:
        for _ in range(6):  # puddles and potholes
            x, y = rng.randint(0, width - 300), rng.randint(horizon + 40, height - 80)
            draw.ellipse((x, y, x + rng.randint(120, 320), y + rng.randint(30, 70)), fill=(96, 104, 112))
    if works:
        for x in range(left - 40, right + 40, 90):  # scaffolding and a safety net
            draw.line((x, top - 30, x, horizon), fill=(90, 90, 90), width=6)
        draw.rectangle((left - 40, top - 30, right + 40, horizon), outline=(40, 120, 60), width=10)
    return image.filter(ImageFilter.GaussianBlur(1.2))
