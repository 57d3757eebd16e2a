"""Reading issued bulletins: the archive (newest first, with issuer and corrections, two queries),
one bulletin with the bulletins correcting it, where its PDF is, and the plain JSON the API gives."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from renovation.extensions import db
from renovation.models import Bulletin, RenderStatus


@dataclass(frozen=True)
class RenderProgress:
    """Where a bulletin's PDF is, as its page shows it."""

    status: str

    @property
    def polling(self) -> bool:
        """Whether the page asks again: the PDF is on its way."""
        return self.status in (RenderStatus.QUEUED, RenderStatus.RENDERING)


def render_progress(bulletin: Bulletin) -> RenderProgress:
    """The bulletin's render status for its page."""
    return RenderProgress(bulletin.render_status)


def issued_bulletins(limit: int = 500) -> list[Bulletin]:
    """Every bulletin, newest first, with who issued it and the bulletin it corrects."""
    return list(db.session.scalars(
        select(Bulletin).options(joinedload(Bulletin.issued_by), joinedload(Bulletin.corrects))
        .order_by(Bulletin.issued_at.desc(), Bulletin.id.desc()).limit(limit)).unique())


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
    return {"id": bulletin.id, "kind": bulletin.kind, "year": bulletin.year, "number": bulletin.number,
            "label": bulletin.label, "title": bulletin.title, "issuer": bulletin.issuer,
            "issued_at": bulletin.issued_at.isoformat(timespec="seconds") + "Z",
            "status": bulletin.render_status, "sha256": bulletin.pdf_sha256, "size": bulletin.pdf_size,
            "download_url": download_url if bulletin.render_status == "done" else None,
            "corrects": None if corrects is None else {"id": corrects.id, "year": corrects.year,
                                                        "number": corrects.number, "label": corrects.label}}
