"""The permission matrix (issue 20): every page and every API operation, asked as every
role, and as a rep limited to own and team records for their own record, a teammate's
and another team's, answers as the role table of ``accounts/capabilities.py`` says.

Allowed is any answer but a refusal (a page given an empty form re-renders it; an
operation given the valid request of ``tests/query_pins_writes.py`` succeeds); refused is
403, or 404 for a record outside the rep's scope (its existence is not revealed). What a
request needs is in ``tests/permission_matrix.py``; a URL pattern or operation without
an entry fails ``test_every_endpoint_has_an_entry``.

One shop is built per module (``tests/test_thai_pages.py``'s); each request runs in a
savepoint rolled back after it, so a write never changes what the next request sees.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation

from samphan.accounts.capabilities import BY_KEY, ROLE_CAPABILITIES, role_may, role_perms
from samphan.accounts.models import Role, Team, User
from samphan.analytics.rfm import rfm_rebuild
from samphan.customers.models import Customer, MergeRecord
from samphan.frontdesk.models import Alert
from samphan.marketing.models import Segment
from samphan.sales.models import Deal, Lead
from samphan.support.models import Ticket, TicketAttachment, TicketTag
from tests.conftest import token_client
from tests.permission_matrix import API, PAGES, Needs
from tests.query_pins import read_url
from tests.query_pins_writes import WRITES
from tests.test_query_counts import api_operations
from tests.test_thai_pages import (
    Shop,
    duplicate_pair,
    import_job,
    named_patterns,
    page_url,
    shop_build,
)

REFUSED = {401, 403, 404, 405}
# Enough for every kind of record the shop needs; fewer rows, faster pages.
MATRIX_CUSTOMERS = 40
# Who asks: each role; the rep (the one scoped role) three times, once per ownership.
OWN, TEAM, OTHER = "own", "team", "other"
ASKERS = [
    *((role, None) for role in Role.NAMES if role != Role.SALES),
    (Role.SALES, OWN),
    (Role.SALES, TEAM),
    (Role.SALES, OTHER),
]


# Endpoints that render a PDF (about two seconds each): of the askers the table allows,
# only the first unscoped one and the rep on their own record are asked.
HEAVY = {"quote_pdf", "GET /api/v1/quotes/{quote_id}/pdf", "POST /api/v1/quotes/{quote_id}/send"}


def askers(endpoint: str, entry: Needs) -> list[tuple[str, str | None]]:
    if endpoint not in HEAVY:
        return ASKERS
    allowed = [(r, w) for r, w in ASKERS if not expected_refused(entry, r, w)]
    keep = {allowed[0], (Role.SALES, OWN)}
    return [(r, w) for r, w in ASKERS if expected_refused(entry, r, w) or (r, w) in keep]


def staff_pages() -> list[str]:
    return [name for name, _ in named_patterns() if not name.startswith(("admin:", "api"))]


def test_every_endpoint_has_an_entry():
    assert sorted(PAGES) == sorted(staff_pages()), "say what the new page needs"
    assert sorted(API) == api_operations(), "say what the new operation needs"
    for entry in [*PAGES.values(), *API.values()]:
        for key in entry.capabilities if entry else ():
            assert key in BY_KEY, key


def test_each_role_holds_exactly_the_permissions_of_its_capabilities(db):
    for role in Role.NAMES:
        group = Group.objects.get(name=role)
        held = sorted(
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        )
        assert held == role_perms(role), role
        assert group.role.scope == ROLE_CAPABILITIES[role][0], role


@dataclass
class Staff:
    shop: Shop
    users: dict[str, User]
    clients: dict[str, Client]
    mate: User
    stranger: User
    team: Team
    other_team: Team


@pytest.fixture(scope="module")
def staff(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Staff]:
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True), translation.override("th"):
            shop = shop_build(customers=MATRIX_CUSTOMERS)
            rfm_rebuild()
        team = Team.objects.create(name="ทีมเหนือ")
        other_team = Team.objects.create(name="ทีมใต้")
        users = {}
        for role in Role.NAMES:
            user = User.objects.create_user(
                f"matrix-{role}", team=team if role == Role.SALES else None
            )
            user.groups.add(Group.objects.get(name=role))
            users[role] = user
        mate = User.objects.create_user("matrix-mate", team=team)
        stranger = User.objects.create_user("matrix-stranger", team=other_team)
        for user in (mate, stranger):
            user.groups.add(Group.objects.get(name=Role.SALES))
        clients = {role: token_client(user) for role, user in users.items()}
        yield Staff(shop, users, clients, mate, stranger, team, other_team)
        transaction.set_rollback(True)


def records_owned(staff: Staff, whose: str | None) -> None:
    """Every customer and deal made the rep's own, a teammate's or another team's."""
    if whose is None:
        return
    owner, team = {
        OWN: (staff.users[Role.SALES], None),
        TEAM: (staff.mate, staff.team),
        OTHER: (staff.stranger, staff.other_team),
    }[whose]
    Customer.objects.update(owner=owner, team=team)
    Deal.objects.update(owner=owner, team=team)
    Lead.objects.update(owner=owner, team=team)
    Ticket.objects.update(owner=owner, team=team)


