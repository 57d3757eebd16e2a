"""Reading issued bulletins: the archive (newest first, with issuer and corrections, two queries),
one bulletin with the bulletins correcting it, where its PDF is, and the plain JSON the API gives."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from renovation.domain.bulletins.render_lease import render_lease
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import Bulletin, BulletinStep, RenderStatus

# Rendering starts within seconds when a worker runs: a longer wait suggests that none does.
QUEUE_NOTICE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class RenderProgress:
    """Where a bulletin's PDF is, as its page shows it."""

    status: str
    stalled: bool = False  # rendering, its lease not renewed for BULLETIN_RENDER_LEASE: its worker died
    waiting_long: bool = False  # queued for over a minute: the worker may not be running

    @property
    def polling(self) -> bool:
        """Whether the page asks again: the PDF is on its way."""
        return self.status in (RenderStatus.QUEUED, RenderStatus.RENDERING) and not self.stalled

    @property
    def can_render_again(self) -> bool:
        """A failed or stalled render may be queued again (by engineers and admins)."""
        return self.status == RenderStatus.FAILED or self.stalled


def render_progress(bulletin: Bulletin, now: datetime | None = None) -> RenderProgress:
    """The bulletin's render status for its page, with the stalled and waiting notices."""
    now = now or utcnow()
    renewed, queued = bulletin.render_started_at, bulletin.render_queued_at or bulletin.issued_at
    rendering = bulletin.render_status == RenderStatus.RENDERING
    return RenderProgress(
        bulletin.render_status,
        stalled=rendering and (renewed is None or now - renewed > render_lease()),
        waiting_long=bulletin.render_status == RenderStatus.QUEUED and now - queued > QUEUE_NOTICE_AFTER)


@dataclass(frozen=True)
class ArchiveFilter:
    """Which bulletins the archive lists: of one kind (series), one year, one street's."""

    kind: str | None = None
    year: int | None = None
    street_id: int | None = None


def issued_bulletins(criteria: ArchiveFilter = ArchiveFilter(), limit: int = 500) -> list[Bulletin]:
    """The bulletins ``criteria`` asks for (every one by default), newest first, with who issued
    them and the bulletin each corrects."""
    query = (select(Bulletin).options(joinedload(Bulletin.issued_by), joinedload(Bulletin.corrects))
             .where(Bulletin.status == BulletinStep.ISSUED))
    if criteria.kind:
        query = query.where(Bulletin.kind == criteria.kind)
    if criteria.year:
        query = query.where(Bulletin.year == criteria.year)
    if criteria.street_id:
        query = query.where(Bulletin.street_id == criteria.street_id)
    return list(db.session.scalars(query.order_by(Bulletin.issued_at.desc(), Bulletin.id.desc()).limit(limit)).unique())


def archive_years() -> list[int]:
    """The years bulletins were issued in, the latest first."""
    return list(db.session.scalars(select(Bulletin.year).where(Bulletin.status == BulletinStep.ISSUED)
                                   .distinct().order_by(Bulletin.year.desc())))


def bulletin_by_id(bulletin_id: int) -> Bulletin | None:
    return db.session.get(Bulletin, bulletin_id)


def corrections_of(bulletin: Bulletin) -> list[Bulletin]:
    """The bulletins that correct this one, oldest first."""
    return list(db.session.scalars(select(Bulletin).where(Bulletin.corrects_id == bulletin.id)
                                   .order_by(Bulletin.issued_at, Bulletin.id)))


def download_name(bulletin: Bulletin) -> str:
    """The file name a download is saved under: the title and the number."""
    return f"{bulletin.title}（{bulletin.label}）.pdf"


def bulletin_json(bulletin: Bulletin, download_url: str) -> dict:
    """What ``GET /api/v1/bulletins`` gives for one bulletin."""
    corrects = bulletin.corrects
    return {"id": bulletin.id, "kind": bulletin.kind, "series": bulletin.series, "year": bulletin.year,
            "number": bulletin.number, "label": bulletin.label, "document_number": bulletin.document_number or None,
            "title": bulletin.title, "issuer": bulletin.issuer,
            "issued_at": bulletin.issued_at.isoformat(timespec="seconds") + "Z",
            "status": bulletin.render_status, "sha256": bulletin.pdf_sha256, "size": bulletin.pdf_size,
            "download_url": download_url if bulletin.render_status == "done" else None,
            "corrects": None if corrects is None else {"id": corrects.id, "year": corrects.year,
                                                        "number": corrects.number, "label": corrects.label}}
