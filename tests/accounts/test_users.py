"""The Users pages and services: create or invite, edit, deactivate, reset; who may."""

import pytest
from django.test import Client

from samphan.accounts import services
from samphan.accounts.models import ApiToken, Role, User
from samphan.core.models import AuditEvent
from tests.accounts.conftest import link_in
from tests.conftest import token_client
from tests.factories import TeamFactory, UserFactory
from tests.querycount import assert_queries

GOOD_PASSWORD = "ชาเย็น-หวานน้อย-7"


def new_user(**overrides):
    data = {
        "username": "somsri",
        "first_name": "สมศรี",
        "last_name": "มีสุข",
        "email": "somsri@example.com",
        "role": Role.FRONTDESK,
        "team": "",
        "access": "password",
        "password": GOOD_PASSWORD,
    }
    return {**data, **overrides}


def audits(user, action=None):
    rows = AuditEvent.objects.filter(subject_type="accounts.user", subject_id=user.pk)
    return list(rows.filter(action=action) if action else rows)


def test_an_admin_adds_a_user_with_a_password_who_logs_in(admin_client, admin_user):
    response = admin_client.post("/users/new/", new_user())
    user = User.objects.get(username="somsri")
    assert response.status_code == 302 and response["Location"] == f"/users/{user.pk}/"
    assert user.role_names() == [Role.FRONTDESK] and user.is_active
    assert Client().login(username="somsri", password=GOOD_PASSWORD)
    [created] = audits(user, "create")
    assert created.actor_id == admin_user.pk
    assert created.changes["role"] == [None, Role.FRONTDESK]
    assert GOOD_PASSWORD not in str(created.changes)


