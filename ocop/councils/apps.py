from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "ocop.councils"
    label = "councils"
    verbose_name = _("Evaluation rounds and councils")

    def ready(self) -> None:
        from ocop.audit.signals import register
        from ocop.councils.querysets import assigned_dossiers
        from ocop.evaluation.querysets import set_assignment_hook

        # Every step of a council is an official record: the round and its
        # council, who sits on it, the advisory notes, each declaration of
        # interest, each scoring and its entries, the result and the decision.
        for label in (
            "councils.Round",
            "councils.Council",
            "councils.CouncilMember",
            "councils.Evaluation",
            "councils.AdvisoryNote",
            "councils.ConflictDeclaration",
            "councils.Scoring",
            "councils.ScoreEntry",
            "councils.Decision",
        ):
            register(label)
        # Council members reach dossiers only through the councils they sit on.
        set_assignment_hook(assigned_dossiers)
