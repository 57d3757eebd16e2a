"""Issuing bulletins: preview, number, freeze the snapshot, render and store the PDF.

Numbering and failure, in one place:
- The number is the next of its series for the year (max + 1: the city's, one street's, one
  project's briefs; see :mod:`renovation.domain.bulletins.series`), given in the transaction that
  stores the bulletin with its snapshot. Two engineers issuing at once both read the same max;
  the unique constraint on (series, year, number) makes the second insert fail, and it is retried
  with a fresh max, so they get two consecutive numbers, never a duplicate.
- Rendering comes after that commit, behind :func:`render_bulletin` (one function, so that it can
  run on a task queue). A failed render leaves the bulletin ``failed`` with its error, its number
  and its snapshot; rendering it again prints the same document. A number is never lost to a
  failure, and nothing deletes a bulletin, so there are no gaps. A worker killed mid-render leaves
  it ``rendering`` with a lease nobody renews; a lease later it is stalled, and the running worker
  claims it again by itself (see :mod:`renovation.domain.bulletins.render_lease`).
- A rendered bulletin never changes: its PDF is stored under its sha256 and read back verified.
  A correction is a new number whose ``corrects`` names the bulletin it corrects.
"""
import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from renovation.domain import audit, notifications
from renovation.domain.area_lists import area_lists
from renovation.domain.bulletins import series
from renovation.domain.bulletins.area_data import area_data
from renovation.domain.bulletins.brief_data import project_data
from renovation.domain.bulletins.months import area_months, project_months
from renovation.domain.bulletins.pdf import check_fonts, render_pdf
from renovation.domain.bulletins.photos import MAX_PAIRS
from renovation.domain.bulletins.render_lease import Lease, held_by, render_lease
from renovation.domain.clock import china_midnight_utc, utcnow
from renovation.domain.clock import today as china_today
from renovation.domain.contents.hidden_works import projects_without_hidden_works_evidence
from renovation.domain.contents.outputs import bulletin_outputs
from renovation.domain.errors import Conflict
from renovation.domain.problems.summary import bulletin_problems
from renovation.extensions import db
from renovation.models import Bulletin, BulletinKind, BulletinStep, Project, RenderStatus, Street
from renovation.storage import get_storage

log = logging.getLogger(__name__)
DEFAULT_ISSUER = "漳平市住房和城乡建设局"
CITY_OFFICES_COPIED = "市委办公室，市政府办公室，市财政局，市自然资源局"
# Past this many streets and towns the 抄送 line names them together rather than one by one.
COPY_TO_NAMED_AREAS = 12
NUMBER_ATTEMPTS = 8
# The projects without hidden-works photos a bulletin names (the rest it counts).
HIDDEN_WORKS_NAMED = 20


class BulletinError(ValueError):
    """The bulletin cannot be issued as asked; the message says why, in the reader's language
    (the page's, or the default language on the command line)."""


@dataclass(frozen=True)
class Scope:
    """What a bulletin covers: the city (neither), one street, or one project."""

    street: Street | None = None
    project: Project | None = None


def check_scope(kind: str, scope: Scope) -> None:
    """Raise :class:`BulletinError` unless the scope fits the kind."""
    if kind not in set(BulletinKind):
        raise BulletinError(_("Unknown bulletin kind: %(kind)s.", kind=kind))
    if kind == BulletinKind.STREET and scope.street is None:
        raise BulletinError(_("A street bulletin needs a street."))
    if kind == BulletinKind.PROJECT and scope.project is None:
        raise BulletinError(_("A project brief needs a project."))


def title_of(kind: str, scope: Scope) -> tuple[str, list[str], str | None]:
    """The title, the masthead's lines and the line under the masthead."""
    if kind == BulletinKind.PROJECT:
        compound = scope.project.compound.name
        return f"{compound}改造项目简报", ["城镇老旧小区改造", "项目简报"], f"{compound}（{scope.project.code}）"
    place = "全市" if kind == BulletinKind.CITY else scope.street.name
    return f"{place}城镇老旧小区改造工作进度通报", [f"{place}城镇老旧小区改造工作", "进度通报"], None


