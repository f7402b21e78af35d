"""People and companies, how to reach them, what they agreed to, and what happened.

One ``Customer`` table holds people and companies (``kind``), so every later
capability (orders, visits, tickets, campaigns) points at one table and every
customer has one timeline; see docs/decisions.md.

One module per model (or a few small ones); every model is imported here, so Django
finds them and callers write ``from samphan.customers.models import Customer``.
"""

from samphan.customers.models.consent import (
    CONSENT_BIT_POSITIONS,
    OPT_IN_PURPOSES,
    PURPOSES_EXPLAINED,
    ConsentRecord,
    consent_bit,
    purpose_heading,
    purpose_messages,
)
from samphan.customers.models.contact_points import CONSENT_CHANNEL_BY_KIND, ContactPoint
from samphan.customers.models.customer import Customer, CustomerQuerySet
from samphan.customers.models.duplicates import DuplicateCandidate
from samphan.customers.models.imports import ImportFailedRow, ImportJob, ImportMapping
from samphan.customers.models.interactions import LOGGED_INTERACTION_KINDS, Interaction
from samphan.customers.models.labels import CustomFieldDefinition, Interest, Tag
from samphan.customers.models.merges import MergeRecord

__all__ = [
    "CONSENT_BIT_POSITIONS",
    "CONSENT_CHANNEL_BY_KIND",
    "LOGGED_INTERACTION_KINDS",
    "OPT_IN_PURPOSES",
    "PURPOSES_EXPLAINED",
    "ConsentRecord",
    "ContactPoint",
    "CustomFieldDefinition",
    "Customer",
    "CustomerQuerySet",
    "DuplicateCandidate",
    "ImportFailedRow",
    "ImportJob",
    "ImportMapping",
    "Interaction",
    "Interest",
    "MergeRecord",
    "Tag",
    "consent_bit",
    "purpose_heading",
    "purpose_messages",
]
