"""Real servers on loopback for the messaging tests (and the benchmark): an SMTP server
(aiosmtpd) that keeps what it receives, and an HTTP server that records each request and
answers what the test says."""

import email
import email.policy
import json
import socket
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Handler:
    def __init__(self, inbox: "SmtpInbox") -> None:
        self.inbox = inbox

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        reply = self.inbox.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.inbox.keep_raw_only:
            self.inbox.raw_ids.append(_message_id(envelope.content))
            return "250 Message accepted"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.inbox.lock:
            self.inbox.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"


def _message_id(content: bytes) -> str:
    """The Message-ID header, read without parsing the whole message (fast, for counts)."""
    start = content.find(b"\nMessage-ID: ")
    if start < 0:
        start = content.find(b"Message-ID: ")
        start = start - 1 if start == 0 else start
    end = content.find(b"\n", start + 1)
    return content[start + 13 : end].strip().decode()


class SmtpInbox:
    """``with SmtpInbox() as inbox``: a server on 127.0.0.1:``inbox.port``. ``refuse`` maps
    a recipient to the reply that refuses it (``"550 5.1.1 No such user"``)."""

    def __init__(self, *, keep_raw_only: bool = False) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.raw_ids: list[str] = []
        self.refuse: dict[str, str] = {}
        self.keep_raw_only = keep_raw_only
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpInbox":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode(), strict_parsing=True))


@dataclass
class HttpRecorder:
    """``with HttpRecorder(answer) as server``: records every request at
    ``server.url``; ``answer(request)`` gives (status, JSON body)."""

    answer: Callable[[Recorded], tuple[int, Any]] = lambda request: (200, {"id": "ok"})
    requests: list[Recorded] = field(default_factory=list)

    def __enter__(self) -> "HttpRecorder":
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Recorded(
                    "POST", self.path, {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )  # fmt: skip
                recorder.requests.append(request)
                status, body = recorder.answer(request)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
