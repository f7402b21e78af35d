"""The name normaliser and the romaniser on known names: titles, tone marks, sound-alike
letters and silent letters fold away; RTGS-like Latin; Latin variants meet on one key."""

import pytest

from samphan.customers.dedupe.names import (
    clean,
    jaro_winkler,
    latin_key,
    romanise,
    strip_title,
    thai_key,
)


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("นายสมชาย", "สมชาย"),
        ("นาย สมชาย", "สมชาย"),
        ("นางสาวศิริพร", "ศิริพร"),
        ("นางมาลี", "มาลี"),
        ("น.ส.มาลี", "มาลี"),
        ("ด.ช. ต้น", "ต้น"),
        ("ด.ญ.พลอย", "พลอย"),
        ("ดร.ประเสริฐ", "ประเสริฐ"),
        ("คุณสมศรี", "สมศรี"),
        ("Mr Somchai", "Somchai"),
        ("Mrs. Malee", "Malee"),
        ("Dr Prasert", "Prasert"),
        ("Miss Lalita", "Lalita"),
        ("นางสาว", "นางสาว"),  # a title alone is left as it is
        ("Dr", "Dr"),
    ],
)
def test_titles_are_stripped(written: str, name: str) -> None:
    assert strip_title(written) == name


def test_clean_drops_spaces_and_punctuation() -> None:
    assert clean("สม ชาย") == clean("สม-ชาย") == "สมชาย"
    assert clean("  Som-Chai. ") == "somchai"
    assert clean("Séverine") == "severine"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("สมศักดิ์", "สมสัก"),  # ศ/ส and the silent ดิ์
        ("ศิริพร", "สิริพร"),  # ศ/ส
        ("ณัฐพล", "นัทพล"),  # ณ/น, ฐ/ท
        ("ณัฐพล", "นัทพน"),  # a final ล sounds n
        ("ธนากร", "ทนากร"),  # ธ/ท
        ("สุภาพร", "สุพาพร"),  # ภ/พ
        ("กาญจนา", "กานจนา"),  # ญ as a final sounds n
        ("วิไลวรรณ", "วิไลวัน"),  # รร
        ("มั่นคง", "มันคง"),  # tone mark dropped
        ("กิตติพงษ์", "กิตติพง"),  # silent ษ
        ("นาย สม ชาย", "สมชาย"),  # title and spaces
        ("อนุรักษ์", "อนุรัก"),
    ],
)
def test_thai_sound_key_folds_spelling_variants(a: str, b: str) -> None:
    assert thai_key(a) == thai_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("สมชาย", "สมศักดิ์"), ("มาลี", "มานี"), ("ศิริพร", "จิราพร"), ("ใจดี", "ใจงาม")],
)
def test_thai_sound_key_keeps_different_names_apart(a: str, b: str) -> None:
    assert thai_key(a) != thai_key(b)


@pytest.mark.parametrize(
    ("thai", "latin"),
    [
        ("สมชาย", "somchai"),
        ("สมศรี", "somsri"),
        ("ประเสริฐ", "prasoet"),
        ("สมศักดิ์", "somsak"),
        ("วิชัย", "wichai"),
        ("ชนิดา", "chanida"),
        ("สุนิสา", "sunisa"),
        ("ดวงใจ", "duangchai"),
        ("มาลี", "mali"),
        ("ศิริพร", "siriphon"),
        ("ธนากร", "thanakon"),
        ("แสงทอง", "saengthong"),
        ("รุ่งเรือง", "rungrueang"),
        ("แก้วมณี", "kaeomani"),
        ("ไพโรจน์", "phairot"),
        ("บุญชัย", "bunchai"),
        ("กิตติพงษ์", "kittiphong"),
        ("วิไลวรรณ", "wilaiwan"),
        ("ชัยมงคล", "chaimongkhon"),
        ("นายสมชาย", "somchai"),
    ],
)
def test_romaniser_follows_rtgs_on_names(thai: str, latin: str) -> None:
    assert romanise(thai) == latin


@pytest.mark.parametrize(
    "spellings",
    [
        ["สมชาย", "Somchai", "Somchay", "Somchaai", "SOMCHAI", "Mr Somchai", "Somjai"],
        ["ประเสริฐ", "Prasert", "Prasoet", "Prasertt"],
        ["มาลี", "Malee", "Mali", "Malii"],
        ["บุญชัย", "Boonchai", "Bunchai", "Boonchay"],
        ["ศิริพร", "Siriporn", "Siripon", "Sirriporn"],
        ["ธิดารัตน์", "Thidarat", "Tidarat"],
        ["ภานุวัฒน์", "Panuwat", "Phanuwat", "Panuvat"],
        ["ไพโรจน์", "Pairoj", "Phairot"],
        ["แก้วมณี", "Kaewmanee", "Kaeomani"],
        ["ชัยมงคล", "Chaimongkol", "Chaimongkhon"],
    ],
)
def test_latin_key_meets_transliteration_variants(spellings: list[str]) -> None:
    keys = {latin_key(spelling) for spelling in spellings}
    assert len(keys) == 1, {spelling: latin_key(spelling) for spelling in spellings}


def test_latin_key_keeps_different_names_apart() -> None:
    assert latin_key("Somchai") != latin_key("Somsak")
    assert latin_key("Malee") != latin_key("Manee")


def test_jaro_winkler() -> None:
    assert jaro_winkler("", "") == 0.0
    assert jaro_winkler("abc", "") == 0.0
    assert jaro_winkler("somjai", "somjai") == 1.0
    assert jaro_winkler("martha", "marhta") == pytest.approx(0.9611, abs=1e-4)
    assert jaro_winkler("dixon", "dicksonx") == pytest.approx(0.8133, abs=1e-4)
    assert jaro_winkler("somjai", "somsak") < 0.85
