"""Campaigns: saving one (checked first) and scheduling it (``services``), the message each
recipient reads (``messages``), the links and pixel that report opening and clicking
(``tracking``), and sending (``sending``).

Sending happens in the worker (``campaigns_run``, every few seconds) in steps that each
commit, so a crash at any point resumes where it stopped and sends nothing twice:

1. the draw: the audience (the segment's active customers, as the campaign's author sees
   them) is split at random, with a seed recorded on the campaign, into a hold-out group
   and the variants by their shares; one ``Recipient`` row each, in one transaction;
2. the queueing, a thousand recipients a transaction: each gets the channel their consent
   allows (or why none), their variant rendered for them in Thai or English, with links
   tracked, and one outbox message whose idempotency key is the campaign's and theirs;
3. the outbox sends the messages (consent checked again at hand-off); the campaign is
   *sent* once none of its messages waits.
"""

from samphan.marketing.campaigns.messages import (
    LINK,
    URL,
    VARIABLE,
    VARIABLES,
    in_english,
    message_for,
    preview_for,
    render,
    says,
    values_for,
)
from samphan.marketing.campaigns.sending import (
    MARKETING,
    QUEUE_CHUNK,
    audience,
    campaigns_run,
    draw,
    queue_pending,
    split,
    test_send,
)
from samphan.marketing.campaigns.services import (
    LABELS,
    campaign_cancel,
    campaign_save,
    campaign_schedule,
)
from samphan.marketing.campaigns.tracking import (
    html_of,
    link_of,
    recipient_click,
    recipient_of,
    recipient_open,
    tracker,
    tracking_token,
)

__all__ = [
    "LABELS",
    "LINK",
    "MARKETING",
    "QUEUE_CHUNK",
    "URL",
    "VARIABLE",
    "VARIABLES",
    "audience",
    "campaign_cancel",
    "campaign_save",
    "campaign_schedule",
    "campaigns_run",
    "draw",
    "html_of",
    "in_english",
    "link_of",
    "message_for",
    "preview_for",
    "queue_pending",
    "recipient_click",
    "recipient_of",
    "recipient_open",
    "render",
    "says",
    "split",
    "test_send",
    "tracker",
    "tracking_token",
    "values_for",
]
