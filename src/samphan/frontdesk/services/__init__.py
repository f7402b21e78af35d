"""The front desk's use cases, one module each: finding and checking customers in
(``lookup``), the visit and its arrival alert (``arrivals``), the alert rules
(``rules``), new members at the desk or on the public form (``members``)."""

from samphan.frontdesk.services.arrivals import (
    OPEN_HOURS,
    TIER_RANK,
    Arrival,
    Method,
    alert_greet,
    alerts_open_for,
    alerts_open_ids,
    alerts_state,
    check_in,
    is_birthday,
    rules_matching,
)
from samphan.frontdesk.services.lookup import (
    MAX_CARDS,
    Found,
    Lookup,
    check_in_lookup,
    check_in_picked,
    customers_find,
)
from samphan.frontdesk.services.members import (
    SIGN_UP_LIMIT,
    SIGN_UP_WINDOW_MINUTES,
    WORDING_VERSION,
    MemberSignUp,
    WalkIn,
    member_number_give,
    member_sign_up,
    sign_up_allowed,
    walk_in_register,
)
from samphan.frontdesk.services.rules import (
    DEFAULT_RULES,
    RULE_FIELDS,
    alert_rule_create,
    alert_rule_delete,
    alert_rule_update,
    alert_rules_default_create,
)

__all__ = [
    "DEFAULT_RULES",
    "MAX_CARDS",
    "OPEN_HOURS",
    "RULE_FIELDS",
    "SIGN_UP_LIMIT",
    "SIGN_UP_WINDOW_MINUTES",
    "TIER_RANK",
    "WORDING_VERSION",
    "Arrival",
    "Found",
    "Lookup",
    "MemberSignUp",
    "Method",
    "WalkIn",
    "alert_greet",
    "alert_rule_create",
    "alert_rule_delete",
    "alert_rule_update",
    "alert_rules_default_create",
    "alerts_open_for",
    "alerts_open_ids",
    "alerts_state",
    "check_in",
    "check_in_lookup",
    "check_in_picked",
    "customers_find",
    "is_birthday",
    "member_number_give",
    "member_sign_up",
    "rules_matching",
    "sign_up_allowed",
    "walk_in_register",
]
