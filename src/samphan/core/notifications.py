"""In-app notifications: written by services, shown by a badge and a list."""

from django.utils import timezone

from samphan.core.http import User
from samphan.core.models import Notification


def notify(*, user: User | None, text: str, url: str = "") -> Notification | None:
    """Tell ``user`` something; nobody (None, or a deactivated user) is told nothing."""
    if user is None or not getattr(user, "is_active", False):
        return None
    return Notification.objects.create(user=user, text=text[:300], url=url[:300])


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
