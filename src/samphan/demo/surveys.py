"""Demo recommendation (NPS) surveys: two campaigns that asked "would you recommend us?"
with ``{{ nps_link }}`` by SMS, about ten weeks and two weeks ago, each to a sample of the
demo's customers who agreed to marketing by SMS (a tenth held out, as campaigns do), about half of
whom answered. The second scores a little better, so the report's months show a trend."""

import datetime as dt
import random
import uuid

from django.utils import timezone

from samphan.customers.models import ConsentRecord, ContactPoint, Customer
from samphan.customers.models.consent import consent_bit
from samphan.marketing.models import Campaign, Recipient, Segment, Variant
from samphan.messaging.models import Channel, Message
from samphan.support.models import Survey

PER_CAMPAIGN = 120  # customers asked (before the hold-out), at most
HOLDOUT = 0.1
ANSWERED = 0.55
TEXT_TH = "คุณ{{ nickname }} จะแนะนำร้านเราให้เพื่อนไหมคะ ตอบได้ที่ {{ nps_link }}"
TEXT_EN = "{{ greeting }}, would you recommend us to a friend? Tell us: {{ nps_link }}"
# (name, days ago, scores drawn from): the first NPS about 15, the second about 30.
ROUNDS = [
    ("ถามความเห็น: จะแนะนำร้านเราให้เพื่อนไหม (ก.ย.)", 70,
     [10] * 4 + [9] * 4 + [8] * 3 + [7] * 3 + [6] * 2 + [5] + [3] + [0]),
    ("ถามความเห็น: จะแนะนำร้านเราให้เพื่อนไหม (พ.ย.)", 14,
     [10] * 5 + [9] * 4 + [8] * 3 + [7] * 2 + [6] * 2 + [4] + [2]),
]  # fmt: skip
COMMENTS = {
    10: "พนักงานใส่ใจมาก แนะนำเพื่อนแล้วค่ะ",
    9: "สินค้าดี ส่งไว",
    6: "ราคาแรงไปหน่อย",
    3: "รอคิวนานมาก",
    0: "สั่งของแล้วไม่ได้ของ ติดต่อยาก",
}


def demo_nps(*, first_customer_id: int, seed: int) -> int:
    """The two campaigns with their recipients and surveys; returns the answers made."""
    rng = random.Random(f"{seed}-nps")
    mobiles = dict(
        ContactPoint.objects.filter(
            customer_id__gte=first_customer_id, kind=ContactPoint.Kind.MOBILE
        ).values_list("customer_id", "value")
    )
    bit = consent_bit(Channel.SMS, ConsentRecord.Purpose.MARKETING)
    customers = [  # those who agreed to marketing by SMS, as a campaign would keep
        pk
        for pk, bits in Customer.objects.filter(pk__in=mobiles)
        .order_by("pk")
        .values_list("pk", "consent_bits")
        if (bits or 0) & bit
    ]
    if len(customers) < 20:
        return 0
    everyone, _made = Segment.objects.get_or_create(
        name="ลูกค้าทุกคน", defaults={"rules": {"match": "all", "rules": []}}
    )
    now = timezone.now()
    answers = 0
    for name, days_ago, scores in ROUNDS:
        sent = now - dt.timedelta(days=days_ago, hours=rng.uniform(0, 8))
        asked = rng.sample(customers, min(PER_CAMPAIGN, len(customers)))
        campaign = Campaign.objects.create(
            name=name, segment=everyone, status=Campaign.Status.SENT, started_at=sent,
            scheduled_at=sent, created_at=sent - dt.timedelta(days=1),
            recipients_count=len(asked),
        )  # fmt: skip
        variant = Variant.objects.create(campaign=campaign, label="A", share=100,
                                         text_th=TEXT_TH, text_en=TEXT_EN)  # fmt: skip
        held = set(rng.sample(asked, round(len(asked) * HOLDOUT)))
        # What the outbox sent each of the others: the message with their own link.
        messages = Message.objects.bulk_create(
            Message(
                key=uuid.UUID(int=rng.getrandbits(128)), customer_id=pk, channel=Channel.SMS,
                purpose=ConsentRecord.Purpose.MARKETING, to=mobiles[pk], status=Message.Status.SENT,
                text=TEXT_TH.replace("{{ nickname }}", "").replace("{{ nps_link }}", "…"),
                attempts=1, sent_at=sent, delivered_at=sent, created_at=sent,
            )
            for pk in asked
            if pk not in held
        )  # fmt: skip
        sent_to = {message.customer_id: message for message in messages}
        Recipient.objects.bulk_create(
            Recipient(
                campaign=campaign, customer_id=pk, variant=None if pk in held else variant,
                message=sent_to.get(pk),
            )
            for pk in asked
        )  # fmt: skip
        surveys = []
        for pk in asked:
            if pk in held:
                continue
            survey = Survey(
                kind=Survey.Kind.NPS, customer_id=pk, campaign=campaign, sent_at=sent,
                message=sent_to[pk],
            )  # fmt: skip
            if rng.random() < ANSWERED:
                survey.score = rng.choice(scores)
                survey.answered_at = sent + dt.timedelta(hours=rng.uniform(0.2, 72))
                if rng.random() < 0.4:
                    survey.comment = COMMENTS.get(survey.score, "")
                answers += 1
            surveys.append(survey)
        Survey.objects.bulk_create(surveys)
    return answers
