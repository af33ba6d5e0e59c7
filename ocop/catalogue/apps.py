from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "ocop.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # Sales points are an office's official list; shop links are what the catalogue sends visitors to.
        # Left out: the visit counter and its time, which change with every click (nobody's decision).
        register("catalogue.SalesPoint")
        register("catalogue.ShopLink", exclude=["clicks", "last_clicked_at"])
