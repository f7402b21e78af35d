"""Whoever pays is a customer: a lead, prospect or lapsed (inactive) customer becomes one
with a paid order, one order or a batch, audited and on the timeline; refunds, cancels and
those already customers change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from samphan.core.models import AuditEvent
from samphan.customers.models import Customer, Interaction
from samphan.customers.timeline import timeline_page
from samphan.sales import services
from samphan.sales.models import Order
from samphan.sales.services import LineInput, OrderInput
from tests.factories import CompanyFactory, CustomerFactory, ProductFactory, UserFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
D = Decimal
LEAD, PROSPECT, CUSTOMER, INACTIVE = (stage.value for stage in Customer.Stage)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def tea(db):
    return ProductFactory(sku="TEA", list_price=D("107.00"), unit_cost=D("40.00"))


def when(day: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC)


def record(customer, day=1, actor=None):
    order, _created = services.order_record(
        actor=actor,
        customer=customer,
        lines=[LineInput("TEA", 1)],
        channel=Order.Channel.STORE,
        ordered_at=when(day),
    )
    return order


def stage_of(customer) -> str:
    return Customer.objects.values_list("stage", flat=True).get(pk=customer.pk)


def promotions(customer):
    """The audit rows of the customer's stage changes, oldest first."""
    return list(
        AuditEvent.objects.filter(
            subject_type="customers.customer", subject_id=customer.pk, changes__has_key="stage"
        ).order_by("id")
    )


def test_a_prospects_first_paid_order_makes_them_a_customer_audited_and_on_the_timeline(tea):
    seller = UserFactory()
    prospect = CustomerFactory(stage=PROSPECT)
    order = record(prospect, actor=seller)
    assert stage_of(prospect) == CUSTOMER
    [audit] = promotions(prospect)
    assert audit.changes == {"stage": [PROSPECT, CUSTOMER], "order": [None, order.number]}
    assert audit.actor == seller and audit.customer_id == prospect.pk
    entries, _older = timeline_page(seller, prospect)
    change = [entry for entry in entries if entry.kind == Interaction.Kind.STAGE]
    assert [entry.summary for entry in change] == [f"Became a customer with order {order.number}"]
    assert change[0].occurred_at == order.ordered_at and change[0].user == seller
    # A second order changes nothing more.
    record(prospect, day=2)
    assert len(promotions(prospect)) == 1
    assert Interaction.objects.filter(customer=prospect, kind="stage").count() == 1


def test_a_lead_a_lapsed_customer_and_a_company_become_customers(tea):
    lead, lapsed, company = (
        CustomerFactory(stage=LEAD),
        CustomerFactory(stage=INACTIVE),
        CompanyFactory(stage=PROSPECT),
    )
    for customer in (lead, lapsed, company):
        record(customer)
        assert stage_of(customer) == CUSTOMER
    assert promotions(lapsed)[0].changes["stage"] == [INACTIVE, CUSTOMER]
    assert promotions(company)[0].changes["stage"] == [PROSPECT, CUSTOMER]
    # A person of the company buying for themselves is their own record, not the company's.
    person = CustomerFactory(stage=LEAD, company=CompanyFactory(stage=PROSPECT))
    record(person)
    assert stage_of(person) == CUSTOMER and stage_of(person.company) == PROSPECT


def test_a_customer_already_costs_no_statement_and_gets_no_entry(tea):
    customer = CustomerFactory(stage=CUSTOMER)
    record(customer)  # warm: the first order reads settings, sequences …
    with assert_queries() as queries:
        record(customer, day=2)
    assert not any("customers_customer" in query["sql"] for query in queries.captured_queries)
    assert not promotions(customer)
    assert not Interaction.objects.filter(customer=customer).exists()


def test_refunds_and_cancels_do_not_demote_and_a_restored_order_promotes(tea):
    prospect = CustomerFactory(stage=PROSPECT)
    order = record(prospect)
    services.order_refund(actor=None, order=order, lines=[LineInput("TEA", 1)])
    services.order_set_status(actor=None, order=order, status=Order.Status.REFUNDED)
    assert stage_of(prospect) == CUSTOMER
    # Staff set someone back to prospect; a cancelled order restored to paid is a purchase.
    other = CustomerFactory(stage=PROSPECT)
    cancelled = record(other)
    Customer.objects.filter(pk=other.pk).update(stage=PROSPECT)
    services.order_set_status(actor=None, order=cancelled, status=Order.Status.CANCELLED)
    assert stage_of(other) == PROSPECT
    services.order_set_status(actor=None, order=cancelled, status=Order.Status.PAID)
    assert stage_of(other) == CUSTOMER


