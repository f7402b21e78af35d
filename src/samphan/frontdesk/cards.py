"""Member cards: a credit-card-sized picture (PNG) or page (PDF) with the member's name,
number, tier and the QR code the check-in screen reads.

Drawn with Pillow, whose text layout goes through HarfBuzz (libraqm), so Thai vowels and
tone marks stack as they should; the PDF holds the same picture at 300 dpi.
"""

import io
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from samphan.core.shop import shop_profile
from samphan.core.shop_logo import logo_bytes
from samphan.customers.membership import card_qr_text
from samphan.customers.models import Customer

# The card's own link, as the sign-up page sends it to the member (issue 20): signed, so no
# one makes a link to another member's card, and good for a week after it was sent.
CARD_LINK_SALT = "samphan.member-card-link"
CARD_LINK_SECONDS = 7 * 24 * 3600


def card_link(customer: Customer, kind: str = "png") -> str:
    token = signing.dumps(customer.pk, salt=CARD_LINK_SALT)
    return reverse("member_card_public", args=[token, kind])


def card_url(customer: Customer) -> str:
    """``card_link`` with the shop's public address, for a message."""
    return shop_profile().public_url + card_link(customer)


WIDTH, HEIGHT = 1012, 638  # 85.6 × 54 mm at 300 dpi
DPI = 300
BRAND = (15, 118, 110)
TIER_COLOURS = {
    Customer.Tier.SILVER: (148, 163, 184),
    Customer.Tier.GOLD: (202, 138, 4),
    Customer.Tier.PLATINUM: (91, 33, 182),
}


@cache
def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "Garuda-Bold.ttf" if bold else "Garuda.ttf"
    path = Path(settings.SAMPHAN_CARD_FONT_DIR) / name
    if not path.exists():  # without Thai fonts the card still carries its number and code
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def qr_image(text: str, *, side: int) -> Image.Image:
    """A full QR code (never a Micro QR, which phone cameras and our reader ignore), in
    whole pixels per module, at most ``side`` pixels wide."""
    code = segno.make_qr(text, error="m")
    modules = code.symbol_size(scale=1, border=2)[0]
    data = io.BytesIO()
    code.save(data, kind="png", scale=max(1, side // modules), border=2)
    data.seek(0)
    return Image.open(data).convert("RGB")


def _shop_band(card: Image.Image, draw: ImageDraw.ImageDraw) -> None:
    """The band across the top: the shop's logo on a white tile, then its name."""
    draw.rectangle((0, 0, WIDTH, 120), fill=BRAND)
    shop = shop_profile()
    left = 48
    if logo := _logo(shop.logo):
        draw.rounded_rectangle((32, 14, 32 + 92, 106), radius=14, fill="white")
        card.paste(logo, (32 + (92 - logo.width) // 2, 14 + (92 - logo.height) // 2), logo)
        left = 144
    draw.text((left, 60), shop.display_name, font=_font(44, bold=True), fill="white",
              anchor="lm")  # fmt: skip


def _logo(name: str) -> Image.Image | None:
    data = logo_bytes(name)
    if not data:
        return None
    logo = Image.open(io.BytesIO(data)).convert("RGBA")
    logo.thumbnail((80, 80), Image.Resampling.LANCZOS)
    return logo


def card_image(customer: Customer) -> Image.Image:
    card = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(card)
    _shop_band(card, draw)
    draw.text((48, 200), customer.display_name, font=_font(56, bold=True), fill="black")
    if customer.nickname and customer.nickname not in customer.display_name:
        draw.text((48, 280), customer.nickname, font=_font(40), fill=(71, 85, 105))
    draw.text((48, 420), _("Member number"), font=_font(30), fill=(100, 116, 139))
    draw.text((48, 460), customer.member_number or "", font=_font(60, bold=True), fill="black")
    if customer.tier in TIER_COLOURS:
        label, font = str(customer.get_tier_display()), _font(32, bold=True)
        right = 48 + draw.textlength(label, font=font) + 40
        draw.rounded_rectangle((48, 560, right, 612), radius=26,
                               fill=TIER_COLOURS[Customer.Tier(customer.tier)])  # fmt: skip
        draw.text((68, 586), label, font=font, fill="white", anchor="lm")
    if customer.member_number:
        code = qr_image(card_qr_text(customer.member_number), side=360)
        card.paste(code, (WIDTH - code.width - 40, HEIGHT - code.height - 40))
    return card


def card_png(customer: Customer) -> bytes:
    data = io.BytesIO()
    card_image(customer).save(data, "PNG", dpi=(DPI, DPI))
    return data.getvalue()


def card_pdf(customer: Customer) -> bytes:
    """One card-sized page (85.6 × 54 mm)."""
    data = io.BytesIO()
    card_image(customer).save(data, "PDF", resolution=DPI)
    return data.getvalue()
