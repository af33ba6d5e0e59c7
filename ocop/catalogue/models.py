"""Where to buy OCOP products: producers' own shop links and the offices' OCOP sales points."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.catalogue.querysets import SalesPointQuerySet, ShopLinkQuerySet


class Channel(models.TextChoices):
    SHOPEE = "shopee", "Shopee"
    LAZADA = "lazada", "Lazada"
    TIKI = "tiki", "Tiki"
    TIKTOK = "tiktok", "TikTok Shop"
    POSTMART = "postmart", "Postmart"
    VOSO = "voso", "Voso"
    WEBSITE = "website", _("Own website")


# The host names a channel's shop addresses live on (a host matches its domain or any sub-domain of it).
# The producer's own website may be on any host.
CHANNEL_DOMAINS: dict[str, tuple[str, ...]] = {
    Channel.SHOPEE: ("shopee.vn", "shp.ee"),
    Channel.LAZADA: ("lazada.vn",),
    Channel.TIKI: ("tiki.vn",),
    Channel.TIKTOK: ("tiktok.com",),
    Channel.POSTMART: ("postmart.vn",),
    Channel.VOSO: ("voso.vn",),
}


def host_matches(host: str, domains: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def validate_shop_url(channel: str, url: str) -> None:
    """A shop address must be https and, for a marketplace, on that marketplace's domain."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise ValidationError(_("This is not a valid web address."), code="shop_url_invalid") from None
    if parts.scheme != "https":
        raise ValidationError(_("The address must start with https://."), code="shop_url_https")
    if not host or "." not in host or parts.username or parts.password:
        raise ValidationError(_("This is not a valid web address."), code="shop_url_invalid")
    domains = CHANNEL_DOMAINS.get(channel)
    if domains and not host_matches(host, domains):
        raise ValidationError(
            _("A %(channel)s address must be on %(domains)s."),
            code="shop_url_domain",
            params={"channel": Channel(channel).label, "domains": ", ".join(domains)},
        )


class ShopLink(models.Model):
    """A producer's own shop on a marketplace (or its website); kept by the producer."""

    producer = models.ForeignKey(
        "registry.Producer", on_delete=models.CASCADE, related_name="shop_links", verbose_name=_("producer")
    )
    channel = models.CharField(_("sales channel"), max_length=20, choices=Channel.choices)
    url = models.URLField(_("shop address"), max_length=500)
    # Empty: the producer's whole shop; else the listing of one product.
    product = models.ForeignKey(
        "registry.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shop_links",
        verbose_name=_("product (leave empty for the whole shop)"),
    )
    clicks = models.PositiveIntegerField(_("visits from the catalogue"), default=0, editable=False)
    last_clicked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShopLinkQuerySet.as_manager()

    class Meta:
        ordering = ["channel", "pk"]
        verbose_name = _("shop link")
        verbose_name_plural = _("shop links")
        constraints = [
            models.UniqueConstraint(fields=["producer", "channel", "url"], name="shoplink_unique_url"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.url}"

    def clean(self) -> None:
        super().clean()
        if self.channel and self.url:
            try:
                validate_shop_url(self.channel, self.url)
            except ValidationError as error:
                raise ValidationError({"url": error}) from None
        if self.product_id and self.producer_id and self.product.producer_id != self.producer_id:
            raise ValidationError({"product": _("This product belongs to another producer.")})

    def get_outbound_url(self) -> str:
        """The counted way out: the catalogue's redirect, never the stored address directly."""
        return reverse("catalogue:shop_link_go", args=[self.pk])


class SalesPoint(models.Model):
    """An OCOP sales point (điểm bán sản phẩm OCOP), kept by the provincial office."""

    name = models.CharField(_("name"), max_length=200)
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune or ward")
    )
    # The present-day province, from the commune: the scope key of the office that keeps it.
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+", editable=False)
    address = models.CharField(_("address"), max_length=250)
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, blank=True, help_text=_("For example: Mon–Sun 7:30–21:00.")
    )
    products = models.ManyToManyField(
        "registry.Product", related_name="sales_points", blank=True, verbose_name=_("products sold")
    )
    is_open = models.BooleanField(_("open to the public"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SalesPointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("OCOP sales point")
        verbose_name_plural = _("OCOP sales points")
        indexes = [models.Index(fields=["province", "is_open"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.province_id = self.commune.successor_province_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalogue:sales_point_edit", args=[self.pk])
