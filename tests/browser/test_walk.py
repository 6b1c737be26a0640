"""Each main persona logs in and walks the main pages in a real browser."""

from __future__ import annotations

import re

import pytest

from chizheng.core.models import AccessToken, AuditEvent, User
from chizheng.core.testing import PASSWORD
from chizheng.people.models import Person

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")


def _has_chinese(text: str) -> bool:
    return len(CJK.findall(text)) >= 10


def test_the_city_admin_walks_org_tree_catalog_audit_users_and_tokens(app, tab):
    page = tab.page
    tab.go("/login/")
    assert "chizheng-demo" in tab.text()  # demo mode shows the shared password
    tab.shot("01-login")
    tab.login("city", PASSWORD)
    assert "工作台 · 全市" in tab.text("h2")
    assert page.inner_text("[data-stat=schools]") == "3"
    sidebar = tab.text("aside")
    for label in ("组织机构", "用户管理", "人员库", "职业与工种", "审计日志", "访问令牌"):
        assert label in sidebar
    tab.shot("02-city-home")

    page.get_by_role("link", name="组织机构", exact=True).click()
    assert "解放区民办职校" in tab.text("table")
    page.select_option("#f-ownership", "private")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "民办" in rows.first.inner_text()
    page.get_by_role("link", name="树形视图").click()
    assert "2 个县（市、区），3 所院校" in tab.text("#tree-summary")
    tab.shot("03-org-tree")
    page.get_by_role("link", name="温县职业中专").click()
    assert "温县职业中专" in tab.text("h2")
    assert "公办" in tab.text()

    tab.go("/occupations/groups/")
    page.get_by_role("link", name=re.compile("^6 ")).click()
    page.locator("#group-children a").first.click()
    page.locator("#group-children a").first.click()
    page.locator("#group-occupations tbody a").first.click()
    assert re.search(r"\d-\d{2}-\d{2}-\d{2}", tab.text("h2"))
    tab.go("/occupations/")
    page.fill("#q", "6-18-01-01")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="6-18-01-01").click()
    page.get_by_role("link", name="编辑标准与重点领域").click()
    page.check("#id_has_national_standard")
    page.fill("#id_standard_number", "6-18-01-01")
    page.fill("#id_levels", "5,4,3")
    page.select_option("#id_key_field", "logistics")
    page.get_by_role("button", name="保存").click()
    assert "五级/初级工、四级/中级工、三级/高级工" in tab.text("#standard")
    page.fill("input[name=name]", "叉车司机")
    page.get_by_role("button", name="添加").click()
    assert "叉车司机" in tab.text("#trades")
    tab.shot("04-occupation-detail")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#trades").get_by_role("button", name="删除").click()
    assert "暂无工种" in tab.text("#trades")

    page.get_by_role("link", name="用户管理").click()
    page.get_by_role("link", name="新增用户").click()
    page.fill("#id_username", "wenxian_admin")
    page.fill("#id_display_name", "温县管理员")
    page.select_option("#id_role", "county_admin")
    page.select_option("#id_org_unit", label="温县")
    page.fill("#id_password", "Wen-County-2026!")
    page.get_by_role("button", name="保存").click()
    assert "已创建用户 wenxian_admin" in tab.text()
    assert User.objects.get(username="wenxian_admin").org_unit == app.other_county
    page.get_by_role("button", name="停用账号").click()
    assert "已停用账号" in tab.text()
    tab.shot("05-user-detail")

    page.get_by_role("link", name="访问令牌").click()
    page.fill("input[name=name]", "教务系统对接")
    page.get_by_role("button", name="创建令牌").click()
    raw = page.inner_text("#new-token")
    assert raw.startswith("czp_")
    token = AccessToken.objects.get(user__username="city")
    assert token.is_active
    page.get_by_role("button", name="吊销").click()
    assert "已吊销" in tab.text("table")
    token.refresh_from_db()
    assert not token.is_active

    page.get_by_role("link", name="审计日志").click()
    page.select_option("#f-action", "token")
    page.get_by_role("button", name="筛选").click()
    assert page.locator("table tbody tr").count() == 2
    tab.shot("06-audit-log")
    assert _has_chinese(tab.text())

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_a_school_admin_reveals_an_id_number_filters_students_and_edits_a_person(app, tab):
    page = tab.page
    person = Person.objects.get(name="李明")
    tab.login("school", PASSWORD)
    assert "工作台 · 本校" in tab.text("h2")
    page.get_by_role("link", name="在校生").click()
    page.select_option("#f-stage", "secondary")
    page.get_by_role("button", name="筛选").click()
    assert "数控技术应用" in tab.text("table")
    page.select_option("#f-stage", "undergraduate")
    page.get_by_role("button", name="筛选").click()
    assert "没有符合条件的记录" in tab.text("table")
    page.get_by_role("link", name="人员库").click()
    assert person.masked_id_number in tab.text("table")
    assert person.id_number not in tab.text("table")
    page.get_by_role("link", name="李明").click()
    assert page.inner_text("#id-number") == person.masked_id_number
    page.get_by_role("button", name=re.compile("显示完整号码")).click()
    assert page.inner_text("#id-number") == person.id_number
    assert AuditEvent.objects.filter(action="view_full_id", actor_name="school").count() == 1
    tab.shot("07-person-detail-revealed")
    page.get_by_role("link", name="编辑", exact=True).first.click()
    page.fill("#id_phone", "13903910000")
    page.get_by_role("button", name="保存").click()
    assert "13903910000" in tab.text()
    assert _has_chinese(tab.text())


def test_a_county_admin_sees_their_county_only_and_other_counties_answer_not_found(app, tab):
    page = tab.page
    tab.login("county", PASSWORD)
    page.get_by_role("link", name="组织机构", exact=True).click()
    table = tab.text("table")
    assert "焦作市职业技术学校" in table
    assert "温县职业中专" not in table
    response = tab.go(f"/core/org/{app.other_school.pk}/")
    assert response.status == 404
    assert "未找到" in tab.text("h2")
    tab.shot("08-county-not-found")


def test_a_learner_sees_only_their_own_information(app, tab):
    page = tab.page
    tab.login("learner", PASSWORD)
    sidebar = tab.text("aside")
    assert "我的信息" in sidebar
    assert "人员库" not in sidebar
    assert "组织机构" not in sidebar
    page.get_by_role("link", name="我的信息").click()
    assert "我的信息 · 李明" in tab.text("h2")
    assert "显示完整号码" not in tab.text()
    tab.shot("09-learner-me")
    response = tab.go("/people/")
    assert response.status == 403
    assert "无权访问" in tab.text("h2")
