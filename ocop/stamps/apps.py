from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StampsConfig(AppConfig):
    name = "ocop.stamps"
    label = "stamps"
    verbose_name = _("Stamps")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # A batch and a signing key are official records. The generation
        # counters change without anybody changing the batch. The stamps
        # themselves are written and changed in bulk and audited one event per
        # operation (see actions.py), never a row per stamp.
        register("stamps.StampBatch", exclude=["generated", "finished_at"])
        register("stamps.SigningKey", secret=["private_key_encrypted"])
