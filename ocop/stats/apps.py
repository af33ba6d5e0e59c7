from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "ocop.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # A province's targets are part of its official plan: every change is audited.
        register("stats.ProvinceTarget", exclude=["updated_at"])