def scope_named(kind: str, street: str | None = None, project: str | None = None) -> Scope:
    """The scope of a kind from a street's name or a project's code (the CLI and the forms)."""
    from renovation.domain.project_list import project_by_code, projects_named

    street, project = (street or "").strip(), (project or "").strip()
    if kind == BulletinKind.STREET:
        found = db.session.scalar(select(Street).where(Street.name == street)) if street else None
        if found is None:
            raise BulletinError(_("No street named “%(name)s”.", name=street) if street
                                else _("A street bulletin needs a street."))
        return Scope(street=found)
    if kind == BulletinKind.PROJECT:
        if not project:
            raise BulletinError(_("A project brief needs a project."))
        found = project_by_code(project)
        if found is None:  # a compound's name, as the suggestions offer it
            named = projects_named(project)
            if len(named) > 1:
                raise BulletinError(_("Several projects are called “%(name)s”: choose one by its code (%(codes)s).",
                                      name=project, codes="、".join(each.code for each in named)))
            found = project_by_code(named[0].code) if named else None
        if found is None:
            raise BulletinError(_("No project with the code or name “%(code)s”.", code=project))
        return Scope(project=found)
    return Scope()


def office_of(area: str) -> str:
    """Who receives a copy for a street (its 办事处) or a town or township (its 人民政府)."""
    return f"{area}人民政府" if area.endswith(("镇", "乡")) else f"{area}办事处"


def default_copy_to() -> str:
    """The 抄送 line a new bulletin starts with: ``RENOVATION_BULLETIN_COPY_TO`` when set, else the
    city's offices and every street and town by name (together past :data:`COPY_TO_NAMED_AREAS`)."""
    configured = current_app.config.get("BULLETIN_COPY_TO")
    if configured:
        return configured
    areas = [name for _id, name in area_lists().streets]
    if len(areas) > COPY_TO_NAMED_AREAS:
        named = ["各街道办事处"] + (["各乡镇人民政府"] if any(area.endswith(("镇", "乡")) for area in areas) else [])
    else:
        named = [office_of(area) for area in areas]
    return "，".join([CITY_OFFICES_COPIED, *named])


def clean_copy_to(text: str | None) -> str:
    """The 抄送 line as typed, one line, without the full stop the print adds."""
    return " ".join((text or "").split()).strip("，,。. ")


def scope_ids(scope: Scope) -> tuple[int | None, int | None]:
    return (scope.street.id if scope.street else None), (scope.project.id if scope.project else None)


def _same_scope(kind: str, scope: Scope):
    street_id, project_id = scope_ids(scope)
    return (Bulletin.status == BulletinStep.ISSUED, Bulletin.kind == kind,
            Bulletin.street_id.is_(None) if street_id is None else Bulletin.street_id == street_id,
            Bulletin.project_id.is_(None) if project_id is None else Bulletin.project_id == project_id)


def previous_bulletin(kind: str, scope: Scope) -> Bulletin | None:
    """The latest bulletin of the same kind and scope: the one 'change since' compares with."""
    return db.session.scalar(select(Bulletin).where(*_same_scope(kind, scope))
                             .order_by(Bulletin.issued_at.desc(), Bulletin.id.desc()).limit(1))


