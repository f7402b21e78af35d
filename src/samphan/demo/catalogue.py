"""The demo shop's catalogue: a Thai lifestyle store that also supplies cafés, restaurants
and hotels. Each product belongs to a family of things bought together, which gives the
demo baskets the co-occurrence that similar-product suggestions learn from.
"""

from decimal import Decimal

# key: (Thai name, English name)
CATEGORIES = {
    "coffee": ("กาแฟ", "Coffee"),
    "tea": ("ชาและเครื่องดื่ม", "Tea & drinks"),
    "snacks": ("ขนมและของฝาก", "Snacks & souvenirs"),
    "kitchen": ("อาหารและเครื่องปรุง", "Food & seasoning"),
    "spa": ("สปาและความงาม", "Spa & beauty"),
    "herbal": ("สมุนไพรและสุขภาพ", "Herbal & health"),
    "gifts": ("ของใช้และของขวัญ", "Home & gifts"),
    "supplies": ("วัตถุดิบและอุปกรณ์สำหรับร้าน", "Shop & kitchen supplies"),
}

# Families of products bought together. The first seven are what people buy; the last
# three are what businesses buy (companies draw from those, people almost never).
FAMILIES = [
    "coffee", "tea", "snacks", "cooking", "spa", "herbal", "gifts",
    "cafe_supply", "restaurant_supply", "hotel_supply",
]  # fmt: skip
PERSON_FAMILIES = FAMILIES[:7]
BUSINESS_FAMILIES = FAMILIES[7:]
# Families a basket of one family often spills into (a second, weaker link).
COMPANIONS = {
    "coffee": ["snacks", "tea"],
    "tea": ["snacks", "herbal"],
    "snacks": ["coffee", "gifts"],
    "cooking": ["snacks"],
    "spa": ["herbal", "gifts"],
    "herbal": ["spa", "tea"],
    "gifts": ["spa", "snacks"],
    "cafe_supply": ["coffee", "tea"],
    "restaurant_supply": ["cooking"],
    "hotel_supply": ["spa", "gifts"],
}
# What a company's industry buys, most likely first.
INDUSTRY_FAMILIES = {
    "food": ["restaurant_supply", "cafe_supply"],
    "hospitality": ["hotel_supply", "cafe_supply", "restaurant_supply"],
    "beauty": ["hotel_supply", "spa"],
    "health": ["hotel_supply", "herbal"],
    "retail": ["gifts", "snacks", "cafe_supply"],
}
DEFAULT_BUSINESS_FAMILIES = ["gifts", "cafe_supply"]

