"""Issue 21, the import job: every row of a file ends in exactly one count, a run that
stops mid-way resumes and writes nothing twice, a cancel stops between batches, the
existing-row policies, the importer's visibility, one audit entry with the file's hash,
and the failed rows as a CSV to fix and upload again. Real files, real database."""

import csv
import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers import services
from samphan.customers.imports.jobs import (
    import_job_cancel,
    import_job_create,
    import_job_failed_csv,
    import_job_run,
)
from samphan.customers.imports.mapping import propose_mapping
from samphan.customers.imports.readers import read_table
from samphan.customers.models import ContactPoint, Customer, ImportFailedRow, ImportJob
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
BAD_ROWS = (FIXTURES / "customers-bad-rows.csv").read_bytes()


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="boss")


def _job(actor, data=BAD_ROWS, name="customers-bad-rows.csv", policy="skip"):
    mapping = propose_mapping(read_table(data, name).headers)
    return import_job_create(
        actor=actor, data=data, file_name=name, mapping=mapping, policy=policy, enqueue=False
    )


def _counts(job):
    return (job.created_count, job.updated_count, job.skipped_count, job.failed_count)


def test_every_row_of_a_file_with_bad_rows_ends_in_exactly_one_count(admin, settings):
    job = import_job_run(_job(admin))
    assert job.status == ImportJob.Status.DONE
    assert job.total_rows == 10
    assert _counts(job) == (4, 0, 0, 6)
    assert sum(_counts(job)) == job.total_rows == job.next_row
    assert Customer.objects.count() == 4
    assert {f["line"] for f in job.failed_rows} == {4, 5, 6, 7, 8, 9}
    reasons = {f["line"]: (f["column"], f["reason"]) for f in job.failed_rows}
    assert reasons[4][0] == "เบอร์โทร"
    assert reasons[5][0] == "อีเมล"
    assert reasons[6][0] == reasons[8][0] == "วันเกิด"
    assert reasons[9][0] == "เพศ"
    # The file is kept privately: under MEDIA_ROOT/imports/, readable by this account only.
    path = Path(job.file.path)
    assert path.parent == Path(settings.MEDIA_ROOT) / "imports"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert job.sha256 == hashlib.sha256(BAD_ROWS).hexdigest()


def test_a_run_that_stops_after_one_batch_resumes_and_writes_nothing_twice(admin):
    job = _job(admin)
    job = import_job_run(job, batch_size=4, max_batches=1)  # then the worker "crashes"
    assert job.status == ImportJob.Status.RUNNING
    assert job.next_row == 4
    assert _counts(job) == (2, 0, 0, 2)
    assert Customer.objects.count() == 2
    job = import_job_run(job, batch_size=4)  # the restarted worker
    assert job.status == ImportJob.Status.DONE
    assert _counts(job) == (4, 0, 0, 6)
    assert Customer.objects.count() == 4
    assert ContactPoint.objects.filter(value="+66812345678").count() == 1
    assert len(job.failed_rows) == 6
    import_job_run(job)  # a third run of a finished job changes nothing
    assert Customer.objects.count() == 4
    assert AuditEvent.objects.filter(subject_type="customers.importjob").count() == 1


def test_a_cancel_stops_between_batches_and_what_was_written_stays(admin):
    job = import_job_run(_job(admin), batch_size=4, max_batches=1)
    import_job_cancel(actor=admin, job=job)
    job = import_job_run(job, batch_size=4)
    assert job.status == ImportJob.Status.CANCELLED
    assert job.next_row == 4 and sum(_counts(job)) == 4
    assert Customer.objects.count() == 2
    assert job.finished_at is not None


def test_a_queued_import_cancelled_never_runs(admin):
    job = import_job_cancel(actor=admin, job=_job(admin))
    assert import_job_run(job).status == ImportJob.Status.CANCELLED
    assert Customer.objects.count() == 0


