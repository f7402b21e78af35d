"""The member's own page without login: reached by a signed link (forged: 404, past its 90
days: 410) or by the card's QR code (which the check-in screen also reads), showing the
balance, the tier's progress, the rewards they may redeem themselves and their code."""

import datetime as dt
import re

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from samphan.customers.membership import card_qr_text, card_read
from samphan.loyalty.models import Reward, Voucher
from samphan.loyalty.public import PAGE_SALT, member_page_link
from samphan.loyalty.services import balance_of, points_record
from samphan.loyalty.services.referrals import referral_code_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    customer = CustomerFactory(first_name="สมชาย", nickname="ชาย", member_number="M202600007")
    points_record(actor=None, customer=customer, kind="adjust", points=1250)
    return customer


@pytest.fixture
def latte(db):
    return Reward.objects.create(name="ลาเต้เย็น", name_en="Iced latte", points=300, stock=5)


def test_the_signed_link_shows_the_member_their_points_and_code(member, latte):
    page = Client().get(member_page_link(member.pk))
    html = page.content.decode()
    assert page.status_code == 200 and "ชาย" in html
    assert re.search(r'class="kpi-value">1,250<', html)
    assert referral_code_of(member.pk) in html and f"/p/r/{referral_code_of(member.pk)}/" in html
    assert "ลาเต้เย็น" in html and html.count("<svg") >= 2  # the card's QR and the invitation's
    assert page["Cache-Control"] == "private, no-store" and page["Referrer-Policy"] == "no-referrer"
    english = Client().get(member_page_link(member.pk) + "?lang=en").content.decode()
    assert "Iced latte" in english and "My vouchers" not in english


def test_a_forged_link_is_not_found_and_an_old_one_has_expired(member):
    token = member_page_link(member.pk).split("/")[-2]
    assert Client().get(f"/p/m/{token[:-2]}xx/").status_code == 404
    other = signing.dumps(member.pk, salt="samphan.member-card-link", compress=True)
    assert Client().get(f"/p/m/{other}/").status_code == 404  # another link's signature
    old = timezone.now() - dt.timedelta(days=91)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: old.timestamp())
        stale = signing.dumps(member.pk, salt=PAGE_SALT, compress=True)
    page = Client().get(f"/p/m/{stale}/")
    assert page.status_code == 410 and "90" in page.content.decode()


def test_the_card_s_qr_opens_the_page_and_checks_in_at_the_desk(member):
    text = card_qr_text(member.member_number)
    assert text.startswith("http") and "/p/c/M202600007:" in text
    assert card_read(text).member_number == "M202600007"
    path = text[text.index("/p/c/") :]
    assert Client().get(path).status_code == 200
    assert Client().get(path.replace("M202600007", "M202600008")).status_code == 404
    assert card_read(text.replace("M202600007", "M202600008")).member_number is None


def test_the_member_redeems_a_reward_once_per_press(member, latte):
    url = member_page_link(member.pk)
    client = Client()
    for _ in range(2):  # the same form sent twice: one voucher
        answer = client.post(url, {"reward": latte.pk, "key": "abc-1"})
        assert answer.status_code == 302 and answer["Location"].endswith("#vouchers")
    assert Voucher.objects.filter(customer=member).count() == 1
    assert balance_of(member.pk) == 950
    html = client.get(url).content.decode()
    assert Voucher.objects.get().code in html
    for bad in (99999, "abc", "", "1e9", "9" * 40):  # never a crash: the reward is refused
        refused = client.post(url + "?lang=en", {"reward": bad, "key": "abc-3"})
        assert refused.status_code == 400 and "not offered" in refused.content.decode()
    latte.stock = 0
    latte.save()
    refused = client.post(url + "?lang=en", {"reward": latte.pk, "key": "abc-4"})
    assert "Out of stock." in refused.content.decode() and balance_of(member.pk) == 950


def test_an_archived_member_s_page_is_gone(member):
    member.archived_at = timezone.now()
    member.save()
    assert Client().get(member_page_link(member.pk)).status_code == 404
