from typing import Any

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

        from django.db.models.signals import m2m_changed, post_delete, post_save

        from ocop.scans import pagecache
        from ocop.traceability.models import Lot

        # What the scan pages keep in the cache is read afresh after any change to what they show.
        for model in (
            "certificates.Certificate",
            "registry.ProductPhoto",
            "registry.Evidence",
            "traceability.Lot",
            "traceability.TraceEvent",
            "geo.AdminUnit",
            "registry.Product",
            "registry.Producer",
            "stamps.StampBatch",
            "stamps.SigningKey",
        ):
            post_save.connect(pagecache.invalidate, sender=model, dispatch_uid=f"scans-page-{model}-save")
            post_delete.connect(pagecache.invalidate, sender=model, dispatch_uid=f"scans-page-{model}-delete")
        m2m_changed.connect(pagecache.invalidate, sender=Lot.evidence.through, dispatch_uid="scans-page-lot-evidence")

        from django.core import checks

        checks.register(_scan_sql_check, checks.Tags.database)


def _scan_sql_check(app_configs: Any = None, databases: Any = None, **_kwargs: Any) -> list[Any]:
    """The scan path's statements (`sql.py`) need INSERT … ON CONFLICT … RETURNING (SQLite 3.35+, PostgreSQL)."""
    from django.core import checks

    from ocop.scans import sql

    return [
        checks.Error(
            f"The database '{alias}' cannot run the scan path's INSERT … ON CONFLICT … RETURNING statements.",
            hint="Use SQLite 3.35 or later, or PostgreSQL.",
            id="scans.E001",
        )
        for alias in databases or []
        if not sql.supported(alias)
    ]
