"""Where ``samphan serve`` listens, and the address people reach it at.

Read by the settings (the public URL in messages defaults to the served address) and by
``serve``, so both agree; imports nothing of Django's, since the settings load it.
The order: ``SAMPHAN_BIND`` (``host:port``), else ``SAMPHAN_PORT`` or ``PORT`` on
127.0.0.1, else 127.0.0.1:8000, which ``serve`` may move to the next free port when
another program holds it (the others are what the user asked for, and are kept or fail).
"""

import errno
import socket
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
ANY_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 - read, not bound


@dataclass(frozen=True)
class Bind:
    host: str
    port: int
    chosen: bool  # by the user (an option or the environment), not the default

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The address a browser on this machine opens: a wildcard host is this machine."""
        host = ANY_HOSTS.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"


def bind_parse(text: str, *, chosen: bool = True) -> Bind:
    """``host:port``, ``[v6]:port`` or a bare port; ValueError for anything else."""
    host, separator, port = text.strip().rpartition(":")
    if not separator:
        host, port = DEFAULT_HOST, text.strip()
    if not port.isdigit() or not 0 < int(port) < 65_536:
        raise ValueError(f"{text!r} is not host:port (such as 127.0.0.1:8000)")
    return Bind(host.removeprefix("[").removesuffix("]"), int(port), chosen)


def bind_from_environment(environ: Mapping[str, str]) -> Bind:
    if environ.get("SAMPHAN_BIND"):
        return bind_parse(environ["SAMPHAN_BIND"])
    for name in ("SAMPHAN_PORT", "PORT"):
        if environ.get(name):
            return bind_parse(environ[name])
    return Bind(DEFAULT_HOST, DEFAULT_PORT, chosen=False)


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now (as gunicorn does, with
    SO_REUSEADDR: a port left in TIME_WAIT by the last run counts as free)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def bind_available(bind: Bind, *, tries: int = 100) -> Bind | None:
    """``bind`` if it is free; for the default, the next free port of ``tries``; else None
    (a port the user chose is never moved)."""
    ports = range(bind.port, bind.port + (1 if bind.chosen else tries))
    for port in ports:
        if port < 65_536 and port_free(bind.host, port):
            return Bind(bind.host, port, bind.chosen)
    return None


def listening(bind: Bind, timeout: float = 0.5) -> bool:
    """Whether something accepts connections at ``bind`` (as a browser would reach it)."""
    host = ANY_HOSTS.get(bind.host, bind.host)
    try:
        with socket.create_connection((host, bind.port), timeout=timeout):
            return True
    except OSError:
        return False
