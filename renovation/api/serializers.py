"""Projects, stages and photos as JSON."""
from datetime import date, datetime

from flask import url_for

from renovation.domain.stages.schedule import days_behind


def iso_time(value: date | datetime | None) -> str | None:
    """A date as YYYY-MM-DD, a (UTC) datetime as ISO 8601 with a Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def _number(value):
    return float(value) if value is not None else None


def project_summary(project, today: date) -> dict:
    compound = project.compound
    return {
        "code": project.code,
        "compound": compound.name,
        "street": compound.community.street.name,
        "community": compound.community.name,
        "households": project.households,
        "current_stage": project.current_stage,
        "progress": project.progress,
        "days_behind": days_behind(project.next_deadline, today),
        "updated_at": iso_time(project.updated_at),
    }


def project_list_item(row, today: date) -> dict:
    """A row of the project list (:data:`renovation.domain.project_list.LIST_COLUMNS`): the same
    fields as :func:`project_summary`."""
    return {
        "code": row.code,
        "compound": row.compound_name,
        "street": row.street_name,
        "community": row.community_name,
        "households": row.households,
        "current_stage": row.current_stage,
        "progress": row.progress,
        "days_behind": days_behind(row.next_deadline, today),
        "updated_at": iso_time(row.updated_at),
    }


def stage_json(stage) -> dict:
    return {
        "key": stage.key,
        "status": stage.status,
        "percent": stage.percent,
        "planned_start": iso_time(stage.planned_start),
        "planned_end": iso_time(stage.planned_end),
        "actual_start": iso_time(stage.actual_start),
        "actual_end": iso_time(stage.actual_end),
        "note": stage.note,
        "lag_reason": stage.lag_reason or None,
        "lag_note": stage.lag_note,
        "catch_up_date": iso_time(stage.catch_up_date),
        "version": stage.version,
        "updated_at": iso_time(stage.updated_at),
    }


def project_detail(project, today: date) -> dict:
    return {
        **project_summary(project, today),
        "batch": project.batch,
        "year_built": project.year_built,
        "buildings": project.buildings,
        "floor_area": _number(project.floor_area),
        "budget": {
            "central": _number(project.budget_central),
            "provincial": _number(project.budget_provincial),
            "city": _number(project.budget_city),
            "residents": _number(project.budget_residents),
            "social": _number(project.budget_social),
            "total": _number(project.budget_total),
        },
        "investment_completed": _number(project.investment_completed),
        "contractor": project.contractor,
        "supervisor": project.supervisor,
        "responsible_engineer": project.responsible_engineer,
        "planned_start": iso_time(project.planned_start),
        "planned_end": iso_time(project.planned_end),
        "stages": [stage_json(stage) for stage in project.stages],
    }


def stage_event_json(event) -> dict:
    return {
        "stage": event.stage_key,
        "at": iso_time(event.at),
        "user": event.user.username if event.user else None,
        "changes": event.changes,
        "note": event.note,
    }


def photo_json(photo, show_gps: bool) -> dict:
    """A photo; ``show_gps`` from :func:`renovation.permissions.can_see_gps` for the caller."""

    def file_url(kind: str) -> str:
        if kind == "original":
            return url_for("api.photo_original", photo_id=photo.id, _external=True)
        return url_for("api.photo_image", photo_id=photo.id, kind=kind, _external=True)

    body = {
        "id": photo.id,
        "phase": photo.phase,
        "stage": photo.stage_key,
        "caption": photo.caption,
        "taken_at": iso_time(photo.taken_at),
        "taken_at_source": photo.taken_at_source,
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
        "uploaded_by": photo.uploaded_by.username if photo.uploaded_by else None,
        "uploaded_at": iso_time(photo.uploaded_at),
        "hidden_works": bool(photo.hidden_works),
        "content_id": photo.content_id,
        "urls": {kind: file_url(kind) for kind in ("original", "display", "thumbnail")},
    }
    if show_gps and photo.gps_latitude is not None and photo.gps_longitude is not None:
        body["gps"] = {"latitude": photo.gps_latitude, "longitude": photo.gps_longitude}
    return body
