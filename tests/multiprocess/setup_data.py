"""Fill the multi-process test's database, in a process of its own with that database's
settings: ``python -m tests.multiprocess.setup_data seed N`` (users, the default alert
rules, N customers with an e-mail and consent to marketing, one of them a VIP, a product;
prints what the test needs as JSON) and ``… campaign`` (an e-mail campaign to all of them,
scheduled now: the workers' campaign loop queues it, their outbox loops send it)."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")

import django

django.setup()

from samphan.accounts.models import Role  # noqa: E402
from samphan.accounts.services import token_create  # noqa: E402
from samphan.customers.models import Customer  # noqa: E402
from samphan.customers.services import consent_record  # noqa: E402
from samphan.frontdesk.services import alert_rules_default_create  # noqa: E402
from samphan.marketing.campaigns import campaign_save, campaign_schedule  # noqa: E402
from samphan.marketing.models import Segment  # noqa: E402
from tests.factories import (  # noqa: E402
    ContactPointFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)


def seed(count: int) -> dict[str, object]:
    desk = UserFactory(username="desk", role=Role.FRONTDESK)
    boss = UserFactory(username="boss", role=Role.ADMIN)
    tokens = {user.username: token_create(user=user, name="test", expires_in_days=None)
              for user in (desk, boss)}  # fmt: skip
    alert_rules_default_create()
    ids = []
    for number in range(count):
        customer = CustomerFactory(nickname=f"หลายโปรเซส{number}")
        ContactPointFactory(customer=customer, kind="email", value=f"c{number}@example.com")
        consent_record(actor=None, customer=customer, channel="email", purpose="marketing",
                       status="granted", source="import")  # fmt: skip
        ids.append(customer.pk)
    vip = Customer.objects.get(pk=ids[0])
    vip.is_vip = True
    vip.save(update_fields=["is_vip"])
    product = ProductFactory(list_price="100.00")
    return {
        "tokens": tokens,
        "customers": ids,
        "vip": vip.pk,
        "vip_name": vip.display_name,
        "sku": product.sku,
    }


def campaign() -> int:
    segment = Segment.objects.create(name="ทุกคน", rules={"match": "all", "rules": []})
    fields = {"name": "หลายโปรเซส", "segment_id": segment.pk, "channel": "email",
              "holdout_percent": 0, "conversion_days": 14}  # fmt: skip
    variant = {"share": 100, "subject_th": "ข่าวถึงคุณ{{ nickname }}",
               "text_th": "สวัสดีคุณ{{ nickname }}", "subject_en": "News, {{ first_name }}",
               "text_en": "Hello {{ first_name }}"}  # fmt: skip
    saved = campaign_save(actor=None, campaign=None, fields=fields, variants=[variant])
    return campaign_schedule(campaign=saved).pk


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        print(json.dumps(seed(int(sys.argv[2]))))
    else:
        print(campaign())
