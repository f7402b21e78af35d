"""Login throttling (issue 20 §1): by account and by address, a Thai/English message on
the login page, and an administrator's unlock on the Users page."""

import pytest
from django.test import Client

from samphan.accounts import queries, services
from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from tests.factories import UserFactory

PASSWORD = "test-pass-123"


def log_in(client: Client, username: str, password: str, address: str = "203.0.113.9"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_34_wrong_passwords_then_the_right_one_is_refused():
    UserFactory(username="somchai", role=Role.SALES)
    client = Client()
    for attempt in range(34):
        response = log_in(client, "somchai", f"wrong-{attempt}")
        assert response.status_code in {200, 429}
    response = log_in(client, "somchai", PASSWORD)
    assert not logged_in(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert "ลองอีกครั้งใน 15 นาที" in page  # "try again in 15 minutes", in Thai
    assert 'name="username"' in page  # the project's login page, not a bare 403


@pytest.mark.django_db
def test_the_account_locks_whatever_the_address():
    UserFactory(username="somchai", role=Role.SALES)
    for attempt in range(5):
        log_in(Client(), "somchai", f"wrong-{attempt}", address=f"198.51.100.{attempt}")
    client = Client()
    response = log_in(client, "somchai", PASSWORD, address="192.0.2.77")
    assert response.status_code == 429 and not logged_in(client)


@pytest.mark.django_db
def test_the_address_locks_whatever_the_account():
    UserFactory(username="somchai", role=Role.SALES)
    for attempt in range(5):
        log_in(Client(), f"guess{attempt}", "wrong", address="203.0.113.50")
    client = Client()
    response = log_in(client, "somchai", PASSWORD, address="203.0.113.50")
    assert response.status_code == 429 and not logged_in(client)
    other = Client()
    log_in(other, "somchai", PASSWORD, address="203.0.113.51")
    assert logged_in(other)


@pytest.mark.django_db
def test_the_address_is_the_client_behind_the_trusted_proxy(settings):
    settings.SAMPHAN_TRUSTED_PROXIES = 1
    UserFactory(username="somchai", role=Role.SALES)
    for attempt in range(5):
        Client().post(
            "/login/",
            {"username": f"guess{attempt}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )
    # Another visitor behind the same proxy still logs in.
    client = Client()
    client.post(
        "/login/",
        {"username": "somchai", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.60",
    )
    assert logged_in(client)


@pytest.mark.django_db
def test_the_lockout_message_in_english():
    UserFactory(username="somchai", role=Role.SALES)
    client = Client()
    client.cookies["django_language"] = "en"
    for attempt in range(6):
        response = log_in(client, "somchai", f"wrong-{attempt}")
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_site_login_is_throttled_too():
    UserFactory(username="boss", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    for attempt in range(6):
        client.post(
            "/admin/login/",
            {"username": "boss", "password": f"wrong-{attempt}"},
            REMOTE_ADDR="203.0.113.9",
        )
    client.post(
        "/admin/login/", {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert not logged_in(client)


@pytest.mark.django_db
def test_an_admin_sees_the_lock_and_unlocks_the_user(admin_client, admin_user):
    user = UserFactory(username="somchai", first_name="สมชาย", role=Role.SALES)
    for attempt in range(5):
        log_in(Client(), "somchai", f"wrong-{attempt}", address=f"198.51.100.{attempt}")
    assert queries.locked_usernames(["somchai"]) == {"somchai"}
    listing = admin_client.get("/users/")
    assert "ล็อกอยู่" in listing.content.decode()  # "locked"
    edit = admin_client.get(f"/users/{user.pk}/")
    assert f"/users/{user.pk}/unlock/" in edit.content.decode()

    response = admin_client.post(f"/users/{user.pk}/unlock/")
    assert response.status_code == 302
    assert queries.locked_usernames(["somchai"]) == set()
    event = AuditEvent.objects.get(subject_type="accounts.user", subject_id=user.pk)
    assert event.actor == admin_user and event.changes == {"login_lock": ["locked", "unlocked"]}
    client = Client()
    log_in(client, "somchai", PASSWORD, address="192.0.2.1")
    assert logged_in(client)


@pytest.mark.django_db
def test_only_an_admin_may_unlock(make_user):
    user = UserFactory(username="somchai", role=Role.SALES)
    manager = Client()
    manager.force_login(make_user(Role.MANAGER))
    assert manager.post(f"/users/{user.pk}/unlock/").status_code == 403


@pytest.mark.django_db
def test_unlock_service_on_an_unlocked_user_writes_nothing(admin_user):
    user = UserFactory(username="somchai", role=Role.SALES)
    assert services.user_unlock(actor=admin_user, user=user) is False
    assert not AuditEvent.objects.filter(subject_type="accounts.user").exists()


@pytest.mark.django_db
def test_the_old_password_on_the_change_page_is_throttled_too():
    """The other place a password is checked: Settings → Change password."""
    user = UserFactory(username="somchai", role=Role.SALES)
    client = Client()
    client.force_login(user)
    new = "มะม่วง-สุก-2569"
    for attempt in range(5):
        client.post(
            "/password/",
            {"old_password": f"wrong-{attempt}", "new_password1": new, "new_password2": new},
            REMOTE_ADDR="203.0.113.9",
        )
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
