"""A province's own council rules.

The rulebooks (files under data/) carry the council defaults — quorum of 75 % of the members including the
chair, members' totals at most 10 points apart. Those figures come from provincial practice, not from the
decision itself: each province sets them in its council's rules of procedure (quy chế hoạt động). A
`CouncilRuleOverride` records such a provincial decision; `council_rules()` applies the one in force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.lib import clock
from ocop.rules.querysets import CouncilRuleOverrideQuerySet
from ocop.rules.rulebooks import CouncilRules, Rulebook


class CouncilRuleOverride(models.Model):
    province = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="council_rule_overrides",
        verbose_name=_("province"),
        limit_choices_to={"level": "province", "map": "current"},
    )
    # Empty: applies whatever the rulebook; a code limits it to that rulebook.
    rulebook = models.CharField(_("rulebook"), max_length=40, blank=True)
    valid_from = models.DateField(_("valid from"))
    # Empty fields keep the rulebook's default.
    quorum_share = models.DecimalField(
        _("quorum (share of members)"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
    )
    quorum_requires_chair = models.BooleanField(_("quorum requires the chair"), null=True, blank=True)
    max_spread = models.DecimalField(
        _("maximum spread between members' totals"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    decision = models.CharField(_("provincial decision"), max_length=250)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CouncilRuleOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = _("council rule override")
        verbose_name_plural = _("council rule overrides")
        ordering = ["province", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["province", "rulebook", "valid_from"], name="council_override_unique"),
            models.CheckConstraint(
                condition=models.Q(quorum_share__isnull=True) | models.Q(quorum_share__gt=0, quorum_share__lte=1),
                name="council_override_quorum_share",
            ),
            models.CheckConstraint(
                condition=models.Q(max_spread__isnull=True) | models.Q(max_spread__gte=0),
                name="council_override_max_spread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.rulebook or '*'} {self.valid_from}"

    def apply(self, rules: CouncilRules) -> CouncilRules:
        changes: dict[str, object] = {"overridden_by": self.decision}
        if self.quorum_share is not None:
            changes["quorum_share"] = self.quorum_share
        if self.quorum_requires_chair is not None:
            changes["quorum_requires_chair"] = self.quorum_requires_chair
        if self.max_spread is not None:
            changes["max_spread"] = self.max_spread
        return dataclasses.replace(rules, **changes)


def council_rules(rulebook: Rulebook, province: object | None = None, on: dt.date | None = None) -> CouncilRules:
    """The council rules for a province on a day (default today): the defaults, changed by the latest override.

    An override naming the rulebook wins over one that names none, whatever their dates.
    """
    if province is None:
        return rulebook.council
    on = on or clock.today()
    overrides = CouncilRuleOverride.objects.filter(
        province=province, rulebook__in=[rulebook.code, ""], valid_from__lte=on
    )
    override = overrides.order_by(models.F("rulebook").desc(), "-valid_from").first()
    return override.apply(rulebook.council) if override else rulebook.council
