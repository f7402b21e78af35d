"""A real IMAP server on loopback for tests: Debian's Dovecot (``dovecot-imapd``) with one
mailbox, everything it writes (config, mail, sockets, log) in a temporary folder.

``python -m tests.support.imap_server`` checks it works on this machine."""

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.messaging.servers import free_port

DOVECOT = "/usr/sbin/dovecot"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = {root}/passwd
}}
# Chroot is hardening a test server can do without, and a non-root user cannot chroot.
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class ImapServer:
    """``with ImapServer() as imap``: Dovecot on 127.0.0.1:``imap.port`` with one mailbox
    (``imap.user``, ``imap.password``), plain IMAP (no TLS), its mail in a temporary dir."""

    def __init__(self) -> None:
        self.port = free_port()
        self.user = "inbox@example.com"
        self.password = "imap-test-password"
        self.root = Path(tempfile.mkdtemp(prefix="samphan-imap."))
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "ImapServer":
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            # The whole session at once, not a graceful SIGTERM: that costs a fixed second
            # (Dovecot 2.3's master sleeps for its log process) and saves nothing we keep.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def _start(self) -> None:
        # As root Dovecot drops to unprivileged users for its processes and the mailbox;
        # as anyone else everything simply runs as that user.
        account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        user, uid, gid = account.pw_name, account.pw_uid, account.pw_gid
        group = grp.getgrgid(gid).gr_name
        (self.root / "mail").mkdir()
        (self.root / "passwd").write_text(
            f"{self.user}:{self.password}:{uid}:{gid}::{self.root}/mail/{self.user}::\n"
        )
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(root=self.root, user=user, group=group, port=self.port)
        )
        # mkdtemp makes the folder 0700: Dovecot's unprivileged processes must get in.
        self.root.chmod(0o755)
        os.chown(self.root / "mail", uid, gid)
        # Its own session (process group), to kill whatever it leaves; what it says before
        # it reads log_path (a bad config) goes to dovecot.out.
        with (self.root / "dovecot.out").open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - Dovecot on our own config
                [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self._wait_ready()

    def _wait_ready(self, timeout: float = 10) -> None:
        """Until the server greets a client (the listener exists before imap-login does)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe,
            ):
                if probe.recv(100).startswith(b"* OK"):
                    return
            time.sleep(0.02)
        raise RuntimeError(f"Dovecot did not start:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        text = ""
        for name in ("dovecot.out", "dovecot.log"):
            with contextlib.suppress(OSError):
                text += (self.root / name).read_text(errors="replace")[-3000:]
        return text

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4]:
        """A logged-in ``imaplib`` client, logged out after."""
        client = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            client.login(self.user, self.password)
            yield client
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            if folder.upper() != "INBOX":
                client.create(folder)  # a NO answer when it exists already
            status, data = client.append(folder, "", None, raw)
            assert status == "OK", data

    def count(self, folder: str = "INBOX", criteria: str = "ALL") -> int:
        with self.client() as client:
            status, data = client.select(folder, readonly=True)  # EXAMINE: leaves \Seen as it is
            assert status == "OK", data
            status, data = client.search(None, criteria)
            assert status == "OK", data
            return len((data[0] or b"").split())


if __name__ == "__main__":
    started = time.monotonic()
    imap = ImapServer()
    with imap:
        print(f"started in {time.monotonic() - started:.3f} s on port {imap.port}")
        for n in (1, 2):
            imap.append(f"From: a@example.com\r\nSubject: test {n}\r\n\r\nbody {n}\r\n".encode())
        client = imaplib.IMAP4("127.0.0.1", imap.port)
        client.login(imap.user, imap.password)
        client.select("INBOX")
        _, found = client.search(None, "UNSEEN")
        first = found[0].split()[0]
        _, fetched = client.fetch(first, "(RFC822)")
        assert isinstance(fetched[0], tuple), fetched
        print("fetched:", fetched[0][1].splitlines()[1])
        client.store(first, "+FLAGS", "\\Seen")
        client.logout()
        counts = (imap.count(), imap.count(criteria="UNSEEN"), imap.count(criteria="SEEN"))
        print("all, unseen, seen:", counts)
        assert counts == (2, 1, 1), counts
        stopping = time.monotonic()
    print(f"stopped in {time.monotonic() - stopping:.3f} s")
    # Dovecot's processes are named anvil, auth, imap…: look in its session. Zombies only
    # wait for init to collect them (as its log process does after a graceful stop too).
    session = str(imap.process.pid if imap.process else 0)
    ps = subprocess.run(["ps", "--sid", session, "-o", "stat=,pid=,args="],  # noqa: S603, S607
                        capture_output=True, text=True, check=False)  # fmt: skip
    left = [line for line in ps.stdout.splitlines() if not line.startswith("Z")]
    print("processes left:", left or "none")
    assert not left, left
