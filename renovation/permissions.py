"""Who may do what, in one place. Views, templates and the API all ask these functions."""
from functools import wraps

from flask import abort, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.local import LocalProxy

from renovation.domain.bulletins import workflow
from renovation.domain.leaders.links import is_linked
from renovation.models.users import Role


def _is(user, *roles: Role) -> bool:
    if isinstance(user, LocalProxy):  # current_user: looked up once here, not at every attribute
        user = user._get_current_object()
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


def can_view_projects(user) -> bool:
    """Every signed-in role reads every project."""
    return _is(user, Role.ADMIN, Role.ENGINEER, Role.COMMITTEE, Role.LEADER)


def can_edit_stage(user, project=None) -> bool:
    """Engineers and admins move stages; committees and leaders do not."""
    return _is(user, Role.ADMIN, Role.ENGINEER)


def can_add_photo(user, project) -> bool:
    """Engineers and admins everywhere; committee members for their own community's projects."""
    if _is(user, Role.ADMIN, Role.ENGINEER):
        return True
    return _is(user, Role.COMMITTEE) and user.community_id == project.compound.community_id


def can_change_photo(user, photo) -> bool:
    """Edit or delete: the uploader (while still allowed on the project), engineers and admins."""
    if _is(user, Role.ADMIN, Role.ENGINEER):
        return True
    return photo.uploaded_by_id == getattr(user, "id", None) and can_add_photo(user, photo.project)


def can_pair_photos(user, project=None) -> bool:
    """Engineers mark before/after pairs."""
    return _is(user, Role.ADMIN, Role.ENGINEER)


def can_see_gps(user) -> bool:
    """Where a photo was taken is for bureau staff only."""
    return _is(user, Role.ADMIN, Role.ENGINEER)


def can_write_consultations(user, project) -> bool:
    """Consultations, votes and demands: engineers and admins everywhere, committee members for
    their own community's projects; leaders read."""
    return can_add_photo(user, project)


def can_delete_attachment(user, attachment) -> bool:
    """A consultation's file: the uploader (while still allowed on the project), engineers and admins."""
    if _is(user, Role.ADMIN, Role.ENGINEER):
        return True
    return (attachment.uploaded_by_id == getattr(user, "id", None)
            and can_write_consultations(user, attachment.consultation.project))


def can_raise_problem(user, project) -> bool:
    """Difficult problems: raised (and their facts edited) by engineers and admins everywhere, by
    committee members for their own community's projects; everyone who reads projects reads them."""
    return can_add_photo(user, project)


def can_handle_problems(user, project) -> bool:
    """Whether the user may take any step of a project's problems at all (the API's first check)."""
    return can_raise_problem(user, project) or _is(user, Role.LEADER)


def can_take_problem_step(user, problem, step: str) -> bool:
    """领办: engineers and admins give a problem to a leader, a leader takes an open one on; the
    problem's leader, engineers and admins solve or suspend it; those may reopen it, and so may the
    committee of its community (residents say it is not solved)."""
    bureau = _is(user, Role.ADMIN, Role.ENGINEER)
    own_leader = _is(user, Role.LEADER) and problem.leader_id == user.id
    if step == "edit":
        return can_raise_problem(user, problem.project)
    if step == "assign":
        return bureau
    if step == "take_on":
        return _is(user, Role.LEADER)
    if step in ("solve", "suspend"):
        return bureau or own_leader
    if step == "reopen":
        return own_leader or can_raise_problem(user, problem.project)
    return False


def can_record_acceptance(user, project) -> bool:
    """竣工验收: engineers and admins record a project's acceptances (representatives, items checked,
    papers) and its rectification items, and close them, everywhere; the committee of the project's
    community for its own projects; everyone who reads projects reads them."""
    return can_add_photo(user, project)


def can_edit_contents(user, project=None) -> bool:
    """改造内容: engineers and admins add items to a project and report their quantities; everyone who
    reads projects reads them."""
    return _is(user, Role.ADMIN, Role.ENGINEER)


def can_edit_aftercare(user, project) -> bool:
    """长效管理 (party branch, owners' committee, property management after the works): engineers and
    admins for any project, committee members for their own community's; leaders read."""
    return can_add_photo(user, project)


def can_manage_content_items(user) -> bool:
    """The catalogue of content items (改造内容清单): administrators."""
    return _is(user, Role.ADMIN)


def can_override_rules(user) -> bool:
    """Setting a stage rule aside with a written reason (paving before hidden-works photos): an
    engineer or admin whom an administrator allowed."""
    return _is(user, Role.ADMIN, Role.ENGINEER) and bool(getattr(user, "may_override_rules", False))


