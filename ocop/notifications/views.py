"""The inbox: a user's notifications, newest first, and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from ocop.notifications import actions
from ocop.notifications.models import Notification

PAGE_SIZE = 25


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.for_user(request.user)
    if request.GET.get("show") == "unread":
        notifications = notifications.unread()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": "unread" if request.GET.get("show") == "unread" else "all",
        "unread_total": Notification.objects.for_user(request.user).unread().count(),
    }
    return render(request, "notifications/inbox.html", context)


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with `open`, go on to what it links to."""
    # Another user's notification is "not found": its existence is not revealed.
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    actions.mark_read(notification)
    if request.POST.get("open") and notification.link:
        return redirect(notification.link)
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.mark_all_read(request.user)
    return redirect("notifications:inbox")