def gather(kind: str, scope: Scope, pair_ids: list[int] | None, today) -> tuple[dict, Bulletin | None]:
    """The snapshot's data and the previous bulletin it was compared with; ``months`` is the
    monthly view from the month-end snapshots (None before the first); ``problems`` the difficult
    problems of the city or the street (renovation/domain/problems/summary.py); ``outputs`` what its
    projects deliver (renovation/domain/contents/outputs.py); ``hidden_works_missing`` the projects
    whose buried pipes have no photo (renovation/domain/contents/hidden_works.py)."""
    if kind == BulletinKind.PROJECT:
        data = project_data(scope.project, pair_ids, today)
        return data | {"months": project_months(scope.project.id, data["facts"]["progress"])}, None
    previous = previous_bulletin(kind, scope)
    previous_overview = previous.snapshot["data"].get("overview") if previous else None
    data = area_data(scope.street, pair_ids, today, previous_overview)
    ranked = [row["name"] for row in data["areas"]] if data["areas_are_streets"] else []
    street_id = scope.street.id if scope.street else None
    missing = projects_without_hidden_works_evidence(street_id, limit=HIDDEN_WORKS_NAMED)
    return data | {"months": area_months(street_id, ranked, today), "problems": bulletin_problems(today, street_id),
                   "outputs": bulletin_outputs(street_id, today),
                   "hidden_works_missing": [asdict(row) for row in missing.rows],
                   "hidden_works_missing_total": missing.total}, previous


def numbering(kind: str, scope: Scope, year: int, number: int, day) -> dict:
    """How the number of a bulletin reads: its series, label and 发文字号 (the city's alone)."""
    street_id, project_id = scope_ids(scope)
    if kind == BulletinKind.PROJECT:
        label = series.brief_label(scope.project.code, day, briefs_of_the_day(project_id, day) + 1)
    else:
        label = series.periodic_label(year, number)
    try:
        document_number = series.city_document_number(year, number) if kind == BulletinKind.CITY else ""
    except series.DocumentNumberFormatError as error:
        raise BulletinError(str(error)) from error
    return {"series": series.series_of(kind, street_id, project_id), "label": label,
            "document_number": document_number}


def briefs_of_the_day(project_id: int, day) -> int:
    """How many briefs of the project were issued on ``day`` (China's calendar)."""
    start = china_midnight_utc(day)
    return db.session.scalar(select(func.count(Bulletin.id)).where(
        Bulletin.kind == BulletinKind.PROJECT, Bulletin.project_id == project_id,
        Bulletin.issued_at >= start, Bulletin.issued_at < start + timedelta(days=1)))


def document(kind: str, scope: Scope, year: int, number: int, issued_at, notes: str, user,
             corrects: Bulletin | None, previous: Bulletin | None, copy_to: str | None = None) -> dict:
    """The printed header and footer of a bulletin, as plain data."""
    title, masthead, subject_line = title_of(kind, scope)
    config = current_app.config
    return {"kind": kind, "title": title, "masthead": masthead, "subject_line": subject_line,
            "year": year, "number": number, **numbering(kind, scope, year, number, china_today()),
            "issuer": config.get("BULLETIN_ISSUER") or DEFAULT_ISSUER,
            "copy_to": default_copy_to() if copy_to is None else clean_copy_to(copy_to),
            "subject": subject_line or "城镇老旧小区改造工作进度",
            "issued_at": issued_at.isoformat(timespec="seconds"), "issued_on": china_today().isoformat(),
            "issued_by": user.name if user is not None else "", "notes": (notes or "").strip(),
            "corrects": None if corrects is None else {"title": corrects.title, "label": corrects.label},
            "previous_label": previous.label if previous else None}


def check_pairs(pair_ids: list[int] | None, data: dict) -> None:
    if pair_ids is None:
        return
    if len(pair_ids) > MAX_PAIRS:
        raise BulletinError(_("Choose at most %(count)s before/after pairs.", count=MAX_PAIRS))
    if len(data["pairs"]) != len(set(pair_ids)):
        raise BulletinError(_("A chosen photo pair is not in this bulletin's scope or was deleted."))


def next_number(kind: str, scope: Scope, year: int) -> int:
    """One more than the highest number of the series this year."""
    key = series.series_of(kind, *scope_ids(scope))
    return (db.session.scalar(select(func.max(Bulletin.number)).where(Bulletin.series == key,
                                                                       Bulletin.year == year)) or 0) + 1


