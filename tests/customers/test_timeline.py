"""The customer page's timeline: logging what happened (when, channel)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from samphan.customers.models import Interaction
from tests.factories import CustomerFactory

BANGKOK = dt.timezone(dt.timedelta(hours=7))
HTMX = {"HX-Request": "true"}


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def english(admin_user):
    """Messages are checked in English: the Thai ones are the translators' to word."""
    admin_user.language = "en"
    admin_user.buddhist_era = False
    admin_user.save()


def log(client: Client, customer, htmx: bool = False, **data):
    url = f"/customers/{customer.pk}/interactions/"
    return client.post(
        url, {"kind": "call", "summary": "โทรนัด", **data}, headers=HTMX if htmx else {}
    )


# -- Logging: when and channel --------------------------------------------------------------


def test_when_and_channel_are_kept_in_bangkok_time(admin_client, customer):
    response = log(admin_client, customer, occurred_at="2026-01-15T14:30", channel="LINE")
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.occurred_at == dt.datetime(2026, 1, 15, 7, 30, tzinfo=dt.UTC)
    assert interaction.channel == "LINE"
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "15 ม.ค. 2569 14:30" in html and "· LINE" in html  # Thai and พ.ศ. by default


def test_when_defaults_to_now_shown_in_bangkok(admin_client, customer, monkeypatch):
    now = dt.datetime(2026, 11, 24, 20, 5, 42, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    when = re.search(r'<input type="datetime-local"[^>]*>', html)
    assert when and 'value="2026-11-25T03:05"' in when.group()  # next day in Bangkok
    assert 'name="occurred_at"' in when.group()


def test_when_left_as_shown_means_the_time_it_is_sent(admin_client, customer, monkeypatch):
    opened = dt.datetime(2026, 11, 24, 2, 0, 42, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: opened)
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    shown_values = dict(re.findall(r'name="((?:initial-)?occurred_at)" value="([^"]*)"', html))
    assert shown_values["occurred_at"] == "2026-11-24T09:00"
    sent = opened + dt.timedelta(hours=1, minutes=3)  # the page was left open for an hour
    monkeypatch.setattr(timezone, "now", lambda: sent)
    assert log(admin_client, customer, **shown_values).status_code == 302
    assert Interaction.objects.get().occurred_at == sent


def test_when_changed_by_a_minute_is_kept(admin_client, customer, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC))
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    initial = re.search(r'name="initial-occurred_at" value="([^"]*)"', html)
    assert initial
    log(
        admin_client,
        customer,
        occurred_at="2026-11-24T08:59",
        **{"initial-occurred_at": initial[1]},
    )
    assert Interaction.objects.get().occurred_at == dt.datetime(2026, 11, 24, 1, 59, tzinfo=dt.UTC)


def test_the_quick_flow_needs_only_a_kind_and_a_summary(admin_client, customer):
    assert log(admin_client, customer, kind="visit").status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.kind == "visit" and interaction.channel == ""
    assert abs(interaction.occurred_at - timezone.now()) < dt.timedelta(minutes=1)


def test_a_few_hours_ahead_is_allowed(admin_client, customer):
    later = timezone.localtime() + dt.timedelta(hours=3)
    log(admin_client, customer, occurred_at=later.strftime("%Y-%m-%dT%H:%M"))
    assert Interaction.objects.get().occurred_at > timezone.now()


def far_future() -> str:
    return (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (far_future(), "more than a day from now"),
        ("2569-11-24T10:00", "more than a day from now"),  # a year typed in พ.ศ.
        ("2026-13-45T25:00", "Enter a valid date/time"),
        ("yesterday", "Enter a valid date/time"),
        ("0001-01-01T00:00", "after 1900"),
    ],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_bad_when_is_shown_next_to_the_field_and_nothing_is_written(
    admin_client, english, customer, value, message, htmx
):
    response = log(admin_client, customer, htmx, occurred_at=value, summary="โทรตามงาน")
    assert response.status_code == 200
    html = response.content.decode()
    field = re.search(r'<div class="field field-when field-error">(.*?)</div>', html, re.S)
    assert field, html
    assert message in field.group(1), field.group(1)
    assert 'value="โทรตามงาน"' in html  # what was typed stays
    assert html.lstrip().startswith('<section class="card" id="timeline"') == htmx
    assert not Interaction.objects.exists()


def test_an_over_long_channel_is_refused(admin_client, customer):
    response = log(admin_client, customer, channel="x" * 31)
    assert "channel" in response.context["interaction_form"].errors
    assert not Interaction.objects.exists()


def test_a_missing_summary_is_shown_next_to_it(admin_client, customer):
    html = log(admin_client, customer, summary="").content.decode()
    assert re.search(r'<div class="field field-error">\s*<label for="interaction-summary"', html)
    assert not Interaction.objects.exists()


def test_the_consent_and_interaction_forms_do_not_share_ids(admin_client, customer):
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