def expected_refused(entry: Needs, role: str, whose: str | None) -> bool:
    return (
        not all(role_may(role, key) for key in entry.capabilities)
        or (entry.record and whose == OTHER)
        or (entry.every_record and ROLE_CAPABILITIES[role][0] != Role.Scope.ALL)
    )


def verdict(entry: Needs, role: str, whose: str | None, status: int) -> str | None:
    """None when ``status`` is what the table promises, else what went wrong."""
    if status >= 500:
        return f"{status} (an error)"
    refused = expected_refused(entry, role, whose)
    if not refused:
        return f"refused with {status}" if status in REFUSED else None
    if status not in REFUSED:
        return f"allowed with {status}"
    allowed_codes = {404} if entry.record and whose == OTHER else {403}
    if not all(role_may(role, key) for key in entry.capabilities):
        allowed_codes |= {403, 404} if entry.record and whose == OTHER else {403}
    return None if status in allowed_codes else f"refused with {status}"


EXTRA_ARGUMENTS = {
    "customer_archive": lambda shop: {"pk": shop.customer.pk},
    "duplicate_not": lambda shop: {"pk": duplicate_pair(shop).pk},
    "customer_import_cancel": lambda shop: {"pk": import_job(shop).pk},
    "merge_undo": lambda shop: {
        "merge_pk": MergeRecord.objects.create(survivor=shop.customer, duplicate_ids=[]).pk
    },
    "contact_point_delete": lambda shop: {
        "pk": shop.customer.pk,
        "point_pk": shop.contact_point.pk,
    },
    "consent_change": lambda shop: {"pk": shop.customer.pk},
    "interaction_create": lambda shop: {"pk": shop.customer.pk},
    "order_refund": lambda shop: {"pk": shop.order.pk},
    "order_status": lambda shop: {"pk": shop.order.pk},
    "deal_move": lambda shop: {"pk": shop.deal.pk},
    "lead_assign": lambda shop: {"pk": shop.lead.pk},
    "lead_disqualify": lambda shop: {"pk": shop.lead.pk},
    "quote_pdf": lambda shop: {"pk": shop.quote.pk},
    "ticket_attachment": lambda shop: {"pk": TicketAttachment.objects.get().pk},
    "quote_send": lambda shop: {"pk": shop.quote.pk},
    "quote_action": lambda shop: {"pk": shop.quote.pk, "action": "accept"},
    "frontdesk_check_in": lambda shop: {"pk": shop.customer.pk},
    "frontdesk_alert_greet": lambda shop: {"pk": Alert.objects.order_by("pk")[0].pk},
    "frontdesk_member_card": lambda shop: {"pk": shop.customer.pk, "kind": "png"},
    "frontdesk_member_make": lambda shop: {"pk": shop.customer.pk},
    "frontdesk_rule_delete": lambda shop: {"pk": shop.rule.pk},
    "support_setting_delete": lambda shop: {
        "section": "tags",
        "pk": TicketTag.objects.order_by("pk")[0].pk,
    },
    "segment_delete": lambda shop: {"pk": shop.segment.pk},
    "segment_export": lambda shop: {"pk": shop.segment.pk},
    "segment_members_change": lambda shop: {"pk": static_list().pk},
    "segment_members_import": lambda shop: {"pk": static_list().pk},
    "campaign_schedule": lambda shop: {"pk": shop.campaign.pk},
    "campaign_cancel": lambda shop: {"pk": shop.campaign.pk},
    "campaign_test": lambda shop: {"pk": shop.campaign.pk},
    "user_active": lambda shop: {"pk": shop.admin.pk},
    "user_password_reset": lambda shop: {"pk": shop.admin.pk},
    "user_unlock": lambda shop: {"pk": shop.admin.pk},
    "user_two_factor_reset": lambda shop: {"pk": shop.admin.pk},
    "customer_restrict": lambda shop: {"pk": shop.customer.pk},
    "customer_restriction_lift": lambda shop: {"pk": shop.customer.pk},
    "customer_duplicate_reviewed": lambda shop: {"pk": shop.customer.pk},
    "customer_personal_data": lambda shop: {"pk": shop.customer.pk},
}


