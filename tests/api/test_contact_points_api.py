"""/api/v1 contact points: list with filter and pages, duplicates, audited changes."""

import pytest

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers import services
from samphan.customers.models import ContactPoint
from tests.api.calls import assert_names_field, patch, post
from tests.conftest import token_client
from tests.factories import ContactPointFactory, CustomerFactory, TeamFactory, UserFactory
from tests.querycount import assert_queries


@pytest.fixture
def somchai(admin_user):
    return services.customer_create(
        actor=admin_user,
        fields={"first_name": "สมชาย"},
        contact_points=[
            {"kind": "mobile", "value": "0812345678", "is_preferred": True},
            {"kind": "email", "value": "somchai@example.com"},
            {"kind": "line", "value": "somchai.line"},
        ],
    )


@pytest.fixture
def somying(admin_user):
    return services.customer_create(actor=admin_user, fields={"first_name": "สมหญิง"})


def test_list_filters_by_kind_and_pages(api, somchai):
    url = f"/api/v1/customers/{somchai.pk}/contact-points"
    page = api.get(f"{url}?page_size=2").json()
    assert (page["count"], len(page["items"])) == (3, 2)
    assert page["items"][0]["value"] == "+66812345678"  # the preferred one first
    assert api.get(f"{url}?page_size=2&page=2").json()["items"][0]["kind"] == "line"
    emails = api.get(f"{url}?kind=email").json()
    assert [item["value"] for item in emails["items"]] == ["somchai@example.com"]
    assert_names_field(api.get(f"{url}?kind=pigeon"), "kind")
    assert_names_field(api.get(f"{url}?page_size=0"), "page_size")


def test_a_phone_another_customer_has_is_409_unless_allowed(api, somchai, somying):
    url = f"/api/v1/customers/{somying.pk}/contact-points"
    before = AuditEvent.objects.count()
    conflict = post(api, url, {"kind": "mobile", "value": "+66 81 234 5678"})
    assert conflict.status_code == 409, conflict.content
    error = conflict.json()["detail"][0]
    assert (error["loc"], error["type"]) == (["body", "value"], "duplicate")
    assert str(somchai.pk) in error["msg"]
    assert not somying.contact_points.exists()
    assert AuditEvent.objects.count() == before
    allowed = post(api, url, {"kind": "mobile", "value": "081-234-5678", "allow_duplicate": True})
    assert allowed.status_code == 201, allowed.content
    assert allowed.json()["value"] == "+66812345678"


def test_e_mail_duplicates_too_but_not_other_kinds(api, somchai, somying):
    url = f"/api/v1/customers/{somying.pk}/contact-points"
    assert post(api, url, {"kind": "email", "value": "SOMCHAI@example.com"}).status_code == 409
    # A shared LINE ID or address is ordinary (one family, one office).
    assert post(api, url, {"kind": "line", "value": "somchai.line"}).status_code == 201


def test_a_customers_own_number_again_is_422_not_409(api, somchai):
    url = f"/api/v1/customers/{somchai.pk}/contact-points"
    assert_names_field(post(api, url, {"kind": "mobile", "value": "0812345678"}), "value")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "mobile", "value": "12"}, "value"),
        ({"kind": "email", "value": "not-an-email"}, "value"),
        ({"kind": "pigeon", "value": "x"}, "kind"),
        ({"kind": "mobile"}, "value"),
        ({"kind": "email", "value": "a@b.co", "allow_duplicate": "maybe"}, "allow_duplicate"),
        ({"kind": "email", "value": "a@b.co", "customer_id": 1}, "customer_id"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(api, somying, body, field):
    before = AuditEvent.objects.count()
    assert_names_field(post(api, f"/api/v1/customers/{somying.pk}/contact-points", body), field)
    assert not somying.contact_points.exists()
    assert AuditEvent.objects.count() == before


def test_a_duplicate_the_caller_cannot_see_is_not_revealed_but_flagged(somchai):
    """Issue 20: no 409 (which told that the phone exists); saved and flagged for review."""
    outsider = UserFactory(username="outsider", role=Role.SALES, team=TeamFactory(name="ทีมเหนือ"))
    own = services.customer_create(actor=outsider, fields={"first_name": "ลูกค้าเหนือ"})
    response = post(
        token_client(outsider),
        f"/api/v1/customers/{own.pk}/contact-points",
        {"kind": "mobile", "value": "0812345678"},
    )
    assert response.status_code == 201
    assert "duplicate" not in response.content.decode()
    own.refresh_from_db()
    assert own.duplicate_review


def test_another_teams_contact_points_are_404(somchai):
    outsider = token_client(
        UserFactory(username="outsider", role=Role.SALES, team=TeamFactory(name="ทีมเหนือ"))
    )
    point = somchai.contact_points.get(kind="email")
    assert outsider.get(f"/api/v1/customers/{somchai.pk}/contact-points").status_code == 404
    added = post(
        outsider,
        f"/api/v1/customers/{somchai.pk}/contact-points",
        {"kind": "email", "value": "new@example.com"},
    )
    assert added.status_code == 404
    assert outsider.get(f"/api/v1/contact-points/{point.pk}").status_code == 404
    assert patch(outsider, f"/api/v1/contact-points/{point.pk}", {"label": "x"}).status_code == 404
    assert outsider.delete(f"/api/v1/contact-points/{point.pk}").status_code == 404
    assert somchai.contact_points.count() == 3


def test_delete_is_audited(api, somchai, admin_user):
    point = somchai.contact_points.get(kind="email")
    assert api.delete(f"/api/v1/contact-points/{point.pk}").status_code == 204
    event = AuditEvent.objects.get(subject_type="customers.contactpoint", action="delete")
    assert (event.subject_id, event.customer_id, event.actor) == (point.pk, somchai.pk, admin_user)
    assert event.changes["value"] == ["somchai@example.com", None]
    assert "somchai@example.com" not in ContactPoint.objects.values_list("value", flat=True)


def test_moving_the_preferred_flag_audits_the_point_that_loses_it(api, somchai):
    old = somchai.contact_points.get(is_preferred=True)
    made = post(
        api,
        f"/api/v1/customers/{somchai.pk}/contact-points",
        {"kind": "email", "value": "work@example.com", "is_preferred": True},
    )
    assert made.status_code == 201 and made.json()["is_preferred"]
    old.refresh_from_db()
    assert not old.is_preferred
    event = AuditEvent.objects.get(subject_id=old.pk, action="update")
    assert (event.subject_type, event.customer_id) == ("customers.contactpoint", somchai.pk)
    assert event.changes == {"is_preferred": [True, False]}


def test_list_queries_do_not_grow_with_rows(api):
    customer = CustomerFactory()
    ContactPointFactory.create_batch(2, customer=customer)

    def add_rows():
        ContactPointFactory.create_batch(40, customer=customer)

    url = f"/api/v1/customers/{customer.pk}/contact-points?page_size=100&kind=mobile"
    api.get(url)  # the first call of the minute also records the token's last use
    with assert_queries() as few:
        assert api.get(url).status_code == 200
    add_rows()
    with assert_queries(len(few)):
        page = api.get(url).json()
    assert page["count"] == 42
