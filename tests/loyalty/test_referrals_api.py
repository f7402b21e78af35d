"""/api/v1 referrals: a member's code and links, a friend linked by code (422 naming
``code`` when it cannot be), the list, and staff's decision; and "referred by" as a
segment's condition."""

import json

import pytest
from django.test import Client

from samphan.customers.models import Customer
from samphan.loyalty.models import Referral
from samphan.loyalty.services.referrals import referral_code_of, referral_link
from samphan.loyalty.services.rules import programme_save
from samphan.marketing.rules import compile_rules
from tests.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user):
    return token_client(admin_user)


@pytest.fixture
def somchai(db):
    return CustomerFactory(first_name="สมชาย", member_number="M202600001")


def post(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_code_and_links_of_a_member(staff, somchai):
    answer = staff.get(f"/api/v1/customers/{somchai.pk}/referral-code")
    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == referral_code_of(somchai.pk)
    assert body["link"].endswith(f"/p/r/{body['code']}/") and "/p/m/" in body["member_page"]
    assert (
        Client().get(body["member_page"][body["member_page"].index("/p/m/") :]).status_code == 200
    )


def test_a_friend_is_linked_by_code_and_a_bad_code_is_named(staff, somchai):
    friend = CustomerFactory()
    code = referral_code_of(somchai.pk)
    made = post(
        staff, "/api/v1/loyalty/referrals", {"customer_id": friend.pk, "code": code.lower()}
    )
    assert made.status_code == 201, made.content
    assert (made.json()["referrer_id"], made.json()["status"], made.json()["channel"]) == (
        somchai.pk, "pending", "api",
    )  # fmt: skip
    other = CustomerFactory()
    bad = post(staff, "/api/v1/loyalty/referrals", {"customer_id": other.pk, "code": "NOSUCH1"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "code"
    itself = post(staff, "/api/v1/loyalty/referrals", {"customer_id": somchai.pk, "code": code})
    assert itself.status_code == 422
    assert not Referral.objects.filter(referred__in=[other, somchai]).exists()
    listed = staff.get("/api/v1/loyalty/referrals?status=pending").json()
    assert [item["referred_id"] for item in listed["items"]] == [friend.pk]
    assert staff.get("/api/v1/loyalty/referrals?status=nonsense").status_code == 422


def test_staff_decide_a_referral_waiting_for_review(staff, somchai, make_user):
    programme_save(actor=None, fields={"referral_review_over": 1})
    referral_link(actor=None, referrer=somchai, friend=CustomerFactory(), channel="staff")
    waiting = referral_link(actor=None, referrer=somchai, friend=CustomerFactory(), channel="staff")
    assert waiting.status == "review"
    url = f"/api/v1/loyalty/referrals/{waiting.pk}/decision"
    viewer = token_client(make_user(role="viewer"))
    assert post(viewer, url, {"approve": True}).status_code == 403
    assert post(staff, url, {"approve": "maybe"}).status_code == 422
    decided = post(staff, url, {"approve": False})
    assert decided.status_code == 200 and decided.json()["reason"] == "staff"
    assert post(staff, url, {"approve": False}).status_code == 200  # a refusal may be undone…
    assert post(staff, url, {"approve": True}).json()["status"] == "pending"
    assert post(staff, url, {"approve": True}).status_code == 422  # …once


def test_referred_by_is_a_segment_condition(somchai):
    code = referral_code_of(somchai.pk)
    friend = CustomerFactory(first_name="มะลิ")
    CustomerFactory(first_name="แก้ว")
    referral_link(actor=None, referrer=somchai, friend=friend, channel="staff")

    def names(field, op, value):
        rules = {"match": "all", "rules": [{"field": field, "op": op, "value": value}]}
        return sorted(
            Customer.objects.filter(compile_rules(rules)).values_list("first_name", flat=True)
        )

    assert names("referred", "is", True) == ["มะลิ"]
    assert "มะลิ" not in names("referred", "is", False)
    assert names("referred_by", "eq", code.lower()) == ["มะลิ"]
    assert names("referred_by", "eq", "M202600001") == ["มะลิ"]
    assert names("referred_by", "eq", "M999") == []


def test_the_review_page_sends_staff_back_only_within_the_site(somchai, admin_user):
    programme_save(actor=None, fields={"referral_review_over": 1})
    referral_link(actor=None, referrer=somchai, friend=CustomerFactory(), channel="staff")
    waiting = referral_link(actor=None, referrer=somchai, friend=CustomerFactory(), channel="staff")
    client = Client()
    client.force_login(admin_user)
    url = f"/points/referrals/{waiting.pk}/decide/"
    away = client.post(url, {"decision": "refuse", "next": "https://evil.example/"})
    assert away.status_code == 302 and away["Location"] == "/points/referrals/"
    back = client.post(url, {"decision": "approve", "next": "/points/referrals/?status=review"})
    assert back["Location"] == "/points/referrals/?status=review"
