"""Targets of a province's OCOP plan (e.g. Bắc Giang: 350–400 products by 2030, 3–5 of them at 5★).

A target names the unit whose plan set it, on either map: a plan adopted by a
former province stays that province's plan, and its progress is counted on the
products registered there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.stats.querysets import ProvinceTargetQuerySet


class ProvinceTarget(models.Model):
    province = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
        limit_choices_to={"level": "province"},
    )
    year = models.PositiveSmallIntegerField(_("target year"))
    products_target_min = models.PositiveIntegerField(_("products, at least"))
    products_target_max = models.PositiveIntegerField(_("products, at most"), null=True, blank=True)
    five_star_target_min = models.PositiveIntegerField(_("5★ products, at least"), default=0)
    five_star_target_max = models.PositiveIntegerField(_("5★ products, at most"), null=True, blank=True)
    source = models.CharField(_("source (plan or decision)"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProvinceTargetQuerySet.as_manager()

    class Meta:
        ordering = ["province__name", "year"]
        verbose_name = _("province target")
        verbose_name_plural = _("province targets")
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="provincetarget_once_per_year"),
            models.CheckConstraint(
                condition=models.Q(products_target_max__isnull=True)
                | models.Q(products_target_max__gte=models.F("products_target_min")),
                name="provincetarget_products_range",
            ),
            models.CheckConstraint(
                condition=models.Q(five_star_target_max__isnull=True)
                | models.Q(five_star_target_max__gte=models.F("five_star_target_min")),
                name="provincetarget_five_star_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.year}"
