from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samphan.accounts.capabilities import roles_table_in, roles_table_markdown


class Command(BaseCommand):
    help = (
        "Print the roles table (role × capability, accounts/capabilities.py); --write FILE "
        "puts it between FILE's markers, --check FILE fails when FILE is behind the code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", metavar="FILE", help="rewrite the table in FILE")
        parser.add_argument("--check", metavar="FILE", help="exit 1 when FILE's table is stale")

    def handle(self, *args: object, **options: object) -> None:
        target = options["write"] or options["check"]
        if not target:
            self.stdout.write(roles_table_markdown(), ending="")
            return
        path = Path(str(target))
        text = path.read_text(encoding="utf-8")
        try:
            fresh = roles_table_in(text)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from error
        if options["check"]:
            if fresh != text:
                raise CommandError(f"{path}: the roles table is stale; run --write {path}")
            return
        if fresh != text:
            path.write_text(fresh, encoding="utf-8")
        self.stdout.write(f"{path}: roles table written")
