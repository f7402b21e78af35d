"""The demo's shop: a Thai lifestyle store with a legal name, a Bangkok address, a valid
tax ID (also its PromptPay ID, as a company's often is), a privacy notice and a logo drawn
here, so quotations, cards and the sign-up page look like a real business's."""

import io
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from samphan.core.models import ShopProfile
from samphan.core.shop import shop_profile_update
from samphan.core.tax_id import thai_tax_id_check_digit

TAX_ID_FIRST_TWELVE = "010556112345"
TAX_ID = TAX_ID_FIRST_TWELVE + str(thai_tax_id_check_digit(TAX_ID_FIRST_TWELVE))
TEAL = (15, 118, 110)
DEMO_SHOP = {
    "name": "บริษัท สัมพันธ์ ไลฟ์สไตล์ จำกัด",
    "name_en": "Samphan Lifestyle Co., Ltd.",
    "address": "88/8 ถนนสุขุมวิท แขวงคลองตันเหนือ\nเขตวัฒนา กรุงเทพมหานคร 10110",
    "tax_id": TAX_ID,
    "branch": "00000",
    "promptpay_id": TAX_ID,
    "privacy_notice": (
        "ร้านเก็บชื่อ เบอร์โทร อีเมล วันเกิด และประวัติการซื้อของสมาชิก "
        "เพื่อให้บริการสมาชิก สะสมคะแนน และส่งข่าวสารตามที่ท่านเลือกเท่านั้น "
        "เก็บไว้ตลอดการเป็นสมาชิกและอีก 2 ปีหลังจากนั้น ไม่ขายหรือส่งต่อให้ผู้อื่น "
        "ท่านขอดู แก้ไข หรือลบข้อมูลได้ที่เคาน์เตอร์หรือทาง privacy@samphan.example "
        "ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562"
    ),
}


def demo_logo() -> bytes:
    """A teal disc with a white ส (the demo's initial), as a PNG."""
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), fill=TEAL)
    font_path = Path(settings.SAMPHAN_CARD_FONT_DIR) / "Garuda-Bold.ttf"
    if font_path.exists():
        font = ImageFont.truetype(str(font_path), 150, layout_engine=ImageFont.Layout.RAQM)
        draw.text((128, 128), "ส", font=font, fill="white", anchor="mm")
    data = io.BytesIO()
    image.save(data, "PNG")
    return data.getvalue()


def demo_shop() -> bool:
    """Set the demo shop unless a profile is saved already (a business's own stays)."""
    if ShopProfile.objects.exists():
        return False
    logo = SimpleUploadedFile("logo.png", demo_logo(), content_type="image/png")
    shop_profile_update(actor=None, fields=DEMO_SHOP, logo=logo)
    return True
