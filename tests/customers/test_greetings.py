"""Greeting etiquette, case by case: "คุณ" and the nickname (or first name) every day in
Thai, a formal title only with the first name, title and last name in English, companies
by their name. No database: the rule reads the customer's fields only."""

import pytest
from django.utils import translation

from samphan.customers.greetings import greeting_for
from samphan.customers.models import Customer


def person(**fields: str) -> Customer:
    return Customer(kind=Customer.Kind.PERSON, **fields)


ANONG = {"first_name": "อัญชลี", "last_name": "ใจดี", "nickname": "แอน"}
SOMCHAI = {"first_name": "สมชาย", "last_name": "รักไทย"}
JOHN = {"first_name_en": "John", "last_name_en": "Smith"}

# (fields, Thai everyday, Thai formal, English)
CASES = [
    # a nickname: "คุณ" + nickname every day, whatever the title; never a title with it
    ({**ANONG, "title": "นางสาว"}, "คุณแอน", "นางสาวอัญชลี", "Ms ใจดี"),
    ({**ANONG, "title": "นาง"}, "คุณแอน", "นางอัญชลี", "Mrs ใจดี"),
    ({**ANONG, "title": "คุณ"}, "คุณแอน", "คุณอัญชลี", "อัญชลี"),
    ({**ANONG, "title": ""}, "คุณแอน", "คุณอัญชลี", "อัญชลี"),
    ({**ANONG, "title": "ดร."}, "คุณแอน", "ดร.อัญชลี", "Dr ใจดี"),
    ({**ANONG, "title": "น.ส.", "last_name_en": "Jaidee"}, "คุณแอน", "น.ส.อัญชลี", "Ms Jaidee"),
    # no nickname: "คุณ" + first name
    ({**SOMCHAI, "title": "นาย"}, "คุณสมชาย", "นายสมชาย", "Mr รักไทย"),
    ({**SOMCHAI, "title": "ดร", "last_name_en": "Chai"}, "คุณสมชาย", "ดรสมชาย", "Dr Chai"),
    ({**SOMCHAI, "title": "คุณ"}, "คุณสมชาย", "คุณสมชาย", "สมชาย"),
    ({**SOMCHAI, "title": "K."}, "คุณสมชาย", "คุณสมชาย", "สมชาย"),
    ({"first_name": "มะลิ"}, "คุณมะลิ", "คุณมะลิ", "มะลิ"),
    # Latin names only
    ({**JOHN, "title": "Mr"}, "คุณ John", "Mr John", "Mr Smith"),
    ({**JOHN, "title": "Dr."}, "คุณ John", "Dr. John", "Dr Smith"),
    ({**JOHN, "title": ""}, "คุณ John", "คุณ John", "John"),
    ({"first_name_en": "Bee"}, "คุณ Bee", "คุณ Bee", "Bee"),
    # English: a title without a last name is no greeting; the first name is
    ({"title": "Mrs", "first_name_en": "Mary"}, "คุณ Mary", "Mrs Mary", "Mary"),
    # a nickname only
    ({"nickname": "ออม", "title": "นาย"}, "คุณออม", "คุณออม", "ออม"),
    # a last name only: no "คุณ" + surname in Thai; the English form where it exists
    ({"last_name": "ใจดี"}, "ใจดี", "ใจดี", "ใจดี"),
    ({"last_name_en": "Smith", "title": "Ms"}, "Smith", "Smith", "Ms Smith"),
    # nothing at all, and names that are only spaces
    ({}, "", "", ""),
    ({"first_name": "  ", "nickname": " ", "title": "นาย"}, "", "", ""),
]


@pytest.mark.parametrize(("fields", "thai", "formal", "english"), CASES)
def test_greetings_follow_the_etiquette(fields, thai, formal, english):
    customer = person(**fields)
    assert greeting_for(customer, "th") == thai
    assert greeting_for(customer, "th", formal=True) == formal
    assert greeting_for(customer, "en") == english
    assert greeting_for(customer, "en", formal=True) == english  # already formal


@pytest.mark.parametrize(
    ("fields", "thai", "english"),
    [
        ({"company_name": "บริษัท สยาม จำกัด", "company_name_en": "Siam Co., Ltd."},
         "บริษัท สยาม จำกัด", "Siam Co., Ltd."),
        ({"company_name": "บริษัท สยาม จำกัด"}, "บริษัท สยาม จำกัด", "บริษัท สยาม จำกัด"),
        ({"company_name_en": "Siam Co., Ltd."}, "Siam Co., Ltd.", "Siam Co., Ltd."),
    ],
)  # fmt: skip
def test_companies_are_greeted_by_their_name(fields, thai, english):
    company = Customer(kind=Customer.Kind.COMPANY, nickname="ไม่ใช้", **fields)
    assert greeting_for(company, "th") == thai == greeting_for(company, "th", formal=True)
    assert greeting_for(company, "en") == english


def test_a_formal_title_never_goes_with_a_nickname():
    for title in ["นาย", "นาง", "นางสาว", "ดร.", "Mr", "Ms"]:
        for language in ["th", "en"]:
            for formal in [False, True]:
                greeting = greeting_for(
                    person(title=title, first_name="อัญชลี", nickname="บี"), language, formal=formal
                )
                assert not (title in greeting and "บี" in greeting), greeting


def test_the_property_greets_in_the_active_language():
    customer = person(title="นาง", first_name="อัญชลี", last_name_en="Jaidee", nickname="แอน")
    with translation.override("th"):
        assert customer.greeting == "คุณแอน" and customer.formal_greeting == "นางอัญชลี"
    with translation.override("en"):
        assert customer.greeting == "Mrs Jaidee"


@pytest.mark.django_db
def test_the_customer_page_shows_the_everyday_and_the_formal_greeting(admin_client):
    from samphan.customers import services

    customer = services.customer_create(
        actor=None,
        fields={"kind": "person", "title": "นางสาว", "first_name": "อัญชลี", "nickname": "บี"},
    )
    with translation.override("th"):
        html = admin_client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="th").content
    text = html.decode()
    assert "<strong>คุณบี</strong>" in text and "ทางการ: นางสาวอัญชลี" in text
    assert "นางสาวบี" not in text and "นางสาว บี" not in text
