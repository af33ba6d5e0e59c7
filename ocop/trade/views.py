"""Trade pages: the public inquiry form, the producer's inbox, the offices' figures, trade events.

Thin views: scope comes from the querysets (querysets.py), workflows from actions.py. Out-of-scope records
answer 404, so their existence is never revealed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.geo.models import AdminUnit
from ocop.lib import clock
from ocop.lib.net import client_ip
from ocop.registry.views.common import forbidden, paginate
from ocop.trade import actions, ratelimit
from ocop.trade.forms import (
    AnswerForm,
    DecisionForm,
    EventForm,
    InboxFilterForm,
    InquiryForm,
    InquiryStatusForm,
    RegistrationForm,
)
from ocop.trade.models import (
    EventStatus,
    Inquiry,
    InquiryStatus,
    Registration,
    RegistrationStatus,
    TradeEvent,
)
from ocop.trade.querysets import inquirable_products, may_create_events, may_read_inbox, may_read_stats
from ocop.trade.stats import inquiry_stats


# --- The buyer's inquiry (public) ------------------------------------------------------------------------
def _inquirable(product_id: int) -> Any:
    return get_object_or_404(inquirable_products().select_related("producer", "producer__province"), pk=product_id)


@require_http_methods(["GET", "POST"])
def inquiry_new(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _inquirable(product_id)
    allow_links = request.user.is_authenticated
    if request.method == "GET":
        form = InquiryForm(allow_links=allow_links)
        return render(request, "trade/inquiry_form.html", {"product": product, "form": form})
    form = InquiryForm(request.POST, allow_links=allow_links)
    if form.is_robot:
        # Answered like a success so that a robot learns nothing; nothing is created or counted.
        return render(request, "trade/inquiry_sent.html", {"product": product})
    context = {"product": product, "form": form}
    if not form.is_valid():
        return render(request, "trade/inquiry_form.html", context, status=400)
    ip = client_ip(request)
    if ratelimit.exceeded(ip, product.pk):
        context["too_many"] = True
        return render(request, "trade/inquiry_form.html", context, status=429)
    actions.submit_inquiry(product, form.cleaned_data, sender=request.user, language=get_language() or "vi")
    ratelimit.hit(ip, product.pk)
    return render(request, "trade/inquiry_sent.html", {"product": product})


# --- The producer's inbox ----------------------------------------------------------------------------------
@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not may_read_inbox(request.user):
        return forbidden(request, _("Buyer inquiries are read by the producer they are addressed to."))
    form = InboxFilterForm(request.GET)
    inquiries = Inquiry.objects.for_user(request.user).select_related("product", "destination")
    counts = inquiries.aggregate(new=Count("pk", filter=Q(status=InquiryStatus.NEW)), all=Count("pk"))
    if form.value():
        inquiries = inquiries.filter(status=form.value())
    context = {"form": form, "page": paginate(request, inquiries), "counts": counts}
    return render(request, "trade/inbox.html", context)


def _readable_inquiry(request: HttpRequest, pk: int) -> Inquiry:
    return get_object_or_404(Inquiry.objects.for_user(request.user).select_related("product", "destination"), pk=pk)


def _detail(request: HttpRequest, inquiry: Inquiry, *, answer_form: AnswerForm | None = None, status: int = 200):
    replies = inquiry.replies.select_related("author")
    context = {
        "inquiry": inquiry,
        "replies": replies,
        "answer_form": answer_form or AnswerForm(),
        "status_form": InquiryStatusForm(),
        "can_answer": inquiry.erased_at is None and inquiry.status != InquiryStatus.SPAM,
    }
    return render(request, "trade/inquiry_detail.html", context, status=status)


@require_GET
@login_required
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _readable_inquiry(request, pk))


@require_POST
@login_required
def inquiry_answer(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _readable_inquiry(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, inquiry, answer_form=form, status=400)
    try:
        actions.answer_inquiry(inquiry, form.cleaned_data["body"], author=request.user)
    except actions.TradeError as error:
        form.add_error(None, str(error))
        return _detail(request, inquiry, answer_form=form, status=400)
    if inquiry.email:
        messages.success(request, _("Your answer was saved and is being e-mailed to the buyer."))
    else:
        messages.success(request, _("Your answer was saved. The buyer left no e-mail address: call them."))
    return redirect(inquiry)


@require_POST
@login_required
def inquiry_status(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _readable_inquiry(request, pk)
    form = InquiryStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the inquiry."))
        return redirect(inquiry)
    try:
        actions.set_inquiry_status(inquiry, form.cleaned_data["status"])
    except actions.TradeError as error:
        messages.error(request, str(error))
        return redirect(inquiry)
    messages.success(request, _("The inquiry is now: %(status)s.") % {"status": inquiry.get_status_display()})
    return redirect(inquiry)


# --- Figures for the offices -------------------------------------------------------------------------------
@require_GET
@login_required
def stats(request: HttpRequest) -> HttpResponse:
    if not may_read_stats(request.user):
        return forbidden(request, _("Inquiry statistics are for the OCOP offices."))
    try:
        months = min(36, max(1, int(request.GET.get("months", 12))))
    except ValueError:
        months = 12
    context = {"stats": inquiry_stats(request.user, months=months), "months_options": (3, 6, 12, 24, 36)}
    return render(request, "trade/stats.html", context)


# --- Trade events ----------------------------------------------------------------------------------------
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    public = (
        TradeEvent.objects.public()
        .select_related("province")
        .annotate(participants=Count("registrations", filter=Q(registrations__status=RegistrationStatus.ACCEPTED)))
    )
    upcoming = public.filter(ends_on__gte=today).order_by("starts_on", "pk")
    past = public.filter(ends_on__lt=today).order_by("-starts_on", "-pk")
    drafts = TradeEvent.objects.editable_by(request.user).filter(status=EventStatus.DRAFT).select_related("province")
    context = {
        "upcoming": list(upcoming),
        "past": paginate(request, past),
        "drafts": list(drafts.order_by("starts_on")),
        "can_create": may_create_events(request.user),
        "has_inbox": may_read_inbox(request.user),
    }
    return render(request, "trade/event_list.html", context)


def _event_provinces(user: Any) -> Any:
    provinces = AdminUnit.objects.current().provinces().order_by("name")
    if user.role == "province":
        return provinces.filter(pk=user.province_id)
    return provinces


@require_http_methods(["GET", "POST"])
@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    if not may_create_events(request.user):
        return forbidden(request, _("Trade events are published by the OCOP offices."))
    provinces = _event_provinces(request.user)
    initial = {"province": request.user.province_id} if request.user.province_id else {}
    form = EventForm(request.POST or None, provinces=provinces, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        event = actions.create_event(data, user=request.user)
        messages.success(request, _("The event was saved as a draft. Publish it when it is ready."))
        return redirect(event)
    status = 400 if request.method == "POST" else 200
    return render(request, "trade/event_form.html", {"form": form, "event": None}, status=status)


def _not_organiser(request: HttpRequest, event: TradeEvent) -> HttpResponse:
    message = _("Only the office that organises this event may change it.")
    return forbidden(request, message, back=event.get_absolute_url())


def _managed_event(request: HttpRequest, pk: int) -> tuple[TradeEvent, bool]:
    """The event if `request.user` may read it (404 otherwise) and whether they organise it."""
    event = get_object_or_404(TradeEvent.objects.for_user(request.user).select_related("province"), pk=pk)
    return event, TradeEvent.objects.editable_by(request.user).filter(pk=pk).exists()


@require_http_methods(["GET", "POST"])
@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event, manages = _managed_event(request, pk)
    if not manages:
        return _not_organiser(request, event)
    form = EventForm(request.POST or None, instance=event, provinces=_event_provinces(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The event was saved."))
        return redirect(event)
    status = 400 if request.method == "POST" else 200
    return render(request, "trade/event_form.html", {"form": form, "event": event}, status=status)


@require_POST
@login_required
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_step(request, pk, actions.publish_event, _("The event is published."))


@require_POST
@login_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_step(request, pk, actions.cancel_event, _("The event is cancelled."))


def _event_step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    event, manages = _managed_event(request, pk)
    if not manages:
        return _not_organiser(request, event)
    try:
        step(event)
    except actions.TradeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(event)


def _registrable_products(request: HttpRequest, event: TradeEvent) -> Any:
    """The user's own public products not yet registered for `event` (none for anyone but a producer)."""
    if not may_read_inbox(request.user):
        return inquirable_products().none()
    return (
        inquirable_products()
        .filter(producer_id=request.user.producer_id)
        .exclude(trade_registrations__event=event)
        .order_by("name")
    )


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(TradeEvent.objects.for_user(request.user).select_related("province"), pk=pk)
    return _event_page(request, event)


