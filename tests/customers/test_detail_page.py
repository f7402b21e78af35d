"""The customer page after issue 22's CPU work: the same content, read more cheaply.

The page reads the company's and referrer's names without their rows, tags and interests in
one statement, a company's people only for a company, the custom fields' definitions only
when the customer has a value, and renders the two unbound forms once per language, time
zone and minute (customers/page_forms.py)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.template import loader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from samphan.accounts.models import User
from samphan.core.phones import format_phone
from samphan.customers import page_forms
from samphan.customers.forms import ConsentForm, InteractionForm
from samphan.customers.merge import UNDO_DAYS, customers_merge
from samphan.customers.models import CustomFieldDefinition, Interest, MergeRecord
from tests.factories import CompanyFactory, ContactPointFactory, CustomerFactory, TagFactory


@pytest.fixture
def person(db):
    company = CompanyFactory(company_name="บริษัท ข้าวหอม จำกัด")
    referrer = CustomerFactory(first_name="มานี", last_name="มีนา")
    customer = CustomerFactory(company=company, referred_by=referrer, job_title="ผู้จัดการ")
    customer.tags.add(TagFactory(name="ขาประจำ"), TagFactory(name="กลุ่มทอง"))
    customer.interests.add(
        Interest.objects.create(name="อาหาร"), Interest.objects.create(name="กาแฟ")
    )
    return customer


def page(client, customer, language="th"):
    User.objects.filter(username="admin").update(language=language)  # each user's own language
    response = client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_company_referrer_tags_and_interests_are_shown_in_order(admin_client, person):
    html = page(admin_client, person)
    company, referrer = person.company, person.referred_by
    assert f'<a href="/customers/{company.pk}/">บริษัท ข้าวหอม จำกัด</a>' in html
    assert f'<a href="/customers/{referrer.pk}/">มานี มีนา</a>' in html
    tags = re.findall(r'class="chip" href="/customers/\?tag=\d+">#([^<]+)<', html)
    assert tags == ["กลุ่มทอง", "ขาประจำ"]  # by name, as Tag's ordering
    interests = re.findall(r'class="chip chip-interest">([^<]+)<', html)
    assert interests == ["กาแฟ", "อาหาร"]


def test_a_company_lists_its_people_and_a_person_reads_no_people(admin_client, person):
    ContactPointFactory(customer=person, kind="mobile", value="0812345678", is_preferred=True)
    html = page(admin_client, person.company)
    assert f'<a href="/customers/{person.pk}/">{person.display_name}</a>' in html
    assert format_phone("0812345678") in html  # the person's preferred phone
    with CaptureQueriesContext(connection) as captured:
        page(admin_client, person)
    people = [q["sql"] for q in captured if '"customers_customer"."company_id" IN' in q["sql"]]
    assert people == []


def test_custom_fields_are_read_only_when_the_customer_has_a_value(admin_client, person):
    CustomFieldDefinition.objects.create(key="shoe_size", label="เบอร์รองเท้า", field_type="text")
    with CaptureQueriesContext(connection) as captured:
        html = page(admin_client, person)
    assert "เบอร์รองเท้า" not in html
    assert not [q for q in captured if "customfielddefinition" in q["sql"]]
    person.custom_fields = {"shoe_size": "42"}
    person.save(update_fields=["custom_fields"])
    html = page(admin_client, person)
    assert "<dt>เบอร์รองเท้า</dt><dd>42</dd>" in html


def _forms_of(html):
    quick_log = re.search(r'<div class="quick-kinds".*?</details>', html, re.S)
    consent = re.search(r'<select name="channel".*?name="status".*?</select>', html, re.S)
    assert quick_log and consent
    return quick_log.group(), consent.group()


def _live(language):
    """The two forms rendered as the page rendered them before the cache."""
    with translation.override(language):
        form = InteractionForm(initial={"kind": "call"})
        interaction = loader.get_template(f"{page_forms.TEMPLATE}#interaction-fields")
        consent = loader.get_template(f"{page_forms.TEMPLATE}#consent-fields")
        return (
            interaction.render({"interaction_form": form}),
            consent.render({"consent_form": ConsentForm()}),
        )


def test_the_forms_html_is_the_live_forms_in_each_language_and_minute(
    admin_client, person, monkeypatch
):
    now = dt.datetime(2026, 11, 24, 20, 5, 42, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    page_forms._RENDERED.clear()
    thai, english = (
        _forms_of(page(admin_client, person)),
        _forms_of(page(admin_client, person, "en")),
    )
    assert thai != english
    assert thai == _forms_of("".join(_live("th")))
    assert english == _forms_of("".join(_live("en")))
    assert 'value="25/11/2569 03:05"' in thai[0]  # Bangkok time, พ.ศ.
    # A minute later, the form shows the new minute: the cache does not keep the old one.
    now = dt.datetime(2026, 11, 24, 20, 6, 1, tzinfo=dt.UTC)
    later = _forms_of(page(admin_client, person))
    assert 'value="25/11/2569 03:06"' in later[0] and later == _forms_of("".join(_live("th")))


def test_a_form_sent_back_with_errors_is_rendered_from_the_bound_form(admin_client, person):
    response = admin_client.post(
        f"/customers/{person.pk}/interactions/",
        {"kind": "call", "summary": "", "channel": "x" * 500},
        HTTP_ACCEPT_LANGUAGE="th",
    )
    assert response.status_code == 200
    assert response.context["interaction_form"].errors
    assert "field-error" in response.content.decode()


def test_a_merge_is_offered_for_undo_only_while_it_may_be_undone(admin_client, admin_user):
    survivor, duplicate = CustomerFactory(), CustomerFactory()
    record = customers_merge(actor=admin_user, survivor=survivor, duplicates=[duplicate])
    undo = f"/customers/merges/{record.pk}/undo/"
    assert undo in page(admin_client, survivor)
    # Just inside the window, then just outside it (the one statement compares the time
    # as the ORM stores it, on SQLite as on PostgreSQL).
    inside = timezone.now() - dt.timedelta(days=UNDO_DAYS) + dt.timedelta(minutes=1)
    MergeRecord.objects.filter(pk=record.pk).update(created_at=inside)
    assert undo in page(admin_client, survivor)
    MergeRecord.objects.filter(pk=record.pk).update(created_at=inside - dt.timedelta(minutes=2))
    assert undo not in page(admin_client, survivor)
    MergeRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now(), undone_at=timezone.now()
    )
    assert undo not in page(admin_client, survivor)
