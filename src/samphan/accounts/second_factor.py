"""Two-step sign-in: who must use it, and where a login stands until they have.

A login records in the session where it stands (``SESSION_KEY``): ``done`` (no second
factor needed, or given), ``verify`` (the user has an authenticator: ask for a code) or
``setup`` (the user must have one and has none yet). ``SecondFactorMiddleware`` keeps a
session in ``verify`` or ``setup`` on those pages alone. Deciding once at login keeps every
other request free of queries; a session from before this existed is decided on its first
request."""

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from samphan.accounts.models import Role, User

SESSION_KEY = "samphan_second_factor"
DONE, VERIFY, SETUP = "done", "verify", "setup"
REQUIRED_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


def required_for(user: User) -> bool:
    """Administrators and managers must use a second factor, unless the installation
    turned the rule off (SAMPHAN_TWO_FACTOR_REQUIRED=0)."""
    if not settings.SAMPHAN_TWO_FACTOR_REQUIRED:
        return False
    return user.is_superuser or bool(REQUIRED_ROLES.intersection(user.role_names()))


def has_authenticator(user: User) -> bool:
    found: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return found


def state_for(user: User) -> str:
    if has_authenticator(user):
        return VERIFY
    return SETUP if required_for(user) else DONE


def on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """``user_logged_in``: a fresh login starts unverified."""
    session: SessionBase | None = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = state_for(user)


def recovery_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user).first()
    left: int = device.token_set.count() if device else 0
    return left
