"""The sidebar: the domain areas a user's role may open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .permissions import Perm, has_perm
from .scoping import scope_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm | None = None
    learner_only: bool = False

    def url(self) -> str:
        return reverse(self.url_name)


NAV: list[tuple[str, list[NavItem]]] = [
    ("工作台", [NavItem("首页", "home")]),
    (
        "组织与用户",
        [
            NavItem("组织机构", "core:org_list", Perm.VIEW_ORG),
            NavItem("机构树", "core:org_tree", Perm.VIEW_ORG),
            NavItem("用户管理", "core:user_list", Perm.MANAGE_USERS),
        ],
    ),
    (
        "人员",
        [
            NavItem("人员库", "people:person_list", Perm.VIEW_PEOPLE),
            NavItem("在校生", "people:student_list", Perm.VIEW_PEOPLE),
            NavItem("教师", "people:teacher_list", Perm.VIEW_PEOPLE),
            NavItem("社会学员", "people:learner_list", Perm.VIEW_PEOPLE),
            NavItem("批量导入", "core:import_list", Perm.IMPORT_PEOPLE),
            NavItem("我的信息", "people:me", learner_only=True),
        ],
    ),
    (
        "职业目录",
        [
            NavItem("职业与工种", "occupations:occupation_list", Perm.VIEW_OCCUPATIONS),
            NavItem("按分类浏览", "occupations:browse", Perm.VIEW_OCCUPATIONS),
            NavItem("评价规范", "occupations:spec_list", Perm.VIEW_SPECS),
        ],
    ),
    (
        "评价机构",
        [
            NavItem("评价机构", "institutions:institution_list", Perm.VIEW_INSTITUTIONS),
            NavItem("备案审核", "institutions:review_queue", Perm.REVIEW_INSTITUTION),
            NavItem("考评人员", "institutions:examiner_list", Perm.VIEW_INSTITUTIONS),
            NavItem("补贴名单", "institutions:subsidy_list", Perm.VIEW_INSTITUTIONS),
            NavItem("公开目录", "catalog"),
        ],
    ),
    (
        "考试考核",
        [
            NavItem("考核场次", "assessments:session_list", Perm.VIEW_ASSESSMENTS),
        ],
    ),
    (
        "认定取证",
        [
            NavItem("认定批次", "pathways:batch_list", Perm.VIEW_CERTIFICATES),
            NavItem("1+X 证书", "pathways:x_list", Perm.VIEW_CERTIFICATES),
            NavItem("1+X 职业对应", "pathways:mapping_list", Perm.VIEW_CERTIFICATES),
            NavItem("课证融通方案", "pathways:course_mapping_list", Perm.VIEW_CERTIFICATES),
            NavItem("课程成绩", "pathways:course_result_list", Perm.VIEW_CERTIFICATES),
            NavItem("技能竞赛", "pathways:competition_list", Perm.VIEW_CERTIFICATES),
        ],
    ),
    (
        "证书",
        [
            NavItem("证书", "certification:certificate_list", Perm.VIEW_CERTIFICATES),
            NavItem("异议处理", "certification:objection_list", Perm.VIEW_CERTIFICATES),
            NavItem("上报管理", "certification:report_batch_list", Perm.VIEW_CERTIFICATES),
            NavItem("未上报证书", "certification:report_unreported", Perm.VIEW_CERTIFICATES),
            NavItem("我的证书", "certification:my_certificates", learner_only=True),
            NavItem("证书核验", "verify"),
        ],
    ),
    (
        "毕业生持证",
        [
            NavItem("持证覆盖", "coverage:overview", Perm.VIEW_PEOPLE),
            NavItem("未持证毕业生", "coverage:students_without", Perm.VIEW_PEOPLE),
        ],
    ),
    (
        "系统",
        [
            NavItem("审计日志", "core:audit_list", Perm.VIEW_AUDIT),
            NavItem("访问令牌", "core:token_list"),
        ],
    ),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {"demo_mode": settings.DEMO_MODE}
    if not user.is_authenticated:
        return context
    is_learner = getattr(user, "role", "") == "learner"
    sections = []
    for title, items in NAV:
        visible = [
            item
            for item in items
            if (item.perm is None or has_perm(user, item.perm)) and (not item.learner_only or is_learner)
        ]
        if visible:
            sections.append((title, [(item.label, item.url(), item.url_name) for item in visible]))
    context["nav_sections"] = sections
    context["user_scope"] = scope_of(user)
    return context