def test_an_invitation_arrives_and_its_link_sets_the_password(admin_client, smtp):
    team = TeamFactory(name="ทีมหน้าร้าน")
    response = admin_client.post(
        "/users/new/", new_user(access="invite", password="", team=team.pk), follow=True
    )
    user = User.objects.get(username="somsri")
    assert user.team == team and not user.has_usable_password()
    assert "somsri@example.com" in response.content.decode()  # "an invitation went to …"
    [message] = smtp.messages
    assert message["To"] == "somsri@example.com"
    assert message["Subject"] == "คำเชิญเข้าใช้งานสัมพันธ์"  # in the admin's language (Thai)
    assert "somsri" in message.get_body(preferencelist=("plain",)).get_content()
    client = Client()
    page = client.get(link_in(message), follow=True)
    assert page.context["validlink"]
    client.post(
        page.redirect_chain[-1][0], {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert Client().login(username="somsri", password=GOOD_PASSWORD)
    assert [row.changes["password"] for row in audits(user, "update")] == ["set", "invitation sent"]


def test_an_invitation_that_cannot_be_sent_says_so(admin_client, settings):
    from tests.messaging.conftest import smtp_mailers

    settings.MAILERS = smtp_mailers(9)  # nothing listens there
    response = admin_client.post("/users/new/", new_user(access="invite", password=""), follow=True)
    assert User.objects.filter(username="somsri").exists()
    assert (
        "could not be sent" in response.content.decode() or "ไม่สำเร็จ" in response.content.decode()
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "ADMIN"}, "username"),  # taken, whatever the case
        ({"username": "สมศรี"}, "username"),  # Thai vowels are not allowed in a username
        ({"username": ""}, "username"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "Taken@Example.com"}, "email"),
        ({"password": "12345678"}, "password"),  # only digits
        ({"password": "somsri123"}, "password"),  # too like the username
        ({"password": "short"}, "password"),
        ({"password": ""}, "password"),
        ({"access": "invite", "email": ""}, "email"),
        ({"role": "owner"}, "role"),
        ({"role": ""}, "role"),  # none is chosen in advance
        ({"team": "99999"}, "team"),
    ],
)
def test_bad_input_is_named_beside_its_field_and_nothing_is_written(
    admin_client, make_user, overrides, field
):
    make_user(Role.VIEWER, email="taken@example.com")
    users = User.objects.count()
    response = admin_client.post("/users/new/", new_user(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field], response.context["form"].errors
    assert User.objects.count() == users
    assert not AuditEvent.objects.filter(subject_type="accounts.user", action="create").exists()


def test_an_admin_changes_name_email_role_and_team(admin_client, make_user):
    member = make_user(Role.SALES, email="old@example.com")
    team = TeamFactory(name="ทีมเชียงใหม่")
    data = {
        "first_name": "ใหม่",
        "last_name": "ชื่อ",
        "email": "new@example.com",
        "role": Role.MANAGER,
        "team": team.pk,
    }
    assert admin_client.get(f"/users/{member.pk}/").status_code == 200
    response = admin_client.post(f"/users/{member.pk}/", data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.email, member.team, member.role_names()) == (
        "ใหม่",
        "new@example.com",
        team,
        [Role.MANAGER],
    )
    [update] = audits(member, "update")
    assert update.changes["role"] == [Role.SALES, Role.MANAGER]
    assert update.changes["email"] == ["old@example.com", "new@example.com"]
    # An unchanged save writes no audit row.
    admin_client.post(f"/users/{member.pk}/", data)
    assert len(audits(member, "update")) == 1


def test_the_last_admin_keeps_the_role_and_cannot_be_deactivated(admin_client, admin_user):
    demote = {"first_name": "", "last_name": "", "email": "", "role": Role.SALES, "team": ""}
    response = admin_client.post(f"/users/{admin_user.pk}/", demote)
    assert "last active administrator" in str(response.context["form"].errors["role"]) or (
        "ผู้ดูแลระบบคนสุดท้าย" in str(response.context["form"].errors["role"])
    )
    admin_user.refresh_from_db()
    assert admin_user.role_names() == [Role.ADMIN]
    other = UserFactory(username="other")
    with pytest.raises(services.ValidationError):
        services.user_deactivate(actor=other, user=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.is_active
    # With a second admin, the first may step down.
    UserFactory(username="second", role=Role.ADMIN)
    assert admin_client.post(f"/users/{admin_user.pk}/", demote).status_code == 302


def test_an_inactive_admin_does_not_count(admin_user, make_user):
    spare = make_user(Role.ADMIN, username="spare")
    spare.is_active = False
    spare.save()
    other = make_user(Role.VIEWER)
    with pytest.raises(services.ValidationError, match="is_active"):
        services.user_deactivate(actor=other, user=admin_user)


def test_nobody_deactivates_themselves(admin_client, admin_user):
    UserFactory(username="second", role=Role.ADMIN)
    response = admin_client.post(f"/users/{admin_user.pk}/active/", {"active": "0"}, follow=True)
    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert "yourself" in response.content.decode() or "ตัวเอง" in response.content.decode()


def test_a_deactivated_user_cannot_log_in_or_use_a_token_until_reactivated(admin_client, make_user):
    member = make_user(Role.SALES)
    api = token_client(member)
    assert api.get("/api/v1/customers").status_code == 200
    assert admin_client.post(f"/users/{member.pk}/active/", {"active": "0"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert not Client().login(username=member.username, password="test-pass-123")
    assert api.get("/api/v1/customers").status_code == 401
    admin_client.post(f"/users/{member.pk}/active/", {"active": "1"})
    assert Client().login(username=member.username, password="test-pass-123")
    assert [row.action for row in audits(member)] == ["restore", "archive"]


def test_a_temporary_password_is_shown_once_and_works(admin_client, make_user):
    member = make_user(Role.SALES)
    response = admin_client.post(f"/users/{member.pk}/password/", {"method": "temporary"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    assert Client().login(username=member.username, password=password)
    assert not Client().login(username=member.username, password="test-pass-123")
    assert password not in str(AuditEvent.objects.values_list("changes", flat=True))
    # Nothing keeps it: the edit page does not show it again.
    assert password not in admin_client.get(f"/users/{member.pk}/").content.decode()


def test_a_reset_link_is_e_mailed_in_the_users_language(admin_client, make_user, smtp):
    member = make_user(Role.SALES, email="ann@example.com", language="en")
    response = admin_client.post(f"/users/{member.pk}/password/", {"method": "email"})
    assert response.status_code == 302
    [message] = smtp.messages
    assert message["Subject"] == "Set a new Samphan password"
    without = make_user(Role.VIEWER, email="")
    response = admin_client.post(f"/users/{without.pk}/password/", {"method": "email"}, follow=True)
    assert "no e-mail address" in response.content.decode() or "ยังไม่มีอีเมล" in (
        response.content.decode()
    )
    assert len(smtp.messages) == 1


def test_the_list_searches_filters_and_shows_role_team_and_status(admin_client, make_user):
    team = TeamFactory(name="ทีมภูเก็ต")
    make_user(Role.SALES, username="pim", first_name="พิมพ์", email="pim@shop.test", team=team)
    gone = make_user(Role.VIEWER, username="gone", first_name="ลาออก")
    gone.is_active = False
    gone.save()
    page = admin_client.get("/users/?q=พิมพ์").content.decode()
    assert "pim@shop.test" in page and "ทีมภูเก็ต" in page and "ฝ่ายขาย" in page
    assert "gone" not in page
    page = admin_client.get("/users/?status=inactive").content.decode()
    assert "ลาออก" in page and "pim@shop.test" not in page
    htmx = admin_client.get("/users/?q=pim", headers={"HX-Request": "true"})
    assert htmx.content.decode().lstrip().startswith('<section id="results"')


def test_the_list_pages_in_a_fixed_number_of_queries(admin_client, make_user, settings):
    settings.SAMPHAN_PAGE_SIZE = 10
    for number in range(25):
        make_user(Role.SALES if number % 2 else Role.VIEWER, username=f"staff{number:02}")
    with assert_queries(6):  # + which of the page's users are locked out (issue 20)
        first = admin_client.get("/users/")
    assert first.context["page"].paginator.num_pages == 3
    with assert_queries(6):
        last = admin_client.get("/users/?page=3")
    assert len(last.context["page"].object_list) == 26 - 20


PAGES = [
    ("get", "/users/", None),
    ("get", "/users/new/", None),
    ("post", "/users/new/", new_user()),
    ("get", "/users/{pk}/", None),
    ("post", "/users/{pk}/", {"role": Role.VIEWER}),
    ("post", "/users/{pk}/active/", {"active": "0"}),
    ("post", "/users/{pk}/password/", {"method": "temporary"}),
]


@pytest.mark.parametrize("role", sorted(set(Role.NAMES) - {Role.ADMIN}))
def test_only_admins_may_manage_users(make_user, role):
    target = make_user(Role.VIEWER, username="target")
    client = Client()
    client.force_login(make_user(role, username=f"as-{role}"))
    for method, url, data in PAGES:
        response = getattr(client, method)(url.format(pk=target.pk), data or {})
        assert response.status_code == 403, (role, method, url)
    target.refresh_from_db()
    assert target.is_active and target.check_password("test-pass-123")


def test_pages_need_a_login_and_an_unknown_user_is_404(admin_client, db):
    assert Client().get("/users/")["Location"].startswith("/login/")
    assert admin_client.get("/users/999999/").status_code == 404


def test_a_superuser_without_the_admin_role_counts_as_an_admin(db):
    boss = User.objects.create_superuser("boss", "", GOOD_PASSWORD)
    client = Client()
    client.force_login(boss)
    assert client.get("/users/").status_code == 200
    helper = UserFactory(username="helper")
    with pytest.raises(services.ValidationError, match="is_active"):
        services.user_deactivate(actor=helper, user=boss)
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    """The second demotion waits for the first to commit, then sees it and is refused."""
    import threading
    import time

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time anyway")
    first = UserFactory(username="first", role=Role.ADMIN)
    second = UserFactory(username="second", role=Role.ADMIN)
    demote = {"first_name": "", "last_name": "", "email": "", "role": Role.SALES, "team": None}
    holding = threading.Event()

    def demote_second_and_hold() -> None:
        try:
            with transaction.atomic():
                services.user_update(actor=first, user=second, **demote)
                holding.set()
                time.sleep(1)  # still uncommitted while the other demotion starts
        finally:
            connection.close()

    thread = threading.Thread(target=demote_second_and_hold)
    thread.start()
    assert holding.wait(10)
    with pytest.raises(services.ValidationError, match="role"):
        services.user_update(actor=second, user=first, **demote)
    thread.join()
    assert [user.username for user in services.active_admins()] == ["first"]
