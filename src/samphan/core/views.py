import posixpath
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.static import serve

from samphan.core.models import Notification
from samphan.core.notifications import notifications_mark_read, unread_count
from samphan.customers.models import Customer
from samphan.customers.queries import photo_visible_to
from samphan.customers.timeline import latest_activity

# Where Customer.photo uploads go (its upload_to, "photos/%Y/%m/").
CUSTOMER_PHOTOS = "photos/"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page of users who do not see sales: counts and latest activity (the
    insights dashboard, for the others, shows the same beside its figures)."""
    return render(request, "home.html", home_context(request.user))


def home_context(user: Any) -> dict[str, Any]:
    return {"counts": customer_counts(user), "recent": latest_activity(user)}


def customer_counts(user: Any) -> dict[str, int]:
    visible = Customer.objects.visible_to(user).active()
    return {
        "people": visible.people().count(),
        "companies": visible.companies().count(),
        "vip": visible.filter(is_vip=True).count(),
    }


@login_required
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files are personal data: never public, and a customer's photo only for
    those who may see that customer (anything else is a 404, as for the customer page)."""
    # The name as serve() will resolve it, so "x/../photos/…" cannot skip the check;
    # compared case-blind for file systems that are ("PHOTOS/…" on a Mac).
    name = posixpath.normpath(path).lstrip("/")
    if name.casefold().startswith(CUSTOMER_PHOTOS) and not photo_visible_to(request.user, name):
        raise Http404
    # Any other folder (none yet; product images later) is served to every logged-in
    # user: give it its own check here when it holds personal data.
    response = serve(request, name, document_root=str(settings.MEDIA_ROOT))
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The latest 50 notifications; opening the list marks them read."""
    items = list(Notification.objects.filter(user=request.user)[:50])  # type: ignore[misc]
    notifications_mark_read(user=request.user)
    return render(request, "notifications.html", {"items": items})


@login_required
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The unread count beside "Notifications", loaded by HTMX so pages keep their queries."""
    return render(request, "_notification_badge.html", {"unread": unread_count(request.user)})
