"""R3 in a real browser: a school drafts a spec, invites five experts, each logs in and approves,
the school submits it and the 人社 officer files it — then it is active."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chizheng.core.choices import Role
from chizheng.core.models import User
from chizheng.core.testing import PASSWORD
from chizheng.occupations.choices import SpecStatus
from chizheng.occupations.models import EvaluationSpec
from chizheng.occupations.specs import spec_active_levels

pytestmark = pytest.mark.browser


def _logout(tab):
    tab.page.context.clear_cookies()


def test_spec_five_reviews_submission_and_filing(app, tab):
    page = tab.page
    experts = []
    for i in range(2, 7):
        expert = User(username=f"expert_{i}", role=Role.EXPERT, display_name=f"评审专家{i}")
        expert.set_password(PASSWORD)
        expert.save()
        experts.append(expert)

    tab.login("school", PASSWORD)
    page.get_by_role("link", name="评价规范", exact=True).click()
    page.get_by_role("link", name="起草评价规范").click()
    page.fill("#id_occupation", "4-04-05-05")
    page.fill("#id_title", "人工智能训练师评价规范")
    for level in ("5", "4", "3"):
        page.check(f"input[name=levels][value='{level}']")
    page.fill("#id_theory_weight", "30")
    page.fill("#id_skill_weight", "70")
    page.fill("#id_candidates_per_invigilator", "15")
    page.fill("#id_candidates_per_examiner", "5")
    page.fill("#id_content", "一、适用范围……")
    page.get_by_role("button", name="保存").click()
    assert "起草中" in tab.text("#spec-status")
    spec = EvaluationSpec.objects.get()
    for expert in experts:
        page.get_by_role("link", name="邀请专家").click()
        page.select_option("#id_expert", str(expert.pk))
        page.fill("#id_affiliation", "焦作大学")
        page.get_by_role("button", name="保存").click()
        assert expert.display_name in tab.text("#invitations")
    assert "专家评审中" in tab.text("#spec-status")
    tab.shot("specs-01-invited")
    _logout(tab)

    for n, expert in enumerate(experts, start=1):
        tab.login(expert.username, PASSWORD)
        page.get_by_role("link", name="评价规范", exact=True).click()
        page.get_by_role("link", name="人工智能训练师评价规范").click()
        page.get_by_role("link", name="提交评审意见").click()
        page.select_option("#id_verdict", "approve" if n % 2 else "approve_with_changes")
        page.fill("#id_comments", f"第 {n} 位专家的意见")
        page.get_by_role("button", name="保存").click()
        assert f"{n} / 至少 5 位" in tab.text("#spec-approvals")
        _logout(tab)
        if n == 4:
            tab.login("school", PASSWORD)
            tab.go(f"/occupations/specs/{spec.pk}/")
            page.get_by_role("button", name="报送省人社厅").click()
            assert "目前只有 4 位同意" in tab.text()
            assert "专家评审中" in tab.text("#spec-status")
            _logout(tab)
    tab.shot("specs-02-reviewed")

    tab.login("school", PASSWORD)
    tab.go(f"/occupations/specs/{spec.pk}/")
    page.get_by_role("button", name="报送省人社厅").click()
    assert "已报省人社厅" in tab.text("#spec-status")
    _logout(tab)

    today = timezone.localdate()
    tab.login("hrss", PASSWORD)
    page.get_by_role("link", name="评价规范", exact=True).click()
    page.get_by_role("link", name="人工智能训练师评价规范").click()
    page.get_by_role("link", name="登记备案").click()
    page.fill("#id_filing_number", "豫人社评规〔2022〕12号")
    page.fill("#id_filed_on", today.isoformat())
    page.get_by_role("button", name="保存").click()
    assert "已备案" in tab.text("#spec-status")
    assert "豫人社评规〔2022〕12号" in tab.text("#spec-filing")
    tab.shot("specs-03-filed")
    spec.refresh_from_db()
    assert spec.status == SpecStatus.FILED
    assert spec_active_levels(spec.occupation, today) == frozenset({5, 4, 3})
