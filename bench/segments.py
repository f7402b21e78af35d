"""Segment counts at scale: typical segments of a campaign (attributes, spend in a period,
last purchase, consent, usual weekday, RFM, and groups of them), each counted as the
builder's live count does (one statement over the active customers an admin sees).

Run by bench/measure.py; by hand on a database loaded before (`run.py --keep`):

    SAMPHAN_VAR_DIR=var/bench/sqlite-1000000 python bench/segments.py

Target from issue 6: a segment count on 1,000,000 customers p95 under 500 ms.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from bench.timing import percentiles, timed
from samphan.accounts.models import User
from samphan.analytics import columns
from samphan.customers.models import Tag
from samphan.marketing.queries import customers_matching
from samphan.marketing.rules import compile_rules

TARGETS = {"count_p95_ms": 500}
# 20, so that the p95 is the 19th of 20 counts: of 10 it was the slowest one.
REPEATS = 20


def segments() -> dict[str, dict[str, Any]]:
    tag = Tag.objects.order_by("pk").values_list("pk", flat=True).first() or 0

    def rules(*conditions: dict[str, Any], match: str = "all") -> dict[str, Any]:
        return {"match": match, "rules": list(conditions)}

    gold = {"field": "tier", "op": "in", "value": ["gold", "platinum"]}
    spend = {"field": "spend_period", "op": "gte", "value": 5000, "days": 90}
    consent = {"field": "consent", "op": "granted", "value": "email:marketing"}
    # Tiers are for people, and the demo's people consent to SMS (companies to e-mail).
    sms = {"field": "consent", "op": "granted", "value": "sms:marketing"}
    return {
        "tier gold or platinum": rules(gold),
        "VIPs in Bangkok": rules({"field": "vip", "op": "is", "value": True},
                                 {"field": "province", "op": "in", "value": ["กรุงเทพมหานคร"]}),
        "spent 5,000+ in the last 90 days": rules(spend),
        "no purchase in 180 days, bought 3+ times": rules(
            {"field": "last_purchase", "op": "not_within_days", "value": 180},
            {"field": "orders", "op": "gte", "value": 3}),
        "e-mail marketing consent": rules(consent),
        "usually comes on Saturday": rules({"field": "usual_weekday", "op": "in", "value": [5]}),
        "RFM at risk or can't lose": rules({"field": "rfm", "op": "in", "value": ["at_risk", "cant_lose"]}),
        "gold + spend 90 days + SMS consent + (tag or Saturday)": rules(
            gold, spend, sms,
            rules({"field": "tag", "op": "any", "value": [tag]},
                  {"field": "usual_weekday", "op": "in", "value": [5]}, match="any")),
    }  # fmt: skip


def measure_segments(admin: User) -> dict[str, Any]:
    pages: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for label, rules in segments().items():
        # Compiled each time, as the builder's live count does: a period condition sums
        # the period's orders when it is compiled.
        def count(rules: dict[str, Any] = rules) -> int:
            return customers_matching(admin, compile_rules(rules)).count()

        counts[label] = count()  # a first, cold count
        pages[f"segment count: {label}"] = percentiles(timed(count, REPEATS))
    return {"pages": pages, "counts": counts}


if __name__ == "__main__":
    # As in a server process, where the insights have loaded the paid orders' columns
    # (bench/measure.py's insights measures do it before these).
    columns.paid_orders()
    columns.wait_for_load(timeout=600)
    admin = User.objects.filter(is_superuser=True).first() or User.objects.get(username="admin")
    print(json.dumps(measure_segments(admin), ensure_ascii=False, indent=1))
