"""Erasure (PDPA s.33): after ``customer_erase`` no table of the database, search index
included, holds the person's name, phone or e-mail; orders and revenue figures stay."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from samphan.analytics.figures import TopQuestion, figures
from samphan.analytics.models import CustomerActivity, DailySales
from samphan.core.models import AuditEvent
from samphan.customers.models import ContactPoint, Customer
from samphan.customers.search import build_search_document
from samphan.privacy.erasure import ErasureRefusedError, customer_erase
from samphan.sales.models import Deal, Order, Quote, Stage
from samphan.sales.services import LineInput, deal_create, quote_create
from tests.factories import CompanyFactory, ProductFactory
from tests.privacy.conftest import (
    EMAIL,
    FIRST,
    FIRST_EN,
    LAST,
    LAST_EN,
    LINE_ID,
    LINE_USER,
    NICK,
    PHONE_FORMS,
    Person,
)  # fmt: skip


def needles() -> list[str]:
    """Every stored form of the name, phone and e-mail, and their JSON escapes (a JSON
    column on SQLite keeps Thai as \\uXXXX)."""
    plain = [FIRST, LAST, NICK, FIRST_EN, LAST_EN, *PHONE_FORMS, EMAIL, LINE_ID, LINE_USER]
    escaped = [json.dumps(text)[1:-1] for text in plain]
    return sorted({text.lower() for text in plain + escaped})


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def found_anywhere() -> list[tuple[str, str, str]]:
    """(table, column, needle) for every column of every table, views left out, that holds
    one of the needles: FTS5 tables and their shadow tables on SQLite, every column cast
    to text (JSON, bytes) on both databases."""
    hits = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor, include_views=False)
        for table in tables:
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                text = f"LOWER(CAST({quoted(column)} AS TEXT))"
                for needle in needles():
                    cursor.execute(
                        f"SELECT 1 FROM {quoted(table)} WHERE {text} LIKE %s LIMIT 1",  # noqa: S608 names from introspection
                        [f"%{needle}%"],
                    )
                    if cursor.fetchone():
                        hits.append((table, column, needle))
    return hits


def revenue_figures(person: Person) -> Any:
    top = figures(person.admin, TopQuestion(person.period, limit=10))
    rows = [(row.customer_id, row.revenue, row.profit, row.orders) for row in top.rows]
    daily = sorted(DailySales.objects.values_list("day", "channel", "revenue", "order_count"))
    activity = CustomerActivity.objects.filter(customer=person.customer).values().get()
    orders = sorted(Order.objects.values_list("pk", "number", "total", "vat", "status"))
    return rows, top.share, daily, activity, orders


def test_erasure_leaves_no_identifier_in_any_table_and_keeps_the_figures(
    person: Person, django_capture_on_commit_callbacks: Any
) -> None:
    assert connection.vendor in ("sqlite", "postgresql")
    before = found_anywhere()
    tables = {table for table, _column, _needle in before}
    # The search works: before erasure it finds the person across the apps.
    assert {"customers_customer", "customers_contactpoint", "messaging_message"} <= tables
    assert "core_auditevent" in tables and "sales_lead" in tables
    figures_before = revenue_figures(person)
    photo = person.customer.photo
    assert photo.storage.exists(photo.name)

    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(person.customer, actor=person.admin, reason="PDPA request 2026-001")

    assert found_anywhere() == []
    assert revenue_figures(person) == figures_before
    assert not photo.storage.exists(photo.name)
    customer = Customer.objects.get(pk=person.customer.pk)
    assert customer.erased_at is not None
    assert not ContactPoint.objects.filter(customer=customer).exists()
    assert customer.search_document == build_search_document(customer, [])
    erase = AuditEvent.objects.get(action="erase", customer_id=customer.pk)
    assert erase.actor == person.admin and erase.changes == {"reason": "PDPA request 2026-001"}
    # The audit log keeps that changes happened, and which fields, not the values.
    updates = AuditEvent.objects.filter(customer_id=customer.pk, action="update")
    assert updates.exists() and all(set(e.changes.values()) <= {"erased"} for e in updates)


def test_an_open_deal_or_quotation_stops_erasure_and_nothing_changes(person: Person) -> None:
    customer = person.customer
    deal = deal_create(
        actor=person.admin,
        fields={"title": "เปิดอยู่", "customer": customer},
        lines=[LineInput(ProductFactory().pk, Decimal(1))],
    )
    with translation.override("en"), pytest.raises(ErasureRefusedError, match="open deal"):
        customer_erase(customer, actor=person.admin, reason="r")
    won = Stage.objects.filter(pipeline=deal.pipeline, outcome="won").first()
    Deal.objects.filter(pk=deal.pk).update(stage=won)
    quote_create(actor=person.admin, deal=Deal.objects.get(pk=deal.pk))
    with translation.override("en"), pytest.raises(ErasureRefusedError, match="quotation"):
        customer_erase(customer, actor=person.admin, reason="r")
    customer.refresh_from_db()
    assert customer.erased_at is None and customer.first_name == FIRST
    assert ContactPoint.objects.filter(customer=customer).count() == 3
    Quote.objects.filter(customer=customer).update(status=Quote.Status.EXPIRED)
    customer_erase(customer, actor=person.admin, reason="r")
    with translation.override("en"), pytest.raises(ErasureRefusedError, match="erased already"):
        customer_erase(customer, actor=person.admin, reason="r")


def test_a_company_is_not_erased(person: Person) -> None:
    with translation.override("en"), pytest.raises(ErasureRefusedError, match="company"):
        customer_erase(CompanyFactory(), actor=person.admin, reason="r")
