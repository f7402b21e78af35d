"""TOTP two-step sign-in (issue 20 §1): required for administrators and managers,
optional for others, with ten single-use recovery codes and an admin's reset.

Test settings turn the requirement off (SAMPHAN_TWO_FACTOR_REQUIRED) so the rest of the
suite can ``force_login``; these tests turn it on."""

import base64
import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from tests.factories import UserFactory

PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.SAMPHAN_TWO_FACTOR_REQUIRED = True


def log_in(client: Client, username: str):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def code_for(device: TOTPDevice, *, later: int = 0) -> str:
    clock = TOTP(device.bin_key, step=device.step, digits=device.digits)
    clock.time = time.time() + later
    return f"{clock.token():06d}"


def set_up(client: Client, user) -> list[str]:
    """Walk the set-up page; the recovery codes it shows once."""
    page = client.get("/login/two-factor/setup/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    key = re.search(r'data-key="([A-Z2-7 ]+)"', page.content.decode())
    assert key and key.group(1).replace(" ", "") == base64.b32encode(device.bin_key).decode()
    done = client.post("/login/two-factor/setup/", {"code": code_for(device)})
    assert done.status_code == 200
    return re.findall(r'<li class="recovery-code"><code>([a-z0-9]+)</code>', done.content.decode())


@pytest.mark.django_db
def test_an_admin_without_a_second_factor_reaches_nothing_but_the_set_up():
    UserFactory(username="boss", role=Role.ADMIN)
    client = Client()
    response = log_in(client, "boss")
    assert response.status_code == 302
    for path in ("/", "/customers/", "/users/", "/preferences/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/two-factor/setup/"), path
    api = client.get("/api/v1/customers")
    assert api.status_code == 403


@pytest.mark.django_db
def test_force_login_is_held_too():
    manager = UserFactory(username="manager", role=Role.MANAGER)
    client = Client()
    client.force_login(manager)
    assert client.get("/customers/")["Location"].startswith("/login/two-factor/setup/")


@pytest.mark.django_db
def test_set_up_then_every_login_asks_for_the_code():
    boss = UserFactory(username="boss", role=Role.ADMIN)
    client = Client()
    log_in(client, "boss")
    codes = set_up(client, boss)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/customers/").status_code == 200
    event = AuditEvent.objects.get(subject_type="accounts.user", subject_id=boss.pk)
    assert event.changes == {"two_factor": ["off", "on"]}

    again = Client()
    assert log_in(again, "boss")["Location"].startswith("/login/verify/")
    assert again.get("/customers/")["Location"].startswith("/login/verify/")
    wrong = again.post("/login/verify/", {"code": "000000"})
    assert wrong.status_code == 400
    device = TOTPDevice.objects.get(user=boss)
    time.sleep(1.1)  # django-otp waits 1 s after a wrong code (doubling each time)
    ok = again.post("/login/verify/", {"code": code_for(device, later=30)})
    assert ok.status_code == 302
    assert again.get("/customers/").status_code == 200


@pytest.mark.django_db
def test_a_recovery_code_works_once():
    boss = UserFactory(username="boss", role=Role.ADMIN)
    client = Client()
    log_in(client, "boss")
    codes = set_up(client, boss)

    first = Client()
    log_in(first, "boss")
    assert first.post("/login/verify/", {"code": codes[0]}).status_code == 302
    assert first.get("/customers/").status_code == 200
    assert StaticDevice.objects.get(user=boss).token_set.count() == 9

    second = Client()
    log_in(second, "boss")
    refused = second.post("/login/verify/", {"code": codes[0]})
    assert refused.status_code == 400
    assert second.get("/customers/")["Location"].startswith("/login/verify/")


@pytest.mark.django_db
def test_a_sales_rep_needs_no_second_factor_but_may_turn_it_on():
    rep = UserFactory(username="rep", role=Role.SALES)
    client = Client()
    log_in(client, "rep")
    assert client.get("/customers/").status_code == 200
    assert "/login/two-factor/setup/" in client.get("/preferences/").content.decode()
    set_up(client, rep)
    again = Client()
    assert log_in(again, "rep")["Location"].startswith("/login/verify/")
    # and may turn it off again from the preferences page
    assert client.post("/preferences/two-factor/off/").status_code == 302
    assert not TOTPDevice.objects.filter(user=rep).exists()
    assert not StaticDevice.objects.filter(user=rep).exists()


@pytest.mark.django_db
def test_an_admin_may_not_turn_a_required_factor_off():
    boss = UserFactory(username="boss", role=Role.ADMIN)
    client = Client()
    log_in(client, "boss")
    set_up(client, boss)
    assert client.post("/preferences/two-factor/off/").status_code == 302
    assert TOTPDevice.objects.filter(user=boss).exists()


@pytest.mark.django_db
def test_an_admin_resets_a_users_second_factor(admin_user):
    boss = UserFactory(username="boss2", role=Role.MANAGER)
    client = Client()
    log_in(client, "boss2")
    set_up(client, boss)
    admin = Client()
    admin.force_login(admin_user)
    device = TOTPDevice.objects.create(user=admin_user, name="default", confirmed=True)
    session = admin.session
    session["samphan_second_factor"] = "done"
    session.save()
    del device
    edit = admin.get(f"/users/{boss.pk}/")
    assert f"/users/{boss.pk}/two-factor/reset/" in edit.content.decode()
    assert admin.post(f"/users/{boss.pk}/two-factor/reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=boss).exists()
    assert not StaticDevice.objects.filter(user=boss).exists()
    event = (
        AuditEvent.objects.filter(subject_type="accounts.user", subject_id=boss.pk)
        .order_by("pk")
        .last()
    )
    assert event and event.actor == admin_user
    assert event.changes == {"two_factor": ["on", "off"]}
    again = Client()
    assert log_in(again, "boss2")["Location"].startswith("/login/two-factor/setup/")


@pytest.mark.django_db
def test_the_shop_may_turn_the_requirement_off(settings):
    settings.SAMPHAN_TWO_FACTOR_REQUIRED = False
    UserFactory(username="boss", role=Role.ADMIN)
    client = Client()
    log_in(client, "boss")
    assert client.get("/customers/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_set_up_code_confirms_nothing():
    boss = UserFactory(username="boss", role=Role.ADMIN)
    client = Client()
    log_in(client, "boss")
    client.get("/login/two-factor/setup/")
    response = client.post("/login/two-factor/setup/", {"code": "12"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=boss, confirmed=True).exists()
    assert client.get("/customers/")["Location"].startswith("/login/two-factor/setup/")
