"""A list page's search box never crashes on a NUL (issue 20, §1): `?q=a%00b` answers the
page, the NUL dropped, on every list that reads `q`."""

import pytest
from django.urls import reverse

LISTS = [
    "customer_list",
    "product_list",
    "order_list",
    "deal_list",
    "lead_list",
    "segment_list",
    "user_list",
    "outbox",
]


@pytest.mark.parametrize("name", LISTS)
def test_nul_in_the_search_answers_the_page(admin_client, name):
    response = admin_client.get(reverse(name), {"q": "a\x00b"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_nul_in_the_htmx_search_answers_the_fragment(admin_client, name):
    response = admin_client.get(reverse(name), {"q": "\x00"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
