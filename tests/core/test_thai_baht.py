from decimal import Decimal

import pytest

from samphan.core.thai_baht import baht_text, baht_text_en


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "ศูนย์บาทถ้วน"),
        ("1", "หนึ่งบาทถ้วน"),
        ("10", "สิบบาทถ้วน"),
        ("11", "สิบเอ็ดบาทถ้วน"),
        ("20", "ยี่สิบบาทถ้วน"),
        ("21", "ยี่สิบเอ็ดบาทถ้วน"),
        ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
        ("1001", "หนึ่งพันเอ็ดบาทถ้วน"),
        ("1234.50", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        ("0.25", "ยี่สิบห้าสตางค์"),
        ("0.01", "หนึ่งสตางค์"),
        ("0.21", "ยี่สิบเอ็ดสตางค์"),
        ("1000000", "หนึ่งล้านบาทถ้วน"),
        ("21000000", "ยี่สิบเอ็ดล้านบาทถ้วน"),
        ("1000001", "หนึ่งล้านเอ็ดบาทถ้วน"),
        ("1000010", "หนึ่งล้านสิบบาทถ้วน"),
        ("120000", "หนึ่งแสนสองหมื่นบาทถ้วน"),
        ("1000000000000", "หนึ่งล้านล้านบาทถ้วน"),
    ],
)
def test_baht_text(amount, words):
    assert baht_text(Decimal(amount)) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1.005", "หนึ่งบาทหนึ่งสตางค์"),  # half-up, like the printed figure
        ("1.004", "หนึ่งบาทถ้วน"),
        ("0.999", "หนึ่งบาทถ้วน"),
        ("-0.001", "ศูนย์บาทถ้วน"),
    ],
)
def test_baht_text_rounds_to_satang_first(amount, words):
    assert baht_text(Decimal(amount)) == words


def test_negative_amounts_are_prefixed():
    assert baht_text(Decimal("-1234.50")) == "ลบหนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"
    assert baht_text(Decimal("-0.25")) == "ลบยี่สิบห้าสตางค์"
    assert baht_text_en(Decimal("-5")) == "Minus five baht only"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Zero baht only"),
        ("1", "One baht only"),
        ("1234.50", "One thousand two hundred thirty-four baht and fifty satang"),
        ("1234", "One thousand two hundred thirty-four baht only"),
        ("0.25", "Twenty-five satang"),
        ("15.01", "Fifteen baht and one satang"),
        ("2000015", "Two million fifteen baht only"),
        ("999.995", "One thousand baht only"),
    ],
)
def test_baht_text_en(amount, words):
    assert baht_text_en(Decimal(amount)) == words
