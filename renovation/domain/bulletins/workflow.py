"""A bulletin's way from draft to issue, as a government office issues a document: drafted (拟稿),
checked by another engineer (审核, optional), signed by someone allowed to sign (签发), then issued
(印发), which alone gives it its number.

``RENOVATION_BULLETIN_STEPS`` says which steps an office uses: ``check,sign`` (the default),
``sign``, or nothing at all (an office that issues in one step: the drafter issues the draft). Each
step checks the version the user saw (a stale form is a :class:`~renovation.domain.errors.Conflict`)
and who the user is, records who took it and when, and writes the audit log. The data a bulletin
prints are frozen when the draft is sent on, so that what was checked and signed is what is
printed; sent back to its drafter, it is a draft again and its data are gathered again when it
is sent on. Issuing numbers it in its series (:mod:`renovation.domain.bulletins.series`) as
:func:`renovation.domain.bulletins.issue.issue_bulletin` does, and queues its render.
"""
import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from renovation.domain import audit
from renovation.domain.bulletins import issue as issuing
from renovation.domain.bulletins import series
from renovation.domain.clock import today as china_today
from renovation.domain.clock import utcnow
from renovation.domain.errors import Conflict, commit_or_conflict
from renovation.extensions import db
from renovation.models import Bulletin, BulletinStep, RenderStatus, Role
from renovation.models.limits import column_limit

log = logging.getLogger(__name__)
STEPS = ("check", "sign")
SENT_BACK_REASON_MAX = column_limit(Bulletin.sent_back_reason)


class BulletinConflict(Conflict):
    """Someone moved the bulletin on (or back) since the user looked: ``current`` is how it is now."""


# Who may take each step (the pages ask renovation.permissions, which asks these).
DRAFTERS = (Role.ADMIN, Role.ENGINEER)  # draft, edit, send on and issue


def may_draft(user) -> bool:
    return bool(user.active and user.role in DRAFTERS)


def may_check(user, bulletin: Bulletin) -> bool:
    """审核 is by an engineer or administrator other than the drafter."""
    return may_draft(user) and user.id != bulletin.drafted_by_id


def may_sign(user) -> bool:
    """签发 is by a user an administrator allows to sign (a deputy director, say), whatever the role."""
    return bool(user.active and user.may_sign_bulletins)


def may_send_back(user) -> bool:
    return may_draft(user) or may_sign(user)


def office_steps() -> tuple[str, ...]:
    """The steps between draft and issue this office uses, in order."""
    configured = {step.strip() for step in (current_app.config.get("BULLETIN_STEPS") or "").split(",")}
    return tuple(step for step in STEPS if step in configured)


def after_draft() -> BulletinStep:
    """Where a draft sent on goes: to the checker, the signer, or straight to be issued."""
    steps = office_steps()
    if "check" in steps:
        return BulletinStep.CHECKING
    return BulletinStep.SIGNING if "sign" in steps else BulletinStep.SIGNED


def _scope(bulletin: Bulletin) -> issuing.Scope:
    return issuing.Scope(street=bulletin.street, project=bulletin.project)


def _expect(bulletin: Bulletin, seen_version: int, *steps: BulletinStep) -> None:
    if bulletin.version != seen_version:
        raise BulletinConflict(bulletin)
    if bulletin.status not in steps:
        raise issuing.BulletinError(_("This bulletin is not at that step any more; reload its page."))


