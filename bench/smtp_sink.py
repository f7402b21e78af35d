"""An SMTP server on loopback that counts what it receives, in a process of its own (so
the sender measured does not share its interpreter): ``python bench/smtp_sink.py PORT``
prints "ready", then the number of messages received when it gets SIGTERM."""

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Counting:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.received += 1
        return "250 Message accepted"


def main(port: int) -> None:
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    print(handler.received, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
