"""The worker reads the support mailbox by IMAP every SAMPHAN_IMAP_EVERY seconds (when
SAMPHAN_IMAP_HOST is set): each unread mail is recorded (``mailin``) and then marked read,
so a mail is marked only once it is safely in the database. A database outage stops the
round with the mail still unread; a mail that cannot be read at all is flagged and marked
read, for a person to look at in the mailbox, rather than tried for ever."""

import imaplib
import logging

from django.conf import settings
from django.db import DatabaseError

from samphan.support.mailin import mail_receive

logger = logging.getLogger(__name__)

BATCH = 200  # mails a round; the rest wait for the next
TIMEOUT = 30  # seconds for the server to answer


def imap_poll() -> int:
    """One round; how many mails were read."""
    if not settings.SAMPHAN_IMAP_HOST:
        return 0
    connect = imaplib.IMAP4_SSL if settings.SAMPHAN_IMAP_SSL else imaplib.IMAP4
    with connect(settings.SAMPHAN_IMAP_HOST, settings.SAMPHAN_IMAP_PORT, timeout=TIMEOUT) as client:
        client.login(settings.SAMPHAN_IMAP_USER, settings.SAMPHAN_IMAP_PASSWORD)
        client.select(settings.SAMPHAN_IMAP_FOLDER)
        _status, found = client.uid("SEARCH", "UNSEEN")
        uids = found[0].split()[:BATCH] if found and found[0] else []
        for uid in uids:
            _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
            flags = "(\\Seen)"
            if raw is None:
                continue
            try:
                result = mail_receive(raw)
            except DatabaseError:
                raise  # left unread: the next round tries it again
            except Exception:  # a mail this code cannot read: flagged for a person
                logger.exception("mail-in: IMAP uid %s could not be read", uid.decode())
                flags = "(\\Seen \\Flagged)"
            else:
                logger.info("mail-in: IMAP uid %s %s", uid.decode(), result)
            client.uid("STORE", uid, "+FLAGS", flags)
        client.logout()
    return len(uids)
