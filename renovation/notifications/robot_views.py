"""The admins' chat robots (企业微信, 钉钉) and the deliveries that failed, with "send again"."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from renovation import permissions
from renovation.domain.errors import RuleViolation
from renovation.domain.notifications import deliveries, robots
from renovation.extensions import db
from renovation.models import Community, Street
from renovation.models.notifications import (
    ROBOT_KIND_LABELS,
    ROBOT_POST_LABELS,
    ChatRobot,
    Delivery,
    DeliveryStatus,
)
from renovation.notifications import bp
from renovation.notifications.forms import ConfirmForm, RobotForm
from renovation.templating import render

can_configure = permissions.require(permissions.can_configure_robots)


def _robot_form(robot: ChatRobot | None = None) -> RobotForm:
    """The add form (empty), or a robot's edit form: as posted, or filled from the robot on a GET."""
    if robot is not None and request.method == "GET":
        place = (f"community:{robot.community_id}" if robot.community_id
                 else f"street:{robot.street_id}" if robot.street_id else "")
        form = RobotForm(formdata=None, name=robot.name, kind=robot.kind, url=robot.url, place=place,
                         kinds=robot.kinds, active=robot.active)
    else:
        form = RobotForm()
    form.set_places(db.session.scalars(select(Street).order_by(Street.name)),
                    db.session.scalars(select(Community).order_by(Community.name)))
    return form


def _values(form: RobotForm) -> dict:
    place = form.place_ids()
    model = {"street": Street, "community": Community}.get(place[0]) if place else None
    chosen = db.session.get(model, place[1]) if model else None
    return {"name": form.name.data, "kind": form.kind.data, "url": form.url.data, "secret": form.secret.data,
            "street": chosen if model is Street else None, "community": chosen if model is Community else None,
            "kinds": form.kinds.data or [], "active": form.active.data}


def _robots_page(form, status=200):
    return render("notifications/robots.html", robots=robots.robot_list(), form=form, confirm=ConfirmForm(),
                  kind_labels=ROBOT_POST_LABELS, robot_labels=ROBOT_KIND_LABELS,
                  hosts=robots.allowed_hosts(), failed=len(deliveries.failed_deliveries()),
                  waiting=deliveries.waiting_count()), status


def _saved(form, save) -> bool:
    """Validate and save; the domain's refusals beside their fields."""
    if not form.validate_on_submit():
        return False
    try:
        save(_values(form))
    except RuleViolation as violation:
        for name, message in violation.errors.items():
            getattr(form, name if hasattr(form, name) else "place").errors.append(message)
        return False
    return True


@bp.route("/admin/robots", methods=["GET", "POST"])
@can_configure
def robot_list():
    form = _robot_form()
    if form.is_submitted() and _saved(form, lambda values: robots.add_robot(values, current_user)):
        flash(_("Robot %(name)s added.", name=form.name.data), "success")
        return redirect(url_for("notifications.robot_list"), code=303)
    return _robots_page(form, 422 if form.is_submitted() else 200)


def _robot_or_404(robot_id: int) -> ChatRobot:
    return db.session.get(ChatRobot, robot_id) or abort(404)


@bp.route("/admin/robots/<int:robot_id>", methods=["GET", "POST"])
@can_configure
def edit_robot(robot_id):
    robot = _robot_or_404(robot_id)
    form = _robot_form(robot)
    if form.is_submitted() and _saved(form, lambda values: robots.change_robot(robot, values, current_user)):
        flash(_("Robot %(name)s saved.", name=robot.name), "success")
        return redirect(url_for("notifications.robot_list"), code=303)
    return render("notifications/robot.html", robot=robot, form=form, hosts=robots.allowed_hosts(),
                  confirm=ConfirmForm()), 422 if form.is_submitted() else 200


@bp.route("/admin/robots/<int:robot_id>/delete", methods=["POST"])
@can_configure
def delete_robot(robot_id):
    robot = _robot_or_404(robot_id)
    if ConfirmForm().validate_on_submit():
        name = robot.name
        robots.delete_robot(robot, current_user)
        flash(_("Robot %(name)s removed.", name=name), "success")
    return redirect(url_for("notifications.robot_list"), code=303)


@bp.route("/admin/deliveries")
@can_configure
def failed_deliveries():
    failed = deliveries.failed_deliveries()
    return render("notifications/deliveries.html", failed=failed, confirm=ConfirmForm(),
                  targets={delivery.id: deliveries.target_name(delivery) for delivery in failed},
                  waiting=deliveries.waiting_count())


@bp.route("/admin/deliveries/<int:delivery_id>/send-again", methods=["POST"])
@can_configure
def send_again(delivery_id):
    delivery = db.session.get(Delivery, delivery_id) or abort(404)
    if delivery.status != DeliveryStatus.FAILED:
        flash(_("This message is not waiting for a new try."), "info")
    elif ConfirmForm().validate_on_submit():
        deliveries.send_again(delivery, current_user)
        flash(_("The message is queued to be sent again."), "success")
    return redirect(url_for("notifications.failed_deliveries"), code=303)
