"""Enumerations of evaluation institutions, their history and their examiners."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    """The four kinds of skill evaluation institution (DESIGN.md)."""

    COLLEGE = "college", _("院校类职业技能等级评价机构")
    APPRAISAL = "appraisal", _("职业技能考核鉴定机构")
    SOCIAL = "social", _("面向社会人员的职业技能等级评价机构")
    SPECIAL = "special", _("专项职业能力考核机构")


class InstitutionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    FILED = "filed", _("已备案")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已撤销")


class EventKind(models.TextChoices):
    """One dated step of an institution's history."""

    CREATED = "created", _("创建")
    AMENDED = "amended", _("修改")
    SUBMITTED = "submitted", _("提交备案")
    RESUBMITTED = "resubmitted", _("重新提交")
    APPROVED = "approved", _("备案通过")
    RETURNED = "returned", _("退回")
    ANNUAL_REVIEW = "annual_review", _("年度审核")
    SCOPE_ADDED = "scope_added", _("增加评价范围")
    SCOPE_REMOVED = "scope_removed", _("取消评价范围")
    SUSPENDED = "suspended", _("暂停")
    RESTORED = "restored", _("恢复")
    REVOKED = "revoked", _("撤销")
    ATTACHMENT = "attachment", _("上传附件")
    SUBSIDY_LISTED = "subsidy_listed", _("列入补贴名单")
    SUBSIDY_UNLISTED = "subsidy_unlisted", _("移出补贴名单")


class ExaminerRole(models.TextChoices):
    EXAMINER = "examiner", _("考评员")
    INVIGILATOR = "invigilator", _("监考员")
    SUPERVISOR = "supervisor", _("督导员")