def _event_page(request: HttpRequest, event: TradeEvent, *, form: RegistrationForm | None = None, status: int = 200):
    # Participants: accepted registrations of products still public, with the public star (one query).
    participants = (
        inquirable_products()
        .filter(trade_registrations__event=event, trade_registrations__status=RegistrationStatus.ACCEPTED)
        .select_related("producer", "producer__province")
        .order_by("name")
    )
    manages = TradeEvent.objects.editable_by(request.user).filter(pk=event.pk).exists()
    registrations = (
        list(event.registrations.select_related("product", "producer").order_by("status", "product__name"))
        if manages
        else []
    )
    own = (
        list(Registration.objects.for_user(request.user).filter(event=event).select_related("product"))
        if may_read_inbox(request.user)
        else []
    )
    if form is None and may_read_inbox(request.user) and event.registration_open():
        form = RegistrationForm(products=_registrable_products(request, event))
    context = {
        "event": event,
        "participants": list(participants),
        "manages": manages,
        "registrations": registrations,
        "own_registrations": own,
        "form": form,
        "decision_form": DecisionForm(),
        "registration_open": event.registration_open(),
        "today": clock.today(),
    }
    return render(request, "trade/event_detail.html", context, status=status)


@require_POST
@login_required
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(TradeEvent.objects.for_user(request.user).select_related("province"), pk=pk)
    if not may_read_inbox(request.user):
        return forbidden(request, _("Producers register their products for an event."), back=event.get_absolute_url())
    if not event.registration_open():
        messages.error(request, _("Registration for this event is closed."))
        return redirect(event)
    form = RegistrationForm(request.POST, products=_registrable_products(request, event))
    if not form.is_valid():
        return _event_page(request, event, form=form, status=400)
    try:
        actions.register_product(event, form.cleaned_data["product"], user=request.user, note=form.cleaned_data["note"])
    except actions.TradeError as error:
        form.add_error(None, str(error))
        return _event_page(request, event, form=form, status=400)
    messages.success(request, _("Your product is registered. The organising office will accept or decline it."))
    return redirect(event)


@require_POST
@login_required
def registration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.for_user(request.user).select_related("event", "product"), pk=pk
    )
    event = registration.event
    if not Registration.objects.decidable_by(request.user).filter(pk=pk).exists():
        return _not_organiser(request, event)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or to decline the registration."))
        return redirect(event)
    accept = form.cleaned_data["decision"] == RegistrationStatus.ACCEPTED
    actions.decide_registration(registration, accept=accept, user=request.user)
    messages.success(request, _("The registration is accepted.") if accept else _("The registration is declined."))
    return redirect(event)
