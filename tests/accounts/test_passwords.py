"""'Forgot password' by e-mail, through a real SMTP server: ask, receive, follow, set, log in."""

import re

import pytest
from django.test import Client

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from tests.accounts.conftest import link_in

NEW_PASSWORD = "ต้นไม้-ใหญ่-2569"


def without_csrf(html: bytes) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html.decode())


@pytest.fixture
def member(make_user):
    return make_user(Role.SALES, email="Nok@Example.com", language="en")


def test_the_whole_flow_from_the_login_page(member, smtp):
    client = Client()
    login_page = client.get("/login/").content.decode()
    assert 'href="/password/forgot/"' in login_page
    response = client.post("/password/forgot/", {"email": "nok@example.com"})
    assert response.status_code == 302 and response["Location"] == "/password/forgot/sent/"
    [message] = smtp.messages
    assert message["To"] == "Nok@Example.com"
    assert message["Subject"] == "Set a new Samphan password"  # the user's own language
    link = link_in(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    assert member.username in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"
    assert client.get(done["Location"]).status_code == 200
    assert Client().login(username=member.username, password=NEW_PASSWORD)
    assert not Client().login(username=member.username, password="test-pass-123")
    audit = AuditEvent.objects.get(subject_type="accounts.user", subject_id=member.pk)
    assert audit.changes == {"password": "set"} and audit.actor_id == member.pk
    # The link works once.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert "no longer works" in again.content.decode() or "ใช้ไม่ได้" in again.content.decode()


def test_the_answer_is_the_same_whether_the_address_exists(member, smtp):
    known = Client().post("/password/forgot/", {"email": "nok@example.com"}, follow=True)
    unknown = Client().post("/password/forgot/", {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert len(smtp.messages) == 1


def test_inactive_users_get_no_mail_and_a_bad_address_is_refused_beside_the_field(member, smtp):
    member.is_active = False
    member.save()
    assert Client().post("/password/forgot/", {"email": "nok@example.com"}).status_code == 302
    assert smtp.messages == []
    response = Client().post("/password/forgot/", {"email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_a_weak_or_mismatched_new_password_is_refused(member, smtp):
    client = Client()
    client.post("/password/forgot/", {"email": "nok@example.com"})
    page = client.get(link_in(smtp.messages[0]), follow=True)
    set_url = page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and weak.context["form"].errors["new_password2"]
    mismatch = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": "other-1x"})
    assert mismatch.context["form"].errors["new_password2"]
    member.refresh_from_db()
    assert member.check_password("test-pass-123")


def test_a_forged_link_is_refused(member):
    page = Client().get("/password/reset/MQ/abc-123/", follow=True)
    assert page.status_code == 200 and not page.context["validlink"]


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_pages_speak_the_visitors_language(language, db):
    client = Client()
    client.cookies["django_language"] = language
    for url in ("/password/forgot/", "/password/forgot/sent/", "/password/reset/done/"):
        page = client.get(url)
        assert page.status_code == 200
        assert page["Content-Language"] == language
    text = client.get("/password/forgot/").content.decode()
    assert ("ลืมรหัสผ่าน" in text) == (language == "th")
