"""The funnel report from a snapshot (issue 22): for users who see every record a preset
period is served from figures the worker keeps fresh, recounted when a lead, a deal or an
order changes; custom dates and users limited to their own records are counted live."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.analytics import funnel, snapshots
from samphan.analytics.models import Snapshot
from samphan.privacy.erasure import _erase_related
from samphan.sales import services
from samphan.sales.models import Lead, Stage
from samphan.sales.services import Conversion
from samphan.sales.services.deals import default_pipeline
from tests.analytics.test_funnel import capture, cohort  # noqa: F401 - the fixture
from tests.analytics.test_views import login
from tests.conftest import token_client

pytestmark = pytest.mark.django_db
KEY_PREFIX = "funnel:last_30:"


def shown(client, **params):
    """The lifecycle's counts and the figures' moment, as the API gives them."""
    body = client.get("/api/v1/analytics/funnel", {"period": "last_30", **params}).json()
    return [step["count"] for step in body["lifecycle"]], body["as_of"]


def test_a_preset_period_is_served_from_the_snapshot_and_recounted_at_the_next_round(
    admin_user,
    cohort,  # noqa: F811
):
    client = token_client(admin_user)
    assert shown(client)[0] == [6, 4, 2, 1]
    snapshot = Snapshot.objects.get(key__startswith=KEY_PREFIX)
    assert snapshot.data["lifecycle"][0]["count"] == 6
    # A conversion changes no order and adds no customer: the funnel's own mark sees it.
    before = snapshots.sources_mark()
    services.lead_convert(actor=admin_user, lead=cohort[4], conversion=Conversion())
    assert snapshots.sources_mark() == before
    counts, as_of = shown(client)
    assert counts == [6, 4, 2, 1] and as_of is not None  # until the worker's round
    assert snapshots.keep_fresh() == 1
    assert shown(client)[0] == [6, 5, 2, 1]
    assert snapshots.keep_fresh() == 0  # nothing changed: not counted again


def test_custom_dates_are_counted_live(admin_user, cohort):  # noqa: F811
    client = token_client(admin_user)
    shown(client)
    capture("ใหม่", "website", "0899999999")
    today = timezone.localdate()
    since = (today - dt.timedelta(days=29)).isoformat()
    body = client.get("/api/v1/analytics/funnel", {"since": since, "until": today.isoformat()})
    assert body.json()["lifecycle"][0]["count"] == 7 and body.json()["as_of"] is None


def test_a_limited_user_has_a_snapshot_of_their_own(admin_user, make_user, team, cohort):  # noqa: F811
    rep = make_user(role="sales", username="rep")
    Lead.objects.update(owner=None, team=None)
    Lead.objects.filter(pk__in=[cohort[0].pk, cohort[5].pk]).update(owner=rep)
    assert shown(token_client(admin_user))[0] == [6, 4, 2, 1]
    counts, as_of = shown(token_client(rep))
    assert counts == [2, 1, 1, 1] and as_of is not None
    keys = set(Snapshot.objects.values_list("key", flat=True))
    assert len(keys) == 2 and any(key.endswith(f":{rep.pk}:{team.pk}") for key in keys)
    # Their team's new lead shows at the worker's next round, in their snapshot only.
    Lead.objects.filter(pk=cohort[4].pk).update(team=team, updated_at=timezone.now())
    assert snapshots.keep_fresh() == 2
    assert shown(token_client(rep))[0] == [3, 1, 1, 1]
    # Moved to another team: another key, counted for the team they are in now.
    rep.team = None
    rep.save()
    assert shown(token_client(rep))[0] == [2, 1, 1, 1]


def test_the_page_says_when_its_figures_are_from(admin_user, cohort):  # noqa: F811
    client = login(admin_user)
    page = client.get("/insights/funnel/", {"period": "last_30"}).content.decode()
    assert "Figures as of" in page and "website" in page
    custom = client.get(
        "/insights/funnel/",
        {
            "period": "custom",
            "since": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
            "until": timezone.localdate().isoformat(),
        },
    ).content.decode()
    assert "Figures as of" not in custom and "website" in custom


def mark() -> str:
    return funnel.snapshot_sources()


def test_the_mark_moves_with_leads_deals_and_stages(admin_user, cohort):  # noqa: F811
    marks = [mark()]
    capture("ใหม่", "website", "0899999999")
    marks.append(mark())
    services.lead_disqualify(actor=admin_user, lead=cohort[5], reason="ซ้ำ")
    marks.append(mark())
    deal = services.deal_create(
        actor=admin_user, fields={"title": "x", "customer": cohort[0].customer}
    )
    marks.append(mark())
    later = default_pipeline().stages.exclude(pk=deal.stage_id).filter(outcome="open").first()
    services.deal_move(actor=admin_user, deal=deal, stage=later)
    marks.append(mark())
    Stage.objects.filter(pk=later.pk).update(position=later.position + 10)
    marks.append(mark())
    _erase_related(cohort[4].customer, set())  # a bulk update, dated by hand
    marks.append(mark())
    assert len(set(marks)) == len(marks)
    assert mark() == marks[-1]


def test_the_snapshot_follows_the_stages_as_they_are(admin_user, cohort):  # noqa: F811
    client = token_client(admin_user)
    first = client.get("/api/v1/analytics/funnel", {"period": "last_30"}).json()["pipeline"]
    gone = first[1]["stage_id"]
    Stage.objects.filter(pk=gone).delete()
    stages = client.get("/api/v1/analytics/funnel", {"period": "last_30"}).json()["pipeline"]
    assert [s["stage_id"] for s in stages] == [
        s["stage_id"] for s in first if s["stage_id"] != gone
    ]


def test_users_who_may_not_see_orders_get_no_channels_from_the_snapshot(
    admin_user,
    make_user,
    cohort,  # noqa: F811
):
    client = token_client(admin_user)
    shared = client.get("/api/v1/analytics/funnel", {"period": "last_30"}).json()
    assert shared["by_channel"] and shared["as_of"]
    # A role that works leads across the company without seeing orders.
    clerk = make_user(role="sales", username="clerk")
    role = clerk.groups.get().role
    role.scope = Role.Scope.ALL
    role.save()
    role.group.permissions.remove(Permission.objects.get(codename="view_order"))
    body = token_client(clerk).get("/api/v1/analytics/funnel", {"period": "last_30"}).json()
    assert body["as_of"] == shared["as_of"] and body["lifecycle"] == shared["lifecycle"]
    assert body["by_channel"] == []
