"""E-mails that carry a one-time link to set a password: an invitation or a reset.

The link holds Django's password-reset token: it works once (setting the password changes
the hash the token is made from) and expires after ``PASSWORD_RESET_TIMEOUT`` (3 days).
Each e-mail is written in the recipient's own language. It goes through Django's mail
backend at once: these are for staff, and an admin who asked wants to know it left.
"""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from samphan.accounts.models import User

logger = logging.getLogger(__name__)


def password_link(*, user: User, base_url: str) -> str:
    """The one-time address where ``user`` sets a password; ``base_url`` is the site's
    address as the asker reached it (``https://crm.example.co.th``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def password_link_send(*, user: User, base_url: str, invitation: bool) -> bool:
    """Send the invitation or reset e-mail; False when the mail server refused it (logged)."""
    kind = "invitation" if invitation else "password_reset"
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "name": user.get_full_name() or user.username,
            "link": password_link(user=user, base_url=base_url),
            "login_url": base_url.rstrip("/") + reverse("login"),
            "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
        }
        subject = " ".join(render_to_string(f"registration/{kind}_subject.txt", context).split())
        body = render_to_string(f"registration/{kind}_email.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    try:
        message.send()
    except Exception:  # any transport failure: the caller tells the admin, nothing half-done
        logger.exception("Could not send the %s e-mail to user %s", kind, user.pk)
        return False
    return True
