"""The duplicate review queue (issue 21): the finder's open pairs a reviewer may see, side
by side, filtered, sorted and paged; "not a duplicate" (audited, never back); the list's
badge; and the create form's similar-customer warning, which never stops the save."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import Role, User
from samphan.core.models import AuditEvent
from samphan.customers.dedupe.finder import duplicates_find
from samphan.customers.merge import customer_merge_undo, customers_merge
from samphan.customers.models import Customer, DuplicateCandidate
from samphan.customers.services import customer_create
from samphan.sales.services import LineInput, order_record
from tests.factories import ContactPointFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
QUEUE = "/customers/duplicates/"


@pytest.fixture(autouse=True)
def english(admin_user: User) -> None:
    """The admin reads English here (the Thai pages are crawled in tests/test_thai_pages.py)."""
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pair(a: Customer, b: Customer, *, score: float, reasons: list[str]) -> DuplicateCandidate:
    first, second = sorted([a, b], key=lambda c: c.pk)
    return DuplicateCandidate.objects.create(
        customer_a=first, customer_b=second, score=score, reasons=reasons, found_at=timezone.now()
    )


@pytest.fixture
def phone_pair(admin_user: User) -> DuplicateCandidate:
    """สมชาย ใจดี and Somchay Jaidee share a phone in two forms; the first has an order."""
    a = CustomerFactory(
        first_name="สมชาย", last_name="ใจดี", first_name_en="", last_name_en="", province="ขอนแก่น"
    )
    b = CustomerFactory(
        first_name="", last_name="", first_name_en="Somchay", last_name_en="Jaidee",
        display_name="Somchay Jaidee",
    )  # fmt: skip
    ContactPointFactory(customer=a, kind="mobile", value="+66812345678")
    ContactPointFactory(customer=b, kind="mobile", value="+66812345678")
    ContactPointFactory(customer=b, kind="line", value="somchay.j")
    product = ProductFactory(list_price=Decimal("500"))
    order_record(
        actor=admin_user, customer=a, lines=[LineInput(product.pk, Decimal(1))], channel="store"
    )
    duplicates_find()
    return DuplicateCandidate.objects.get()


def test_the_queue_shows_both_customers_and_readable_reasons(
    admin_client: Client, phone_pair: DuplicateCandidate
) -> None:
    response = admin_client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "สมชาย ใจดี" in html and "Somchay Jaidee" in html
    assert "same phone: 081 234 5678" in html  # the code, as a sentence with the phone
    assert "somchay.j" in html and "ขอนแก่น" in html  # LINE, province
    row = response.context["rows"][0]
    assert {row.a.order_count, row.b.order_count} == {0, 1}
    assert row.survivor.display_name == "สมชาย ใจดี"  # more orders: stays by default
    merge = f"/customers/{row.survivor.pk}/merge/?with={row.other.pk}"
    assert merge in html
    assert f"/customers/duplicates/{phone_pair.pk}/not-duplicate/" in html


def test_highest_score_first_filter_by_reason_and_sort_by_date(admin_client: Client) -> None:
    people = CustomerFactory.create_batch(6)
    low = pair(people[0], people[1], score=0.75, reasons=["name_look", "birthday"])
    high = pair(people[2], people[3], score=1.0, reasons=["email"])
    middle = pair(people[4], people[5], score=0.9, reasons=["name_same"])
    shown = [row.candidate for row in admin_client.get(QUEUE).context["rows"]]
    assert shown == [high, middle, low]
    by_name = admin_client.get(QUEUE, {"reason": "name"}).context["rows"]
    assert [row.candidate for row in by_name] == [middle, low]
    assert [r.candidate for r in admin_client.get(QUEUE, {"reason": "email"}).context["rows"]] == [
        high
    ]
    DuplicateCandidate.objects.filter(pk=low.pk).update(found_at=timezone.now())
    newest = admin_client.get(QUEUE, {"sort": "newest"}).context["rows"]
    assert newest[0].candidate == low
    # An unknown reason or sort is ignored, not an error.
    response = admin_client.get(QUEUE, {"reason": "<x>", "sort": "drop", "page": "zz"})
    assert response.status_code == 200 and len(response.context["rows"]) == 3


def test_the_queue_pages(admin_client: Client, settings: Any) -> None:
    settings.SAMPHAN_PAGE_SIZE = 2
    people = CustomerFactory.create_batch(6)
    for i in range(3):
        pair(people[2 * i], people[2 * i + 1], score=0.8 + i / 100, reasons=["name_look"])
    first = admin_client.get(QUEUE)
    assert len(first.context["rows"]) == 2 and first.context["page"].has_next()
    second = admin_client.get(QUEUE, {"page": 2})
    assert len(second.context["rows"]) == 1


def test_not_a_duplicate_removes_the_row_is_audited_and_never_comes_back(
    admin_client: Client, admin_user: User, phone_pair: DuplicateCandidate
) -> None:
    url = f"/customers/duplicates/{phone_pair.pk}/not-duplicate/"
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""  # htmx drops the row
    phone_pair.refresh_from_db()
    assert phone_pair.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert phone_pair.decided_by == admin_user
    event = AuditEvent.objects.get(subject_type="customers.duplicatecandidate")
    assert event.actor == admin_user and event.changes["status"] == ["open", "not_duplicate"]
    duplicates_find()
    assert admin_client.get(QUEUE).context["rows"] == []
    # Twice is a 404 (the pair is no longer open), and the row stays as decided.
    assert admin_client.post(url).status_code == 404
    assert AuditEvent.objects.filter(subject_type="customers.duplicatecandidate").count() == 1


def test_without_htmx_not_a_duplicate_goes_back_to_the_queue(
    admin_client: Client, phone_pair: DuplicateCandidate
) -> None:
    response = admin_client.post(f"/customers/duplicates/{phone_pair.pk}/not-duplicate/")
    assert response.status_code == 302 and response["Location"] == QUEUE


def test_bad_ids_are_404(admin_client: Client) -> None:
    assert admin_client.post("/customers/duplicates/999999/not-duplicate/").status_code == 404
    assert admin_client.post("/customers/duplicates/abc/not-duplicate/").status_code == 404


def test_a_rep_sees_only_pairs_of_customers_in_their_sight(
    make_user: Any, admin_user: User
) -> None:
    """A rep who may merge (given the permission on top of the sales role) but sees only
    own and team records: a pair with another's customer is neither listed nor usable."""
    from django.contrib.auth.models import Permission

    rep = make_user(Role.SALES, username="rep")
    rep.user_permissions.add(Permission.objects.get(codename="archive_customer"))
    mine = CustomerFactory.create_batch(2, owner=rep)
    theirs = CustomerFactory(owner=admin_user, team=None)
    own_pair = pair(mine[0], mine[1], score=0.9, reasons=["name_same"])
    hidden = pair(mine[0], theirs, score=1.0, reasons=["phone"])
    client = client_for(rep)
    rows = client.get(QUEUE).context["rows"]
    assert [row.candidate for row in rows] == [own_pair]
    assert theirs.display_name not in client.get(QUEUE).content.decode()
    assert client.post(f"/customers/duplicates/{hidden.pk}/not-duplicate/").status_code == 404
    hidden.refresh_from_db()
    assert hidden.status == DuplicateCandidate.Status.OPEN
    # Without the permission to merge: 403, and no link on the customer list.
    plain = client_for(make_user(Role.SALES, username="rep2"))
    assert plain.get(QUEUE).status_code == 403
    assert plain.post(f"/customers/duplicates/{own_pair.pk}/not-duplicate/").status_code == 403
    assert plain.get("/customers/").context["duplicates_waiting"] is None


