"""Who may see and act on rounds, evaluations, scorings and decisions: the one place that decides.

Read scope:
- administrators and the central office read everything (national oversight);
- a provincial office reads its province's rounds, and the evaluations of its
  province's dossiers wherever they are held (a central round included: below
  90 points the province may recognise 3★/4★ from the central result);
- a council member reads only the rounds and evaluations of the councils they
  sit on;
- producers and commune officers read none of it here (their dossier pages
  show the outcome).

Acting is narrower: the provincial office runs its own rounds, the central
office the central rounds; the platform administrator reads but takes no
official step (a decision of the council or of the chairman is not an
administrator's to make).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from ocop.accounts.models import Role

if TYPE_CHECKING:
    from ocop.accounts.models import User


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_open_councils(user: Any) -> bool:
    """Whether `user` may open the councils pages at all (the lists filter further)."""
    return _active(user) and user.role in (Role.ADMIN, Role.CENTRAL, Role.PROVINCE, Role.COUNCIL)


def may_manage_rounds(user: Any) -> bool:
    """Whether `user` may create rounds: a provincial office (its province) or the central office."""
    if not _active(user):
        return False
    return user.role == Role.CENTRAL or (user.role == Role.PROVINCE and user.province_id is not None)


def _managed_round_q(user: Any, prefix: str = "") -> models.Q:
    nothing = models.Q(pk__in=[])
    if not _active(user):
        return nothing
    if user.role == Role.CENTRAL:
        return models.Q(**{f"{prefix}level": "central"})
    if user.role == Role.PROVINCE and user.province_id:
        return models.Q(**{f"{prefix}level": "province", f"{prefix}province_id": user.province_id})
    return nothing


class RoundQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: User | Any) -> RoundQuerySet:
        if not _active(user):
            return self.none()
        if user.role in (Role.ADMIN, Role.CENTRAL):
            return self
        if user.role == Role.PROVINCE:
            return self.filter(level="province", province_id=user.province_id) if user.province_id else self.none()
        if user.role == Role.COUNCIL:
            return self.filter(council__members__user=user)
        return self.none()

    def managed_by(self, user: User | Any) -> RoundQuerySet:
        """Rounds whose dossiers, council and advisory notes `user` manages."""
        return self.filter(_managed_round_q(user))


class CouncilMemberQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def scoring(self) -> CouncilMemberQuerySet:
        return self.filter(function__in=("chair", "member"))


class EvaluationQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: User | Any) -> EvaluationQuerySet:
        if not _active(user):
            return self.none()
        if user.role in (Role.ADMIN, Role.CENTRAL):
            return self
        if user.role == Role.PROVINCE:
            if not user.province_id:
                return self.none()
            return self.filter(
                models.Q(round__level="province", round__province_id=user.province_id)
                | models.Q(dossier__province_id=user.province_id)
            )
        if user.role == Role.COUNCIL:
            return self.filter(round__council__members__user=user)
        return self.none()

    def managed_by(self, user: User | Any) -> EvaluationQuerySet:
        """Evaluations whose dossier list, advisory notes and procedure `user` manages (the office of the round)."""
        return self.filter(_managed_round_q(user, "round__"))

    def annotatable_by(self, user: User | Any) -> EvaluationQuerySet:
        """Evaluations on which `user` may record advisory notes: the office, the advisory team, the secretary."""
        if not _active(user):
            return self.none()
        return self.filter(
            _managed_round_q(user, "round__")
            | models.Q(
                round__council__members__user=user,
                round__council__members__function__in=("advisory", "secretary"),
            )
        ).distinct()

    def decidable_by(self, user: User | Any) -> EvaluationQuerySet:
        """Closed evaluations whose recognition decision `user` prepares.

        The provincial office decides 3★–4★ for its province's dossiers, from
        its own council's result or from a central result below 5★; the
        central office decides 5★ from a central result.
        """
        if not _active(user):
            return self.none()
        closed = self.filter(status="closed", eligible=True)
        if user.role == Role.PROVINCE and user.province_id:
            return closed.filter(
                dossier__province_id=user.province_id,
                final_star__in=(3, 4),
                outcome__in=("awaiting_decision", "returned_to_province"),
            )
        if user.role == Role.CENTRAL:
            return closed.filter(round__level="central", final_star=5, outcome="awaiting_decision")
        return self.none()


def may_prepare_decision(user: Any, evaluation: Any) -> bool:
    """Whether `user` is the office that prepares the recognition decision of `evaluation` (whatever its state).

    The provincial office of the dossier's province (3★–4★, from its own
    council or from a central result below 5★), the central office for
    central rounds (5★). Whether a decision can be taken now is for the action.
    """
    if not _active(user):
        return False
    if user.role == Role.PROVINCE:
        return user.province_id is not None and user.province_id == evaluation.dossier.province_id
    return user.role == Role.CENTRAL and evaluation.round.level == "central"


class ScopedByEvaluationQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Rows of an evaluation (notes, declarations, scorings) are readable by whoever reads the evaluation."""

    def for_user(self, user: User | Any) -> ScopedByEvaluationQuerySet:
        from ocop.councils.models import Evaluation

        return self.filter(evaluation__in=Evaluation.objects.for_user(user).values("pk"))


class DecisionQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: User | Any) -> DecisionQuerySet:
        if not _active(user):
            return self.none()
        if user.role in (Role.ADMIN, Role.CENTRAL):
            return self
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(
                models.Q(province_id=user.province_id) | models.Q(evaluations__dossier__province_id=user.province_id)
            ).distinct()
        return self.none()


def assigned_dossiers(user: User | Any) -> models.QuerySet:  # type: ignore[type-arg]
    """Ids of the dossiers before the councils `user` sits on (any function): the council member's scope."""
    from ocop.councils.models import Evaluation

    if not _active(user):
        return Evaluation.objects.none().values("dossier_id")
    return Evaluation.objects.filter(round__council__members__user=user).values("dossier_id")
