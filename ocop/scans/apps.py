from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScansConfig(AppConfig):
    name = "ocop.scans"
    label = "scans"
    verbose_name = _("Scans")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # An alert's status is an office's finding on a suspected counterfeit: audited. Left out: the hit counter
        # and the time of the last hit, which change with every matching scan (nobody's decision), and a
        # consumer's report text and contact, personal data that must stay deletable (the audit chain is
        # append-only). Scans themselves are a log, not an official record.
        register("scans.Alert", exclude=["hits", "last_seen_at", "message", "contact"])
