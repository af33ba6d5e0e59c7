"""Dossier pages: the producer files, the commune checks, every role reads within its scope.

And the holiday calendar the commune's working-day deadline is counted with, kept by the offices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ocop.accounts.models import Role
from ocop.evaluation import actions, pdf, sheets
from ocop.evaluation.forms import (
    FORM01_SECTIONS,
    FORM02_SECTIONS,
    CommuneReportForm,
    DecisionForm,
    EvidencePickForm,
    Form01,
    Form02,
    HolidayOverrideForm,
    OpenDossierForm,
)
from ocop.evaluation.models import CommuneReport, Dossier, DossierKind, DossierStatus, HolidayOverride
from ocop.evaluation.querysets import holiday_overrides, may_keep_holidays, may_keep_national_holidays
from ocop.lib import clock
from ocop.registry import files
from ocop.registry.models import Evidence, EvidenceType, Product, ProductStatus
from ocop.registry.views.common import forbidden, paginate, serve_file
from ocop.registry.views.products import closed_reason

# Who may open the commune queue: the officers who check, and the offices that oversee them.
QUEUE_ROLES = (Role.COMMUNE, Role.PROVINCE, Role.CENTRAL, Role.ADMIN)


def _readable(request: HttpRequest, pk: int) -> Dossier:
    """The dossier if `request.user` may read it; 404 otherwise, so existence is never revealed."""
    queryset = Dossier.objects.select_related("product__product_set", "producer", "commune", "province", "certificate")
    return get_object_or_404(queryset.for_user(request.user), pk=pk)


def _refusal_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Lists ------------------------------------------------------------------------------------
@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    dossiers = Dossier.objects.for_user(user).select_related("product", "producer", "commune")
    status = request.GET.get("status", "")
    if status in DossierStatus.values:
        dossiers = dossiers.filter(status=status)
    context = {
        "page": paginate(request, dossiers),
        "status": status,
        "statuses": DossierStatus.choices,
        "can_open": user.role == Role.PRODUCER,
        "show_queue": user.role in QUEUE_ROLES,
        "closed_reason": closed_reason(user),
    }
    return render(request, "evaluation/dossier_list.html", context)


@login_required
def commune_queue(request: HttpRequest) -> HttpResponse:
    """Dossiers waiting for the commune's check, oldest deadline first, overdue ones flagged."""
    user = request.user
    if user.role not in QUEUE_ROLES:
        return forbidden(request, _("The commune queue is for commune officers and OCOP offices."))
    dossiers = (
        Dossier.objects.for_user(user)
        .filter(status=DossierStatus.SUBMITTED)
        .select_related("product", "producer", "commune")
        .order_by("commune_deadline", "submitted_at", "pk")
    )
    today = clock.today()
    rows = [{"dossier": d, "overdue": d.commune_deadline is not None and today > d.commune_deadline} for d in dossiers]
    context = {"rows": rows, "today": today, "overdue_count": sum(1 for row in rows if row["overdue"])}
    return render(request, "evaluation/commune_queue.html", context)


