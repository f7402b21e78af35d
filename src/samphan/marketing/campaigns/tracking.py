"""Tracking what recipients do: the links in a message lead through us (a click), an
e-mail carries a pixel (an opening); both are signed with the recipient's id, and each is
recorded once."""

from collections.abc import Callable

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks

from samphan.core.shop import shop_profile
from samphan.marketing.campaigns.messages import URL, message_for, values_for
from samphan.marketing.models import Recipient

_tracking = signing.Signer(salt="samphan.marketing.tracking")


def tracking_token(recipient_id: int) -> str:
    return _tracking.sign(str(recipient_id))


def recipient_of(token: str) -> int | None:
    try:
        return int(_tracking.unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def tracker(recipient_id: int) -> tuple[Callable[[str], str], list[str]]:
    """What ``messages.render`` gives each link written in the template: it keeps the link
    in the list returned (recorded with the recipient) and returns a tracked link to it."""
    links: list[str] = []
    token = tracking_token(recipient_id)
    public_url = shop_profile().public_url

    def swap(link: str) -> str:
        links.append(link)
        return public_url + reverse("campaign_click", args=[token, len(links) - 1])

    return swap, links


def html_of(text: str, recipient_id: int) -> str:
    """The HTML part of an e-mail: the text in paragraphs, its tracked links clickable (a
    value that reads like a URL stays text), and a pixel that says the message was opened
    (when the mail app loads images)."""
    public_url = shop_profile().public_url
    token = tracking_token(recipient_id)
    ours = public_url + reverse("campaign_click", args=[token, 0]).removesuffix("0/")
    body = linebreaks(escape(text))
    body = URL.sub(
        lambda match: (
            f'<a href="{match.group(0)}">{match.group(0)}</a>'
            if match.group(0).startswith(escape(ours))
            else match.group(0)
        ),
        body,
    )
    pixel = public_url + reverse("campaign_open", args=[token])
    return f'<div lang="th">{body}</div><img src="{pixel}" width="1" height="1" alt="">'


def link_of(recipient: Recipient, index: int) -> str | None:
    """The ``index``th link written in the template of the message this recipient was
    sent, as recorded when it was sent, or None (no such link: never a value of theirs)."""
    links = recipient.links
    if links is None:
        # Sent before the links were recorded: the template's links, filled for them again.
        if recipient.variant is None:
            return None
        swap, links = tracker(recipient.pk)
        message_for(
            recipient.customer,
            recipient.variant,
            values_for(recipient.customer, with_product=False),
            swap,
        )
    return links[index] if 0 <= index < len(links) else None


def recipient_open(token: str) -> None:
    """The e-mail's pixel was loaded: the first time marks the recipient as having opened
    it (a bad token changes nothing)."""
    recipient_id = recipient_of(token)
    if recipient_id is not None:
        Recipient.objects.filter(pk=recipient_id, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )


def recipient_click(token: str, index: int) -> str | None:
    """A tracked link was followed: marks the click (and the opening it implies) and
    returns where it leads, from the message sent, never from the request (so it is no
    open redirect); None for a bad token or link."""
    recipient_id = recipient_of(token)
    recipient = (
        Recipient.objects.select_related("customer", "variant").filter(pk=recipient_id).first()
        if recipient_id is not None
        else None
    )
    target = link_of(recipient, index) if recipient else None
    if recipient is None or target is None:
        return None
    now = timezone.now()
    Recipient.objects.filter(pk=recipient.pk, clicked_at__isnull=True).update(clicked_at=now)
    Recipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(opened_at=now)
    return target