def test_a_merged_pair_leaves_the_queue_and_an_undo_brings_it_back(
    admin_client: Client, admin_user: User, phone_pair: DuplicateCandidate
) -> None:
    record = customers_merge(
        actor=admin_user, survivor=phone_pair.customer_a, duplicates=[phone_pair.customer_b]
    )
    assert admin_client.get(QUEUE).context["rows"] == []
    customer_merge_undo(actor=admin_user, record=record)
    assert len(admin_client.get(QUEUE).context["rows"]) == 1


def test_the_customer_list_links_the_queue_with_a_count(
    admin_client: Client, phone_pair: DuplicateCandidate
) -> None:
    response = admin_client.get("/customers/")
    assert response.context["duplicates_waiting"] == 1
    assert f'href="{QUEUE}"' in response.content.decode()


def test_the_empty_queue_says_when_the_finder_runs_and_can_run_it_now(
    admin_client: Client, phone_pair: DuplicateCandidate, django_capture_on_commit_callbacks: Any
) -> None:
    DuplicateCandidate.objects.all().delete()
    html = admin_client.get(QUEUE).content.decode()
    assert "No possible duplicates to review." in html and "each night" in html
    assert "/customers/duplicates/run/" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/customers/duplicates/run/")
    assert response.status_code == 302
    # The tests' task backend runs it at once: the pair is found again.
    assert DuplicateCandidate.objects.count() == 1


SIMILAR = "/customers/similar/"


def test_the_create_form_warns_of_similar_customers_without_stopping_the_save(
    admin_client: Client, admin_user: User
) -> None:
    import datetime as dt

    born = dt.date(1990, 5, 17)
    existing = customer_create(
        actor=admin_user,
        fields={"first_name": "สมชาย", "last_name": "ใจดี", "birthday": born},
    )
    # Another spelling with the same birthday (typed in the reader's era, A.D. here).
    answer = admin_client.get(
        SIMILAR,
        {"first_name": "สมชาย", "last_name": "ใจดี", "birthday": "17/05/1990", "kind": "person"},
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Possible duplicates" in html and "same birthday" in html
    assert f"/customers/{existing.pk}/" in html
    assert answer.context["similar"][0].customer_id == existing.pk
    # Nothing alike, a bad date, an unknown kind: no warning, no error.
    calm = admin_client.get(SIMILAR, {"first_name": "Zzyzx", "birthday": "99/99", "kind": "?"})
    assert calm.status_code == 200 and "Possible duplicates" not in calm.content.decode()
    assert admin_client.get(SIMILAR).status_code == 200
    # The form asks for it, and the save goes through with the warning showing.
    form = admin_client.get("/customers/new/").content.decode()
    assert SIMILAR in form
    saved = admin_client.post(
        "/customers/new/",
        {"first_name": "สมชาย", "last_name": "ใจดี", "stage": "lead", "tier": "none"},
    )
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else ""
    assert Customer.objects.filter(first_name="สมชาย", last_name="ใจดี").count() == 2


def test_the_similar_check_needs_the_right_to_add_and_shows_only_visible_customers(
    make_user: Any, admin_user: User
) -> None:
    viewer = client_for(make_user(Role.VIEWER, username="viewer"))
    assert viewer.get(SIMILAR, {"first_name": "สมชาย"}).status_code == 403
    rep = make_user(Role.SALES, username="rep")
    CustomerFactory(first_name="สมหญิง", last_name="รักดี", owner=admin_user, team=None)
    answer = client_for(rep).get(SIMILAR, {"first_name": "สมหญิง", "last_name": "รักดี"})
    assert answer.status_code == 200 and answer.context["similar"] == []
