"""The duplicate finder over all customers (``duplicates_find``): planted duplicates in
Thai and Latin spellings and with the same phone are found, look-alikes who are different
people are not, a pair marked "not a duplicate" never comes back, and a run's queries do
not grow with the number of pairs."""

import random
from datetime import date

import pytest

from samphan.core.models import AuditEvent
from samphan.customers.dedupe.finder import MAX_BLOCK, duplicate_mark_not, duplicates_find
from samphan.customers.models import ContactPoint, Customer, DuplicateCandidate
from samphan.demo.data import FEMALE_FIRST, LAST_NAMES, MALE_FIRST
from tests.factories import ContactPointFactory, CustomerFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db


def person(first: str = "", last: str = "", *, first_en: str = "", last_en: str = "", **kw):
    return CustomerFactory(
        first_name=first, last_name=last, first_name_en=first_en, last_name_en=last_en,
        nickname=kw.pop("nickname", ""), **kw,
    )  # fmt: skip


def filler(count: int, seed: int = 7, phones_from: int = 0) -> None:
    """Other customers with names from the demo lists, each with a phone of their own."""
    rng = random.Random(seed)
    for n in range(count):
        first = rng.choice(FEMALE_FIRST + MALE_FIRST)
        last = rng.choice(LAST_NAMES)
        customer = person(first[0] + "ณ" * (n % 3), last[0] + "ฯ" * (n % 2))
        ContactPointFactory(customer=customer, value=f"+66899{phones_from + n:06d}")


def pair_of(a: Customer, b: Customer) -> DuplicateCandidate | None:
    low, high = sorted((a.pk, b.pk))
    return DuplicateCandidate.objects.filter(customer_a_id=low, customer_b_id=high).first()


@pytest.fixture
def shop():
    """Planted duplicates among ordinary customers, and look-alikes who are not one person."""
    filler(40)
    born = date(1984, 2, 29)
    planted = {
        "thai_latin": (
            person("สมชาย", "ใจดี", birthday=born),
            person(first_en="Somchay", last_en="Jaidee", birthday=born),
        ),
        "tone_title": (
            person("นางสาวสมหญิง", "มั่นคง", address="5 ซอยอารีย์"),
            person("สมหญิง", "มันคง", address="5  ซอยอารีย์"),
        ),
        "silent": (person("สมศักดิ์", "ศรีสุข"), person("สมสัก", "ศรีสุข")),
        "typo": (
            person(first_en="Kanchana", last_en="Wongsawat"),
            person(first_en="Kacnhana", last_en="Wongsawat"),
        ),
        "phone": (person("ประเสริฐ", "ทองดี"), person("เสริฐ", "")),
        "email": (person("วิภา", "แก้วใส"), person(first_en="Vipa", last_en="K")),
    }
    phone_a, phone_b = planted["phone"]
    ContactPointFactory(customer=phone_a, value="+66812345678")
    ContactPointFactory(customer=phone_b, kind=ContactPoint.Kind.PHONE, value="+66812345678")
    silent_a, silent_b = planted["silent"]
    ContactPointFactory(customer=silent_a, value="+66861112222")
    ContactPointFactory(customer=silent_b, value="086-111-2223")  # one digit mistyped
    for customer, line in zip(planted["typo"], ("kanchana.w", "Kanchana.W"), strict=True):
        ContactPointFactory(customer=customer, kind=ContactPoint.Kind.LINE, value=line)
    mail_a, mail_b = planted["email"]
    ContactPointFactory(customer=mail_a, kind=ContactPoint.Kind.EMAIL, value="wipa@example.com")
    ContactPointFactory(customer=mail_b, kind=ContactPoint.Kind.EMAIL, value="wipa@example.com")
    strangers = {
        "same_first": (person("อนุชา", "บุญมา"), person("อนุชา", "พึ่งทอง")),
        "family": (
            person("มานะ", "ชัยมงคล", address="12 ถนนสุขุมวิท"),
            person("วิไล", "ชัยมงคล", address="12 ถนนสุขุมวิท"),
        ),
        # the same common name, written the same way, and nothing else in common
        "namesake": (person("สมชาย", "ใจดี"), person("สมชาย", "ใจดี", province="ตาก")),
    }
    return planted, strangers


def test_planted_duplicates_are_found_with_their_reasons(shop) -> None:
    planted, strangers = shop
    result = duplicates_find(batch=17)  # several batches
    for name, (a, b) in planted.items():
        candidate = pair_of(a, b)
        assert candidate is not None, name
        assert candidate.status == DuplicateCandidate.Status.OPEN
        assert candidate.reasons, name
    assert pair_of(*planted["phone"]).reasons == ["phone"]
    assert pair_of(*planted["phone"]).score == 1.0
    assert pair_of(*planted["email"]).reasons == ["email"]
    assert "name_sound" in pair_of(*planted["thai_latin"]).reasons
    for name, (a, b) in strangers.items():
        assert pair_of(a, b) is None, name
    assert result.customers == Customer.objects.count()
    assert result.created == DuplicateCandidate.objects.count() >= len(planted)
    # Only ids and codes are kept: no name, phone or e-mail in a candidate.
    stored = " ".join(str(c.reasons) for c in DuplicateCandidate.objects.all())
    assert "0812345678" not in stored and "wipa" not in stored and "สมชาย" not in stored


def test_a_second_run_updates_and_never_reopens_not_duplicate(shop, admin_user) -> None:
    planted, _strangers = shop
    duplicates_find()
    count = DuplicateCandidate.objects.count()
    candidate = pair_of(*planted["typo"])
    duplicate_mark_not(actor=admin_user, candidate=candidate)
    event = AuditEvent.objects.get(subject_type="customers.duplicatecandidate")
    assert event.actor == admin_user
    assert event.changes == {"status": ["open", "not_duplicate"]}

    again = duplicates_find()
    assert again.created == 0
    assert again.updated == count - 1  # every open pair, not the one marked
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert candidate.decided_by == admin_user
    assert DuplicateCandidate.objects.count() == count


def test_archived_customers_are_left_out(shop) -> None:
    planted, _strangers = shop
    a, b = planted["silent"]
    Customer.objects.filter(pk=b.pk).update(archived_at=a.created_at)
    duplicates_find()
    assert pair_of(a, b) is None


def test_a_runs_queries_do_not_grow_with_pairs() -> None:
    """Two queries per batch of customers, one to read the known pairs, and one INSERT and
    one UPDATE per 1,000 candidates: never a query per customer or per pair."""
    filler(30)
    for phone in ("+66899000001", "+66899000002"):  # the same phone as a filler's
        ContactPointFactory(customer=person("ประเสริฐ", "ทองดี"), value=phone)
        with assert_queries() as few:  # the second run updates a pair and inserts one
            duplicates_find(batch=1000)
    filler(60, seed=8, phones_from=1000)  # three times the customers, many more pairs
    ContactPointFactory(customer=person("ประเสริฐ", "ทองดี"), value="+66899001001")
    with assert_queries(len(few)):
        result = duplicates_find(batch=1000)
    assert result.pairs_compared > 10
    assert result.updated >= 2 and result.created >= 1


def test_a_giant_block_is_capped_and_said(settings) -> None:
    for n in range(MAX_BLOCK + 30):  # namesakes born on one day
        person("สมชาย", "ใจดี", first_en="", birthday=date(1980, 1, 1), address=f"{n}")
    result = duplicates_find()
    assert result.capped_blocks >= 1
    assert result.largest_block == MAX_BLOCK + 30
    assert result.pairs_compared < (MAX_BLOCK + 30) ** 2 // 2
    assert "neighbours" in result.notes[0]
