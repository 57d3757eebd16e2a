"""Street (街道) → Community (社区) → Compound (小区)."""
from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db


class Street(db.Model):
    """A sub-district (街道) of the city."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)

    communities: Mapped[list["Community"]] = relationship(
        back_populates="street", order_by="Community.name"
    )


class Community(db.Model):
    """A residents' community (社区), served by one residents' committee."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"), index=True)

    street: Mapped[Street] = relationship(back_populates="communities")
    compounds: Mapped[list["Compound"]] = relationship(back_populates="community")


class Compound(db.Model):
    """A residential compound (小区); a project renovates one compound."""

    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)

    community: Mapped[Community] = relationship(back_populates="compounds")


class AreaVersion(db.Model):
    """One row: a value the database gives anew whenever a street or community is added, changed or
    removed (triggers in the migration that made the table, ``f2b8d4c6a913``). A process keeps the
    lists' street and community choices while it stays the same (:mod:`renovation.domain.area_lists`)."""

    __tablename__ = "area_version"
    __table_args__ = {"info": {"kept_by_database": True}}  # written by the triggers alone

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
