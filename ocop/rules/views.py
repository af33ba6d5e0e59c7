"""Public pages of the rules: rulebooks and criteria sheets are public law, readable without an account."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from ocop.lib import clock
from ocop.rules.rulebooks import Rulebook, UnknownRulebook, all_rulebooks, get_rulebook, rulebook_for
from ocop.rules.sheets import Sheet


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
