from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ocop.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from ocop.audit import signals

        # Every app's models are loaded before any ready() runs, so the
        # official records of later apps can be looked up by label here.
        signals.register_defaults()
        signals.connect()