def preview_snapshot(kind: str, scope: Scope, notes: str = "", pair_ids: list[int] | None = None,
                     user=None, corrects: Bulletin | None = None, copy_to: str | None = None) -> dict:
    """What issuing now would print, numbered with the next number (not reserved)."""
    check_scope(kind, scope)
    day = china_today()
    data, previous = gather(kind, scope, pair_ids, day)
    check_pairs(pair_ids, data)
    header = document(kind, scope, day.year, next_number(kind, scope, day.year), utcnow(), notes, user, corrects,
                      previous, copy_to)
    return {"document": header | {"draft": True}, "data": data}


class BulletinConflict(Conflict):
    """Someone moved the bulletin on (or back) since the user looked: ``current`` is how it is now."""


class NumberChanged(BulletinError):
    """The number the user confirmed was taken by another bulletin meanwhile: ``label`` is the
    one this bulletin would now be issued under (to confirm again)."""

    def __init__(self, label: str):
        super().__init__(_("Another bulletin was issued meanwhile: this one would now be %(label)s. "
                           "Check the number and confirm again.", label=label))
        self.label = label


def new_draft(kind: str, scope: Scope, user, notes: str = "", pair_ids: list[int] | None = None,
              copy_to: str | None = None, corrects: Bulletin | None = None) -> Bulletin:
    """A draft of ``kind`` over ``scope`` by ``user`` (None: the command line), not yet added to the
    session; raises :class:`BulletinError` when the kind, scope or correction do not fit."""
    check_scope(kind, scope)
    street_id, project_id = scope_ids(scope)
    if corrects is not None and (corrects.kind, corrects.street_id, corrects.project_id) != (
            kind, street_id, project_id):
        raise BulletinError(_("A correction must be of the same kind and scope as the bulletin it corrects."))
    title, _masthead, _subject = title_of(kind, scope)
    return Bulletin(kind=kind, status=BulletinStep.DRAFT.value, series=series.series_of(kind, street_id, project_id),
                    street_id=street_id, project_id=project_id, title=title,
                    issuer=current_app.config.get("BULLETIN_ISSUER") or DEFAULT_ISSUER,
                    notes=(notes or "").strip(), photo_pair_ids=list(pair_ids) if pair_ids else [],
                    copy_to=default_copy_to() if copy_to is None else clean_copy_to(copy_to),
                    corrects_id=corrects.id if corrects else None,
                    drafted_by_id=user.id if user is not None else None, drafted_at=utcnow(), render_status=None)


def signer_printed(bulletin: Bulletin) -> str:
    """The 签发人 printed beside the 发文字号: the signer's name, in the series that print it
    (``RENOVATION_BULLETIN_PRINT_SIGNER``: kinds, by default the city's); '' otherwise."""
    kinds = {kind.strip() for kind in (current_app.config.get("BULLETIN_PRINT_SIGNER") or "").split(",")}
    return bulletin.signed_by.name if bulletin.signed_by is not None and bulletin.kind in kinds else ""


def printed_header(bulletin: Bulletin, number: int, issued_at, user, previous: Bulletin | None) -> dict:
    """What the bulletin prints around its data when issued under ``number`` now."""
    scope = Scope(street=bulletin.street, project=bulletin.project)
    header = document(bulletin.kind, scope, china_today().year, number, issued_at, bulletin.notes, user,
                      bulletin.corrects, previous, bulletin.copy_to)
    return header | {"signer": signer_printed(bulletin)}


def frozen_data(bulletin: Bulletin) -> dict:
    """The data the bulletin prints, as they are now (raises when a chosen pair left its scope)."""
    day = china_today()
    pair_ids = bulletin.photo_pair_ids or None
    data, previous = gather(bulletin.kind, Scope(bulletin.street, bulletin.project), pair_ids, day)
    check_pairs(pair_ids, data)
    return {"data": data, "frozen_on": day.isoformat(), "previous_id": previous.id if previous else None}


