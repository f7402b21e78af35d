"""The mapping step on the committed fixtures (issue 21, import UI): dates as import files
write them, several phones in one vCard cell, a phone an XLSX stored as a number."""

import datetime as dt
from pathlib import Path

import pytest

from samphan.accounts.models import Role
from samphan.customers.imports.mapping import preview_rows, propose_mapping
from samphan.customers.imports.readers import read_table

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


def preview(name: str, user, **read: str):
    table = read_table((FIXTURES / name).read_bytes(), name, **read)
    mapping = propose_mapping(table.headers)
    rows = preview_rows(table.headers, table.rows, mapping, existing_policy="skip", user=user)
    return table, rows


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="boss")


def test_dates_are_read_day_first_with_thai_month_names_in_either_era(admin):
    headers = ["ชื่อ", "วันเกิด"]
    rows = [["ก", "15 มกราคม 2530"], ["ข", "15 ม.ค. 2530"], ["ค", "15 Jan 1987"],
            ["ง", "15/1/30"]]  # fmt: skip
    first, second, third, fourth = preview_rows(
        headers, rows, {0: "first_name", 1: "birthday"}, existing_policy="skip", user=admin
    )
    for row in (first, second, third):
        assert row.problems == {} and row.fields["birthday"] == dt.date(1987, 1, 15)
    assert fourth.action == "fail" and 1 in fourth.problems  # a two-digit year is refused


def test_a_vcard_cell_with_several_phones_gives_a_contact_point_each(admin):
    _table, (somchai, _john) = preview("contacts-iphone.vcf", admin)
    assert somchai.problems == {}
    assert somchai.contact_points[:3] == [
        {"kind": "mobile", "value": "+66812345678"},
        {"kind": "mobile", "value": "+66899998888"},
        {"kind": "phone", "value": "+6621234567"},
    ]


def test_a_thai_phone_an_xlsx_stored_as_a_number_gets_its_leading_zero(admin):
    table, (_somchai, malee) = preview("customers.xlsx", admin)
    assert table.rows[1][2] == "812345679"  # Excel dropped the 0
    assert malee.problems == {}
    assert malee.contact_points == [{"kind": "mobile", "value": "+66812345679"}]
    assert malee.fields["birthday"] == dt.date(1995, 6, 30)
