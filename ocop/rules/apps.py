from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "ocop.rules"
    label = "rules"

    def ready(self) -> None:
        from ocop.audit.signals import register

        # A province's council rules decide whether a council result may close: an official record.
        register("rules.CouncilRuleOverride")
