"""/api/v1/exports (issue 21): an administrator asks for a full export, follows it and
downloads the file; anyone else is answered 403; a bad format is a 422 naming it."""

import io
import zipfile

import pytest

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.exports.build import data_export_run
from samphan.exports.models import DataExport
from samphan.exports.tables import TABLES
from tests.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_ask_follow_download(api):
    CustomerFactory(first_name="=1+1")
    response = api.post("/api/v1/exports", {"format": "zip"}, content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["tables_total"] == len(TABLES)
    assert api.get(f"/api/v1/exports/{body['id']}/file").status_code == 404  # not yet
    data_export_run(DataExport.objects.get(pk=body["id"]))
    progress = api.get(f"/api/v1/exports/{body['id']}").json()
    assert progress["status"] == "done" and progress["percent"] == 100
    assert progress["tables_done"] == len(TABLES) and progress["rows_written"] >= 1
    file = api.get(f"/api/v1/exports/{body['id']}/file")
    assert file.status_code == 200 and file["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(file.streaming_content))) as archive:
        customers = archive.read("customers.csv").decode("utf-8-sig")
    assert "'=1+1" in customers
    assert (
        AuditEvent.objects.filter(subject_type="exports.dataexport", action="export").count() == 2
    )


def test_a_bad_format_is_422_naming_it(api):
    response = api.post("/api/v1/exports", {"format": "pdf"}, content_type="application/json")
    assert response.status_code == 422
    assert "format" in str(response.json()["detail"])
    assert not DataExport.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.MARKETING])
def test_others_are_refused(api, make_user, role):
    export_id = api.post(
        "/api/v1/exports", {"format": "xlsx"}, content_type="application/json"
    ).json()["id"]
    data_export_run(DataExport.objects.get(pk=export_id))
    client = token_client(make_user(role))
    post = client.post("/api/v1/exports", {"format": "zip"}, content_type="application/json")
    assert post.status_code == 403
    assert client.get(f"/api/v1/exports/{export_id}").status_code == 403
    assert client.get(f"/api/v1/exports/{export_id}/file").status_code == 403
    assert DataExport.objects.count() == 1


def test_an_unknown_export_is_404(api):
    assert api.get("/api/v1/exports/999").status_code == 404
    assert api.get("/api/v1/exports/999/file").status_code == 404
