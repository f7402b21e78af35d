import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.customers import services as customer_services
from samphan.sales import scoring, services
from samphan.sales.models import Stage
from samphan.sales.services import LeadInput
from tests.factories import CustomerFactory, UserFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 3, tzinfo=dt.UTC)  # 10:00 in Bangkok


def stage(name):
    return Stage.objects.get(pipeline__is_default=True, name_en=name)


def deal(owner, amount, *, at=NOW, stage_name="Interested", **fields):
    made = services.deal_create(
        actor=owner,
        fields={
            "title": f"ดีล {amount}",
            "customer": CustomerFactory(),
            "amount": Decimal(amount),
            **fields,
        },
        stage=stage(stage_name),
        at=at,
    )
    return made


def test_a_deal_score_is_the_sum_of_its_reasons(admin_user):
    big = deal(admin_user, 300_000, stage_name="Negotiation", expected_close=dt.date(2026, 6, 20))
    customer_services.interaction_log(
        actor=admin_user,
        customer=big.customer,
        kind="call",
        summary="โทร",
        occurred_at=NOW - dt.timedelta(days=2),
    )
    deal(admin_user, 100_000)
    deal(admin_user, 100_000)
    stuck = deal(admin_user, 50_000, stage_name="Quoted", at=NOW - dt.timedelta(days=40))
    ranked = scoring.scored_deals(admin_user, now=NOW)
    assert ranked[0][0] == big
    score = ranked[0][1]
    # 75%/4 = 18, twice the median (100,000) = 30, closes in 5 days = 15, one contact = 5
    assert score.total == 18 + 30 + 15 + 5
    assert sum(points for points, _ in score.reasons) == score.total
    assert any("closes within 5 days" in reason for _, reason in score.reasons)
    stuck_score = {d.pk: s for d, s in ranked}[stuck.pk]
    assert any(
        points == -25 and "stuck 40 days in Quoted" in reason
        for points, reason in stuck_score.reasons
    )
    assert ranked[-1][0] == stuck


def test_lead_scores_favour_fit_source_and_freshness(admin_user):
    fresh = services.lead_capture(
        actor=admin_user,
        data=LeadInput(
            first_name="ใหม่",
            phone="0811111111",
            email="a@example.com",
            source="referral",
            message="ขอใบเสนอราคา",
        ),
        owner=admin_user,
    )
    old = services.lead_capture(
        actor=admin_user, data=LeadInput(first_name="เก่า", phone="0822222222"), owner=admin_user
    )
    type(old).objects.filter(pk=old.pk).update(created_at=NOW - dt.timedelta(days=45))
    ranked = scoring.scored_leads(admin_user, now=NOW + dt.timedelta(hours=1))
    assert [lead for lead, _ in ranked] == [fresh, old]
    reasons = " ".join(reason for _, reason in ranked[0][1].reasons)
    assert "phone and e-mail given" in reasons and "came by referral" in reasons
    assert ranked[1][1].total == 0  # waiting 45 days and never contacted: floored at 0


def test_work_next_shows_a_reps_own_list_in_a_fixed_number_of_queries(client, admin_user):
    rep = UserFactory(username="rep", role=Role.SALES, team=admin_user.team)
    client.force_login(rep)

    def count():
        with assert_queries() as captured:
            response = client.get("/sales/work-next/")
        assert response.status_code == 200
        return len(captured), response.content.decode()

    deal(rep, 10_000)
    few, html = count()
    assert "ดีล 10000" in html
    for amount in range(20):
        deal(rep, 1000 + amount)
        services.lead_capture(
            actor=rep,
            data=LeadInput(first_name=f"ลีด{amount}", phone=f"08100000{amount:02d}"),
            owner=rep,
        )
    deal(admin_user, 999_999)  # someone else's: not on the rep's list
    many, html = count()
    assert many == few and "999,999" not in html
    other = client.get(f"/sales/work-next/?owner={admin_user.pk}").content.decode()
    assert "999,999" not in other  # a scoped rep cannot look at another's list


def test_deal_page_shows_its_score(admin_client, admin_user):
    made = deal(admin_user, 10_000, expected_close=timezone.localdate() + dt.timedelta(days=3))
    html = admin_client.get(f"/sales/deals/{made.pk}/").content.decode()
    assert 'class="score score-inline"' in html and "+15" in html
