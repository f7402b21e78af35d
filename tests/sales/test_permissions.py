"""Every role against every sales page and API endpoint; orders follow their customer's scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from samphan.accounts.models import Role
from samphan.customers import services as customer_services
from samphan.sales import services
from samphan.sales.models import Order, Stage
from samphan.sales.services import LineInput
from tests.conftest import token_client
from tests.factories import ProductFactory, TeamFactory, UserFactory
from tests.test_permissions import ALL, call

SELLERS = {Role.ADMIN, Role.MANAGER, Role.SALES, Role.FRONTDESK}
MANAGERS = {Role.ADMIN, Role.MANAGER}
DEALERS = {Role.ADMIN, Role.MANAGER, Role.SALES}
CAPTURERS = DEALERS | {Role.MARKETING}
CSV = "sku,name,list_price\nNEW-1,ใหม่,10\n"

# (name, method, url, body, roles allowed, success status); {order}, {product}, {customer}.
# fmt: off
UI = [
    ("products", "get", "/sales/products/", None, ALL, 200),
    ("product form", "get", "/sales/products/new/", None, MANAGERS, 200),
    ("product create", "post", "/sales/products/new/", {"sku": "X-1", "name": "ใหม่", "unit": "ชิ้น", "list_price": "10", "unit_cost": "5"}, MANAGERS, 302),
    ("product edit", "post", "/sales/products/{product}/", {"sku": "X-2", "name": "แก้", "unit": "ชิ้น", "list_price": "10", "unit_cost": "5", "is_active": "on"}, MANAGERS, 302),
    ("product import", "post", "/sales/products/import/", "csv", MANAGERS, 200),
    ("orders", "get", "/sales/orders/", None, ALL, 200),
    ("order detail", "get", "/sales/orders/{order}/", None, ALL, 200),
    ("order form", "get", "/sales/orders/new/", None, SELLERS, 200),
    ("order create", "post", "/sales/orders/new/", {"customer": "{customer}", "channel": "store", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-product": "{product}", "lines-0-quantity": "1"}, SELLERS, 302),
    ("order refund", "post", "/sales/orders/{order}/refund/", {"r{product}-product": "{product}", "r{product}-quantity": "1"}, MANAGERS, 302),
    ("order status", "post", "/sales/orders/{order}/status/", {"status": "cancelled"}, MANAGERS, 302),
    ("purchases panel", "get", "/sales/customers/{customer}/purchases/", None, ALL, 200),
    ("suggestions panel", "get", "/sales/customers/{customer}/suggestions/", None, ALL, 200),
    ("board", "get", "/sales/pipeline/", None, ALL, 200),
    ("deals", "get", "/sales/deals/", None, ALL, 200),
    ("deal detail", "get", "/sales/deals/{deal}/", None, ALL, 200),
    ("deal form", "get", "/sales/deals/new/", None, DEALERS, 200),
    ("deal create", "post", "/sales/deals/new/", {"title": "ใหม่", "customer": "{customer}", "stage": "{stage}", "amount": "100", "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}, DEALERS, 302),
    ("deal edit", "post", "/sales/deals/{deal}/edit/", {"title": "แก้", "customer": "{customer}", "amount": "100", "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}, DEALERS, 302),
    ("deal move", "post", "/sales/deals/{deal}/move/", {"stage": "{stage}"}, DEALERS, 302),
    ("leads", "get", "/sales/leads/", None, ALL, 200),
    ("lead form", "get", "/sales/leads/new/", None, CAPTURERS, 200),
    ("lead create", "post", "/sales/leads/new/", {"first_name": "ใหม่", "phone": "0890001111"}, CAPTURERS, 302),
    ("lead detail", "get", "/sales/leads/{lead}/", None, ALL, 200),
    ("lead assign", "post", "/sales/leads/{lead}/assign/", {"assign-owner": "{owner}"}, DEALERS, 302),
    ("lead convert form", "get", "/sales/leads/{lead}/convert/", None, DEALERS, 200),
    ("lead convert", "post", "/sales/leads/{lead}/convert/", {"stage": "prospect"}, DEALERS, 302),
    ("lead disqualify", "post", "/sales/leads/{lead}/disqualify/", {"reason": "ซ้ำ"}, DEALERS, 302),
    ("work next", "get", "/sales/work-next/", None, ALL, 200),
    ("quotes", "get", "/sales/quotes/", None, ALL, 200),
    ("quote form", "get", "/sales/deals/{deal}/quote/", None, DEALERS, 200),
    ("quote detail", "get", "/sales/quotes/{quote}/", None, ALL, 200),
    ("quote pdf", "get", "/sales/quotes/{quote}/pdf/", None, ALL, 200),
    ("quote edit form", "get", "/sales/quotes/{quote}/edit/", None, DEALERS, 200),
    ("quote reject", "post", "/sales/quotes/{quote}/reject/", {}, DEALERS, 302),
    ("productivity", "get", "/sales/productivity/", None, ALL, 200),
    ("productivity csv", "get", "/sales/productivity/?period=last_90&format=csv", None, ALL, 200),
]
API = [
    ("api products", "get", "/api/v1/products", None, ALL, 200),
    ("api product", "get", "/api/v1/products/{product}", None, ALL, 200),
    ("api product create", "post", "/api/v1/products", {"sku": "A-1", "name": "ใหม่", "list_price": "10"}, MANAGERS, 201),
    ("api product update", "patch", "/api/v1/products/{product}", {"is_active": False}, MANAGERS, 200),
    ("api orders", "get", "/api/v1/orders", None, ALL, 200),
    ("api order", "get", "/api/v1/orders/{order}", None, ALL, 200),
    ("api order create", "post", "/api/v1/orders", {"customer_id": "{customer}", "channel": "online", "lines": [{"sku": "TEA", "quantity": 1}]}, SELLERS, 201),
    ("api order batch", "post", "/api/v1/orders/batch", {"orders": [{"customer_id": "{customer}", "channel": "online", "lines": [{"sku": "TEA", "quantity": 1}]}]}, SELLERS, 200),
    ("api refund", "post", "/api/v1/orders/{order}/refunds", {"lines": [{"sku": "TEA", "quantity": 1}]}, MANAGERS, 200),
    ("api status", "post", "/api/v1/orders/{order}/status", {"status": "cancelled"}, MANAGERS, 200),
    ("api also bought", "get", "/api/v1/products/{product}/also-bought", None, ALL, 200),
    ("api suggestions", "get", "/api/v1/customers/{customer}/suggestions", None, ALL, 200),
    ("api pipelines", "get", "/api/v1/pipelines", None, ALL, 200),
    ("api deals", "get", "/api/v1/deals", None, ALL, 200),
    ("api deal", "get", "/api/v1/deals/{deal}", None, ALL, 200),
    ("api deal create", "post", "/api/v1/deals", {"title": "ใหม่", "customer_id": "{customer}"}, DEALERS, 201),
    ("api deal update", "patch", "/api/v1/deals/{deal}", {"amount": "5"}, DEALERS, 200),
    ("api deal move", "post", "/api/v1/deals/{deal}/move", {"stage_id": "{stage}"}, DEALERS, 200),
    ("api leads", "get", "/api/v1/leads", None, ALL, 200),
    ("api lead", "get", "/api/v1/leads/{lead}", None, ALL, 200),
    ("api lead create", "post", "/api/v1/leads", {"first_name": "ใหม่", "phone": "0890001111"}, CAPTURERS, 201),
    ("api lead assign", "post", "/api/v1/leads/{lead}/assign", {"owner_id": "{owner}"}, DEALERS, 200),
    ("api lead convert", "post", "/api/v1/leads/{lead}/convert", {"stage": "prospect"}, DEALERS, 200),
    ("api lead disqualify", "post", "/api/v1/leads/{lead}/disqualify", {"reason": "ซ้ำ"}, DEALERS, 200),
    ("api quotes", "get", "/api/v1/quotes", None, ALL, 200),
    ("api quote", "get", "/api/v1/quotes/{quote}", None, ALL, 200),
    ("api quote pdf", "get", "/api/v1/quotes/{quote}/pdf", None, ALL, 200),
    ("api quote create", "post", "/api/v1/deals/{deal}/quotes", {}, DEALERS, 201),
    ("api quote accept", "post", "/api/v1/quotes/{quote}/accept", {}, DEALERS, 200),
    ("api productivity", "get", "/api/v1/reports/productivity?since=2026-01-01&until=2026-12-31", None, ALL, 200),
]
# fmt: on


@pytest.fixture
def records(db, make_user):
    owner = make_user(Role.SALES, username="owner")
    customer = customer_services.customer_create(actor=owner, fields={"first_name": "สมชาย"})
    product = ProductFactory(sku="TEA")
    order, _ = services.order_record(
        actor=owner, customer=customer, lines=[LineInput("TEA", 2)], channel="store"
    )
    deal = services.deal_create(actor=owner, fields={"title": "ดีล", "customer": customer})
    deal.lines.create(product=product, quantity=1, unit_price=product.list_price)
    quote = services.quote_create(actor=owner, deal=deal)
    quoted = Stage.objects.get(pipeline__is_default=True, name_en="Quoted")
    lead = services.lead_capture(
        actor=owner, data=services.LeadInput(first_name="ลีด", phone="0887776666"), owner=owner
    )
    return {
        "lead": lead.pk,
        "quote": quote.pk,
        "owner": owner.pk,
        "customer": customer.pk,
        "product": product.pk,
        "order": order.pk,
        "deal": deal.pk,
        "stage": quoted.pk,
    }


def fill(value, records):
    if isinstance(value, str):
        return value.format(**records)
    if isinstance(value, dict):
        return {fill(key, records): fill(item, records) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, records) for item in value]
    return value


def request(client, method, url, body, records, *, api):
    if body == "csv":
        body = {"file": SimpleUploadedFile("p.csv", CSV.encode())}
    body = fill(body, records)
    for key in ("customer_id", "stage_id", "owner_id"):
        if isinstance(body, dict) and key in body:
            body[key] = int(body[key])
    return call(client, method, fill(url, records), body, api=api)


def user_with(role, team_name="ทีมกรุงเทพ"):
    return UserFactory(username=f"u-{role}", role=role, team=TeamFactory(name=team_name))


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"), UI, ids=[r[0] for r in UI]
)
def test_pages(records, role, name, method, url, body, allowed, ok):
    client = Client()
    client.force_login(user_with(role))
    response = request(client, method, url, body, records, api=False)
    assert response.status_code == (ok if role in allowed else 403), response.content[:300]


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"), API, ids=[r[0] for r in API]
)
def test_api(records, role, name, method, url, body, allowed, ok):
    response = request(token_client(user_with(role)), method, url, body, records, api=True)
    assert response.status_code == (ok if role in allowed else 403), response.content[:300]


@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"), UI + API, ids=[r[0] for r in UI + API]
)
def test_anonymous(records, name, method, url, body, allowed, ok):
    response = request(Client(), method, url, body, records, api=name.startswith("api"))
    assert response.status_code == (401 if name.startswith("api") else 302)


ORDER_SCOPED = [
    row
    for row in UI + API
    if any(key in row[2] for key in ("{order}", "{customer}", "{deal}", "{lead}", "{quote}"))
]


@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"),
    ORDER_SCOPED,
    ids=[r[0] for r in ORDER_SCOPED],
)
def test_sales_sees_only_orders_of_own_and_team_customers(
    records, name, method, url, body, allowed, ok
):
    outsider = user_with(Role.SALES, team_name="ทีมเหนือ")
    is_api = name.startswith("api")
    client = token_client(outsider) if is_api else Client()
    if not is_api:
        client.force_login(outsider)
    response = request(client, method, url, body, records, api=is_api)
    if Role.SALES not in allowed:
        assert response.status_code == 403
    elif name in {"order create", "api order create", "deal create", "api deal create"}:
        # The customer is not one they may pick: a field error, nothing written.
        assert response.status_code == (422 if is_api else 200)
        assert Order.objects.count() == 1
    else:
        assert response.status_code == 404


def test_order_lists_hide_other_teams_orders(records):
    outsider = user_with(Role.SALES, team_name="ทีมเหนือ")
    assert token_client(outsider).get("/api/v1/orders").json()["count"] == 0
    teammate = UserFactory(username="teammate", role=Role.SALES, team=TeamFactory(name="ทีมกรุงเทพ"))
    assert token_client(teammate).get("/api/v1/orders").json()["count"] == 1


def test_productivity_shows_a_sales_user_only_their_own_team(records):
    url = "/api/v1/reports/productivity?since=2020-01-01&until=2099-12-31"

    def rep_ids(user):
        body = token_client(user).get(url).json()
        return {rep["user_id"] for team in body["teams"] for rep in team["reps"]}

    outsider = user_with(Role.SALES, team_name="ทีมเหนือ")
    assert rep_ids(outsider) == {outsider.pk}
    teammate = UserFactory(username="teammate", role=Role.SALES, team=TeamFactory(name="ทีมกรุงเทพ"))
    assert rep_ids(teammate) == {records["owner"], teammate.pk}
    assert records["owner"] in rep_ids(UserFactory(username="boss", role=Role.MANAGER))
