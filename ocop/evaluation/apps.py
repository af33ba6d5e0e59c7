from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "ocop.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation dossiers")

    def ready(self) -> None:
        from ocop.audit.signals import register

        # The dossier is an official record (Điều 7.1: a dossier in the scoring
        # software has the legal value of paper); its frozen versions, the
        # commune's report and every status change are too.
        register("evaluation.Dossier")
        register("evaluation.DossierVersion")
        register("evaluation.CommuneReport")
        register("evaluation.StatusChange")
        register("evaluation.HolidayOverride")
