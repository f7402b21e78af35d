"""What each role may do, as one table: role × capability (issue 20).

The table below is the source of three things: the permissions each role's group holds
(``roles.ROLE_PERMISSIONS``, applied after every migration), the roles table of the user
guide (``samphan roles_table`` writes it; ``tests/accounts/test_roles_table.py`` fails when
the guide is behind), and the permission matrix test (``tests/test_permission_matrix.py``),
which asks every page and API operation as every role and expects what the table says.

A capability is a set of Django permissions; a role holds a capability when it holds all
of them. A capability marked ``scoped`` follows the role's record scope: a role limited to
"own and team records" uses it only on those, and other records answer 404.
"""

from dataclasses import dataclass

from samphan.accounts.models import Role


@dataclass(frozen=True)
class Capability:
    key: str
    label: str  # for the docs, which are in English
    perms: tuple[str, ...]
    scoped: bool = True


CAPABILITIES: tuple[Capability, ...] = (
    Capability("see_customers", "See customers", ("customers.view_customer",)),
    Capability(
        "change_customers",
        "Add and edit customers, contact points and consent",
        (
            "customers.add_customer",
            "customers.change_customer",
            "customers.add_contactpoint",
            "customers.change_contactpoint",
            "customers.delete_contactpoint",
            "customers.add_consentrecord",
        ),
    ),
    Capability("log_interactions", "Log interactions", ("customers.add_interaction",)),
    Capability("create_tags", "Create tags", ("customers.add_tag",), scoped=False),
    Capability(
        "manage_customers",
        "Archive customers, change tags and others' interactions",
        (
            "customers.archive_customer",
            "customers.change_interaction",
            "customers.delete_interaction",
            "customers.change_tag",
            "customers.delete_tag",
        ),
    ),
    Capability("front_desk", "Check customers in at the front desk", ("frontdesk.use_desk",)),
    Capability(
        "alert_rules",
        "Manage the front desk's alert rules",
        (
            "frontdesk.view_alertrule",
            "frontdesk.add_alertrule",
            "frontdesk.change_alertrule",
            "frontdesk.delete_alertrule",
        ),
        scoped=False,
    ),
    Capability(
        "see_sales",
        "See products, orders, deals, leads, quotes and reports",
        (
            "sales.view_product",
            "sales.view_order",
            "sales.view_deal",
            "sales.view_lead",
            "sales.view_quote",
        ),
    ),
    Capability("record_orders", "Record orders", ("sales.add_order",)),
    Capability("capture_leads", "Capture leads", ("sales.add_lead",), scoped=False),
    Capability(
        "work_pipeline",
        "Work the sales pipeline: deals, leads and quotes",
        (
            "sales.add_deal",
            "sales.change_deal",
            "sales.view_lead",
            "sales.add_lead",
            "sales.change_lead",
            "sales.add_quote",
            "sales.change_quote",
        ),
    ),
    Capability(
        "manage_sales",
        "Manage products and change orders (status, refunds)",
        (
            "sales.change_order",
            "sales.add_product",
            "sales.change_product",
            "sales.add_category",
            "sales.change_category",
        ),
    ),
    Capability("see_messages", "See messages", ("messaging.view_message",)),
    Capability("send_messages", "Send messages", ("messaging.add_message",)),
    Capability(
        "see_campaigns",
        "See segments and campaigns",
        ("marketing.view_segment", "marketing.view_campaign"),
        scoped=False,
    ),
    Capability(
        "manage_campaigns",
        "Make segments and campaigns",
        (
            "marketing.add_segment",
            "marketing.change_segment",
            "marketing.delete_segment",
            "marketing.add_campaign",
            "marketing.change_campaign",
        ),
        scoped=False,
    ),
    Capability(
        "see_tickets",
        "See support tickets and satisfaction surveys",
        ("support.view_ticket", "support.view_survey"),
    ),
    Capability(
        "work_tickets",
        "Open, answer and assign support tickets; send surveys",
        ("support.add_ticket", "support.change_ticket", "support.add_survey"),
    ),
    Capability(
        "support_settings",
        "Set business hours, closed days, SLA policies, ticket categories and tags, canned "
        "replies, assignment rules and surveys",
        (
            # Each setting added, changed and deleted on /support/settings/; the survey
            # settings are one row, changed only.
            *(
                f"support.{action}_{model}"
                for model in (
                    "schedule",
                    "closedday",
                    "slapolicy",
                    "category",
                    "tickettag",
                    "cannedreply",
                    "assignmentrule",
                )
                for action in ("add", "change", "delete")
            ),
            "support.change_surveysettings",
        ),
        scoped=False,
    ),
    Capability("see_points", "See points", ("loyalty.view_pointsentry", "loyalty.view_referral")),
    Capability("change_points", "Give and take points", ("loyalty.add_pointsentry",)),
    Capability(
        "loyalty_settings",
        "Set the loyalty programme, its earning rules and rewards; decide referrals",
        (
            "loyalty.add_programme",
            "loyalty.view_earningrule",
            "loyalty.add_earningrule",
            "loyalty.change_earningrule",
            "loyalty.add_reward",
            "loyalty.change_reward",
            "loyalty.change_referral",
        ),
        scoped=False,
    ),
    Capability(
        "erase_people",
        "Erase a person's data (PDPA)",
        ("customers.erase_customer",),
        scoped=False,
    ),
    Capability("audit_log", "Open the audit log", ("core.view_auditevent",), scoped=False),
    Capability(
        "privacy_requests",
        "Handle PDPA requests and the breach register",
        (
            "privacy.view_subjectrequest",
            "privacy.add_subjectrequest",
            "privacy.change_subjectrequest",
            "privacy.view_breach",
            "privacy.add_breach",
            "privacy.change_breach",
        ),
        scoped=False,
    ),
    Capability(
        "users",
        "Manage users, roles and teams",
        ("accounts.view_user", "accounts.add_user", "accounts.change_user"),
        scoped=False,
    ),
    Capability(
        "export_all",
        "Export all the business's data",
        ("exports.add_dataexport", "exports.view_dataexport"),
        scoped=False,
    ),
    Capability(
        "shop_settings",
        "Change the shop's details",
        ("core.view_shopprofile", "core.change_shopprofile"),
        scoped=False,
    ),
)
BY_KEY = {capability.key: capability for capability in CAPABILITIES}

