"""/api/v1/loyalty/events: the ledger's rows as events read in id order with a cursor;
the newest rows are held back 30 seconds, and the feed stops at the first one held, so a
row committed after a higher id was read is never passed over."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from samphan.loyalty.models import PointsEntry
from samphan.loyalty.services import points_record
from tests.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/loyalty/events"


@pytest.fixture
def staff(admin_user):
    return token_client(admin_user)


def adjust(customer, points):
    return points_record(actor=None, customer=customer, kind="adjust", points=points)[0]


def test_events_come_in_id_order_once_they_have_settled(staff):
    anne, ben = CustomerFactory(), CustomerFactory()
    first, second, third = adjust(anne, 10), adjust(ben, 20), adjust(anne, -5)
    now = staff.get(EVENTS).json()
    assert (now["items"], now["next_after"], now["held"]) == ([], 0, True)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        page = staff.get(f"{EVENTS}?limit=2").json()
        assert [e["id"] for e in page["items"]] == [first.pk, second.pk]
        assert [e["points"] for e in page["items"]] == [10, 20]
        assert page["items"][0]["customer_id"] == anne.pk and page["next_after"] == second.pk
        rest = staff.get(f"{EVENTS}?after={page['next_after']}").json()
        assert [e["id"] for e in rest["items"]] == [third.pk] and not rest["held"]
        done = staff.get(f"{EVENTS}?after={third.pk}").json()
        assert (done["items"], done["next_after"]) == ([], third.pk)


def test_the_feed_stops_at_a_row_still_held_even_if_later_ones_have_settled(staff):
    anne = CustomerFactory()
    old, late, settled = adjust(anne, 1), adjust(anne, 2), adjust(anne, 3)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    PointsEntry.objects.filter(pk__in=[old.pk, settled.pk]).update(posted_at=long_ago)
    page = staff.get(EVENTS).json()  # `late` (a lower id, committed last) holds the rest
    assert [e["id"] for e in page["items"]] == [old.pk] and page["held"]
    PointsEntry.objects.filter(pk=late.pk).update(posted_at=None)  # filled in bulk: settled
    assert [e["id"] for e in staff.get(EVENTS).json()["items"]] == [old.pk, late.pk, settled.pk]


def test_bad_cursors_are_named_and_others_customers_are_not_shown(staff, make_user):
    for query in ("after=-1", "limit=0", "limit=1001", "after=abc"):
        answer = staff.get(f"{EVENTS}?{query}")
        assert answer.status_code == 422, query
    rep = make_user(role="sales")
    mine, theirs = CustomerFactory(owner=rep), CustomerFactory()
    adjust(mine, 5)
    adjust(theirs, 7)
    PointsEntry.objects.update(posted_at=None)
    seen = token_client(rep).get(EVENTS).json()["items"]
    assert [e["customer_id"] for e in seen] == [mine.pk]
