"""What the load test's users need from the demo database, as JSON on stdout: customer ids,
Thai names and phone digits to search for, open deals with the open stages of their
pipeline (for kanban moves), product SKUs, and an API token (for the order posts).

Run by bench/load/run.py with the database's settings, after ``samphan demo``."""

import json
import os
import random

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")

import django

django.setup()

from samphan.accounts.models import User  # noqa: E402
from samphan.accounts.services import token_create  # noqa: E402
from samphan.customers.models import ContactPoint, Customer  # noqa: E402
from samphan.sales.models import Deal, Order, OrderLine, Product, Stage  # noqa: E402

SAMPLE = 2_000


def fixtures(username: str) -> dict[str, object]:
    rng = random.Random(22)
    user = User.objects.get(username=username)
    top = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = sorted({rng.randint(1, top) for _ in range(SAMPLE * 2)}) if top else []
    customers = list(
        Customer.objects.active()
        .filter(pk__in=picks)
        .values("pk", "first_name", "nickname")[:SAMPLE]
    )
    phones = ContactPoint.objects.filter(
        kind__in=ContactPoint.PHONE_KINDS, customer_id__in=[c["pk"] for c in customers]
    ).values_list("value", flat=True)
    digits = sorted({"".join(ch for ch in p if ch.isdigit())[-4:] for p in phones} - {""})
    open_stages: dict[int, list[int]] = {}
    for stage in Stage.objects.filter(outcome=Stage.Outcome.OPEN):
        open_stages.setdefault(stage.pipeline_id, []).append(stage.pk)
    deals = [
        {"pk": pk, "stage": stage, "stages": open_stages[pipeline]}
        for pk, stage, pipeline in Deal.objects.visible_to(user)
        .open()
        .values_list("pk", "stage_id", "pipeline_id")
        .order_by("pk")[:SAMPLE]
        if len(open_stages.get(pipeline, [])) > 1
    ]
    skus = list(Product.objects.filter(is_active=True).values_list("sku", flat=True)[:200])
    return {
        "customers": [c["pk"] for c in customers],
        "names": sorted({c["first_name"] or c["nickname"] for c in customers} - {""}),
        "phone_digits": digits,
        "deals": deals,
        "skus": skus,
        "token": token_create(user=user, name="load test", expires_in_days=1),
        "counts": {
            "customers": Customer.objects.count(),
            "orders": Order.objects.count(),
            "order_lines": OrderLine.objects.count(),
        },
    }


if __name__ == "__main__":
    print(json.dumps(fixtures(os.environ.get("LOAD_USER", "manager")), ensure_ascii=False))
