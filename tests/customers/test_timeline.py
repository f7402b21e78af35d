"""The customer page's timeline: logging what happened (when, channel) and older entries."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.customers.models import Interaction
from samphan.customers.timeline import INTERACTIONS, Cursor
from samphan.customers.timeline import PAGE_ENTRIES as PAGE
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.querycount import assert_queries

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
    when = re.search(r'<input type="text" name="occurred_at"[^>]*>', html)
    assert when and 'value="25/11/2569 03:05"' in when.group()  # next day in Bangkok, พ.ศ.
    assert 'name="occurred_at"' in when.group()


def test_when_left_as_shown_means_the_time_it_is_sent(admin_client, customer, monkeypatch):
    opened = dt.datetime(2026, 11, 24, 2, 0, 42, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: opened)
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    shown_values = dict(re.findall(r'name="((?:initial-)?occurred_at)" value="([^"]*)"', html))
    assert shown_values["occurred_at"] == "24/11/2569 09:00"
    sent = opened + dt.timedelta(hours=1, minutes=3)  # the page was left open for an hour
    monkeypatch.setattr(timezone, "now", lambda: sent)
    assert log(admin_client, customer, **shown_values).status_code == 302
    assert Interaction.objects.get().occurred_at == sent


def test_a_year_typed_in_the_buddhist_era_is_read_as_one(admin_client, customer):
    log(admin_client, customer, occurred_at="15/01/2569 14:30")
    assert Interaction.objects.get().occurred_at == dt.datetime(2026, 1, 15, 7, 30, tzinfo=dt.UTC)


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


# Resolved inside the test: a value computed at collection would differ between two
# xdist workers collecting either side of a minute, and they must collect the same ids.
IN_TWO_DAYS = "in two days"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (IN_TWO_DAYS, "more than a day from now"),
        ("24/11/2800 10:00", "Enter a year between"),  # neither era
        ("2026-13-45T25:00", "There is no such day"),
        ("24/11/2569 25:00", "Enter the time as hh:mm"),
        ("yesterday", "Enter the date as day/month/year, e.g. 23/05/1983"),
        ("0001-01-01T00:00", "Enter a year between"),
    ],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_bad_when_is_shown_next_to_the_field_and_nothing_is_written(
    admin_client, english, customer, value, message, htmx
):
    value = far_future() if value == IN_TWO_DAYS else value
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


# -- Older entries ----------------------------------------------------------------------------


def history(customer, count: int, distinct_times: int = 0) -> list[int]:
    """``count`` entries; with ``distinct_times``, many share a time (the cursor breaks ties)."""
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [
        Interaction(
            customer=customer,
            kind="note",
            summary=f"บันทึก {index}",
            occurred_at=start
            + dt.timedelta(hours=index % distinct_times if distinct_times else index),
        )
        for index in range(count)
    ]
    Interaction.objects.bulk_create(rows)
    return list(
        Interaction.objects.filter(customer=customer)
        .order_by("-occurred_at", "-id")
        .values_list("pk", flat=True)
    )


def cursor(pk: int) -> str:
    """The page link's cursor that ends at interaction ``pk``."""
    return str(Cursor(Interaction.objects.get(pk=pk).occurred_at, INTERACTIONS.rank, pk))


def shown(html: str) -> list[str]:
    return re.findall(r'<span class="timeline-summary">([^<]*)</span>', html)


def older_link(html: str) -> str | None:
    found = re.search(r'href="(/customers/\d+/\?before=[\d.]+)#timeline"', html)
    return found.group(1) if found else None


def test_the_page_shows_a_page_then_older_entries_without_javascript(
    admin_client, english, customer
):
    ids = history(customer, 2 * PAGE + 10)
    summaries = {i.pk: i.summary for i in Interaction.objects.all()}
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert shown(html) == [summaries[pk] for pk in ids[:PAGE]]
    link = older_link(html)
    assert link == f"/customers/{customer.pk}/?before={cursor(ids[PAGE - 1])}"
    second = admin_client.get(link).content.decode()
    assert "<html" in second and shown(second) == [summaries[pk] for pk in ids[PAGE : 2 * PAGE]]
    assert "Back to the latest entries" in second
    third = admin_client.get(older_link(second)).content.decode()
    assert shown(third) == [summaries[pk] for pk in ids[2 * PAGE :]]
    assert older_link(third) is None


def test_htmx_loads_only_the_next_entries(admin_client, customer):
    ids = history(customer, PAGE + 10)
    url = f"/customers/{customer.pk}/?before={cursor(ids[PAGE - 1])}"
    html = admin_client.get(url, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<li class="timeline-item')
    assert "<html" not in html and "quick-log" not in html
    assert len(shown(html)) == 10 and older_link(html) is None


def test_entries_at_the_same_time_are_neither_skipped_nor_repeated(admin_client, customer):
    ids = history(customer, 130, distinct_times=3)
    seen: list[str] = []
    url: str | None = f"/customers/{customer.pk}/"
    while url:
        html = admin_client.get(url).content.decode()
        seen += shown(html)
        url = older_link(html)
    summaries = {i.pk: i.summary for i in Interaction.objects.all()}
    assert seen == [summaries[pk] for pk in ids]


def test_older_entries_run_a_fixed_number_of_queries(admin_client, customer):
    def count(url: str, **headers: str) -> int:
        with assert_queries() as captured:
            assert admin_client.get(url, headers=headers).status_code == 200
        return len(captured)

    ids = history(customer, 60)
    page = f"/customers/{customer.pk}/"
    few = (
        count(page),
        count(f"{page}?before={cursor(ids[PAGE - 1])}"),
        count(f"{page}?before={cursor(ids[PAGE - 1])}", **HTMX),
    )
    ids = history(customer, 200)
    many = (
        count(page),
        count(f"{page}?before={cursor(ids[PAGE - 1])}"),
        count(f"{page}?before={cursor(ids[2 * PAGE - 1])}", **HTMX),
    )
    assert few == many
    assert many[2] < many[0]  # the fragment does not load the whole page


@pytest.mark.parametrize(
    "before",
    ["abc", "-1", "12", "1.0", "1.0.x", "99999999999999999999.0.1", "๑๒.0.1", ""],
    ids=lambda v: v or "empty",
)
def test_a_malformed_cursor_shows_the_latest_entries(admin_client, customer, before):
    ids = history(customer, PAGE + 5)
    html = admin_client.get(f"/customers/{customer.pk}/?before={before}").content.decode()
    assert (
        len(shown(html)) == PAGE
        and older_link(html) == f"/customers/{customer.pk}/?before={cursor(ids[PAGE - 1])}"
    )


def test_a_cursor_before_the_first_entry_shows_none(admin_client, english, customer):
    ids = history(customer, 3)
    first = Interaction.objects.get(pk=ids[-1])
    before = Cursor(first.occurred_at, INTERACTIONS.rank, first.pk)
    html = admin_client.get(f"/customers/{customer.pk}/?before={before}").content.decode()
    assert shown(html) == []
    assert "No older entries." in html


def test_another_teams_timeline_is_404_as_a_fragment_too(customer, make_user):
    customer.owner = make_user(Role.SALES, username="owner")
    customer.team = customer.owner.team
    customer.save()
    ids = history(customer, 60)
    outsider = UserFactory(username="outsider", role=Role.SALES, team=TeamFactory(name="ทีมเหนือ"))
    client = Client()
    client.force_login(outsider)
    url = f"/customers/{customer.pk}/?before={cursor(ids[49])}"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=HTMX).status_code == 404
