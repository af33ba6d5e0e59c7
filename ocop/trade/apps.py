"""Buyer inquiries to producers and trade fairs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "ocop.trade"
    label = "trade"
    verbose_name = _("Trade connection")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # Events and the offices' decisions on registrations are official records. Inquiries are not
        # audited on purpose: they hold a buyer's personal data, which must stay erasable (the audit chain is
        # append-only).
        register("trade.TradeEvent")
        register("trade.Registration")
