import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from samphan.accounts.models import Role
from samphan.demo.loader import load_demo
from samphan.demo.staff import DemoUser


class Command(BaseCommand):
    help = (
        "Load deterministic Thai demo data: customers, companies, contacts, timeline, users, "
        "products, three years of orders, deals, leads and quotations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--password",
            default=None,
            help="one password for the new demo staff (default: each gets its own, printed once)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: object, **options: object) -> None:
        count = int(str(options["customers"]))
        if count < 0:
            raise CommandError("--customers must be zero or more.")
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-6)
            filled = 30 * done // max(total, 1)
            self.stderr.write(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} customers ({rate:,.0f}/s)",
                ending="\n" if done == total else "",
            )

        result = load_demo(
            customers=count,
            seed=int(str(options["seed"])),
            password=str(options["password"]) if options["password"] else None,
            progress=None if options["quiet"] else progress,
        )
        self.stdout.write(
            f"Loaded {result.customers:,} customers, {result.contact_points:,} contact points, "
            f"{result.interactions:,} interactions, {result.orders:,} orders with "
            f"{result.order_lines:,} lines, {result.deals:,} deals, {result.leads:,} leads, "
            f"{result.quotes:,} quotations and {result.tickets:,} support tickets in "
            f"{result.seconds:.1f} s "
            f"({result.customers / max(result.seconds, 1e-6):,.0f} customers/s)."
        )
        self.stdout.write(staff_table(result.users))


def staff_table(staff: list[DemoUser]) -> str:
    """The demo staff, one a line: username, role and the password of each account made
    now (shown this once; Samphan keeps only a hash)."""
    lines = ["Demo staff (username, role, password):"]
    with translation.override("en"):  # a terminal: column widths hold for Latin text
        for member in staff:
            password = member.password or "(unchanged: the account existed)"
            lines.append(f"  {member.username:<10} {Role.label(member.role):<20} {password}")
    return "\n".join(lines)
