"""The pins of the API's writes (issue 19, §7): every POST, PATCH, PUT and DELETE of the
API, each with a valid request over the demo shop of ``tests/test_query_counts.py``, the
status it answers and the exact number of queries it runs.

A write that consumes or deletes a record (restore, convert, accept, delete …) is given a
record of its own, made by ``prepare`` through the API before the counted request, so the
count is that of the write alone and the shop keeps its records for the other pins. Every
test runs in a transaction rolled back at its end: what a write changes is gone for the next.

Each count includes the SAVEPOINT and RELEASE of the transaction every write runs in
(``api/main.py``, ``_wrap_operations``; issue 20: a failed write writes nothing): the
service's own transaction is nested in it and becomes a savepoint in production too.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import User
from samphan.customers.models import Customer, DuplicateCandidate
from samphan.frontdesk.models import Alert
from samphan.messaging.models import LineAccount
from samphan.sales.models import Stage
from tests.query_pins import Pin
from tests.test_thai_pages import Shop, a_referrer

Body = Callable[[Shop], dict[str, Any]]
# Made before the counted request: the path parameters of the record the write is given.
Prepare = Callable[[Shop, Client], dict[str, object]]


@dataclass(frozen=True)
class Write:
    pin: Pin
    status: int = 200
    body: Body | None = None  # no body: the request is sent without one
    prepare: Prepare | None = None
    files: Body | None = None  # a multipart upload instead of a JSON body


EMAIL = "ying@example.com"
LATER = "2099-01-01T10:00:00+07:00"
NO_RULES = {"match": "all", "rules": []}


def give_points(shop: Any) -> dict[str, Any]:
    from samphan.loyalty.services import points_record

    points_record(actor=None, customer=shop.customer, kind="adjust", points=100)
    return {}


def call(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    """The answer of a POST to the API, failing loudly unless it succeeded."""
    response = client.post(url, data=json.dumps(body or {}), content_type="application/json")
    assert response.status_code in (200, 201), f"{url}: {response.content!r}"
    return response.json()


def made(client: Client, url: str, body: dict[str, Any] | None = None) -> int:
    """The id of the record a POST to the API made (or changed)."""
    return int(call(client, url, body)["id"])


def duplicate_candidate(shop: Shop) -> int:
    """An open pair of the shop's customer and its company, as the finder would write it."""
    low, high = sorted((shop.customer.pk, shop.company.pk))
    return DuplicateCandidate.objects.create(
        customer_a_id=low, customer_b_id=high, score=1.0, reasons=["phone"], found_at=timezone.now()
    ).pk


def lines(shop: Shop) -> list[dict[str, Any]]:
    return [{"sku": shop.product.sku, "quantity": 1}]


def order(shop: Shop, client: Client) -> dict[str, object]:
    body = {"customer_id": shop.customer.pk, "channel": "store", "lines": lines(shop)}
    return {"order_id": made(client, "/api/v1/orders", body)}


def quote(shop: Shop, client: Client) -> dict[str, object]:
    url = f"/api/v1/deals/{shop.deal.pk}/quotes"
    return {"quote_id": made(client, url, {"lines": lines(shop)})}


def email_to(client: Client, customer_id: int | None) -> None:
    """The customer is given the e-mail address a message or a quotation is sent to."""
    url = f"/api/v1/customers/{customer_id}/contact-points"
    made(client, url, {"kind": "email", "value": EMAIL})


def email(shop: Shop, client: Client) -> dict[str, object]:
    email_to(client, shop.customer.pk)
    return {}


def quote_to_email(shop: Shop, client: Client) -> dict[str, object]:
    email_to(client, shop.deal.customer_id)
    return quote(shop, client)


def referrer_code() -> str:
    from samphan.loyalty.services.referrals import referral_code_of

    return referral_code_of(a_referrer().pk)


def lead(shop: Shop, client: Client) -> dict[str, object]:
    return {"lead_id": made(client, "/api/v1/leads", {"first_name": "ปอ", "phone": "0899990003"})}


