"""Photos through a merge (issue 21): the survivor may take the duplicate's photo, and then
both name the same file. Erasing or deleting the archived duplicate keeps a file the
survivor still shows; the undo gives each their own back; erasing the survivor removes
the photo the merge had set aside for the undo. Real files under a temporary MEDIA_ROOT."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from samphan.accounts.models import User
from samphan.customers.merge import customer_merge_undo, customers_merge
from samphan.customers.models import Customer
from samphan.customers.services import customer_create
from samphan.privacy.erasure import customer_erase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def person(admin: User, name: str, colour: str | None) -> Customer:
    photo = None
    if colour:
        buffer = io.BytesIO()
        Image.new("RGB", (40, 40), colour).save(buffer, "PNG")
        photo = SimpleUploadedFile(f"{colour}.png", buffer.getvalue(), content_type="image/png")
    return customer_create(
        actor=admin, fields={"first_name": name}, photo=photo, allow_duplicate=True
    )


def files(media: Path, customer: Customer) -> list[Path]:
    customer.refresh_from_db()
    names = [customer.photo.name, customer.photo_thumbnail.name]
    return [media / name for name in names if name]


def exist(paths: list[Path]) -> bool:
    return bool(paths) and all(path.is_file() for path in paths)


def test_erasing_the_archived_duplicate_keeps_the_photo_the_survivor_took(
    admin_user: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    survivor, dup = person(admin_user, "สมชาย", None), person(admin_user, "Somchai", "teal")
    customers_merge(actor=admin_user, survivor=survivor, duplicates=[dup])
    shared = files(media, survivor)
    assert shared == files(media, dup) and exist(shared)  # the same two files
    with django_capture_on_commit_callbacks(execute=True):  # the files go on commit
        customer_erase(Customer.objects.get(pk=dup.pk), actor=admin_user, reason="คำขอ 1")
    assert exist(shared)
    assert files(media, survivor) == shared


def test_deleting_the_archived_duplicate_keeps_the_photo(admin_user: User, media: Path) -> None:
    survivor, dup = person(admin_user, "สมชาย", None), person(admin_user, "Somchai", "teal")
    customers_merge(actor=admin_user, survivor=survivor, duplicates=[dup])
    shared = files(media, survivor)
    Customer.objects.get(pk=dup.pk).delete()
    assert exist(shared)


def test_undo_gives_each_their_own_photo(admin_user: User, media: Path) -> None:
    survivor, dup = person(admin_user, "สมชาย", "navy"), person(admin_user, "Somchai", "teal")
    own, theirs = files(media, survivor), files(media, dup)
    record = customers_merge(
        actor=admin_user, survivor=survivor, duplicates=[dup], choices={"photo": dup.pk}
    )
    assert files(media, survivor) == theirs
    customer_merge_undo(actor=admin_user, record=record)
    assert files(media, survivor) == own and exist(own)
    assert files(media, dup) == theirs and exist(theirs)
    # Without a photo of its own the survivor takes the duplicate's; the undo empties it.
    bare, other = person(admin_user, "มานี", None), person(admin_user, "Manee", "olive")
    record = customers_merge(actor=admin_user, survivor=bare, duplicates=[other])
    assert files(media, bare) == files(media, other)
    customer_merge_undo(actor=admin_user, record=record)
    assert files(media, bare) == [] and exist(files(media, other))


def test_erasing_the_survivor_removes_the_photo_set_aside_for_the_undo(
    admin_user: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    survivor, dup = person(admin_user, "สมชาย", "navy"), person(admin_user, "Somchai", "teal")
    own, theirs = files(media, survivor), files(media, dup)
    customers_merge(
        actor=admin_user, survivor=survivor, duplicates=[dup], choices={"photo": dup.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(Customer.objects.get(pk=survivor.pk), actor=admin_user, reason="คำขอ 2")
    assert not any(path.exists() for path in own)  # only the merge record named it
    assert exist(theirs)  # the archived duplicate still names it
