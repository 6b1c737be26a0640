"""The national occupation classification (2022), its trades, standards and key fields."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chizheng.core.choices import KeyField

from .choices import GroupLevel, SkillLevel


class OccupationGroup(models.Model):
    """A major (大类), middle (中类) or minor (小类) group of the classification."""

    level = models.CharField(_("层级"), max_length=10, choices=GroupLevel.choices)
    code = models.CharField(_("编码"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("职业分类")
        verbose_name_plural = _("职业分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Occupation(models.Model):
    """One occupation (职业) of the 2022 classification, e.g. 6-18-01-01."""

    code = models.CharField(_("职业编码"), max_length=10, unique=True)
    name = models.CharField(_("职业名称"), max_length=100, db_index=True)
    group = models.ForeignKey(
        OccupationGroup, on_delete=models.PROTECT, related_name="occupations", verbose_name=_("所属小类")
    )
    major_code = models.CharField(_("大类"), max_length=1, db_index=True)
    is_digital = models.BooleanField(_("数字职业(S)"), default=False)
    is_green = models.BooleanField(_("绿色职业(L)"), default=False)
    has_national_standard = models.BooleanField(_("有国家职业技能标准"), default=False)
    standard_number = models.CharField(_("标准编号"), max_length=40, blank=True)
    standard_levels = models.JSONField(_("标准设置的等级"), default=list, blank=True)
    key_field = models.CharField(_("重点领域"), max_length=30, choices=KeyField.choices, default=KeyField.OTHER)

    class Meta:
        verbose_name = _("职业")
        verbose_name_plural = _("职业")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="occupation_standard_has_number",
                condition=Q(has_national_standard=False) | ~Q(standard_number=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def tags(self) -> str:
        return ("S" if self.is_digital else "") + ("L" if self.is_green else "")

    def level_labels(self) -> list[str]:
        return [str(SkillLevel(level).label) for level in self.standard_levels]


class Trade(models.Model):
    """A trade (工种) under an occupation, added by admins or imported."""

    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="trades", verbose_name=_("职业"))
    name = models.CharField(_("工种名称"), max_length=100)
    code = models.CharField(_("工种编码"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工种")
        verbose_name_plural = _("工种")
        ordering = ["occupation__code", "name"]
        constraints = [models.UniqueConstraint(fields=["occupation", "name"], name="trade_unique_name")]

    def __str__(self) -> str:
        return self.name
