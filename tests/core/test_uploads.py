"""Uploads are capped in one place (``samphan.core.uploads``) and refused beside their
field before the file is read whole; a CSV field past the csv module's limit is named by
row and column; uploaded files, the database file and ``var/`` are private to the
account that runs Samphan (issue 20 §1, lower findings)."""

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from samphan.accounts.models import Role, User
from samphan.core import uploads
from samphan.core.models import ShopProfile
from samphan.customers import services as customer_services
from samphan.marketing.models import Segment, SegmentMember
from samphan.sales.models import Product
from tests.factories import CustomerFactory

LONG_FIELD = "ก" * 140_000  # past the csv module's 131,072-character field limit


@pytest.fixture
def admin_user(make_user) -> User:
    """Pages in English, so the tests read them (one test switches to Thai)."""
    return make_user(Role.ADMIN, language="en")


def png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(data, "PNG")
    return data.getvalue()


def written(tmp_path: Path, name: str, content: bytes, *, size: int = 0) -> Path:
    """A real file on disk, padded with spaces to ``size`` bytes."""
    path = tmp_path / name
    with path.open("wb") as out:
        out.write(content)
        if size > len(content):
            out.write(b" " * (size - len(content)))
    return path


def post_file(client: Client, url: str, field: str, path: Path, **data: str):
    with path.open("rb") as upload:
        return client.post(url, {**data, field: upload})


# -- A CSV field over 128 KB ------------------------------------------------------------------


def test_product_import_names_the_row_and_column_of_an_overlong_field(admin_client, tmp_path):
    text = f"sku,name,name_en\nTEA-1,ชา,Tea\nTEA-2,ชาเย็น,{LONG_FIELD}\n"
    path = written(tmp_path, "products.csv", text.encode())
    response = post_file(admin_client, "/sales/products/import/", "file", path)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<td class="number">3</td>' in html and "<code>name_en</code>" in html
    assert "131,072" in html
    assert not Product.objects.exists()


def test_members_import_names_the_row_and_column_of_an_overlong_field(admin_client, tmp_path):
    listed = Segment.objects.create(name="จาก CSV", kind="static")
    customer = CustomerFactory()
    text = f"customer_id,email\n{customer.pk},\n,{LONG_FIELD}\n"
    path = written(tmp_path, "list.csv", text.encode())
    response = post_file(admin_client, f"/segments/{listed.pk}/members/import/", "file", path)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<td>3</td>" in html and "<td>email</td>" in html and "131,072" in html
    assert not SegmentMember.objects.exists()


def test_an_overlong_header_is_named_too(admin_client, tmp_path):
    path = written(tmp_path, "products.csv", f"sku,{LONG_FIELD}\nA,B\n".encode())
    response = post_file(admin_client, "/sales/products/import/", "file", path)
    assert response.status_code == 400 and '<td class="number">1</td>' in response.text


# -- Upload caps --------------------------------------------------------------------------------

CSV_OVER = uploads.CSV.max_bytes + 1


def test_product_import_refuses_a_csv_over_the_cap(admin_client, tmp_path):
    path = written(tmp_path, "big.csv", b"sku,name\nA,B\n", size=CSV_OVER)
    response = post_file(admin_client, "/sales/products/import/", "file", path)
    assert response.status_code == 400
    assert "a CSV file may be at most 10 MB" in response.text
    assert not Product.objects.exists()


def test_members_import_refuses_a_csv_over_the_cap(admin_client, tmp_path):
    listed = Segment.objects.create(name="จาก CSV", kind="static")
    customer = CustomerFactory()
    path = written(tmp_path, "big.csv", f"customer_id\n{customer.pk}\n".encode(), size=CSV_OVER)
    response = post_file(admin_client, f"/segments/{listed.pk}/members/import/", "file", path)
    assert response.status_code == 400
    assert "a CSV file may be at most 10 MB" in response.text
    assert not SegmentMember.objects.exists()


def test_a_thai_reader_is_told_in_thai(admin_client, admin_user, tmp_path):
    admin_user.language = "th"
    admin_user.save()
    path = written(tmp_path, "big.csv", b"sku,name\n", size=CSV_OVER)
    response = post_file(admin_client, "/sales/products/import/", "file", path)
    assert "ไฟล์ CSV มีขนาดได้ไม่เกิน 10 MB" in response.content.decode()


