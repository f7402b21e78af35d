"""/api/v1/customers/{id}/personal-data (the access ZIP) and /erase (admins only)."""

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from tests.api.calls import post
from tests.conftest import token_client
from tests.factories import CustomerFactory
from tests.privacy.conftest import EMAIL, FIRST, NICK, Person, make_person

person = pytest.fixture(make_person, name="person")


def test_the_zip_holds_everything_about_the_person_and_is_audited(person: Person) -> None:
    client = token_client(person.admin)
    answer = client.get(f"/api/v1/customers/{person.customer.pk}/personal-data")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(archive.namelist())
    assert {"data.json", "README.txt", "customers_customer.csv", "sales_order.csv"} <= names
    assert {
        "messaging_message.csv",
        "customers_interaction.csv",
        "loyalty_pointsentry.csv",
    } <= names
    assert any(name.startswith("photo.") for name in names)
    data = json.loads(archive.read("data.json"))
    assert data["customers.Customer"][0]["first_name"] == FIRST
    values = {row["value"] for row in data["customers.ContactPoint"]}
    assert EMAIL.lower() in {value.lower() for value in values}
    assert len(data["sales.Order"]) == 1 and data["sales.Lead"][0]["message"]
    assert data["core.AuditEvent"]
    rows = list(csv.reader(io.StringIO(archive.read("customers_customer.csv").decode("utf-8-sig"))))
    assert "ชื่อเล่น / nickname" in rows[0] and NICK in rows[1]
    notes = list(csv.reader(io.StringIO(archive.read("sales_order.csv").decode("utf-8-sig"))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in notes for cell in row)
    readme = archive.read("README.txt").decode("utf-8-sig")
    assert "Purpose" in readme and "วัตถุประสงค์" in readme and "sales_order.csv" in readme
    event = AuditEvent.objects.filter(action="export", customer_id=person.customer.pk).get()
    assert event.actor == person.admin


def test_phones_starting_with_plus_are_text_in_the_csv(person: Person) -> None:
    answer = token_client(person.admin).get(f"/api/v1/customers/{person.customer.pk}/personal-data")
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    text = archive.read("customers_contactpoint.csv").decode("utf-8-sig")
    assert "'+66891357924" in text


def test_a_customer_the_user_may_not_see_is_404(make_user: Any) -> None:
    rep = make_user(Role.SALES, username="rep2")
    theirs = CustomerFactory(owner=make_user(Role.SALES, username="other", team=None))
    client = token_client(rep)
    assert client.get(f"/api/v1/customers/{theirs.pk}/personal-data").status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_erase_is_for_admins_only(person: Person, make_user: Any) -> None:
    manager = token_client(make_user(Role.MANAGER, username="boss"))
    url = f"/api/v1/customers/{person.customer.pk}/erase"
    assert post(manager, url, {"reason": "x"}).status_code == 403
    assert Customer.objects.get(pk=person.customer.pk).erased_at is None


def test_erase_through_the_api(person: Person) -> None:
    client = token_client(person.admin)
    url = f"/api/v1/customers/{person.customer.pk}/erase"
    blank = post(client, url, {"reason": " "})
    assert blank.status_code == 422 and blank.json()["detail"][0]["loc"] == ["body", "reason"]
    answer = post(client, url, {"reason": "คำขอ 2026-7"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["display_name"] == f"— #{person.customer.pk}"
    again = post(client, url, {"reason": "คำขอ 2026-7"})
    assert again.status_code == 409 and again.json()["detail"]
    assert post(client, "/api/v1/customers/424242/erase", {"reason": "x"}).status_code == 404
