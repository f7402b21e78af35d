"""Issue 20: a rep limited to their own customers cannot learn through the duplicate check
that a phone or e-mail exists among customers they cannot see. They are told "already
used" only about customers they can see; otherwise the save is accepted and flagged for a
manager, who finds it under the customer list's "possible duplicates" filter."""

import pytest

from samphan.accounts.models import Role
from samphan.customers import services
from samphan.customers.models import Customer
from tests.api.calls import post
from tests.conftest import token_client
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db
PHONE = "0812345678"


@pytest.fixture
def hidden(make_user):
    """Another team's rep and their customer, whom our rep cannot see."""
    other = make_user(Role.SALES, username="other", team=TeamFactory(name="ทีมอื่น"))
    return services.customer_create(
        actor=other,
        fields={"first_name": "ปริศนา"},
        contact_points=[{"kind": "mobile", "value": PHONE}, {"kind": "email", "value": "a@x.th"}],
    )


@pytest.fixture
def rep(make_user):
    return make_user(Role.SALES, username="rep")


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, username="boss")


def form(**fields) -> dict:
    return {"first_name": "วารี", "mobile": PHONE, "stage": "lead", "tier": "none", **fields}


def test_a_scoped_rep_creating_on_the_page_is_not_told_and_the_manager_sees_the_pair(
    client, rep, manager, hidden
):
    client.force_login(rep)
    assert not Customer.objects.visible_to(rep).filter(pk=hidden.pk).exists()
    response = client.post("/customers/new/", form())
    assert response.status_code == 302  # saved, no "already used"
    created = Customer.objects.get(first_name="วารี")
    assert created.duplicate_review and not Customer.objects.get(pk=hidden.pk).duplicate_review
    page = client.get(response["Location"]).content.decode()
    assert "ปริศนา" not in page and "duplicate_review" not in page
    client.force_login(manager)
    listed = client.get("/customers/?duplicates=1").content.decode()
    assert "วารี" in listed and "ปริศนา" not in listed
    detail = client.get(f"/customers/{created.pk}/").content.decode()
    assert "ปริศนา" in detail  # the manager sees whom it may duplicate


def test_a_manager_is_told_on_the_page(client, manager, hidden):
    client.force_login(manager)
    warned = client.post("/customers/new/", form())
    assert warned.status_code == 200
    assert [c.display_name for c in warned.context["form"].duplicates] == ["ปริศนา"]
    assert Customer.objects.count() == 1


def test_a_rep_is_still_told_about_their_own_customer(client, rep):
    services.customer_create(
        actor=rep,
        fields={"first_name": "ของฉัน"},
        contact_points=[{"kind": "mobile", "value": PHONE}],
    )
    client.force_login(rep)
    warned = client.post("/customers/new/", form())
    assert warned.status_code == 200 and warned.context["form"].hidden_duplicates == 0
    assert [c.display_name for c in warned.context["form"].duplicates] == ["ของฉัน"]


def test_a_scoped_rep_adding_a_contact_on_the_page_is_not_told(client, rep, hidden):
    mine = services.customer_create(actor=rep, fields={"first_name": "ของฉัน"})
    client.force_login(rep)
    response = client.post(
        f"/customers/{mine.pk}/contacts/new/", {"kind": "email", "value": "A@x.th"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.duplicate_review and mine.contact_points.filter(value="a@x.th").exists()


def test_the_api_answers_409_only_to_roles_that_see_all(rep, manager, hidden):
    body = {"first_name": "วารี", "contact_points": [{"kind": "mobile", "value": PHONE}]}
    told = post(token_client(manager), "/api/v1/customers", body)
    assert told.status_code == 409 and str(hidden.pk) in told.content.decode()
    created = post(token_client(rep), "/api/v1/customers", body)
    assert created.status_code == 201, created.content
    assert "duplicate" not in created.content.decode()
    assert Customer.objects.get(pk=created.json()["id"]).duplicate_review
    mine = created.json()["id"]
    added = post(
        token_client(rep),
        f"/api/v1/customers/{mine}/contact-points",
        {"kind": "email", "value": "a@x.th"},
    )
    assert added.status_code == 201, added.content
