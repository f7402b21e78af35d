"""Issue 21, import speed: a batch of the import job is written set-based
(``customers/imports/batch.py``) and leaves exactly what ``customer_create`` leaves (the
row, tags, contact points, consents and their bits, the search index, the audit rows);
the same phone twice in one file is one customer, per the policy; every row of a file
with 5% bad rows ends in exactly one count; a batch commits with its cursor; the number
of statements of a batch does not grow with its rows; reasons in the importer's
language. Real files, real database."""

import csv
import datetime as dt
import io
import json
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.core import uploads
from samphan.core.models import AuditEvent
from samphan.core.search import search_filter
from samphan.customers import services
from samphan.customers.imports.jobs import _file_date, import_job_create, import_job_run
from samphan.customers.imports.mapping import preview_rows, propose_mapping
from samphan.customers.imports.readers import read_table
from samphan.customers.models import ContactPoint, Customer, ImportJob, Tag

pytestmark = pytest.mark.django_db

HEADERS = ["ชื่อ", "นามสกุล", "ชื่อเล่น", "มือถือ", "อีเมล", "ไลน์", "วันเกิด", "เพศ", "จังหวัด",
           "แท็ก", "เลขสมาชิก", "consent_email_marketing", "consent_sms_marketing",
           "consent date"]  # fmt: skip


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="boss")


def _csv(rows, headers=HEADERS):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


def _run(actor, data, policy="skip", batch_size=500, max_batches=None):
    mapping = propose_mapping(read_table(data, "c.csv").headers)
    job = import_job_create(
        actor=actor, data=data, file_name="c.csv", mapping=mapping, policy=policy, enqueue=False
    )
    return import_job_run(job, batch_size=batch_size, max_batches=max_batches)


def _counts(job):
    return (job.created_count, job.updated_count, job.skipped_count, job.failed_count)


ROW = ["สมหญิง", "ใจดี", "แอน", "081-234-5678", "Ann@Example.com", "ann.line", "15/01/2530",
       "หญิง", "เชียงใหม่", "VIP, ลูกค้าประจำ", "", "ใช่", "ไม่", "1/3/2567"]  # fmt: skip
PLAIN_FIELDS = [
    f.attname
    for f in Customer._meta.concrete_fields
    if f.attname not in ("id", "created_at", "updated_at")
]


def _audit(customer):
    """The customer's audit rows, ids made comparable: (action, subject type, changes)."""
    entries = AuditEvent.objects.filter(customer_id=customer.pk)
    rows = []
    for entry in entries:
        changes = json.dumps(entry.changes, sort_keys=True)
        rows.append((entry.action, entry.subject_type, changes))
    return sorted(rows)


def test_an_imported_customer_is_what_customer_create_makes(admin):
    job = _run(admin, _csv([ROW]))
    assert _counts(job) == (1, 0, 0, 0)
    imported = Customer.objects.get()
    # The same row, through the services as a page would save it.
    table = read_table(_csv([ROW]), "c.csv")
    (preview,) = preview_rows(
        table.headers,
        table.rows,
        propose_mapping(table.headers),
        existing_policy="create",
        user=admin,
        parse_date=_file_date,
    )
    made = services.customer_create(
        actor=admin,
        fields=preview.fields,
        tags=[Tag.objects.get(name=name) for name in preview.tags],
        contact_points=preview.contact_points,
        allow_duplicate=True,
    )
    for consent in preview.consents:
        at = timezone.make_aware(dt.datetime.combine(consent.pop("at"), dt.time()))
        services.consent_record(actor=admin, customer=made, at=at, **consent)
    imported.refresh_from_db()
    made.refresh_from_db()
    for name in PLAIN_FIELDS:
        assert getattr(imported, name) == getattr(made, name), name
    assert imported.owner == admin and imported.team_id == admin.team_id
    assert imported.consent_bits is not None
    assert set(imported.tags.values_list("name", flat=True)) == {"VIP", "ลูกค้าประจำ"}
    assert list(imported.tags.all()) == list(made.tags.all())

    def points(customer):
        return list(customer.contact_points.values_list("kind", "value", "label", "is_preferred"))

    assert points(imported) == points(made)
    assert ("email", "ann@example.com", "", False) in points(imported)

    def consents(customer):
        return list(
            customer.consents.order_by("channel").values_list(
                "channel", "purpose", "status", "at", "source", "wording_version", "recorded_by"
            )
        )

    assert consents(imported) == consents(made)
    assert len(consents(imported)) == 2
    # Found by search as any customer: phone digits, a name, the LINE ID.
    for term in ("0812345678", "สมหญิง", "ann.line", "แอน"):
        found = set(search_filter(Customer.objects.all(), term).values_list("pk", flat=True))
        assert found == {imported.pk, made.pk}, term
    # The same audit rows: the customer's creation, each contact point's, each consent's.
    assert _audit(imported) == _audit(made)
    assert len(_audit(imported)) == 1 + 3 + 2
    assert (
        AuditEvent.objects.get(subject_type="customers.customer", subject_id=imported.pk).actor
        == admin
    )


