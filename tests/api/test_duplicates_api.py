"""/api/v1/duplicates: the finder's open pairs for admins and managers, and "not a
duplicate", which never comes back."""

import pytest

from samphan.accounts.models import Role
from samphan.customers.dedupe.finder import duplicates_find
from samphan.customers.models import DuplicateCandidate
from tests.api.calls import post
from tests.conftest import token_client
from tests.factories import ContactPointFactory, CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/duplicates"


@pytest.fixture
def candidate():
    a = CustomerFactory(first_name="สมชาย", last_name="ใจดี", first_name_en="", last_name_en="")
    b = CustomerFactory(first_name="", last_name="", first_name_en="Somchay", last_name_en="Jaidee")
    ContactPointFactory(customer=a, value="+66812345678")
    ContactPointFactory(customer=b, value="+66812345678")
    duplicates_find()
    return DuplicateCandidate.objects.get()


def test_list_shows_open_pairs_with_names_and_reason_codes(api, candidate) -> None:
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == candidate.pk
    assert "สมชาย ใจดี" in {item["customer_a_name"], item["customer_b_name"]}
    assert item["reasons"] == ["phone"]
    assert item["score"] == 1.0


def test_not_duplicate_is_recorded_and_never_returns(api, candidate, admin_user) -> None:
    response = post(api, f"{URL}/{candidate.pk}/not-duplicate", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "not_duplicate"
    assert api.get(URL).json()["count"] == 0
    duplicates_find()
    assert api.get(URL).json()["count"] == 0
    candidate.refresh_from_db()
    assert candidate.decided_by == admin_user


def test_unknown_pair_is_404(api) -> None:
    assert post(api, f"{URL}/999/not-duplicate", {}).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.SALES, Role.MARKETING, Role.FRONTDESK, Role.SUPPORT, Role.VIEWER]
)
def test_those_who_see_only_some_customers_may_not(make_user, candidate, role) -> None:
    client = token_client(make_user(role, username=f"u-{role}"))
    assert client.get(URL).status_code == 403
    assert post(client, f"{URL}/{candidate.pk}/not-duplicate", {}).status_code == 403
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.OPEN


def test_manager_may(make_user, candidate) -> None:
    client = token_client(make_user(Role.MANAGER, username="boss"))
    assert client.get(URL).json()["count"] == 1
