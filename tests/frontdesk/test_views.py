"""The front-desk pages: look-up and check-in, the quick sign-up, the alerts feed and
screen, expected today, the alert rules; each with its permissions and bad input."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.analytics.models import CustomerActivity
from samphan.customers.models import Customer, Interaction
from samphan.frontdesk import alert_cards
from samphan.frontdesk.models import Alert, AlertRule
from tests.factories import CustomerFactory, TeamFactory
from tests.frontdesk.test_services import person
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk_user(make_user):
    return make_user(Role.FRONTDESK, username="desk")


@pytest.fixture
def desk(desk_user) -> Client:
    return client_for(desk_user)


def test_the_desk_page_has_the_lookup_focused(desk):
    response = desk.get(reverse("frontdesk"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html and "autofocus" in html and "csrfmiddlewaretoken" in html


def test_one_match_is_checked_in_at_once(desk):
    anne = person("แอนนา", phone="0812345678", nickname="แอน", title="คุณ", notes="ชอบชาเขียว")
    response = desk.post(reverse("frontdesk_look_up"), {"q": "081-234-5678"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "คุณแอน" in html and "ชอบชาเขียว" in html and 'class="card arrival-card"' in html
    assert "<html" not in html  # the panel alone
    assert Interaction.objects.filter(customer=anne, kind="visit").count() == 1


def test_several_matches_are_cards_to_pick(desk):
    anne = person("แอน", phone="0812345678")
    person("บี", phone="0899995678")
    response = desk.post(reverse("frontdesk_look_up"), {"q": "5678"}, **HTMX)
    html = response.content.decode()
    assert html.count('class="pick-card"') == 2
    assert not Interaction.objects.filter(kind="visit").exists()
    picked = desk.post(reverse("frontdesk_check_in", args=[anne.pk]), **HTMX)
    assert picked.status_code == 200 and "arrival-card" in picked.content.decode()
    assert Interaction.objects.get(kind="visit").customer == anne


def test_no_match_offers_the_quick_sign_up_with_the_number(desk):
    response = desk.post(reverse("frontdesk_look_up"), {"q": "089 111 2222"}, **HTMX)
    html = response.content.decode()
    assert 'action="/frontdesk/walk-in/"' in html and 'value="089 111 2222"' in html
    assert 'name="consent_sms_marketing"' in html and "checked" not in html
    signed = desk.post(
        reverse("frontdesk_walk_in"),
        {"first_name": "มะลิ", "phone": "089 111 2222", "consent_sms_marketing": "on"},
        **HTMX,
    )
    assert signed.status_code == 200 and "arrival-card" in signed.content.decode()
    customer = Customer.objects.get(first_name="มะลิ")
    assert customer.consents.get().purpose == "marketing"
    assert Interaction.objects.get(kind="visit").customer == customer


def test_a_bad_sign_up_says_which_field(desk):
    response = desk.post(reverse("frontdesk_walk_in"), {"first_name": "", "phone": "12"}, **HTMX)
    assert response.status_code == 200  # a panel for HTMX to show
    assert desk.post(reverse("frontdesk_walk_in"), {"phone": "12"}).status_code == 400
    html = response.content.decode()
    assert 'class="field field-error"' in html
    assert not Customer.objects.exists()


def test_a_bad_code_is_an_error_not_a_crash(desk):
    response = desk.post(reverse("frontdesk_look_up"), {"q": "SPM1:M1:forged"}, **HTMX)
    assert 'role="alert"' in response.content.decode()
    assert not Interaction.objects.exists()
    empty = desk.post(reverse("frontdesk_look_up"), {"q": ""})
    assert empty.status_code == 400 and 'role="alert"' in empty.content.decode()


def test_without_htmx_the_whole_page_comes_back(desk):
    person("แอน", phone="0812345678")
    response = desk.post(reverse("frontdesk_look_up"), {"q": "0812345678"})
    html = response.content.decode()
    assert "<html" in html and "arrival-card" in html


def test_who_may_check_in(make_user):
    viewer = client_for(make_user(Role.VIEWER, username="viewer"))
    customer = CustomerFactory()
    assert viewer.get(reverse("frontdesk")).status_code == 403
    assert viewer.post(reverse("frontdesk_check_in", args=[customer.pk])).status_code == 403
    assert not Interaction.objects.exists()
    rep = client_for(make_user(Role.SALES, username="rep", team=TeamFactory(name="อื่น")))
    assert rep.post(reverse("frontdesk_check_in", args=[customer.pk])).status_code == 404


def test_the_feed_answers_204_until_the_alerts_change(desk, desk_user):
    AlertRule.objects.create(name="VIP", kind="vip")
    feed = reverse("frontdesk_alerts_feed") + "?size=tray"
    first = desk.get(feed)
    assert first.status_code == 200 and first.content.strip() == b""
    state = first["X-Alerts-State"]
    with assert_queries(3):  # session; user, permissions and role scope; alert ids
        assert desk.get(feed + f"&state={state}").status_code == 204
    vip = CustomerFactory(is_vip=True, nickname="แอน", title="คุณ")
    desk.post(reverse("frontdesk_check_in", args=[vip.pk]))
    changed = desk.get(feed + f"&state={state}")
    assert changed.status_code == 200 and "คุณแอน" in changed.content.decode()
    alert = Alert.objects.get()
    greeted = desk.post(reverse("frontdesk_alert_greet", args=[alert.pk]) + "?size=tray", **HTMX)
    assert greeted.status_code == 200 and "คุณแอน" not in greeted.content.decode()
    alert.refresh_from_db()
    assert alert.greeted_by.username == "desk"


def test_the_alerts_screen_and_its_history(desk):
    AlertRule.objects.create(name="VIP", kind="vip")
    vip = CustomerFactory(is_vip=True)
    desk.post(reverse("frontdesk_check_in", args=[vip.pk]))
    html = desk.get(reverse("frontdesk_alerts")).content.decode()
    assert 'class="alert-card alert-card-screen"' in html and 'class="arrival-tray"' not in html
    assert vip.greeting in html and vip.display_name in html  # the card, and the history


def test_every_staff_page_carries_the_tray(desk):
    html = desk.get(reverse("frontdesk")).content.decode()
    assert 'class="arrival-tray"' in html and "arrivals.js" in html


def regular(**fields) -> Customer:
    """A customer who came on today's weekday the last eight weeks, last a week ago."""
    customer = CustomerFactory(**fields)
    today = timezone.localdate()
    CustomerActivity.objects.create(
        customer=customer,
        visit_count=8,
        days=8,
        first_day=today - dt.timedelta(weeks=8),
        last_day=today - dt.timedelta(weeks=1),
        last_day_first_at=timezone.now() - dt.timedelta(weeks=1),
        gap_squares=7 * 49,
        **{f"weekday_{today.weekday()}": 8},
    )
    return customer


