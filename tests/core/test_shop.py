"""The shop's settings: the page (admins only; bad input beside the field, the row as it
was), the API, the one read function and its defaults from the environment, the audit row,
and the quotation PDF showing what was saved."""

import io
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent, ShopProfile
from samphan.core.shop import shop_profile, shop_profile_update
from tests.conftest import token_client

pytestmark = pytest.mark.django_db
URL = "/settings/shop/"
TAX_ID = "0105561234560"  # check digit computed independently below


def png(width: int = 40, height: int = 20, kind: str = "PNG") -> bytes:
    data = io.BytesIO()
    mode = "RGBA" if kind == "PNG" else "RGB"
    Image.new(mode, (width, height), (15, 118, 110)).save(data, kind)
    return data.getvalue()


def valid(**fields: str) -> dict[str, str]:
    return {
        "name": "ร้านกาแฟบ้านสวน",
        "name_en": "Baan Suan Coffee",
        "address": "12 ถนนนิมมานเหมินท์\r\nเชียงใหม่ 50200",
        "tax_id": "0-1055-61234-56-0",
        "branch": "00000",
        "promptpay_id": "081-234-5678",
        "public_url": "https://crm.baansuan.example",
        "privacy_notice": "เราเก็บชื่อและเบอร์โทรเพื่อบริการสมาชิก",
        "privacy_url": "",
        **fields,
    }


def test_the_tax_id_used_is_valid():
    digits = [int(c) for c in TAX_ID]
    check = (11 - sum(d * (13 - i) for i, d in enumerate(digits[:12])) % 11) % 10
    assert check == digits[12]


def test_until_saved_the_environment_stands_in(settings):
    settings.SAMPHAN_BUSINESS_NAME = "บริษัท ทดสอบ จำกัด"
    settings.SAMPHAN_PUBLIC_URL = "https://env.example"
    shop = shop_profile()
    assert (shop.name, shop.public_url, shop.saved) == (
        "บริษัท ทดสอบ จำกัด",
        "https://env.example",
        False,
    )


def test_an_admin_sees_the_form_with_the_defaults(admin_client, admin_user, settings):
    settings.SAMPHAN_PUBLIC_URL = "https://env.example"
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Samphan Demo Co., Ltd."' in html and "https://env.example" not in html
    shop_profile_update(actor=admin_user, fields=valid(public_url=""))
    html = admin_client.get(URL).content.decode()
    # An empty public address stays empty (following the server's), not the server's copied.
    assert "https://env.example" not in html and shop_profile().public_url == "https://env.example"


def test_an_admin_saves_it_and_the_audit_log_says_what_changed(admin_client, admin_user):
    logo = SimpleUploadedFile("logo.png", png(1200, 600), content_type="image/png")
    response = admin_client.post(URL, {**valid(), "logo": logo})
    assert response.status_code == 302
    row = ShopProfile.objects.get()
    assert row.tax_id == TAX_ID and row.promptpay_id == "0812345678"
    assert row.address == "12 ถนนนิมมานเหมินท์\nเชียงใหม่ 50200"  # one kind of line end
    with row.logo.open("rb") as stored:
        assert Image.open(stored).size == (512, 256)  # kept at most 512 px wide
    shop = shop_profile()
    assert shop.name == "ร้านกาแฟบ้านสวน" and shop.saved and shop.branch_label
    event = AuditEvent.objects.get(subject_type="core.shopprofile")
    assert event.actor == admin_user and event.action == "create"
    assert event.changes["tax_id"] == [None, TAX_ID]
    logo_response = Client().get(shop.logo_url)  # public: the sign-up page shows it
    assert logo_response.status_code == 200 and logo_response["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("tax_id", "0105561234561"),  # check digit wrong
        ("tax_id", "12345"),
        ("branch", "1"),
        ("promptpay_id", "12345"),
        ("public_url", "not a link"),
        ("privacy_url", "ftp//nope"),
        ("logo", "text"),
        ("logo", "huge"),
        ("backup_hour", "24"),
        ("backup_hour", "-1"),
        ("backup_keep", "0"),
        ("backup_keep", "seven"),
    ],
)
def test_each_bad_input_is_shown_beside_its_field_and_the_row_stays(
    admin_client, admin_user, field, value
):
    shop_profile_update(actor=admin_user, fields=valid())
    before = list(ShopProfile.objects.values())
    audit_rows = AuditEvent.objects.count()
    data = valid()
    if field == "logo":
        content = b"not a picture" if value == "text" else b"\x89PNG" + b"0" * (2 * 1024 * 1024)
        data["logo"] = SimpleUploadedFile("logo.png", content, content_type="image/png")
    else:
        data[field] = value
    response = admin_client.post(URL, data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    html = response.content.decode()
    # The one field marked in error is this field, and its message is inside it.
    (marked,) = re.findall(
        r'<div class="field field-error">(.*?)</div>\s*(?:<div class="field|</fieldset)', html, re.S
    )
    assert f'id="id_{field}"' in marked
    assert response.context["form"].errors[field][0] in unescape(marked)
    assert list(ShopProfile.objects.values()) == before
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.FRONTDESK, Role.VIEWER])
def test_only_admins_see_or_change_it(make_user, role):
    client = Client()
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, valid()).status_code == 403
    assert not ShopProfile.objects.exists()
    api = token_client(make_user(role, username=f"{role}-api"))
    assert api.get("/api/v1/shop").status_code == 403
    assert api.put("/api/v1/shop", valid(), content_type="application/json").status_code == 403


