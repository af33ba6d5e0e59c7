"""Public pages of the rules: rulebooks and criteria sheets are public law, readable without an account.

And the offices' screen for a province's own council rules (`CouncilRuleOverride`), scoped in `querysets`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ocop.geo.models import AdminUnit
from ocop.lib import clock
from ocop.rules.forms import CouncilRuleOverrideForm
from ocop.rules.models import CouncilRuleOverride, council_rules
from ocop.rules.querysets import council_rule_overrides, may_keep_council_rules, may_keep_every_province
from ocop.rules.rulebooks import (
    Rulebook,
    UnknownRulebook,
    all_rulebooks,
    current_rulebook,
    get_rulebook,
    rulebook_for,
)
from ocop.rules.sheets import Sheet

OVERRIDE_PAGE_SIZE = 50


def _rulebook(code: str) -> Rulebook:
    try:
        return get_rulebook(code)
    except UnknownRulebook:
        raise Http404(code) from None


def _sheet(rulebook: Rulebook, number: int) -> Sheet:
    sheet = rulebook.sheet(number)
    if sheet is None:
        raise Http404(f"{rulebook.code} sheet {number}")
    return sheet


def _download(data: object, filename: str) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1}, safe=False)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def rulebook_list(request: HttpRequest) -> HttpResponse:
    current = rulebook_for(clock.today())
    return render(request, "rules/rulebook_list.html", {"rulebooks": all_rulebooks(), "current": current})


@require_safe
def rulebook_detail(request: HttpRequest, code: str) -> HttpResponse:
    rulebook = _rulebook(code)
    if code != rulebook.code:  # an alias: one address per rulebook
        return redirect("rules:rulebook_detail", code=rulebook.code, permanent=True)
    return render(request, "rules/rulebook_detail.html", {"rulebook": rulebook})


@require_safe
def sheet_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    rulebook = _rulebook(code)
    if code != rulebook.code:
        return redirect("rules:sheet_detail", code=rulebook.code, number=number, permanent=True)
    sheet = _sheet(rulebook, number)
    context = {
        "rulebook": rulebook,
        "sheet": sheet,
        "previous": rulebook.sheet(number - 1),
        "next": rulebook.sheet(number + 1),
    }
    return render(request, "rules/sheet_detail.html", context)


@require_safe
def rulebook_json(request: HttpRequest, code: str) -> HttpResponse:
    rulebook = _rulebook(code)
    return _download(rulebook.as_json(), f"{rulebook.code}.json")


@require_safe
def sheet_json(request: HttpRequest, code: str, number: int) -> HttpResponse:
    rulebook = _rulebook(code)
    sheet = _sheet(rulebook, number)
    return _download(dict(sheet.raw), f"{rulebook.code}-sheet-{number:02d}.json")


# --- A province's own council rules ------------------------------------------------------------------
def _keeper(request: HttpRequest) -> None:
    if not may_keep_council_rules(request.user):
        raise PermissionDenied(_("A province's council rules are kept by the provincial and central OCOP offices."))


def _override(request: HttpRequest, pk: int) -> CouncilRuleOverride:
    """The override if the user keeps it; 404 outside their scope, so existence is never revealed."""
    _keeper(request)
    queryset = council_rule_overrides().for_user(request.user).select_related("province")
    override = get_object_or_404(queryset, pk=pk)
    if not council_rule_overrides().editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("A province's council rules are kept by the provincial and central OCOP offices."))
    return override


def _rules_in_force(user: Any, rulebook: Rulebook) -> list[dict[str, Any]]:
    """Today's council rules for each province in view: the user's own, or every province with an override."""
    if may_keep_every_province(user):
        ids = council_rule_overrides().for_user(user).values("province_id")
        provinces = AdminUnit.objects.filter(pk__in=ids).order_by("name")
    else:
        provinces = AdminUnit.objects.filter(pk=user.province_id)
    return [{"province": p, "rules": council_rules(rulebook, p, on=clock.today())} for p in provinces]


@login_required
@require_safe
def override_list(request: HttpRequest) -> HttpResponse:
    _keeper(request)
    overrides = council_rule_overrides().for_user(request.user).select_related("province")
    page = Paginator(overrides.order_by("province__name", "-valid_from", "rulebook"), OVERRIDE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    titles = {book.code: book.title for book in all_rulebooks()}
    for override in page.object_list:
        override.rulebook_title = titles.get(override.rulebook, override.rulebook)
    rulebook = rulebook_for(clock.today()) or current_rulebook()
    context = {
        "page": page,
        "rulebook": rulebook,
        "in_force": _rules_in_force(request.user, rulebook),
        "every_province": may_keep_every_province(request.user),
        "today": clock.today(),
    }
    return render(request, "rules/override_list.html", context)


def _save_override(request: HttpRequest, form: CouncilRuleOverrideForm) -> HttpResponse | None:
    """Save a valid form (audited through the model's signals); None when the form must be shown again."""
    if not form.is_valid():
        return None
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        # Two offices recording the same rules at once: the database's unique constraint has the last word.
        form.add_error(
            "valid_from",
            _("This province already has council rules from this day for this rulebook; edit them instead."),
        )
        return None
    messages.success(request, _("The council rules were saved."))
    return redirect("rules:override_list")


@login_required
@require_http_methods(["GET", "POST"])
def override_create(request: HttpRequest) -> HttpResponse:
    _keeper(request)
    form = CouncilRuleOverrideForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and (done := _save_override(request, form)) is not None:
        return done
    return render(request, "rules/override_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def override_edit(request: HttpRequest, pk: int) -> HttpResponse:
    override = _override(request, pk)
    data = request.POST if request.method == "POST" else None
    form = CouncilRuleOverrideForm(data, instance=override, user=request.user)
    if request.method == "POST" and (done := _save_override(request, form)) is not None:
        return done
    context = {"form": form, "override": override}
    return render(request, "rules/override_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def override_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the override (the rules fall back to the earlier one or the defaults)."""
    override = _override(request, pk)
    if request.method == "POST":
        override.delete()
        messages.success(request, _("The council rules were removed."))
        return redirect("rules:override_list")
    return render(request, "rules/override_confirm_delete.html", {"override": override})
