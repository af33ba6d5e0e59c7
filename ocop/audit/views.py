from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ocop.audit import actions
from ocop.audit.forms import AuditFilterForm
from ocop.audit.models import AuditEvent, BreakReason, may_browse


def audit_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; signed-in users other than administrators get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_browse(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@audit_admin_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    events = actions.filter_events(AuditEvent.objects.for_user(request.user), filters)
    page = Paginator(events, actions.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "last_check": actions.latest_check(),
    }
    return render(request, "audit/event_list.html", context)


@require_GET
@audit_admin_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent.objects.for_user(request.user), pk=pk)
    context = {
        "event": event,
        "rows": actions.comparison(event),
        "hash_matches": event.compute_hash() == event.hash,
    }
    return render(request, "audit/event_detail.html", context)


@require_POST
@audit_admin_required
def verify(request: HttpRequest) -> HttpResponse:
    check = actions.verify(request.user)
    if check.ok:
        messages.success(request, _("The audit chain is intact: %(count)d rows verified.") % {"count": check.checked})
    else:
        messages.error(
            request,
            _("The audit chain is broken at row %(row)d. %(reason)s")
            % {"row": check.broken_at, "reason": BreakReason(check.reason).label},
        )
    return redirect("audit:list")


@require_GET
@audit_admin_required
def export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    events = actions.filter_events(AuditEvent.objects.for_user(request.user), filters)
    response = StreamingHttpResponse(actions.export_csv(events, filters), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
