from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "ocop.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # Making and revoking a token are recorded; its hash is never copied into the log, and the time of
        # its last use is a counter, not a change of the record.
        register("api.ApiToken", exclude=["last_used_at"], secret=["key_hash"])
