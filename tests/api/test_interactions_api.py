"""/api/v1 timeline: list with search, filter and pages; correct and remove an entry."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers import services
from samphan.customers.models import Interaction
from tests.api.calls import assert_names_field, patch
from tests.conftest import token_client
from tests.factories import InteractionFactory, TeamFactory, UserFactory
from tests.querycount import assert_queries


@pytest.fixture
def author(make_user):
    return make_user(Role.SALES, username="author")


@pytest.fixture
def customer(author):
    return services.customer_create(actor=author, fields={"first_name": "สมศรี"})


@pytest.fixture
def entry(author, customer):
    return services.interaction_log(
        actor=author, customer=customer, kind="call", summary="โทรนัด", body="นัดวันศุกร์"
    )


@pytest.fixture
def outsider(db):
    """A sales user of another team: the customer above is not theirs to see."""
    team = TeamFactory(name="ทีมเหนือ")
    return token_client(UserFactory(username="outsider", role=Role.SALES, team=team))


def test_author_corrects_and_removes_their_entry_with_audit(author, customer, entry):
    client = token_client(author)
    response = patch(
        client,
        f"/api/v1/interactions/{entry.pk}",
        {"summary": " โทรนัดใหม่ ", "kind": "meeting", "occurred_at": "2026-11-20T10:00:00+07:00"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["summary"], body["kind"], body["body"]) == ("โทรนัดใหม่", "meeting", "นัดวันศุกร์")
    assert dt.datetime.fromisoformat(body["occurred_at"]) == dt.datetime(
        2026, 11, 20, 3, tzinfo=dt.UTC
    )
    update = AuditEvent.objects.get(subject_type="customers.interaction", action="update")
    assert update.customer_id == customer.pk and update.actor == author
    assert update.changes["summary"] == ["โทรนัด", "โทรนัดใหม่"]
    assert update.changes["kind"] == ["call", "meeting"]
    assert set(update.changes) == {"summary", "kind", "occurred_at"}

    assert client.delete(f"/api/v1/interactions/{entry.pk}").status_code == 204
    assert client.get(f"/api/v1/interactions/{entry.pk}").status_code == 404
    removed = AuditEvent.objects.get(subject_type="customers.interaction", action="delete")
    assert removed.customer_id == customer.pk
    assert removed.changes["summary"] == ["โทรนัดใหม่", None]


def test_null_clears_body_and_channel_but_leaves_required_fields(author, entry):
    response = patch(
        token_client(author),
        f"/api/v1/interactions/{entry.pk}",
        {"body": None, "channel": None, "summary": None, "kind": None},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["body"], response.json()["summary"]) == ("", "โทรนัด")


def test_others_need_the_role_permission(make_user, team, entry):
    teammate = token_client(make_user(Role.SALES, username="teammate", team=team))
    url = f"/api/v1/interactions/{entry.pk}"
    assert teammate.get(url).status_code == 200  # may see it …
    assert patch(teammate, url, {"summary": "แก้"}).status_code == 403  # … not change it
    assert teammate.delete(url).status_code == 403
    manager = token_client(make_user(Role.MANAGER, username="manager"))
    assert patch(manager, url, {"summary": "แก้โดยหัวหน้า"}).status_code == 200
    assert manager.delete(url).status_code == 204


def test_an_author_who_may_no_longer_log_entries_may_not_change_them(author, entry):
    author.groups.set(Group.objects.filter(name=Role.VIEWER))
    client = token_client(author)
    assert patch(client, f"/api/v1/interactions/{entry.pk}", {"summary": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "dance"}, "kind"),
        ({"summary": "   "}, "summary"),
        ({"summary": "ก" * 201}, "summary"),
        ({"body": "a\x00b"}, "body"),
        ({"occurred_at": "เมื่อวาน"}, "occurred_at"),
        ({"customer_id": 1}, "customer_id"),
        ({"user_id": 1}, "user_id"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_changes_nothing(author, entry, body, field):
    response = patch(token_client(author), f"/api/v1/interactions/{entry.pk}", body)
    assert_names_field(response, field)
    entry.refresh_from_db()
    assert (entry.kind, entry.summary) == ("call", "โทรนัด")
    assert not AuditEvent.objects.filter(action="update").exists()


def test_another_teams_timeline_is_404(outsider, customer, entry):
    url = f"/api/v1/interactions/{entry.pk}"
    assert outsider.get(f"/api/v1/customers/{customer.pk}/interactions").status_code == 404
    assert outsider.get(url).status_code == 404
    assert patch(outsider, url, {"summary": "แอบแก้"}).status_code == 404
    assert outsider.delete(url).status_code == 404
    assert Interaction.objects.get(pk=entry.pk).summary == "โทรนัด"


def test_list_searches_filters_and_pages(api, customer, entry):
    for index in range(4):
        services.interaction_log(
            actor=None, customer=customer, kind="note", summary=f"บันทึก {index}", body="ส่งใบเสนอราคา"
        )
    url = f"/api/v1/customers/{customer.pk}/interactions"
    assert api.get(f"{url}?q=วันศุกร์").json()["count"] == 1  # found in the body
    assert api.get(f"{url}?q=บันทึก 3").json()["count"] == 1  # in the summary
    assert api.get(f"{url}?kind=note").json()["count"] == 4
    assert api.get(f"{url}?kind=call&q=ใบเสนอราคา").json()["count"] == 0
    page = api.get(f"{url}?page_size=2&page=3").json()
    assert (page["count"], page["page"], len(page["items"])) == (5, 3, 1)
    assert page["items"][0]["summary"] == "โทรนัด"  # the oldest, last
    for query, field in [
        ("kind=dance", "kind"),
        ("page_size=1000", "page_size"),
        ("page=0", "page"),
    ]:
        assert_names_field(api.get(f"{url}?{query}"), field)


def test_list_queries_do_not_grow_with_rows(api, customer):
    InteractionFactory.create_batch(2, customer=customer)

    def add_rows():
        InteractionFactory.create_batch(40, customer=customer, body="ยาว" * 100)

    url = f"/api/v1/customers/{customer.pk}/interactions?page_size=100&q=&kind=call"
    api.get(url)  # the first call of the minute also records the token's last use
    with assert_queries() as few:
        assert api.get(url).status_code == 200
    add_rows()
    with assert_queries(len(few)):
        page = api.get(url).json()
    assert len(page["items"]) == 42


def test_naive_times_are_read_in_bangkok_time(author, entry):
    response = patch(
        token_client(author),
        f"/api/v1/interactions/{entry.pk}",
        {"occurred_at": "2026-11-20T10:00"},
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.occurred_at == dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
