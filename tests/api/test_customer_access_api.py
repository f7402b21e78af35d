"""GET /api/v1/customers/{id}/access: who saw a customer, newest first, by cursor."""

import datetime as dt

import pytest
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.privacy.access_log import AccessKind, CustomerAccess
from tests.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(admin_user, sales_user):
    customer = CustomerFactory()
    start = timezone.now() - dt.timedelta(hours=1)
    for minute in range(5):
        user, kind = (sales_user, AccessKind.CARD) if minute % 2 else (admin_user, AccessKind.PAGE)
        CustomerAccess.objects.create(
            customer_id=customer.pk, user_id=user.pk, kind=kind,
            at=start + dt.timedelta(minutes=minute),
        )  # fmt: skip
    return customer


def test_pages_newest_first_by_cursor(api, seen, admin_user):
    url = f"/api/v1/customers/{seen.pk}/access"
    first = api.get(url, {"limit": 3}).json()
    assert [item["kind"] for item in first["items"]] == ["page", "card", "page"]
    assert first["items"][0]["user_id"] == admin_user.pk
    times = [item["at"] for item in first["items"]]
    assert times == sorted(times, reverse=True)
    second = api.get(url, {"limit": 3, "before": first["next"]}).json()
    assert [item["kind"] for item in second["items"]] == ["card", "page"]
    assert second["next"] is None


def test_filters_by_user_and_kind(api, seen, sales_user):
    url = f"/api/v1/customers/{seen.pk}/access"
    assert len(api.get(url, {"user_id": sales_user.pk}).json()["items"]) == 2
    assert len(api.get(url, {"kind": "page"}).json()["items"]) == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [({"before": "nonsense"}, "before"), ({"kind": "fax"}, "kind"), ({"limit": 0}, "limit")],
)
def test_bad_input_is_a_4xx_naming_the_field(api, seen, params, field):
    response = api.get(f"/api/v1/customers/{seen.pk}/access", params)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])


def test_only_managers_and_admins(seen, sales_user, make_user):
    assert token_client(sales_user).get(f"/api/v1/customers/{seen.pk}/access").status_code == 403
    manager = make_user(Role.MANAGER, username="manager")
    assert token_client(manager).get(f"/api/v1/customers/{seen.pk}/access").status_code == 200
    assert token_client(manager).get("/api/v1/customers/999999/access").status_code == 404
