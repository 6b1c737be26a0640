"""Enumerations of the org tree, roles and the R18 vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    SCHOOL = "school", _("院校")


class SchoolKind(models.TextChoices):
    SECONDARY = "secondary", _("中职")
    HIGHER = "higher", _("高职")
    UNDERGRADUATE = "undergraduate", _("本科")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市教育局管理员")
    COUNTY_ADMIN = "county_admin", _("县区教育局管理员")
    SCHOOL_ADMIN = "school_admin", _("院校管理员")
    EXAMINER = "examiner", _("考评员")
    SUPERVISOR = "supervisor", _("督导员")
    EXPERT = "expert", _("评审专家")
    HRSS_OFFICER = "hrss_officer", _("人社备案员")
    LEARNER = "learner", _("学生/学员")


class KeyField(models.TextChoices):
    """The ten key fields of 重点任务二 (R18)."""

    BIG_DATA = "big_data", _("大数据")
    SOFTWARE = "software", _("软件开发")
    SMART_MANUFACTURING = "smart_manufacturing", _("智能制造")
    INTERNATIONAL_TRADE = "international_trade", _("国际贸易")
    LOGISTICS = "logistics", _("现代物流")
    E_COMMERCE = "e_commerce", _("电子商务")
    ECOLOGY = "ecology", _("生态环保")
    CULTURE_TOURISM = "culture_tourism", _("文化旅游")
    HOUSEKEEPING = "housekeeping", _("家政服务")
    HEALTHCARE = "healthcare", _("医疗健康")
    OTHER = "other", _("其他")


class TargetGroup(models.TextChoices):
    """Groups of social learners the policy names (R18)."""

    RURAL_MIGRANT = "rural_migrant", _("农村转移劳动力")
    OUT_OF_POVERTY = "out_of_poverty", _("已脱贫劳动力")
    RETURNING_ENTREPRENEUR = "returning_entrepreneur", _("返乡入乡创业人员")
    RURAL_LEADER = "rural_leader", _("农村致富带头人")
    URBAN_UNEMPLOYED = "urban_unemployed", _("城镇下岗失业人员")
    JOB_TRANSFER = "job_transfer", _("转岗职工")
    HIGH_QUALITY_FARMER = "high_quality_farmer", _("高素质农民")
    OTHER = "other", _("其他社会人员")


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    VIEW_FULL_ID = "view_full_id", _("查看完整身份证号")
    EXPORT = "export", _("导出")
    LOGIN = "login", _("登录")
    TOKEN = "token", _("令牌")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("处理中")
    FAILED = "failed", _("校验未通过")
    DONE = "done", _("已导入")
    ERROR = "error", _("出错")
