"""The three recognition pathways that end in the one issuance service (certification.services):

- R5 direct recognition (直接认定): `XCertificate` records (1+X) and the city's `XCertMapping`
  (1+X certificate → occupation);
- R6 process assessment (过程化考核): a school's `CourseCertMapping` (课证融通方案) with its
  `MappedCourse` rows, and `CourseResult` per student × course;
- R7 competition (竞赛取证): a school's `Competition` with `CompetitionBand` rules and
  `CompetitionEntry` rows (registered person, later rank/score);
- shared: a `RecognitionBatch` (one run of one pathway by one institution) and its
  `BatchCandidate` rows — who qualifies at which level, or the rule that stops them.

Scoped tables carry real `school`/`county` keys (the scope filter and the future Citus
distribution key). Unique constraints of the large per-school tables include `school` so they
stay enforceable once distributed; the 1+X number is unique per organisation city-wide, as
the real world demands.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chizheng.certification.choices import Pathway
from chizheng.core.scoping import ScopedQuerySet
from chizheng.occupations.choices import SkillLevel

from .choices import (
    BandBasis,
    BatchStatus,
    CandidateOutcome,
    CompetitionAudience,
    Participant,
    XLevel,
)

# ---------------------------------------------------------------------------------------------- R5


class XCertificate(models.Model):
    """One 1+X certificate (职业技能等级证书 of a 培训评价组织) held by a person, as imported by a school.

    `school`/`county` are the importing school's (scope). The number is unique per organisation.
    A 1+X certificate is not a vocational skill certificate (R11); R5 may recognise one from it.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="x_certificates", verbose_name=_("持证人")
    )
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    organisation = models.CharField(_("培训评价组织"), max_length=100)
    name = models.CharField(_("证书名称"), max_length=100)
    level = models.CharField(_("等级"), max_length=20, choices=XLevel.choices)
    number = models.CharField(_("证书编号"), max_length=60)
    issued_on = models.DateField(_("发证日期"))
    source_import = models.ForeignKey(
        "core.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("导入任务")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("1+X 证书")
        verbose_name_plural = _("1+X 证书")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["school", "id"]),
            models.Index(fields=["county", "id"]),
            models.Index(fields=["school", "name"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="xcert_number_unique_per_organisation"),
            models.CheckConstraint(name="xcert_number_not_blank", condition=~Q(number="")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）{self.number}"


class XCertMapping(models.Model):
    """The city's mapping of a 1+X certificate to an occupation (and optionally a trade), used by R5.

    `organisation` empty means "whatever organisation issued it"; a mapping naming the organisation
    wins over the general one. City-wide reference data: everyone who may see pathways reads it.
    """

    certificate_name = models.CharField(_("1+X 证书名称"), max_length=100)
    organisation = models.CharField(_("培训评价组织"), max_length=100, blank=True, default="")
    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("职业")
    )
    trade = models.ForeignKey(
        "occupations.Trade", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("工种")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("1+X 证书职业对应")
        verbose_name_plural = _("1+X 证书职业对应")
        ordering = ["certificate_name", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["certificate_name", "organisation"], name="xmapping_unique_name_org"),
            models.CheckConstraint(name="xmapping_name_not_blank", condition=~Q(certificate_name="")),
        ]

    def __str__(self) -> str:
        org = f"（{self.organisation}）" if self.organisation else ""
        return f"{self.certificate_name}{org} → {self.occupation}"


# ---------------------------------------------------------------------------------------------- R6


class CourseCertMapping(models.Model):
    """A school's course-certificate mapping (课证融通方案): passing every mapped course (theory and
    practical) recognises a graduate or graduating-year student in the occupation (R6)."""

    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    name = models.CharField(_("方案名称"), max_length=100)
    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("职业")
    )
    trade = models.ForeignKey(
        "occupations.Trade", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("工种")
    )
    major = models.CharField(_("适用专业"), max_length=60, blank=True, help_text=_("空表示不限专业"))
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("课证融通方案")
        verbose_name_plural = _("课证融通方案")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="coursemapping_unique_name_per_school"),
        ]

    def __str__(self) -> str:
        return self.name


