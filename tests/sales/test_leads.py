import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from samphan.accounts.models import Role
from samphan.core.models import Notification
from samphan.customers import services as customer_services
from samphan.customers.models import ConsentRecord, Customer, Interaction
from samphan.sales import services
from samphan.sales.models import Deal, Lead, Stage
from samphan.sales.queries import lead_duplicates
from samphan.sales.services import Conversion, LeadInput
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def capture(actor=None, **fields):
    fields.setdefault("first_name", "วิภา")
    fields.setdefault("phone", "089-111-2222")
    return services.lead_capture(actor=actor, data=LeadInput(**fields))


def test_capture_makes_a_customer_at_the_lead_stage(admin_user):
    lead = capture(admin_user, email="Wipa@Example.com", campaign="ปีใหม่ 2570", source="website")
    customer = lead.customer
    assert customer.stage == Customer.Stage.LEAD and customer.display_name == "วิภา"
    assert sorted(customer.contact_points.values_list("value", flat=True)) == [
        "+66891112222",
        "wipa@example.com",
    ]
    assert (lead.status, lead.campaign, lead.matched_existing) == ("new", "ปีใหม่ 2570", False)


def test_a_known_phone_links_the_lead_to_that_customer(admin_user):
    known = customer_services.customer_create(
        actor=admin_user,
        fields={"first_name": "วิภา", "stage": "customer"},
        contact_points=[{"kind": "mobile", "value": "0891112222"}],
    )
    lead = capture(admin_user, phone="+66 89 111 2222")
    assert lead.customer == known and lead.matched_existing
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "", "email": ""}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"phone": "", "email": "not-an-email"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"message": "x" * 5001}, "message"),
    ],
)
def test_bad_leads_name_the_field_and_write_nothing(admin_user, fields, field):
    with pytest.raises(ValidationError) as raised:
        capture(admin_user, **fields)
    assert field in raised.value.message_dict
    assert not Lead.objects.exists() and not Customer.objects.exists()


def test_round_robin_gives_leads_in_turn_and_notifies_the_owner(admin_user):
    team = TeamFactory(name="ทีมขายเหนือ")
    reps = [UserFactory(username=f"rep{i}", role=Role.SALES, team=team) for i in range(3)]
    owners = [
        services.lead_capture(
            actor=admin_user,
            data=LeadInput(first_name=f"ลูกค้า{i}", phone=f"08900000{i:02d}"),
            team=team,
        ).owner
        for i in range(4)
    ]
    assert owners == [reps[0], reps[1], reps[2], reps[0]]
    assert Notification.objects.filter(user=reps[0]).count() == 2
    lead = Lead.objects.filter(owner=reps[1]).get()
    assert lead.status == "working" and lead.customer.owner == reps[1]
    empty = TeamFactory(name="ทีมว่าง")
    with pytest.raises(ValidationError):
        services.lead_capture(
            actor=admin_user, data=LeadInput(first_name="x", phone="0891234000"), team=empty
        )


def test_conversion_keeps_history_adds_company_and_deal_in_one_step(admin_user):
    lead = capture(admin_user)
    customer_services.interaction_log(
        actor=admin_user, customer=lead.customer, kind="call", summary="โทรคุยครั้งแรก"
    )
    quoted = Stage.objects.get(pipeline__is_default=True, name_en="Quoted")
    lead = services.lead_convert(
        actor=admin_user,
        lead=lead,
        conversion=Conversion(
            stage="customer",
            company_name="บริษัท วิภาฟู้ด จำกัด",
            deal_title="วัตถุดิบรายเดือน",
            deal_amount=Decimal("45000"),
            deal_stage=quoted,
        ),
    )
    person = Customer.objects.get(pk=lead.customer_id)
    assert person.stage == "customer" and person.company.company_name == "บริษัท วิภาฟู้ด จำกัด"
    assert Interaction.objects.filter(customer=person, summary="โทรคุยครั้งแรก").exists()
    deal = Deal.objects.get()
    assert (lead.status, lead.deal, deal.customer, deal.stage) == (
        "converted",
        deal,
        person.company,
        quoted,
    )
    with pytest.raises(ValidationError):
        services.lead_convert(actor=admin_user, lead=lead, conversion=Conversion())