def static_segment(shop: Shop, client: Client) -> dict[str, object]:
    body = {"name": "คัดมือ", "kind": "static"}
    return {"segment_id": made(client, "/api/v1/segments", body)}


def static_segment_with_member(shop: Shop, client: Client) -> dict[str, object]:
    segment = static_segment(shop, client)
    url = f"/api/v1/segments/{segment['segment_id']}/members"
    call(client, url, {"customer_ids": [shop.customer.pk]})
    return segment


def colleague(shop: Shop, client: Client) -> dict[str, object]:
    return {"user_id": User.objects.get(username="sales2").pk}


def colleague_deactivated(shop: Shop, client: Client) -> dict[str, object]:
    user = colleague(shop, client)
    made(client, f"/api/v1/users/{user['user_id']}/deactivate")
    return user


def campaign_scheduled(shop: Shop, client: Client) -> dict[str, object]:
    made(client, f"/api/v1/campaigns/{shop.campaign.pk}/schedule", {"at": LATER})
    return {}


def customer_archived(shop: Shop, client: Client) -> dict[str, object]:
    made(client, f"/api/v1/customers/{shop.customer.pk}/archive")
    return {}


def person_to_erase(shop: Shop, client: Client) -> dict[str, object]:
    """A customer with nothing open, whom erasure does not refuse."""
    customer_id = made(client, "/api/v1/customers", {"first_name": "ลบได้", "kind": "person"})
    return {"customer_id": customer_id}


def open_stage(shop: Shop) -> int:
    stages = Stage.objects.filter(pipeline_id=shop.deal.pipeline_id, outcome=Stage.Outcome.OPEN)
    return stages.exclude(pk=shop.deal.stage_id).order_by("position")[0].pk


def duplicate_made(shop: Shop, client: Client) -> dict[str, object]:
    """A second record of the shop's customer, for a merge to take in."""
    made(client, "/api/v1/customers", {"first_name": "ซ้ำกัน", "kind": "person"})
    return {}


def duplicate_of(shop: Shop) -> dict[str, Any]:
    return {"duplicate_ids": [Customer.objects.get(first_name="ซ้ำกัน").pk]}


def merged(shop: Shop, client: Client) -> dict[str, object]:
    duplicate_made(shop, client)
    url = f"/api/v1/customers/{shop.customer.pk}/merge"
    return {"merge_id": made(client, url, duplicate_of(shop))}


C = "/api/v1/customers/{customer_id}"  # the prefix of a customer's own operations

