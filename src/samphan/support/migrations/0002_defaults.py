"""A fresh install's support settings: the business's hours (Monday to Friday, 09:00-18:00,
closed on Thai public holidays), one SLA policy per priority, and five categories
(docs/support.md). Editable afterwards; never overwritten."""

import datetime as dt

from django.db import migrations

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
HOUR = 60
DAY = 9 * HOUR  # a working day of the default hours
# priority: first response, next response, resolution (working minutes)
POLICIES = {
    "urgent": (30, HOUR, 4 * HOUR),
    "high": (HOUR, 2 * HOUR, DAY),
    "normal": (4 * HOUR, 4 * HOUR, 3 * DAY),
    "low": (DAY, DAY, 5 * DAY),
}
CATEGORIES = [
    ("สอบถามข้อมูล", "Question"),
    ("ปัญหาสินค้า", "Product problem"),
    ("การจัดส่ง", "Delivery"),
    ("การชำระเงิน", "Billing"),
    ("ร้องเรียน", "Complaint"),
]


def defaults(apps, schema_editor):
    Schedule = apps.get_model("support", "Schedule")
    SlaPolicy = apps.get_model("support", "SlaPolicy")
    Category = apps.get_model("support", "Category")
    if not Schedule.objects.filter(team__isnull=True).exists():
        hours = {}
        for day in WEEKDAYS:
            hours[f"{day}_opens"], hours[f"{day}_closes"] = dt.time(9), dt.time(18)
        Schedule.objects.create(name="เวลาทำการ / Business hours", **hours)
    for priority, (first, following, resolution) in POLICIES.items():
        SlaPolicy.objects.get_or_create(
            priority=priority,
            tier="",
            defaults={
                "first_response_minutes": first,
                "next_response_minutes": following,
                "resolution_minutes": resolution,
            },
        )
    for name, name_en in CATEGORIES:
        Category.objects.get_or_create(name=name, defaults={"name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(defaults, migrations.RunPython.noop)]
