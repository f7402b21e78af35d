"""The pair score: a shared phone (any form) or e-mail (any case) is certain; names that
sound alike score high with the reason given; a shared birthday, company or address
raises the score; blocking keys meet across scripts, spellings and nicknames."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from django.utils import translation

from samphan.customers.dedupe.scoring import (
    THRESHOLD,
    CustomerSummary,
    name_keys,
    phone_key,
    score,
    summary_keys,
)

BIRTHDAY = date(1980, 5, 1)
SOMCHAI = CustomerSummary(first_name="สมชาย", last_name="ใจดี", nickname="ต้น", birthday=BIRTHDAY)


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_same_phone_in_any_form_is_certain() -> None:
    a = CustomerSummary(first_name="สมชาย", phones=frozenset({"+66812345678"}))
    b = CustomerSummary(first_name="มาลี", phones=frozenset({"081-234-5678"}))
    result = score(a, b)
    assert result.score == 1.0
    assert result.reasons == ["same phone: +66812345678"]
    assert phone_key("66 81 234 5678") == phone_key("0812345678") == "812345678"


def test_same_email_in_any_case_is_certain() -> None:
    a = CustomerSummary(emails=frozenset({"Somchai@Example.com"}))
    b = CustomerSummary(emails=frozenset({" somchai@example.COM"}))
    assert score(a, b).score == 1.0


def test_thai_spelling_variants_score_high() -> None:
    b = CustomerSummary(first_name="นาย สมชาย", last_name="ใจ ดี", birthday=BIRTHDAY)
    result = score(SOMCHAI, b)
    assert result.score >= THRESHOLD
    assert result.reasons == ["names sound alike: สมชาย ใจดี ~ นาย สมชาย ใจ ดี", "same birthday"]


def test_thai_and_latin_spellings_meet() -> None:
    b = CustomerSummary(first_name_en="Somchay", last_name_en="Jaidee", birthday=BIRTHDAY)
    result = score(SOMCHAI, b)
    assert result.score >= THRESHOLD
    assert result.reasons == ["names sound alike: สมชาย ใจดี ~ Somchay Jaidee", "same birthday"]
    assert summary_keys(SOMCHAI) & summary_keys(b)
    assert name_keys("สมชาย", "ใจดี") & name_keys("", "", "Somchaai", "Jaidi")


def test_nickname_for_the_first_name() -> None:
    b = CustomerSummary(first_name="ต้น", last_name="ใจดี", birthday=BIRTHDAY)
    assert score(SOMCHAI, b).score >= THRESHOLD
    assert summary_keys(SOMCHAI) & summary_keys(b)
    assert name_keys("สมชาย", "ใจดี", nickname="ต้น") & name_keys("ต้น", "ใจดี")


def test_latin_typo_scores_high() -> None:
    a = CustomerSummary(first_name_en="Kanchana", last_name_en="Charoensuk", company="Siam Foods")
    b = CustomerSummary(first_name_en="Kacnhana", last_name_en="Charoensuk", company="siam foods")
    assert score(a, b).score >= THRESHOLD
    assert summary_keys(a) & summary_keys(b)


def test_different_people_with_one_name_stay_apart() -> None:
    other_family = CustomerSummary(first_name="สมชาย", last_name="รักไทย", birthday=BIRTHDAY)
    brother = CustomerSummary(first_name="สมศักดิ์", last_name="ใจดี", birthday=BIRTHDAY)
    assert score(SOMCHAI, other_family).score < THRESHOLD
    assert score(SOMCHAI, brother).score < THRESHOLD


def test_birthday_company_and_address_move_the_score() -> None:
    base = CustomerSummary(first_name="สมชาย", last_name="ใจดี", company="ร้านเจริญกิจ")
    plain = score(
        base, CustomerSummary(first_name_en="Somchai", last_name_en="Jaidi", company="ร้านเจริญกิจ")
    ).score
    a = CustomerSummary(
        first_name="สมชาย",
        last_name="ใจดี",
        birthday=date(1980, 5, 1),
        company="ร้านเจริญกิจ",
        address="12/3 ถนนสุขุมวิท",
    )
    b = CustomerSummary(
        first_name_en="Somchai",
        last_name_en="Jaidi",
        birthday=date(1980, 5, 1),
        company="ร้านเจริญกิจ ",
        address="12/3  ถนนสุขุมวิท",
    )
    result = score(a, b)
    assert result.score > plain
    assert result.reasons[1:] == ["same birthday", "same company: ร้านเจริญกิจ", "same address"]
    other_birthday = score(a, replace(b, birthday=date(1990, 1, 1)))
    assert other_birthday.score < result.score
    assert "different birthdays" in other_birthday.reasons


def test_reasons_in_thai() -> None:
    a = CustomerSummary(phones=frozenset({"0812345678"}))
    with translation.override("th"):
        assert score(a, a).reasons == ["เบอร์โทรเดียวกัน: 0812345678"]
        assert score(
            SOMCHAI, CustomerSummary(first_name_en="Somchai", last_name_en="Jaidee", nickname="ต้น")
        ).reasons == ["ชื่อออกเสียงเหมือนกัน: สมชาย ใจดี ~ Somchai Jaidee", "ชื่อเล่นเดียวกัน: ต้น"]


def test_the_same_name_alone_is_never_enough() -> None:
    """Many different people share a common Thai name: with nothing else shared, even the
    same full name written the same way stays below the threshold, and the two do not
    even meet in a block."""
    a = CustomerSummary(first_name="สมชาย", last_name="ใจดี", phones=frozenset({"0812345678"}))
    b = CustomerSummary(first_name="สมชาย", last_name="ใจดี", phones=frozenset({"0899999999"}))
    assert score(a, b).score < THRESHOLD
    assert score(a, b).reasons == ["same name: สมชาย ใจดี"]
    assert not summary_keys(a) & summary_keys(b)
    latin = CustomerSummary(first_name_en="Somchai", last_name_en="Jaidee", province="ตาก")
    assert score(SOMCHAI, latin).score < THRESHOLD


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"birthday": BIRTHDAY}, "same birthday"),
        ({"phones": frozenset({"0812345679"})}, "phone one digit apart: 081-234-5678"),
        (
            {"emails": frozenset({"somchai.j@gmial.com"})},
            "e-mail one letter apart: somchai.j@gmail.com",
        ),
        ({"line_ids": frozenset({"SomchaiJ"})}, "same LINE ID: somchaij"),
        ({"address": "12/3 ถนนสุขุมวิท"}, "same address"),
        ({"company": "ร้านเจริญกิจ"}, "same company: ร้านเจริญกิจ"),
    ],
)
def test_a_second_signal_with_the_name_makes_a_candidate(change: dict, reason: str) -> None:
    a = CustomerSummary(
        first_name="สมชาย", last_name="ใจดี", nickname="ต้น", birthday=BIRTHDAY,
        phones=frozenset({"081-234-5678"}), emails=frozenset({"somchai.j@gmail.com"}),
        line_ids=frozenset({"somchaij"}), address="12/3 ถนนสุขุมวิท", company="ร้านเจริญกิจ",
    )  # fmt: skip
    b = CustomerSummary(first_name_en="Somchay", last_name_en="Jaidee", **change)
    result = score(a, b)
    assert result.score >= THRESHOLD
    assert result.reasons[1:] == [reason]
    assert summary_keys(a) & summary_keys(b)


def test_weak_signals_are_not_enough() -> None:
    """A phone two digits apart, e-mails that differ by a digit (two accounts), or the
    same nickname (a few dozen cover most people) leave namesakes apart."""
    a = CustomerSummary(
        first_name="สมชาย", last_name="ใจดี", nickname="ต้น",
        phones=frozenset({"0812345678"}), emails=frozenset({"somchai1@gmail.com"}),
    )  # fmt: skip
    for change in (
        {"phones": frozenset({"0812345699"})},
        {"emails": frozenset({"somchai2@gmail.com"})},
        {"nickname": "ต้น"},
    ):
        b = CustomerSummary(first_name="สมชาย", last_name="ใจดี", **change)
        assert score(a, b).score < THRESHOLD, change
    both = CustomerSummary(first_name="สมชาย", last_name="ใจดี", nickname="ต้น", company="ร้านดี")
    assert score(replace(a, company="ร้านดี"), both).reasons[1:] == [
        "same company: ร้านดี",
        "same nickname: ต้น",
    ]
