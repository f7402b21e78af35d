"""A new password revokes every API token of its user, whichever way it was set: one's own
change page, an administrator's temporary password, the forgotten-password link, Django's
admin and the ``changepassword``-style ``set_password`` + ``save``. A hash upgrade at
login is no password change and keeps them."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from samphan.accounts.models import ApiToken, Role, User
from samphan.accounts.services import token_create
from samphan.core.models import AuditEvent

NEW_PASSWORD = "ต้นไม้-ใหญ่-2569"


def api_status(raw: str) -> int:
    return Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/tokens").status_code


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_changing_ones_own_password_revokes_ones_tokens(make_user):
    member = make_user(Role.SALES)
    other = make_user(Role.SALES, username="other")
    raw = token_create(user=member, name="till")
    kept = token_create(user=other, name="other's till")
    assert api_status(raw) == 200
    client = Client()
    assert client.login(username=member.username, password="test-pass-123")
    response = client.post(
        "/password/",
        {"old_password": "test-pass-123", "new_password1": NEW_PASSWORD,
         "new_password2": NEW_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert api_status(raw) == 401
    assert not ApiToken.objects.filter(user=member).exists()
    assert api_status(kept) == 200  # only the user's own
    assert client.get("/preferences/").status_code == 200  # the session that changed it stays
    audit = AuditEvent.objects.get(subject_type="accounts.user", subject_id=member.pk)
    assert audit.changes == {"api_tokens_revoked": 1, "reason": "password changed"}


def test_a_wrong_old_password_changes_nothing(make_user):
    member = make_user(Role.SALES)
    raw = token_create(user=member, name="till")
    client = logged_in(member)
    response = client.post(
        "/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200 and response.context["form"].errors["old_password"]
    assert api_status(raw) == 200


def test_an_administrators_temporary_password_revokes_the_users_tokens(make_user, admin_user):
    member = make_user(Role.SALES)
    raw = token_create(user=member, name="till")
    mine = token_create(user=admin_user, name="admin's own")
    response = logged_in(admin_user).post(f"/users/{member.pk}/password/", {"method": "temporary"})
    assert response.status_code == 200 and response.context["password"]
    assert api_status(raw) == 401
    assert api_status(mine) == 200


def test_the_forgotten_password_link_revokes_the_users_tokens(make_user):
    member = make_user(Role.SALES, email="nok@example.com")
    raw = token_create(user=member, name="till")
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    link = f"/password/reset/{uid}/{default_token_generator.make_token(member)}/"
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert api_status(raw) == 401


def test_djangos_admin_and_set_password_revoke_tokens(make_user, admin_user):
    member = make_user(Role.SALES)
    raw = token_create(user=member, name="till")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    response = logged_in(admin_user).post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api_status(raw) == 401
    # What `samphan changepassword` and `samphan setup` do: set_password, then save.
    again = token_create(user=member, name="till 2")
    member.refresh_from_db()
    member.set_password("another-ต้นไม้-2570")
    member.save()
    assert api_status(again) == 401


def test_other_saves_and_a_hash_upgrade_at_login_keep_tokens(make_user, settings):
    member = make_user(Role.SALES)
    raw = token_create(user=member, name="till")
    member.first_name = "นก"
    member.save()
    assert api_status(raw) == 200
    # An old hash is rehashed with the preferred hasher when its owner logs in: the same
    # password, so no revocation (Django itself says it is no password change).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    User.objects.filter(pk=member.pk).update(password=make_password("old-secret-9", hasher="md5"))
    assert Client().login(username=member.username, password="old-secret-9")
    member.refresh_from_db()
    assert member.password.startswith("pbkdf2_")
    assert api_status(raw) == 200
