"""The models whose fields say nothing of a person, and why: the other half of the
privacy registry (``registry.REGISTRY`` lists the personal ones; tests/privacy walks
every model and wants each in one of the two)."""

from collections.abc import Mapping
from typing import Final

NOT_PERSONAL: Final[Mapping[str, str]] = {
    "core.NumberSequence": "document number counters",
    "core.WorkerHeartbeat": "a worker process's host name and process id, and two times",
    "accounts.Team": "team names",
    "accounts.Role": "role settings",
    "customers.Tag": "labels shared by many customers (who has one is on Customer)",
    "customers.Interest": "labels shared by many customers",
    "customers.CustomFieldDefinition": "field definitions; the values are on Customer",
    "customers.ImportMapping": "a file's column names and the fields they fill, no rows",
    "customers.DuplicateCandidate": "two customer ids, a score and reason codes (no names)",
    "sales.Category": "catalogue",
    "sales.Product": "catalogue",
    "sales.ProductAffinity": "product pairs counted over all customers",
    "sales.SuggestionState": "a computation's state",
    "sales.Pipeline": "pipeline names",
    "sales.Stage": "stage names",
    "sales.RoundRobin": "whose turn it is among staff",
    "analytics.DailySales": "sums per day over all customers",
    "analytics.HourlyTraffic": "counts per hour over all customers",
    "analytics.RFMState": "a computation's state",
    "analytics.OrdersVersion": "a counter",
    "messaging.SendPace": "when a channel may send next (the shared rate limit)",
    "analytics.StoredForecast": "forecasts of totals over all customers",
    "frontdesk.AlertRule": "rules naming tiers, tags and teams",
    "marketing.Segment": "rules, not people (static members are SegmentMember)",
    "marketing.Campaign": "campaign settings",
    "marketing.Variant": "message templates before any customer's values are filled in",
    "privacy.Breach": "an incident written up by staff; the people affected are linked, not copied",
    "privacy.RetentionPolicy": "the shop's retention periods (numbers of months)",
    "support.Schedule": "a team's working hours",
    "loyalty.EarningRule": "a loyalty promotion: its name, conditions and dates",
    "support.ClosedDay": "days the business is closed",
    "support.SlaPolicy": "minutes to answer by priority and tier",
    "support.Category": "ticket category names",
    "support.SurveySettings": "when satisfaction surveys are sent",
    "support.TicketTag": "labels staff put on tickets",
    "support.AssignmentRule": "how a team's new tickets are shared among its staff",
    "support.TicketViewer": "which member of staff had a ticket's page open, and when",
    "support.SlaEvent": "when a ticket's promise fell due or was missed; the ticket holds the person",
    "support.CannedReply": "reply templates staff write, with placeholders for names",
    "privacy.AccessExport": "what an export was on (a segment's name); who saw whom is ids only",
}