def test_conversion_can_merge_a_duplicate_instead_of_keeping_two_records(admin_user):
    lead = services.lead_capture(
        actor=admin_user, data=LeadInput(first_name="สมศรี", email="somsri@example.com")
    )
    customer_services.interaction_log(
        actor=admin_user, customer=lead.customer, kind="note", summary="สนใจสปา"
    )
    existing = customer_services.customer_create(
        actor=admin_user,
        fields={"first_name": "สมศรี", "stage": "customer"},
        contact_points=[{"kind": "email", "value": "somsri@example.com"}],
        allow_duplicate=True,  # the duplicate this test merges
    )

    assert list(lead_duplicates(admin_user, lead)) == [existing]
    lead = services.lead_convert(
        actor=admin_user, lead=lead, conversion=Conversion(merge_into=existing)
    )
    old = Customer.objects.get(pk=Lead.objects.get(pk=lead.pk).customer_id)
    assert old == existing
    assert Interaction.objects.get(summary="สนใจสปา").customer == existing
    merged = Customer.objects.exclude(pk=existing.pk).get()
    assert merged.is_archived  # kept, archived, for the record
    assert existing.contact_points.count() == 1  # the same e-mail is not doubled


def test_a_failing_conversion_writes_nothing(admin_user):
    lead = capture(admin_user)
    company = customer_services.customer_create(
        actor=admin_user, fields={"kind": "company", "company_name": "บจก. เอ"}
    )
    with pytest.raises(ValidationError):
        services.lead_convert(
            actor=admin_user, lead=lead, conversion=Conversion(deal_title="x", merge_into=company)
        )
    lead.refresh_from_db()
    assert lead.status == "new" and lead.customer.stage == "lead" and not lead.customer.is_archived
    assert not Deal.objects.exists()


def test_disqualify_needs_a_reason(admin_user):
    lead = capture(admin_user)
    with pytest.raises(ValidationError):
        services.lead_disqualify(actor=admin_user, lead=lead, reason=" ")
    lead = services.lead_disqualify(actor=admin_user, lead=lead, reason="ติดต่อไม่ได้")
    assert lead.status == "disqualified" and lead.closed_at


# -- The public form ------------------------------------------------------------------------


FORM = {
    "first_name": "นภา",
    "phone": "0861234567",
    "email": "napa@example.com",
    "message": "สนใจแพ็กเกจสปา",
    "consent": "on",
}


def test_public_form_needs_no_login_can_be_framed_and_records_service_consent():
    client = Client()
    page = client.get("/p/lead/?campaign=facebook-nov")
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    sent = client.post("/p/lead/?campaign=facebook-nov", FORM)
    assert sent.status_code == 200
    lead = Lead.objects.get()
    assert (lead.campaign, lead.source, lead.customer.display_name) == (
        "facebook-nov",
        "website",
        "นภา",
    )
    consents = ConsentRecord.objects.filter(customer=lead.customer)
    assert {(c.channel, c.purpose, c.source) for c in consents} == {
        ("email", "service", "form"),
        ("sms", "service", "form"),
    }


def test_public_form_honeypot_keeps_nothing_and_bad_input_says_why():
    client = Client()
    assert client.post("/p/lead/", {**FORM, "website": "http://spam.example"}).status_code == 200
    assert not Lead.objects.exists()
    for bad in ({"consent": ""}, {"phone": "12", "email": ""}, {"first_name": ""}):
        response = client.post("/p/lead/", {**FORM, **bad})
        assert response.status_code == 400
        assert 'class="field field-error' in response.content.decode()
    assert not Lead.objects.exists()


def test_public_form_is_rate_limited_per_sender():
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        client.post("/p/lead/", {**FORM, "phone": f"08612345{i:02d}", "email": ""}).status_code
        for i in range(6)
    ]
    assert codes == [200] * 5 + [429]
    assert Lead.objects.count() == 5
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert other.post("/p/lead/", {**FORM, "phone": "0869999999", "email": ""}).status_code == 200