def can_manage_leader_links(user) -> bool:
    """挂钩联系点: admins link users (leaders mostly) to communities and projects, and end the links."""
    return _is(user, Role.ADMIN)


def can_record_visit(user, project) -> bool:
    """蹲点调研: engineers and admins record a project's site visits, and so does a leader linked to
    the project today; everyone who reads projects reads them."""
    if _is(user, Role.ADMIN, Role.ENGINEER):
        return True
    return _is(user, Role.LEADER) and is_linked(user, project)


def can_issue_bulletins(user) -> bool:
    """Engineers and admins preview and issue bulletins; everyone who reads projects reads them."""
    return _is(user, Role.ADMIN, Role.ENGINEER)


def can_sign_bulletins(user) -> bool:
    """签发: a user an administrator allows to sign (renovation/domain/bulletins/workflow.py)."""
    return bool(getattr(user, "is_authenticated", False)) and workflow.may_sign(user)


def can_check_bulletin(user, bulletin) -> bool:
    """审核: an engineer or administrator other than the bulletin's drafter."""
    return bool(getattr(user, "is_authenticated", False)) and workflow.may_check(user, bulletin)


def can_follow_drafts(user) -> bool:
    """Drafts are read by who drafts, checks, signs and issues them: engineers, admins and signers."""
    return can_issue_bulletins(user) or can_sign_bulletins(user)


def can_view_bulletin(user, bulletin) -> bool:
    """An issued bulletin: everyone who reads projects; a draft: those who follow drafts."""
    return can_view_projects(user) if bulletin.status == "issued" else can_follow_drafts(user)


def can_send_back_bulletin(user) -> bool:
    """Back to the drafter: engineers, administrators and signers."""
    return bool(getattr(user, "is_authenticated", False)) and workflow.may_send_back(user)


def home_endpoint(user) -> str:
    """Where a user lands: the programme at a glance (with the latest bulletins, first for
    leaders) for the bureau and the leaders; their projects for community committees."""
    return "projects.index" if _is(user, Role.COMMITTEE) else "dashboard.index"


def responsible_name(user) -> str:
    """The name 我负责的 matches against a project's responsible engineer: an engineer's display
    name (or username); empty for the other roles, who are nobody's responsible engineer."""
    return user.name if _is(user, Role.ENGINEER) else ""


def home_community_id(user) -> int | None:
    """The community whose work is the user's own: a committee member's; None for everyone else
    (their lists open on the whole city)."""
    return user.community_id if _is(user, Role.COMMITTEE) else None


def home_arguments(user) -> dict:
    """The query of the user's home page: committee members land on their own community's projects."""
    community_id = home_community_id(user)
    return {"community": community_id} if community_id else {}


def can_import_ledger(user) -> bool:
    """Engineers and admins import the project ledger (.xlsx); everyone who reads projects exports."""
    return _is(user, Role.ADMIN, Role.ENGINEER)


def can_view_audit_log(user) -> bool:
    return _is(user, Role.ADMIN)


def can_manage_users(user) -> bool:
    return _is(user, Role.ADMIN)


def can_hold_api_tokens(user) -> bool:
    """Every signed-in role keeps its own API tokens; the API still asks the role's permissions."""
    return _is(user, Role.ADMIN, Role.ENGINEER, Role.COMMITTEE, Role.LEADER)


def can_revoke_token(user, api_token) -> bool:
    """A token's owner revokes it, and so do admins (a lost laptop, a leaver)."""
    return _is(user, Role.ADMIN) or (can_hold_api_tokens(user) and api_token.user_id == user.id)


def can_read_notifications(user) -> bool:
    """Every signed-in role has its own notifications (the bell) and chooses the kinds it wants."""
    return _is(user, Role.ADMIN, Role.ENGINEER, Role.COMMITTEE, Role.LEADER)


def can_configure_robots(user) -> bool:
    """The group-chat robots of communities and streets, and the deliveries that failed: administrators."""
    return _is(user, Role.ADMIN)


def wants_fragment_or_json() -> bool:
    """htmx and JSON callers get a bare status instead of a redirect to the login page."""
    return bool(request.htmx) or request.accept_mimetypes.best == "application/json"


def require(check):
    """Decorate a page view: anonymous users go to login, others failing ``check`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.method != "GET" and request.accept_mimetypes.best != "application/json":
                    # A write from a page whose login ended (expired, ended by an admin, or in
                    # another tab): keep the form as typed, in place for htmx, on a page holding
                    # the values for a full-page post; a redirect to the login would lose them.
                    from renovation.errors import session_expired

                    return session_expired(401)
                if wants_fragment_or_json():
                    response = jsonify(error=_("Please log in."))
                    response.status_code = 401
                    response.headers["HX-Redirect"] = url_for("auth.login")
                    return response
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
