"""Every write to customers, contact points, consent and the timeline, one module per
resource; the names are re-exported here, so callers write ``services.customer_create``.

Each function validates, writes in one transaction and records the audit log, so the HTML
views and the API share one copy of the rules. (The demo loader writes in bulk instead, see
demo/loader.py.)
"""

from samphan.customers.services.consent import (
    ALL_CONSENT_BITS,
    CONSENT_FIELDS,
    consent_record,
    consents_rebuild,
)
from samphan.customers.services.contact_points import (
    CONTACT_FIELDS,
    contact_point_add,
    contact_point_remove,
    contact_point_update,
    duplicate_review_clear,
    refresh_derived,
)
from samphan.customers.services.custom_fields import custom_fields_clean
from samphan.customers.services.customers import (
    AUDITED_CUSTOMER_FIELDS,
    CUSTOMER_FIELDS,
    customer_archive,
    customer_create,
    customer_restrict,
    customer_restriction_lift,
    customer_update,
)
from samphan.customers.services.duplicates import (
    DUPLICATE_KINDS,
    DuplicateContactError,
    contact_value_normalise,
    duplicates_of,
)
from samphan.customers.services.import_mappings import import_mapping_for, import_mapping_save
from samphan.customers.services.interactions import (
    INTERACTION_EDITABLE,
    INTERACTION_FIELDS,
    interaction_delete,
    interaction_log,
    interaction_update,
)
from samphan.customers.services.tags import tag_delete, tag_save

__all__ = [
    "ALL_CONSENT_BITS",
    "AUDITED_CUSTOMER_FIELDS",
    "CONSENT_FIELDS",
    "CONTACT_FIELDS",
    "CUSTOMER_FIELDS",
    "DUPLICATE_KINDS",
    "INTERACTION_EDITABLE",
    "INTERACTION_FIELDS",
    "DuplicateContactError",
    "consent_record",
    "consents_rebuild",
    "contact_point_add",
    "contact_point_remove",
    "contact_point_update",
    "contact_value_normalise",
    "custom_fields_clean",
    "customer_archive",
    "customer_create",
    "customer_restrict",
    "customer_restriction_lift",
    "customer_update",
    "duplicate_review_clear",
    "duplicates_of",
    "import_mapping_for",
    "import_mapping_save",
    "interaction_delete",
    "interaction_log",
    "interaction_update",
    "refresh_derived",
    "tag_delete",
    "tag_save",
]
