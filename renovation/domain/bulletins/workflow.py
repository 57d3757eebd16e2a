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
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from renovation.domain import audit
from renovation.domain.bulletins import issue as issuing
from renovation.domain.bulletins import preview
from renovation.domain.clock import utcnow
from renovation.domain.errors import commit_or_conflict
from renovation.extensions import db
from renovation.models import Bulletin, BulletinStep, Role
from renovation.models.limits import column_limit

STEPS = ("check", "sign")
SENT_BACK_REASON_MAX = column_limit(Bulletin.sent_back_reason)


BulletinConflict = issuing.BulletinConflict


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
    bulletin = issuing.new_draft(kind, scope, user, notes, pair_ids, copy_to, corrects)
    db.session.add(bulletin)
    db.session.flush()
    audit.record(user, "bulletin.draft", "bulletin", bulletin.id, kind=kind, title=bulletin.title)
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


def send_on(bulletin: Bulletin, user, seen_version: int) -> Bulletin:
    """The draft goes to its checker, its signer, or (an office without either) to be issued; its
    data are frozen as they are now."""
    _expect(bulletin, seen_version, BulletinStep.DRAFT)
    if not may_draft(user):
        raise issuing.BulletinError(_("Only engineers and administrators send a draft on."))
    bulletin.snapshot = issuing.frozen_data(bulletin)
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


def issue(bulletin_id: int, user, seen_version: int, expected_label: str | None = None) -> Bulletin:
    """Issue (印发) a signed bulletin (or the draft of an office without steps): it takes the next
    number of its series and its document is written around the frozen data; the caller queues
    its render. ``expected_label`` is the number the user confirmed (see
    :func:`renovation.domain.bulletins.issue.give_number`). Two people issuing it at once: one
    issues it, the other is told it changed (a conflict); two bulletins issued at once get
    distinct numbers."""
    if not may_draft(user):
        raise issuing.BulletinError(_("Only engineers and administrators issue bulletins."))

    def ready(bulletin: Bulletin) -> dict:
        if bulletin.version != seen_version:
            raise BulletinConflict(bulletin)
        if not may_issue_now(bulletin):
            raise issuing.BulletinError(_("Only a signed bulletin is issued."))
        return bulletin.snapshot or issuing.frozen_data(bulletin)

    bulletin = issuing.give_number(bulletin_id, user, ready, expected_label)
    preview.forget(bulletin.id)
    return bulletin


def send_on_to() -> BulletinStep | None:
    """Where this office's drafts are sent on to (None: there is no step; the draft is issued)."""
    step = after_draft()
    return None if step == BulletinStep.SIGNED else step


def steps_of(bulletin: Bulletin) -> list[dict]:
    """The bulletin's way so far and ahead, as its page lists it: each step this office uses (or
    that was taken), who took it and when (None: not yet)."""
    steps = [{"step": "draft", "by": bulletin.drafted_by, "at": bulletin.drafted_at}]
    for step, by, at in (("check", bulletin.checked_by, bulletin.checked_at),
                         ("sign", bulletin.signed_by, bulletin.signed_at)):
        if step in office_steps() or by is not None:
            steps.append({"step": step, "by": by, "at": at})
    steps.append({"step": "issue", "by": bulletin.issued_by, "at": bulletin.issued_at})
    return steps


def waiting_on(user, bulletin: Bulletin) -> bool:
    """Whether the bulletin's next step is the user's to take."""
    if bulletin.status == BulletinStep.DRAFT:
        return bulletin.drafted_by_id == user.id
    if bulletin.status == BulletinStep.CHECKING:
        return may_check(user, bulletin)
    if bulletin.status == BulletinStep.SIGNING:
        return may_sign(user)
    return bulletin.status == BulletinStep.SIGNED and may_draft(user)


def open_drafts(user) -> list[tuple[Bulletin, bool]]:
    """The bulletins not issued yet, those waiting on ``user`` first, then the newest: each with
    whether it waits on them."""
    drafts = db.session.scalars(select(Bulletin).options(joinedload(Bulletin.drafted_by))
                                .where(Bulletin.status != BulletinStep.ISSUED)
                                .order_by(Bulletin.drafted_at.desc(), Bulletin.id.desc()).limit(200)).all()
    marked = [(bulletin, waiting_on(user, bulletin)) for bulletin in drafts]
    return sorted(marked, key=lambda pair: not pair[1])