def create_draft(kind: str, scope: issuing.Scope, user, notes: str = "", pair_ids: list[int] | None = None,
                 copy_to: str | None = None, corrects: Bulletin | None = None) -> Bulletin:
    """A new draft of ``kind`` over ``scope``, drafted by ``user``; raises :class:`BulletinError`
    when the kind, scope or correction do not fit."""
    if not may_draft(user):
        raise issuing.BulletinError(_("Only engineers and administrators draft bulletins."))
    issuing.check_scope(kind, scope)
    street_id, project_id = issuing.scope_ids(scope)
    if corrects is not None and (corrects.kind, corrects.street_id, corrects.project_id) != (
            kind, street_id, project_id):
        raise issuing.BulletinError(_("A correction must be of the same kind and scope as the bulletin it corrects."))
    title, _masthead, _subject = issuing.title_of(kind, scope)
    now = utcnow()
    bulletin = Bulletin(kind=kind, status=BulletinStep.DRAFT.value,
                        series=series.series_of(kind, street_id, project_id), street_id=street_id,
                        project_id=project_id, title=title,
                        issuer=current_app.config.get("BULLETIN_ISSUER") or issuing.DEFAULT_ISSUER,
                        notes=(notes or "").strip(), photo_pair_ids=list(pair_ids) if pair_ids else [],
                        copy_to=issuing.default_copy_to() if copy_to is None else issuing.clean_copy_to(copy_to),
                        corrects_id=corrects.id if corrects else None, drafted_by_id=user.id, drafted_at=now,
                        render_status=None)
    db.session.add(bulletin)
    db.session.flush()
    audit.record(user, "bulletin.draft", "bulletin", bulletin.id, kind=kind, title=title)
    db.session.commit()
    return bulletin


def edit_draft(bulletin: Bulletin, user, seen_version: int, notes: str, pair_ids: list[int] | None,
               copy_to: str) -> Bulletin:
    """The drafter's (or another engineer's) changes to a draft."""
    _expect(bulletin, seen_version, BulletinStep.DRAFT)
    if not may_draft(user):
        raise issuing.BulletinError(_("Only engineers and administrators draft bulletins."))
    bulletin.notes, bulletin.copy_to = (notes or "").strip(), issuing.clean_copy_to(copy_to)
    bulletin.photo_pair_ids = list(pair_ids) if pair_ids else []
    audit.record(user, "bulletin.edit", "bulletin", bulletin.id)
    return commit_or_conflict(bulletin, BulletinConflict)


def _frozen_data(bulletin: Bulletin) -> dict:
    """The data the bulletin prints, as they are now (raises when a chosen pair left its scope)."""
    day = china_today()
    pair_ids = bulletin.photo_pair_ids or None
    data, previous = issuing.gather(bulletin.kind, _scope(bulletin), pair_ids, day)
    issuing.check_pairs(pair_ids, data)
    return {"data": data, "frozen_on": day.isoformat(), "previous_id": previous.id if previous else None}


def send_on(bulletin: Bulletin, user, seen_version: int) -> Bulletin:
    """The draft goes to its checker, its signer, or (an office without either) to be issued; its
    data are frozen as they are now."""
    _expect(bulletin, seen_version, BulletinStep.DRAFT)
    if not may_draft(user):
        raise issuing.BulletinError(_("Only engineers and administrators send a draft on."))
    bulletin.snapshot = _frozen_data(bulletin)
    bulletin.status, bulletin.sent_back_reason = after_draft().value, ""
    audit.record(user, "bulletin.send_on", "bulletin", bulletin.id, to=bulletin.status)
    return commit_or_conflict(bulletin, BulletinConflict)


def check(bulletin: Bulletin, user, seen_version: int) -> Bulletin:
    """Checked by an engineer other than its drafter: on to the signer (or to be issued)."""
    _expect(bulletin, seen_version, BulletinStep.CHECKING)
    if not may_check(user, bulletin):
        raise issuing.BulletinError(_("A bulletin is checked by an engineer other than its drafter."))
    bulletin.checked_by_id, bulletin.checked_at = user.id, utcnow()
    bulletin.status = (BulletinStep.SIGNING if "sign" in office_steps() else BulletinStep.SIGNED).value
    audit.record(user, "bulletin.check", "bulletin", bulletin.id)
    return commit_or_conflict(bulletin, BulletinConflict)


def sign(bulletin: Bulletin, user, seen_version: int) -> Bulletin:
    """Signed (签发) by a user an administrator allows to sign: ready to be issued."""
    _expect(bulletin, seen_version, BulletinStep.SIGNING)
    if not may_sign(user):
        raise issuing.BulletinError(_("Only a user allowed to sign bulletins signs them."))
    bulletin.signed_by_id, bulletin.signed_at = user.id, utcnow()
    bulletin.status = BulletinStep.SIGNED.value
    audit.record(user, "bulletin.sign", "bulletin", bulletin.id)
    return commit_or_conflict(bulletin, BulletinConflict)


