"""The inbox's queue stored: each open ticket's soonest promise not yet met."""

import datetime as dt

from django.db import migrations, models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce, Least

OPEN = ("new", "open", "pending")
NO_PROMISE = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def fill(apps, schema_editor):
    """In one statement: the earliest running promise of each open ticket (SQLite's MIN()
    and PostgreSQL's LEAST() treat NULL apart, so none reaches them)."""
    last = Value(NO_PROMISE)
    apps.get_model("support", "Ticket").objects.filter(status__in=OPEN).update(
        queue_due=Least(
            Coalesce(
                Case(When(first_responded_at__isnull=True, then=F("first_response_due"))), last
            ),
            Coalesce(F("next_response_due"), last),
            Coalesce(Case(When(solved_at__isnull=True, then=F("resolution_due"))), last),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("support", "0016_ticket_address")]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="queue_due",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["queue_due", "owner", "status"], name="support_ticket_queue"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["solved_at"], name="support_ticket_solved"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