def test_a_batch_promotes_each_buyer_once_naming_their_earliest_order(tea):
    lead, prospect, customer, company = (
        CustomerFactory(stage=LEAD),
        CustomerFactory(stage=PROSPECT),
        CustomerFactory(stage=CUSTOMER),
        CompanyFactory(stage=LEAD),
    )
    buyers = [lead, prospect, customer, company, lead, prospect]
    days = [5, 3, 2, 4, 1, 9]
    orders = [
        OrderInput(customer=buyer.pk, channel="store", lines=[LineInput("TEA", 1)],
                   ordered_at=when(day))
        for buyer, day in zip(buyers, days, strict=True)
    ]  # fmt: skip
    result = services.orders_bulk_record(actor=None, orders=orders)
    assert not result.errors and len(result.created) == 6
    stages = dict(Customer.objects.values_list("id", "stage"))
    assert {stages[buyer.pk] for buyer in buyers} == {CUSTOMER}
    # The lead's earliest order of the batch is the fifth (day 1), the prospect's the second.
    assert promotions(lead)[0].changes["order"] == [None, result.created[4].number]
    assert promotions(prospect)[0].changes["order"] == [None, result.created[1].number]
    assert not promotions(customer)
    entries = Interaction.objects.filter(kind="stage")
    assert sorted(entries.values_list("customer_id", flat=True)) == sorted(
        [lead.pk, prospect.pk, company.pk]
    )
    assert entries.get(customer=lead).occurred_at == when(1)
    # Retrying the batch writes nothing: its orders are known by external id… (none here),
    # and a second batch for the same people promotes no one again.
    services.orders_bulk_record(actor=None, orders=orders[:2])
    assert Interaction.objects.filter(kind="stage").count() == 3
    assert AuditEvent.objects.filter(changes__has_key="stage").count() == 3


def test_a_batch_of_customers_reads_their_stage_with_the_check_it_makes_anyway(tea):
    customers = [CustomerFactory(stage=CUSTOMER) for _ in range(3)]
    orders = [
        OrderInput(customer=c.pk, channel="store", lines=[LineInput("TEA", 1)], ordered_at=when(1))
        for c in customers
    ]
    services.orders_bulk_record(actor=None, orders=orders)  # warm
    with assert_queries() as queries:
        services.orders_bulk_record(actor=None, orders=orders)
    # The stage is read with the check the batch makes anyway (loyalty reads the buyers'
    # tiers for their points, a statement of its own), and nothing is written to them.
    touching = [q["sql"] for q in queries.captured_queries if "customers_customer" in q["sql"]]
    stages = [sql for sql in touching if '"stage"' in sql]
    assert len(stages) == 1 and all(sql.lstrip().upper().startswith("SELECT") for sql in touching)


def test_an_accepted_quote_makes_the_company_a_customer(tea, admin_user):
    from samphan.sales.models import Deal

    company = CompanyFactory(stage=PROSPECT)
    deal = services.deal_create(
        actor=admin_user, fields={"title": "POS", "customer": company, "amount": "107"}
    )
    quote = services.quote_create(actor=admin_user, deal=deal, lines=[LineInput("TEA", 2)])
    services.quote_accept(actor=admin_user, quote=quote)
    assert stage_of(company) == CUSTOMER
    assert Deal.objects.get(pk=deal.pk).customer_id == company.pk


def test_staff_cannot_log_a_stage_change_by_hand(admin_client):
    customer = CustomerFactory()
    response = admin_client.post(
        f"/api/v1/customers/{customer.pk}/interactions",
        data={"kind": "stage", "summary": "Became a customer"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "kind" in response.content.decode()


def test_the_one_off_migration_makes_past_buyers_customers_set_based(tea):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("samphan.sales.migrations.0015_buyers_are_customers")
    prospect, lead, quiet, lapsed = (
        CustomerFactory(stage=PROSPECT),
        CustomerFactory(stage=LEAD),
        CustomerFactory(stage=PROSPECT),
        CustomerFactory(stage=INACTIVE),
    )
    for customer in (prospect, lead, lapsed):
        stage = customer.stage
        order = record(customer)
        Customer.objects.filter(pk=customer.pk).update(stage=stage)  # as it was before
    cancelled = record(quiet)
    Customer.objects.filter(pk=quiet.pk).update(stage=PROSPECT)
    services.order_set_status(actor=None, order=cancelled, status=Order.Status.CANCELLED)
    AuditEvent.objects.filter(changes__has_key="stage").delete()
    migration.buyers_become_customers(apps, SimpleNamespace(connection=connection))
    assert [stage_of(c) for c in (prospect, lead, quiet, lapsed)] == [
        CUSTOMER, CUSTOMER, PROSPECT, INACTIVE  # a cancelled order is no purchase; staff's
    ]  # fmt: skip
    assert promotions(prospect)[0].changes == {"stage": [PROSPECT, CUSTOMER]}
    assert promotions(lead)[0].changes == {"stage": [LEAD, CUSTOMER]}
    assert not promotions(quiet) and not promotions(lapsed)
    assert order.pk
