"""Uploaded files on shared S3-compatible storage (issue 22; docs/operations.md, "Uploaded
files on several servers"). Each test runs twice: on the local disk (the default) and
against a real S3 server on loopback (moto's server mode, ``s3_server`` in
tests/conftest.py) as the default storage, each test under a prefix of its own. On S3,
nothing may reach the local media folder: every reader and writer goes through the
storage API."""

import csv
import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from samphan.accounts.models import Role
from samphan.customers import services
from samphan.customers.models import Customer, ImportJob
from samphan.exports.build import data_export_create, data_export_run, data_exports_expire
from samphan.exports.models import DataExport
from samphan.privacy.erasure import customer_erase
from tests.conftest import s3_client
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


class Media:
    """Where the files went: the bucket (under this test's prefix) or the local folder."""

    def __init__(self, kind: str, folder: Path, options: dict[str, Any] | None) -> None:
        self.kind, self.folder, self.options = kind, folder, options

    def names(self) -> set[str]:
        if self.options is None:
            return {str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file()}
        prefix = self.options["location"] + "/"
        listed = s3_client(self.options).list_objects_v2(
            Bucket=self.options["bucket_name"], Prefix=prefix
        )
        return {item["Key"].removeprefix(prefix) for item in listed.get("Contents", [])}

    def read(self, name: str) -> bytes:
        if self.options is None:
            return (self.folder / name).read_bytes()
        key = f"{self.options['location']}/{name}"
        body = s3_client(self.options).get_object(Bucket=self.options["bucket_name"], Key=key)
        return bytes(body["Body"].read())

    def private(self, name: str) -> bool:
        """On S3: nobody but the owner holds a grant (no AllUsers, no AuthenticatedUsers)."""
        if self.options is None:
            return (self.folder / name).stat().st_mode & 0o077 == 0
        acl = s3_client(self.options).get_object_acl(
            Bucket=self.options["bucket_name"], Key=f"{self.options['location']}/{name}"
        )
        return all("URI" not in grant["Grantee"] for grant in acl["Grants"])


