"""Trade connection: buyers' inquiries to producers, and trade fairs with the products registered for them.

An inquiry holds a buyer's contact details: personal data (Law 91/2025). It is read by the producer it is
addressed to and nobody else — the offices count inquiries, they never read them — it is not audited (the
audit chain is append-only, and personal data must stay erasable) and its contact fields are erased after
the retention period (`manage.py purge_inquiries`), which keeps the figures the statistics need.

Trade events and registrations are official records of the offices: audited (see apps.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.lib import clock
from ocop.trade.querysets import EventQuerySet, InquiryQuerySet, RegistrationQuerySet


class BuyerType(models.TextChoices):
    DISTRIBUTOR = "distributor", _("Distributor or wholesaler")
    SUPERMARKET = "supermarket", _("Supermarket or retail chain")
    EXPORTER = "exporter", _("Exporter")
    SALES_POINT = "sales_point", _("OCOP sales point or shop")
    HORECA = "horeca", _("Restaurant or hotel")
    OTHER = "other", _("Other")


class QuantityUnit(models.TextChoices):
    KG = "kg", _("kg")
    TONNE = "tonne", _("tonnes")
    LITRE = "litre", _("litres")
    BOX = "box", _("boxes")
    BOTTLE = "bottle", _("bottles")
    PACKAGE = "package", _("packages")
    PIECE = "piece", _("pieces")


class InquiryStatus(models.TextChoices):
    NEW = "new", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed by the producer")
    SPAM = "spam", _("Spam")


class Inquiry(models.Model):
    product = models.ForeignKey(
        "registry.Product", on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("product")
    )
    # Scope keys copied from the product when the inquiry is made: the producer reads it, the product's
    # province counts it.
    producer = models.ForeignKey("registry.Producer", on_delete=models.PROTECT, related_name="+", editable=False)
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+", editable=False)

    buyer_type = models.CharField(_("type of buyer"), max_length=20, choices=BuyerType.choices)
    organisation = models.CharField(_("buyer's organisation"), max_length=200, blank=True)
    # Personal data: erased after the retention period.
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    message = models.TextField(_("message"), blank=True)

    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=QuantityUnit.choices, blank=True)
    destination = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destination (province)"),
    )
    desired_on = models.DateField(_("desired delivery date"), null=True, blank=True)
    # The language the buyer wrote in: the answer e-mail is sent in it.
    language = models.CharField(max_length=10, default="vi")
    # Sent by a signed-in user (who may put links in the message).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    status = models.CharField(_("status"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.NEW)
    created_at = models.DateTimeField(_("received at"), default=clock.now, editable=False)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(default=clock.now)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    objects = InquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("buyer inquiry")
        verbose_name_plural = _("buyer inquiries")
        indexes = [
            models.Index(fields=["producer", "status"], name="inquiry_producer_status"),
            models.Index(fields=["province", "created_at"], name="inquiry_province_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="", phone="") | models.Q(erased_at__isnull=False),
                name="inquiry_has_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_buyer_type_display()} – {self.product_id}"

    def get_absolute_url(self) -> str:
        return reverse("trade:inquiry_detail", args=[self.pk])

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self.producer_id:
            self.producer_id = self.product.producer_id
            self.province_id = self.product.province_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in (InquiryStatus.NEW, InquiryStatus.ANSWERED)


class Reply(models.Model):
    """The producer's answer in the inquiry's thread; e-mailed to the buyer when they left an address."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("answer"))
    created_at = models.DateTimeField(default=clock.now, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("answer")

    def __str__(self) -> str:
        return f"{self.inquiry_id} · {self.created_at:%Y-%m-%d}"


# --- Trade fairs and promotion events --------------------------------------------------------------
class EventKind(models.TextChoices):
    TRADE_FAIR = "trade_fair", _("Trade fair")
    PROMOTION_WEEK = "promotion_week", _("Promotion week")
    CONFERENCE = "conference", _("Trade conference")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class TradeEvent(models.Model):
    title = models.CharField(_("name of the event"), max_length=250)
    kind = models.CharField(_("kind of event"), max_length=20, choices=EventKind.choices)
    # Where it takes place: a present-day province and the venue's address.
    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    venue = models.CharField(_("venue and address"), max_length=300)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    registration_deadline = models.DateField(_("registration deadline"))
    description = models.TextField(_("description"), blank=True)
    # Who organises it: the central office (a national event) or the office of `province`.
    national = models.BooleanField(_("national event"), default=False, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("trade event")
        verbose_name_plural = _("trade events")
        indexes = [models.Index(fields=["status", "ends_on"], name="trade_event_status_ends")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="trade_event_dates"),
            models.CheckConstraint(
                condition=models.Q(registration_deadline__lte=models.F("starts_on")),
                name="trade_event_deadline_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("trade:event_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    def registration_open(self, day=None) -> bool:  # type: ignore[no-untyped-def]
        day = day or clock.today()
        return self.is_published and day <= self.registration_deadline


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the office's decision")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Registration(models.Model):
    """A producer's product registered for an event; the organising office accepts or declines it."""

    event = models.ForeignKey(TradeEvent, on_delete=models.CASCADE, related_name="registrations")
    product = models.ForeignKey(
        "registry.Product", on_delete=models.PROTECT, related_name="trade_registrations", verbose_name=_("product")
    )
    producer = models.ForeignKey("registry.Producer", on_delete=models.PROTECT, related_name="+", editable=False)
    note = models.CharField(_("note to the organiser"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "product__name"]
        verbose_name = _("event registration")
        constraints = [models.UniqueConstraint(fields=["event", "product"], name="registration_once_per_product")]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.product_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self.producer_id:
            self.producer_id = self.product.producer_id
        super().save(*args, **kwargs)