WRITES: dict[str, Write] = {
    # Customers and companies.
    "POST /api/v1/customers": Write(
        32,
        201,
        lambda shop: {
            "first_name": "สมหญิง",
            "tags": ["ลูกค้าประจำ"],
            "contact_points": [{"kind": "mobile", "value": "089-999-0001", "is_preferred": True}],
        },
    ),
    # +1 since issue 24: a tier set by hand goes into the tier history.
    f"PATCH {C}": Write(25, body=lambda shop: {"nickname": "หญิง", "tier": "silver"}),
    f"POST {C}/archive": Write(15),
    f"POST {C}/restore": Write(15, prepare=customer_archived),
    # A fixed number per kind of related row (a select and an update each), not per row;
    # +4 each way for the RFM rescore of the customers merged (scores exist? the ranks,
    # a delete, an insert: analytics.rfm.rfm_rescore); +2 each way for the funnel's purchase
    # marks of the customers merged (a delete, an insert: issue 22, rollups.marks).
    # +1 surveys; +4 since issue 24: the balances recounted from the ledger, the tier
    # history, the vouchers; +1 the friends the merged customer referred.
    f"POST {C}/merge": Write(64, 201, duplicate_of, prepare=duplicate_made),
    "POST /api/v1/merges/{merge_id}/undo": Write(36, prepare=merged),  # +2 the balances
    # One statement per registered kind of data (privacy/erasure.py), each set-based; +1
    # for the photos a merge set aside (and +2 a photo name, for who else shows it); +3
    # since issue 23's second part: surveys' comments, tickets' files (their names, then
    # the rows).
    f"POST {C}/erase": Write(
        45, body=lambda shop: {"reason": "คำขอ PDPA"}, prepare=person_to_erase
    ),
    "POST /api/v1/companies": Write(19, 201, lambda shop: {"company_name": "บริษัท ทะเลทอง จำกัด"}),
    "PATCH /api/v1/companies/{company_id}": Write(24, body=lambda shop: {"industry": "retail"}),
    "POST /api/v1/companies/{company_id}/archive": Write(15),
    f"POST {C}/contact-points": Write(
        14, 201, lambda shop: {"kind": "email", "value": "ying@example.com"}
    ),
    "PATCH /api/v1/contact-points/{point_id}": Write(15, body=lambda shop: {"label": "ที่ทำงาน"}),
    "DELETE /api/v1/contact-points/{point_id}": Write(
        10,
        204,
        prepare=lambda shop, client: {
            "point_id": made(
                client,
                f"/api/v1/customers/{shop.customer.pk}/contact-points",
                {"kind": "line", "value": "@ying"},
            ),
        },
    ),
    f"POST {C}/interactions": Write(8, 201, lambda shop: {"kind": "call", "summary": "โทรนัด"}),
    # Imports: the upload stores the file and queues it (the rows are the worker's): the
    # token, the custom fields the mapping may name, the insert, two savepoints.
    "POST /api/v1/imports": Write(
        7,
        201,
        files=lambda shop: {
            "file": SimpleUploadedFile("customers.csv", "ชื่อ,มือถือ\nสมชาย,0812345678\n".encode()),
            "mapping": '{"0": "first_name", "1": "mobile"}',
        },
    ),
    "POST /api/v1/imports/{import_id}/cancel": Write(7),  # token, import, locked, update
    # The token, the export and its audit row, in two savepoints (the API's, the service's).
    "POST /api/v1/exports": Write(7, 202, lambda shop: {"format": "xlsx"}),
    "PATCH /api/v1/interactions/{interaction_id}": Write(
        13, body=lambda shop: {"summary": "โทรนัดอีกครั้ง"}
    ),
    "DELETE /api/v1/interactions/{interaction_id}": Write(
        10,
        204,
        prepare=lambda shop, client: {
            "interaction_id": made(
                client,
                f"/api/v1/customers/{shop.customer.pk}/interactions",
                {"kind": "note", "summary": "จดไว้"},
            ),
        },
    ),
    f"POST {C}/consents": Write(13, 201, lambda shop: {"channel": "sms", "status": "granted"}),
    f"POST {C}/points": Write(
        14, 201, lambda shop: {"kind": "adjust", "points": 10, "note": "ชดเชย"}
    ),
    "PUT /api/v1/loyalty/programme": Write(8, body=lambda shop: {"baht_per_point": "20"}),
    "POST /api/v1/loyalty/rules": Write(
        7, 201, lambda shop: {"name": "LINE คูณสอง", "channel": "line", "multiplier": "2"}
    ),
    "PUT /api/v1/loyalty/rules/{earning_rule_id}": Write(10, body=lambda shop: {"multiplier": "3"}),
    "POST /api/v1/loyalty/rewards": Write(7, 201, lambda shop: {"name": "คุกกี้", "points": 50}),
    "PATCH /api/v1/loyalty/rewards/{reward_id}": Write(8, body=lambda shop: {"points": 60}),
    f"POST {C}/rewards/{{reward_id}}/redeem": Write(
        18, 201, prepare=lambda shop, client: give_points(shop)
    ),
    "POST /api/v1/vouchers/{code}/use": Write(12),
    # The friend, the code's member, the fraud rules (contacts, device, the month's
    # count), the link, the friend's referred_by, the audit, a paid order looked for.
    "POST /api/v1/loyalty/referrals": Write(
        20, 201, lambda shop: {"customer_id": shop.customer.pk, "code": referrer_code()}
    ),
    "POST /api/v1/loyalty/referrals/{referral_id}/decision": Write(
        14, body=lambda shop: {"approve": True}
    ),
    "POST /api/v1/vouchers/{code}/cancel": Write(16),
    "POST /api/v1/tags": Write(8, 201, lambda shop: {"name": "ลูกค้าต่างจังหวัด"}),
    "PATCH /api/v1/tags/{tag_id}": Write(9, body=lambda shop: {"name": "ลูกค้าเก่าแก่"}),
    "POST /api/v1/duplicates/{candidate_id}/not-duplicate": Write(
        9,
        prepare=lambda shop, client: {
            "candidate_id": duplicate_candidate(shop),
        },
    ),
    "DELETE /api/v1/tags/{tag_id}": Write(
        12,
        204,
        prepare=lambda shop, client: {
            "tag_id": made(client, "/api/v1/tags", {"name": "ชั่วคราว"}),
        },
    ),
    # Sales.
    "POST /api/v1/deals": Write(
        14, 201, lambda shop: {"title": "POS 3 สาขา", "customer_id": shop.customer.pk}
    ),
    "PATCH /api/v1/deals/{deal_id}": Write(15, body=lambda shop: {"title": "POS 4 สาขา"}),
    "POST /api/v1/deals/{deal_id}/move": Write(
        18, body=lambda shop: {"stage_id": open_stage(shop)}
    ),
    "POST /api/v1/leads": Write(35, 201, lambda shop: {"first_name": "ก้อง", "phone": "0899990002"}),
    "POST /api/v1/leads/{lead_id}/assign": Write(
        10, body=lambda shop: {"owner_id": shop.admin.pk}, prepare=lead
    ),
    "POST /api/v1/leads/{lead_id}/convert": Write(23, body=lambda shop: {}, prepare=lead),
    "POST /api/v1/leads/{lead_id}/disqualify": Write(
        9, body=lambda shop: {"reason": "ไม่สนใจ"}, prepare=lead
    ),
    # Issue 22: the funnel's purchase marks recounted with each order (+1 on SQLite; on
    # PostgreSQL it rides in the roll-ups' one statement), a batch's or a status change's
    # customers' marks deleted and inserted (+2). Issue 22, CPU per request: a new order
    # answers as written (-3: the order, its lines and products read back) and takes no
    # savepoint without an external id (-2); its lines' ids come back from the insert (+1
    # on SQLite: last_insert_rowid); the customer's second order of the day is counted by
    # the same one update as a new day's (-2: the read and the update after it).
    # +5 since issue 24: the programme's version, the buyer's tier, the earn row, the
    # member's balance, the window's spend for an upgrade at once (the buyer's tier and
    # referrer read in one query, not loaded field by field: a referral is looked for only
    # for a customer someone referred).
    "POST /api/v1/orders": Write(
        {"sqlite": 30, "postgresql": 26},
        201,
        lambda shop: {
            "customer_id": shop.customer.pk,
            "channel": "store",
            "lines": [
                {"sku": shop.product.sku, "quantity": 2},
                {"sku": shop.product.sku, "quantity": 1},
            ],
        },
    ),
    "POST /api/v1/orders/batch": Write(
        35,  # +5, as one order: the batch's points in one insert and one upsert
        body=lambda shop: {
            "orders": [
                {
                    "customer_id": shop.customer.pk,
                    "channel": "store",
                    "external_id": "pos-1",
                    "ordered_at": "2026-11-20T10:30:00+07:00",
                    "lines": lines(shop),
                }
            ]
        },
    ),
    # +3: the order's ledger rows, the reversal, the balance.
    "POST /api/v1/orders/{order_id}/refunds": Write(
        24, body=lambda shop: {"lines": lines(shop)}, prepare=order
    ),
    "POST /api/v1/orders/{order_id}/status": Write(
        26, body=lambda shop: {"status": "cancelled"}, prepare=order
    ),
    "POST /api/v1/products": Write(9, 201, lambda shop: {"sku": "TEA-TH", "name": "ชาไทย"}),
    "PATCH /api/v1/products/{product_id}": Write(11, body=lambda shop: {"name": "ชาเขียว"}),
    "POST /api/v1/deals/{deal_id}/quotes": Write(16, 201, lambda shop: {"lines": lines(shop)}),
    "PATCH /api/v1/quotes/{quote_id}": Write(
        20, body=lambda shop: {"lines": lines(shop), "notes": "ส่งฟรี"}, prepare=quote
    ),
    "POST /api/v1/quotes/{quote_id}/send": Write(
        26, body=lambda shop: {"channel": "email", "to": EMAIL}, prepare=quote_to_email
    ),
    "POST /api/v1/quotes/{quote_id}/mark-sent": Write(20, prepare=quote),
    # +1 on SQLite since issue 22: the order it records recounts the funnel's purchase marks.
    # +1 on SQLite (issue 22): the order's lines' ids read back (last_insert_rowid).
    "POST /api/v1/quotes/{quote_id}/accept": Write({"sqlite": 58, "postgresql": 54}, prepare=quote),
    "POST /api/v1/quotes/{quote_id}/reject": Write(14, prepare=quote),
    # The front desk.
    # 17 since issue 20: +1, the INSERT recording who saw the customer checked in; +2 since
    # issue 23: the alert's notes from support (an open ticket, an unhappy answer).
    "POST /api/v1/frontdesk/check-ins": Write(
        19, 201, lambda shop: {"customer_id": shop.customer.pk}
    ),
    "POST /api/v1/frontdesk/alerts/{alert_id}/greeted": Write(
        5,
        prepare=lambda shop, client: {
            "alert_id": Alert.objects.filter(greeted_at__isnull=True).latest("pk").pk,
        },
    ),
    "POST /api/v1/alert-rules": Write(
        8, 201, lambda shop: {"name": "ลูกค้าทอง", "kind": "tier", "tier": "gold"}
    ),
    "PATCH /api/v1/alert-rules/{rule_id}": Write(10, body=lambda shop: {"name": "แขกคนสำคัญ"}),
    "DELETE /api/v1/alert-rules/{rule_id}": Write(
        8,
        204,
        prepare=lambda shop, client: {
            "rule_id": made(client, "/api/v1/alert-rules", {"name": "วันเกิด", "kind": "birthday"}),
        },
    ),
    # Messaging and marketing.
    "POST /api/v1/messages": Write(
        17,
        201,
        lambda shop: {
            "customer_id": shop.customer.pk,
            "channel": "email",
            "purpose": "service",
            "subject": "นัดรับของ",
            "text": "ของมาถึงแล้วค่ะ",
            "idempotency_key": "pin-1",
        },
        prepare=email,
    ),
    "PUT /api/v1/line-accounts/{user_id}": Write(
        9,
        body=lambda shop: {"customer_id": shop.customer.pk},
        prepare=lambda shop, client: {
            "user_id": LineAccount.objects.create(user_id="U" + "d" * 32).user_id
        },
    ),
    # Support: a reply queues its message through the outbox (consent, addresses, audit).
    "POST /api/v1/tickets": Write(
        13,  # with the assignment rule, looked up (and locked) when nobody is given; the tags
        201,
        lambda shop: {"subject": "โทรถามเรื่องประกัน", "body": "ประกันกี่ปี", "requester": "คุณนิด"},
    ),
    "POST /api/v1/tickets/inbound": Write(
        18,
        201,
        lambda shop: {
            "external_id": "pin-1",
            "channel": "email",
            "address": "nid@example.com",
            "subject": "ประกัน",
            "body": "ประกันกี่ปีคะ",
        },
    ),
    "PATCH /api/v1/tickets/{ticket_id}": Write(10, body=lambda shop: {"priority": "high"}),
    "POST /api/v1/tickets/{ticket_id}/messages": Write(
        24, 201, lambda shop: {"body": "ประกันหนึ่งปีค่ะ"}
    ),
    "POST /api/v1/surveys": Write(7, 201, lambda shop: {"customer_id": shop.customer.pk}),
    "POST /api/v1/segments": Write(6, 201, lambda shop: {"name": "ลูกค้าใหม่", "rules": NO_RULES}),
    "POST /api/v1/segments/preview": Write(6, body=lambda shop: {"rules": NO_RULES}),
    "PUT /api/v1/segments/{segment_id}": Write(
        7, body=lambda shop: {"name": "ลูกค้าทองคำ", "rules": NO_RULES}
    ),
    "DELETE /api/v1/segments/{segment_id}": Write(11, 204, prepare=static_segment),
    "POST /api/v1/segments/{segment_id}/members": Write(
        11, body=lambda shop: {"customer_ids": [shop.customer.pk]}, prepare=static_segment
    ),
    "POST /api/v1/segments/{segment_id}/members/remove": Write(
        9,
        body=lambda shop: {"customer_ids": [shop.customer.pk]},
        prepare=static_segment_with_member,
    ),
    "POST /api/v1/campaigns": Write(
        10,
        201,
        lambda shop: {
            "name": "โปรสงกรานต์",
            "segment_id": shop.segment.pk,
            "channel": "email",
            "variants": [{"share": 100, "subject_th": "สงกรานต์", "text_th": "ลด 20%"}],
        },
    ),
    "POST /api/v1/campaigns/{campaign_id}/schedule": Write(7, body=lambda shop: {"at": LATER}),
    "POST /api/v1/campaigns/{campaign_id}/cancel": Write(6, prepare=campaign_scheduled),
    # Accounts and the shop.
    "POST /api/v1/users": Write(
        14, 201, lambda shop: {"username": "nok", "role": "sales", "email": "nok@example.com"}
    ),
    "PATCH /api/v1/users/{user_id}": Write(17, body=lambda shop: {"first_name": "นก"}),
    "POST /api/v1/users/{user_id}/deactivate": Write(13, prepare=colleague),
    "POST /api/v1/users/{user_id}/reactivate": Write(11, prepare=colleague_deactivated),
    "POST /api/v1/tokens": Write(8, 201, lambda shop: {"name": "POS หน้าร้าน"}),
    "DELETE /api/v1/tokens/{token_id}": Write(
        8,
        204,
        prepare=lambda shop, client: {
            "token_id": made(client, "/api/v1/tokens", {"name": "ชั่วคราว"}),
        },
    ),
    "PUT /api/v1/shop": Write(11, body=lambda shop: {"name": "ร้านสมศรี"}),
    "POST /api/v1/privacy/requests": Write(
        9,
        201,
        lambda shop: {
            "kind": "erasure",
            "requester_name": "ก",
            "requester_contact": "x",
            "customer_id": shop.customer.pk,
        },
    ),
    "PATCH /api/v1/privacy/requests/{request_id}": Write(
        11, body=lambda shop: {"status": "in_progress", "notes": "โทรยืนยันตัวตนแล้ว"}
    ),
    "POST /api/v1/privacy/breaches": Write(
        12,
        201,
        lambda shop: {
            "what_happened": "ก",
            "found_at": "2026-01-01T10:00:00+07:00",
            "data_kinds": "ชื่อ",
            "customer_ids": [shop.customer.pk],
        },
    ),
    # The policy locked, written (the first change saves the defaults' row: an UPDATE that
    # finds none, then an INSERT), audited, then the plan: one query per purpose.
    "PATCH /api/v1/privacy/retention": Write(14, body=lambda shop: {"messages_months": 18}),
    "PATCH /api/v1/privacy/breaches/{breach_id}": Write(
        14, body=lambda shop: {"measures": "เปลี่ยนรหัสผ่าน", "customer_ids": []}
    ),
}
