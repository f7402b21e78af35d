"""The search triggers outlive a migration that rebuilds the customers table (SQLite)."""

import pytest
from django.core.management import call_command
from django.db import connection

from samphan.core.search import matching_ids, search_triggers_restore
from samphan.customers.models import Customer
from samphan.customers.services import customer_create

TRIGGERS = {
    "customers_customer_fts_insert",
    "customers_customer_fts_delete",
    "customers_customer_fts_update",
}

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 triggers: SQLite")


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()} & TRIGGERS


def found(query: str) -> set[int]:
    return set(matching_ids(Customer.objects.all(), query, limit=10))


def customer(actor, first_name: str, last_name: str) -> Customer:
    fields = {"first_name": first_name, "last_name": last_name}
    return customer_create(actor=actor, fields=fields, contact_points=[])


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_migrate_restores_the_triggers_a_table_rebuild_drops(admin_user):
    before = customer(admin_user, "สมชาย", "ใจดี")
    # What Django's SQLite schema editor does for most column changes (AddField of a NOT
    # NULL column, AlterField): copy the table into a new one, drop the old.
    with connection.schema_editor() as editor:
        editor._remake_table(Customer)
    try:
        assert triggers() == set()  # the trap: search would silently miss new customers
    finally:
        call_command("migrate", verbosity=0)  # nothing to apply; post_migrate still runs
    assert triggers() == TRIGGERS
    after = customer(admin_user, "สมหญิง", "รักไทย")
    assert found("สมหญิง") == {after.pk}
    assert found("ใจดี") == {before.pk}


@sqlite_only
@pytest.mark.django_db
def test_restoring_is_idempotent(admin_user):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER customers_customer_fts_update")
    search_triggers_restore(using=connection.alias)
    search_triggers_restore(using=connection.alias)
    assert triggers() == TRIGGERS
    manee = customer(admin_user, "มานี", "มีนา")
    Customer.objects.filter(pk=manee.pk).update(search_document="มานะ มีนา")
    assert found("มานะ") == {manee.pk}
    assert found("มานี") == set()


@pytest.mark.django_db
def test_nothing_to_do_on_other_databases(django_assert_num_queries):
    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL: its GIN index belongs to the table")
    with django_assert_num_queries(0):
        search_triggers_restore(using=connection.alias)
