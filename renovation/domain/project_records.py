"""Which of a project's less common records exist — difficult problems, acceptances, rectification
items, site visits, after-care — asked in one statement, so that its page reads a section's rows
only when it has some. Most projects have none of most of them: a typical page sends one statement
where it sent five (each some 1–2 ms of the server's and the database's time at a province's scale).
"""
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, exists, select

from renovation.extensions import db
from renovation.models import AcceptanceRecord, Aftercare, Problem, Rectification, SiteVisit

KINDS = {"problems": Problem, "acceptances": AcceptanceRecord, "rectifications": Rectification,
         "visits": SiteVisit, "aftercare": Aftercare}


@dataclass(frozen=True)
class RecordsPresent:
    problems: bool
    acceptances: bool
    rectifications: bool
    visits: bool
    aftercare: bool


@cache  # built once (each probe an index's first entry for the project), the project bound at each call
def _presence() -> Select:
    project_id = bindparam("project_id")
    return select(*(exists().where(model.project_id == project_id).label(name) for name, model in KINDS.items()))


def records_present(project_id: int) -> RecordsPresent:
    return RecordsPresent(**db.session.execute(_presence(), {"project_id": project_id}).one()._asdict())
