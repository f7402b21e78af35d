"""NPS: the score and its 95% interval against a published worked example, the campaign's
{{ nps_link }} making one survey per recipient (none for a preview), the report page."""

import datetime as dt
import math
import re

import pytest
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.marketing.campaigns.messages import filled_elsewhere
from samphan.marketing.models import Campaign, Segment, Variant
from samphan.support.hours import BANGKOK
from samphan.support.models import Survey
from samphan.support.nps import nps_of
from samphan.support.surveys import survey_of
from tests.factories import CustomerFactory


def test_the_score_and_interval_by_hand():
    # 100 answers: 50 promoters, 30 passives, 20 detractors: NPS 30. Variance
    # 0.5 + 0.2 - 0.3^2 = 0.61; margin 1.96 * sqrt(0.61 / 100) = 0.1531: ±15.3 points.
    found = nps_of([10] * 50 + [8] * 30 + [3] * 20)
    assert (found.promoters, found.passives, found.detractors) == (50, 30, 20)
    assert found.score == 30
    assert math.isclose(found.margin, 15.31, abs_tol=0.01)
    assert nps_of([10] * 9).margin is None  # too few for an interval
    assert nps_of([]).score is None


@pytest.mark.django_db
def test_a_campaign_link_makes_one_survey_per_recipient_and_none_for_a_preview(admin_user):
    segment = Segment.objects.create(name="ทุกคน", rules={"match": "all", "rules": []})
    campaign = Campaign.objects.create(name="NPS", segment=segment, created_by=admin_user)
    variant = Variant.objects.create(campaign=campaign, text_th="แนะนำเราไหม {{ nps_link }}")
    customer = CustomerFactory()
    assert "/p/survey/preview/" in filled_elsewhere(variant, campaign.pk, None)["nps_link"]
    assert not Survey.objects.exists()
    first = filled_elsewhere(variant, campaign.pk, customer.pk)["nps_link"]
    again = filled_elsewhere(variant, campaign.pk, customer.pk)["nps_link"]
    survey = Survey.objects.get()
    assert (survey.kind, survey.campaign, survey.customer) == ("nps", campaign, customer)
    token = first.split("/p/survey/")[1].rstrip("/")
    assert survey_of(token) == survey and again.split("/p/survey/")[1].rstrip("/")
    assert Client().get(first.split("127.0.0.1:8000")[1]).status_code == 200


@pytest.mark.django_db
def test_the_report_shows_the_score(make_user):
    boss = make_user(Role.MANAGER, username="boss", language="en")
    gold = CustomerFactory(tier="gold")
    for score in [10] * 6 + [7] * 2 + [2] * 2:
        Survey.objects.create(
            customer=gold,
            kind="nps",
            score=score,
            answered_at=timezone.now(),
            comment="ok" if score == 2 else "",
        )
    client = Client()
    client.force_login(boss)
    page = client.get("/insights/support/").content.decode()
    assert "Recommendation (NPS)" in page
    assert "10 answers: 6 promoters (9-10), 2 passives (7-8), 2 detractors (0-6)." in page
    # 60% - 20% = 40; variance 0.6 + 0.2 - 0.16 = 0.64: ±1.96 * 0.8 / sqrt(10) = 49.6.
    assert '<strong class="kpi-value">40</strong>' in page and "± 50" in page


@pytest.mark.django_db
def test_the_report_by_month_campaign_and_segment(make_user):
    from samphan.marketing.models import SegmentMember

    boss = make_user(Role.MANAGER, username="boss", language="en")
    segment = Segment.objects.create(name="Gold", kind="static")
    campaign = Campaign.objects.create(name="ถามความเห็นตุลา", segment=segment, created_by=boss)
    other = CustomerFactory()

    def answer(customer, score, month, campaign=None):
        Survey.objects.create(
            customer=customer, kind="nps", score=score, campaign=campaign,
            answered_at=dt.datetime(2026, month, 10, 12, tzinfo=BANGKOK),
        )  # fmt: skip

    # October, by the campaign, from five members of the segment: 3 promoters, 1 passive
    # and 1 detractor of 5: 60% - 20% = NPS 40.
    for score in (10, 10, 9, 8, 3):
        member = CustomerFactory(tier="gold")
        SegmentMember.objects.create(segment=segment, customer=member)
        answer(member, score, 10, campaign)
    # November, no campaign, from the other customer: 1 promoter, 1 passive, 2 detractors
    # of 4: 25% - 50% = NPS -25.
    for score in (10, 7, 6, 6):
        answer(other, score, 11)
    client = Client()
    client.force_login(boss)
    url = "/insights/support/?period=custom&since=01/10/2026&until=30/11/2026"
    page = client.get(url).content.decode()
    # Both months: 4 promoters, 2 passives, 3 detractors of 9: (4 - 3) / 9 = NPS 11.
    assert '<strong class="kpi-value">11</strong>' in page
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td class="number">(\d+)</td>'
                      r'<td class="number">(-?\d+)</td>', page)  # fmt: skip
    assert ("Oct 2569", "5", "40") in rows and ("Nov 2569", "4", "-25") in rows  # BE
    assert (f'<a href="/segments/campaigns/{campaign.pk}/">ถามความเห็นตุลา</a>', "5", "40") in rows
    csv = client.get(f"{url}&table=nps&format=csv").content.decode("utf-8-sig").splitlines()
    assert csv[1:] == ["Oct 2569,5,3,1,1,40.0,", "Nov 2569,4,1,1,2,-25.0,"]  # under 10: no ±
    # Narrowed to the segment: its members' five answers only.
    page = client.get(f"{url}&segment={segment.pk}").content.decode()
    assert '<strong class="kpi-value">40</strong>' in page and "5 answers:" in page
    assert client.get(f"{url}&segment=999999").status_code == 200  # said by the field


@pytest.mark.django_db
def test_a_campaign_page_shows_the_nps_of_the_surveys_it_sent(make_user):
    boss = make_user(Role.MANAGER, username="boss", language="en")
    segment = Segment.objects.create(name="ทุกคน", rules={"match": "all", "rules": []})
    asked = Campaign.objects.create(name="ถามความเห็น", segment=segment, created_by=boss)
    other = Campaign.objects.create(name="โปรปีใหม่", segment=segment, created_by=boss)
    # Four surveys sent; three answered: 10 and 9 promote, 5 detracts: (2 - 1) / 3 = NPS 33.
    for score in (10, 9, 5, None):
        Survey.objects.create(
            customer=CustomerFactory(), kind="nps", campaign=asked, score=score,
            answered_at=timezone.now() if score is not None else None,
            comment="ช้า" if score == 5 else "",
        )  # fmt: skip
    client = Client()
    client.force_login(boss)
    page = client.get(f"/segments/campaigns/{asked.pk}/").content.decode()
    assert f'hx-get="/support/campaigns/{asked.pk}/"' in page
    panel = client.get(f"/support/campaigns/{asked.pk}/").content.decode()
    assert '<strong class="kpi-value">33</strong>' in panel
    assert "3 answers: 2 promoters (9-10), 0 passives (7-8), 1 detractors (0-6)." in panel
    assert "3 of 4 surveys sent were answered (75.0%)." in panel and "ช้า" in panel
    assert client.get(f"/support/campaigns/{other.pk}/").content == b""  # it asked nothing
    assert client.get("/support/campaigns/999999/").status_code == 404
    client.force_login(make_user(Role.SALES, username="rep"))  # none of these is theirs
    assert client.get(f"/support/campaigns/{asked.pk}/").content == b""
