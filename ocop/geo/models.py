"""Administrative units of Vietnam on two maps.

`current` is the map in force since 1 July 2025 (34 provinces → communes, QĐ
19/2025). `legacy` is the map just before it (63 provinces → districts →
communes). Codes repeat across maps (24 is Bắc Giang on the legacy map and
Bắc Ninh on the current one), so a unit is identified by (map, level, code).

A record keeps the unit it was made under; `successor_province` links every
legacy unit to the present-day province that absorbed it (Resolution
202/2025/QH15), so statistics can be computed on either map.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class UnitMap(models.TextChoices):
    CURRENT = "current", _("Since 1 July 2025")
    LEGACY = "legacy", _("Before 1 July 2025")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class AdminUnitQuerySet(models.QuerySet["AdminUnit"]):
    def provinces(self) -> AdminUnitQuerySet:
        return self.filter(level=UnitLevel.PROVINCE)

    def communes(self) -> AdminUnitQuerySet:
        return self.filter(level=UnitLevel.COMMUNE)

    def current(self) -> AdminUnitQuerySet:
        return self.filter(map=UnitMap.CURRENT)

    def legacy(self) -> AdminUnitQuerySet:
        return self.filter(map=UnitMap.LEGACY)

    def within_current_province(self, province: AdminUnit) -> AdminUnitQuerySet:
        """Units of either map that lie in a present-day province today."""
        return self.filter(successor_province=province)


class AdminUnit(models.Model):
    map = models.CharField(_("map"), max_length=10, choices=UnitMap.choices)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=120)
    division_type = models.CharField(_("division type"), max_length=40, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    # The province-level unit of the same map (itself for a province): lets a
    # filter by province run without walking the tree.
    province = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The present-day province this unit lies in (itself for a current province).
    successor_province = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessor_units",
        verbose_name=_("present-day province"),
    )
    folded_name = models.CharField(max_length=120, db_index=True, editable=False)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["map", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["map", "level", "code"], name="adminunit_unique_code"),
        ]
        indexes = [models.Index(fields=["map", "level", "province"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.map == UnitMap.CURRENT

    def full_name(self) -> str:
        """'Xã Lục Ngạn, Bắc Ninh' or 'Xã Hồng Giang, Huyện Lục Ngạn, Bắc Giang (cũ)'."""
        parts = [self.name]
        unit = self.parent
        while unit is not None:
            parts.append(unit.name)
            unit = unit.parent
        text = ", ".join(parts)
        if self.map == UnitMap.LEGACY:
            text = gettext("%(unit)s (former)") % {"unit": text}
        return text
