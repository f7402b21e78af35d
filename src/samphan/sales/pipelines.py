"""The default pipeline: the seed article's stages, in Thai and English.

Created after migrations (``post_migrate``) when no pipeline exists, so a new install,
and a test database that was flushed, always has one to put deals in.
"""

from typing import Any

from django.db import transaction

from samphan.sales.models import Pipeline, Stage

SEED_STAGES = [
    ("สนใจ", "Interested", 10, Stage.Outcome.OPEN),
    ("นำเสนอสินค้า", "Presented", 25, Stage.Outcome.OPEN),
    ("เสนอราคา", "Quoted", 50, Stage.Outcome.OPEN),
    ("ต่อรอง", "Negotiation", 75, Stage.Outcome.OPEN),
    ("ปิดการขายได้", "Won", 100, Stage.Outcome.WON),
    ("ไม่สำเร็จ", "Lost", 0, Stage.Outcome.LOST),
]


@transaction.atomic
def pipeline_ensure_default(**_signal_kwargs: Any) -> None:
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name="การขายหลัก", name_en="Sales", is_default=True)
    Stage.objects.bulk_create(
        Stage(
            pipeline=pipeline,
            name=name,
            name_en=name_en,
            probability=probability,
            outcome=outcome,
            position=position,
        )
        for position, (name, name_en, probability, outcome) in enumerate(SEED_STAGES)
    )
