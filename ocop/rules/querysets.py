"""Who may read and keep a province's own council rules: the one place that decides.

A province's council rules are its provincial decision, kept by its provincial OCOP office; the central office
and administrators keep every province's. Other roles never see the screen (the rulebooks themselves are public).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from ocop.accounts.models import Role


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_keep_council_rules(user: Any) -> bool:
    return _active(user) and (
        user.role in (Role.ADMIN, Role.CENTRAL) or (user.role == Role.PROVINCE and user.province_id is not None)
    )


def may_keep_every_province(user: Any) -> bool:
    return _active(user) and user.role in (Role.ADMIN, Role.CENTRAL)


class CouncilRuleOverrideQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: Any) -> CouncilRuleOverrideQuerySet:
        if not may_keep_council_rules(user):
            return self.none()
        if may_keep_every_province(user):
            return self
        return self.filter(province_id=user.province_id)

    def editable_by(self, user: Any) -> CouncilRuleOverrideQuerySet:
        """Whoever reads an override may change it: each province reads only its own."""
        return self.for_user(user)


def council_rule_overrides() -> CouncilRuleOverrideQuerySet:
    """Every CouncilRuleOverride row, to be scoped with `for_user` / `editable_by` (the model's manager)."""
    from ocop.rules.models import CouncilRuleOverride

    return CouncilRuleOverride.objects.all()
