"""A fresh install's ticket tags (docs/support.md); editable afterwards, never overwritten."""

from django.db import migrations

TAGS = ["คืนเงิน", "เปลี่ยนสินค้า", "ของเสียหาย", "ลูกค้าประจำ"]


def defaults(apps, schema_editor):
    TicketTag = apps.get_model("support", "TicketTag")
    if not TicketTag.objects.exists():
        TicketTag.objects.bulk_create(TicketTag(name=name) for name in TAGS)


class Migration(migrations.Migration):
    dependencies = [("support", "0014_ticket_tags")]
    operations = [migrations.RunPython(defaults, migrations.RunPython.noop)]
