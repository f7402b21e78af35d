"""Support's settings pages (issue 23): every section lists, adds, edits and deletes its
rows through audited services; bad input is answered next to the field with nothing
written; a form saved unchanged writes nothing; only those with the permissions get in."""

import datetime as dt

import pytest
from django.test import Client

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.support.models import (
    AssignmentRule,
    CannedReply,
    Category,
    ClosedDay,
    Schedule,
    SlaPolicy,
    SurveySettings,
    TicketTag,
)
from samphan.support.settings_sections import SECTIONS
from samphan.support.settings_services import FIELDS
from tests.browser_forms import form_data
from tests.factories import CustomerFactory, TeamFactory
from tests.querycount import assert_queries
from tests.support.test_views import ticket_for

SETTINGS = "/support/settings/"


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, username="manager", language="en")  # pages in English


@pytest.fixture
def manager_client(manager):
    client = Client()
    client.force_login(manager)
    return client


def audits(model) -> list[tuple[str, dict]]:
    events = AuditEvent.objects.filter(subject_type=model._meta.label_lower).order_by("pk")
    return [(event.action, event.changes) for event in events]


def week(**days) -> dict[str, str]:
    """The schedule form's fourteen times, each day closed unless given ("09:00-18:00")."""
    data = {}
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        opens, _, closes = days.get(day, "-").partition("-")
        data[f"{day}_opens"], data[f"{day}_closes"] = opens, closes
    return data


# section → (its model, a new row's form, one field changed)
NEW_ROWS = {
    "categories": (Category, {"name": "ของแถม", "name_en": "Gifts"}, {"name_en": "Free gifts"}),
    "tags": (TicketTag, {"name": "ด่วนมาก"}, {"name": "ด่วนที่สุด"}),
    "sla": (
        SlaPolicy,
        {
            "priority": "high",
            "tier": "gold",
            "first_response_minutes": 30,
            "next_response_minutes": 60,
            "resolution_minutes": 240,
        },
        {"resolution_minutes": 180},
    ),
    "canned-replies": (
        CannedReply,
        {"title": "ส่งของแล้ว", "language": "th", "body": "คุณ{name} ของส่งแล้วค่ะ {ticket}"},
        {"title": "จัดส่งแล้ว"},
    ),
    "closed-days": (ClosedDay, {"date": "05/12/2026", "name": "วันพ่อ"}, {"name": "ปิดร้าน"}),
    "assignment": (AssignmentRule, {"mode": "round_robin"}, {"mode": "load"}),
}


@pytest.mark.parametrize("slug", NEW_ROWS)
def test_a_row_is_added_changed_and_deleted_each_step_audited(manager_client, manager, slug):
    model, fields, change = NEW_ROWS[slug]

    response = manager_client.post(f"{SETTINGS}{slug}/new/", fields)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == f"{SETTINGS}#{slug}"
    row = model.objects.order_by("pk").last()
    response = manager_client.post(f"{SETTINGS}{slug}/{row.pk}/", {**fields, **change})
    assert response.status_code == 302, response.context["form"].errors
    name, value = next(iter(change.items()))
    row.refresh_from_db()
    assert getattr(row, name) == value
    assert manager_client.post(f"{SETTINGS}{slug}/{row.pk}/delete/").status_code == 302

    assert not model.objects.filter(pk=row.pk).exists()
    actions = [action for action, _changes in audits(model)]
    assert actions == ["create", "update", "delete"]
    assert audits(model)[1][1][name][1] == value
    assert AuditEvent.objects.filter(actor=manager).count() == 3


def test_every_section_lists_its_rows_and_links_their_pages(manager_client):
    page = manager_client.get(SETTINGS)

    assert page.status_code == 200
    html = page.content.decode()
    for section in SECTIONS:
        assert f'id="{section.slug}"' in html and str(section.label) in html
    assert "Mon–Fri 09:00–18:00" in html  # the business's hours
    assert "ร้องเรียน" in html and "คืนเงิน" in html  # a category and a tag of a fresh install
    assert "4 hours" in html and "240 minutes" in html  # the normal priority's first response
    assert "in turn" not in html  # no assignment rule yet
    assert "ask after a ticket is solved" in html  # the survey settings
    survey = SurveySettings.objects.get()
    assert f"{SETTINGS}surveys/{survey.pk}/" in html
    assert f"{SETTINGS}surveys/new/" not in html and f"surveys/{survey.pk}/delete/" not in html


def a_row(model):
    """A row of ``model``: a fresh install's, else one made here (a fresh install has no
    closed day and no assignment rule)."""
    made = {
        ClosedDay: lambda: ClosedDay.objects.create(date=dt.date(2026, 12, 5), name="วันพ่อ"),
        AssignmentRule: lambda: AssignmentRule.objects.create(mode="load"),
    }
    return model._default_manager.order_by("pk").first() or made[model]()