D = Decimal
# (SKU, Thai name, English name, category, unit, list price, unit cost, price includes VAT,
#  family, popularity within the family)
PRODUCTS = [
    ("COF-001", "เมล็ดกาแฟอาราบิก้าดอยช้าง คั่วกลาง 250 ก.", "Doi Chang Arabica beans, medium roast 250 g", "coffee", "ถุง", D("320"), D("150"), True, "coffee", 10),
    ("COF-002", "เมล็ดกาแฟอาราบิก้าดอยตุง คั่วเข้ม 250 ก.", "Doi Tung Arabica beans, dark roast 250 g", "coffee", "ถุง", D("350"), D("165"), True, "coffee", 7),
    ("COF-003", "กาแฟดริปแบบซอง 10 ซอง", "Drip coffee bags (10)", "coffee", "กล่อง", D("189"), D("80"), True, "coffee", 9),
    ("COF-004", "ผงกาแฟโบราณ 500 ก.", "Thai traditional coffee powder 500 g", "coffee", "ถุง", D("120"), D("50"), True, "coffee", 6),
    ("COF-005", "แก้วกาแฟเซรามิกลายคราม", "Blue-and-white ceramic mug", "gifts", "ใบ", D("250"), D("95"), True, "coffee", 3),
    ("COF-006", "ดริปเปอร์เซรามิก", "Ceramic coffee dripper", "coffee", "ชิ้น", D("390"), D("160"), True, "coffee", 2),
    ("COF-007", "กระดาษกรองกาแฟ 100 แผ่น", "Coffee filter papers (100)", "coffee", "แพ็ค", D("95"), D("35"), True, "coffee", 5),
    ("COF-008", "นมข้นหวาน 380 ก.", "Sweetened condensed milk 380 g", "kitchen", "กระป๋อง", D("32"), D("24"), True, "coffee", 6),
    ("TEA-001", "ชาไทยผงปรุงสำเร็จ 400 ก.", "Thai tea mix 400 g", "tea", "ถุง", D("145"), D("60"), True, "tea", 10),
    ("TEA-002", "ชาอู่หลงดอยแม่สลอง 100 ก.", "Mae Salong oolong tea 100 g", "tea", "กล่อง", D("280"), D("120"), True, "tea", 6),
    ("TEA-003", "ชาดอกอัญชัน 50 ก.", "Butterfly pea flower tea 50 g", "tea", "ถุง", D("90"), D("30"), True, "tea", 5),
    ("TEA-004", "ชาเก๊กฮวย 100 ก.", "Chrysanthemum tea 100 g", "tea", "ถุง", D("85"), D("32"), True, "tea", 4),
    ("TEA-005", "น้ำผึ้งดอกลำไย 500 ก.", "Longan honey 500 g", "tea", "ขวด", D("220"), D("110"), True, "tea", 5),
    ("TEA-006", "กาน้ำชาเซลาดอน", "Celadon teapot", "gifts", "ใบ", D("890"), D("380"), True, "tea", 1),
    ("SNK-001", "มะม่วงอบแห้ง 200 ก.", "Dried mango 200 g", "snacks", "ถุง", D("135"), D("62"), True, "snacks", 10),
    ("SNK-002", "เม็ดมะม่วงหิมพานต์อบเกลือ 250 ก.", "Salted cashew nuts 250 g", "snacks", "กระปุก", D("189"), D("105"), True, "snacks", 8),
    ("SNK-003", "ทุเรียนทอดกรอบ 100 ก.", "Durian chips 100 g", "snacks", "ถุง", D("160"), D("85"), True, "snacks", 5),
    ("SNK-004", "ข้าวตังหน้าธัญพืช", "Crispy rice crackers with grains", "snacks", "ถุง", D("59"), D("24"), True, "snacks", 7),
    ("SNK-005", "มะพร้าวอบกรอบ", "Toasted coconut chips", "snacks", "ถุง", D("79"), D("32"), True, "snacks", 6),
    ("SNK-006", "กล้วยตาก 350 ก.", "Sun-dried bananas 350 g", "snacks", "กล่อง", D("95"), D("40"), True, "snacks", 4),
    ("SNK-007", "ทองม้วนกรอบ", "Crispy coconut rolls", "snacks", "กระปุก", D("120"), D("50"), True, "snacks", 5),
    ("KIT-001", "ข้าวหอมมะลิ 5 กก.", "Hom Mali jasmine rice 5 kg", "kitchen", "ถุง", D("235"), D("180"), True, "cooking", 10),
    ("KIT-002", "น้ำปลาแท้ 700 มล.", "Fish sauce 700 ml", "kitchen", "ขวด", D("45"), D("28"), True, "cooking", 8),
    ("KIT-003", "พริกแกงเขียวหวาน 500 ก.", "Green curry paste 500 g", "kitchen", "กระปุก", D("95"), D("40"), True, "cooking", 7),
    ("KIT-004", "พริกแกงมัสมั่น 500 ก.", "Massaman curry paste 500 g", "kitchen", "กระปุก", D("110"), D("48"), True, "cooking", 4),
    ("KIT-005", "กะทิ 1 ลิตร", "Coconut milk 1 L", "kitchen", "กล่อง", D("75"), D("48"), True, "cooking", 8),
    ("KIT-006", "น้ำตาลมะพร้าวแท้ 500 ก.", "Coconut palm sugar 500 g", "kitchen", "ถุง", D("90"), D("45"), True, "cooking", 4),
    ("KIT-007", "ซอสหอยนางรม 600 มล.", "Oyster sauce 600 ml", "kitchen", "ขวด", D("65"), D("40"), True, "cooking", 5),
    ("KIT-008", "เส้นจันท์ผัดไทย 500 ก.", "Pad Thai rice noodles 500 g", "kitchen", "ถุง", D("45"), D("22"), True, "cooking", 5),
    ("KIT-009", "น้ำพริกเผา 200 ก.", "Chilli jam (nam prik pao) 200 g", "kitchen", "กระปุก", D("85"), D("38"), True, "cooking", 6),
    ("KIT-010", "ครกหินอ่างศิลา", "Ang Sila granite mortar and pestle", "gifts", "ชุด", D("650"), D("300"), True, "cooking", 1),
    ("SPA-001", "ลูกประคบสมุนไพร", "Thai herbal compress ball", "spa", "ลูก", D("120"), D("45"), True, "spa", 8),
    ("SPA-002", "น้ำมันมะพร้าวสกัดเย็น 250 มล.", "Cold-pressed coconut oil 250 ml", "spa", "ขวด", D("190"), D("80"), True, "spa", 9),
    ("SPA-003", "สบู่มะลิ", "Jasmine soap bar", "spa", "ก้อน", D("79"), D("25"), True, "spa", 10),
    ("SPA-004", "น้ำมันนวดตะไคร้ 100 มล.", "Lemongrass massage oil 100 ml", "spa", "ขวด", D("250"), D("90"), True, "spa", 5),
    ("SPA-005", "สครับมะขาม 200 ก.", "Tamarind body scrub 200 g", "spa", "กระปุก", D("220"), D("80"), True, "spa", 6),
    ("SPA-006", "โลชั่นทานาคา 250 มล.", "Thanaka body lotion 250 ml", "spa", "ขวด", D("290"), D("110"), True, "spa", 4),
    ("SPA-007", "น้ำมันหอมระเหยกลิ่นมะลิ 10 มล.", "Jasmine essential oil 10 ml", "spa", "ขวด", D("320"), D("120"), True, "spa", 3),
    ("HRB-001", "ยาดมสมุนไพร", "Herbal inhaler", "herbal", "ชิ้น", D("35"), D("12"), True, "herbal", 10),
    ("HRB-002", "ยาหม่องสมุนไพร 50 ก.", "Herbal balm 50 g", "herbal", "กระปุก", D("89"), D("30"), True, "herbal", 8),
    ("HRB-003", "ฟ้าทะลายโจรแคปซูล 100 เม็ด", "Andrographis capsules (100)", "herbal", "กระปุก", D("180"), D("70"), True, "herbal", 5),
    ("HRB-004", "ขมิ้นชันแคปซูล 100 เม็ด", "Turmeric capsules (100)", "herbal", "กระปุก", D("160"), D("60"), True, "herbal", 5),
    ("HRB-005", "น้ำมันเหลือง 24 มล.", "Herbal yellow oil 24 ml", "herbal", "ขวด", D("55"), D("20"), True, "herbal", 7),
    ("HRB-006", "เครื่องดื่มขิงผง 10 ซอง", "Instant ginger drink (10 sachets)", "herbal", "ถุง", D("75"), D("30"), True, "herbal", 6),
    ("GFT-001", "ผ้าพันคอไหมไทย", "Thai silk scarf", "gifts", "ผืน", D("890"), D("420"), True, "gifts", 5),
    ("GFT-002", "กางเกงเลลายช้าง", "Elephant fisherman pants", "gifts", "ตัว", D("250"), D("90"), True, "gifts", 8),
    ("GFT-003", "กระติบข้าวเหนียวสาน", "Woven sticky rice basket", "gifts", "ใบ", D("180"), D("70"), True, "gifts", 4),
    ("GFT-004", "ชุดถ้วยเซลาดอน 4 ใบ", "Celadon cup set (4)", "gifts", "ชุด", D("1250"), D("520"), True, "gifts", 3),
    ("GFT-005", "ชามเบญจรงค์", "Benjarong bowl", "gifts", "ใบ", D("1490"), D("650"), True, "gifts", 2),
    ("GFT-006", "กระเป๋าผ้าทอมือ", "Handwoven cotton bag", "gifts", "ใบ", D("390"), D("150"), True, "gifts", 6),
    ("GFT-007", "กระเช้าของขวัญสมุนไพร", "Herbal gift basket", "gifts", "ชุด", D("1290"), D("600"), True, "gifts", 4),
    ("SUP-001", "แก้วกระดาษ 8 ออนซ์ (1,000 ใบ)", "Paper cups 8 oz (1,000)", "supplies", "ลัง", D("1450"), D("980"), False, "cafe_supply", 10),
    ("SUP-002", "ฝาปิดแก้ว 8 ออนซ์ (1,000 ชิ้น)", "Cup lids 8 oz (1,000)", "supplies", "ลัง", D("650"), D("420"), False, "cafe_supply", 9),
    ("SUP-003", "แก้วพลาสติก PET 16 ออนซ์ (1,000 ใบ)", "PET cups 16 oz (1,000)", "supplies", "ลัง", D("1650"), D("1120"), False, "cafe_supply", 6),
    ("SUP-004", "เมล็ดกาแฟคั่วเข้มสำหรับร้าน 1 กก.", "Espresso roast beans for cafés 1 kg", "coffee", "ถุง", D("690"), D("420"), False, "cafe_supply", 10),
    ("SUP-005", "ไซรัปคาราเมล 750 มล.", "Caramel syrup 750 ml", "supplies", "ขวด", D("290"), D("170"), False, "cafe_supply", 5),
    ("SUP-006", "นมสด 2 ลิตร (ลัง 6 ขวด)", "Fresh milk 2 L (case of 6)", "supplies", "ลัง", D("510"), D("420"), False, "cafe_supply", 8),
    ("SUP-007", "ข้าวหอมมะลิ 15 กก.", "Hom Mali jasmine rice 15 kg sack", "supplies", "กระสอบ", D("650"), D("520"), False, "restaurant_supply", 10),
    ("SUP-008", "น้ำปลาแท้ (ลัง 12 ขวด)", "Fish sauce (case of 12)", "supplies", "ลัง", D("480"), D("320"), False, "restaurant_supply", 7),
    ("SUP-009", "กะทิ 1 ลิตร (ลัง 12 กล่อง)", "Coconut milk 1 L (case of 12)", "supplies", "ลัง", D("780"), D("560"), False, "restaurant_supply", 8),
    ("SUP-010", "น้ำมันปาล์ม 13.75 กก.", "Palm oil 13.75 kg tin", "supplies", "ปี๊บ", D("690"), D("560"), False, "restaurant_supply", 6),
    ("SUP-011", "สบู่ก้อนโรงแรม 30 ก. (100 ก้อน)", "Hotel soap 30 g (100)", "supplies", "กล่อง", D("950"), D("520"), False, "hotel_supply", 10),
    ("SUP-012", "แชมพูขวดเล็ก 30 มล. (100 ขวด)", "Shampoo minis 30 ml (100)", "supplies", "กล่อง", D("1100"), D("600"), False, "hotel_supply", 8),
    ("SUP-013", "น้ำมันนวดสปา 1 ลิตร", "Spa massage oil 1 L", "spa", "ขวด", D("890"), D("420"), False, "hotel_supply", 6),
    ("SUP-014", "ลูกประคบสมุนไพร (แพ็ค 20 ลูก)", "Herbal compress balls (pack of 20)", "spa", "แพ็ค", D("1800"), D("720"), False, "hotel_supply", 4),
]  # fmt: skip

