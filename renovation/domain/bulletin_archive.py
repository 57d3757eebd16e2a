"""Reading issued bulletins: the archive (newest first, with issuer and corrections, two queries)
and one bulletin; the plain JSON the API gives for each."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from renovation.extensions import db
from renovation.models import Bulletin


def issued_bulletins(limit: int = 500) -> list[Bulletin]:
    """Every bulletin, newest first, with who issued it and the bulletin it corrects."""
    return list(db.session.scalars(
        select(Bulletin).options(joinedload(Bulletin.issued_by), joinedload(Bulletin.corrects))
        .order_by(Bulletin.issued_at.desc(), Bulletin.id.desc()).limit(limit)).unique())


def bulletin_by_id(bulletin_id: int) -> Bulletin | None:
    return db.session.get(Bulletin, bulletin_id)


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
