"""Issue 21, the import pages: upload, match columns, check the rows (nothing written),
start, follow the progress, read the report; bad files refused beside the field; another
user's upload or job out of reach."""

import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers import services
from samphan.customers.imports.jobs import import_job_create
from samphan.customers.models import ContactPoint, Customer, ImportJob, ImportMapping
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
CSV = "ชื่อ,มือถือ,วันเกิด,อีเมล\nสมชาย,0812345678,15/01/2530,somchai@example.com\n" \
      "มาลี,12345,31/02/2530,\nวิชัย,0899999999,1 มี.ค. 2531,\n"  # fmt: skip
UPLOAD = reverse("customer_import")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="boss")


@pytest.fixture
def rep(make_user):
    return make_user(Role.SALES, username="rep", team=TeamFactory(name="ทีมใต้"))


def upload(client: Client, name: str, data: bytes, **fields: str):
    file = SimpleUploadedFile(name, data)
    return client.post(UPLOAD, {"file": file, **fields})


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rstrip("/").split("/")[-1]


def mapping_url(token: str) -> str:
    return reverse("customer_import_mapping", args=[token])


def test_the_whole_journey_writes_only_at_start(admin, django_capture_on_commit_callbacks):
    client = client_for(admin)
    page = client.get(UPLOAD)
    assert page.status_code == 200 and b'name="file"' in page.content
    token = token_of(upload(client, "ลูกค้า.csv", CSV.encode()))
    # The upload waits as the importer's own file, 0600.
    kept = Path(settings.MEDIA_ROOT) / "import-uploads" / str(admin.pk) / f"{token}.bin"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    mapping = client.get(mapping_url(token))
    assert mapping.status_code == 200
    columns = mapping.context["columns"]
    assert [c["field"] for c in columns] == ["first_name", "mobile", "birthday", "email"]
    assert columns[0]["samples"] == ["สมชาย", "มาลี", "วิชัย"]
    assert b'value="first_name" selected' in mapping.content
    before = (Customer.objects.count(), AuditEvent.objects.count())
    preview = client.post(mapping_url(token), {
        "columns": "4", "col_0": "first_name", "col_1": "mobile", "col_2": "birthday",
        "col_3": "email", "policy": "skip", "save_as": "ไฟล์หน้าร้าน",
    })  # fmt: skip
    assert preview.status_code == 200
    assert preview.context["ok_count"] == 2 and preview.context["problem_count"] == 1
    malee = preview.context["rows"][1]
    assert malee["action"] == "fail" and malee["line"] == 3
    assert malee["cells"][1]["problems"] and malee["cells"][2]["problems"]  # beside the cell
    assert preview.context["rows"][0]["cells"][2]["saved"] == "15 ม.ค. 2530"  # read as a date
    assert b"import-cell-bad" in preview.content
    # Nothing written by the preview but the mapping saved on purpose.
    assert Customer.objects.count() == before[0] and not ImportJob.objects.exists()
    saved = ImportMapping.objects.get(owner=admin)
    assert saved.name == "ไฟล์หน้าร้าน" and AuditEvent.objects.count() == before[1] + 1
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs it
        started = client.post(reverse("customer_import_start", args=[token]))
    job = ImportJob.objects.get()
    assert started["Location"] == reverse("customer_import_job", args=[job.pk])
    assert not kept.exists()  # the job holds the file now
    report = client.get(started["Location"])
    assert report.status_code == 200 and report.context["finished"]
    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (
        2, 0, 0, 1,
    )  # fmt: skip
    assert report.context["failed_rows"][0]["line"] == 3
    assert reverse("api:import_failed_csv", kwargs={"import_id": job.pk}) in report.content.decode()
    assert b'hx-trigger="every 1s"' not in report.content  # finished: no more polling
    assert client.get(reverse("customer_import_mapping", args=[token])).status_code == 404
    listed = client.get(UPLOAD)
    assert listed.context["jobs"] == [job]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),  # the wrong kind of file
        ("empty.csv", (FIXTURES / "empty.csv").read_bytes()),
        ("truncated.xlsx", (FIXTURES / "truncated.xlsx").read_bytes()),
        ("garbage.bin", (FIXTURES / "garbage.bin").read_bytes()),
        ("only-headers.csv", "ชื่อ,มือถือ\n".encode()),
        ("big.csv", b"a,b\n" + b"x,y\n" * (3 * 1024 * 1024)),  # past 10 MB
    ],
)
def test_a_bad_file_is_refused_beside_the_field_and_nothing_kept(admin, name, data):
    folder = Path(settings.MEDIA_ROOT) / "import-uploads" / str(admin.pk)
    kept = set(folder.iterdir()) if folder.exists() else set()
    response = upload(client_for(admin), name, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and errors["file"][0]
    assert b"field-error" in response.content
    assert (set(folder.iterdir()) if folder.exists() else set()) == kept


def test_no_file_and_a_missing_permission(admin, make_user):
    assert client_for(admin).post(UPLOAD, {}).status_code == 400
    viewer = make_user(Role.VIEWER, username="viewer")
    assert client_for(viewer).get(UPLOAD).status_code == 403
    assert reverse("customer_import").encode() not in client_for(viewer).get("/customers/").content


def test_the_customer_list_and_the_menu_lead_to_the_import(admin):
    page = client_for(admin).get(reverse("customer_list")).content.decode()
    assert page.count(f'href="{UPLOAD}"') == 2  # the list's button and the menu


def test_a_mapping_without_a_name_column_is_refused_naming_it(admin):
    client = client_for(admin)
    token = token_of(upload(client, "c.csv", CSV.encode()))
    response = client.post(mapping_url(token), {
        "columns": "4", "col_0": "", "col_1": "mobile", "col_2": "birthday", "col_3": "email",
        "policy": "skip",
    })  # fmt: skip
    assert response.status_code == 400
    assert list(response.context["errors"]) == ["mapping"]
    for bad in ({"col_0": "first_name", "col_1": "first_name", "policy": "skip"},
                {"col_0": "first_name", "col_1": "no_such_field", "policy": "skip"},
                {"col_0": "first_name", "policy": "replace"}):  # fmt: skip
        response = client.post(mapping_url(token), {"columns": "4", **bad})
        assert response.status_code == 400 and response.context["errors"]
    assert not ImportJob.objects.exists() and not ImportMapping.objects.exists()


def test_a_saved_mapping_is_offered_again_and_an_xlsx_sheet_can_be_chosen(admin):
    client = client_for(admin)
    saved = ImportMapping.objects.create(owner=admin, name="Excel", headers=["x"],
                                         mapping={"0": "nickname", "2": "phone"},
                                         existing_policy="update")  # fmt: skip
    data = (FIXTURES / "customers.xlsx").read_bytes()
    token = token_of(upload(client, "customers.xlsx", data, saved_mapping=str(saved.pk)))
    page = client.get(mapping_url(token))
    assert [c["field"] for c in page.context["columns"]][:3] == ["nickname", None, "phone"]
    assert page.context["policy"] == "update"
    assert b'name="sheet"' in page.content  # two sheets: one may be chosen
    other = client.get(mapping_url(token), {"sheet": "Suppliers"})
    assert other.status_code == 200 and other.context["upload"].sheet == "Suppliers"
    missing = client.get(mapping_url(token), {"sheet": "ไม่มี"})
    assert missing.status_code == 200  # back to the first sheet, not a 500


def test_a_cp874_file_with_the_encoding_chosen(admin):
    client = client_for(admin)
    data = (FIXTURES / "customers-cp874.csv").read_bytes()
    token = token_of(upload(client, "c.csv", data, encoding="cp874"))
    page = client.get(mapping_url(token))
    assert page.status_code == 200 and page.context["table"].encoding == "cp874"
    wrong = upload(client, "c.csv", data, encoding="latin-9")
    assert wrong.status_code == 400 and "encoding" in wrong.context["form"].errors


def test_another_users_upload_and_job_are_out_of_reach(admin, rep, make_user):
    token = token_of(upload(client_for(admin), "c.csv", CSV.encode()))
    rep_client = client_for(rep)
    assert rep_client.get(mapping_url(token)).status_code == 404
    assert rep_client.post(reverse("customer_import_start", args=[token])).status_code == 404
    assert rep_client.get("/customers/import/..%2F..%2Fetc%2Fpasswd/").status_code == 404
    job = import_job_create(actor=admin, data=CSV.encode(), file_name="c.csv",
                            mapping={0: "first_name"}, enqueue=False)  # fmt: skip
    page = reverse("customer_import_job", args=[job.pk])
    assert rep_client.get(page).status_code == 403
    assert rep_client.post(reverse("customer_import_cancel", args=[job.pk])).status_code == 403
    assert job.pk not in [j.pk for j in rep_client.get(UPLOAD).context["jobs"]]
    manager = make_user(Role.MANAGER, username="manager")
    assert client_for(manager).get(page).status_code == 200
    assert job in client_for(manager).get(UPLOAD).context["jobs"]
    assert (
        client_for(admin).get(reverse("customer_import_job", args=[job.pk + 99])).status_code == 404
    )


def test_the_progress_polls_until_the_end_and_can_be_cancelled(admin):
    client = client_for(admin)
    job = import_job_create(actor=admin, data=CSV.encode(), file_name="c.csv",
                            mapping={0: "first_name"}, enqueue=False)  # fmt: skip
    page = reverse("customer_import_job", args=[job.pk])
    polled = client.get(page, headers={"HX-Request": "true"})
    body = polled.content.decode()
    assert polled.status_code == 200 and 'hx-trigger="every 1s"' in body
    assert "<progress" in body and "<html" not in body
    cancelled = client.post(reverse("customer_import_cancel", args=[job.pk]))
    assert cancelled["Location"] == page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    after = client.get(page, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in after and "<progress" not in after


def test_a_matching_row_says_what_it_will_do(admin):
    services.customer_create(actor=admin, fields={"first_name": "สมชาย"},
                             contact_points=[{"kind": "mobile", "value": "0812345678"}])  # fmt: skip
    client = client_for(admin)
    token = token_of(upload(client, "c.csv", CSV.encode()))
    preview = client.post(mapping_url(token), {"columns": "4", "col_0": "first_name",
                                               "col_1": "mobile", "col_3": "email",
                                               "policy": "fill"})  # fmt: skip
    assert preview.context["actions"]["fill"] == 1
    assert preview.context["rows"][0]["action"] == "fill"
    assert ContactPoint.objects.filter(value="somchai@example.com").count() == 0


def test_starting_before_the_preview_goes_back_to_the_columns(admin):
    client = client_for(admin)
    token = token_of(upload(client, "c.csv", CSV.encode()))
    started = client.post(reverse("customer_import_start", args=[token]))
    assert started["Location"] == mapping_url(token) and not ImportJob.objects.exists()
    assert client.get(reverse("customer_import_start", args=[token])).status_code == 405