# What an empty POST would not reach the end of without.
POST_DATA = {
    "segment_members_change": lambda shop: {"customer": shop.customer.pk},
    "campaign_test": lambda shop: {
        "variant": shop.campaign.variants.all()[0].pk,
        "customer": shop.customer.pk,
    },
    "customer_restrict": lambda shop: {"reason": "คำขอ PDPA"},
}


# Requests whose body names the asker (a lead is given to them).
API_BODIES = {
    "POST /api/v1/leads/{lead_id}/assign": lambda user: {"owner_id": user.pk},
}


def static_list() -> Segment:
    return Segment.objects.get_or_create(name="คัดมือ", kind=Segment.Kind.STATIC)[0]


def staff_page_url(name: str, shop: Shop) -> str:
    if name in EXTRA_ARGUMENTS:
        return reverse(name, kwargs=EXTRA_ARGUMENTS[name](shop))
    return page_url(name, shop)


def in_savepoint(ask: Any) -> Any:
    with transaction.atomic():
        answer = ask()
        transaction.set_rollback(True)
    return answer


@pytest.mark.parametrize("page", sorted(name for name, entry in PAGES.items() if entry))
def test_page(page, staff, db):
    entry = PAGES[page]
    assert entry is not None
    wrong = []
    for role, whose in askers(page, entry):
        client = Client()
        client.force_login(staff.users[role])

        def ask(client: Client = client, whose: str | None = whose) -> Any:
            records_owned(staff, whose)
            url = staff_page_url(page, staff.shop)
            if entry.method == "GET":
                return client.get(url)
            return client.post(url, POST_DATA[page](staff.shop) if page in POST_DATA else {})

        status = in_savepoint(ask).status_code
        if problem := verdict(entry, role, whose, status):
            wrong.append(f"{role}{f' ({whose})' if whose else ''}: {problem}")
    assert not wrong, f"{page}: " + "; ".join(wrong)


@pytest.mark.parametrize("operation", sorted(op for op, entry in API.items() if entry))
def test_api_operation(operation, staff, db):
    entry = API[operation]
    assert entry is not None
    method = operation.partition(" ")[0]
    write = WRITES.get(operation)
    admin_client = token_client(staff.shop.admin)
    wrong = []
    for role, whose in askers(operation, entry):

        def ask(role: str = role, whose: str | None = whose) -> Any:
            given = write.prepare(staff.shop, admin_client) if write and write.prepare else {}
            records_owned(staff, whose)
            url = read_url(operation, staff.shop, given)
            body = {}
            if operation in API_BODIES:
                body = {"data": json.dumps(API_BODIES[operation](staff.users[role]))}
            elif write and write.body is not None:
                body = {"data": json.dumps(write.body(staff.shop))}
            send = getattr(staff.clients[role], method.lower())
            return send(url, content_type="application/json", **body)

        status = in_savepoint(ask).status_code
        if problem := verdict(entry, role, whose, status):
            wrong.append(f"{role}{f' ({whose})' if whose else ''}: {problem}")
    assert not wrong, f"{operation}: " + "; ".join(wrong)
