from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "ocop.certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # Certificate and Proposal are in the audit's defaults. Revocations and
        # inspections are official records too. Reminders are not: they record
        # what the platform sent, and the notifications themselves are the trace.
        register("certificates.Revocation")
        register("certificates.Inspection")
