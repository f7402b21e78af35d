import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samphan.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load deterministic Thai demo data: customers, companies, contacts, timeline, users, "
        "products, three years of orders, deals, leads and quotations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--password", default=None, help="password for the demo users")
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
            f"{result.order_lines:,} lines, {result.deals:,} deals, {result.leads:,} leads and "
            f"{result.quotes:,} quotations in {result.seconds:.1f} s "
            f"({result.customers / max(result.seconds, 1e-6):,.0f} customers/s). "
            f"Demo users: {', '.join(result.users)}."
        )
