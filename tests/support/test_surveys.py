"""Satisfaction surveys: asked after a solved ticket and a purchase when due, on the
channel consent allows, at most once per quiet period; the public page answers a valid
link once, refuses a forged or expired one; the score shows on the customer's page."""

import datetime as dt

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.messaging.models import Message
from samphan.sales.services import order_record
from samphan.sales.services.order_lines import LineInput
from samphan.support import services, surveys
from samphan.support.models import Survey, Ticket
from tests.factories import CustomerFactory, ProductFactory
from tests.messaging.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(make_user):
    return make_user(Role.SUPPORT, username="agent", language="en")


def solved_ticket(customer, agent, hours_ago: float = 3) -> Ticket:
    ticket = services.ticket_open(
        actor=None, subject="กล่องบุบ", body="กล่องบุบมาค่ะ", channel="phone", customer=customer
    )
    services.ticket_reply(actor=agent, ticket=ticket, body="ส่งใหม่แล้วค่ะ", status="solved")
    Ticket.objects.filter(pk=ticket.pk).update(
        solved_at=timezone.now() - dt.timedelta(hours=hours_ago)
    )
    Message.objects.all().delete()  # only the survey's message is looked at below
    return ticket


def test_a_solved_ticket_gets_one_survey_after_the_delay(reachable, agent):
    fresh = solved_ticket(reachable, agent, hours_ago=1)  # the default delay is 2 hours
    assert surveys.csat_round() == 0

    Ticket.objects.filter(pk=fresh.pk).update(solved_at=timezone.now() - dt.timedelta(hours=3))
    assert surveys.csat_round() == 1
    assert surveys.csat_round() == 0  # asked once
    survey = Survey.objects.get()
    assert (survey.ticket, survey.kind, survey.language, survey.skipped) == (
        fresh,
        "csat",
        "th",
        "",
    )
    message = Message.objects.get()
    assert message == survey.message and message.purpose == "service"
    assert message.channel == "line"  # the customer's first channel that consent allows
    link = message.text.split("/p/survey/")[1].rstrip("/")
    assert surveys.survey_of(link) == survey  # the link in the message opens this survey
    assert f"#{fresh.pk}" in message.text and "พอใจ" in message.text  # in Thai, as they wrote


def test_the_channel_set_and_withdrawn_consent_are_respected(reachable, agent):
    options = surveys.survey_settings()
    options.channel = "email"
    options.save()
    grant(reachable, "email", purpose="service", status="withdrawn")
    solved_ticket(reachable, agent)
    surveys.csat_round()
    survey = Survey.objects.get()
    assert survey.message is None
    assert survey.skipped == "Consent to service messages by e-mail withdrawn."
    assert not Message.objects.exists()


def test_nobody_is_asked_twice_within_the_quiet_days(reachable, agent):
    solved_ticket(reachable, agent)
    solved_ticket(reachable, agent)
    assert surveys.csat_round() == 2
    sent, skipped = Survey.objects.order_by("id")
    assert sent.message is not None
    assert skipped.skipped == "Asked within the last 14 days." and skipped.message is None


def test_a_purchase_is_asked_about_when_switched_on(reachable):
    ProductFactory(sku="TEA")
    order, _ = order_record(
        actor=None, customer=reachable, lines=[LineInput("TEA", 1)], channel="store",
        ordered_at=timezone.now() - dt.timedelta(hours=5),
    )  # fmt: skip
    assert surveys.csat_round() == 0  # off by default
    options = surveys.survey_settings()
    options.after_purchase = True
    options.save()
    assert surveys.csat_round() == 1
    assert Survey.objects.get().order == order
    assert order.number in Message.objects.get().text


def test_tickets_solved_long_ago_are_never_asked(reachable, agent):
    solved_ticket(reachable, agent, hours_ago=24 * 8)
    assert surveys.csat_round() == 0


def survey_for(customer, **kwargs) -> Survey:
    return Survey.objects.create(customer=customer, **kwargs)


def test_the_public_page_takes_one_answer_and_the_score_shows_on_the_customer_page(agent):
    customer = CustomerFactory()
    survey = survey_for(customer, language="en")
    url = f"/p/survey/{surveys.survey_token(survey)}/"
    page = Client().get(url)
    assert page.status_code == 200
    assert "How satisfied are you with your purchase" in page.content.decode()

    answered = Client().post(url, {"score": "2", "comment": "Slow delivery"})
    assert "Thank you!" in answered.content.decode()
    again = Client().post(url, {"score": "5"})
    assert "You have answered already" in again.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (2, "Slow delivery")

    staff = Client()
    staff.force_login(agent)
    panel = staff.get(f"/support/customers/{customer.pk}/").content.decode()
    assert "2/5" in panel and "Slow delivery" in panel and "score-low" in panel


@pytest.mark.parametrize("score", ["0", "6", "", "x", "-1"])
def test_a_score_out_of_range_is_refused_and_nothing_recorded(score):
    survey = survey_for(CustomerFactory())
    response = Client().post(f"/p/survey/{surveys.survey_token(survey)}/?lang=en", {"score": score})
    assert response.status_code == 400
    assert "Choose a score from the row of numbers." in response.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_nps_takes_zero_to_ten():
    survey = survey_for(CustomerFactory(), kind="nps")
    url = f"/p/survey/{surveys.survey_token(survey)}/"
    assert Client().post(url, {"score": "0"}).status_code == 200
    survey.refresh_from_db()
    assert survey.score == 0


def test_a_forged_or_expired_link_is_refused(settings):
    survey = survey_for(CustomerFactory())
    token = surveys.survey_token(survey)
    assert Client().get(f"/p/survey/{token}x/").status_code == 404
    other = signing.dumps(survey.pk, salt="another.salt")
    assert Client().get(f"/p/survey/{other}/").status_code == 404
    old = signing.TimestampSigner(salt=surveys.SALT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: 0)  # signed in 1970
        stale = signing.dumps(survey.pk, salt=surveys.SALT)
    assert old and Client().get(f"/p/survey/{stale}/").status_code == 410
    skipped = survey_for(CustomerFactory(), skipped="Asked within the last 14 days.")
    assert Client().get(f"/p/survey/{surveys.survey_token(skipped)}/").status_code == 404


def test_an_unhappy_answer_opens_a_ticket_to_call_back(agent, reachable):
    solved = solved_ticket(reachable, agent)
    survey = survey_for(reachable, ticket=solved, language="th")
    Client().post(f"/p/survey/{surveys.survey_token(survey)}/", {"score": "1", "comment": "ช้ามาก"})
    callback = Ticket.objects.exclude(pk=solved.pk).get()
    assert (callback.customer, callback.priority, callback.owner) == (reachable, "high", agent)
    assert callback.subject == f"คำตอบไม่พอใจ: 1 จาก 5 #{solved.pk}"
    assert callback.messages.get().body == "ช้ามาก"


def test_a_happy_answer_or_the_setting_off_opens_none(agent, reachable):
    happy = survey_for(reachable, language="th")
    Client().post(f"/p/survey/{surveys.survey_token(happy)}/", {"score": "4"})
    options = surveys.survey_settings()
    options.ticket_when_unhappy = False
    options.save()
    unhappy = survey_for(CustomerFactory(), language="th")
    Client().post(f"/p/survey/{surveys.survey_token(unhappy)}/", {"score": "1"})
    assert not Ticket.objects.exists()
