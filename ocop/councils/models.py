"""Evaluation rounds, councils, members' scorings, results and recognition decisions.

QĐ 26/2026 Điều 5 and 7.3–7.6: the province (and the ministry for 5★) runs at
least two rounds a year; each round has a council (chair, secretary, members)
and an advisory team; every member scores every criterion of a dossier's
criteria sheet; the result is the mean of the members' totals, turned into a
star by `ocop.rules.stars`; the chairman (or the minister) decides and the
certificates are issued.

Scores are official records: a member's scoring is never edited. A correction
is a new `Scoring` that supersedes the previous one (both are kept), and
nothing changes once the chair has closed the evaluation. Every write goes
through `ocop.councils.actions`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.councils.querysets import (
    CouncilMemberQuerySet,
    DecisionQuerySet,
    EvaluationQuerySet,
    RoundQuerySet,
    ScopedByEvaluationQuerySet,
)


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CENTRAL = "central", _("Central")


def regular_dates(level: str, year: int, number: int, rulebook: Any = None) -> tuple[dt.date, dt.date] | None:
    """(proposals cut-off, end date) of regular round `number` of `year` (the year it closes), None if extra.

    The dates are the rulebook's (Điều 5 of QĐ 26/2026: province 30/4→30/6 and
    30/10→30/12, central 30/7→30/9 and 30/1→30/3).
    """
    from ocop.rules.rulebooks import current_rulebook

    rulebook = rulebook or current_rulebook()
    regular = next((r for r in rulebook.rounds_at(level) if r.number == number), None)
    return regular.dates(year) if regular is not None else None


class Round(models.Model):
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("round number"))
    # The rulebook in force when the round was set up: its dates and council rules.
    rulebook = models.CharField(_("rulebook"), max_length=30)
    proposals_by = models.DateField(_("proposals accepted until"))
    ends_on = models.DateField(_("evaluation completed by"))
    # Extra rounds must be set out in the council's rules of procedure and the
    # evaluation plan (Điều 5): the reference is kept with the round.
    plan_reference = models.CharField(_("plan or rules of procedure"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-number", "id"]
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "number"],
                condition=models.Q(level="province"),
                name="round_province_unique",
            ),
            models.UniqueConstraint(
                fields=["year", "number"], condition=models.Q(level="central"), name="round_central_unique"
            ),
            models.CheckConstraint(
                condition=(models.Q(level="province", province__isnull=False))
                | models.Q(level="central", province__isnull=True),
                name="round_province_matches_level",
            ),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("proposals_by")), name="round_dates"),
        ]

    def __str__(self) -> str:
        where = self.province.name if self.province_id and self.province else _("Central")
        return _("Round %(number)s/%(year)s – %(where)s") % {"number": self.number, "year": self.year, "where": where}

    def get_absolute_url(self) -> str:
        return reverse("councils:round_detail", args=[self.pk])

    @property
    def is_extra(self) -> bool:
        from ocop.rules.rulebooks import get_rulebook

        return self.number > len(get_rulebook(self.rulebook).rounds_at(self.level))


class Council(models.Model):
    """The council of one round (Hội đồng cấp tỉnh / cấp trung ương) with its advisory team."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="council")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    # The decision that set the council up, e.g. "1234/QĐ-UBND".
    established_by = models.CharField(_("established by decision"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")

    def __str__(self) -> str:
        return _("Council of %(round)s") % {"round": self.round}


class MemberFunction(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")
    ADVISORY = "advisory", _("Advisory team member")


# Who scores. The secretary (an officer of the OCOP office) keeps the record
# and the advisory team prepares the dossiers; neither scores.
SCORING_FUNCTIONS = frozenset({MemberFunction.CHAIR, MemberFunction.MEMBER})


class CouncilMember(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="council_seats", verbose_name=_("person")
    )
    function = models.CharField(_("function"), max_length=10, choices=MemberFunction.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = CouncilMemberQuerySet.as_manager()

    class Meta:
        ordering = ["council", "function", "id"]
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="council_member_once"),
            models.UniqueConstraint(fields=["council"], condition=models.Q(function="chair"), name="council_one_chair"),
            models.UniqueConstraint(
                fields=["council"], condition=models.Q(function="secretary"), name="council_one_secretary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_function_display()})"

    @property
    def scores(self) -> bool:
        return self.function in SCORING_FUNCTIONS


class EvaluationStatus(models.TextChoices):
    SCORING = "scoring", _("Scoring")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    """What the closed result leads to."""

    AWAITING_DECISION = "awaiting_decision", _("Awaiting the recognition decision")
    PROPOSED_CENTRAL = "proposed_central", _("Proposed to the central council")
    RETURNED_TO_PROVINCE = "returned_to_province", _("Below 5★ at central level: returned to the province")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")
    RECOGNISED = "recognised", _("Recognised")


class Evaluation(models.Model):
    """One dossier before one round's council."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="evaluations")
    dossier = models.ForeignKey(
        "evaluation.Dossier", on_delete=models.PROTECT, related_name="council_evaluations", verbose_name=_("dossier")
    )
    # The sheet the members score on, fixed when the dossier joins the round.
    rulebook = models.CharField(_("rulebook"), max_length=30)
    sheet = models.PositiveSmallIntegerField(_("criteria sheet"))
    status = models.CharField(
        _("status"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.SCORING
    )
    # Re-evaluation by written opinions (Điều 7.6.d): members score without a meeting.
    written_opinions = models.BooleanField(_("by written opinions"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # The result, written once when the chair closes the scoring.
    average = models.DecimalField(_("average score"), max_digits=5, decimal_places=2, null=True, blank=True)
    band_star = models.PositiveSmallIntegerField(_("star of the score band"), null=True, blank=True)
    final_star = models.PositiveSmallIntegerField(_("final star"), null=True, blank=True)
    eligible = models.BooleanField(_("eligible"), default=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # Knock-out conditions the council found ("Hồ sơ bị loại khi …"), by code.
    knockouts = models.JSONField(_("knock-out conditions found"), default=list, blank=True)
    # The proposal to the central council, for a result of 5★ at province level.
    proposal = models.OneToOneField(
        "certificates.Proposal", on_delete=models.PROTECT, null=True, blank=True, related_name="evaluation"
    )
    outcome = models.CharField(_("outcome"), max_length=25, choices=Outcome.choices, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("council evaluation")
        verbose_name_plural = _("council evaluations")
        constraints = [models.UniqueConstraint(fields=["round", "dossier"], name="evaluation_once_per_round")]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.round}"

    def get_absolute_url(self) -> str:
        return reverse("councils:evaluation_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == EvaluationStatus.CLOSED


class NoteKind(models.TextChoices):
    REVIEW = "review", _("Dossier review")
    SITE_VISIT = "site_visit", _("Site visit")
    EXTRA_TEST = "extra_test", _("Extra quality test")
    COMPLETION = "completion", _("Request to complete the dossier")


class AdvisoryNote(models.Model):
    """The advisory team's work on a dossier (Điều 7.3.c): reviews, site visits, extra tests."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("kind"), max_length=12, choices=NoteKind.choices)
    body = models.TextField(_("note"))
    happened_on = models.DateField(_("date"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedByEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["evaluation", "created_at", "id"]
        verbose_name = _("advisory note")
        verbose_name_plural = _("advisory notes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.evaluation}"


class ConflictDeclaration(models.Model):
    """A member's declaration, before scoring a dossier, of a conflict of interest or of none."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="declarations")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="declarations")
    has_conflict = models.BooleanField(_("conflict of interest"))
    note = models.CharField(_("explanation"), max_length=500, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedByEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["evaluation", "declared_at"]
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [models.UniqueConstraint(fields=["evaluation", "member"], name="declaration_once")]

    def __str__(self) -> str:
        return f"{self.member} – {self.evaluation}: {self.has_conflict}"


class Scoring(models.Model):
    """One member's scoring of one evaluation; a correction supersedes it, both are kept."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="scorings")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="scorings")
    # Sum of the entries, computed on the server only.
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    # Why a correction was made (required for a correction, empty for a first scoring).
    reason = models.TextField(_("reason for the correction"), blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedByEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["evaluation", "member", "created_at", "id"]
        verbose_name = _("scoring")
        verbose_name_plural = _("scorings")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "member"], condition=models.Q(is_current=True), name="scoring_one_current"
            ),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(reason=""), name="scoring_correction_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.evaluation}: {self.total}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A scoring is written once; the only later change is losing its
        # "current" flag when a correction supersedes it.
        if not self._state.adding and set(kwargs.get("update_fields") or ()) != {"is_current"}:
            raise ValueError("a scoring is never changed: record a correction instead")
        super().save(*args, **kwargs)


class ScoreEntry(models.Model):
    """The option a member chose for one criterion, with the points it carries."""

    scoring = models.ForeignKey(Scoring, on_delete=models.PROTECT, related_name="entries")
    criterion = models.CharField(_("criterion"), max_length=20)
    # Empty when the member found that none of the options applies (0 points).
    option = models.CharField(_("option"), max_length=40, blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["scoring", "id"]
        verbose_name = _("score entry")
        verbose_name_plural = _("score entries")
        constraints = [
            models.UniqueConstraint(fields=["scoring", "criterion"], name="score_entry_once"),
            models.CheckConstraint(condition=models.Q(points__gte=Decimal(0)), name="score_entry_points"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("a score entry is never changed: record a correction instead")
        super().save(*args, **kwargs)


class Decision(models.Model):
    """The provincial chairman's (3–4★) or the minister's (5★) recognition decision."""

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    number = models.CharField(_("decision number"), max_length=60)
    date = models.DateField(_("decision date"))
    signer = models.CharField(_("signed by"), max_length=150)
    body = models.CharField(_("issuing body"), max_length=250)
    evaluations = models.ManyToManyField(Evaluation, related_name="decisions", verbose_name=_("evaluations"))
    certificates = models.ManyToManyField(
        "certificates.Certificate", related_name="council_decisions", blank=True, verbose_name=_("certificates")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")
        constraints = [models.UniqueConstraint(fields=["body", "number"], name="decision_number_per_body")]

    def __str__(self) -> str:
        return f"{self.number} ({self.date})"


class RoundReminderKind(models.TextChoices):
    OVERDUE = "overdue", _("Round overdue")
    SCORE_SOON = "score_soon", _("Scoring due before the round ends")


class RoundReminder(models.Model):
    """A reminder about a round's end date (the sweep's memory).

    Once per round for the office and the chair (no member), once per member
    and round for the members who still have to score.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=RoundReminderKind.choices)
    member = models.ForeignKey(
        CouncilMember, on_delete=models.CASCADE, null=True, blank=True, related_name="round_reminders"
    )
    # The day of the sweep that sent it (the platform clock's today).
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sent_on", "pk"]
        constraints = [
            # Two partial constraints: NULL members would not collide in one constraint.
            models.UniqueConstraint(
                fields=["round", "kind"], condition=models.Q(member__isnull=True), name="round_reminder_once"
            ),
            models.UniqueConstraint(
                fields=["round", "kind", "member"],
                condition=models.Q(member__isnull=False),
                name="round_reminder_once_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind} {self.member_id or ''} {self.sent_on}"