@pytest.mark.parametrize("section", SECTIONS, ids=lambda section: section.slug)
def test_each_sections_pages_render(manager_client, section):
    row = a_row(section.model)
    assert manager_client.get(f"{SETTINGS}{section.slug}/{row.pk}/").status_code == 200
    new = manager_client.get(f"{SETTINGS}{section.slug}/new/")
    assert new.status_code == (404 if section.one_row else 200)


def test_a_teams_hours_are_set_as_a_week_of_times_and_deleted(manager_client):
    team = TeamFactory(name="ทีมกลางคืน")
    data = {"name": "กะดึก", "team": team.pk, "public_holidays": "on",
            **week(monday="18:00-23:30", saturday="10:00-14:00")}  # fmt: skip

    response = manager_client.post(f"{SETTINGS}hours/new/", data)

    assert response.status_code == 302
    schedule = Schedule.objects.get(team=team)
    assert schedule.days() == {0: (dt.time(18), dt.time(23, 30)), 5: (dt.time(10), dt.time(14))}
    page = manager_client.get(SETTINGS).content.decode()
    assert "Mon 18:00–23:30, Sat 10:00–14:00" in page and "ทีมกลางคืน" in page

    manager_client.post(f"{SETTINGS}hours/{schedule.pk}/delete/")

    assert not Schedule.objects.filter(team=team).exists()  # the team follows the business's
    assert [action for action, _changes in audits(Schedule)] == ["create", "delete"]


@pytest.mark.parametrize(
    ("days", "field", "message"),
    [
        (week(monday="09:00-"), "monday_closes", "Give both times, or neither for a closed day."),
        (week(tuesday="-18:00"), "tuesday_opens", "Give both times, or neither for a closed day."),
        (week(friday="18:00-09:00"), "friday_closes", "Must be after the opening time."),
        (week(sunday="10:00-10:00"), "sunday_closes", "Must be after the opening time."),
    ],
)
def test_a_day_with_one_time_or_closing_before_it_opens_is_refused(
    manager_client, days, field, message
):
    schedule = Schedule.objects.get(team=None)
    before = list(Schedule.objects.values())

    response = manager_client.post(
        f"{SETTINGS}hours/{schedule.pk}/", {"name": schedule.name, **days}
    )

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert list(Schedule.objects.values()) == before and audits(Schedule) == []


def test_the_business_hours_are_made_once(manager_client):
    response = manager_client.post(f"{SETTINGS}hours/new/", {"name": "อีกชุด", **week()})

    assert response.status_code == 400
    assert response.context["form"].errors["team"] == [
        "The business has its hours already: choose a team."
    ]
    assert Schedule.objects.count() == 1


def test_a_second_policy_for_the_same_priority_and_tier_is_refused(manager_client):
    before = list(SlaPolicy.objects.values())
    data = {"priority": "normal", "tier": "", "first_response_minutes": 10,
            "next_response_minutes": 10, "resolution_minutes": 10}  # fmt: skip

    response = manager_client.post(f"{SETTINGS}sla/new/", data)

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "There is a policy for this priority and tier already."
    ]
    assert list(SlaPolicy.objects.values()) == before and audits(SlaPolicy) == []


