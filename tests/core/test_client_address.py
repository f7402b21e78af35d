"""The visitor's address behind trusted reverse proxies (issue 20, "rate limits behind a
proxy"): ``client_address`` and the public sign-up and lead limits that key on it."""

import pytest
from django.test import Client, RequestFactory, override_settings

from samphan.core.http import client_address
from samphan.customers.models import Customer
from samphan.frontdesk import services as frontdesk_services
from samphan.sales.models import Lead
from samphan.sales.services.leads import PUBLIC_FORM_LIMIT

PROXY = "10.0.0.2"  # the reverse proxy's own address, what the socket sees


def address(forwarded: str | None, *, remote: str = PROXY) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@override_settings(SAMPHAN_TRUSTED_PROXIES=0)
def test_without_trusted_proxies_the_header_is_ignored():
    assert address("203.0.113.7") == PROXY
    assert address(None) == PROXY


@override_settings(SAMPHAN_TRUSTED_PROXIES=1)
def test_one_proxy_takes_the_right_most_entry_and_ignores_a_forged_left_one():
    assert address("203.0.113.7") == "203.0.113.7"
    assert address("1.2.3.4, 203.0.113.7") == "203.0.113.7"  # 1.2.3.4 written by the visitor
    assert address(" 2001:db8::1 ") == "2001:db8::1"


@override_settings(SAMPHAN_TRUSTED_PROXIES=2)
def test_two_proxies_take_the_second_from_the_right():
    assert address("9.9.9.9, 203.0.113.7, 10.0.0.9") == "203.0.113.7"
    assert address("203.0.113.7") == PROXY  # fewer entries than proxies: not trusted


@override_settings(SAMPHAN_TRUSTED_PROXIES=1)
@pytest.mark.parametrize("forwarded", ["", " , ", "not-an-address", "203.0.113.7, <script>"])
def test_a_missing_or_malformed_header_falls_back_to_the_socket(forwarded):
    assert address(forwarded) == PROXY


def sign_up(client: Client, mobile: str, forwarded: str) -> int:
    data = {"first_name": "มะลิ", "mobile": mobile}
    return client.post(
        "/p/join/", data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    ).status_code


def lead(client: Client, email: str, forwarded: str) -> int:
    data = {"first_name": "มะลิ", "email": email, "message": "สนใจ", "consent": "on"}
    return client.post(
        "/p/lead/", data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    ).status_code


@pytest.mark.django_db
@override_settings(SAMPHAN_TRUSTED_PROXIES=1)
def test_visitors_behind_one_proxy_have_their_own_sign_up_buckets():
    client = Client()
    limit = frontdesk_services.SIGN_UP_LIMIT
    for index in range(limit):  # one visitor uses up their bucket, forging the header
        assert sign_up(client, f"08911122{index:02d}", f"198.51.100.{index}, 203.0.113.7") == 200
    assert sign_up(client, "0891119998", "198.51.100.99, 203.0.113.7") == 429  # still them
    assert sign_up(client, "0891119999", "203.0.113.8") == 200  # a second visitor is not
    assert Customer.objects.count() == limit + 1


@pytest.mark.django_db
@override_settings(SAMPHAN_TRUSTED_PROXIES=1)
def test_visitors_behind_one_proxy_have_their_own_lead_buckets():
    client = Client()
    limit = PUBLIC_FORM_LIMIT
    for index in range(limit):
        assert lead(client, f"a{index}@example.com", f"198.51.100.{index}, 203.0.113.7") == 200
    assert lead(client, "b@example.com", "198.51.100.99, 203.0.113.7") == 429
    assert lead(client, "c@example.com", "203.0.113.8") == 200
    assert Lead.objects.count() == limit + 1
