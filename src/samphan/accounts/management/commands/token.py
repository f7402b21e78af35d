from django.core.management.base import BaseCommand, CommandError, CommandParser

from samphan.accounts.models import ApiToken, User
from samphan.accounts.services import token_create


class Command(BaseCommand):
    help = "Manage personal API tokens: `samphan token create USERNAME` prints a new token."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="command line")
        create.add_argument(
            "--days",
            type=int,
            default=ApiToken.DEFAULT_LIFETIME,
            help=f"expire after N days (default {ApiToken.DEFAULT_LIFETIME})",
        )
        create.add_argument("--no-expiry", action="store_true", help="a token that never expires")

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        days = options["days"]
        if days is not None and int(str(days)) <= 0:
            raise CommandError("--days must be a positive number of days.")
        raw = token_create(
            user=user,
            name=str(options["name"]),
            expires_in_days=None if options["no_expiry"] else int(str(days)),
        )
        self.stdout.write(raw)
