"""R2 in a real browser: a school files an institution, the 人社 officer approves it, the public
catalog (no login) shows it with its scope and filing number."""

from __future__ import annotations

import re

import pytest

from chizheng.core.testing import PASSWORD
from chizheng.institutions.models import EvaluationInstitution
from chizheng.occupations.models import Occupation

pytestmark = pytest.mark.browser


def test_r02_filing_approval_and_public_catalog(app, tab):
    Occupation.objects.filter(code="6-18-01-01").update(
        has_national_standard=True, standard_number="6-18-01-01(2018)", standard_levels=[5, 4, 3, 2, 1]
    )
    page = tab.page
    tab.login("school", PASSWORD)
    page.locator("aside").get_by_role("link", name="评价机构", exact=True).click()
    page.get_by_role("link", name="新增备案").click()
    page.select_option("#id_school", str(app.school.pk))
    page.select_option("#id_kind", "college")
    page.fill("#id_name", "焦作市职业技术学校职业技能等级评价中心")
    page.fill("#id_code", "0101")
    page.fill("#id_contact", "王老师")
    page.fill("#id_phone", "0391-3561234")
    page.fill("#id_sites", "实训楼 A 座（解放区民主路 1 号）")
    page.get_by_role("button", name="保存").click()
    assert "草稿" in tab.text("h2")

    page.get_by_role("link", name="增加评价范围").click()
    page.fill("#id_occupation", "6-18-01-01")
    page.select_option("#id_highest_level", "3")
    page.fill("#id_added_on", "2022-02-01")
    page.get_by_role("button", name="保存").click()
    assert "车工" in tab.text("#scopes")
    page.get_by_role("button", name="提交备案").click()
    assert "待审核" in tab.text("h2")
    tab.shot("inst-01-submitted")

    tab.page.context.clear_cookies()
    tab.login("hrss", PASSWORD)
    page.locator("aside").get_by_role("link", name="备案审核").click()
    page.get_by_role("link", name="焦作市职业技术学校职业技能等级评价中心").click()
    page.get_by_role("link", name="备案通过").click()
    page.fill("#id_filing_number", "焦人社评备〔2022〕101号")
    page.fill("#id_filed_on", "2022-03-01")
    page.get_by_role("button", name="保存").click()
    assert "已备案" in tab.text("h2")
    assert "备案通过" in tab.text("#history")
    tab.shot("inst-02-approved")
    assert EvaluationInstitution.objects.get(code="0101").status == "filed"

    tab.page.context.clear_cookies()
    tab.go("/catalog/")
    page.fill("#q", "车工")
    page.get_by_role("button", name="筛选").click()
    row = tab.text("table")
    assert "焦人社评备〔2022〕101号" in row
    assert re.search("车工（最高三级/高级工）", row)
    tab.shot("inst-03-catalog")
