from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from samphan.accounts.models import User
from samphan.sales import services
from samphan.sales.models import Order, Pipeline, Product
from samphan.sales.services import LineInput
from tests.factories import CustomerFactory, ProductFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db


def order_post(customer, product, quantity, discount=""):
    return {
        "customer": customer.pk,
        "channel": "store",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": product.pk,
        "lines-0-quantity": quantity,
        "lines-0-discount": discount,
        "lines-1-product": "",
    }


def test_order_form_records_an_order(admin_client):
    customer, tea = CustomerFactory(), ProductFactory(list_price=Decimal("107"))
    response = admin_client.post("/sales/orders/new/", order_post(customer, tea, "3"))
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sales/orders/{order.pk}/"
    assert order.total == Decimal("321.00")
    page = admin_client.get(f"/sales/customers/{customer.pk}/purchases/").content.decode()
    assert order.number in page and "฿300.00" in page


def test_order_form_shows_line_errors_next_to_the_line_and_writes_nothing(admin_client):
    customer, tea = CustomerFactory(), ProductFactory(list_price=Decimal("100"))
    with translation.override("en"):
        response = admin_client.post(
            "/sales/orders/new/",
            order_post(customer, tea, "2", discount="500"),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="number field-error"' in html
    assert not Order.objects.exists()
    negative = admin_client.post("/sales/orders/new/", order_post(customer, tea, "-1"))
    assert negative.status_code == 200 and "field-error" in negative.content.decode()
    assert not Order.objects.exists()


CSV = (
    "sku,name,name_en,category,unit,list_price,unit_cost,price_includes_vat,is_active\n"
    "TEA-1,ชาเขียว,Green tea,เครื่องดื่ม,กล่อง,250.00,120.00,1,1\n"
    "BAD-2,ราคาผิด,,,ชิ้น,abc,10,1,1\n"
    "TEA-1,ซ้ำ,,,,1,1,1,1\n"
    ",ไม่มีรหัส,,,,1,1,maybe,1\n"
)


def upload(client, text, **extra):
    data = {"file": SimpleUploadedFile("products.csv", text.encode())}
    return client.post("/sales/products/import/", {**data, **extra})


def test_import_reports_every_bad_row_and_writes_nothing(admin_client):
    html = upload(admin_client, CSV).content.decode()
    assert not Product.objects.exists()
    for row in (
        '<td class="number">3</td>',
        '<td class="number">4</td>',
        '<td class="number">5</td>',
    ):
        assert row in html
    assert "list_price" in html and "price_includes_vat" in html


def test_import_can_skip_the_bad_rows_and_update_by_sku(admin_client):
    upload(admin_client, CSV, skip_invalid="1")
    tea = Product.objects.get()
    assert (tea.sku, tea.category.name, tea.list_price) == ("TEA-1", "เครื่องดื่ม", Decimal("250.00"))
    upload(admin_client, "sku,name,list_price\nTEA-1,ชาเขียวใหม่,260\n")
    tea.refresh_from_db()
    assert (tea.name, tea.list_price, Product.objects.count()) == (
        "ชาเขียวใหม่",
        Decimal("260.00"),
        1,
    )


def test_import_refuses_a_file_without_sku_or_not_utf8(admin_client):
    assert "sku" in upload(admin_client, "name,price\nx,1\n").content.decode()
    broken = admin_client.post(
        "/sales/products/import/",
        {"file": SimpleUploadedFile("p.csv", "sku,name\nA,ชา\n".encode("cp874"))},
    )
    assert "UTF-8" in broken.content.decode()
    assert not Product.objects.filter(name="ชา").exists()


def queries(client, url):
    with assert_queries() as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_and_panel_run_a_fixed_number_of_queries(admin_client):
    tea = ProductFactory(sku="TEA")
    customer = CustomerFactory()
    services.order_record(
        actor=None, customer=customer, lines=[LineInput("TEA", 1)], channel="store"
    )
    urls = ["/sales/orders/", "/sales/products/", f"/sales/customers/{customer.pk}/purchases/"]
    few = [queries(admin_client, url) for url in urls]
    for _ in range(15):
        ProductFactory()
        services.order_record(
            actor=None,
            customer=customer,
            lines=[LineInput(tea.pk, 2), LineInput("TEA", 1)],
            channel="line",
        )
        services.order_record(
            actor=None, customer=CustomerFactory(), lines=[LineInput("TEA", 1)], channel="store"
        )
    assert [queries(admin_client, url) for url in urls] == few
    order = Order.objects.first()
    assert queries(admin_client, f"/sales/orders/{order.pk}/") <= 12


def test_admin_configures_pipelines_and_shows_sales_read_only(admin_client):
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    pipeline = Pipeline.objects.get(is_default=True)
    assert admin_client.get(f"/admin/sales/pipeline/{pipeline.pk}/change/").status_code == 200
    for page in ("order", "deal", "lead", "quote", "category"):
        assert admin_client.get(f"/admin/sales/{page}/").status_code == 200
    assert admin_client.get("/admin/sales/order/add/").status_code == 403
