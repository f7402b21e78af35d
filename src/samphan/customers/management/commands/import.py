# ruff: noqa: N999  (the command is `samphan import`, as issue 21 names it)
"""``samphan import FILE --mapping NAME_OR_JSON``: a customer import run here and now,
ending with its report (the worker runs the same job for the pages and the API)."""

import json
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samphan.accounts.models import User
from samphan.customers.imports.jobs import import_job_create, import_job_run
from samphan.customers.models import ImportMapping


class Command(BaseCommand):
    help = "Import customers from a CSV, XLSX or vCard file and print the report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--mapping",
            required=True,
            help='a saved mapping\'s name, or JSON {"0": "first_name", "1": "mobile", ...}',
        )
        parser.add_argument(
            "--policy", choices=ImportMapping.Policy.values, help="what a matching row does"
        )
        parser.add_argument("--user", help="the importer (default: the first admin)")
        parser.add_argument("--encoding")
        parser.add_argument("--sheet")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = self._user(options["user"])
        mapping, policy = self._mapping(options["mapping"], actor)
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            job = import_job_create(
                actor=actor,
                data=data,
                file_name=path.name,
                mapping=mapping,
                policy=options["policy"] or policy,
                encoding=options["encoding"],
                sheet=options["sheet"],
                enqueue=False,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        job = import_job_run(job)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{job.file_name}: {job.status}. {job.total_rows:,} rows: "
            f"{job.created_count:,} created, {job.updated_count:,} updated, "
            f"{job.skipped_count:,} skipped, {job.failed_count:,} failed "
            f"({seconds:.1f} s, {job.total_rows / max(seconds, 1e-9):,.0f} rows/s)."
        )
        for failed in job.failed.all()[:20]:
            self.stdout.write(f"  line {failed.line} {failed.column}: {failed.reason}")
        if job.failed_count:
            self.stdout.write(
                f"Failed rows: GET /api/v1/imports/{job.pk}/failed.csv (import {job.pk})."
            )
        if job.error:
            raise CommandError(job.error)

    def _user(self, username: str | None) -> User:
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if user is None:
            raise CommandError(f"No active user {username or '(superuser)'}; give --user.")
        return user

    def _mapping(self, text: str, actor: User) -> tuple[dict[int, str | None], str]:
        if text.lstrip().startswith("{"):
            try:
                raw = json.loads(text)
                return {int(k): v for k, v in raw.items()}, ImportMapping.Policy.SKIP
            except (ValueError, AttributeError) as error:
                raise CommandError(f"--mapping: not a mapping: {error}") from error
        saved = ImportMapping.objects.filter(name=text).order_by(
            "-updated_at"
        )  # the importer's own first
        chosen = saved.filter(owner=actor).first() or saved.first()
        if chosen is None:
            raise CommandError(f"--mapping: no saved mapping named {text!r}")
        return {int(k): v for k, v in chosen.mapping.items()}, chosen.existing_policy
