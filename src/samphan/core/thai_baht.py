"""Amounts in words, as Thai invoices and quotations print them under the figure.

Thai documents carry the BAHTTEXT form (``หนึ่งพันสองร้อยบาทถ้วน``) so a figure cannot be
altered without the words disagreeing; the English quote carries the same in English.
"""

from decimal import Decimal

from samphan.core.money import to_baht

THAI_DIGITS = ("", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
# Places within one group of six digits; ล้าน (million) repeats above that.
THAI_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")
MILLION = 1_000_000

ENGLISH_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
ENGLISH_TENS = (
    "",
    "",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)
ENGLISH_SCALES = ("", "thousand", "million", "billion", "trillion", "quadrillion")


def _baht_and_satang(amount: Decimal | int | str) -> tuple[bool, int, int]:
    """Round half-up to satang first, so the words always match the printed figure."""
    rounded = to_baht(amount)
    baht, satang = divmod(int(abs(rounded) * 100), 100)
    return rounded < 0, baht, satang


def _thai_group(number: int, *, follows_higher: bool) -> str:
    """Words for 0–999,999; a final 1 reads เอ็ด when any other digit precedes it."""
    words = []
    text = str(number)
    for place, char in zip(range(len(text) - 1, -1, -1), text, strict=True):
        digit = int(char)
        if digit == 0:
            continue
        if place == 1:
            words.append({1: "สิบ", 2: "ยี่สิบ"}.get(digit, THAI_DIGITS[digit] + "สิบ"))
        elif place == 0 and digit == 1 and (follows_higher or number > 1):
            words.append("เอ็ด")
        else:
            words.append(THAI_DIGITS[digit] + THAI_PLACES[place])
    return "".join(words)


def _thai_number(number: int) -> str:
    """Millions nest (ล้านล้าน), so the part above a million is read by the same rule."""
    if number < MILLION:
        return _thai_group(number, follows_higher=False)
    millions, rest = divmod(number, MILLION)
    return _thai_number(millions) + "ล้าน" + _thai_group(rest, follows_higher=True)


def baht_text(amount: Decimal | int | str) -> str:
    """``Decimal("1234.50")`` → ``หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์`` (Excel's BAHTTEXT)."""
    negative, baht, satang = _baht_and_satang(amount)
    sign = "ลบ" if negative else ""
    if not baht and not satang:
        return "ศูนย์บาทถ้วน"
    if not satang:
        return f"{sign}{_thai_number(baht)}บาทถ้วน"
    if not baht:
        return f"{sign}{_thai_number(satang)}สตางค์"
    return f"{sign}{_thai_number(baht)}บาท{_thai_number(satang)}สตางค์"


def _english_below_thousand(number: int) -> list[str]:
    hundreds, rest = divmod(number, 100)
    words = [ENGLISH_ONES[hundreds], "hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(ENGLISH_TENS[tens] + (f"-{ENGLISH_ONES[ones]}" if ones else ""))
    elif rest:
        words.append(ENGLISH_ONES[rest])
    return words


def _english_number(number: int) -> str:
    """Short scale, no "and" after hundred: ``one thousand two hundred thirty-four``."""
    if number == 0:
        return "zero"
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    if len(groups) > len(ENGLISH_SCALES):
        raise ValueError("Amount is too large to write in English words.")
    words: list[str] = []
    for scale, group in reversed(list(zip(ENGLISH_SCALES, groups, strict=False))):
        if group:
            words += _english_below_thousand(group) + ([scale] if scale else [])
    return " ".join(words)


def baht_text_en(amount: Decimal | int | str) -> str:
    """``Decimal("1234.50")`` → ``One thousand two hundred thirty-four baht and fifty satang``."""
    negative, baht, satang = _baht_and_satang(amount)
    if not satang:
        text = f"{_english_number(baht)} baht only"
    elif not baht:
        text = f"{_english_number(satang)} satang"
    else:
        text = f"{_english_number(baht)} baht and {_english_number(satang)} satang"
    if negative:
        text = f"minus {text}"
    return text[0].upper() + text[1:]
