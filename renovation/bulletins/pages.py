"""What a bulletin's page shows, for the routes that answer with it (its own, and a refused step's)."""
from flask import abort
from flask_login import current_user

from renovation import permissions
from renovation.bulletins.forms import SendBackForm, StepForm
from renovation.domain.bulletins import archive as bulletin_archive
from renovation.domain.bulletins import workflow
from renovation.models import Bulletin, BulletinStep
from renovation.models.bulletins import BULLETIN_KIND_LABELS, BULLETIN_STEP_LABELS


def bulletin_for(bulletin_id: int) -> Bulletin:
    """The bulletin, if the user may read it (a draft: those who follow drafts); else 404."""
    bulletin = bulletin_archive.bulletin_by_id(bulletin_id)
    if bulletin is None or not permissions.can_view_bulletin(current_user, bulletin):
        abort(404)
    return bulletin


def bulletin_page(bulletin: Bulletin, **context) -> dict:
    """What the bulletin's page shows (also after a refused step, with the refusal)."""
    issued = bulletin.status == BulletinStep.ISSUED
    return {"bulletin": bulletin, "issued": issued, "kind_labels": BULLETIN_KIND_LABELS,
            "step_labels": BULLETIN_STEP_LABELS,
            "steps": workflow.steps_of(bulletin), "send_on_to": workflow.send_on_to(),
            "progress": bulletin_archive.render_progress(bulletin) if issued else None,
            "corrections": bulletin_archive.corrections_of(bulletin) if issued else [],
            "may": steps_open_to(current_user, bulletin),
            "step_form": StepForm(formdata=None, version=bulletin.version),
            "send_back_form": SendBackForm(formdata=None, version=bulletin.version)} | context


def steps_open_to(user, bulletin: Bulletin) -> dict:
    """Which of the bulletin's steps the user may take now (the page offers those)."""
    status, drafter = bulletin.status, permissions.can_issue_bulletins(user)
    return {"edit": status == BulletinStep.DRAFT and drafter,
            "send_on": status == BulletinStep.DRAFT and drafter and workflow.send_on_to() is not None,
            "check": status == BulletinStep.CHECKING and permissions.can_check_bulletin(user, bulletin),
            "sign": status == BulletinStep.SIGNING and permissions.can_sign_bulletins(user),
            "issue": workflow.may_issue_now(bulletin) and drafter,
            "send_back": status not in (BulletinStep.DRAFT, BulletinStep.ISSUED)
                         and permissions.can_send_back_bulletin(user)}