def _twice(second_name=""):
    first = ["สมชาย", "", "ชาย", "081-234-5678", "", "", "", "", "", "VIP", "", "", "", ""]
    second = ["สมชาย", second_name, "", "+66 81 234 5678", "somchai@example.com", "", "", "",
              "ขอนแก่น", "ลูกค้าประจำ", "", "", "", ""]  # fmt: skip
    return _csv([first, second])


@pytest.mark.parametrize("batch_size", [500, 1])
@pytest.mark.parametrize(
    ("policy", "counts", "customers"),
    [
        ("skip", (1, 0, 1, 0), 1),
        ("fill", (1, 1, 0, 0), 1),
        ("update", (1, 1, 0, 0), 1),
        ("create", (2, 0, 0, 0), 2),
    ],
)
def test_the_same_phone_twice_in_one_file_is_one_customer(
    admin, policy, counts, customers, batch_size
):
    job = _run(admin, _twice("ใจดี"), policy=policy, batch_size=batch_size)
    assert _counts(job) == counts
    assert Customer.objects.count() == customers
    first = Customer.objects.order_by("pk").first()
    if policy in ("fill", "update"):
        assert first.last_name == "ใจดี" and first.province == "ขอนแก่น"
        assert first.nickname == "ชาย"
        assert sorted(first.contact_points.values_list("value", flat=True)) == [
            "+66812345678",
            "somchai@example.com",
        ]
        assert sorted(first.tags.values_list("name", flat=True)) == ["VIP", "ลูกค้าประจำ"]
        assert search_filter(Customer.objects.all(), "somchai@example").get() == first
    if policy == "create":
        assert Customer.objects.filter(duplicate_review=True).count() == 1
    assert ContactPoint.objects.filter(value="+66812345678").count() == customers


