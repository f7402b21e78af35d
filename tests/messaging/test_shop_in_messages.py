"""The shop's profile in what customers receive: the e-mail's sender name and footer, the
links' public address, and the pages those links open."""

from email.header import decode_header, make_header

import pytest
from django.test import Client

from samphan.core.shop import shop_profile_update
from samphan.messaging import links
from tests.messaging.test_outbox import queue, run

pytestmark = pytest.mark.django_db
SHOP = {
    "name": "ร้านกาแฟบ้านสวน, สาขานิมมาน",  # a comma: the sender's name must stay one name
    "name_en": "Baan Suan Coffee",
    "address": "12 ถนนนิมมานเหมินท์\nเชียงใหม่ 50200",
    "public_url": "https://crm.baansuan.example/",
}


def test_until_the_shop_is_saved_the_sender_is_default_from_email(reachable, smtp):
    queue(reachable)
    assert run() == 1
    (received,) = smtp.messages
    assert received["From"].addresses[0].display_name == "ร้านสัมพันธ์"
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("สวัสดีค่ะ คุณแอน")
    assert "Samphan Demo Co., Ltd." in text and "http://127.0.0.1:8000/p/preferences/" in text


def test_the_saved_shop_names_the_sender_signs_the_footer_and_owns_the_links(
    reachable, smtp, admin_user
):
    shop_profile_update(actor=admin_user, fields=SHOP)
    queue(reachable, html="<p>สวัสดีค่ะ</p>")
    assert run() == 1
    (received,) = smtp.messages
    # A long Thai name takes several encoded words; RFC 2047 joins them without the space
    # between them, as mail programs and email.header do (the newer parser keeps it).
    raw_from = dict(received.raw_items())["From"]
    assert str(make_header(decode_header(raw_from))) == f"{SHOP['name']} <shop@samphan.test>"
    assert received["List-Unsubscribe"].startswith("<https://crm.baansuan.example/p/unsubscribe/")
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    footer = text.split("\n-- \n")[1]
    assert footer.startswith(SHOP["name"] + "\n12 ถนนนิมมานเหมินท์\nเชียงใหม่ 50200\n")
    assert "เลือกสิ่งที่เราส่งถึงคุณได้" in footer  # a Thai message: a Thai footer
    assert "https://crm.baansuan.example/p/preferences/" in footer
    html = received.get_body(("html",)).get_content()
    assert "ร้านกาแฟบ้านสวน" in html and 'href="https://crm.baansuan.example/p/preferences/' in html


def test_an_english_message_gets_the_english_name(reachable, smtp, admin_user):
    shop_profile_update(actor=admin_user, fields=SHOP)
    queue(reachable, subject="News", text="Hello Ann")
    assert run() == 1
    text = smtp.messages[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "\n-- \nBaan Suan Coffee\n" in text and "Choose what we may send you" in text


def test_the_unsubscribe_and_preference_pages_show_the_shop(reachable, admin_user):
    shop_profile_update(actor=admin_user, fields=SHOP)
    message = queue(reachable)
    unsubscribe = links.unsubscribe_url(message).removeprefix("https://crm.baansuan.example")
    assert "ร้านกาแฟบ้านสวน" in Client().get(unsubscribe).content.decode()
    preferences = links.preferences_url(reachable.pk).removeprefix("https://crm.baansuan.example")
    english = Client().get(preferences + "?lang=en").content.decode()
    assert "Baan Suan Coffee" in english