def test_the_api_reads_and_replaces_it(api):
    response = api.get("/api/v1/shop")
    assert response.status_code == 200 and response.json()["saved"] is False
    response = api.put("/api/v1/shop", valid(), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tax_id"] == TAX_ID and body["saved"] is True and body["logo_url"] == ""
    assert ShopProfile.objects.get().name == "ร้านกาแฟบ้านสวน"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (valid(tax_id="0105561234561"), "tax_id"),
        (valid(promptpay_id="abc"), "promptpay_id"),
        (valid(branch="12"), "branch"),
        ({**valid(), "colour": "red"}, "colour"),
        ({k: v for k, v in valid().items() if k != "name"}, "name"),
    ],
)
def test_the_api_names_the_bad_field_and_writes_nothing(api, body, field):
    response = api.put("/api/v1/shop", body, content_type="application/json")
    assert response.status_code == 422
    assert field in {item["loc"][-1] for item in response.json()["detail"]}
    assert not ShopProfile.objects.exists()


@override_settings(SAMPHAN_PROMPTPAY_ID="")
def test_the_promptpay_id_saved_is_the_one_the_quotation_uses(admin_user):
    shop_profile_update(actor=admin_user, fields=valid())
    assert shop_profile().promptpay_id == "0812345678"


def pdf_text(pdf: bytes, tmp_path) -> str:
    from tests.sales.test_quotes import pdf_text as read_back

    return read_back(pdf, tmp_path)


def test_a_quotation_pdf_shows_the_shop_as_edited(admin_user, admin_client, tmp_path):
    from samphan.sales import services
    from samphan.sales.quote_pdf import quote_context, quote_pdf
    from samphan.sales.services import LineInput
    from tests.factories import CustomerFactory, ProductFactory

    ProductFactory(sku="POS", name="ระบบ POS", list_price="10700.00")
    deal = services.deal_create(
        actor=admin_user,
        fields={"title": "POS", "customer": CustomerFactory(), "amount": "1"},
        lines=[LineInput("POS", 1)],
    )
    quote = services.quote_create(actor=admin_user, deal=deal)
    assert "Samphan Demo Co., Ltd." in pdf_text(quote_pdf(quote), tmp_path)
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    assert admin_client.post(URL, {**valid(), "logo": logo}).status_code == 302
    text = pdf_text(quote_pdf(quote), tmp_path)
    assert "ร้านกาแฟบ้านสวน" in text and "Samphan Demo" not in text
    assert TAX_ID in text and "เชียงใหม่ 50200" in text
    # Branch 00000, in the quotation's language (pdftotext reads สำ back as สา).
    assert "งานใหญ่" in text
    context = quote_context(quote, for_pdf=True)
    assert context["business"]["logo"].startswith("data:image/png;base64,")
    assert "0066812345678" in context["promptpay_payload"]  # the saved PromptPay mobile
    quote.language = "en"
    english = pdf_text(quote_pdf(quote), tmp_path)
    assert "Baan Suan Coffee" in english and "Head office" in english
    page = admin_client.get(f"/sales/quotes/{quote.pk}/").content.decode()
    assert "ร้านกาแฟบ้านสวน" in page


def test_the_demo_sets_a_plausible_thai_shop_and_keeps_a_saved_one(admin_user):
    from samphan.core.tax_id import clean_thai_tax_id
    from samphan.demo.shop import demo_shop

    assert demo_shop() is True
    shop = shop_profile()
    assert shop.saved and shop.name.startswith("บริษัท") and shop.name_en
    assert clean_thai_tax_id(shop.tax_id) == shop.tax_id and shop.promptpay_id == shop.tax_id
    assert shop.logo and shop.privacy_notice and "กรุงเทพ" in shop.address
    shop_profile_update(actor=admin_user, fields=valid())
    assert demo_shop() is False and shop_profile().name == "ร้านกาแฟบ้านสวน"


def test_a_new_logo_replaces_the_old_file_and_clear_removes_it(
    admin_client, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    def post(**extra: object) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert admin_client.post(URL, {**valid(), **extra}).status_code == 302

    post(logo=SimpleUploadedFile("a.png", png(), content_type="image/png"))
    first = ShopProfile.objects.get().logo.name
    first_url = shop_profile().logo_url
    post(logo=SimpleUploadedFile("b.jpg", png(kind="JPEG", width=30), content_type="image/jpeg"))
    second = ShopProfile.objects.get().logo.name
    assert second != first and not default_storage.exists(first)
    assert shop_profile().logo_url != first_url  # a new address: no stale cached picture
    post()  # nothing uploaded, nothing ticked: the logo stays
    assert ShopProfile.objects.get().logo.name == second
    post(**{"logo-clear": "on"})
    assert ShopProfile.objects.get().logo.name == "" and not default_storage.exists(second)
    assert Client().get("/p/logo/").status_code == 404
