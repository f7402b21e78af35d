"""/api/v1/messages and /api/v1/line-accounts: queue through the outbox, idempotent on the
caller's key, 4xx naming the field, the caller's visibility."""

import pytest

from samphan.accounts.models import Role
from samphan.messaging.models import LineAccount, Message
from tests.conftest import token_client
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.messaging import conftest as messaging
from tests.messaging.conftest import grant

# The messaging tests' fixtures, here too: English messages and a reachable customer.
english, reachable = messaging.english, messaging.reachable

pytestmark = pytest.mark.django_db
URL = "/api/v1/messages"


def post(client, **body):
    return client.post(URL, body, content_type="application/json")


def test_a_message_goes_by_the_preferred_channel(api, reachable):
    reachable.contact_points.filter(kind="mobile").update(is_preferred=True)
    response = post(api, customer_id=reachable.pk, purpose="marketing", text="ลด 20% วันนี้",
                    idempotency_key="promo-1")  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "sms" and body["to"] == "+66812345678"
    assert body["status"] == "queued" and body["sms_parts"] == 1
    again = post(api, customer_id=reachable.pk, purpose="marketing", text="ลด 20% วันนี้",
                 idempotency_key="promo-1")  # fmt: skip
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Message.objects.count() == 1
    listed = api.get(URL, {"customer": reachable.pk}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert api.get(f"{URL}/{body['id']}").json()["text"] == "ลด 20% วันนี้"


def test_without_consent_the_next_allowed_channel_is_used(api, reachable):
    reachable.contact_points.filter(kind="mobile").update(is_preferred=True)
    grant(reachable, "sms", status="withdrawn")
    grant(reachable, "line", status="withdrawn")
    response = post(api, customer_id=reachable.pk, purpose="marketing", subject="ข่าว",
                    text="ข่าว", idempotency_key="k")  # fmt: skip
    assert response.json()["channel"] == "email"


def test_no_allowed_channel_says_why(api, reachable):
    for channel in ("email", "sms", "line"):
        grant(reachable, channel, status="withdrawn")
    response = post(api, customer_id=reachable.pk, purpose="marketing", text="x",
                    idempotency_key="k")  # fmt: skip
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "channel" and "SMS" in detail["msg"]
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"channel": "fax"}, "channel"),
        ({"purpose": "spam"}, "purpose"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"channel": "email", "subject": ""}, "subject"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_names_the_field(api, reachable, body, field):
    payload = {"customer_id": reachable.pk, "text": "x", "idempotency_key": "k", **body}
    response = api.post(URL, payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in str(response.json()["detail"])
    assert not Message.objects.exists()


def test_other_teams_customers_are_404(reachable):
    team = TeamFactory(name="ทีมเหนือ")
    outsider = token_client(UserFactory(username="outsider", role=Role.SALES, team=team))
    assert (
        post(outsider, customer_id=reachable.pk, text="x", idempotency_key="k").status_code == 404
    )
    mine = api_message(reachable)
    assert outsider.get(f"{URL}/{mine.pk}").status_code == 404
    assert outsider.get(URL).json()["count"] == 0


def api_message(customer):
    return Message.objects.create(key="8c6b1a1e-0000-4000-8000-000000000001", customer=customer,
                                  channel="email", purpose="service", to="a@b.c", text="x")  # fmt: skip


def test_a_viewer_reads_but_may_not_send(make_user, reachable):
    viewer = token_client(make_user(Role.VIEWER, username="viewer"))
    assert post(viewer, customer_id=reachable.pk, text="x", idempotency_key="k").status_code == 403
    assert viewer.get(URL).status_code == 200


def test_link_a_line_account(api, reachable):
    account = LineAccount.objects.create(user_id="U" + "c" * 32)
    url = f"/api/v1/line-accounts/{account.user_id}"
    response = api.put(url, {"customer_id": reachable.pk}, content_type="application/json")
    assert response.status_code == 200 and response.json()["customer_id"] == reachable.pk
    assert (
        api.put(url, {"customer_id": None}, content_type="application/json").json()["customer_id"]
        is None
    )
    missing = api.put("/api/v1/line-accounts/Unknown", {"customer_id": reachable.pk},
                      content_type="application/json")  # fmt: skip
    assert missing.status_code == 404
    other = CustomerFactory()
    assert (
        api.put(url, {"customer_id": other.pk + 1000}, content_type="application/json").status_code
        == 404
    )


# A LINE account linked to a customer the caller may not see is as out of reach as that
# customer: re-linking or unlinking it answers 404 and changes nothing (issue 20: a scoped
# rep re-linked another rep's customer's account to their own customer, and the next LINE
# message to their customer went to the stranger).
LINE_USER = "U" + "e" * 32


def link(client, user_id, customer_id):
    return client.put(f"/api/v1/line-accounts/{user_id}", {"customer_id": customer_id},
                      content_type="application/json")  # fmt: skip


@pytest.fixture
def two_reps(make_user):
    """A rep with their own customer, and another team's customer whose LINE account is
    linked."""
    rep = make_user(Role.SALES, username="rep")
    mine = CustomerFactory(owner=rep, team=rep.team)
    other_rep = UserFactory(username="other", role=Role.SALES, team=TeamFactory(name="ทีมใต้"))
    theirs = CustomerFactory(owner=other_rep, team=other_rep.team)
    account = LineAccount.objects.create(user_id=LINE_USER, customer=theirs)
    return token_client(rep), mine, theirs, account


def test_a_rep_may_not_relink_an_account_of_a_customer_they_cannot_see(two_reps):
    rep, mine, theirs, account = two_reps
    assert link(rep, LINE_USER, mine.pk).status_code == 404
    account.refresh_from_db()
    assert account.customer_id == theirs.pk


def test_a_rep_may_not_unlink_an_account_of_a_customer_they_cannot_see(two_reps):
    rep, _mine, theirs, account = two_reps
    assert link(rep, LINE_USER, None).status_code == 404
    account.refresh_from_db()
    assert account.customer_id == theirs.pk


def test_a_rep_may_not_link_their_account_to_a_customer_they_cannot_see(two_reps):
    rep, mine, theirs, _account = two_reps
    LineAccount.objects.create(user_id="U" + "f" * 32, customer=mine)
    assert link(rep, "U" + "f" * 32, theirs.pk).status_code == 404
    assert LineAccount.objects.get(user_id="U" + "f" * 32).customer_id == mine.pk


def test_a_rep_links_an_unlinked_account_or_their_own(two_reps):
    rep, mine, _theirs, _account = two_reps
    LineAccount.objects.create(user_id="U" + "f" * 32)
    assert link(rep, "U" + "f" * 32, mine.pk).json()["customer_id"] == mine.pk
    assert link(rep, "U" + "f" * 32, None).json()["customer_id"] is None


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_a_role_that_may_not_change_contact_data_may_not_link(make_user, two_reps, role):
    _rep, mine, theirs, account = two_reps
    caller = token_client(make_user(role, username="caller"))
    assert link(caller, LINE_USER, mine.pk).status_code == 403
    assert link(caller, LINE_USER, None).status_code == 403
    account.refresh_from_db()
    assert account.customer_id == theirs.pk


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_who_sees_every_customer_relinks_and_unlinks(make_user, two_reps, role):
    _rep, mine, _theirs, account = two_reps
    caller = token_client(make_user(role, username="caller"))
    assert link(caller, LINE_USER, mine.pk).json()["customer_id"] == mine.pk
    assert link(caller, LINE_USER, None).json()["customer_id"] is None
    account.refresh_from_db()
    assert account.customer_id is None
