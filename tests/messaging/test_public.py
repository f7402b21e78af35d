"""Unsubscribe links and the preference page: no login, signed, POST to change."""

import pytest
from django.test import Client

from samphan.customers.models import ConsentRecord
from samphan.messaging import links
from samphan.messaging.models import Message, Suppression
from samphan.messaging.outbox import Outbox, RateLimits, message_queue
from tests.messaging.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(reachable):
    return message_queue(
        customer=reachable, channel="email", purpose="marketing", to="ann@example.com",
        subject="ข่าว", text="ข่าวสาร", idempotency_key="news-1",
    )  # fmt: skip


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def latest_marketing(customer, channel="email"):
    return customer.consents.filter(channel=channel, purpose="marketing").order_by("-at", "-id")[0]


def test_the_link_page_changes_nothing_until_posted(sent, reachable):
    url = path_of(links.unsubscribe_url(sent))
    response = Client().get(url)
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert reachable.display_name.encode() not in response.content  # reveals nobody
    assert b"ann@example.com" not in response.content
    assert latest_marketing(reachable).status == "granted"  # a mail scanner's GET does nothing


def test_one_click_post_without_csrf_token_unsubscribes(sent, reachable, smtp):
    """RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" to the link."""
    client = Client(enforce_csrf_checks=True)
    url = path_of(links.unsubscribe_url(sent))
    response = client.post(url, "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200
    record = latest_marketing(reachable)
    assert record.status == "withdrawn" and record.source == ConsentRecord.Source.UNSUBSCRIBE
    assert Suppression.objects.filter(
        channel="email", address="ann@example.com", purpose="marketing", reason="unsubscribed"
    ).exists()
    # The next campaign message, already queued or not, is not sent.
    later = message_queue(
        customer=reachable, channel="email", purpose="marketing", to="ann@example.com",
        subject="ข่าว", text="อีกฉบับ", idempotency_key="news-2",
    )  # fmt: skip
    Outbox(RateLimits({})).run()
    later.refresh_from_db()
    assert later.status == Message.Status.BLOCKED and smtp.messages == []


def test_a_link_used_twice_changes_nothing_more(sent, reachable):
    url = path_of(links.unsubscribe_url(sent))
    Client().post(url)
    response = Client().post(url)
    assert response.status_code == 200
    assert reachable.consents.filter(status="withdrawn").count() == 1
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: "00000000-0000-0000-0000-000000000000" + token[36:],  # another message
        lambda token: "nonsense",
    ],
)
def test_a_forged_link_unsubscribes_nobody(sent, reachable, tamper):
    token = links.unsubscribe_url(sent).rstrip("/").rsplit("/", 1)[1]
    response = Client().post(f"/p/unsubscribe/{tamper(token)}/")
    assert response.status_code == 404
    assert latest_marketing(reachable).status == "granted"
    assert not Suppression.objects.exists()


def test_unsubscribe_page_speaks_english_when_asked(sent):
    url = path_of(links.unsubscribe_url(sent)) + "?lang=en"
    assert b"Unsubscribe" in Client().get(url).content


def test_preferences_page_records_choices_and_lifts_own_unsubscribe(sent, reachable):
    Client().post(path_of(links.unsubscribe_url(sent)))
    url = path_of(links.preferences_url(reachable.pk))
    page = Client().get(url)
    assert page.status_code == 200 and b"ann@example.com" not in page.content
    # Yes to e-mail marketing again, no to SMS marketing; service untouched.
    on = ["email:marketing", "line:marketing", "email:service", "sms:service", "line:service"]
    response = Client().post(url, {"on": on})
    assert response.status_code == 200
    assert latest_marketing(reachable).status == "granted"
    assert latest_marketing(reachable, "sms").status == "withdrawn"
    assert latest_marketing(reachable).source == ConsentRecord.Source.PREFERENCES
    assert not Suppression.objects.filter(reason="unsubscribed").exists()


def test_preferences_keep_a_bounce(reachable):
    Suppression.objects.create(channel="email", address="ann@example.com", reason="bounced",
                               customer=reachable)  # fmt: skip
    grant(reachable, "email", status="withdrawn")
    url = path_of(links.preferences_url(reachable.pk))
    Client().post(url, {"on": ["email:marketing"]})
    assert Suppression.objects.filter(reason="bounced").exists()


def test_preferences_need_a_valid_link_and_csrf(reachable):
    assert Client().get("/p/preferences/1:forged/").status_code == 404
    url = path_of(links.preferences_url(reachable.pk))
    assert Client(enforce_csrf_checks=True).post(url, {"on": []}).status_code == 403
    assert latest_marketing(reachable).status == "granted"
