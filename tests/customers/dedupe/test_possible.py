"""The check on save (``possible_duplicates``): a new customer's or an import row's
values meet the existing customers the user can see through indexed look-ups (contacts,
a phone one digit apart, birthday, employer, the name written the same way), each scored
as the finder scores a pair: a name alone is never a warning, and the number of queries
does not grow with the number of customers."""

from datetime import date

import pytest
from django.utils import translation

from samphan.customers.dedupe.possible import possible_duplicates
from samphan.customers.models import ContactPoint
from samphan.customers.services import customer_create
from tests.factories import ContactPointFactory, CustomerFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
BORN = date(1985, 7, 14)


def person(first: str = "", last: str = "", *, first_en: str = "", last_en: str = "", **kw):
    return CustomerFactory(
        first_name=first, last_name=last, first_name_en=first_en, last_name_en=last_en,
        nickname=kw.pop("nickname", ""), **kw,
    )  # fmt: skip


@pytest.fixture
def shop(admin_user):
    somchai = person("สมชาย", "ใจดี", birthday=BORN, owner=admin_user)
    ContactPointFactory(customer=somchai, value="+66812345678")
    ContactPointFactory(customer=somchai, kind=ContactPoint.Kind.EMAIL, value="somchai@example.com")
    namesakes = [person("สมชาย", "ใจดี") for _ in range(5)]  # other people, same name
    for n, namesake in enumerate(namesakes):
        ContactPointFactory(customer=namesake, value=f"+6689900000{n}")
    return somchai, namesakes


def test_a_phone_in_another_form_or_one_digit_apart_is_found(shop, admin_user) -> None:
    somchai, _namesakes = shop
    with translation.override("en"):
        same = possible_duplicates({"first_name": "มาลี", "phones": ["081-234-5678"]}, admin_user)
        near = possible_duplicates(
            {"first_name_en": "Somchay", "last_name_en": "Jaidee", "phones": ["0812345679"]},
            admin_user,
        )
    assert [(m.customer_id, m.score) for m in same] == [(somchai.pk, 1.0)]
    assert same[0].reasons == ["same phone: 081-234-5678"]  # as the user typed it
    assert [m.customer_id for m in near] == [somchai.pk]
    assert near[0].reasons[1] == "phone one digit apart: 0812345679"


def test_a_latin_spelling_born_the_same_day_is_found(shop, admin_user) -> None:
    somchai, _namesakes = shop
    with translation.override("en"):
        found = possible_duplicates(
            {"first_name_en": "Somchai", "last_name_en": "Jaidi", "birthday": BORN}, admin_user
        )
    assert [m.customer_id for m in found] == [somchai.pk]
    assert found[0].reasons == ["names sound alike: Somchai Jaidi ~ สมชาย ใจดี", "same birthday"]


def test_the_same_name_alone_is_no_warning(shop, admin_user) -> None:
    assert possible_duplicates({"first_name": "สมชาย", "last_name": "ใจดี"}, admin_user) == []
    other_day = {"first_name": "สมชาย", "last_name": "ใจดี", "birthday": date(1990, 1, 1)}
    assert possible_duplicates(other_day, admin_user) == []


def test_only_customers_the_user_can_see(shop, sales_user) -> None:
    """The sales user sees only their own customers (and their team's): the admin's
    สมชาย, who has this phone, is not shown to them (the contact rule's own review flag
    covers what they cannot see)."""
    values = {"first_name": "สมชาย", "phones": ["0812345678"]}
    assert possible_duplicates(values, sales_user) == []
    mine = person("สมชาย", "ใจดี", owner=sales_user)
    ContactPointFactory(customer=mine, value="+66812345678")
    assert [m.customer_id for m in possible_duplicates(values, sales_user)] == [mine.pk]


def test_a_saved_customer_is_checked_against_the_others_not_itself(shop, admin_user) -> None:
    somchai, _namesakes = shop
    again = customer_create(
        actor=admin_user,
        fields={"first_name": "สมชาย", "last_name": "ใจ ดี", "birthday": BORN},
        contact_points=[{"kind": "email", "value": "somchai.jaidee@example.com"}],
    )
    with assert_queries(4):  # its contacts, the look-ups, the candidates, their contacts
        found = possible_duplicates(again, admin_user)
    assert [m.customer_id for m in found] == [somchai.pk]
    with assert_queries(4):
        assert [m.customer_id for m in possible_duplicates(somchai, admin_user)] == [again.pk]


def test_queries_do_not_grow_with_customers(shop, admin_user) -> None:
    values = {
        "first_name": "สมชาย", "last_name": "ใจดี", "birthday": BORN,
        "phones": ["0812345679"], "emails": ["somchai@example.com"], "line_ids": ["somchai"],
    }  # fmt: skip
    with assert_queries(4):  # the user's scope (once a request), then as below
        first = possible_duplicates(values, admin_user)
    for n in range(40):
        ContactPointFactory(customer=person("สมชาย", "ใจดี"), value=f"+6687700{n:04d}")
    with assert_queries(3):  # the look-ups (a UNION of index searches), the candidates
        again = possible_duplicates(values, admin_user)  # the user sees, their contacts
    assert [m.customer_id for m in again] == [m.customer_id for m in first] == [shop[0].pk]
    with assert_queries(0):
        assert possible_duplicates({}, admin_user) == []