@pytest.fixture(params=["disk", "s3"])
def media(request: Any, settings: Any, tmp_path: Path) -> Any:
    """The default storage for one test: the local disk, or the S3 server."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "disk":
        yield Media("disk", settings.MEDIA_ROOT, None)
        return
    options = {**request.getfixturevalue("s3_server"), "location": uuid.uuid4().hex}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "samphan.core.s3.PrivateS3Storage", "OPTIONS": options},
    }
    yield Media("s3", settings.MEDIA_ROOT, options)
    # Everything went to the bucket: not one file on the local disk.
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def face() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(buffer, "PNG")
    return SimpleUploadedFile("face.png", buffer.getvalue(), content_type="image/png")


def test_the_backend_is_the_one_asked_for(media: Media) -> None:
    expected = {"disk": "FileSystemStorage", "s3": "PrivateS3Storage"}[media.kind]
    assert type(storages["default"]).__name__ == expected
    assert default_storage.exists("nothing-here.txt") is False


def test_a_photo_uploaded_on_the_page_is_served_only_to_those_who_may_see_the_customer(
    media: Media, sales_user: Any
) -> None:
    customer = services.customer_create(actor=sales_user, fields={"first_name": "มาลี"})
    data = {"first_name": "มาลี", "stage": "lead", "tier": "none"}
    data |= {"owner": sales_user.pk, "team": sales_user.team_id}
    owner = client_for(sales_user)
    response = owner.post(f"/customers/{customer.pk}/edit/", {**data, "photo": face()})
    assert response.status_code == 302
    customer.refresh_from_db()
    photo, thumbnail = customer.photo.name, customer.photo_thumbnail.name
    assert media.names() == {photo, thumbnail}
    assert media.private(photo) and media.private(thumbnail)
    # The address is the app's own view, never the bucket's (signed or not).
    assert customer.photo.url == f"/media/{photo}"
    served = owner.get(customer.photo.url)
    assert served.status_code == 200
    body = b"".join(served.streaming_content)
    assert body == media.read(photo) and body.startswith(b"\xff\xd8")  # the JPEG kept
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Length"] == str(len(body))
    assert served["Cache-Control"] == "private, max-age=3600"
    again = owner.get(customer.photo.url, headers={"If-Modified-Since": served["Last-Modified"]})
    assert again.status_code == 304
    assert owner.get(customer.photo_thumbnail.url).status_code == 200
    # Another team's salesperson, someone without the permission, and the public: refused.
    outsider = UserFactory(username="outsider", role=Role.SALES, team=TeamFactory(name="เหนือ"))
    assert client_for(outsider).get(customer.photo.url).status_code == 404
    assert client_for(outsider).get(customer.photo_thumbnail.url).status_code == 404
    assert client_for(UserFactory(username="nobody")).get(customer.photo.url).status_code == 404
    assert Client().get(customer.photo.url).status_code == 302  # to the login page
    assert owner.get(f"/media/photos/{uuid.uuid4().hex}.jpg").status_code == 404


def test_an_import_runs_from_the_uploaded_file_end_to_end(
    media: Media, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_user(Role.ADMIN, username="boss")
    client = client_for(admin)
    text = "ชื่อ,มือถือ\nสมชาย,0812345678\nมาลี,12345\nวิชัย,0899999999\n"
    upload = client.post(
        reverse("customer_import"), {"file": SimpleUploadedFile("ลูกค้า.csv", text.encode())}
    )
    assert upload.status_code == 302, upload.content.decode()[:2000]
    token = upload["Location"].rstrip("/").split("/")[-1]
    waiting = {f"import-uploads/{admin.pk}/{token}.bin", f"import-uploads/{admin.pk}/{token}.json"}
    assert media.names() == waiting
    assert media.private(f"import-uploads/{admin.pk}/{token}.bin")
    # The file waiting between the steps is never served, even to its uploader.
    assert client.get(f"/media/import-uploads/{admin.pk}/{token}.bin").status_code == 404
    mapping = client.get(reverse("customer_import_mapping", args=[token]))
    assert mapping.status_code == 200
    preview = client.post(
        reverse("customer_import_mapping", args=[token]),
        {"columns": "2", "col_0": "first_name", "col_1": "mobile", "policy": "skip"},
    )
    assert preview.status_code == 200 and preview.context["problem_count"] == 1
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs it
        started = client.post(reverse("customer_import_start", args=[token]))
    assert started.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.failed_count) == ("done", 2, 1)
    assert set(Customer.objects.values_list("first_name", flat=True)) == {"สมชาย", "วิชัย"}
    # The job keeps the file (in the storage, private, never served); the upload is gone.
    assert media.names() == {job.file.name}
    assert media.read(job.file.name) == text.encode() and media.private(job.file.name)
    assert client.get(f"/media/{job.file.name}").status_code == 404
    # The failed rows are read back from the kept file.
    failed = client.get(reverse("api:import_failed_csv", kwargs={"import_id": job.pk}))
    assert failed.status_code == 200
    rows = list(csv.reader(io.StringIO(failed.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["ชื่อ", "มือถือ"] and rows[1][:2] == ["มาลี", "12345"]


def test_a_full_export_is_built_kept_downloaded_and_expired(
    media: Media, admin_user: Any, admin_client: Client
) -> None:
    services.customer_create(actor=admin_user, fields={"first_name": "สมศรี"})
    export = data_export_run(
        data_export_create(actor=admin_user, fmt="zip", language="th", enqueue=False)
    )
    assert export.status == DataExport.Status.DONE, export.error
    assert media.names() == {export.file_path} and export.file_path.startswith("exports/")
    assert media.private(export.file_path)
    assert export.size == len(media.read(export.file_path))
    assert admin_client.get(f"/media/{export.file_path}").status_code == 404
    response = admin_client.get(f"/settings/export/{export.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        customers = archive.read("customers.csv").decode("utf-8-sig")
    assert "สมศรี" in customers
    # Kept seven days, then deleted from the storage; the download is then a 404.
    later = export.created_at + data_exports_keep()
    assert data_exports_expire(now=later) == 1
    assert media.names() == set()
    assert admin_client.get(f"/settings/export/{export.pk}/file/").status_code == 404


def data_exports_keep() -> Any:
    import datetime as dt

    from samphan.exports.build import KEEP_DAYS

    return dt.timedelta(days=KEEP_DAYS, hours=1)


def test_erasing_a_customer_deletes_their_photo_from_the_storage(
    media: Media, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    customer = services.customer_create(actor=admin_user, fields={"first_name": "ลบ"}, photo=face())
    kept = services.customer_create(actor=admin_user, fields={"first_name": "อยู่"}, photo=face())
    names = {customer.photo.name, customer.photo_thumbnail.name}
    assert names < media.names()
    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(customer, actor=admin_user, reason="PDPA request 2026-022")
    assert media.names() == {kept.photo.name, kept.photo_thumbnail.name}


def test_the_environment_turns_the_bucket_on_and_the_local_disk_stays_the_default() -> None:
    script = (
        "import json; from samphan import settings as s; print(json.dumps(s.STORAGES['default']))"
    )

    def default_storage_with(**env: str) -> dict[str, Any]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SAMPHAN_S3_")}
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", script], env={**clean, **env}, capture_output=True, check=True
        )
        return dict(json.loads(done.stdout))

    assert default_storage_with() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    on = default_storage_with(
        SAMPHAN_S3_BUCKET="crm-files",
        SAMPHAN_S3_ENDPOINT_URL="https://minio.internal:9000",
        SAMPHAN_S3_REGION="ap-southeast-1",
        SAMPHAN_S3_ACCESS_KEY_ID="key",
        SAMPHAN_S3_SECRET_ACCESS_KEY="secret",
        SAMPHAN_S3_PATH_STYLE="1",
    )
    assert on["BACKEND"] == "samphan.core.s3.PrivateS3Storage"
    assert on["OPTIONS"] | {"max_memory_size": 0} == {
        "bucket_name": "crm-files",
        "endpoint_url": "https://minio.internal:9000",
        "region_name": "ap-southeast-1",
        "access_key": "key",
        "secret_key": "secret",
        "addressing_style": "path",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "max_memory_size": 0,
    }
    # Only the bucket set: credentials and the rest from boto3's own chain and defaults.
    bare = default_storage_with(SAMPHAN_S3_BUCKET="crm-files")["OPTIONS"]
    assert bare["access_key"] is None and bare["endpoint_url"] is None
    assert bare["addressing_style"] is None and bare["default_acl"] == "private"
