"""The audit log read for people: names instead of codes, dates as Thai readers write them."""

import pytest
from django.utils import translation

from samphan.core.dates import buddhist_era_preference
from samphan.core.history import history_lines
from samphan.core.models import AuditEvent
from tests.factories import CustomerFactory, UserFactory
from tests.querycount import assert_queries


@pytest.fixture
def thai():
    token = buddhist_era_preference.set(True)
    with translation.override("th"):
        yield
    buddhist_era_preference.reset(token)


def event(subject_type: str, changes: dict, actor=None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor, action="update", subject_type=subject_type, subject_id=1, changes=changes
    )


def test_a_customer_change_reads_in_thai(db, thai):
    before = UserFactory(username="sales1", first_name="ศิริพร", last_name="ขายเก่ง")
    after = UserFactory(username="sales2", first_name="ธนากร", last_name="")
    event(
        "customers.customer",
        {
            "birthday": ["1983-05-23", "1983-05-24"],
            "tier": ["none", "gold"],
            "is_vip": [False, True],
            "owner": [before.pk, after.pk],
            "archived_at": [None, "2026-12-06 06:57:29.994142+00:00"],
            "customers": [3, 0],
        },
    )
    with assert_queries(2):  # the events, then the users they name
        [line] = history_lines(AuditEvent.objects.all())
    assert (line.action, line.subject) == ("แก้ไข", "ลูกค้า")
    shown = [(change.name, change.before, change.after) for change in line.changes]
    assert shown == [
        ("วันเกิด", "23 พ.ค. 2526", "24 พ.ค. 2526"),
        ("ระดับ", "ไม่มีระดับ", "โกลด์"),
        ("VIP", "ไม่", "ใช่"),
        ("ผู้ดูแล", "ศิริพร ขายเก่ง", "ธนากร"),
        ("เก็บถาวร", "—", "6 ธ.ค. 2569 13:57"),  # 06:57 UTC is 13:57 in Bangkok
        ("ลูกค้า", "3", "0"),
    ]


def test_a_gone_record_and_an_unknown_model_still_read(db, thai):
    customer = CustomerFactory()
    event(
        "customers.interaction", {"customer": [None, customer.pk + 1000], "kind": [None, "visit"]}
    )
    event("nothing.here", {"field_name": [None, "x"]})
    interaction, unknown = history_lines(AuditEvent.objects.order_by("id"))
    assert interaction.subject == "การติดต่อ"
    assert [(c.before, c.after) for c in interaction.changes] == [
        ("—", f"#{customer.pk + 1000}"),
        ("—", "เยี่ยมลูกค้า"),
    ]
    assert unknown.subject == "nothing.here"
    assert [(c.name, c.after) for c in unknown.changes] == [("Field name", "x")]


def test_a_stored_file_name_reads_as_a_file():
    from django.utils import translation

    from samphan.core.history import value_label
    from samphan.customers.models import Customer

    with translation.override("en"):
        assert value_label(Customer._meta.get_field("photo"), "5ec690a4.png") == "a file"
