"""Who saw whom (issue 20, §2): every view of a customer's page, a front-desk card, an
export and an API read is recorded; "who saw this customer" lists them newest first, by
keyset pages, for administrators and managers only."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.marketing.models import Segment
from samphan.privacy.access_log import AccessExport, AccessKind, CustomerAccess
from tests.conftest import token_client
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.frontdesk.test_services import person

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(**filters) -> list[tuple[int, int, int, int | None]]:
    return list(
        CustomerAccess.objects.filter(**filters)
        .order_by("id")
        .values_list("customer_id", "user_id", "kind", "export_id")
    )


def test_the_customer_page_records_one_view(make_user):
    support = make_user(Role.SUPPORT)
    customer = CustomerFactory()
    before = timezone.now()
    response = client_for(support).get(reverse("customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    assert rows() == [(customer.pk, support.pk, AccessKind.PAGE, None)]
    assert CustomerAccess.objects.get().at >= before


def test_a_page_not_shown_records_nothing(sales_user):
    other = CustomerFactory(owner=UserFactory(team=TeamFactory(name="อื่น")), team=None)
    other.team = other.owner.team
    other.save()
    response = client_for(sales_user).get(reverse("customer_detail", args=[other.pk]))
    assert response.status_code == 404
    assert rows() == []


def test_every_view_is_recorded_without_deduplication(admin_client, admin_user):
    customer = CustomerFactory()
    for _ in range(3):
        admin_client.get(reverse("customer_detail", args=[customer.pk]))
    assert len(rows(customer_id=customer.pk)) == 3


def test_the_front_desk_card_records_the_customer_shown(make_user):
    desk_user = make_user(Role.FRONTDESK, username="desk")
    anne = person("แอนนา", phone="0812345678")
    response = client_for(desk_user).post(
        reverse("frontdesk_look_up"), {"q": "081-234-5678"}, **HTMX
    )
    assert response.status_code == 200
    assert rows() == [(anne.pk, desk_user.pk, AccessKind.CARD, None)]


def test_the_cards_to_pick_from_record_every_customer_shown(make_user):
    desk_user = make_user(Role.FRONTDESK, username="desk")
    anne = person("แอน", phone="0812345678")
    bee = person("บี", phone="0899995678")
    client_for(desk_user).post(reverse("frontdesk_look_up"), {"q": "5678"}, **HTMX)
    assert sorted(rows()) == sorted(
        [
            (anne.pk, desk_user.pk, AccessKind.CARD, None),
            (bee.pk, desk_user.pk, AccessKind.CARD, None),
        ]
    )


def test_a_segment_export_records_the_export_and_every_customer_in_it(admin_client, admin_user):
    gold = [CustomerFactory(tier="gold") for _ in range(3)]
    CustomerFactory(tier="silver")
    rules = {"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]}
    segment = Segment.objects.create(name="ทอง", rules=rules)
    response = admin_client.get(reverse("segment_export", args=[segment.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 4  # the header and the three
    export = AccessExport.objects.get()
    assert (export.user_id, export.customers) == (admin_user.pk, 3)
    assert str(segment.pk) in export.what
    assert sorted(rows()) == sorted(
        (customer.pk, admin_user.pk, AccessKind.EXPORT, export.pk) for customer in gold
    )


def test_an_export_records_only_the_customers_the_user_may_see(sales_user, team):
    mine = CustomerFactory(tier="gold", owner=sales_user, team=team)
    elsewhere = TeamFactory(name="อื่น")
    CustomerFactory(tier="gold", owner=UserFactory(team=elsewhere), team=elsewhere)
    rules = {"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]}
    segment = Segment.objects.create(name="ทอง", rules=rules)
    response = client_for(sales_user).get(reverse("segment_export", args=[segment.pk]))
    b"".join(response.streaming_content)
    assert rows() == [(mine.pk, sales_user.pk, AccessKind.EXPORT, AccessExport.objects.get().pk)]


def test_api_reads_record_the_customer_and_every_customer_listed(admin_user):
    api = token_client(admin_user)
    first, second = CustomerFactory(), CustomerFactory()
    assert api.get(f"/api/v1/customers/{first.pk}").status_code == 200
    assert rows() == [(first.pk, admin_user.pk, AccessKind.API, None)]
    CustomerAccess.objects.all().delete()
    listed = api.get("/api/v1/customers?page_size=1").json()["items"]
    assert rows() == [(listed[0]["id"], admin_user.pk, AccessKind.API, None)]
    CustomerAccess.objects.all().delete()
    api.get("/api/v1/customers")
    assert sorted(row[0] for row in rows()) == sorted([first.pk, second.pk])


def test_an_api_check_in_records_the_customer_checked_in(make_user):
    desk_user = make_user(Role.FRONTDESK, username="desk")
    anne = person("แอนนา", phone="0812345678")
    response = token_client(desk_user).post(
        "/api/v1/frontdesk/check-ins", {"phone": "0812345678"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert rows() == [(anne.pk, desk_user.pk, AccessKind.API, None)]


def test_an_api_read_that_fails_records_nothing(admin_user):
    response = token_client(admin_user).get("/api/v1/customers/999999")
    assert response.status_code == 404
    assert rows() == []


# -- "Who saw this customer" -----------------------------------------------------------------


def seen_by(customer, user, kind, at) -> CustomerAccess:
    return CustomerAccess.objects.create(customer_id=customer.pk, user_id=user.pk, kind=kind, at=at)


@pytest.fixture
def history(make_user):
    """A customer seen 60 times by two users, a minute apart, newest by the manager."""
    customer = CustomerFactory()
    rep = make_user(Role.SUPPORT, username="support", first_name="สมศรี")
    manager = make_user(Role.MANAGER, username="manager", first_name="ผู้จัดการ")
    start = timezone.now() - dt.timedelta(hours=2)
    for minute in range(60):
        user, kind = (rep, AccessKind.PAGE) if minute % 2 else (manager, AccessKind.API)
        seen_by(customer, user, kind, start + dt.timedelta(minutes=minute))
    return customer, rep, manager


def test_who_saw_lists_the_newest_first_with_keyset_pages(history):
    customer, _rep, manager = history
    client = client_for(manager)
    url = reverse("customer_access", args=[customer.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr>") == 1 + 50
    assert "สมศรี" in html and "ผู้จัดการ" in html
    older = re.search(r'href="\?before=([0-9.]+)"', html)
    assert older
    second = client.get(url, {"before": older.group(1)}).content.decode()
    assert second.count("<tr>") == 1 + 10
    assert 'href="?before=' not in second


def test_who_saw_filters_by_user_and_kind(history):
    customer, rep, manager = history
    client = client_for(manager)
    url = reverse("customer_access", args=[customer.pk])
    by_rep = client.get(url, {"user": rep.pk}).content.decode()
    assert by_rep.count("<tr>") == 1 + 30
    api_reads = client.get(url, {"kind": AccessKind.API}).content.decode()
    assert api_reads.count("<tr>") == 1 + 30
    # Nonsense filters are ignored, never a crash.
    assert client.get(url, {"user": "x", "kind": "99", "before": "zz"}).status_code == 200
    # Viewing who saw a customer is not itself a view of the customer's data.
    assert not CustomerAccess.objects.filter(user_id=manager.pk, kind=AccessKind.PAGE).exists()


def test_who_saw_is_for_managers_and_admins_of_customers_they_see(history, make_user):
    customer, rep, manager = history
    url = reverse("customer_access", args=[customer.pk])
    assert client_for(rep).get(url).status_code == 403
    assert client_for(make_user(Role.SALES, username="rep")).get(url).status_code == 403
    assert client_for(make_user(Role.ADMIN, username="boss")).get(url).status_code == 200
    assert client_for(manager).get(reverse("customer_access", args=[999999])).status_code == 404


def test_the_customer_page_links_to_who_saw_for_managers_only(history):
    customer, rep, manager = history
    link = reverse("customer_access", args=[customer.pk])
    page = reverse("customer_detail", args=[customer.pk])
    assert link in client_for(manager).get(page).content.decode()
    assert link not in client_for(rep).get(page).content.decode()


def test_an_export_shows_what_it_was_on_who_saw(admin_client, admin_user):
    customer = CustomerFactory(tier="gold")
    rules = {"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]}
    segment = Segment.objects.create(name="ลูกค้าทอง", rules=rules)
    b"".join(admin_client.get(reverse("segment_export", args=[segment.pk])).streaming_content)
    html = admin_client.get(reverse("customer_access", args=[customer.pk])).content.decode()
    assert "ลูกค้าทอง" in html
