"""The public home page and the per-role dashboard.

The error pages (403/404/500.html) are rendered by Django's default handlers;
500.html needs no request context, since whatever failed may fail again.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ocop.front.dashboards import dashboard_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "front/home.html", {"demo": settings.DEMO_MODE})


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = dashboard_for(request.user)
    context["role"] = request.user.role
    return render(request, "front/dashboard.html", context)
