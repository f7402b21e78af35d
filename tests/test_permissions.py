"""Every role against every page and API endpoint, and "own and team records" scoping."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from samphan.accounts.models import Role
from samphan.customers import services
from samphan.customers.models import Customer, Tag
from tests.conftest import token_client
from tests.factories import TeamFactory, UserFactory

ALL = set(Role.NAMES)
# A 1×1 PNG: the customer's photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63606060000000040001f61738550000000049454e44ae426082"
)
WRITERS = ALL - {Role.VIEWER}
MANAGERS = {Role.ADMIN, Role.MANAGER}
TAGGERS = {Role.ADMIN, Role.MANAGER, Role.MARKETING}
# Marketing does not log interactions (issue 20: the roles as the user guide documents them).
LOGGERS = WRITERS - {Role.MARKETING}
POINTS = {Role.ADMIN, Role.MANAGER, Role.SALES, Role.FRONTDESK}

# (name, method, url, body, roles allowed, success status). {id} is the customer; {point},
# {interaction}, {company}, {tag} and {photo} (its photo's URL) are records that belong with it.
# fmt: off
UI = [
    ("home", "get", "/", None, ALL, 200),
    ("list", "get", "/customers/", None, ALL, 200),
    ("detail", "get", "/customers/{id}/", None, ALL, 200),
    ("older entries", "get", "/customers/{id}/?before={interaction}", None, ALL, 200),
    ("who saw", "get", "/customers/{id}/access/", None, MANAGERS, 200),
    ("new form", "get", "/customers/new/", None, WRITERS, 200),
    ("create", "post", "/customers/new/", {"first_name": "ใหม่", "stage": "lead", "tier": "none"}, WRITERS, 302),
    ("edit form", "get", "/customers/{id}/edit/", None, WRITERS, 200),
    ("edit", "post", "/customers/{id}/edit/", {"first_name": "แก้", "stage": "lead", "tier": "none"}, WRITERS, 302),
    ("archive", "post", "/customers/{id}/archive/", {"archive": "1"}, MANAGERS, 302),
    ("log call", "post", "/customers/{id}/interactions/", {"kind": "call", "summary": "โทร"}, LOGGERS, 302),
    ("log a visit", "post", "/customers/{id}/interactions/", {"kind": "visit", "summary": "มาร้าน", "occurred_at": "2026-01-15T14:30", "channel": "หน้าร้าน"}, LOGGERS, 302),
    ("consent", "post", "/customers/{id}/consent/", {"channel": "sms", "purpose": "marketing", "status": "granted"}, WRITERS, 302),
    ("contact form", "get", "/customers/{id}/contacts/new/", None, WRITERS, 200),
    ("add contact", "post", "/customers/{id}/contacts/new/", {"kind": "email", "value": "x@example.com"}, WRITERS, 302),
    ("edit contact", "post", "/customers/{id}/contacts/{point}/", {"kind": "mobile", "value": "0899999999"}, WRITERS, 302),
    ("remove contact", "post", "/customers/{id}/contacts/{point}/delete/", {}, WRITERS, 302),
    ("picker", "get", "/customers/options/?field=company&company=ab", None, ALL, 200),
    ("photo", "get", "{photo}", None, ALL, 200),
    ("preferences", "get", "/preferences/", None, ALL, 200),
    ("save preferences", "post", "/preferences/", {"language": "th", "buddhist_era": "on"}, ALL, 302),
    ("language", "post", "/language/", {"language": "en", "next": "/customers/"}, ALL, 302),
    ("password form", "get", "/password/", None, ALL, 200),
    ("password done", "get", "/password/done/", None, ALL, 200),
    ("top customers", "get", "/insights/top/?group=tag", None, ALL, 200),
    ("regulars", "get", "/insights/regulars/?list=overdue", None, ALL, 200),
    ("cadence panel", "get", "/insights/customers/{id}/cadence/", None, ALL, 200),
    ("segments", "get", "/insights/segments/", None, ALL, 200),
    ("funnel", "get", "/insights/funnel/", None, ALL, 200),
    ("report", "get", "/insights/reports/?report=product", None, ALL, 200),
    ("forecast panel", "get", "/insights/forecast/", None, ALL, 200),
    ("report xlsx", "get", "/insights/reports/?report=channel&format=xlsx", None, ALL, 200),
    ("dashboard", "get", "/?period=last_month", None, ALL, 200),
    ("points panel", "get", "/points/customers/{id}/", None, ALL, 200),
    ("record points", "post", "/points/customers/{id}/", {"kind": "adjust", "points": "5"}, POINTS, 302),
    ("shop settings", "get", "/settings/shop/", None, {Role.ADMIN}, 200),
    ("logout", "post", "/logout/", {}, ALL, 302),
]
# Pages that need no login: the language switch also keeps an anonymous visitor's choice.
PUBLIC = {"language"}
API = [
    ("api list", "get", "/api/v1/customers", None, ALL, 200),
    ("api companies", "get", "/api/v1/companies", None, ALL, 200),
    ("api create", "post", "/api/v1/customers", {"first_name": "ใหม่"}, WRITERS, 201),
    ("api get", "get", "/api/v1/customers/{id}", None, ALL, 200),
    ("api who saw", "get", "/api/v1/customers/{id}/access", None, MANAGERS, 200),
    ("api update", "patch", "/api/v1/customers/{id}", {"nickname": "ต้น"}, WRITERS, 200),
    ("api archive", "post", "/api/v1/customers/{id}/archive", None, MANAGERS, 200),
    ("api restore", "post", "/api/v1/customers/{id}/restore", None, MANAGERS, 200),
    ("api timeline", "get", "/api/v1/customers/{id}/interactions", None, ALL, 200),
    ("api log", "post", "/api/v1/customers/{id}/interactions", {"kind": "call", "summary": "โทร"}, LOGGERS, 201),
    ("api interaction get", "get", "/api/v1/interactions/{interaction}", None, ALL, 200),
    ("api interaction edit", "patch", "/api/v1/interactions/{interaction}", {"summary": "แก้"}, MANAGERS, 200),
    ("api interaction delete", "delete", "/api/v1/interactions/{interaction}", None, MANAGERS, 204),
    ("api contacts", "get", "/api/v1/customers/{id}/contact-points", None, ALL, 200),
    ("api add contact", "post", "/api/v1/customers/{id}/contact-points", {"kind": "email", "value": "x@example.com"}, WRITERS, 201),
    ("api contact get", "get", "/api/v1/contact-points/{point}", None, ALL, 200),
    ("api contact edit", "patch", "/api/v1/contact-points/{point}", {"label": "บ้าน"}, WRITERS, 200),
    ("api contact delete", "delete", "/api/v1/contact-points/{point}", None, WRITERS, 204),
    ("api consents", "get", "/api/v1/customers/{id}/consents", None, ALL, 200),
    ("api consent", "post", "/api/v1/customers/{id}/consents", {"channel": "sms", "status": "granted"}, WRITERS, 201),
    ("api company get", "get", "/api/v1/companies/{company}", None, ALL, 200),
    ("api company create", "post", "/api/v1/companies", {"company_name": "บจก. ใหม่"}, WRITERS, 201),
    ("api company update", "patch", "/api/v1/companies/{company}", {"industry": "food"}, WRITERS, 200),
    ("api company archive", "post", "/api/v1/companies/{company}/archive", None, MANAGERS, 200),
    ("api tags", "get", "/api/v1/tags?q=ประจำ", None, ALL, 200),
    ("api tag get", "get", "/api/v1/tags/{tag}", None, ALL, 200),
    ("api tag create", "post", "/api/v1/tags", {"name": "ใหม่"}, TAGGERS, 201),
    ("api tag rename", "patch", "/api/v1/tags/{tag}", {"name": "ใหม่กว่า"}, MANAGERS, 200),
    ("api tag delete", "delete", "/api/v1/tags/{tag}", None, MANAGERS, 204),
    ("api top customers", "get", "/api/v1/analytics/top-customers", None, ALL, 200),
    ("api share", "get", "/api/v1/analytics/share?period=all_time", None, ALL, 200),
    ("api cadence", "get", "/api/v1/analytics/customers/{id}/cadence", None, ALL, 200),
    ("api expected today", "get", "/api/v1/analytics/expected-today", None, ALL, 200),
    ("api overdue", "get", "/api/v1/analytics/overdue", None, ALL, 200),
    ("api rfm", "get", "/api/v1/analytics/rfm", None, ALL, 200),
    ("api funnel", "get", "/api/v1/analytics/funnel", None, ALL, 200),
    ("api forecast", "get", "/api/v1/analytics/forecast", None, ALL, 202),  # none made yet
    ("api top groups", "get", "/api/v1/analytics/top-groups?group=tier", None, ALL, 200),
    ("api points", "get", "/api/v1/customers/{id}/points", None, ALL, 200),
    ("api shop", "get", "/api/v1/shop", None, {Role.ADMIN}, 200),
    ("api record points", "post", "/api/v1/customers/{id}/points", {"kind": "adjust", "points": 5}, POINTS, 201),
]
# fmt: on
# Rows the matrix's users reach only through their role; an interaction's author may also
# change or delete it, so a sales user of another team meets 404 there, not 403.
AUTHOR_OR_ROLE = {"api interaction edit", "api interaction delete"}


def call(client: Client, method: str, url: str, body, *, api: bool):
    if body is None:
        return getattr(client, method)(url)
    if api:
        return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, data=body)


@pytest.fixture
def customer(db, make_user):
    owner = make_user(Role.SALES, username="owner")
    customer = services.customer_create(
        actor=owner,
        fields={"first_name": "สมชาย"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
        photo=SimpleUploadedFile("face.png", PNG, content_type="image/png"),
    )
    customer.interaction = services.interaction_log(
        actor=owner, customer=customer, kind="call", summary="โทร"
    )
    customer.company_record = services.customer_create(
        actor=owner, fields={"kind": "company", "company_name": "บจก. ทดสอบ"}
    )
    customer.tag = services.tag_save(tag=Tag(), name="ประจำ")
    return customer


def url_for(template, customer):
    return template.format(
        photo=customer.photo.url,
        id=customer.pk,
        point=customer.contact_points.get().pk,
        interaction=customer.interaction.pk,
        company=customer.company_record.pk,
        tag=customer.tag.pk,
    )


def user_with(role):
    team = TeamFactory(name="ทีมกรุงเทพ")
    return UserFactory(username=f"u-{role}", role=role, team=team)


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"), UI, ids=[row[0] for row in UI]
)
def test_pages(customer, role, name, method, url, body, allowed, ok):
    client = Client()
    client.force_login(user_with(role))
    response = call(client, method, url_for(url, customer), body, api=False)
    assert response.status_code == (ok if role in allowed else 403), response.content[:500]


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"), API, ids=[row[0] for row in API]
)
def test_api(customer, role, name, method, url, body, allowed, ok):
    client = token_client(user_with(role))
    response = call(client, method, url_for(url, customer), body, api=True)
    assert response.status_code == (ok if role in allowed else 403), response.content[:500]


@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"), UI + API, ids=[r[0] for r in UI + API]
)
def test_anonymous(customer, name, method, url, body, allowed, ok):
    response = call(Client(), method, url_for(url, customer), body, api=name.startswith("api"))
    if name.startswith("api"):
        assert response.status_code == 401
        assert "detail" in response.json()
    elif name in PUBLIC:
        assert response.status_code == ok
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_bad_token_is_401(customer):
    client = Client(headers={"Authorization": "Bearer sp_not-a-real-token"})
    assert client.get("/api/v1/customers").status_code == 401


CUSTOMER_SCOPED = [
    row
    for row in UI + API
    if any(key in row[2] for key in ("{id}", "{point}", "{interaction}", "{company}", "{photo}"))
]


@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"),
    CUSTOMER_SCOPED,
    ids=[r[0] for r in CUSTOMER_SCOPED],
)
def test_sales_sees_only_own_and_team_records(customer, name, method, url, body, allowed, ok):
    outsider = UserFactory(username="outsider", role=Role.SALES, team=TeamFactory(name="ทีมเหนือ"))
    is_api = name.startswith("api")
    client = token_client(outsider) if is_api else Client()
    if not is_api:
        client.force_login(outsider)
    response = call(client, method, url_for(url, customer), body, api=is_api)
    may_reach = Role.SALES in allowed or name in AUTHOR_OR_ROLE
    assert response.status_code == (404 if may_reach else 403)


AUTHOR_ROWS = [row for row in API if row[0] in AUTHOR_OR_ROLE]


@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"),
    AUTHOR_ROWS,
    ids=[row[0] for row in AUTHOR_ROWS],
)
def test_the_author_may_change_their_interaction(customer, name, method, url, body, allowed, ok):
    author = customer.interaction.user  # a sales user, without the role permission
    assert not author.has_perm("customers.change_interaction")
    response = call(token_client(author), method, url_for(url, customer), body, api=True)
    assert response.status_code == ok, response.content[:500]


def test_scoped_lists_hide_other_teams(customer):
    outsider = UserFactory(username="outsider", role=Role.SALES, team=TeamFactory(name="ทีมเหนือ"))
    teammate = UserFactory(username="teammate", role=Role.SALES, team=customer.team)
    assert token_client(outsider).get("/api/v1/customers").json()["count"] == 0
    assert token_client(teammate).get("/api/v1/customers").json()["count"] == 2  # person, company
    client = Client()
    client.force_login(outsider)
    assert "สมชาย" not in client.get("/customers/").content.decode()


def test_duplicate_warnings_do_not_reveal_hidden_customers(customer):
    # Issue 20: a phone held only by a customer the caller cannot see is neither named nor
    # refused (a 409 would tell a scoped rep it exists); the save is flagged for review.
    outsider = UserFactory(username="outsider", role=Role.SALES, team=TeamFactory(name="ทีมเหนือ"))
    client = Client()
    client.force_login(outsider)
    data = {"first_name": "ใหม่", "mobile": "0812345678", "stage": "lead", "tier": "none"}
    created = client.post("/customers/new/", data)
    assert created.status_code == 302
    assert "สมชาย" not in client.get(created["Location"]).content.decode()
    # Another rep, who cannot see the first one's new customer either.
    stranger = UserFactory(username="stranger", role=Role.SALES, team=TeamFactory(name="ทีมใต้"))
    api = token_client(stranger)
    body = {"first_name": "ใหม่", "contact_points": [{"kind": "mobile", "value": "0812345678"}]}
    response = api.post("/api/v1/customers", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert "สมชาย" not in response.content.decode()
    flagged = Customer.objects.filter(first_name="ใหม่", duplicate_review=True)
    assert flagged.count() == 2
    # Nor does the contact-point form, on a customer of the user's own.
    third = UserFactory(username="third", role=Role.SALES, team=TeamFactory(name="ทีมกลาง"))
    own = services.customer_create(actor=third, fields={"first_name": "ของฉัน"})
    client.force_login(third)
    saved = client.post(
        f"/customers/{own.pk}/contacts/new/", {"kind": "mobile", "value": "081-234-5678"}
    )
    assert saved.status_code == 302 and own.contact_points.exists()
    assert Customer.objects.get(pk=own.pk).duplicate_review
    # Nor does the company picker name a company the user cannot see.
    form = client.get(f"/customers/new/?company={customer.company_record.pk}").content.decode()
    assert "บจก. ทดสอบ" not in form
