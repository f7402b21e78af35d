"""API tokens on one's own settings page: listed without the secret, created (shown once),
revoked; nobody else's."""

from django.test import Client
from django.utils import timezone

from samphan.accounts.models import ApiToken, Role
from samphan.accounts.services import token_authenticate, token_create
from samphan.core.models import AuditEvent


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_new_token_is_shown_once_then_listed_without_its_secret(make_user):
    member = make_user(Role.SALES)
    client = logged_in(member)
    response = client.post("/preferences/tokens/", {"name": "เครื่องคิดเงิน", "expires_in_days": "30"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = response.context["token"]
    assert raw in response.content.decode()
    assert token_authenticate(raw) == member
    Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/customers")
    settings_page = client.get("/preferences/").content.decode()
    assert "เครื่องคิดเงิน" in settings_page and raw[:8] in settings_page
    assert raw not in settings_page
    token = ApiToken.objects.get()
    assert token.last_used_at is not None and token.expires_at is not None
    [audit] = AuditEvent.objects.filter(subject_type="accounts.apitoken")
    assert audit.action == "create" and raw not in str(audit.changes)


def test_bad_input_is_named_beside_the_field(make_user):
    client = logged_in(make_user(Role.VIEWER))
    for data, field in [
        ({"name": ""}, "name"),
        ({"name": "x", "expires_in_days": "0"}, "expires_in_days"),
    ]:
        response = client.post("/preferences/tokens/", data)
        assert response.status_code == 400
        assert response.context["token_form"].errors[field]
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_and_it_stops_working(make_user):
    member = make_user(Role.SALES)
    raw = token_create(user=member, name="old till")
    token = ApiToken.objects.get()
    response = logged_in(member).post(f"/preferences/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert token_authenticate(raw) is None and not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(
        subject_type="accounts.apitoken", subject_id=token.pk, action="delete"
    ).exists()


def test_someone_elses_token_is_not_found_and_not_listed(make_user, admin_user):
    owner = make_user(Role.SALES)
    raw = token_create(user=owner, name="owner's till")
    token = ApiToken.objects.get()
    for other in (make_user(Role.MANAGER), admin_user):
        client = logged_in(other)
        assert client.post(f"/preferences/tokens/{token.pk}/revoke/").status_code == 404
        assert "owner&#x27;s till" not in client.get("/preferences/").content.decode()
    assert token_authenticate(raw) == owner
    assert Client().post(f"/preferences/tokens/{token.pk}/revoke/").status_code == 302  # login


def test_the_settings_page_links_admins_to_users(make_user, admin_user):
    assert "/users/" in logged_in(admin_user).get("/preferences/").content.decode()
    assert "/users/" not in logged_in(make_user(Role.MANAGER)).get("/preferences/").content.decode()
    page = logged_in(admin_user).get("/preferences/").content.decode()
    assert "ผู้ดูแลระบบ" in page  # the role's name, not its code


def test_the_page_offers_never_30_90_365_days_and_says_when_each_expires(make_user):
    member = make_user(Role.SALES, language="th")
    client = logged_in(member)
    form = client.get("/preferences/").context["token_form"]
    assert [value for value, _label in form.fields["expires_in_days"].choices] == [
        "30", "90", "365", "",
    ]  # fmt: skip
    assert form["expires_in_days"].value() == "90"
    for name, days in [("ไม่หมดอายุ", ""), ("รายเดือน", "30"), ("เก่า", "90")]:
        response = client.post("/preferences/tokens/", {"name": name, "expires_in_days": days})
        assert response.status_code == 200
    assert ApiToken.objects.get(name="ไม่หมดอายุ").expires_at is None
    ApiToken.objects.filter(name="เก่า").update(expires_at=timezone.now())
    page = client.get("/preferences/").content.decode()
    assert "หมดอายุใน 30 วัน" in page and "หมดอายุแล้ว" in page and "ไม่หมดอายุ" in page
    for bad in ("7", "0", "never"):
        response = client.post("/preferences/tokens/", {"name": "x", "expires_in_days": bad})
        assert response.status_code == 400 and response.context["token_form"].errors
    assert ApiToken.objects.count() == 3
