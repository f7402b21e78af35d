"""Databases of a test's own for tests that run Samphan as real processes (issue 22).

- ``Scratch``: a new database on the PostgreSQL server ``DATABASE_URL`` names (as
  ``scripts/with-postgres.sh`` sets it), or a SQLite file when there is none, with a
  ``SAMPHAN_VAR_DIR`` of its own and the environment a ``samphan`` process needs. Empty, or
  migrated: the schema is migrated ONCE per test process into a template and each
  migrated scratch database is a copy of it (``CREATE DATABASE … TEMPLATE``; SQLite: the
  file copied), and the static files collected once per process are linked in.
- ``Cluster`` and the ``cluster`` fixture: a throwaway PostgreSQL cluster of the test's own,
  for a test that stops and starts its database. The same steps as
  ``scripts/with-postgres.sh`` (which CI runs before Python is set up): initdb as the
  ``postgres`` OS user, trust on 127.0.0.1, a free port, no fsync."""

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_env(var_dir: Path, database_url: str = "") -> dict[str, str]:
    """The environment of a ``samphan`` process on ``var_dir`` (and ``database_url``, else
    the SQLite file in it), with production's settings."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samphan.settings",
           "SAMPHAN_VAR_DIR": str(var_dir), "DEBUG": "0"}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def samphan(env: dict[str, str], *args: str) -> str:
    """``python -m samphan ARGS`` (``-m module ARGS`` when the first is ``-m``); its output."""
    command = list(args) if args[0] == "-m" else ["-m", "samphan", *args]
    done = subprocess.run([sys.executable, *command], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, check=False, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class _Once:
    """The process's migrated template database and collected static files, each made on
    first need (both at once when both are needed) and reused by every test after."""

    template: Path | None = None  # its var folder (SQLite: the file in it)
    static: Path | None = None
    name = f"samphan_template_{os.getpid()}"

    @classmethod
    def made(cls, server: str, *, migrated: bool, static: bool) -> None:
        runs = []
        if migrated and cls.template is None:
            folder = Path(tempfile.mkdtemp(prefix="samphan-template."))
            atexit.register(shutil.rmtree, folder, True)
            url = ""
            if server:
                with psycopg.connect(server, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{cls.name}"')
                atexit.register(_drop, server, cls.name)
                url = server.rsplit("/", 1)[0] + "/" + cls.name
            runs.append((folder, "template", process_env(folder, url), ["migrate", "-v0"]))
        if static and cls.static is None:
            folder = Path(tempfile.mkdtemp(prefix="samphan-static."))
            atexit.register(shutil.rmtree, folder, True)
            runs.append((folder, "static", process_env(folder),
                         ["collectstatic", "--noinput", "-v0"]))  # fmt: skip
        started = [(folder, kind, subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "samphan", *args], env=env, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )) for folder, kind, env, args in runs]  # fmt: skip
        for folder, kind, run in started:
            output = run.communicate(timeout=600)[0]
            assert run.returncode == 0, output[-3000:]
            setattr(cls, kind, folder if kind == "template" else folder / "static")


def static_linked(var_dir: Path) -> None:
    """``var_dir/static``: the static files collected once per process, hard-linked in
    (production's settings serve them from the manifest)."""
    _Once.made("", migrated=False, static=True)
    assert _Once.static is not None
    shutil.copytree(_Once.static, var_dir / "static", copy_function=os.link)


def _drop(server: str, name: str) -> None:
    with contextlib.suppress(psycopg.Error), psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Scratch:
    """A database of the test's own (see the module's text); ``drop()`` when done."""

    def __init__(self, folder: Path, *, migrated: bool = False, static: bool = False,
                 prefix: str = "samphan_t") -> None:  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.server = os.environ.get("DATABASE_URL", "")
        self.path = folder / "samphan.sqlite3"
        self.name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.url = ""
        _Once.made(self.server, migrated=migrated, static=static)
        if self.server:
            copy = f' TEMPLATE "{_Once.name}"' if migrated else ""
            with psycopg.connect(self.server, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"{copy}')
            self.url = self.server.rsplit("/", 1)[0] + "/" + self.name
        elif migrated:
            assert _Once.template is not None
            with contextlib.closing(sqlite3.connect(_Once.template / "samphan.sqlite3")) as source, \
                    contextlib.closing(sqlite3.connect(self.path)) as target:  # fmt: skip
                source.backup(target)
            self.path.chmod(0o600)
        if static:
            static_linked(folder)
        self.env = process_env(folder, self.url)

    def manage(self, *args: str) -> str:
        return samphan(self.env, *args)

    def query(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``statement`` (``?`` placeholders) on this database."""
        if self.url:
            with psycopg.connect(self.url) as connection:
                sql = statement.replace("?", "%s")
                return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as connection:
            return connection.execute(statement, params).fetchall()

    def drop(self) -> None:
        if self.url:
            _drop(self.server, self.name)


def postgres_bin() -> Path | None:
    for folder in ("/usr/local/bin", "/usr/lib/postgresql/15/bin", *sorted(
            str(p.parent) for p in Path("/usr/lib/postgresql").glob("*/bin/initdb"))):  # fmt: skip
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


@dataclass
class Cluster:
    bin: Path
    folder: Path
    port: int
    user: str | None  # the OS user that runs it (None: this one)

    def run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run(  # noqa: S603 - PostgreSQL's own programs
            [*prefix, *command], check=True, capture_output=True, timeout=60
        )

    def start(self) -> None:
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c full_page_writes=off"
            " -c synchronous_commit=off -c max_connections=200"
        )
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                 str(self.folder / "server.log"), "-w", "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop"
        )

    def sql(self, statement: str) -> None:
        psql = self.bin / "psql" if (self.bin / "psql").exists() else shutil.which("psql")
        self.run(str(psql), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                 "postgres", "-v", "ON_ERROR_STOP=1", "-qc", statement)  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A cluster of the test's own, started; stopped and removed after it."""
    found = postgres_bin()
    if found is None or not ((found / "psql").exists() or shutil.which("psql")):
        pytest.skip("PostgreSQL's binaries (initdb, pg_ctl, psql) are not installed")
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = "postgres" if shutil.which("runuser") and _user_exists("postgres") else None
        if user is None:
            pytest.skip("running as root without a 'postgres' user to run the cluster")
    folder = Path(tempfile.mkdtemp(prefix="samphan-pgown."))
    if user:
        shutil.chown(folder, user)
    made = Cluster(found, folder, free_port(), user)
    try:
        made.run(str(found / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "-A",
                 "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        made.start()
        yield made
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            made.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