# -- The API -----------------------------------------------------------------------------------


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_leads_api_capture_assign_convert(api, admin_user):
    created = post(
        api, "/api/v1/leads", {"first_name": "ก้อง", "phone": "0812223333", "campaign": "งานแฟร์"}
    )
    assert created.status_code == 201, created.content
    lead = created.json()
    assert lead["status"] == "working" and lead["owner_id"] == admin_user.pk
    bad = post(api, "/api/v1/leads", {"first_name": "ไม่มีเบอร์"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "phone"
    rep = UserFactory(username="rep", role=Role.SALES, team=admin_user.team)
    assigned = post(api, f"/api/v1/leads/{lead['id']}/assign", {"owner_id": rep.pk})
    assert assigned.json()["owner_id"] == rep.pk
    assert Notification.objects.filter(user=rep).exists()
    converted = post(
        api, f"/api/v1/leads/{lead['id']}/convert", {"stage": "prospect", "deal_title": "บูธงานแฟร์"}
    )
    assert converted.status_code == 200 and converted.json()["status"] == "converted"
    assert converted.json()["deal_id"]
    again = post(api, f"/api/v1/leads/{lead['id']}/convert", {})
    assert again.status_code == 422
    assert api.get("/api/v1/leads?status=converted").json()["count"] == 1


def test_pages_show_a_lead_nobody_owns_yet(admin_client):
    Client().post("/p/lead/", FORM)
    lead = Lead.objects.get()
    assert lead.owner is None
    for url in ("/sales/leads/", f"/sales/leads/{lead.pk}/", f"/sales/leads/{lead.pk}/convert/"):
        response = admin_client.get(url)
        assert response.status_code == 200 and "นภา" in response.content.decode()


def test_public_form_speaks_english_when_the_link_asks():
    client = Client()
    assert "Contact us" in client.get("/p/lead/?lang=en").content.decode()
    assert "ติดต่อเรา" in client.get("/p/lead/").content.decode()
    thanks = client.post("/p/lead/?lang=en&campaign=x", FORM).content.decode()
    assert "Thank you" in thanks and Lead.objects.get().campaign == "x"


def test_public_form_cannot_grant_consent_or_attach_a_lead_to_a_known_customer(
    admin_client, admin_user
):
    """Issue 20: an anonymous POST with a known phone and consent=on left the customer's
    withdrawn SMS consent "granted" and the stranger's lead on their record."""
    known = customer_services.customer_create(
        actor=None,
        fields={"first_name": "สมศรี", "stage": "customer"},
        contact_points=[{"kind": "mobile", "value": "0861234567"}],
    )
    withdrawn = customer_services.consent_record(
        actor=None,
        customer=known,
        channel=ConsentRecord.Channel.SMS,
        purpose=ConsentRecord.Purpose.SERVICE,
        status=ConsentRecord.Status.WITHDRAWN,
    )
    known.refresh_from_db()
    bits, name = known.consent_bits, known.display_name
    unknown = Client().post("/p/lead/", {**FORM, "phone": "0869990000", "email": ""})
    sent = Client().post("/p/lead/", {**FORM, "email": ""})  # the known phone
    assert sent.status_code == unknown.status_code == 200
    assert sent.content.replace(b"0861234567", b"") == unknown.content.replace(b"0869990000", b"")
    known.refresh_from_db()
    assert known.consent_bits == bits and known.display_name == name
    assert list(ConsentRecord.objects.filter(customer=known)) == [withdrawn]
    assert not known.leads.exists()
    lead = Lead.objects.get(
        customer__first_name="นภา", customer__contact_points__value="+66861234567"
    )
    assert lead.unconfirmed_match and not lead.matched_existing
    assert not ConsentRecord.objects.filter(customer=lead.customer).exists()
    page = admin_client.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert "สมศรี" in page and 'class="duplicate-warning unconfirmed-match"' in page
    listed = admin_client.get("/sales/leads/").content.decode()
    assert "unconfirmed-match" in listed and "ตรงกับลูกค้า: รอยืนยัน" in listed
    api = admin_client.get(f"/api/v1/leads/{lead.pk}")
    assert api.status_code == 200 and api.json()["unconfirmed_match"] is True
    # Staff confirm by merging at conversion; the customer's consent still stays theirs.
    services.lead_convert(actor=admin_user, lead=lead, conversion=Conversion(merge_into=known))
    assert list(ConsentRecord.objects.filter(customer=known)) == [withdrawn]
