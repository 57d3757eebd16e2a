"""After the works (长效管理): who looks after a compound once its renovation is done — its party
branch (小区党支部) with the building party groups (楼栋党小组), its owners' committee (业委会) and its
property management (物业). One row per project, versioned like a stage; a project without a row
has nobody recorded yet."""
import datetime as dt
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db


class PropertyManagement(StrEnum):
    """How a compound is managed: a property company (专业物业), by its owners (自管), by the
    community (社区托管), or not at all."""

    PROFESSIONAL = "professional"
    SELF = "self"
    COMMUNITY = "community"
    NONE = "none"


PROPERTY_MANAGEMENT_LABELS = {
    PropertyManagement.PROFESSIONAL: _l("Property company"),
    PropertyManagement.SELF: _l("Managed by the owners"),
    PropertyManagement.COMMUNITY: _l("Managed by the community"),
    PropertyManagement.NONE: _l("No property management"),
}


class Aftercare(db.Model):
    """A project's compound after the works. ``red_owners_committee``: the owners' committee is led
    by party members (红色业委会); ``red_property``: the management is a 红色物业, as the city reports
    them. ``property_company`` is named for a property company only."""

    __tablename__ = "aftercare"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), unique=True)
    party_branch: Mapped[bool] = mapped_column(default=False)
    party_branch_name: Mapped[str] = mapped_column(String(64), default="")
    building_party_groups: Mapped[int] = mapped_column(default=0)
    owners_committee: Mapped[bool] = mapped_column(default=False)
    red_owners_committee: Mapped[bool] = mapped_column(default=False)
    property_management: Mapped[str] = mapped_column(String(16), default=PropertyManagement.NONE.value)
    property_company: Mapped[str] = mapped_column(String(128), default="")
    red_property: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    project = relationship("Project")
    updated_by = relationship("User")

    recorded = True  # saved; a project with nothing recorded shows a blank (domain.aftercare.records.Blank)

    # UPDATE ... WHERE version = :seen — a concurrent write raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}
