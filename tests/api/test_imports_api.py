"""/api/v1/imports (issue 21): upload a file with a mapping and a policy (201, queued),
follow it, cancel it, download the failed rows; bad input is a 4xx naming the field and
stores nothing; someone without change_customer, or another seller, gets nothing."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samphan.accounts.models import Role
from samphan.customers.imports.jobs import import_job_run
from samphan.customers.models import Customer, ImportJob
from tests.conftest import token_client

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "customers-bad-rows.csv"
MAPPING = json.dumps({"0": "first_name", "1": "last_name", "2": "phone", "3": "email",
                      "4": "birthday", "5": "gender", "6": "tags"})  # fmt: skip


def _upload(client, mapping=MAPPING, policy="skip", data=None):
    upload = SimpleUploadedFile("customers.csv", data if data is not None else FIXTURE.read_bytes())
    return client.post("/api/v1/imports", {"file": upload, "mapping": mapping, "policy": policy})


def test_upload_queues_the_import_then_progress_report_and_failed_rows(api):
    response = _upload(api)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["total_rows"] == 10
    assert body["progress_percent"] == 0
    assert Customer.objects.count() == 0  # nothing written before the worker runs it
    import_job_run(ImportJob.objects.get(pk=body["id"]))
    report = api.get(f"/api/v1/imports/{body['id']}").json()
    assert report["status"] == "done"
    assert (report["created"], report["updated"], report["skipped"], report["failed"]) == (
        4,
        0,
        0,
        6,
    )
    assert report["progress_percent"] == 100
    response = api.get(f"/api/v1/imports/{body['id']}/failed.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 7 and rows[1][7] == "4"


def test_cancel_a_queued_import(api):
    job_id = _upload(api).json()["id"]
    response = api.post(f"/api/v1/imports/{job_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    import_job_run(ImportJob.objects.get(pk=job_id))
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mapping": "not json"}, "mapping"),
        ({"mapping": json.dumps({"0": "shoe_size"})}, "mapping"),
        ({"policy": "merge"}, "existing_policy"),
        ({"data": b""}, "file"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(api, kwargs, field):
    response = _upload(api, **kwargs)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json())
    assert ImportJob.objects.count() == 0


def test_without_change_customer_or_for_another_seller_nothing(api, make_user):
    job_id = _upload(api).json()["id"]
    viewer = token_client(make_user(Role.VIEWER, username="viewer"))
    assert _upload(viewer).status_code == 403
    assert viewer.get(f"/api/v1/imports/{job_id}").status_code == 403
    seller = token_client(make_user(Role.SALES, username="seller"))
    assert seller.get(f"/api/v1/imports/{job_id}").status_code == 403
    assert seller.post(f"/api/v1/imports/{job_id}/cancel").status_code == 403
    assert seller.get(f"/api/v1/imports/{job_id}/failed.csv").status_code == 403
