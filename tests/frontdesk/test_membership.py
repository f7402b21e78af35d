"""The public sign-up (consent boxes stored as consent records, the same answer for a known
person, who is not duplicated, honeypot, rate limit, bad input), member cards (PNG and PDF whose QR code reads
back to the member) and the counter poster."""

import io

import pytest
import zxingcpp
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from samphan.accounts.models import Role
from samphan.core.shop import shop_profile_update
from samphan.customers.membership import card_read
from samphan.customers.models import ConsentRecord, Customer, Interest, consent_bit
from samphan.frontdesk import services
from samphan.frontdesk.cards import card_image
from samphan.frontdesk.models import SignUp
from tests.frontdesk.test_services import person

pytestmark = pytest.mark.django_db
URL = "/p/join/"


def form(**fields) -> dict:
    return {"first_name": "มะลิ", "nickname": "ลิ", "mobile": "089 111 2222", **fields}


def test_the_form_has_unticked_boxes_per_purpose_and_channel():
    html = Client().get(URL).content.decode()
    for name in ("sms_marketing", "email_marketing", "line_marketing",
                 "sms_service", "email_service", "line_service"):  # fmt: skip
        assert f'name="consent_{name}"' in html
    assert "checked" not in html and 'name="website"' in html
    assert 'lang="en"' in Client().get(URL + "?lang=en").content.decode()


def test_a_sign_up_makes_a_member_with_the_consents_ticked():
    tea = Interest.objects.create(name="ชา")
    response = Client().post(
        URL,
        form(email="Mali@Example.com", birthday="1990-05-04", interests=[tea.pk],
             consent_email_marketing="on", consent_sms_service="on"),
    )  # fmt: skip
    assert response.status_code == 200
    customer = Customer.objects.get(first_name="มะลิ")
    assert customer.member_number and customer.member_number not in response.content.decode()
    assert customer.source == "website" and str(customer.birthday) == "1990-05-04"
    assert list(customer.interests.all()) == [tea]
    assert sorted(customer.contact_points.values_list("kind", "value")) == [
        ("email", "mali@example.com"),
        ("mobile", "+66891112222"),
    ]
    consents = set(customer.consents.values_list("channel", "purpose", "status", "source"))
    assert consents == {
        ("email", "marketing", "granted", "form"),
        ("sms", "service", "granted", "form"),
    }
    from samphan.frontdesk.public import card_link

    card = Client().get(card_link(customer))
    assert card.status_code == 200 and card["Content-Type"] == "image/png"


def test_the_page_names_the_shop_shows_its_privacy_notice_and_records_a_line_consent(
    admin_user,
):
    shop_profile_update(
        actor=admin_user,
        fields={"name": "ร้านกาแฟบ้านสวน", "name_en": "Baan Suan Coffee",
                "privacy_notice": "เราเก็บชื่อและเบอร์โทรเพื่อบริการสมาชิกเท่านั้น",
                "privacy_url": "https://baansuan.example/privacy"},
    )  # fmt: skip
    html = Client().get(URL).content.decode()
    assert "ร้านกาแฟบ้านสวน" in html and "เพื่อบริการสมาชิกเท่านั้น" in html
    assert 'href="https://baansuan.example/privacy"' in html
    assert "LINE" in html and 'name="consent_line_marketing"' in html
    assert "Baan Suan Coffee" in Client().get(URL + "?lang=en").content.decode()
    response = Client().post(URL, form(consent_line_marketing="on", consent_sms_service="on"))
    assert response.status_code == 200
    customer = Customer.objects.get(first_name="มะลิ")
    consents = set(customer.consents.values_list("channel", "purpose", "status", "source"))
    assert consents == {
        ("line", "marketing", "granted", "form"),
        ("sms", "service", "granted", "form"),
    }
    assert set(customer.consents.values_list("wording_version", flat=True)) == {
        services.WORDING_VERSION
    }
    customer.refresh_from_db()
    line_bit = consent_bit(ConsentRecord.Channel.LINE, ConsentRecord.Purpose.MARKETING)
    assert customer.consent_bits & line_bit  # campaigns' consent condition sees it