_VIEW = ("see_customers", "see_sales", "see_messages", "see_points", "see_tickets")
_CHANGE = ("change_customers", "send_messages")

# The table: each role's record scope and capabilities. The user guide's promise.
ROLE_CAPABILITIES: dict[str, tuple[str, frozenset[str]]] = {
    Role.ADMIN: (Role.Scope.ALL, frozenset(BY_KEY)),
    Role.MANAGER: (
        Role.Scope.ALL,
        frozenset(BY_KEY) - {"users", "shop_settings", "erase_people", "export_all"},
    ),
    Role.SALES: (
        Role.Scope.OWN_TEAM,
        frozenset(
            {
                *_VIEW,
                *_CHANGE,
                "log_interactions",
                "front_desk",
                "record_orders",
                "capture_leads",
                "work_pipeline",
                "see_campaigns",
                "change_points",
                "work_tickets",
            }
        ),
    ),
    Role.MARKETING: (
        Role.Scope.ALL,
        frozenset(
            {
                *_VIEW,
                *_CHANGE,
                "create_tags",
                "capture_leads",
                "see_campaigns",
                "manage_campaigns",
                "loyalty_settings",
            }
        ),
    ),
    Role.FRONTDESK: (
        Role.Scope.ALL,
        frozenset(
            {
                *_VIEW,
                *_CHANGE,
                "log_interactions",
                "front_desk",
                "record_orders",
                "change_points",
                "work_tickets",
            }
        ),
    ),
    Role.SUPPORT: (
        Role.Scope.ALL,
        frozenset(
            {
                *_VIEW,
                *_CHANGE,
                "log_interactions",
                "see_campaigns",
                "work_tickets",
                "support_settings",
            }
        ),
    ),
    Role.VIEWER: (Role.Scope.ALL, frozenset({*_VIEW, "see_campaigns"})),
}


def role_may(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES[role][1]


def role_perms(role: str) -> list[str]:
    """The Django permissions of ``role``: those of its capabilities, each once."""
    keys = ROLE_CAPABILITIES[role][1]
    return sorted({perm for c in CAPABILITIES if c.key in keys for perm in c.perms})


def roles_table_markdown() -> str:
    """The table for the user guide (English, as the docs are)."""
    roles = list(Role.NAMES)
    scope_names: dict[str, str] = {Role.Scope.ALL: "all", Role.Scope.OWN_TEAM: "own + team"}
    lines = [
        "| capability | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
        "| *customers seen* | "
        + " | ".join(scope_names[ROLE_CAPABILITIES[role][0]] for role in roles)
        + " |",
    ]
    for capability in CAPABILITIES:
        marks = ["✓" if role_may(role, capability.key) else "—" for role in roles]
        lines.append(f"| {capability.label} | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"


START = "<!-- roles-table: written by `samphan roles_table --write docs/user-guide.md` -->"
END = "<!-- /roles-table -->"


def roles_table_in(text: str) -> str:
    """``text`` (the user guide) with the table between its markers written afresh."""
    before, start, rest = text.partition(START)
    _old, end, after = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the markers {START!r} and {END!r} are missing")
    return f"{before}{START}\n{roles_table_markdown()}{END}{after}"