def test_a_closed_day_is_closed_once(manager_client):
    ClosedDay.objects.create(date="2026-12-05", name="วันพ่อ")

    response = manager_client.post(
        f"{SETTINGS}closed-days/new/", {"date": "05/12/2026", "name": "อีกครั้ง"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["date"] == ["This day is closed already."]
    assert ClosedDay.objects.count() == 1


def test_an_unknown_placeholder_is_named_next_to_the_text(manager_client):
    data = {"title": "ขอบคุณ", "language": "th", "body": "คุณ{name} {foo} ขอบคุณ{ชื่อ}ค่ะ"}

    response = manager_client.post(f"{SETTINGS}canned-replies/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors["body"] == [
        "Unknown placeholder {foo}, {ชื่อ}: use {name}, {ticket}, {agent} or {shop}."
    ]
    assert not CannedReply.objects.filter(title="ขอบคุณ").exists()


def test_a_category_tickets_use_is_not_deleted(manager_client):
    category = Category.objects.get(name="ร้องเรียน")
    ticket_for(CustomerFactory(), category=category)
    page = manager_client.get(f"{SETTINGS}categories/{category.pk}/").content.decode()
    assert f"{SETTINGS}categories/{category.pk}/delete/" in page  # offered: refused with why

    response = manager_client.post(f"{SETTINGS}categories/{category.pk}/delete/", follow=True)

    assert Category.objects.filter(pk=category.pk).exists()
    assert audits(Category) == []
    assert "“ร้องเรียน” is still used by 1 ticket, so it cannot be deleted." in (
        response.content.decode()
    )


def test_the_business_hours_and_the_survey_settings_are_not_deleted(manager_client):
    schedule = Schedule.objects.get(team=None)
    survey = SurveySettings.objects.get()

    assert "/delete/" not in manager_client.get(f"{SETTINGS}hours/{schedule.pk}/").content.decode()
    response = manager_client.post(f"{SETTINGS}hours/{schedule.pk}/delete/", follow=True)
    assert "This cannot be deleted." in response.content.decode()
    assert manager_client.post(f"{SETTINGS}surveys/{survey.pk}/delete/").status_code == 404

    assert Schedule.objects.filter(pk=schedule.pk).exists()
    assert SurveySettings.objects.filter(pk=survey.pk).exists()
    assert audits(Schedule) == [] and audits(SurveySettings) == []


@pytest.mark.parametrize("section", SECTIONS, ids=lambda section: section.slug)
def test_a_form_saved_unchanged_writes_nothing(manager_client, section):
    row = a_row(section.model)
    url = f"{SETTINGS}{section.slug}/{row.pk}/"
    before = list(section.model._default_manager.filter(pk=row.pk).values())

    html = manager_client.get(url).content.decode()
    response = manager_client.post(url, form_data(html, having=FIELDS[section.model][0]))

    assert response.status_code == 302
    assert list(section.model._default_manager.filter(pk=row.pk).values()) == before
    assert AuditEvent.objects.count() == 0  # updated_at too is as it was (before)


def test_the_survey_settings_are_changed(manager_client):
    survey = SurveySettings.objects.get()
    data = {"after_ticket": "on", "delay_hours": 4, "channel": "line", "quiet_days": 30}

    response = manager_client.post(f"{SETTINGS}surveys/{survey.pk}/", data)

    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.delay_hours, survey.channel, survey.ticket_when_unhappy) == (4, "line", False)
    assert audits(SurveySettings)[0][0] == "update"


@pytest.mark.parametrize("role", [Role.SALES, Role.FRONTDESK, Role.MARKETING, Role.VIEWER])
def test_who_may_not_change_the_settings_is_refused(make_user, role):
    client = Client()
    client.force_login(make_user(role))
    category = Category.objects.first()

    assert client.get(SETTINGS).status_code == 403
    assert client.get(f"{SETTINGS}categories/new/").status_code == 403
    assert client.get(f"{SETTINGS}categories/{category.pk}/").status_code == 403
    assert client.post(f"{SETTINGS}categories/new/", {"name": "x"}).status_code == 403
    assert client.post(f"{SETTINGS}categories/{category.pk}/delete/").status_code == 403
    assert Category.objects.filter(pk=category.pk).exists() and AuditEvent.objects.count() == 0


def test_the_inbox_links_the_settings_for_those_who_may(manager_client, make_user):
    agent = Client()
    agent.force_login(make_user(Role.FRONTDESK))

    assert SETTINGS in manager_client.get("/support/").content.decode()
    assert SETTINGS not in agent.get("/support/").content.decode()


def test_an_unknown_section_or_row_is_not_found(manager_client):
    assert manager_client.get(f"{SETTINGS}nothing/new/").status_code == 404
    assert manager_client.get(f"{SETTINGS}nothing/1/").status_code == 404
    assert manager_client.post(f"{SETTINGS}nothing/1/delete/").status_code == 404
    assert manager_client.get(f"{SETTINGS}categories/999999/").status_code == 404


def test_a_delete_answers_a_post_only_with_its_csrf_token(manager):
    category = Category.objects.get(name="ร้องเรียน")
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    assert client.get(f"{SETTINGS}categories/{category.pk}/delete/").status_code == 405
    assert client.post(f"{SETTINGS}categories/{category.pk}/delete/").status_code == 403
    assert Category.objects.filter(pk=category.pk).exists()


def test_the_page_reads_each_section_once_however_many_rows(manager_client, manager):
    manager_client.get(SETTINGS)  # the session's first use
    for number in range(3):
        team = TeamFactory(name=f"ทีม {number}")
        Schedule.objects.create(name=f"ทีม {number}", team=team)
        schedule = Schedule.objects.get(team=team)
        ClosedDay.objects.create(date=dt.date(2026, 1, 1 + number), name="ปิด", schedule=schedule)
        ClosedDay.objects.create(date=dt.date(2099, 1, 1 + number), name="ปิด", schedule=schedule)
        AssignmentRule.objects.create(team=team, mode="load")

    # The session, the user with permissions; the eight sections (closed days twice).
    with assert_queries(11):
        assert manager_client.get(SETTINGS).status_code == 200


@pytest.mark.parametrize(
    ("slug", "fields", "field", "message"),
    [
        ("categories", {"name": "ร้องเรียน"}, "name", "There is a category with this name already."),
        ("tags", {"name": "คืนเงิน"}, "name", "There is a tag with this name already."),
        (
            "canned-replies",
            {"title": "รับเรื่องแล้ว", "language": "th", "body": "คุณ{name}"},
            "__all__",
            "There is a reply with this title in this language already.",
        ),
    ],
)
def test_a_name_taken_is_refused_in_words_a_shop_reads(
    manager_client, slug, fields, field, message
):
    model = {"categories": Category, "tags": TicketTag, "canned-replies": CannedReply}[slug]
    count = model.objects.count()

    response = manager_client.post(f"{SETTINGS}{slug}/new/", fields)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert model.objects.count() == count
