"""Similar products: the affinity table from a hand-made order history, the rebuild trigger,
per-customer suggestions, the deal card, the customer panel and the API."""

import math
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from samphan.accounts.models import Role
from samphan.sales import queries, services
from samphan.sales.affinities import MIN_NEW_ORDERS, rebuild_due_after
from samphan.sales.models import Order, OrderLine, ProductAffinity, SuggestionState
from samphan.sales.services import LineInput
from tests.api.calls import assert_names_field
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory, TeamFactory, UserFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db


def buy(customer, *skus, status=Order.Status.PAID):
    order, _created = services.order_record(
        actor=None, customer=customer, lines=[LineInput(sku, 1) for sku in skus], channel="store"
    )
    if status != Order.Status.PAID:
        services.order_set_status(actor=None, order=order, status=status)
    return order


@pytest.fixture
def products():
    return {sku: ProductFactory(sku=sku, name=f"สินค้า {sku}") for sku in "ABCDE"}


@pytest.fixture
def history(products):
    """Five paying customers:   c1 A B D · c2 A B C · c3 A C · c4 B C · c5 A B
    Buyers: A 4, B 4, C 3, D 1 (E never sold). Together: A+B 3, A+C 2, B+C 2, A+D 1, B+D 1.
    Orders that must not count: c6 cancelled A D, c7 wholly refunded B D, and a refund
    line for D on c2's order; had they counted, A+D and B+D would reach 2."""
    customers = [CustomerFactory() for _ in range(7)]
    c1, c2, c3, c4, c5, c6, c7 = customers
    buy(c1, "A", "B")
    buy(c1, "D")  # a second order: a customer's purchases count across orders
    c2_order = buy(c2, "A", "B", "C")
    buy(c3, "A", "C")
    buy(c4, "B", "C")
    buy(c5, "A", "B")
    buy(c6, "A", "D", status=Order.Status.CANCELLED)
    buy(c7, "B", "D", status=Order.Status.REFUNDED)
    OrderLine.objects.create(
        order=c2_order, product=products["D"], is_refund=True, quantity=1, unit_price=0
    )
    return customers


def affinities():
    return {
        (row.product.sku, row.other.sku): (row.together, round(row.score, 4), round(row.lift, 4))
        for row in ProductAffinity.objects.select_related("product", "other")
    }


def test_rebuild_scores_pairs_bought_by_at_least_two_customers(history):
    rebuild = services.affinities_rebuild()
    # cosine = together / √(buyers × buyers); lift = together × 5 buyers / (buyers × buyers)
    ab = (3, round(3 / math.sqrt(4 * 4), 4), round(3 * 5 / (4 * 4), 4))  # 0.75, 0.9375
    ac = (2, round(2 / math.sqrt(4 * 3), 4), round(2 * 5 / (4 * 3), 4))  # 0.5774, 0.8333
    assert affinities() == {
        ("A", "B"): ab,
        ("B", "A"): ab,
        ("A", "C"): ac,
        ("C", "A"): ac,
        ("B", "C"): ac,
        ("C", "B"): ac,
    }
    assert (rebuild.pairs, rebuild.paid_orders) == (6, 6)


def test_rebuild_is_idempotent_and_records_when_it_is_due_again(history):
    services.affinities_rebuild()
    first = affinities()
    services.affinities_rebuild()
    assert affinities() == first
    state = SuggestionState.objects.get()
    last_order = Order.objects.order_by("-id").first()
    assert state.paid_orders == 6 and state.pairs == 6 and state.computed_at
    assert state.due_after_order == last_order.pk + MIN_NEW_ORDERS
    assert state.queued_at is None


def test_rebuild_keeps_the_best_twenty_partners_of_each_product():
    skus = [f"P{number:02d}" for number in range(23)]
    for sku in skus:
        ProductFactory(sku=sku)
    for _ in range(2):
        buy(CustomerFactory(), *skus)
    buy(CustomerFactory(), "P00", "P01")  # P00+P01: bought together by 3, the best pair
    services.affinities_rebuild()
    partners = ProductAffinity.objects.filter(product__sku="P00").order_by("-score")
    assert partners.count() == 20
    assert partners[0].other.sku == "P01" and partners[0].together == 3
    assert ProductAffinity.objects.count() == 23 * 20


def test_rebuild_without_orders_empties_the_table(products):
    services.affinities_rebuild()
    assert not ProductAffinity.objects.exists()


def test_due_after_grows_by_five_percent_or_fifty_orders():
    assert rebuild_due_after(last_order_id=10, paid_orders=0) == 60
    assert rebuild_due_after(last_order_id=1000, paid_orders=1000) == 1050
    assert rebuild_due_after(last_order_id=3000, paid_orders=2000) == 3100