class MappedCourse(models.Model):
    """One course of a course-certificate mapping, by the school's course code."""

    mapping = models.ForeignKey(CourseCertMapping, on_delete=models.CASCADE, related_name="courses")
    code = models.CharField(_("课程代码"), max_length=30)
    name = models.CharField(_("课程名称"), max_length=100)

    class Meta:
        verbose_name = _("融通课程")
        verbose_name_plural = _("融通课程")
        ordering = ["mapping", "code"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "code"], name="mappedcourse_unique_code"),
            models.CheckConstraint(name="mappedcourse_code_not_blank", condition=~Q(code="")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CourseResult(models.Model):
    """A student's result in one course of their school: theory exam and practical assessment, each
    passed or not (with the score where there is one). One row per school × student × course code."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="course_results", verbose_name=_("学生")
    )
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    course_code = models.CharField(_("课程代码"), max_length=30)
    course_name = models.CharField(_("课程名称"), max_length=100)
    theory_score = models.DecimalField(_("理论成绩"), max_digits=4, decimal_places=1, null=True, blank=True)
    theory_passed = models.BooleanField(_("理论合格"))
    practical_score = models.DecimalField(_("实践成绩"), max_digits=4, decimal_places=1, null=True, blank=True)
    practical_passed = models.BooleanField(_("实践合格"))
    term = models.CharField(_("学期"), max_length=20, blank=True, help_text=_("例如 2024-2025-2"))
    year = models.PositiveSmallIntegerField(_("学年（结束年份）"))
    source_import = models.ForeignKey(
        "core.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("导入任务")
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("课程成绩")
        verbose_name_plural = _("课程成绩")
        ordering = ["school", "person", "course_code"]
        indexes = [
            models.Index(fields=["school", "id"]),
            models.Index(fields=["county", "id"]),
            models.Index(fields=["school", "course_code"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["school", "person", "course_code"], name="courseresult_once_per_course"),
            models.CheckConstraint(
                name="courseresult_score_range",
                condition=(Q(theory_score__isnull=True) | Q(theory_score__gte=0, theory_score__lte=100))
                & (Q(practical_score__isnull=True) | Q(practical_score__gte=0, practical_score__lte=100)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.course_code}"

    @property
    def passed(self) -> bool:
        return self.theory_passed and self.practical_passed


# ---------------------------------------------------------------------------------------------- R7


class Competition(models.Model):
    """A school's skill competition (校内技能竞赛) in one occupation on one date, for students, teachers
    or both. Its rules are the `bands` (rank or score ranges → level, by `basis`; no overlaps, R7)."""

    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    name = models.CharField(_("竞赛名称"), max_length=100)
    occupation = models.ForeignKey(
        "occupations.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("职业")
    )
    trade = models.ForeignKey(
        "occupations.Trade", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("工种")
    )
    held_on = models.DateField(_("竞赛日期"))
    audience = models.CharField(
        _("参赛对象"), max_length=20, choices=CompetitionAudience.choices, default=CompetitionAudience.STUDENTS
    )
    basis = models.CharField(_("认定规则"), max_length=10, choices=BandBasis.choices, default=BandBasis.RANK)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("技能竞赛")
        verbose_name_plural = _("技能竞赛")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["school", "held_on"]), models.Index(fields=["county", "held_on"])]
        constraints = [
            models.UniqueConstraint(fields=["school", "name", "held_on"], name="competition_unique_per_school_day"),
        ]

    def __str__(self) -> str:
        return self.name


class CompetitionBand(models.Model):
    """One rule of a competition: ranks `rank_from`–`rank_to` (basis rank) or scores `score_min`–`score_max`
    inclusive (basis score) earn `level`. Bands of one competition must not overlap (rules.check_bands)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="bands")
    rank_from = models.PositiveIntegerField(_("名次自"), null=True, blank=True)
    rank_to = models.PositiveIntegerField(_("名次至"), null=True, blank=True)
    score_min = models.DecimalField(_("成绩自"), max_digits=5, decimal_places=1, null=True, blank=True)
    score_max = models.DecimalField(_("成绩至"), max_digits=5, decimal_places=1, null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("认定等级"), choices=SkillLevel.choices)

    class Meta:
        verbose_name = _("竞赛认定规则")
        verbose_name_plural = _("竞赛认定规则")
        ordering = ["competition", "rank_from", "-score_max", "id"]
        constraints = [
            models.CheckConstraint(name="band_level_1_to_5", condition=Q(level__gte=1, level__lte=5)),
            models.CheckConstraint(
                name="band_rank_or_score",
                condition=(
                    Q(
                        rank_from__isnull=False,
                        rank_to__isnull=False,
                        rank_from__gte=1,
                        rank_to__gte=models.F("rank_from"),
                        score_min__isnull=True,
                        score_max__isnull=True,
                    )
                    | Q(
                        rank_from__isnull=True,
                        rank_to__isnull=True,
                        score_min__isnull=False,
                        score_max__isnull=False,
                        score_min__gte=0,
                        score_max__gte=models.F("score_min"),
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.rank_from is not None:
            return f"第 {self.rank_from}–{self.rank_to} 名 → {self.level} 级"
        return f"{self.score_min}–{self.score_max} 分 → {self.level} 级"


class CompetitionEntry(models.Model):
    """A person registered for a competition (student or teacher), and their result once recorded
    (rank and/or score). `school`/`county` are the competition's (scope); the person sees their own."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="competition_entries", verbose_name=_("参赛人员")
    )
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    participant = models.CharField(_("参赛身份"), max_length=10, choices=Participant.choices)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=1, null=True, blank=True)
    result_recorded_at = models.DateTimeField(_("成绩录入时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("报名时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("参赛登记")
        verbose_name_plural = _("参赛登记")
        ordering = ["competition", "rank", "id"]
        indexes = [models.Index(fields=["school", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["competition", "person"], name="entry_once_per_competition"),
            models.UniqueConstraint(
                fields=["competition", "rank"],
                condition=Q(rank__isnull=False),
                name="entry_rank_unique_per_competition",
            ),
            models.CheckConstraint(name="entry_rank_positive", condition=Q(rank__isnull=True) | Q(rank__gte=1)),
            models.CheckConstraint(name="entry_score_non_negative", condition=Q(score__isnull=True) | Q(score__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.competition} {self.person_id}"


# ---------------------------------------------------------------------------------------- batches


class RecognitionBatch(models.Model):
    """One recognition run of one pathway by one evaluation institution (R5/R6/R7): the preview of every
    candidate and, once confirmed, the certificates it publicised through certification.services.

    The source: R6 names its `course_mapping`, R7 its `competition`; R5 takes the school's 1+X records,
    narrowed to `occupation` when set. `level` optionally narrows the preview to one level.
    """

    pathway = models.CharField(_("取证途径"), max_length=20, choices=Pathway.choices)
    institution = models.ForeignKey(
        "institutions.EvaluationInstitution",
        on_delete=models.PROTECT,
        related_name="recognition_batches",
        verbose_name=_("评价机构"),
    )
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    title = models.CharField(_("批次名称"), max_length=100)
    occupation = models.ForeignKey(
        "occupations.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("职业"),
    )
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices, null=True, blank=True)
    course_mapping = models.ForeignKey(
        CourseCertMapping,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
        verbose_name=_("课证融通方案"),
    )
    competition = models.ForeignKey(
        Competition, null=True, blank=True, on_delete=models.PROTECT, related_name="batches", verbose_name=_("竞赛")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT, db_index=True
    )
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    previewed_at = models.DateTimeField(_("预览时间"), null=True, blank=True)
    qualified_count = models.PositiveIntegerField(_("符合条件人数"), default=0)
    refused_count = models.PositiveIntegerField(_("不符合人数"), default=0)
    confirmed_on = models.DateField(_("确认（公示开始）日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certificate_count = models.PositiveIntegerField(_("公示证书数"), default=0)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"

    class Meta:
        verbose_name = _("认定批次")
        verbose_name_plural = _("认定批次")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school", "pathway", "id"]),
            models.Index(fields=["county", "pathway", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="batch_pathway_source",
                condition=Q(pathway="direct", course_mapping__isnull=True, competition__isnull=True)
                | Q(pathway="process", course_mapping__isnull=False, competition__isnull=True)
                | Q(pathway="competition", course_mapping__isnull=True, competition__isnull=False),
            ),
            models.CheckConstraint(
                name="batch_level_1_to_5", condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5)
            ),
            models.CheckConstraint(
                name="batch_confirmed_has_date",
                condition=Q(status__in=["draft", "previewed"]) | Q(confirmed_on__isnull=False),
            ),
            models.CheckConstraint(
                name="batch_publicity_days_range", condition=Q(publicity_days__gte=1, publicity_days__lte=60)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """May still be (re)previewed and confirmed."""
        return self.status in (BatchStatus.DRAFT, BatchStatus.PREVIEWED)


class BatchCandidate(models.Model):
    """One candidate of a batch: qualifies at `occupation`/`level` with its `evidence`, or refused with the
    rule that stops them (`reason_code` + Chinese `reason`). `source_key` names the source row
    ("x:<XCertificate id>", "course:<mapping id>:<person id>", "entry:<CompetitionEntry id>"), one per batch.
    `certificate` is the certificate the confirm publicised for it."""

    batch = models.ForeignKey(RecognitionBatch, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("院校"))
    county = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    source_key = models.CharField(_("来源"), max_length=60)
    outcome = models.CharField(_("结果"), max_length=20, choices=CandidateOutcome.choices)
    occupation = models.ForeignKey(
        "occupations.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("职业"),
    )
    trade = models.ForeignKey(
        "occupations.Trade", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("工种")
    )
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices, null=True, blank=True)
    reason_code = models.CharField(_("原因代码"), max_length=40, blank=True)
    reason = models.CharField(_("不符合原因"), max_length=300, blank=True)
    evidence_type = models.CharField(_("依据类型"), max_length=30)
    evidence_id = models.CharField(_("依据编号"), max_length=60, blank=True)
    evidence = models.JSONField(_("取证依据"), default=dict, blank=True)
    x_certificate = models.ForeignKey(
        XCertificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("1+X 证书")
    )
    competition_entry = models.ForeignKey(
        CompetitionEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("参赛记录"),
    )
    certificate = models.ForeignKey(
        "certification.Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batch_candidates",
        verbose_name=_("证书"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_county_field = "county"
    scope_school_field = "school"
    scope_person_field = "person"

    class Meta:
        verbose_name = _("认定候选人")
        verbose_name_plural = _("认定候选人")
        ordering = ["batch", "outcome", "id"]
        indexes = [models.Index(fields=["school", "id"]), models.Index(fields=["batch", "outcome"])]
        constraints = [
            models.UniqueConstraint(fields=["batch", "source_key"], name="candidate_once_per_source"),
            models.CheckConstraint(
                name="candidate_outcome_consistent",
                condition=Q(
                    outcome="qualifies",
                    occupation__isnull=False,
                    level__isnull=False,
                    level__gte=1,
                    level__lte=5,
                    reason_code="",
                )
                | (Q(outcome="refused", certificate__isnull=True) & ~Q(reason_code="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.person_id} {self.outcome}"

    @property
    def qualifies(self) -> bool:
        return self.outcome == CandidateOutcome.QUALIFIES

    @property
    def reason_label(self) -> str:
        """The short Chinese name of the rule that stops the candidate."""
        from .rules import REASON_LABELS

        return REASON_LABELS.get(self.reason_code, self.reason_code)
