import pytest
from django.db import connection, transaction

from samphan.core.search import _index_planned, matching_ids, matching_page
from samphan.customers import services
from samphan.customers.models import Customer
from samphan.customers.queries import CustomerFilters, customer_list


@pytest.fixture
def somchai(admin_user):
    return services.customer_create(
        actor=admin_user,
        fields={
            "first_name": "สมชาย",
            "last_name": "ใจดี",
            "first_name_en": "Somchai",
            "last_name_en": "Jaidee",
            "nickname": "ชาย",
            "member_number": "M0042",
        },
        contact_points=[
            {"kind": "mobile", "value": "081-234-5678"},
            {"kind": "email", "value": "somchai@example.com"},
        ],
    )


@pytest.fixture
def others(admin_user):
    services.customer_create(
        actor=admin_user,
        fields={"first_name": "มาลี", "last_name": "ศรีสุข"},
        contact_points=[{"kind": "mobile", "value": "089-999-0000"}],
    )
    services.customer_create(
        actor=admin_user,
        fields={
            "kind": "company",
            "company_name": "บริษัท สยามฟู้ดส์ จำกัด",
            "company_name_en": "Siam Foods",
        },
    )


def found(user, query):
    return [c.display_name for c in customer_list(user, CustomerFilters(q=query))]


@pytest.mark.parametrize(
    "query",
    [
        "ชาย",
        "สมชาย",
        "ใจดี",
        "สมชาย ใจดี",
        "somch",
        "JAIDEE",
        "081-234-5678",
        "0812345678",
        "+66 81 234 5678",
        "+66812345678",
        "5678",
        "2345678",
        "somchai@example.com",
        "example.com",
        "M0042",
        "m0042",
    ],
)
def test_finds_by_any_part(admin_user, somchai, others, query):
    assert found(admin_user, query) == ["สมชาย ใจดี"]


def test_short_and_missing_terms(admin_user, somchai, others):
    assert found(admin_user, "มา") == ["มาลี ศรีสุข"]  # two letters: plain LIKE
    assert found(admin_user, "ไม่มีใคร") == []
    assert found(admin_user, "สยาม") == ["บริษัท สยามฟู้ดส์ จำกัด"]
    assert found(admin_user, '"; DROP TABLE x; --') == []
    assert found(admin_user, "100%") == []


def test_search_follows_contact_changes(admin_user, somchai):
    point = somchai.contact_points.get(kind="mobile")
    services.contact_point_update(
        actor=admin_user, contact_point=point, fields={"value": "0865551111"}
    )
    assert found(admin_user, "5678") == []
    assert found(admin_user, "0865551111") == ["สมชาย ใจดี"]
    services.contact_point_remove(actor=admin_user, contact_point=point)
    assert found(admin_user, "1111") == []


def test_archived_are_hidden_unless_asked(admin_user, somchai):
    services.customer_archive(actor=admin_user, customer=somchai)
    assert found(admin_user, "สมชาย") == []
    archived = customer_list(admin_user, CustomerFilters(q="สมชาย", archived=True))
    assert [c.pk for c in archived] == [somchai.pk]
    assert Customer.objects.count() == 1


def test_search_inside_a_transaction_leaves_the_planner_as_it_was(somchai):
    with transaction.atomic():
        assert matching_ids(Customer.objects.all(), "สมชาย", limit=10) == [somchai.pk]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW enable_seqscan")
                assert cursor.fetchone()[0] == "on"


def test_a_page_of_matches_inside_a_transaction_leaves_the_planner_as_it_was(somchai):
    with transaction.atomic():
        page = matching_page(
            Customer.objects.all(), "สมชาย", limit=10, ordering=["-id"], offset=0, size=5
        )
        assert page == ([somchai.pk], 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW enable_seqscan")
                assert cursor.fetchone()[0] == "on"


@pytest.mark.django_db(transaction=True)
def test_the_search_statement_runs_without_sequential_scans_and_only_it():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    assert not connection.in_atomic_block
    assert _index_planned("SELECT current_setting('enable_seqscan')", []) == [("off",)]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