def test_with_policy_create_every_repeat_of_a_phone_is_created_and_flagged(admin):
    services.customer_create(
        actor=admin,
        fields={"first_name": "สมชาย"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
    )
    row = ["สมชาย", "", "", "081-234-5678", "", "", "", "", "", "", "", "", "", ""]
    job = _run(admin, _csv([row, row]), policy="create")
    assert _counts(job) == (2, 0, 0, 0)
    assert Customer.objects.filter(duplicate_review=True).count() == 2


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_with_policy_create_a_phone_from_an_earlier_batch_is_created_and_flagged(admin, batch_size):
    # The third row's phone is held by two customers an earlier batch created (the first
    # and the repeat created anyway): it is created and flagged too, as within one batch.
    row = ["สมชาย", "", "", "081-234-5678", "", "", "", "", "", "", "", "", "", ""]
    job = _run(admin, _csv([row, row, row]), policy="create", batch_size=batch_size)
    assert _counts(job) == (3, 0, 0, 0)
    assert Customer.objects.filter(duplicate_review=True).count() == 2
    assert ContactPoint.objects.filter(value="+66812345678").count() == 3


def test_a_row_matching_two_customers_of_the_file_fails_and_says_why(admin):
    rows = [
        ["เอ", "", "", "0812345678", "", "", "", "", "", "", "", "", "", ""],
        ["บี", "", "", "0898765432", "b@example.com", "", "", "", "", "", "", "", "", ""],
        ["ซี", "", "", "0812345678", "b@example.com", "", "", "", "", "", "", "", "", ""],
        ["ดี", "", "", "0811111111", "", "", "", "", "", "", "M-1", "", "", ""],
        ["อี", "", "", "0822222222", "", "", "", "", "", "", "M-1", "", "", ""],
    ]
    job = _run(admin, _csv(rows), policy="fill")
    assert _counts(job) == (3, 0, 0, 2)
    reasons = {failed["line"]: (failed["column"], failed["reason"]) for failed in job.failed_rows}
    assert reasons[4] == ("มือถือ", "ช่องทางติดต่อเหล่านี้เป็นของลูกค้า 2 รายที่ต่างกัน กรุณารวมรายชื่อก่อน")
    assert reasons[6][0] == "เลขสมาชิก" and "เลขสมาชิก" in reasons[6][1]


BAD = {
    3: "12345",  # mobile
    4: "ไม่มีอีเมล",  # e-mail
    6: "31/02/2530",  # birthday
    7: "ไม่ระบุ",  # gender
    9: "[VIP]",  # tags
}


def _generated(count, seed=21):
    """``count`` rows, 5% bad (one kind in turn) and some that repeat an earlier mobile;
    the line numbers of the bad rows and how many repeat."""
    rng = random.Random(seed)
    rows, bad_lines, repeats, phones = [], set(), 0, []
    for n in range(count):
        row = [f"ลูกค้า{n}", "ทดสอบ", "", f"08{n % 10}{n:07d}", f"c{n}@example.com", "", "1/2/2530",
               "หญิง", "", "", "", "", "", ""]  # fmt: skip
        if n % 20 == 7:
            column = list(BAD)[len(bad_lines) % len(BAD)]
            row[column] = BAD[column]
            bad_lines.add(n + 2)
        elif phones and rng.random() < 0.03:
            row[3], row[4] = rng.choice(phones), ""
            repeats += 1
        else:
            phones.append(row[3])
        rows.append(row)
    return _csv(rows), bad_lines, repeats


def test_every_row_of_a_file_with_five_percent_bad_rows_is_in_exactly_one_count(admin):
    data, bad_lines, repeats = _generated(400)
    job = _run(admin, data, batch_size=64)
    assert job.status == ImportJob.Status.DONE
    assert sum(_counts(job)) == job.total_rows == 400
    assert _counts(job) == (400 - 20 - repeats, 0, repeats, 20)
    assert {failed["line"] for failed in job.failed_rows} == bad_lines
    assert Customer.objects.count() == job.created_count
    assert all(failed["reason"] and failed["column"] for failed in job.failed_rows)


def test_a_run_stopped_after_one_batch_resumes_and_nothing_is_written_twice(admin):
    data, _bad, repeats = _generated(200)
    job = _run(admin, data, batch_size=64, max_batches=1)
    assert job.status == ImportJob.Status.RUNNING and job.next_row == 64
    assert (
        sum(_counts(job)) == 64 == Customer.objects.count() + job.skipped_count + job.failed_count
    )
    job = import_job_run(job, batch_size=64)  # the restarted worker
    assert job.status == ImportJob.Status.DONE
    assert _counts(job) == (200 - 10 - repeats, 0, repeats, 10)
    assert Customer.objects.count() == job.created_count
    values = list(ContactPoint.objects.values_list("value", flat=True))
    assert len(values) == len(set(values))  # no customer twice
    creations = AuditEvent.objects.filter(subject_type="customers.customer", action="create")
    assert creations.count() == job.created_count
    assert len(job.failed_rows) == 10


def test_a_batch_costs_the_same_statements_whatever_its_rows(admin):
    def statements(count):
        Customer.objects.all().delete()
        data, _bad, _repeats = _generated(count, seed=count)
        mapping = propose_mapping(read_table(data, "c.csv").headers)
        job = import_job_create(
            actor=admin, data=data, file_name="c.csv", mapping=mapping, enqueue=False
        )
        with CaptureQueriesContext(connection) as queries:
            import_job_run(job)
        return len(queries)

    assert statements(40) == statements(400)


def test_a_failed_rows_reason_is_in_the_importers_language(admin, make_user):
    data = _csv([["วิชัย", "", "", "12345", "", "", "", "", "", "", "", "", "", ""]])
    job = _run(admin, data)
    assert job.failed_rows[0]["reason"] == "“12345” ไม่ใช่หมายเลขโทรศัพท์ที่ถูกต้อง"
    english = make_user(Role.ADMIN, username="english", language="en")
    job = _run(english, data)
    assert job.failed_rows[0]["reason"] == "“12345” is not a valid phone number."


def test_a_file_of_100000_customers_written_in_thai_is_under_the_upload_cap():
    row = ["ประภาพร", "ทรัพย์สมบูรณ์", "มิ้นท์", "081-234-5678", "praphaporn.sapsomboon12345@hotmail.com",
           "15/01/2530", "หญิง", "สุราษฎร์ธานี", "ลูกค้าประจำ, VIP"]  # fmt: skip
    assert len(_csv([row] * 100_000, headers=row)) < uploads.IMPORT.max_bytes


def test_audit_rows_written_from_templates_are_what_snapshot_and_json_write(admin):
    """The batch's audit JSON is built without ``snapshot``'s per-field look-ups: a
    customer with a value of each kind it converts (a date, an aware time, a file, JSON
    data, a choice) and contact values JSON must escape read the same as the services'."""
    from samphan.core.audit import diff, snapshot
    from samphan.customers.imports.batch import Target, _customer_created, _point_created
    from samphan.customers.services.customers import AUDITED_CUSTOMER_FIELDS

    vip = Tag.objects.create(name="VIP")
    customer = services.customer_create(
        actor=admin, fields={"first_name": "สมหญิง", "birthday": dt.date(1987, 1, 15)}
    )
    customer.archived_at = dt.datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=7))
    )
    customer.custom_fields = {"สี": "แดง", "n": 3}
    customer.photo.name = "customers/photo.jpg"
    customer.kind = Customer.Kind.COMPANY
    customer.tags.set([vip])
    expected = diff({}, snapshot(customer, AUDITED_CUSTOMER_FIELDS))
    made = _customer_created(Target(customer, new=True, tags=["VIP"]), {"VIP": vip})
    assert made == expected
    assert json.dumps(made) == json.dumps(expected)
    for kind, value in [("email", "ann@example.com"), ("line", 'a"b\\c'), ("phone", "ไทย\n")]:
        after = {"kind": kind, "value": value, "label": "", "is_preferred": False}
        assert _point_created(kind, value) == json.dumps(diff({}, after))