def _existing(admin):
    return services.customer_create(
        actor=admin,
        fields={"first_name": "สมชาย", "nickname": "ชาย"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
    )


@pytest.mark.parametrize(
    ("policy", "counts", "customers", "last_name"),
    [
        ("skip", (3, 0, 1, 6), 4, ""),
        ("fill", (3, 1, 0, 6), 4, "ใจดี"),
        ("update", (3, 1, 0, 6), 4, "ใจดี"),
        ("create", (4, 0, 0, 6), 5, ""),
    ],
)
def test_policies_for_a_row_that_matches_a_customer(admin, policy, counts, customers, last_name):
    existing = _existing(admin)
    job = import_job_run(_job(admin, policy=policy))
    assert _counts(job) == counts
    assert Customer.objects.count() == customers
    existing.refresh_from_db()
    assert existing.last_name == last_name
    if policy == "fill":
        assert existing.nickname == "ชาย"
        assert sorted(existing.tags.values_list("name", flat=True)) == ["VIP"]
    if policy == "create":
        assert Customer.objects.filter(duplicate_review=True).count() == 1


def test_an_import_respects_the_importers_visibility(make_user):
    other_team = TeamFactory(name="ทีมเชียงใหม่")
    stranger = make_user(Role.SALES, username="stranger", team=other_team)
    hidden = services.customer_create(
        actor=stranger,
        fields={"first_name": "ลับ"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
    )
    seller = make_user(Role.SALES, username="seller")
    job = import_job_run(_job(seller, policy="update"))
    # A match the importer cannot see is never updated nor named: the row is created
    # as the importer's own, flagged for a manager's review.
    assert _counts(job) == (4, 0, 0, 6)
    hidden.refresh_from_db()
    assert hidden.first_name == "ลับ" and hidden.last_name == ""
    created = Customer.objects.exclude(pk=hidden.pk)
    assert set(created.values_list("owner_id", flat=True)) == {seller.pk}
    assert set(created.values_list("team_id", flat=True)) == {seller.team_id}
    assert created.get(first_name="สมชาย").duplicate_review is True


def test_one_audit_entry_per_import_with_the_hash_and_counts(admin):
    job = import_job_run(_job(admin))
    entry = AuditEvent.objects.get(subject_type="customers.importjob", subject_id=job.pk)
    assert entry.actor == admin
    assert entry.changes["import"] == {
        "file_name": "customers-bad-rows.csv",
        "sha256": hashlib.sha256(BAD_ROWS).hexdigest(),
        "status": "done",
        "total_rows": 10,
        "created": 4,
        "updated": 0,
        "skipped": 0,
        "failed": 6,
    }
    # and each customer's creation, as any other
    assert (
        AuditEvent.objects.filter(
            subject_type="customers.customer", action=AuditEvent.Action.CREATE
        ).count()
        == 4
    )


def test_the_failed_rows_come_back_as_a_csv_to_fix_and_upload_again(admin):
    job = import_job_run(_job(admin))
    text = import_job_failed_csv(job)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:7] == ["ชื่อ", "นามสกุล", "เบอร์โทร", "อีเมล", "วันเกิด", "เพศ", "แท็ก"]
    assert len(rows) == 7
    assert rows[1][:3] == ["วิชัย", "มั่นคง", "12345"]
    assert rows[1][7:9] == ["4", "เบอร์โทร"]
    assert rows[1][9]
    # The file uploaded again (after the extra columns are dropped) reads with the same
    # headers, so the saved mapping applies again.
    again = "\n".join(",".join(r[:7]) for r in rows).encode()
    assert read_table(again, "fixed.csv").headers == rows[0][:7]


def test_bad_input_is_refused_before_anything_is_stored(admin):
    with pytest.raises(ValidationError) as error:
        import_job_create(actor=admin, data=b"", file_name="empty.csv", mapping={0: "first_name"})
    assert "file" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        import_job_create(actor=admin, data=BAD_ROWS, file_name="x.csv", mapping={0: "nope"})
    assert "mapping" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _job(admin, policy="merge")
    assert "existing_policy" in error.value.message_dict
    assert ImportJob.objects.count() == 0


def test_the_import_command_runs_a_file_and_prints_the_report(admin):
    out = io.StringIO()
    mapping = json.dumps(
        {str(i): f for i, f in propose_mapping(read_table(BAD_ROWS, "x.csv").headers).items()}
    )
    call_command(
        "import",
        str(FIXTURES / "customers-bad-rows.csv"),
        "--mapping",
        mapping,
        "--user",
        "boss",
        stdout=out,
    )
    report = out.getvalue()
    assert "10 rows: 4 created, 0 updated, 0 skipped, 6 failed" in report
    assert "line 4 เบอร์โทร" in report
    assert Customer.objects.filter(owner=admin).count() == 4
    with pytest.raises(CommandError, match="no saved mapping"):
        call_command(
            "import",
            str(FIXTURES / "customers-bad-rows.csv"),
            "--mapping",
            "nope",
            "--user",
            "boss",
        )


def test_failed_rows_are_rows_of_their_own_written_once(admin):
    # Issue 21, import speed: each batch adds its failed rows (one INSERT); it never
    # rewrites the ones before (they were a JSON list on the job, rewritten every batch).
    job = import_job_run(_job(admin), batch_size=3, max_batches=2)
    first = {row.pk: (row.line, row.reason) for row in ImportFailedRow.objects.all()}
    assert first
    job = import_job_run(job, batch_size=3)
    rows = ImportFailedRow.objects.filter(job=job)
    assert {pk: first[pk] for pk in first} == {
        row.pk: (row.line, row.reason) for row in rows if row.pk in first
    }
    assert rows.count() == job.failed_count == 6
    assert [f["line"] for f in job.failed_rows] == sorted(f["line"] for f in job.failed_rows)
    job.delete()  # they go with their import (privacy registry: deleted with it)
    assert not ImportFailedRow.objects.exists()
