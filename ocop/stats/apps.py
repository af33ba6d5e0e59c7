from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What the statistics figures count: a save or delete of any of these computes them afresh (`cache.py`).
FIGURE_MODELS = (
    "certificates.Certificate",
    "certificates.Proposal",
    "certificates.Revocation",
    "registry.Product",
    "registry.Producer",
    "registry.ProductSet",
    "registry.ProductGroup",
    "registry.ProductCategory",
    "geo.AdminUnit",
    "evaluation.Dossier",
    "councils.Round",
    "councils.Evaluation",
    "stats.ProvinceTarget",
)


class StatsConfig(AppConfig):
    name = "ocop.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # A province's targets are part of its official plan: every change is audited.
        register("stats.ProvinceTarget", exclude=["updated_at"])

        from django.db.models.signals import post_delete, post_save

        from ocop.stats import cache

        for model in FIGURE_MODELS:
            post_save.connect(cache.invalidate, sender=model, dispatch_uid=f"stats-figures-{model}-save")
            post_delete.connect(cache.invalidate, sender=model, dispatch_uid=f"stats-figures-{model}-delete")
        # The importer writes producers, products and certificates with bulk_create (no signal), then marks
        # its job done in the same transaction.
        post_save.connect(cache.import_done, sender="imports.ImportJob", dispatch_uid="stats-figures-import")
