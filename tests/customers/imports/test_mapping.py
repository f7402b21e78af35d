"""Issue 21, the mapping step: a field proposed for each column from Thai, English,
Google Contacts and Outlook headers; a preview of the rows as they would be saved with
each problem beside its cell and what a matching row would do under each policy; saved
mappings found again for the same headers. A preview writes nothing and never names a
customer the user cannot see."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers import services
from samphan.customers.imports.mapping import ROW, preview_rows, propose_mapping, split_full_name
from samphan.customers.models import CustomFieldDefinition, ImportMapping
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

THAI_HEADERS = ["ชื่อ", "นามสกุล", "ชื่อเล่น", "เบอร์โทร", "มือถือ", "อีเมล", "ไลน์", "วันเกิด",
                "ที่อยู่", "จังหวัด", "บริษัท", "ตำแหน่ง", "เลขผู้เสียภาษี", "แท็ก", "หมายเหตุ",
                "เพศ", "สีที่ชอบ"]  # fmt: skip
GOOGLE_HEADERS = ["Given Name", "Family Name", "Nickname", "Birthday", "Notes",
                  "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Type",
                  "Phone 1 - Value", "Phone 2 - Value", "Organization 1 - Name",
                  "Organization 1 - Title"]  # fmt: skip
OUTLOOK_HEADERS = ["First Name", "Last Name", "Job Title", "Company", "Mobile Phone",
                   "E-mail Address", "Birthday", "Categories", "Notes"]  # fmt: skip
POLICIES = ImportMapping.Policy


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="boss")


def test_thai_headers_are_mapped_with_custom_fields_by_label():
    CustomFieldDefinition.objects.create(key="colour", label="สีที่ชอบ", field_type="text")
    assert propose_mapping(THAI_HEADERS) == dict(enumerate([
        "first_name", "last_name", "nickname", "phone", "mobile", "email", "line", "birthday",
        "address", "province", "company_name", "job_title", "tax_id", "tags", "notes",
        "gender", "custom_fields.colour",
    ]))  # fmt: skip


def test_english_google_and_outlook_headers_ignore_case_spaces_and_punctuation():
    assert propose_mapping(["FIRST  name", "last_name", "e_mail", "LINE ID", "Tax-ID", "x"]) == {
        0: "first_name", 1: "last_name", 2: "email", 3: "line", 4: "tax_id", 5: None,
    }  # fmt: skip
    assert propose_mapping(GOOGLE_HEADERS) == dict(enumerate([
        "first_name", "last_name", "nickname", "birthday", "notes", "tags", None, "email",
        None, "phone", "phone", "company_name", "job_title",
    ]))  # fmt: skip
    assert propose_mapping(OUTLOOK_HEADERS) == dict(enumerate([
        "first_name", "last_name", "job_title", "company_name", "mobile", "email", "birthday",
        "tags", "notes",
    ]))  # fmt: skip


def test_consent_is_only_mapped_from_an_explicit_column_and_a_field_once():
    proposed = propose_mapping(["อีเมล", "consent_email_marketing", "Consent date", "อีเมล",
                                "ชื่อ", "ชื่อจริง", "ยินยอม", "ชื่อ-นามสกุล"])  # fmt: skip
    assert proposed == {0: "email", 1: "consent_email_marketing", 2: "consent_date",
                        3: "email", 4: "first_name", 5: None, 6: None, 7: None}  # fmt: skip


def test_a_row_is_shown_as_it_would_be_saved(admin):
    CustomFieldDefinition.objects.create(key="since", label="ลูกค้าตั้งแต่", field_type="date")
    headers = ["ชื่อ-นามสกุล", "เบอร์โทร", "E-mail", "วันเกิด", "แท็ก", "ลูกค้าตั้งแต่", "เพศ",
               "consent_sms_marketing", "consent date", "consent source"]  # fmt: skip
    row = ["นางสาวสมหญิง ใจดี", "02-123-4567", "Som@Example.COM", "23/05/2526",
           "VIP, ลูกค้าประจำ;ร้านสาขา 2", "1/2/2567", "หญิง", "ใช่", "01/01/2567", "ใบสมัคร"]  # fmt: skip
    mobile = ["Somchai Jaidee", "081 234 5678", "", "1983-05-23", "* myContacts ::: Friends",
              "", "M", "", "", ""]  # fmt: skip
    first, second = preview_rows(
        headers, [row, mobile], propose_mapping(headers), existing_policy="skip", user=admin
    )
    assert first.problems == {} and first.action == "create" and first.line == 2
    assert first.fields == {
        "title": "นางสาว", "first_name": "สมหญิง", "last_name": "ใจดี",
        "birthday": dt.date(1983, 5, 23), "custom_fields": {"since": "2024-02-01"},
        "gender": "female",
    }  # fmt: skip
    assert first.contact_points == [
        {"kind": "phone", "value": "+6621234567"}, {"kind": "email", "value": "som@example.com"},
    ]  # fmt: skip
    assert first.tags == ["VIP", "ลูกค้าประจำ", "ร้านสาขา 2"]
    assert first.consents == [{"channel": "sms", "purpose": "marketing", "status": "granted",
                               "at": dt.date(2024, 1, 1), "source": "import",
                               "wording_version": "ใบสมัคร"}]  # fmt: skip
    # A Latin name goes to the Latin fields; a mobile number in a phone column is a mobile.
    assert second.fields == {"first_name_en": "Somchai", "last_name_en": "Jaidee",
                             "birthday": dt.date(1983, 5, 23), "gender": "male"}  # fmt: skip
    assert second.contact_points == [{"kind": "mobile", "value": "+66812345678"}]
    assert second.tags == ["Friends"]


@pytest.mark.parametrize(
    ("text", "title", "first", "last"),
    [
        ("นายสมชาย ใจดี", "นาย", "สมชาย", "ใจดี"),
        ("นาง สมศรี  มีสุข", "นาง", "สมศรี", "มีสุข"),
        ("คุณแอน", "คุณ", "แอน", ""),
        ("ดร.วิชัย รักเรียน", "ดร.", "วิชัย", "รักเรียน"),
        ("Mrs. Jane Smith", "Mrs.", "Jane", "Smith"),
        ("Mrsmith Jones", "", "Mrsmith", "Jones"),
        ("นาฬิกา ทอง", "", "นาฬิกา", "ทอง"),
    ],
)
def test_a_full_name_is_split_into_title_first_and_last(text, title, first, last):
    assert split_full_name(text) == (title, first, last)


def test_every_kind_of_bad_cell_is_shown_beside_it_in_thai_and_english(admin):
    CustomFieldDefinition.objects.create(key="size", label="ไซส์", field_type="choice",
                                         choices=["S", "M"])  # fmt: skip
    headers = ["ชื่อ", "มือถือ", "อีเมล", "วันเกิด", "ชื่อเล่น", "แท็ก", "เลขผู้เสียภาษี", "เพศ",
               "ไซส์", "consent_email_marketing", "วันเกิด"]  # fmt: skip
    mapping = propose_mapping(headers) | {10: None}
    bad = ["สมชาย", "12345", "not-an-email", "31/02/2530", "ช" * 51, '["a", "b"]',
           "1234567890123", "maybe", "XL", "yes", ""]  # fmt: skip
    with translation.override("en"):
        (preview,) = preview_rows(headers, [bad], mapping, existing_policy="skip", user=admin)
    assert sorted(preview.problems) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert preview.action == "fail"
    assert "At most 50 characters" in preview.problems[4][0]
    assert "not a date" in preview.problems[3][0]
    assert "commas" in preview.problems[5][0]
    assert "consent date" in preview.problems[9][0]
    with translation.override("th"):
        (thai,) = preview_rows(headers, [bad], mapping, existing_policy="skip", user=admin)
    assert "ไม่ใช่วันที่" in thai.problems[3][0]
    assert "ไม่เกิน 50 ตัวอักษร" in thai.problems[4][0]
    assert "จุลภาค" in thai.problems[5][0]
    # A row without any name is a problem of the row.
    (nameless,) = preview_rows(["อีเมล"], [["a@b.th"]], {0: "email"},
                               existing_policy="skip", user=admin)  # fmt: skip
    assert list(nameless.problems) == [ROW]
    # A future birthday and a too-long tag.
    (later,) = preview_rows(["ชื่อ", "วันเกิด", "แท็ก"], [["ก", "01/01/2600", "x" * 51]],
                            {0: "first_name", 1: "birthday", 2: "tags"},
                            existing_policy="skip", user=admin)  # fmt: skip
    assert sorted(later.problems) == [1, 2]


@pytest.fixture
def existing(admin):
    return services.customer_create(
        actor=admin,
        fields={"first_name": "สมชาย", "nickname": "ชาย", "province": ""},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
    )


HEADERS = ["ชื่อ", "ชื่อเล่น", "จังหวัด", "มือถือ", "อีเมล", "แท็ก"]
ROW_OF_EXISTING = ["สมชาย", "ต้น", "เชียงใหม่", "+66 81 234 5678", "chai@x.th", "VIP"]


@pytest.mark.parametrize(
    ("policy", "action", "changes"),
    [
        (POLICIES.SKIP, "skip", set()),
        (POLICIES.FILL, "fill", {"province", "contact_points", "tags"}),
        (POLICIES.UPDATE, "update", {"nickname", "province", "contact_points", "tags"}),
        (POLICIES.CREATE, "duplicate", set()),
    ],
)
def test_a_row_matching_a_customer_by_phone_does_what_the_policy_says(
    admin, existing, policy, action, changes
):
    (preview,) = preview_rows(HEADERS, [ROW_OF_EXISTING], propose_mapping(HEADERS),
                              existing_policy=policy, user=admin)  # fmt: skip
    assert preview.match == existing and preview.action == action
    assert set(preview.changes) == changes
    if policy == POLICIES.UPDATE:
        assert preview.changes["nickname"] == ("ชาย", "ต้น")


def test_a_match_by_email_in_any_case_and_a_row_matching_two_customers(admin, existing):
    other = services.customer_create(actor=admin, fields={"first_name": "อื่น"},
                                     contact_points=[{"kind": "email", "value": "o@x.th"}])  # fmt: skip
    rows = [["ก", "", "", "", "O@X.TH", ""], ["ข", "", "", "0812345678", "o@x.th", ""]]
    by_email, both = preview_rows(HEADERS, rows, propose_mapping(HEADERS),
                                  existing_policy="update", user=admin)  # fmt: skip
    assert by_email.match == other and by_email.action == "update"
    assert both.action == "fail" and "2" in both.problems[3][0]


def test_a_scoped_rep_is_not_shown_a_customer_they_cannot_see(make_user, existing):
    rep = make_user(Role.SALES, username="rep", team=TeamFactory(name="ทีมอื่น"))
    (preview,) = preview_rows(HEADERS, [ROW_OF_EXISTING], propose_mapping(HEADERS),
                              existing_policy="update", user=rep)  # fmt: skip
    assert preview.match is None and preview.action == "create" and preview.changes == {}
    assert "สมชาย" not in repr(preview.problems)


def test_a_preview_writes_nothing(admin, existing):
    rows = [ROW_OF_EXISTING, ["ใหม่", "", "", "0899999999", "new@x.th", "ใหม่"], ["", "x", "", "bad"]]
    with CaptureQueriesContext(connection) as captured:
        for policy in POLICIES.values:
            preview_rows(
                HEADERS, rows, propose_mapping(HEADERS), existing_policy=policy, user=admin
            )
    statements = [q["sql"].lstrip().split()[0].upper() for q in captured.captured_queries]
    assert statements and not {"INSERT", "UPDATE", "DELETE"} & set(statements)


def test_a_mapping_is_saved_audited_and_found_again_for_the_same_headers(make_user, admin):
    colleague = make_user(Role.SALES, username="rep")
    headers = ["Given Name", "Phone 1 - Value", "Notes"]
    theirs = services.import_mapping_save(actor=colleague, name="Google", headers=headers,
                                          mapping=propose_mapping(headers))  # fmt: skip
    # Another file whose headers differ only in case and spacing shares it.
    assert services.import_mapping_for(["given name", "Phone 1 -  Value", "NOTES"], admin) == theirs
    mine = services.import_mapping_save(actor=admin, name="ของฉัน", headers=headers,
                                        mapping={0: "first_name", 1: "mobile", 2: None},
                                        existing_policy="fill")  # fmt: skip
    assert services.import_mapping_for(headers, admin) == mine
    assert services.import_mapping_for(headers, colleague) == theirs
    assert mine.columns == {0: "first_name", 1: "mobile", 2: None}
    assert services.import_mapping_for(["Given Name"], admin) is None
    again = services.import_mapping_save(actor=admin, name="ของฉัน", headers=headers,
                                         mapping={0: "first_name", 1: "phone"},
                                         existing_policy="update")  # fmt: skip
    assert again.pk == mine.pk and ImportMapping.objects.count() == 2
    events = AuditEvent.objects.filter(subject_type="customers.importmapping", subject_id=mine.pk)
    assert [e.action for e in events.order_by("id")] == ["create", "update"]
    assert events.order_by("id").last().changes["existing_policy"] == ["fill", "update"]


@pytest.mark.parametrize(
    ("mapping", "name"),
    [
        ({0: "shoe_size"}, "x"),
        ({5: "first_name"}, "x"),
        ({0: "first_name", 1: "first_name"}, "x"),
        ({0: "first_name"}, " "),
    ],
)
def test_a_bad_mapping_is_refused_and_nothing_saved(admin, mapping, name):
    with pytest.raises(ValidationError) as raised:
        services.import_mapping_save(actor=admin, name=name, headers=["a", "b"], mapping=mapping)
    assert set(raised.value.message_dict) == ({"name"} if name == " " else {"mapping"})
    assert not ImportMapping.objects.exists() and not AuditEvent.objects.exists()


def test_an_unknown_policy_is_refused_naming_it(admin):
    with pytest.raises(ValidationError) as raised:
        preview_rows(["ชื่อ"], [["ก"]], {0: "first_name"}, existing_policy="merge", user=admin)
    assert set(raised.value.message_dict) == {"existing_policy"}