def send_back(bulletin: Bulletin, user, seen_version: int, reason: str) -> Bulletin:
    """Back to its drafter, with the reason: a draft again, its check and signature undone."""
    _expect(bulletin, seen_version, BulletinStep.CHECKING, BulletinStep.SIGNING, BulletinStep.SIGNED)
    if not may_send_back(user):
        raise issuing.BulletinError(_("Only its checker, a signer or an engineer sends a bulletin back."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise issuing.BulletinError(_("Say why the bulletin goes back to its drafter."))
    if len(reason) > SENT_BACK_REASON_MAX:
        raise issuing.BulletinError(_("The reason is longer than %(count)s characters.", count=SENT_BACK_REASON_MAX))
    bulletin.status, bulletin.sent_back_reason, bulletin.snapshot = BulletinStep.DRAFT.value, reason, None
    bulletin.checked_by_id = bulletin.checked_at = bulletin.signed_by_id = bulletin.signed_at = None
    audit.record(user, "bulletin.send_back", "bulletin", bulletin.id, reason=reason)
    return commit_or_conflict(bulletin, BulletinConflict)


def may_issue_now(bulletin: Bulletin) -> bool:
    """Signed, or a draft of an office that issues in one step."""
    return bulletin.status == BulletinStep.SIGNED or (bulletin.status == BulletinStep.DRAFT and not office_steps())


def issue(bulletin_id: int, user, seen_version: int) -> Bulletin:
    """Issue (印发) a signed bulletin: it takes the next number of its series, its document is
    written around the frozen data, and its render is queued (the caller queues the job). Two
    people issuing at once: one issues it, the other is told it changed (a conflict); two
    bulletins issued at once get distinct numbers (see :mod:`renovation.domain.bulletins.issue`)."""
    if not may_draft(user):
        raise issuing.BulletinError(_("Only engineers and administrators issue bulletins."))
    issuing.check_fonts()
    for _attempt in range(issuing.NUMBER_ATTEMPTS):
        bulletin = db.session.get(Bulletin, bulletin_id)
        if bulletin.version != seen_version:
            raise BulletinConflict(bulletin)
        if not may_issue_now(bulletin):
            raise issuing.BulletinError(_("Only a signed bulletin is issued."))
        frozen = bulletin.snapshot or _frozen_data(bulletin)
        previous = db.session.get(Bulletin, frozen["previous_id"]) if frozen.get("previous_id") else None
        day, scope, now = china_today(), _scope(bulletin), utcnow()
        number = issuing.next_number(bulletin.kind, scope, day.year)
        header = issuing.document(bulletin.kind, scope, day.year, number, now, bulletin.notes, user,
                                  bulletin.corrects, previous, bulletin.copy_to)
        header["signed_by"] = bulletin.signed_by.name if bulletin.signed_by else ""
        bulletin.status, bulletin.year, bulletin.number = BulletinStep.ISSUED.value, day.year, number
        bulletin.label, bulletin.document_number = header["label"], header["document_number"]
        bulletin.issued_at, bulletin.issued_by_id = now, user.id
        bulletin.photo_pair_ids = [pair["id"] for pair in frozen["data"]["pairs"]]
        bulletin.snapshot = {"document": header, "data": frozen["data"]}
        bulletin.render_status, bulletin.render_queued_at = RenderStatus.QUEUED.value, now
        try:
            db.session.flush()
            audit.record(user, "bulletin.issue", "bulletin", bulletin.id, kind=bulletin.kind, series=bulletin.series,
                         label=header["label"], document_number=header["document_number"],
                         corrects=bulletin.corrects_id)
            db.session.commit()
            return bulletin
        except StaleDataError:
            db.session.rollback()
            raise BulletinConflict(db.session.get(Bulletin, bulletin_id)) from None
        except (IntegrityError, OperationalError) as error:
            db.session.rollback()  # another bulletin took the number: read the max again
            log.info("bulletin number %s/%s/%s taken, retrying: %s", bulletin_id, day.year, number, error.orig)
    raise issuing.BulletinError(_("Could not give the bulletin a number; try again."))
