"""A project's after-care (长效管理) as JSON, both ways: flags as true/false, the number of building party
groups as a whole number, the kind of management by its key; the project by its code."""
from flask_babel import gettext as _

from renovation.api.resident_serializers import FieldReader
from renovation.api.serializers import iso_time
from renovation.domain.aftercare.records import COMPANY_MAX, FIELDS, FLAGS, GROUPS_MESSAGE, MAX_PARTY_GROUPS, NAME_MAX
from renovation.extensions import db
from renovation.models import Project

SHOWN_ONLY = ("project", "recorded", "updated_at", "updated_by")


def aftercare_json(record, code: str | None = None) -> dict:
    """A project's after-care as the API shows it (``code``: the project's, when the caller has it)."""
    code = code or db.session.get(Project, record.project_id).code
    return {"project": code, **{name: getattr(record, name) for name in FIELDS},
            "recorded": record.recorded, "version": record.version, "updated_at": iso_time(record.updated_at),
            "updated_by": record.updated_by.username if record.updated_by else None}


def read_aftercare(body: dict, code: str) -> tuple[dict, int | None, dict]:
    """``(values, version, errors)`` of a PUT body: the values' types checked, their rules left to
    the domain."""
    reader = FieldReader(body)
    reader.unknown({*FIELDS, "version", *SHOWN_ONLY})
    if "project" in body and body["project"] != code:
        reader.refuse("project", _("The project is the one in the address: leave it out."))
    values = {}
    for name in FLAGS:
        if name in body:
            if isinstance(body[name], bool):
                values[name] = body[name]
            else:
                reader.refuse(name, _("Send true or false."))
    for name, longest in (("party_branch_name", NAME_MAX), ("property_company", COMPANY_MAX)):
        if name in body:
            values[name] = reader.text(name, longest) or ""
    if "building_party_groups" in body:
        values["building_party_groups"] = reader.count("building_party_groups", str(GROUPS_MESSAGE))
        if values["building_party_groups"] is not None and values["building_party_groups"] > MAX_PARTY_GROUPS:
            reader.refuse("building_party_groups", str(GROUPS_MESSAGE))
    if "property_management" in body:
        values["property_management"] = reader.text("property_management", 16) or ""
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        reader.refuse("version", _("Send the version of the after-care you last saw (0 when none was recorded)."))
        version = None
    return values, version, reader.errors
