"""The customer list's export (issue 21, "Export"): the list as filtered and searched, as
CSV or XLSX, with contact points and consents in readable columns, in the reader's
language and era; only the customers the user may see and whose processing is not
restricted; recorded in who saw whom; a fixed number of queries whatever its length."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from samphan.accounts.models import Role
from samphan.customers import services
from samphan.customers.models import Customer, Tag
from samphan.marketing.models import Segment
from samphan.privacy.models import AccessExport, CustomerAccess
from tests.factories import ContactPointFactory, CustomerFactory, TeamFactory, UserFactory
from tests.query_pins import EXPORTS
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
CONSENT_AT = dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def table(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body, newline="")))


def by_header(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def anne(admin_user: Any) -> Customer:
    customer = CustomerFactory(
        first_name="แอน", last_name="ใจดี", first_name_en="Anne", last_name_en="Jaidee",
        display_name="แอน ใจดี", nickname="แอนนี่", tier="gold", stage="customer",
        gender="female", source="walk_in", birthday=dt.date(1990, 5, 23),
        member_number="M-0001", owner=admin_user, team=admin_user.team,
    )  # fmt: skip
    ContactPointFactory(customer=customer, kind="mobile", value="0812345678", is_preferred=True)
    ContactPointFactory(customer=customer, kind="mobile", value="0899999999")
    ContactPointFactory(customer=customer, kind="phone", value="021234567")
    ContactPointFactory(customer=customer, kind="email", value="anne@example.com")
    ContactPointFactory(customer=customer, kind="line", value="anne.line")
    customer.tags.add(Tag.objects.create(name="ประจำ"))
    services.consent_record(
        actor=None, customer=customer, channel="email", status="granted", at=CONSENT_AT
    )
    services.consent_record(
        actor=None, customer=customer, channel="sms", status="granted", at=CONSENT_AT
    )
    services.consent_record(
        actor=None, customer=customer, channel="sms", status="withdrawn",
        at=CONSENT_AT + dt.timedelta(days=1),
    )  # fmt: skip
    return customer


def test_thai_columns_are_labels_and_buddhist_era_dates(admin_client, anne):
    [row] = by_header(table(admin_client.get("/customers/export/?format=csv")))
    assert row["หมายเลขสมาชิก"] == "M-0001"
    assert (row["ชื่อ (ภาษาไทย)"], row["ชื่อ (ภาษาอังกฤษ)"], row["ชื่อเล่น"]) == (
        "แอน ใจดี", "Anne Jaidee", "แอนนี่"
    )  # fmt: skip
    assert (row["มือถือ"], row["โทรศัพท์"], row["อีเมล"], row["LINE ID"]) == (
        "0812345678", "021234567", "anne@example.com", "anne.line"
    )  # fmt: skip
    assert row["ช่องทางติดต่ออื่น"] == "มือถือ: 0899999999"
    values = list(row.values())
    assert "gold" not in values and "walk_in" not in values and "female" not in values
    assert row["วันเกิด"] == "23 พ.ค. 2533"  # the Buddhist era
    assert row["แท็ก"] == "ประจำ"
    assert row["ความยินยอม: อีเมล, การตลาด"] == "ให้ความยินยอม 5 มี.ค. 2569"
    assert row["ความยินยอม: SMS, การตลาด"] == "ถอนความยินยอม 6 มี.ค. 2569"
    consents = [value for key, value in row.items() if key.startswith("ความยินยอม")]
    assert consents.count("—") == len(consents) - 2


def test_english_columns_and_christian_era(admin_user, anne):
    admin_user.language, admin_user.buddhist_era = "en", False
    admin_user.save()
    [row] = by_header(table(client_for(admin_user).get("/customers/export/")))
    assert row["Member number"] == "M-0001"
    assert (row["Name (Thai)"], row["Name (English)"], row["Nickname"]) == (
        "แอน ใจดี", "Anne Jaidee", "แอนนี่"
    )  # fmt: skip
    assert (row["Mobile"], row["Phone"], row["E-mail"], row["LINE ID"]) == (
        "0812345678", "021234567", "anne@example.com", "anne.line"
    )  # fmt: skip
    assert row["Other contact points"] == "Mobile: 0899999999"
    assert (row["Stage"], row["Tier"], row["Gender"], row["Source"]) == (
        "Customer", "Gold", "Female", "Walk-in"
    )  # fmt: skip
    assert row["Birthday"] == "23 May 1990"
    assert row["Tags"] == "ประจำ" and row["Team"] == admin_user.team.name
    assert row["Consent: e-mail, marketing"] == "granted 5 Mar 2026"
    assert row["Consent: SMS, marketing"] == "withdrawn 6 Mar 2026"
    assert row["Consent: LINE, marketing"] == "—"


def test_xlsx_holds_the_same_rows(admin_user, anne):
    admin_user.language = "en"
    admin_user.save()
    response = client_for(admin_user).get("/customers/export/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][2] == "Name (Thai)" and rows[1][2] == "แอน ใจดี" and len(rows) == 2


def test_a_bad_format_is_refused_naming_the_field(admin_client, anne):
    response = admin_client.get("/customers/export/?format=pdf")
    assert response.status_code == 400 and b"format" in response.content
    assert not AccessExport.objects.exists()


def test_the_export_follows_the_list_filters_and_search(admin_client, anne):
    CustomerFactory(first_name="บี", display_name="บี มั่งมี", tier="silver")
    names = [row[2] for row in table(admin_client.get("/customers/export/?tier=gold"))[1:]]
    assert names == ["แอน ใจดี"]
    found = table(admin_client.get("/customers/export/?q=แอนนี่"))[1:]
    assert [row[2] for row in found] == ["แอน ใจดี"]


def test_a_scoped_rep_exports_only_their_customers(sales_user, team):
    mine = CustomerFactory(display_name="ของฉัน", first_name="ของฉัน", owner=sales_user)
    elsewhere = TeamFactory(name="อื่น")
    CustomerFactory(first_name="คนอื่น", owner=UserFactory(team=elsewhere), team=elsewhere)
    rows = table(client_for(sales_user).get("/customers/export/"))[1:]
    assert [int(row[0]) for row in rows] == [mine.pk]


def test_restricted_customers_are_left_out(admin_client, anne):
    kept = CustomerFactory(first_name="บี", display_name="บี มั่งมี")
    services.customer_restrict(actor=None, customer=anne, reason="คัดค้าน")
    rows = table(admin_client.get("/customers/export/"))[1:]
    assert [int(row[0]) for row in rows] == [kept.pk]


def test_the_front_desk_may_not_export(make_user, anne):
    desk = make_user(Role.FRONTDESK, username="desk")
    assert client_for(desk).get("/customers/export/").status_code == 403


def test_the_access_log_records_the_export(admin_client, admin_user, anne):
    other = CustomerFactory()
    table(admin_client.get("/customers/export/?format=csv"))
    export = AccessExport.objects.get()
    assert (export.user_id, export.customers) == (admin_user.pk, 2)
    assert sorted(CustomerAccess.objects.values_list("customer_id", flat=True)) == sorted(
        [anne.pk, other.pk]
    )


def _many(count: int, owner: Any) -> None:
    for number in range(count):
        customer = CustomerFactory(owner=owner, tier="gold")
        ContactPointFactory(customer=customer, kind="email", value=f"c{number}@example.com")
        customer.tags.add(Tag.objects.get_or_create(name=f"t{number % 3}")[0])
        services.consent_record(
            actor=None, customer=customer, channel="email", status="granted", at=timezone.now()
        )


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_export_runs_a_fixed_number_of_queries(admin_client, admin_user, count):
    _many(count, admin_user)
    admin_client.get("/customers/")  # the session and the shop's profile, once
    with assert_queries(EXPORTS["customer_export"]):
        rows = table(admin_client.get("/customers/export/"))
    assert len(rows) == count + 1


@pytest.mark.parametrize("count", [3, 30])
def test_the_segment_export_runs_a_fixed_number_of_queries(admin_client, admin_user, count):
    _many(count, admin_user)
    rules = {"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]}
    segment = Segment.objects.create(name="ทอง", rules=rules)
    admin_client.get("/customers/")
    with assert_queries(EXPORTS["segment_export"]):
        rows = table(admin_client.get(f"/segments/{segment.pk}/export/"))
    assert len(rows) == count + 1


def test_the_segment_export_has_the_same_readable_columns(admin_user, anne):
    admin_user.language = "en"
    admin_user.save()
    rules = {"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]}
    segment = Segment.objects.create(name="ทอง", rules=rules)
    [row] = by_header(table(client_for(admin_user).get(f"/segments/{segment.pk}/export/")))
    assert (row["Mobile"], row["E-mail"], row["LINE ID"], row["Tier"]) == (
        "0812345678", "anne@example.com", "anne.line", "Gold"
    )  # fmt: skip
    assert (
        row["Consent: e-mail, marketing"] == "granted 5 Mar 2569"
    )  # English, in the B.E. the user keeps


def test_the_list_shows_export_links_with_its_filters(admin_client, anne):
    html = admin_client.get("/customers/?tier=gold&page=1").content.decode()
    assert "/customers/export/?tier=gold&amp;format=csv" in html
    assert "/customers/export/?tier=gold&amp;format=xlsx" in html
