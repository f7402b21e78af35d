import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from samphan.core.models import AuditEvent
from samphan.sales import queries, services
from samphan.sales.access import deal_for_user
from samphan.sales.models import Deal, DealStageChange, Pipeline, Stage
from samphan.sales.services import LineInput
from tests.factories import CustomerFactory, ProductFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
D = Decimal


def stage(name):
    return Stage.objects.get(pipeline__is_default=True, name_en=name)


def at(day, hour=9):
    return dt.datetime(2026, 5, day, hour, tzinfo=dt.UTC)


def new_deal(actor=None, **fields):
    fields.setdefault("title", "ระบบ POS")
    fields.setdefault("customer", CustomerFactory())
    fields.setdefault("amount", D("50000"))
    return services.deal_create(actor=actor, fields=fields, at=at(1))


def test_the_default_pipeline_has_the_seed_stages_in_thai_and_english():
    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.values_list("name", "name_en", "probability", "outcome"))
    assert [row[1] for row in stages] == [
        "Interested",
        "Presented",
        "Quoted",
        "Negotiation",
        "Won",
        "Lost",
    ]
    assert stages[0][0] == "สนใจ" and stages[4][3] == "won" and stages[5][2] == 0
    with translation.override("th"):
        assert str(pipeline.stages.first()) == "สนใจ"
    assert str(pipeline.stages.first()) == "Interested"


def test_moves_keep_a_history_with_time_in_each_stage(admin_user):
    deal = new_deal(admin_user)
    assert deal.stage == stage("Interested") and deal.owner == admin_user
    services.deal_move(actor=admin_user, deal=deal, stage=stage("Quoted"), at=at(3))
    services.deal_move(actor=admin_user, deal=deal, stage=stage("Won"), reason="ราคาดี", at=at(10))
    deal = deal_for_user(admin_user, deal.pk)
    spent = [
        (change.to_stage.name_en, time.days)
        for change, time in services.stage_durations(deal, list(deal.stage_changes.all()))
    ]
    assert spent == [("Interested", 2), ("Quoted", 7), ("Won", 0)]
    assert deal.closed_at == at(10) and deal.close_reason == "ราคาดี"
    assert AuditEvent.objects.filter(subject_type="sales.deal", subject_id=deal.pk).count() == 3


def test_a_stale_move_is_refused_and_changes_nothing(admin_user):
    deal = new_deal(admin_user)
    services.deal_move(
        actor=admin_user,
        deal=deal,
        stage=stage("Presented"),
        expected_stage_id=stage("Interested").pk,
    )
    with pytest.raises(services.StaleStageError):
        services.deal_move(
            actor=admin_user,
            deal=deal,
            stage=stage("Quoted"),
            expected_stage_id=stage("Interested").pk,
        )
    deal.refresh_from_db()
    assert deal.stage == stage("Presented")
    assert DealStageChange.objects.filter(deal=deal).count() == 2


def test_lost_needs_a_reason_and_other_pipelines_stages_are_refused(admin_user):
    deal = new_deal(admin_user)
    with pytest.raises(ValidationError) as raised:
        services.deal_move(actor=admin_user, deal=deal, stage=stage("Lost"))
    assert "reason" in raised.value.message_dict
    other = Pipeline.objects.create(name="โครงการ", name_en="Projects")
    foreign = Stage.objects.create(pipeline=other, name="เริ่ม", name_en="Start")
    with pytest.raises(ValidationError) as raised:
        services.deal_move(actor=admin_user, deal=deal, stage=foreign)
    assert "stage" in raised.value.message_dict
    deal.refresh_from_db()
    assert deal.stage == stage("Interested") and deal.closed_at is None


def test_products_on_a_deal_set_its_amount_and_bad_lines_write_nothing(admin_user):
    ProductFactory(sku="POS", list_price=D("25000"))
    deal = services.deal_create(
        actor=admin_user,
        fields={"title": "POS", "customer": CustomerFactory(), "amount": D("1")},
        lines=[LineInput("POS", 2, discount="1000")],
    )
    assert deal.amount == D("49000.00") and deal.lines.count() == 1
    with pytest.raises(ValidationError) as raised:
        services.deal_update(actor=admin_user, deal=deal, fields={}, lines=[LineInput("POS", -1)])
    assert "lines.0.quantity" in raised.value.message_dict
    assert Deal.objects.get(pk=deal.pk).lines.count() == 1


def test_deal_needs_a_title_customer_and_non_negative_amount(admin_user):
    with pytest.raises(ValidationError) as raised:
        services.deal_create(
            actor=admin_user, fields={"title": "", "customer": CustomerFactory(), "amount": D("-5")}
        )
    assert {"title", "amount"} <= set(raised.value.message_dict)
    with pytest.raises(ValidationError) as raised:
        services.deal_create(actor=admin_user, fields={"title": "x"})
    assert "customer" in raised.value.message_dict
    assert not Deal.objects.exists()


