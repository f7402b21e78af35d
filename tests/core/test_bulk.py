"""``core.bulk.insert_rows_returning_ids`` hands back each row's own id, and
``core.search.bulk_indexing`` indexes rows inserted while its trigger is away: on both
databases, in a transaction and outside one, after the table's last rows were deleted."""

import pytest
from django.db import connection, transaction

from samphan.core.bulk import insert_rows_returning_ids
from samphan.core.search import bulk_indexing, search_filter
from samphan.customers.models import Customer, Tag
from samphan.customers.services import customer_create


def _names_by_id(ids: list[int]) -> dict[int, str]:
    return dict(Tag.objects.filter(pk__in=ids).values_list("pk", "name"))


def _insert(names: list[str]) -> list[int]:
    return insert_rows_returning_ids(Tag, ["name"], [(name,) for name in names])


@pytest.mark.django_db
def test_ids_are_the_rows_own_after_the_last_rows_were_deleted():
    before = _insert([f"before-{n}" for n in range(5)])
    Tag.objects.filter(pk__in=before[2:]).delete()  # a gap at the end (AUTOINCREMENT)
    names = [f"tag-{n}" for n in range(1_200)]
    ids = _insert(names)
    assert len(set(ids)) == len(names)
    assert _names_by_id(ids) == dict(zip(ids, names, strict=True))
    assert min(ids) > max(before)


@pytest.mark.django_db(transaction=True)
def test_ids_are_the_rows_own_outside_a_transaction():
    assert not connection.in_atomic_block
    names = ["หนึ่ง", "สอง", "สาม"]
    ids = _insert(names)
    assert _names_by_id(ids) == dict(zip(ids, names, strict=True))


@pytest.mark.django_db
def test_a_failed_insert_leaves_nothing():
    Tag.objects.create(name="taken")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - either database's
        _insert(["fresh", "taken"])
    assert list(Tag.objects.values_list("name", flat=True)) == ["taken"]


@pytest.mark.django_db
def test_rows_inserted_while_the_trigger_is_away_are_found(admin_user):
    old = customer_create(actor=admin_user, fields={"first_name": "สมศรี"}, contact_points=[])
    template = _row(old)
    Customer.objects.filter(pk=old.pk).delete()  # the largest id is gone
    columns = ["first_name", "display_name", "search_document", "owner_id", "created_by_id"]
    common = (admin_user.pk, admin_user.pk)
    rows = [("ปิติ", "ปิติ", "ปิติ", *common), ("ชูใจ", "ชูใจ", "ชูใจ", *common)]
    with bulk_indexing(Customer):
        ids = _customers_insert(template, columns, rows)
    assert min(ids) > old.pk
    assert _found("ปิติ") == {ids[0]}
    assert _found("ชูใจ") == {ids[1]}
    after = customer_create(actor=admin_user, fields={"first_name": "วีระ"}, contact_points=[])
    assert _found("วีระ") == {after.pk}  # the trigger is back


def _row(customer: Customer) -> dict[str, object]:
    names = [f.attname for f in Customer._meta.concrete_fields if not f.primary_key]
    return Customer.objects.filter(pk=customer.pk).values(*names)[0]


def _customers_insert(
    template: dict[str, object], columns: list[str], rows: list[tuple[object, ...]]
) -> list[int]:
    """Rows of a few columns on a saved customer's (the table has no column defaults)."""
    full = []
    for row in rows:
        values = {**template, **dict(zip(columns, row, strict=True))}
        full.append(tuple(_adapt(name, value) for name, value in values.items()))
    return insert_rows_returning_ids(Customer, list(template), full)


def _adapt(name: str, value: object) -> object:
    field = next(f for f in Customer._meta.concrete_fields if f.attname == name)
    return field.get_db_prep_save(value, connection)


def _found(term: str) -> set[int]:
    return set(search_filter(Customer.objects.all(), term).values_list("pk", flat=True))
