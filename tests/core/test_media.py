"""Uploaded files: a customer's photo only for those who may see that customer."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from samphan.accounts.models import Role
from samphan.customers import services
from tests.factories import TeamFactory, UserFactory
from tests.querycount import assert_queries


def png(name: str = "face.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def customer(sales_user):
    return services.customer_create(actor=sales_user, fields={"first_name": "มาลี"}, photo=png())


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def outsider() -> Client:
    team = TeamFactory(name="ทีมเหนือ")
    return client_for(UserFactory(username="outsider", role=Role.SALES, team=team))


def test_owner_and_team_see_the_photo(customer, sales_user, make_user):
    assert client_for(sales_user).get(customer.photo.url).status_code == 200
    teammate = make_user(Role.SALES, username="teammate")
    response = client_for(teammate).get(customer.photo.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=3600"


def test_another_teams_photo_is_404_however_the_path_is_spelled(customer):
    client = outsider()
    name = customer.photo.name
    for url in (
        f"/media/{name}",
        f"/media/other/../{name}",
        f"/media/./{name}",
        f"/media//{name}",
        f"/media/{name.upper()}",
    ):
        assert client.get(url).status_code == 404, url


def test_a_replaced_photo_is_no_longer_served(customer, sales_user):
    old = customer.photo.url
    services.customer_update(actor=sales_user, customer=customer, fields={}, photo=png("new.png"))
    assert (Path(settings.MEDIA_ROOT) / old.removeprefix("/media/")).exists()
    client = client_for(sales_user)
    assert client.get(old).status_code == 404
    customer.refresh_from_db()
    assert client.get(customer.photo.url).status_code == 200


def test_without_view_permission_the_photo_is_404(customer, make_user):
    assert client_for(make_user(None)).get(customer.photo.url).status_code == 404


def test_the_photo_check_is_one_query_on_customers(customer, sales_user):
    client = client_for(sales_user)
    with assert_queries() as captured:
        assert client.get(customer.photo.url).status_code == 200
    on_customers = [q["sql"] for q in captured if "customers_customer" in q["sql"]]
    assert len(on_customers) == 1
    assert '"photo" =' in on_customers[0] or "photo` =" in on_customers[0]


def test_other_folders_are_for_any_logged_in_user(db, make_user):
    folder = Path(settings.MEDIA_ROOT) / "products"
    folder.mkdir(exist_ok=True)
    (folder / "mug.txt").write_text("mug")
    assert client_for(make_user(Role.VIEWER)).get("/media/products/mug.txt").status_code == 200
    assert Client().get("/media/products/mug.txt").status_code == 302