def test_expected_today_lists_and_filters_vips(desk):
    anne = regular(first_name="แอน", is_vip=True)
    bee = regular(first_name="บี")
    html = desk.get(reverse("frontdesk_expected")).content.decode()
    assert anne.display_name in html and bee.display_name in html and "100%" in html
    vips = desk.get(reverse("frontdesk_expected") + "?vip=1").content.decode()
    assert anne.display_name in vips and bee.display_name not in vips
    overdue = desk.get(reverse("frontdesk_expected") + "?list=overdue&vip=1")
    assert overdue.status_code == 200 and anne.display_name not in overdue.content.decode()


def test_alert_rules_are_managed_by_managers_only(make_user, desk):
    manager = client_for(make_user(Role.MANAGER, username="boss"))
    assert desk.get(reverse("frontdesk_rules")).status_code == 403
    bad = manager.post(reverse("frontdesk_rule_create"), {"name": "Gold", "kind": "tier"})
    assert bad.status_code == 400 and not AlertRule.objects.exists()
    good = manager.post(
        reverse("frontdesk_rule_create"),
        {"name": "Gold", "kind": "tier", "tier": "gold", "audience": "everyone", "is_active": "on"},
    )
    assert good.status_code == 302
    rule = AlertRule.objects.get()
    assert "Gold" in manager.get(reverse("frontdesk_rules")).content.decode()
    assert manager.post(reverse("frontdesk_rule_delete", args=[rule.pk])).status_code == 302
    assert not AlertRule.objects.exists()


def test_expected_today_comes_from_the_snapshot_and_drops_who_came(desk, desk_user):
    anne = regular(first_name="แอน")
    bee = regular(first_name="บี")
    first = desk.get(reverse("frontdesk_expected"))
    assert first.context["as_of"] is not None  # from the snapshot, for who sees everyone
    assert {row.customer_id for row in first.context["rows"]} == {anne.pk, bee.pk}
    desk.post(reverse("frontdesk_check_in", args=[anne.pk]))  # came today: no longer due
    later = desk.get(reverse("frontdesk_expected"))
    assert [row.customer_id for row in later.context["rows"]] == [bee.pk]


def test_a_rep_gets_the_live_list_of_their_own(make_user, team):
    rep = make_user(Role.SALES, username="rep")
    mine = regular(first_name="แอน", owner=rep, team=team)
    regular(first_name="บี", team=TeamFactory(name="อื่น"))
    response = client_for(rep).get(reverse("frontdesk_expected"))
    assert response.context["as_of"] is None
    assert [row.customer_id for row in response.context["rows"]] == [mine.pk]


