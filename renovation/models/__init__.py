"""Database models, one module per entity group."""
from renovation.models.areas import Community, Compound, Street
from renovation.models.attachments import AttachmentKind, ConsultationAttachment
from renovation.models.audit import AuditEntry, StageEvent
from renovation.models.consultations import Consultation, Demand, DemandEvent, Vote
from renovation.models.photos import Phase, Photo, PhotoPair
from renovation.models.projects import Project, Stage
from renovation.models.users import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "AttachmentKind",
    "AuditEntry",
    "Community",
    "Consultation",
    "ConsultationAttachment",
    "Demand",
    "DemandEvent",
    "Phase",
    "Photo",
    "PhotoPair",
    "Compound",
    "Project",
    "Role",
    "Stage",
    "StageEvent",
    "Street",
    "User",
    "Vote",
]