LEAD_CAMPAIGNS = [
    "", "", "", "fb-songkran-2026", "line-oa-coupon", "google-coffee-beans", "thaifex-2026",
    "ig-spa-gift", "newyear-gift-sets", "hotel-amenities-q3",
]  # fmt: skip
LEAD_SOURCES = [
    ("website", 30), ("facebook", 25), ("line", 20), ("referral", 10), ("event", 8),
    ("walk_in", 5), ("cold_call", 2),
]  # fmt: skip
LEAD_MESSAGES = [
    "สนใจสั่งเมล็ดกาแฟสำหรับร้าน ขอใบเสนอราคาด้วยค่ะ",
    "อยากได้กระเช้าของขวัญปีใหม่ให้พนักงาน 50 ชุด",
    "สอบถามราคาส่งสบู่และแชมพูสำหรับโรงแรม",
    "ขอแคตตาล็อกสินค้าสปาหน่อยครับ",
    "สนใจเป็นตัวแทนจำหน่ายที่เชียงใหม่",
    "มีบริการส่งต่างจังหวัดไหมคะ",
    "อยากทราบโปรโมชันเดือนนี้",
    "",
]
DISQUALIFY_REASONS = ["ติดต่อไม่ได้", "ไม่มีงบประมาณ", "ข้อมูลซ้ำ", "ไม่ใช่กลุ่มลูกค้า"]
DEAL_TITLES_PERSON = [
    "ชุดของขวัญปีใหม่ {n} ชุด",
    "ของชำร่วยงานแต่งงาน {n} ชิ้น",
    "สั่งเมล็ดกาแฟรายเดือน",
    "ของฝากสำหรับทริปบริษัท {n} ชุด",
    "ชุดสปาสำหรับร้านนวด",
]
DEAL_TITLES_COMPANY = [
    "สัญญาจัดส่งวัตถุดิบร้านกาแฟ รายปี",
    "ของขวัญลูกค้าองค์กร {n} ชุด",
    "ของใช้ในห้องพักโรงแรม {n} ห้อง",
    "วัตถุดิบครัวร้านอาหาร ไตรมาส {q}",
    "ตั้งร้านกาแฟสาขาใหม่",
]
WON_REASONS = ["ลูกค้าตกลงราคา", "ได้ส่วนลดตามปริมาณ", "ส่งตัวอย่างแล้วลูกค้าพอใจ"]
LOST_REASONS = ["ราคาสูงกว่าคู่แข่ง", "ลูกค้าเลื่อนโครงการ", "ไม่มีงบประมาณ", "เลือกผู้ขายรายอื่น"]