# --- Opening ------------------------------------------------------------------------------------
@login_required
def dossier_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    back = "evaluation:dossier_list"
    if user.role != Role.PRODUCER:
        return forbidden(request, _("Dossiers are filed by the producer of the product."), back=back)
    reason = closed_reason(user)
    if reason is not None:
        return forbidden(request, reason, back=back)
    products = Product.objects.editable_by(user).filter(status=ProductStatus.ACTIVE).order_by("name")
    initial = {"kind": DossierKind.FIRST}
    if str(request.GET.get("product", "")).isdigit():
        initial["product"] = int(request.GET["product"])
    form = OpenDossierForm(request.POST or None, products=products, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = actions.open_dossier(form.cleaned_data["product"], form.cleaned_data["kind"], actor=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The dossier was opened. Fill in the forms and pick your evidence."))
            return redirect("evaluation:dossier_edit", dossier.pk)
    return render(request, "evaluation/dossier_create.html", {"form": form, "has_products": products.exists()})


# --- Reading ------------------------------------------------------------------------------------
@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _readable(request, pk)
    user = request.user
    versions = list(dossier.versions.order_by("-number"))
    shown = versions[0] if versions else None
    raw_version = request.GET.get("version", "")
    if raw_version.isdigit():
        shown = next((v for v in versions if v.number == int(raw_version)), shown)
    editable = Dossier.objects.editable_by(user).filter(pk=dossier.pk).exists()
    checkable = (
        dossier.status == DossierStatus.SUBMITTED and Dossier.objects.checkable_by(user).filter(pk=dossier.pk).exists()
    )
    reports = list(dossier.commune_reports.select_related("officer", "version").order_by("-created_at"))
    context = {
        "dossier": dossier,
        "versions": versions,
        "shown": shown,
        "shown_evidence": _frozen_evidence(shown),
        "shown_total": Decimal(shown.content.get("self_total") or 0) if shown else None,
        "timeline": dossier.status_changes.select_related("by").order_by("at", "pk"),
        "evidence": dossier.evidence.order_by("doc_type", "title"),
        "editable": editable,
        "checkable": checkable,
        "missing": actions.missing_items(dossier) if editable else [],
        "overdue": actions.is_overdue(dossier),
        "reports": reports,
        "doc_types": dict(EvidenceType.choices),
    }
    return render(request, "evaluation/dossier_detail.html", context)


def _frozen_evidence(version: Any) -> list[dict[str, Any]]:
    """The evidence entries of a frozen version, with their dates as dates (they are stored as ISO text)."""
    if version is None:
        return []
    entries = []
    for entry in version.evidence_hashes:
        expires = entry.get("expires_on")
        entries.append({**entry, "expires_on": dt.date.fromisoformat(expires) if expires else None})
    return entries


@login_required
def dossier_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    """An evidence document of a dossier, for whoever may read the dossier (council members included).

    Only documents the dossier carries now or carried in a submitted version are served through it.
    """
    dossier = _readable(request, pk)
    frozen = {entry["id"] for version in dossier.versions.all() for entry in version.evidence_hashes}
    document = dossier.evidence.filter(pk=evidence_pk).first()
    if document is None and evidence_pk in frozen:
        document = Evidence.objects.filter(pk=evidence_pk, producer_id=dossier.producer_id).first()
    if document is None:
        raise Http404
    extension = document.file.name.rsplit(".", 1)[-1] if "." in document.file.name else "bin"
    name = files.safe_download_name(document.original_name, extension)
    return serve_file(document.file, content_type=document.content_type, filename=name, attachment=True)


# --- Filling in ---------------------------------------------------------------------------------
def _editable_or_refuse(request: HttpRequest, dossier: Dossier) -> HttpResponse | None:
    if Dossier.objects.editable_by(request.user).filter(pk=dossier.pk).exists():
        return None
    if request.user.role == Role.PRODUCER and request.user.producer_id == dossier.producer_id:
        message = _("This dossier is “%(status)s”: it can no longer be changed.") % {
            "status": dossier.get_status_display()
        }
    else:
        message = _("Only the producer fills in its dossier.")
    return forbidden(request, message, back=dossier.get_absolute_url())


def _evidence_groups(form: EvidencePickForm) -> list[dict[str, Any]]:
    """The checkboxes of the evidence pick, grouped by document type, each with its document for the expiry flag."""
    documents = {doc.pk: doc for doc in form.fields["evidence"].queryset}
    labels = dict(EvidenceType.choices)
    groups: dict[str, dict[str, Any]] = {}
    for checkbox in form["evidence"]:
        value = checkbox.data["value"]
        doc = documents[int(getattr(value, "value", value))]
        group = groups.setdefault(doc.doc_type, {"label": labels.get(doc.doc_type, doc.doc_type), "items": []})
        group["items"].append({"checkbox": checkbox, "document": doc})
    return list(groups.values())


@login_required
def dossier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _readable(request, pk)
    refusal = _editable_or_refuse(request, dossier)
    if refusal:
        return refusal
    data = request.POST if request.method == "POST" else None
    f01 = Form01(data, initial=dossier.form01, prefix="f01", draft=True)
    f02 = Form02(data, initial=dossier.form02, prefix="f02", draft=True, kind=dossier.kind)
    initial_evidence = list(dossier.evidence.values_list("pk", flat=True))
    pick = EvidencePickForm(data, initial={"evidence": initial_evidence}, producer=dossier.producer, prefix="ev")
    if request.method == "POST":
        if f01.is_valid() and f02.is_valid() and pick.is_valid():
            try:
                actions.save_forms(
                    dossier,
                    form01=f01.to_json(),
                    form02=f02.to_json(),
                    evidence=pick.cleaned_data["evidence"],
                    actor=request.user,
                )
            except ValidationError as error:
                _refusal_messages(request, error)
                return redirect(dossier)
            messages.success(request, _("The dossier was saved."))
            if request.POST.get("next") == "score":
                return redirect("evaluation:self_assessment", dossier.pk)
            return redirect(dossier)
    context = {
        "dossier": dossier,
        "f01": f01,
        "f02": f02,
        "pick": pick,
        "f01_sections": [(title, [f01[name] for name in names]) for title, names in FORM01_SECTIONS],
        "f02_sections": [(title, [f02[name] for name in names]) for title, names in FORM02_SECTIONS],
        "evidence_groups": _evidence_groups(pick),
        "required_types": [dict(EvidenceType.choices)[t] for t in actions.required_evidence(dossier)],
        "has_errors": bool(f01.errors or f02.errors or pick.errors),
    }
    return render(request, "evaluation/dossier_edit.html", context)


@login_required
def self_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _readable(request, pk)
    editable = Dossier.objects.editable_by(request.user).filter(pk=dossier.pk).exists()
    sheet = sheets.sheet_for(dossier)
    selections = dict(dossier.self_assessment)
    errors: list[str] = []
    if request.method == "POST":
        refusal = _editable_or_refuse(request, dossier)
        if refusal:
            return refusal
        codes = sheets.criterion_codes(sheet)
        selections = {code: request.POST.get(f"c-{code}", "") for code in codes}
        selections = {code: option for code, option in selections.items() if option}
        try:
            actions.save_self_assessment(dossier, selections, actor=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Your self-assessment was saved."))
            return redirect("evaluation:self_assessment", dossier.pk)
    projection = sheets.project(sheet, selections)
    context = {
        "dossier": dossier,
        "sheet": sheet,
        "rows": sheets.rows(sheet, selections),
        "projection": projection,
        "gap": sheets.gap(sheet, selections),
        "editable": editable,
        "errors": errors,
        "unscored": sheets.unscored(sheet, selections),
    }
    return render(request, "evaluation/self_assessment.html", context, status=400 if errors else 200)


# --- Submission ---------------------------------------------------------------------------------
@login_required
@require_POST
def dossier_submit(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _readable(request, pk)
    user = request.user
    if user.role != Role.PRODUCER or user.producer_id != dossier.producer_id:
        return forbidden(
            request, _("Only the producer of a product files its dossier."), back=dossier.get_absolute_url()
        )
    try:
        version = actions.submit(dossier, actor=user)
    except ValidationError as error:
        messages.error(request, _("The dossier was not submitted:"))
        _refusal_messages(request, error)
    else:
        messages.success(
            request,
            _("Version %(version)s was submitted to the commune, which checks it by %(deadline)s.")
            % {"version": version.number, "deadline": dossier.commune_deadline.strftime("%d/%m/%Y")},
        )
    return redirect(dossier)


@login_required
def dossier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _readable(request, pk)
    form = request.GET.get("form", "01")
    if form not in ("01", "02"):
        return HttpResponse(
            _("Unknown form: ask for form 01 or 02."), status=400, content_type="text/plain; charset=utf-8"
        )
    content = pdf.form01_pdf(dossier) if form == "01" else pdf.form02_pdf(dossier)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"mau-{form}-{dossier.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The commune ------------------------------------------------------------------------------
def _checkable_or_refuse(request: HttpRequest, dossier: Dossier) -> HttpResponse | None:
    if not Dossier.objects.checkable_by(request.user).filter(pk=dossier.pk).exists():
        return forbidden(
            request, _("Only an officer of the dossier's commune checks it."), back=dossier.get_absolute_url()
        )
    if dossier.status != DossierStatus.SUBMITTED:
        messages.error(
            request,
            _("This dossier is “%(status)s”: the commune's check is over.") % {"status": dossier.get_status_display()},
        )
        return redirect(dossier)
    return None


def _report_page(
    request: HttpRequest, dossier: Dossier, form: CommuneReportForm, decision: DecisionForm, *, status: int = 200
) -> HttpResponse:
    version = dossier.versions.order_by("-number").first()
    report = CommuneReport.objects.filter(version=version).first()
    context = {
        "dossier": dossier,
        "version": version,
        "report": report,
        "form": form,
        "decision": decision,
        "report_missing": actions.report_missing(report),
        "dossier_missing": actions.missing_items(dossier),
        "overdue": actions.is_overdue(dossier),
    }
    return render(request, "evaluation/commune_report.html", context, status=status)


@login_required
def commune_report(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _readable(request, pk)
    refusal = _checkable_or_refuse(request, dossier)
    if refusal:
        return refusal
    version = dossier.versions.order_by("-number").first()
    report = CommuneReport.objects.filter(version=version).first()
    initial: dict[str, Any] = {"report_date": clock.today()}
    if report is not None:
        initial = {
            name: getattr(report, name)
            for name in (
                "raw_materials",
                "local_labour",
                "idea_origin",
                "local_identity",
                "other_remarks",
                "report_date",
            )
        }
    form = CommuneReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_commune_report(dossier, form.cleaned_data, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The commune report was saved."))
            return redirect("evaluation:commune_report", dossier.pk)
    return _report_page(request, dossier, form, DecisionForm(), status=400 if form.errors else 200)


@login_required
@require_POST
def commune_decide(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _readable(request, pk)
    refusal = _checkable_or_refuse(request, dossier)
    if refusal:
        return refusal
    decision = DecisionForm(request.POST)
    if decision.is_valid():
        try:
            actions.decide(
                dossier, decision.cleaned_data["decision"], reasons=decision.cleaned_data["reasons"], actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                decision.add_error(None, message)
        else:
            if decision.cleaned_data["decision"] == "forward":
                messages.success(request, _("The dossier was forwarded to the provincial OCOP office."))
            else:
                messages.success(request, _("The dossier was returned to the producer with your reasons."))
            return redirect(dossier)
    version = dossier.versions.order_by("-number").first()
    report = CommuneReport.objects.filter(version=version).first()
    initial = {"report_date": clock.today()}
    if report is not None:
        initial = {
            name: getattr(report, name)
            for name in (
                "raw_materials",
                "local_labour",
                "idea_origin",
                "local_identity",
                "other_remarks",
                "report_date",
            )
        }
    return _report_page(request, dossier, CommuneReportForm(initial=initial), decision, status=400)


# --- Holiday calendar ------------------------------------------------------------------------------
# The provinces' changes to the national holiday calendar that working-day deadlines count with
# (`workdays.calendar_for`). Who reads and changes which rows is decided in `querysets`, nowhere else.
HOLIDAY_PAGE_SIZE = 50


def _holiday_keeper(request: HttpRequest) -> None:
    if not may_keep_holidays(request.user):
        raise PermissionDenied(_("The holiday calendar is kept by the provincial and central OCOP offices."))


def _editable_holiday(request: HttpRequest, pk: int) -> HolidayOverride:
    """The row if the user may change it; 404 outside their scope, 403 for a national row seen by a province."""
    _holiday_keeper(request)
    holiday = get_object_or_404(holiday_overrides().for_user(request.user).select_related("province"), pk=pk)
    if not holiday_overrides().editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("The national holiday calendar is kept by the central OCOP office."))
    return holiday


def _holidays_url(holiday: HolidayOverride) -> str:
    return f"{reverse('evaluation:holiday_list')}?year={holiday.date.year}"


@login_required
@require_safe
def holiday_list(request: HttpRequest) -> HttpResponse:
    _holiday_keeper(request)
    rows = holiday_overrides().for_user(request.user)
    years = sorted({day.year for day in rows.dates("date", "year")} | {clock.today().year}, reverse=True)
    raw = request.GET.get("year", "")
    # "all" lists every year; a year without rows lists nothing; anything else falls back to this year.
    year: int | None = clock.today().year
    if raw == "all":
        year = None
    elif raw.isdigit() and 1900 <= int(raw) <= 2200:
        year = int(raw)
    if year is not None:
        rows = rows.filter(date__year=year)
        years = sorted({*years, year}, reverse=True)
    rows = rows.select_related("province").order_by("date", "province__name")
    page = Paginator(rows, HOLIDAY_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [row.pk for row in page.object_list]
    editable = set(holiday_overrides().editable_by(request.user).filter(pk__in=shown).values_list("pk", flat=True))
    for row in page.object_list:
        row.editable = row.pk in editable
    context = {"page": page, "years": years, "year": year, "national_keeper": may_keep_national_holidays(request.user)}
    return render(request, "evaluation/holiday_list.html", context)


def _save_holiday(request: HttpRequest, form: HolidayOverrideForm) -> HttpResponse | None:
    """Save a valid form (the audit log records it through the model's signals); None when it must be shown again."""
    if not form.is_valid():
        return None
    instance = form.instance
    before = [] if instance.pk is None else [(form.initial.get("province"), form.initial["date"])]
    try:
        with transaction.atomic():
            holiday = form.save()
            moved = actions.holiday_calendar_changed([*before, (holiday.province_id, holiday.date)])
    except IntegrityError:
        # Two offices entering the same day at once: the database's unique constraint has the last word.
        form.add_error("date", _("This day is already listed for this province; edit that entry instead."))
        return None
    messages.success(request, _("The calendar change was saved."))
    _deadlines_moved(request, moved)
    return redirect(_holidays_url(holiday))


def _deadlines_moved(request: HttpRequest, moved: int) -> None:
    if moved:
        messages.info(
            request,
            ngettext(
                "The commune's deadline of %(count)s dossier awaiting its check was counted again.",
                "The commune's deadlines of %(count)s dossiers awaiting their check were counted again.",
                moved,
            )
            % {"count": moved},
        )


@login_required
@require_http_methods(["GET", "POST"])
def holiday_create(request: HttpRequest) -> HttpResponse:
    _holiday_keeper(request)
    form = HolidayOverrideForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and (done := _save_holiday(request, form)) is not None:
        return done
    return render(request, "evaluation/holiday_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def holiday_edit(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = _editable_holiday(request, pk)
    form = HolidayOverrideForm(request.POST if request.method == "POST" else None, instance=holiday, user=request.user)
    if request.method == "POST" and (done := _save_holiday(request, form)) is not None:
        return done
    context = {"form": form, "holiday": holiday}
    return render(request, "evaluation/holiday_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the row."""
    holiday = _editable_holiday(request, pk)
    if request.method == "POST":
        back = _holidays_url(holiday)
        with transaction.atomic():
            changed = (holiday.province_id, holiday.date)
            holiday.delete()
            moved = actions.holiday_calendar_changed([changed])
        messages.success(request, _("The calendar change was removed."))
        _deadlines_moved(request, moved)
        return redirect(back)
    return render(request, "evaluation/holiday_confirm_delete.html", {"holiday": holiday})