def give_number(bulletin_id: int, user, ready: Callable[[Bulletin], dict],
                expected_label: str | None = None) -> Bulletin:
    """Issue a bulletin under the next number of its series (see the module's docstring).

    ``ready(bulletin)`` raises when the bulletin may not be issued now and otherwise returns the
    data it prints, frozen (``{"data": …, "previous_id": …}``). ``expected_label``, when given, is
    the number the user confirmed: a different one (another bulletin took it meanwhile) raises
    :class:`NumberChanged` rather than issue under a number nobody confirmed. Raises
    :class:`BulletinConflict` when someone else changed the bulletin meanwhile. The caller queues
    the render."""
    check_fonts()
    for _attempt in range(NUMBER_ATTEMPTS):
        bulletin = db.session.get(Bulletin, bulletin_id)
        frozen = ready(bulletin)
        previous = db.session.get(Bulletin, frozen["previous_id"]) if frozen.get("previous_id") else None
        year, now = china_today().year, utcnow()
        number = next_number(bulletin.kind, Scope(bulletin.street, bulletin.project), year)
        header = printed_header(bulletin, number, now, user, previous)
        if expected_label is not None and header["label"] != expected_label:
            raise NumberChanged(header["label"])
        bulletin.status, bulletin.year, bulletin.number = BulletinStep.ISSUED.value, year, number
        bulletin.label, bulletin.document_number = header["label"], header["document_number"]
        bulletin.issued_at, bulletin.issued_by_id = now, user.id if user is not None else None
        bulletin.photo_pair_ids = [pair["id"] for pair in frozen["data"]["pairs"]]
        bulletin.snapshot = {"document": header, "data": frozen["data"]}
        bulletin.render_status, bulletin.render_queued_at = RenderStatus.QUEUED.value, now
        try:
            db.session.flush()
            audit.record(user, "bulletin.issue", "bulletin", bulletin.id, kind=bulletin.kind, series=bulletin.series,
                         label=header["label"], document_number=header["document_number"],
                         corrects=bulletin.corrects_id)
            db.session.commit()
            try:  # who wants to hear of it, and the chat robots; never in the way of issuing
                notifications.bulletin_issued(bulletin)
            except Exception:
                log.exception("bulletin %s issued, its notifications not written", bulletin_id)
            return bulletin
        except StaleDataError:
            db.session.rollback()
            raise BulletinConflict(db.session.get(Bulletin, bulletin_id)) from None
        except (IntegrityError, OperationalError) as error:
            # Someone else took this number (or, on SQLite, wrote first): read the max again.
            db.session.rollback()
            log.info("bulletin number %s/%s/%s taken, retrying: %s", bulletin_id, year, number, error.orig)
    raise BulletinError(_("Could not give the bulletin a number; try again."))


def issue_bulletin(kind: str, scope: Scope, user, notes: str = "", pair_ids: list[int] | None = None,
                   corrects: Bulletin | None = None, render: bool = True, copy_to: str | None = None) -> Bulletin:
    """Draft, number and store a bulletin in one go, then render it: the command line's way (and
    an office's without steps, see :mod:`renovation.domain.bulletins.workflow` for the pages').

    ``pair_ids`` None prints the newest pairs in scope; a list prints those (at most six).
    ``copy_to`` None prints :func:`default_copy_to`; a text prints that (empty: no 抄送 line).
    Raises :class:`BulletinError` when the kind, scope, pairs or correction do not fit, and
    :class:`~renovation.domain.bulletins.pdf.CJKFontsMissing` before taking a number when the
    fonts to print it are not installed.
    """
    draft = new_draft(kind, scope, user, notes, pair_ids, copy_to, corrects)
    check_fonts()
    data, previous = gather(kind, scope, pair_ids, china_today())
    check_pairs(pair_ids, data)
    frozen = {"data": data, "previous_id": previous.id if previous else None}
    db.session.add(draft)
    db.session.commit()
    try:
        bulletin = give_number(draft.id, user, lambda _bulletin: frozen)
    except BulletinError:
        db.session.delete(db.session.get(Bulletin, draft.id))  # nothing half-done is left behind
        db.session.commit()
        raise
    return render_bulletin(bulletin.id) if render else bulletin