def test_the_tray_shows_three_cards_and_counts_the_rest(desk):
    AlertRule.objects.create(name="VIP", kind="vip")
    for number in range(5):
        vip = CustomerFactory(is_vip=True, nickname=f"วีไอพี{number}", title="คุณ")
        desk.post(reverse("frontdesk_check_in", args=[vip.pk]))
    feed = reverse("frontdesk_alerts_feed")
    tray = desk.get(feed + "?size=tray").content.decode()
    assert tray.count('class="alert-card') == 3
    # The newest first; on a phone only it shows (CSS hides the extra cards there).
    assert tray.count("alert-card-extra") == 2 and tray.index("คุณวีไอพี4") < tray.index(
        "alert-card-extra"
    )
    assert "คุณวีไอพี0" not in tray
    assert '<span class="alert-more-wide">ยังมีอีก 2 คนที่ต้องต้อนรับ' in tray
    assert '<span class="alert-more-phone">ยังมีอีก 4 คนที่ต้องต้อนรับ' in tray
    assert reverse("frontdesk_alerts") in tray
    screen = desk.get(feed + "?size=screen").content.decode()
    assert screen.count('class="alert-card') == 5 and "ยังมีอีก" not in screen
    Alert.objects.filter(customer__nickname__in=["วีไอพี3", "วีไอพี4"]).delete()
    three = desk.get(feed + "?size=tray").content.decode()
    assert "alert-more-wide" not in three and "alert-more-phone-only" in three  # a phone's count
    Alert.objects.filter(customer__nickname__in=["วีไอพี1", "วีไอพี2"]).delete()
    assert "ยังมีอีก" not in desk.get(feed + "?size=tray").content.decode()  # one: no count


def csrf_of(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_screens_share_the_cards_but_each_gets_its_own_csrf_token(make_user, desk_user):
    """The cards are rendered once for everyone who sees the same alerts; the token in
    each greeting form is the requester's own, and a greeting sent with it goes through."""
    AlertRule.objects.create(name="VIP", kind="vip")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(desk_user)
    second.force_login(make_user(Role.FRONTDESK, username="desk2"))
    vip = CustomerFactory(is_vip=True, nickname="แอน", title="คุณ")
    client_for(desk_user).post(reverse("frontdesk_check_in", args=[vip.pk]))
    feed = reverse("frontdesk_alerts_feed") + "?size=screen"
    mine = first.get(feed).content.decode()
    with assert_queries(3):  # session; user and scope; the alert ids: no cards rendered
        theirs = second.get(feed)
    html = theirs.content.decode()
    assert "คุณแอน" in html and theirs["X-Alerts-State"]
    assert csrf_of(mine) != csrf_of(html)
    assert mine.replace(csrf_of(mine), "") == html.replace(csrf_of(html), "")
    alert = Alert.objects.get()
    greeted = second.post(
        reverse("frontdesk_alert_greet", args=[alert.pk]),
        {"csrfmiddlewaretoken": csrf_of(html), "next": "/frontdesk/alerts/"},
    )
    assert greeted.status_code == 302 and greeted["Location"] == "/frontdesk/alerts/"
    assert Alert.objects.get().greeted_by.username == "desk2"


def test_shared_cards_follow_the_language_and_a_greeting_never_leaves_the_site(
    make_user, desk_user
):
    AlertRule.objects.create(name="VIP", kind="vip")
    english = client_for(make_user(Role.FRONTDESK, username="desk-en", language="en"))
    vip = CustomerFactory(is_vip=True)
    client_for(desk_user).post(reverse("frontdesk_check_in", args=[vip.pk]))
    feed = reverse("frontdesk_alerts_feed") + "?size=screen"
    assert "ต้อนรับแล้ว" in client_for(desk_user).get(feed).content.decode()
    assert "Greeted" in english.get(feed).content.decode()
    alert = Alert.objects.get()
    away = english.post(
        reverse("frontdesk_alert_greet", args=[alert.pk]), {"next": "https://evil.example/"}
    )
    assert away["Location"] == reverse("frontdesk_alerts")


def test_shared_cards_are_rendered_again_after_a_minute(desk, monkeypatch):
    AlertRule.objects.create(name="VIP", kind="vip")
    vip = CustomerFactory(is_vip=True, nickname="แอน", title="คุณ")
    desk.post(reverse("frontdesk_check_in", args=[vip.pk]))
    feed = reverse("frontdesk_alerts_feed") + "?size=screen"
    assert "คุณแอน" in desk.get(feed).content.decode()
    Customer.objects.filter(pk=vip.pk).update(nickname="บี")
    assert "คุณแอน" in desk.get(feed).content.decode()  # the same alerts: kept
    monkeypatch.setattr(alert_cards, "KEEP_SECONDS", 0.0)
    assert "คุณบี" in desk.get(feed).content.decode()