def test_a_known_mobile_or_email_is_not_duplicated():
    anne = person("แอน", phone="0891112222")
    response = Client().post(URL, form(consent_sms_marketing="on"))
    html = response.content.decode()
    assert response.status_code == 200 and "แอน" not in html  # nothing of theirs shown
    assert Customer.objects.count() == 1 and not ConsentRecord.objects.exists()
    assert SignUp.objects.get().customer == anne and SignUp.objects.get().returning


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": "", "nickname": ""}, "first_name"),
        ({"mobile": "12"}, "mobile"),
        ({"mobile": ""}, "mobile"),
        ({"email": "not-an-email"}, "email"),
        ({"birthday": "31/31/1990"}, "birthday"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_writes_nothing(fields, field):
    response = Client().post(URL, form(**fields))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Customer.objects.exists() and not SignUp.objects.exists()


def test_the_honeypot_and_the_rate_limit():
    assert Client().post(URL, form(website="http://spam.example")).status_code == 200
    assert not Customer.objects.exists()
    for index in range(services.SIGN_UP_LIMIT):
        Client().post(URL, form(mobile=f"08911122{index:02d}"))
    assert Customer.objects.count() == services.SIGN_UP_LIMIT
    limited = Client().post(URL, form(mobile="0891119999"))
    assert limited.status_code == 429
    assert Customer.objects.count() == services.SIGN_UP_LIMIT


def test_a_card_link_cannot_be_forged():
    assert Client().get("/p/card/not-a-token.png").status_code == 404
    customer = person("แอน", member_number="M1")
    from samphan.frontdesk.public import card_link

    assert Client().get(card_link(customer)).status_code == 200
    other = person("บี", member_number="M2")
    genuine = card_link(customer).removeprefix("/p/card/").removesuffix(".png")
    payload = signing.dumps(other.pk, salt="samphan.member-card-link").split(":")[0]
    swapped = ":".join([payload, *genuine.split(":")[1:]])  # their id, the signature of mine
    assert Client().get(f"/p/card/{swapped}.png").status_code == 404
    other_salt = signing.dumps(other.pk, salt="another-purpose")
    assert Client().get(f"/p/card/{other_salt}.png").status_code == 404


def test_the_card_carries_a_code_the_desk_reads_back():
    customer = person("อัญชลี", nickname="แอน", member_number="M202600042", tier="gold")
    image = card_image(customer)
    assert image.size == (1012, 638)
    decoded = zxingcpp.read_barcodes(image)
    assert len(decoded) == 1 and decoded[0].format == zxingcpp.BarcodeFormat.QRCode
    read = card_read(decoded[0].text)
    assert read is not None and read.member_number == "M202600042"


def test_the_card_carries_the_shops_name_and_logo(admin_user):
    data = io.BytesIO()
    Image.new("RGB", (100, 100), (200, 30, 30)).save(data, "PNG")
    shop_profile_update(
        actor=admin_user,
        fields={"name": "ร้านกาแฟบ้านสวน"},
        logo=SimpleUploadedFile("logo.png", data.getvalue(), content_type="image/png"),
    )
    image = card_image(person("อัญชลี", member_number="M202600042"))
    assert image.getpixel((78, 60)) == (200, 30, 30)  # the logo's tile, in the band


def test_staff_download_cards_and_give_member_numbers(make_user):
    desk = Client()
    desk.force_login(make_user(Role.FRONTDESK, username="desk"))
    customer = person("แอน")
    assert desk.get(f"/frontdesk/cards/{customer.pk}.png").status_code == 404  # no number yet
    made = desk.post(f"/frontdesk/members/{customer.pk}/", HTTP_HX_REQUEST="true")
    customer.refresh_from_db()
    assert customer.member_number and customer.member_number in made.content.decode()
    png = desk.get(f"/frontdesk/cards/{customer.pk}.png")
    assert Image.open(io.BytesIO(png.content)).size == (1012, 638)
    pdf = desk.get(f"/frontdesk/cards/{customer.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert Client().get(f"/frontdesk/cards/{customer.pk}.png").status_code == 302
    poster = desk.get("/frontdesk/sign-up-poster/").content.decode()
    assert "<svg" in poster and "/p/join/?lang=th" in poster


def test_a_sign_up_cannot_grant_consent_on_a_known_customer():
    """Issue 20: nothing an anonymous visitor sends changes a known customer's consent."""
    from samphan.customers import services as customer_services

    anne = person("แอน", phone="0891112222")
    withdrawn = customer_services.consent_record(
        actor=None,
        customer=anne,
        channel=ConsentRecord.Channel.SMS,
        purpose=ConsentRecord.Purpose.MARKETING,
        status=ConsentRecord.Status.WITHDRAWN,
    )
    anne.refresh_from_db()
    bits = anne.consent_bits
    response = Client().post(
        URL,
        form(email="stranger@example.com", consent_sms_marketing="on", consent_sms_service="on"),
    )
    assert response.status_code == 200
    anne.refresh_from_db()
    assert anne.consent_bits == bits and anne.first_name == "แอน"
    assert list(ConsentRecord.objects.filter(customer=anne)) == [withdrawn]
    assert not anne.contact_points.filter(value="stranger@example.com").exists()
    assert Customer.objects.count() == 1


def test_a_known_and_an_unknown_person_get_the_same_answer_and_the_card_by_message():
    """Issue 20: the page does not tell whether a phone or e-mail is registered; each
    member's card goes to their own channel on file, not to whoever typed the number."""
    import re
    from urllib.parse import urlsplit

    from samphan.messaging.models import Message

    anne = person("แอน", phone="0891112222", member_number="M1")
    known = Client().post(URL, form(nickname=""))
    unknown = Client().post(URL, form(nickname="", mobile="0893334444"))
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content  # same page, same words
    assert "M1" not in known.content.decode() and "member-card" not in known.content.decode()
    newcomer = Customer.objects.get(contact_points__value="+66893334444")
    sent = {message.customer_id: message for message in Message.objects.all()}
    assert set(sent) == {anne.pk, newcomer.pk}
    assert (sent[anne.pk].channel, sent[anne.pk].to, sent[anne.pk].purpose) == (
        "sms", "+66891112222", "service"
    )  # fmt: skip
    link = re.search(r"https?://\S+", sent[anne.pk].text)
    assert link is not None
    card = Client().get(urlsplit(link.group()).path)
    assert card.status_code == 200 and card["Content-Type"] == "image/png"
    Client().post(URL, form(nickname=""))  # again the same day: no second message
    assert Message.objects.filter(customer=anne).count() == 1


def test_a_known_member_who_withdrew_service_messages_is_not_sent_the_card():
    from samphan.customers import services as customer_services
    from samphan.messaging.models import Message

    anne = person("แอน", phone="0891112222", member_number="M1")
    customer_services.consent_record(
        actor=None,
        customer=anne,
        channel=ConsentRecord.Channel.SMS,
        purpose=ConsentRecord.Purpose.SERVICE,
        status=ConsentRecord.Status.WITHDRAWN,
    )
    assert Client().post(URL, form()).status_code == 200
    assert not Message.objects.exists()
