from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from samphan.core.http import Request
from samphan.core.models import Notification
from samphan.core.notifications import notifications_mark_read, unread_count


@login_required
def notification_list(request: Request) -> HttpResponse:
    """The latest 50 notifications; opening the list marks them read."""
    items = list(Notification.objects.filter(user=request.user)[:50])
    notifications_mark_read(user=request.user)
    return render(request, "notifications.html", {"items": items})


@login_required
def notification_badge(request: Request) -> HttpResponse:
    """The unread count beside "Notifications", loaded by HTMX so pages keep their queries."""
    return render(request, "_notification_badge.html", {"unread": unread_count(request.user)})