def test_board_totals_weighted_amounts_and_a_fixed_number_of_queries(admin_user, admin_client):
    for amount in (10_000, 30_000):
        new_deal(admin_user, amount=D(amount))
    pipeline = Pipeline.objects.get(is_default=True)
    columns = queries.pipeline_board(admin_user, pipeline, queries.DealFilters())
    interested = columns[0]
    assert (interested.count, interested.amount, interested.weighted) == (
        2,
        D("40000"),
        D("4000.00"),
    )
    assert [deal.amount for deal in interested.deals] == [D("30000"), D("10000")]

    def count():
        with assert_queries() as captured:
            assert admin_client.get("/sales/pipeline/").status_code == 200
        return len(captured)

    few = count()
    for index in range(queries.BOARD_CARDS_PER_STAGE + 5):
        deal = new_deal(admin_user, amount=D(index))
        if index % 10 == 0:
            services.deal_move(actor=admin_user, deal=deal, stage=stage("Quoted"))
    assert count() == few
    html = admin_client.get("/sales/pipeline/").content.decode()
    assert f'class="board-more" href="/sales/deals/?stage={stage("Interested").pk}"' in html


def test_board_drag_answers_json_and_409_when_stale(admin_client, admin_user):
    deal = new_deal(admin_user)
    url = f"/sales/deals/{deal.pk}/move/"
    headers = {"Accept": "application/json"}
    quoted, interested = stage("Quoted"), stage("Interested")
    moved = admin_client.post(
        url, {"stage": quoted.pk, "expected_stage": interested.pk}, headers=headers
    )
    assert moved.status_code == 200 and moved.json() == {"stage": quoted.pk}
    stale = admin_client.post(
        url, {"stage": stage("Won").pk, "expected_stage": interested.pk}, headers=headers
    )
    assert stale.status_code == 409 and stale.json()["detail"]
    lost = admin_client.post(
        url, {"stage": stage("Lost").pk, "expected_stage": quoted.pk}, headers=headers
    )
    assert lost.status_code == 422
    assert Deal.objects.get(pk=deal.pk).stage == quoted


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_deals_api_create_move_stale_and_bad_input(api):
    customer = CustomerFactory()
    ProductFactory(sku="POS", list_price=D("25000"))
    created = post(
        api,
        "/api/v1/deals",
        {
            "title": "POS 3 สาขา",
            "customer_id": customer.pk,
            "lines": [{"sku": "POS", "quantity": 3}],
        },
    )
    assert created.status_code == 201, created.content
    deal = created.json()
    assert deal["stage"] == "Interested" and deal["amount"] == "75000.00"
    url = f"/api/v1/deals/{deal['id']}/move"
    quoted = post(api, url, {"stage_id": stage("Quoted").pk, "expected_stage_id": deal["stage_id"]})
    assert quoted.status_code == 200 and quoted.json()["stage"] == "Quoted"
    stale = post(api, url, {"stage_id": stage("Won").pk, "expected_stage_id": deal["stage_id"]})
    assert stale.status_code == 409 and stale.json()["detail"][0]["loc"][-1] == "expected_stage_id"
    assert post(api, url, {"stage_id": 99999}).status_code == 422
    bad = post(api, "/api/v1/deals", {"title": "x", "customer_id": customer.pk, "amount": "-1"})
    assert bad.status_code == 422
    unknown = post(api, "/api/v1/deals", {"title": "x", "customer_id": 99999})
    assert unknown.status_code == 422 and "customer_id" in json.dumps(unknown.json())
    assert Deal.objects.count() == 1
    pipelines = api.get("/api/v1/pipelines").json()
    assert [s["name_en"] for s in pipelines[0]["stages"]][:2] == ["Interested", "Presented"]
    listed = api.get(f"/api/v1/deals?customer={customer.pk}&outcome=open").json()
    assert listed["count"] == 1


def test_deal_form_creates_and_shows_errors_next_to_fields(admin_client):
    customer = CustomerFactory()
    data = {
        "title": "",
        "customer": customer.pk,
        "stage": stage("Presented").pk,
        "amount": "-5",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
    }
    response = admin_client.post("/sales/deals/new/", data)
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not Deal.objects.exists()
    data.update(title="ชุดของขวัญ", amount="12000")
    response = admin_client.post("/sales/deals/new/", data)
    deal = Deal.objects.get()
    assert response["Location"] == f"/sales/deals/{deal.pk}/" and deal.stage == stage("Presented")
    page = admin_client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert ("ชุดของขวัญ" in page and "Presented" in page) or "นำเสนอสินค้า" in page