def pdf_key(sha256: str) -> str:
    """Where a bulletin's PDF is stored: content-addressed, like the photos."""
    return f"bulletins/{sha256[:2]}/{sha256[2:4]}/{sha256}.pdf"


def stalled(now: datetime | None = None):
    """The SQL condition of a bulletin stuck in ``rendering``: its lease was not renewed in time
    (its worker died, or the render hung past ``BULLETIN_RENDER_TIMEOUT``)."""
    renewed_before = (now or utcnow()) - render_lease()
    return and_(Bulletin.render_status == RenderStatus.RENDERING.value,
                or_(Bulletin.render_started_at.is_(None), Bulletin.render_started_at < renewed_before))


def render_bulletin(bulletin_id: int) -> Bulletin:
    """Render a queued, failed or stalled bulletin from its snapshot and store the PDF; record a
    failure.

    A bulletin that is done, or being rendered by someone else (whose lease is alive), is left
    alone: the status is claimed with one conditional UPDATE, so a job run twice does no harm,
    and the result is written only under the lease (see :mod:`renovation.domain.bulletins.render_lease`).
    """
    now = utcnow()
    claimed = db.session.execute(
        update(Bulletin).where(Bulletin.id == bulletin_id,
                               or_(Bulletin.render_status.in_([RenderStatus.QUEUED.value, RenderStatus.FAILED.value]),
                                   stalled(now)))
        .values(render_status=RenderStatus.RENDERING.value, render_error="", render_started_at=now)).rowcount
    db.session.commit()
    if not claimed:
        return db.session.get(Bulletin, bulletin_id)
    lease = Lease(bulletin_id, now).start()
    try:
        bulletin = db.session.get(Bulletin, bulletin_id)
        pdf = render_pdf(bulletin.snapshot)
        sha256 = hashlib.sha256(pdf).hexdigest()
        storage = get_storage()
        if not storage.exists(pdf_key(sha256)):
            storage.put(pdf_key(sha256), pdf)
    except Exception as error:  # recorded on the bulletin and shown on its page; the job ends
        log.exception("bulletin %s failed to render", bulletin_id)
        db.session.rollback()
        outcome = {"render_status": RenderStatus.FAILED.value, "render_error": f"{error}"[:2000] or repr(error)}
    else:
        outcome = {"pdf_key": pdf_key(sha256), "pdf_sha256": sha256, "pdf_size": len(pdf),
                   "render_status": RenderStatus.DONE.value, "rendered_at": utcnow()}
    finally:
        lease.release()  # whatever happens: a worker stopping mid-render must not keep renewing
    written = db.session.execute(update(Bulletin).where(held_by(lease)).values(**outcome)).rowcount
    db.session.commit()
    if written:
        log.info("bulletin %s: %s", bulletin_id, outcome["render_status"])
    else:
        log.warning("bulletin %s: render lease lost; the worker that claimed it again writes the result", bulletin_id)
    return db.session.get(Bulletin, bulletin_id)


def requeue_bulletin(bulletin_id: int) -> bool:
    """Mark a failed or stalled bulletin queued again, before its render job is queued; False if
    it is neither (done, queued, or rendering within the timeout): then there is nothing to queue."""
    now = utcnow()
    requeued = db.session.execute(
        update(Bulletin).where(Bulletin.id == bulletin_id,
                               or_(Bulletin.render_status == RenderStatus.FAILED.value, stalled(now)))
        .values(render_status=RenderStatus.QUEUED.value, render_error="", render_queued_at=now,
                render_started_at=None)).rowcount
    db.session.commit()
    return bool(requeued)


def pdf_bytes(bulletin: Bulletin) -> bytes:
    """The stored PDF, checked against its sha256 (an issued bulletin never changes)."""
    if bulletin.render_status != RenderStatus.DONE or not bulletin.pdf_key:
        raise BulletinError(_("This bulletin has no PDF yet."))
    with get_storage().open(bulletin.pdf_key) as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != bulletin.pdf_sha256:
        raise BulletinError(_("The stored PDF of %(label)s does not match its sha256.", label=bulletin.label))
    return data
