import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from samphan.accounts.models import Role
from samphan.customers.models import Customer
from samphan.frontdesk.services import alert_rules_default_create


class Command(BaseCommand):
    help = (
        "First-run set-up, safe to repeat: an `admin` user (password from SAMPHAN_ADMIN_PASSWORD "
        "or generated and printed), the default alert rules (a VIP arrives, a birthday today) "
        "once, and demo data when the database has no customers yet; each demo staff account "
        "gets its own password (SAMPHAN_DEMO_PASSWORD, or generated), printed once beside its "
        "username and role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo-customers", type=int, default=2_000)
        parser.add_argument(
            "--no-demo", action="store_true", help="an empty database for a real business"
        )

    def handle(self, *args: object, **options: object) -> None:
        user_model = get_user_model()
        password = os.environ.get("SAMPHAN_ADMIN_PASSWORD", "")
        with transaction.atomic():
            admin = user_model.objects.filter(username="admin").first()
            if admin is None:
                password = password or secrets.token_urlsafe(12)
                admin = user_model.objects.create_superuser("admin", "", password)
                # The admin role too, so the Users page names it like any other administrator.
                admin.groups.add(*Group.objects.filter(name=Role.ADMIN))
                self.stdout.write(f"Created user admin with password: {password}")
            elif password:
                admin.set_password(password)
                admin.save(update_fields=["password"])
                self.stdout.write("Set the admin password from SAMPHAN_ADMIN_PASSWORD.")
            else:
                self.stdout.write("User admin exists; its password is unchanged.")
        created = alert_rules_default_create()
        if created:
            names = ", ".join(rule.name for rule in created)
            self.stdout.write(f"Created the default alert rules (all staff see them): {names}.")
        if not options["no_demo"] and not Customer.objects.exists():
            call_command(
                "demo",
                customers=options["demo_customers"],
                password=os.environ.get("SAMPHAN_DEMO_PASSWORD") or None,
                stdout=self.stdout,
                stderr=self.stderr,
            )
