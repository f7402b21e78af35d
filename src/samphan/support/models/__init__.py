"""Support: tickets and their threads, the hours a team works, the service promises (SLAs)
counted in those hours, and satisfaction surveys."""

from samphan.support.models.settings import (
    WEEKDAY_LABELS,
    WEEKDAYS,
    AssignmentRule,
    CannedReply,
    Category,
    ClosedDay,
    Priority,
    Schedule,
    SlaPolicy,
    TicketTag,
)
from samphan.support.models.surveys import Survey, SurveySettings
from samphan.support.models.tickets import (
    FormSubmission,
    SlaEvent,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketQuerySet,
    TicketViewer,
    attachment_path,
)

__all__ = [
    "WEEKDAYS",
    "WEEKDAY_LABELS",
    "AssignmentRule",
    "CannedReply",
    "Category",
    "ClosedDay",
    "FormSubmission",
    "Priority",
    "Schedule",
    "SlaEvent",
    "SlaPolicy",
    "Survey",
    "SurveySettings",
    "Ticket",
    "TicketAttachment",
    "TicketMessage",
    "TicketQuerySet",
    "TicketTag",
    "TicketViewer",
    "attachment_path",
]
