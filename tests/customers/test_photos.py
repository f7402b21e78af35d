"""Photos are squared, thumbnailed, turned upright and stripped of their metadata; a file
that is not a picture, or too big, gets a clear message and changes nothing."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image

from samphan.accounts.models import Role
from samphan.core.uploads import PHOTO
from samphan.customers import services
from samphan.customers.photos import SIZE, THUMBNAIL

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the messages are asserted in English
        yield


def camera_photo(width: int = 300, height: int = 200, orientation: int = 6) -> SimpleUploadedFile:
    """A landscape JPEG whose EXIF says "rotate 90° clockwise to view", with a GPS tag,
    as a phone held upright writes it. The left half is red, the right half blue."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {2: (13.0, 45.0, 0.0)}  # GPS latitude
    data = io.BytesIO()
    image.save(data, "JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", data.getvalue(), content_type="image/jpeg")


def test_a_photo_is_squared_upright_thumbnailed_and_stripped(admin_user):
    customer = services.customer_create(
        actor=admin_user, fields={"first_name": "มาลี"}, photo=camera_photo()
    )
    with Image.open(customer.photo.path) as photo:
        assert photo.size == (SIZE, SIZE) and photo.format == "JPEG"
        assert not photo.getexif() and "exif" not in photo.info
        # Turned upright: the red half (the picture's left) is now on top.
        top, bottom = photo.getpixel((SIZE // 2, 20)), photo.getpixel((SIZE // 2, SIZE - 20))
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]
    with Image.open(customer.photo_thumbnail.path) as thumbnail:
        assert thumbnail.size == (THUMBNAIL, THUMBNAIL)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.jpg", b"%PDF-1.4 not a picture"), "not a picture"),
        (SimpleUploadedFile("empty.png", b""), "not a picture"),
    ],
)
def test_what_is_not_a_picture_is_refused(admin_user, upload, message):
    customer = services.customer_create(actor=admin_user, fields={"first_name": "มาลี"})
    with pytest.raises(ValidationError) as error:
        services.customer_update(actor=admin_user, customer=customer, fields={}, photo=upload)
    assert message in str(error.value.message_dict["photo"])
    customer.refresh_from_db()
    assert not customer.photo


def test_a_50_mb_file_is_refused_before_it_is_read(admin_user, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    big = TemporaryUploadedFile("huge.jpg", "image/jpeg", 50 * 1024 * 1024, None)
    big.write(b"\xff\xd8" + b"\0" * (50 * 1024 * 1024 - 2))
    big.seek(0)
    with pytest.raises(ValidationError) as error:
        services.customer_create(actor=admin_user, fields={"first_name": "มาลี"}, photo=big)
    assert f"at most {PHOTO.max_bytes // 1024 // 1024} MB" in str(error.value.message_dict["photo"])
    big.close()


def test_the_edit_form_says_so_beside_the_field(admin_client, admin_user):
    customer = services.customer_create(actor=admin_user, fields={"first_name": "มาลี"})
    data = {"first_name": "มาลี", "stage": "lead", "tier": "none"}
    pdf = SimpleUploadedFile("x.jpg", b"%PDF-1.4", content_type="image/jpeg")
    response = admin_client.post(f"/customers/{customer.pk}/edit/", {**data, "photo": pdf})
    assert "photo" in response.context["form"].errors


def test_thumbnails_are_as_private_as_photos(admin_user, make_user):
    customer = services.customer_create(
        actor=admin_user, fields={"first_name": "มาลี"}, photo=camera_photo()
    )
    staff = Client()
    staff.force_login(make_user(Role.FRONTDESK, username="desk"))
    assert staff.get(customer.photo_thumbnail.url).status_code == 200
    assert Client().get(customer.photo_thumbnail.url).status_code == 302
