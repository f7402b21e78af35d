"""What each built-in role may do. Applied by a data migration and by ``roles_sync``."""

from django.contrib.auth.models import Group, Permission

from samphan.accounts.models import Role

VIEW_CUSTOMERS = ["customers.view_customer"]
WRITE_CUSTOMERS = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.add_interaction",
    "customers.add_contactpoint",
    "customers.change_contactpoint",
    "customers.delete_contactpoint",
    "customers.add_consentrecord",
]
MANAGE_CUSTOMERS = [
    *WRITE_CUSTOMERS,
    "customers.archive_customer",
    "customers.change_interaction",  # others' entries; authors may always change their own
    "customers.delete_interaction",
    "customers.add_tag",
    "customers.change_tag",
    "customers.delete_tag",
]

VIEW_SALES = [
    "sales.view_product",
    "sales.view_order",
    "sales.view_deal",
    "sales.view_lead",
    "sales.view_quote",
]
SELL = [*VIEW_SALES, "sales.add_order"]
WORK_DEALS = [
    "sales.add_deal",
    "sales.change_deal",
    "sales.view_lead",
    "sales.add_lead",
    "sales.change_lead",
    "sales.add_quote",
    "sales.change_quote",
]
MANAGE_SALES = [
    *SELL,
    *WORK_DEALS,
    "sales.change_order",
    "sales.add_product",
    "sales.change_product",
    "sales.add_category",
    "sales.change_category",
]

MANAGE_FRONTDESK = [
    "frontdesk.view_alertrule",
    "frontdesk.add_alertrule",
    "frontdesk.change_alertrule",
    "frontdesk.delete_alertrule",
]

VIEW_MESSAGES = ["messaging.view_message"]
VIEW_MARKETING = ["marketing.view_segment", "marketing.view_campaign"]
MANAGE_MARKETING = [
    *VIEW_MARKETING,
    "marketing.add_segment",
    "marketing.change_segment",
    "marketing.delete_segment",
    "marketing.add_campaign",
    "marketing.change_campaign",
]
SEND_MESSAGES = [*VIEW_MESSAGES, "messaging.add_message"]
VIEW_POINTS = ["loyalty.view_pointsentry"]
# The shop's name, logo, tax ID, PromptPay and privacy notice: admins only.
SHOP_SETTINGS = ["core.view_shopprofile", "core.change_shopprofile"]
CHANGE_POINTS = [*VIEW_POINTS, "loyalty.add_pointsentry"]

# Requests from data subjects and the breach register (PDPA): managers and admins.
HANDLE_PRIVACY = [
    "privacy.view_subjectrequest",
    "privacy.add_subjectrequest",
    "privacy.change_subjectrequest",
    "privacy.view_breach",
    "privacy.add_breach",
    "privacy.change_breach",
]

# Users, their roles and teams: administrators only (accounts/user_views.py).
MANAGE_USERS = ["accounts.view_user", "accounts.add_user", "accounts.change_user"]

ROLE_PERMISSIONS: dict[str, tuple[str, list[str]]] = {
    Role.ADMIN: (
        Role.Scope.ALL,
        [
            *MANAGE_CUSTOMERS,
            *MANAGE_SALES,
            *MANAGE_FRONTDESK,
            *SEND_MESSAGES,
            *MANAGE_MARKETING,
            *CHANGE_POINTS,
            "core.view_auditevent",
            *HANDLE_PRIVACY,
            *MANAGE_USERS,
            *SHOP_SETTINGS,
        ],
    ),
    Role.MANAGER: (
        Role.Scope.ALL,
        [
            *MANAGE_CUSTOMERS,
            *MANAGE_SALES,
            *MANAGE_FRONTDESK,
            *SEND_MESSAGES,
            *MANAGE_MARKETING,
            *CHANGE_POINTS,
            "core.view_auditevent",
            *HANDLE_PRIVACY,
        ],
    ),
    Role.SALES: (
        Role.Scope.OWN_TEAM,
        [*WRITE_CUSTOMERS, *SELL, *WORK_DEALS, *SEND_MESSAGES, *VIEW_MARKETING, *CHANGE_POINTS],
    ),
    Role.MARKETING: (
        Role.Scope.ALL,
        [
            *WRITE_CUSTOMERS,
            "customers.add_tag",
            *VIEW_SALES,
            "sales.add_lead",
            *SEND_MESSAGES,
            *MANAGE_MARKETING,
            *VIEW_POINTS,
        ],
    ),
    Role.FRONTDESK: (Role.Scope.ALL, [*WRITE_CUSTOMERS, *SELL, *SEND_MESSAGES, *CHANGE_POINTS]),
    Role.SUPPORT: (
        Role.Scope.ALL,
        [*WRITE_CUSTOMERS, *VIEW_SALES, *SEND_MESSAGES, *VIEW_MARKETING, *VIEW_POINTS],
    ),
    Role.VIEWER: (
        Role.Scope.ALL,
        [*VIEW_CUSTOMERS, *VIEW_SALES, *VIEW_MESSAGES, *VIEW_MARKETING, *VIEW_POINTS],
    ),
}


def roles_sync(**_signal_kwargs: object) -> None:
    """Create the built-in roles and give each exactly its permissions.

    Runs after every app's migrations (``post_migrate``): permissions of apps not yet
    migrated are skipped and added when their turn comes.
    """
    for name, (scope, perm_names) in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        Role.objects.update_or_create(group=group, defaults={"scope": scope})
        wanted = [perm_name.split(".") for perm_name in perm_names]
        perms = [
            perm
            for perm in Permission.objects.select_related("content_type").filter(
                codename__in=[codename for _label, codename in wanted]
            )
            if [perm.content_type.app_label, perm.codename] in wanted
        ]
        group.permissions.set(perms)
