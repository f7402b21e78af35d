import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = (
        "First-run set-up, safe to repeat: an `admin` user (password from SAMPHAN_ADMIN_PASSWORD "
        "or generated and printed) and demo data when the database has no customers yet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo-customers", type=int, default=2_000)
        parser.add_argument(
            "--no-demo", action="store_true", help="an empty database for a real business"
        )

    def handle(self, *args: object, **options: object) -> None:
        from samphan.customers.models import Customer

        User = get_user_model()
        password = os.environ.get("SAMPHAN_ADMIN_PASSWORD", "")
        with transaction.atomic():
            admin = User.objects.filter(username="admin").first()
            if admin is None:
                password = password or secrets.token_urlsafe(12)
                User.objects.create_superuser("admin", "", password)
                self.stdout.write(f"Created user admin with password: {password}")
            elif password:
                admin.set_password(password)
                admin.save(update_fields=["password"])
                self.stdout.write("Set the admin password from SAMPHAN_ADMIN_PASSWORD.")
            else:
                self.stdout.write("User admin exists; its password is unchanged.")
        if not options["no_demo"] and not Customer.objects.exists():
            call_command(
                "demo",
                customers=options["demo_customers"],
                password=password or None,
                stdout=self.stdout,
                stderr=self.stderr,
            )