def test_a_product_photo_over_the_cap_is_refused_beside_the_field(admin_client, tmp_path):
    path = written(tmp_path, "tea.png", png(), size=uploads.PHOTO.max_bytes + 1)
    data = {"sku": "TEA-1", "name": "ชา", "unit": "ชิ้น", "list_price": "10", "unit_cost": "0",
            "price_includes_vat": "on", "is_active": "on"}  # fmt: skip
    response = post_file(admin_client, "/sales/products/new/", "photo", path, **data)
    assert response.status_code == 200
    assert "a photo may be at most 10 MB" in response.text
    assert not Product.objects.exists()


def test_a_customer_photo_over_the_cap_is_refused_beside_the_field(
    admin_client, admin_user, tmp_path
):
    customer = customer_services.customer_create(actor=admin_user, fields={"first_name": "มาลี"})
    path = written(tmp_path, "face.png", png(), size=uploads.PHOTO.max_bytes + 1)
    data = {"first_name": "มาลี", "stage": "lead", "tier": "none"}
    response = post_file(admin_client, f"/customers/{customer.pk}/edit/", "photo", path, **data)
    assert response.status_code == 200
    assert "a photo may be at most 10 MB" in response.text
    customer.refresh_from_db()
    assert not customer.photo


def test_a_logo_over_the_cap_is_refused_beside_the_field(admin_client, tmp_path):
    path = written(tmp_path, "logo.png", png(), size=uploads.LOGO.max_bytes + 1)
    data = {"name": "ร้านกาแฟ", "name_en": "Coffee", "branch": "00000"}
    response = post_file(admin_client, "/settings/shop/", "logo", path, **data)
    assert response.status_code == 400
    assert "a logo may be at most 2 MB" in response.text
    assert not ShopProfile.objects.filter(logo__gt="").exists()


def test_a_file_past_every_cap_is_not_kept_whole_on_the_server(admin_client, tmp_path):
    """The upload handler stops storing past the largest cap but counts on, so the field
    still says how large the file was."""
    size = uploads.LARGEST + 5 * uploads.MB
    path = written(tmp_path, "huge.csv", b"sku,name\n", size=size)
    response = post_file(admin_client, "/sales/products/import/", "file", path)
    assert response.status_code == 400
    assert f"This file is {size / uploads.MB:.1f} MB" in response.text


# -- Private files --------------------------------------------------------------------------------


def mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_an_uploaded_photo_and_its_folders_are_private(admin_client, admin_user):
    customer = customer_services.customer_create(actor=admin_user, fields={"first_name": "มาลี"})
    photo = io.BytesIO(png())
    photo.name = "face.png"
    data = {"first_name": "มาลี", "stage": "lead", "tier": "none", "photo": photo}
    old = os.umask(0o022)  # as a typical server account
    try:
        response = admin_client.post(f"/customers/{customer.pk}/edit/", data)
    finally:
        os.umask(old)
    assert response.status_code == 302
    customer.refresh_from_db()
    for kept in (customer.photo.path, customer.photo_thumbnail.path):
        assert mode(kept) == 0o600
        assert mode(Path(kept).parent) == 0o700


CREATE_DATABASE = """
import json, os, stat
os.umask(0o022)
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x)")
    cursor.execute("INSERT INTO t VALUES (1)")
name = str(settings.DATABASES["default"]["NAME"])
modes = {path: oct(stat.S_IMODE(os.stat(path).st_mode))
         for path in (name, name + "-wal", name + "-shm", str(settings.VAR_DIR))
         if os.path.exists(path)}
print(json.dumps(modes))
"""


def test_a_fresh_database_file_and_var_folder_are_private(tmp_path):
    var = tmp_path / "var"
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment |= {"SAMPHAN_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "samphan.settings"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CREATE_DATABASE],
        env=environment, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    database = str(var / "samphan.sqlite3")
    assert modes[database] == "0o600"
    assert modes[database + "-wal"] == "0o600" and modes[database + "-shm"] == "0o600"
    assert modes[str(var)] == "0o700"
    assert mode(var / "secret_key") == 0o600


@pytest.mark.parametrize("cap", [uploads.CSV, uploads.PHOTO, uploads.LOGO])
def test_every_cap_is_within_the_largest(cap):
    assert cap.max_bytes <= uploads.LARGEST
