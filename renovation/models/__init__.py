"""Database models, one module per entity group."""
from renovation.models.acceptance import (
    AcceptanceAttachment,
    AcceptanceCheck,
    AcceptanceRecord,
    AcceptanceRepresentative,
    Rectification,
)
from renovation.models.aftercare import Aftercare
from renovation.models.areas import AreaVersion, Community, Compound, Street
from renovation.models.attachments import AttachmentKind, ConsultationAttachment
from renovation.models.audit import AuditEntry, StageEvent
from renovation.models.bulletins import Bulletin, BulletinKind, BulletinStep, RenderStatus
from renovation.models.consultations import Consultation, Demand, DemandEvent, Vote
from renovation.models.contents import ContentEvent, ContentItem, ProjectContent, RuleOverride
from renovation.models.demand_tallies import CityDemandTally, CityOpenDemandDay, DemandTally, OpenDemandDay
from renovation.models.leaders import LeaderLink, SiteVisit
from renovation.models.notifications import ChatRobot, Delivery, Notification, NotificationSetting
from renovation.models.photos import Phase, Photo, PhotoPair
from renovation.models.problems import Problem, ProblemEvent
from renovation.models.programme_tallies import StageTally, StreetDeadlineDay, StreetTally
from renovation.models.projects import Project, Stage
from renovation.models.snapshots import MonthlySnapshot, ProjectMonth, StreetMonth
from renovation.models.users import ApiToken, LoginThrottle, Role, TokenScope, User

__all__ = [
    "Aftercare",
    "AcceptanceAttachment",
    "AcceptanceCheck",
    "AcceptanceRecord",
    "AcceptanceRepresentative",
    "Rectification",
    "ApiToken",
    "LoginThrottle",
    "AttachmentKind",
    "AuditEntry",
    "Bulletin",
    "BulletinKind",
    "BulletinStep",
    "CityDemandTally",
    "CityOpenDemandDay",
    "AreaVersion",
    "ChatRobot",
    "Community",
    "Consultation",
    "ContentEvent",
    "ContentItem",
    "ConsultationAttachment",
    "Delivery",
    "Demand",
    "DemandEvent",
    "DemandTally",
    "LeaderLink",
    "MonthlySnapshot",
    "Notification",
    "NotificationSetting",
    "OpenDemandDay",
    "Phase",
    "Photo",
    "PhotoPair",
    "Problem",
    "ProblemEvent",
    "RenderStatus",
    "Compound",
    "Project",
    "ProjectContent",
    "ProjectMonth",
    "SiteVisit",
    "Role",
    "RuleOverride",
    "Stage",
    "StageTally",
    "StreetDeadlineDay",
    "StreetTally",
    "StageEvent",
    "Street",
    "StreetMonth",
    "TokenScope",
    "User",
    "Vote",
]
