"""Enumerations of certificates: kind, pathway, lifecycle and query-system reporting."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    """The three kinds of vocational certificate (1+X certificates are separate records, R11)."""

    QUALIFICATION = "qualification", _("职业资格证书")
    SKILL_LEVEL = "skill_level", _("职业技能等级证书")
    SPECIAL = "special", _("专项职业能力证书")


class Pathway(models.TextChoices):
    """How the holder earned the certificate (R4–R7); each pathway keeps its own evidence."""

    EXAM = "exam", _("考试考核")
    DIRECT = "direct", _("直接认定")
    PROCESS = "process", _("过程化考核")
    COMPETITION = "competition", _("竞赛取证")
    TRAINING = "training", _("培训考核")


class CertificateStatus(models.TextChoices):
    """publicised (公示, objections possible) → issued (numbered) → revoked; a reissue replaces a certificate.

    Reporting to the query systems is tracked per system (ReportStatus), not here."""

    PUBLICISED = "publicised", _("公示中")
    ISSUED = "issued", _("已发证")
    REVOKED = "revoked", _("已撤销")
    REPLACED = "replaced", _("已换发")


class ReportStatus(models.TextChoices):
    """Reporting to one query system (national or Henan, R10)."""

    PENDING = "pending", _("未上报")
    EXPORTED = "exported", _("已导出待回执")
    ACCEPTED = "accepted", _("已上报")
    REJECTED = "rejected", _("被退回")


class EvidenceType(models.TextChoices):
    """What the evidence_id points at."""

    EXAM_REGISTRATION = "exam_registration", _("考试考核报名")
    ONE_X = "one_x", _("1+X 证书")
    COURSE_RESULTS = "course_results", _("课程成绩")
    COMPETITION = "competition", _("竞赛成绩")
    TRAINING = "training", _("培训记录")
    OTHER = "other", _("其他")


# How the evidence keys each pathway writes (certification.IssueItem.evidence) read on a certificate's page.
EVIDENCE_LABELS: dict[str, str] = {
    "session": "考核场次",
    "theory": "理论成绩",
    "skill": "技能成绩",
    "total": "总成绩",
    "x_certificate": "1+X 证书记录",
    "organisation": "培训评价组织",
    "name": "证书名称",
    "level": "1+X 等级",
    "number": "1+X 证书编号",
    "issued_on": "1+X 发证日期",
    "mapping": "课证融通方案",
    "stage": "学段",
    "major": "专业",
    "graduation": "毕业届别",
    "competition": "竞赛",
    "held_on": "竞赛日期",
    "participant": "参赛身份",
    "rank": "名次",
    "score": "成绩",
    "rule": "认定规则",
    "demo": "演示数据",
}
