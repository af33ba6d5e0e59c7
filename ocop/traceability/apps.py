from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    name = "ocop.traceability"
    label = "traceability"
    verbose_name = _("Traceability")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # Lots and their trace events are what a consumer's scan shows and what
        # an inspector asks for (Circular 02/2024): official records. The
        # denormalised scope keys follow the product and are left out.
        register("traceability.Lot", exclude=["producer", "province"])
        register("traceability.TraceEvent")
