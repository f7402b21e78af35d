from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from samphan.core.background import Loops
from samphan.core.checkpoints import Checkpointer


class Command(BaseCommand):
    help = (
        "Run the background task worker (django-tasks-db's db_worker) and the apps' "
        "repeated work (such as keeping the dashboard's figures fresh); on SQLite it also "
        "checkpoints the write-ahead log, so web requests do not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="*")

    def handle(self, *args: object, **options: object) -> None:
        checkpointer = Checkpointer().start()
        loops = Loops().start()
        try:
            call_command("db_worker", queue_name=options["queue_name"])
        finally:
            loops.stop()
            checkpointer.stop()
