"""The person registry: one Person per resident ID number, with the roles they hold.

`Person.school` / `Person.county` are the person's current affiliation (the unit of
their latest student, teacher or social-learner record). Scoping filters on them,
and they are the distribution keys should the table ever be sharded.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chizheng.core.choices import TargetGroup
from chizheng.core.scoping import ScopedQuerySet

from .choices import Sex, Stage, StudentStatus
from .rules import mask_id_number


class Person(models.Model):
    """A natural person, identified by their resident ID number."""

    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    photo = models.FileField(_("照片"), upload_to="photos/", blank=True)
    school = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("所在院校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("所在县区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "id"

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["school", "id"]),
            models.Index(fields=["county", "id"]),
            # A county admin filtering by one school: index-only count, ordered page (bench/listpage).
            models.Index(fields=["county", "school", "id"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.CheckConstraint(name="person_id_number_length", condition=Q(id_number__regex=r"^\d{17}[0-9X]$")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class Student(models.Model):
    """A person enrolled at a school: major, stage, entry and expected graduation year."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="student_records", verbose_name=_("人员"))
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    student_number = models.CharField(_("学号"), max_length=30, blank=True)
    major = models.CharField(_("专业"), max_length=60)
    stage = models.CharField(_("学段"), max_length=20, choices=Stage.choices)
    entry_year = models.PositiveSmallIntegerField(_("入学年份"))
    expected_graduation_year = models.PositiveSmallIntegerField(_("预计毕业年份"))
    outstanding = models.BooleanField(_("优秀学生"), default=False, help_text=_("R4：优秀中职毕业生可报考高级工"))
    status = models.CharField(
        _("学籍状态"), max_length=10, choices=StudentStatus.choices, default=StudentStatus.ENROLLED
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("在校生")
        verbose_name_plural = _("在校生")
        ordering = ["school", "-entry_year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "school", "stage"], name="student_once_per_school_stage"),
            models.CheckConstraint(
                name="student_graduates_after_entry",
                condition=Q(expected_graduation_year__gt=models.F("entry_year")),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "expected_graduation_year"]),
            models.Index(fields=["county", "expected_graduation_year"]),
            # The student list is ordered by -id within a school, a county, or a county and school.
            models.Index(fields=["school", "id"]),
            models.Index(fields=["county", "id"]),
            models.Index(fields=["county", "school", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.major} {self.entry_year}级"


class Teacher(models.Model):
    """A teacher of a school; may later be an examiner or a competition winner."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="teacher_records", verbose_name=_("人员"))
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    department = models.CharField(_("系部"), max_length=60, blank=True)
    title = models.CharField(_("职称"), max_length=30, blank=True)
    active = models.BooleanField(_("在职"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        constraints = [models.UniqueConstraint(fields=["person", "school"], name="teacher_once_per_school")]

    def __str__(self) -> str:
        return f"{self.person}（{self.school}）"


class SocialLearner(models.Model):
    """A member of the public trained by a school or county (R18 target group)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="learner_records", verbose_name=_("人员"))
    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记单位"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    target_group = models.CharField(_("人员类别"), max_length=30, choices=TargetGroup.choices)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    registered_on = models.DateField(_("登记日期"), default=timezone.localdate)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "org_unit"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("社会学员")
        verbose_name_plural = _("社会学员")
        constraints = [models.UniqueConstraint(fields=["person", "org_unit"], name="social_learner_once_per_unit")]
        indexes = [models.Index(fields=["county", "target_group"])]

    def __str__(self) -> str:
        return f"{self.person}（{self.get_target_group_display()}）"