def test_command_rebuilds(history):
    out = StringIO()
    call_command("suggestions_rebuild", stdout=out)
    assert "6 product pairs from 6 paid orders" in out.getvalue()
    assert ProductAffinity.objects.count() == 6


# -- The rebuild trigger ----------------------------------------------------------------------


def test_an_order_write_enqueues_a_rebuild_only_once_enough_orders_came_in(
    products, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    buy(customer, "A", "B")
    services.affinities_rebuild()  # due after the last order's id + 50
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(MIN_NEW_ORDERS):
            buy(customer, "A")
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        buy(customer, "A", "C")
        buy(customer, "A")  # already queued: not a second time
    assert len(callbacks) == 1
    assert SuggestionState.objects.get().queued_at is not None


def test_the_enqueued_task_rebuilds_and_moves_the_mark(
    products, django_capture_on_commit_callbacks
):
    first = buy(CustomerFactory(), "A", "B")
    # On PostgreSQL ids run on across tests: the first order may already have queued one.
    SuggestionState.objects.update_or_create(
        pk=1, defaults={"due_after_order": first.pk, "queued_at": None}
    )
    with django_capture_on_commit_callbacks(execute=True):  # the immediate backend runs it
        second = buy(CustomerFactory(), "A", "B")
    state = SuggestionState.objects.get()
    assert state.queued_at is None and state.computed_at is not None
    assert state.due_after_order == second.pk + MIN_NEW_ORDERS
    assert ProductAffinity.objects.count() == 2


def test_a_rebuild_queued_long_ago_that_never_ran_is_queued_again(
    products, django_capture_on_commit_callbacks
):
    first = buy(CustomerFactory(), "A")
    stale = Order.objects.get(pk=first.pk).created_at.replace(year=2020)
    SuggestionState.objects.update_or_create(
        pk=1, defaults={"due_after_order": first.pk, "queued_at": stale}
    )
    with django_capture_on_commit_callbacks() as callbacks:
        buy(CustomerFactory(), "A")
    assert len(callbacks) == 1


# -- Suggestions ------------------------------------------------------------------------------


def offered(suggestions):
    return [(s.product.sku, s.because.sku, s.together, round(s.score, 4)) for s in suggestions]


def test_a_customer_is_offered_what_they_have_not_bought_with_the_strongest_reason(history):
    services.affinities_rebuild()
    _c1, c2, c3, _c4, c5, c6, _c7 = history
    # c3 bought A and C: B is linked to A (0.75) and C (0.5774); A is the reason.
    assert offered(queries.customer_suggestions(c3.pk)) == [("B", "A", 3, 1.3274)]
    # c5 bought A and B: C, linked to both by 0.5774; the tie goes to the lower product id.
    assert offered(queries.customer_suggestions(c5.pk)) == [("C", "A", 2, 1.1547)]
    assert queries.customer_suggestions(c2.pk) == []  # bought all three
    # c6 only has a cancelled order: nothing bought, nothing offered.
    assert queries.customer_suggestions(c6.pk) == []


def test_suggestions_explain_themselves(history):
    services.affinities_rebuild()
    (suggestion,) = queries.customer_suggestions(history[2].pk)
    with translation.override("en"):
        assert suggestion.reason == "Bought together with สินค้า A by 3 customers"


def test_retired_products_are_not_offered(history, products):
    services.affinities_rebuild()
    products["B"].is_active = False
    products["B"].save()
    assert queries.customer_suggestions(history[2].pk) == []


def test_also_bought_leaves_out_the_products_asked_about(history, products):
    services.affinities_rebuild()
    a, b = products["A"].pk, products["B"].pk
    assert offered(queries.also_bought([a])) == [("B", "A", 3, 0.75), ("C", "A", 2, 0.5774)]
    assert offered(queries.also_bought([a, b])) == [("C", "A", 2, 1.1547)]
    assert queries.also_bought([]) == []


# -- Pages ------------------------------------------------------------------------------------


def count_queries(client, url):
    with assert_queries() as captured:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_customer_panel_shows_suggestions_in_a_fixed_number_of_queries(admin_client, history):
    services.affinities_rebuild()
    c3 = history[2]
    url = f"/sales/customers/{c3.pk}/suggestions/"
    with translation.override("en"):
        few, html = count_queries(admin_client, url)
        assert "สินค้า B" in html and "ลูกค้า 3 รายซื้อคู่กับ สินค้า A" in html  # pages speak Thai
        for sku in ["F", "G", "H", "I", "J"]:  # bought with A by others: to suggest
            ProductFactory(sku=sku)
            buy(CustomerFactory(), sku, "A")
            buy(CustomerFactory(), sku, "A")
        buy(c3, "D", "E")  # and c3 bought more
        services.affinities_rebuild()
        many, html = count_queries(admin_client, url)
    assert many == few
    assert html.count('class="suggestion-reason"') == 5  # B, then four of F to J


def test_customer_panel_empty_states(admin_client, products):
    services.affinities_rebuild()
    newcomer = CustomerFactory()
    with translation.override("en"):
        html = admin_client.get(f"/sales/customers/{newcomer.pk}/suggestions/").content.decode()
        assert "คำแนะนำจะแสดงเมื่อลูกค้ารายนี้ซื้อสินค้าแล้ว" in html
        buy(newcomer, "E")
        html = admin_client.get(f"/sales/customers/{newcomer.pk}/suggestions/").content.decode()
        assert "ยังไม่มีคำแนะนำ" in html


def test_the_customer_page_loads_the_panel(admin_client, history):
    page = admin_client.get(f"/customers/{history[0].pk}/").content.decode()
    assert f"/sales/customers/{history[0].pk}/suggestions/" in page


def test_panel_and_api_answer_404_for_a_customer_the_user_may_not_see(history):
    services.affinities_rebuild()
    outsider = UserFactory(username="north", role=Role.SALES, team=TeamFactory(name="ทีมเหนือ"))
    customer = history[2]  # no owner: only those who see all records see it
    page = Client()
    page.force_login(outsider)
    assert page.get(f"/sales/customers/{customer.pk}/suggestions/").status_code == 404
    api = token_client(outsider)
    assert api.get(f"/api/v1/customers/{customer.pk}/suggestions").status_code == 404
    assert api.get(f"/api/v1/customers/{customer.pk}").status_code == 404  # the same rule


def deal_with(customer, *products):
    deal = services.deal_create(actor=None, fields={"title": "ดีล", "customer": customer})
    for product in products:
        deal.lines.create(product=product, quantity=1, unit_price=product.list_price)
    return deal


def test_deal_page_shows_what_buyers_of_its_products_also_bought(admin_client, history, products):
    services.affinities_rebuild()
    empty = deal_with(history[0])
    deal = deal_with(history[0], products["A"])
    with translation.override("en"):
        few, html = count_queries(admin_client, f"/sales/deals/{deal.pk}/")
        assert "ลูกค้าที่ซื้อสินค้านี้ยังซื้อ" in html
        assert html.index("สินค้า B") < html.index("สินค้า C")
        assert "ลูกค้า 2 รายซื้อคู่กับ สินค้า A" in html  # C's reason
        deal.lines.create(product=products["B"], quantity=1, unit_price=1)
        deal.lines.create(product=products["D"], quantity=1, unit_price=1)
        many, html = count_queries(admin_client, f"/sales/deals/{deal.pk}/")
        _, bare = count_queries(admin_client, f"/sales/deals/{empty.pk}/")
    assert many == few
    assert html.count('class="suggestion-reason"') == 1  # only C: A and B are on the deal
    assert "เพิ่มสินค้าในดีลนี้" in bare


# -- API --------------------------------------------------------------------------------------


def test_api_lists_what_a_products_buyers_also_bought(api, history, products):
    services.affinities_rebuild()
    response = api.get(f"/api/v1/products/{products['A'].pk}/also-bought?limit=1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["computed_at"]
    (item,) = body["items"]
    assert item["product"]["sku"] == "B" and item["because"]["sku"] == "A"
    assert (item["together"], item["score"], item["lift"]) == (3, 0.75, 0.9375)
    assert item["reason"]
    assert api.get("/api/v1/products/999999/also-bought").status_code == 404
    assert_names_field(
        api.get(f"/api/v1/products/{products['A'].pk}/also-bought?limit=21"), "limit"
    )


def test_api_suggestions_for_a_customer_in_a_fixed_number_of_queries(api, history, products):
    services.affinities_rebuild()
    c3 = history[2]
    url = f"/api/v1/customers/{c3.pk}/suggestions"

    def more_history():
        for sku in ["F", "G", "H"]:
            ProductFactory(sku=sku)
            buy(CustomerFactory(), sku, "A")
            buy(CustomerFactory(), sku, "A")
        buy(c3, "D", "E")
        services.affinities_rebuild()

    before = api.get(url).json()["items"]
    assert [(item["product"]["sku"], item["because"]["sku"]) for item in before] == [("B", "A")]
    api.get(url)  # the first call of the minute also records the token's last use
    with assert_queries() as few:
        assert api.get(url).status_code == 200
    more_history()
    with assert_queries(len(few)):
        body = api.get(url).json()
    assert body["items"][0]["product"]["sku"] == "B"
    assert len(body["items"]) == 4


def test_api_suggestions_before_any_rebuild_are_empty(api, history):
    body = api.get(f"/api/v1/customers/{history[0].pk}/suggestions").json()
    assert body == {"computed_at": None, "items": []}
