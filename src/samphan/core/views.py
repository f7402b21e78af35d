from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from samphan.core.history import history_lines
from samphan.core.http import Request
from samphan.core.models import AuditEvent, Notification
from samphan.core.notifications import notifications_mark_read, unread_count
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm


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


@login_required
def audit_log(request: Request) -> HttpResponse:
    """The whole audit log, newest first, read-only: who changed what, when (issue 20:
    the user guide promises it to admins and managers, ``core.view_auditevent``).
    ``?customer=<id>`` keeps one customer's rows."""
    require_perm(request.user, "core.view_auditevent")
    events = AuditEvent.objects.select_related("actor")
    customer = request.GET.get("customer", "").strip()
    if customer:
        if not customer.isdigit() or len(customer) > 18:
            return render(
                request,
                "audit_log.html",
                {"page": None, "customer": customer, "error": _("Give a customer number.")},
                status=400,
            )
        events = events.filter(customer_id=int(customer))
    page = paginate(request, events)
    lines = zip(page.object_list, history_lines(page.object_list), strict=True)
    context = {"page": page, "lines": list(lines), "customer": customer}
    return render(request, "audit_log.html", context)
