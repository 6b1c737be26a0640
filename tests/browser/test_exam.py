"""R4 in a real browser: a school plans an exam session, registers candidates, staffs it with external
examiners and starts it; an assigned examiner enters scores; the school confirms, publicises and issues;
the public verification page (no login) answers valid for a passer's certificate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chizheng.assessments.models import AssessmentSession
from chizheng.assessments.tests import factories as f
from chizheng.certification.models import Certificate
from chizheng.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def test_r04_session_from_plan_to_certificate_to_verification(app, tab):
    inst = f.institution(app)
    persons = f.students(app, 3)
    staff = f.external_staff(app)
    page = tab.page

    tab.login("school", PASSWORD)
    page.locator("aside").get_by_role("link", name="考核场次").click()
    page.get_by_role("link", name="计划考核").click()
    page.select_option("#id_institution", str(inst.pk))
    page.fill("#id_occupation", f.occupation().code)
    page.select_option("#id_level", "4")
    page.fill("#id_held_on", "2023-06-01")
    page.fill("#id_title", "车工中级工 2023 年 6 月")
    page.get_by_role("button", name="保存").click()
    assert "已计划" in tab.text("h2")
    session = AssessmentSession.objects.get()

    for p in persons:
        page.get_by_role("link", name="考生报名").click()
        page.fill("#id_id_number", p.id_number)
        page.get_by_role("button", name="保存").click()
    assert "考生（3 人" in tab.text()
    assert "须配备督导员" in tab.text("#staffing-problems")
    for e in staff.examiners + staff.invigilators + staff.supervisors:
        page.get_by_role("link", name="安排考评人员").click()
        page.select_option("#id_examiner", str(e.pk))
        page.get_by_role("button", name="保存").click()
    assert page.locator("#staffing-problems").count() == 0
    page.get_by_role("button", name="开始考核").click()
    assert "考核中" in tab.text("h2")
    tab.shot("exam-01-started")

    tab.page.context.clear_cookies()
    examiner = staff.users[staff.examiners[0].pk]
    tab.login(examiner.username, "x")
    for reg, (theory, skill) in zip(
        session.registrations.order_by("id"), [("80", "75"), ("59.5", "90"), ("60", "60")], strict=True
    ):
        tab.go(reverse("assessments:score_enter", args=[session.pk, reg.pk]))
        page.fill("#id_theory", theory)
        page.fill("#id_skill", skill)
        page.get_by_role("button", name="保存").click()
    assert "已录入成绩" in tab.text("h2")
    assert "合格 2 人" in tab.text()

    tab.page.context.clear_cookies()
    tab.login("school", PASSWORD)
    tab.go(reverse("assessments:session_detail", args=[session.pk]))
    page.get_by_role("button", name="确认成绩").click()
    assert "成绩已确认" in tab.text("h2")
    page.get_by_role("link", name="公示结果").click()
    page.fill("#id_on_date", "2023-06-05")
    page.get_by_role("button", name="保存").click()
    assert "结果公示中" in tab.text("h2")
    page.get_by_role("link", name="为合格考生发证").click()
    page.fill("#id_today", "2023-06-20")
    page.get_by_role("button", name="保存").click()
    assert "已发证" in tab.text("h2")
    tab.shot("exam-02-issued")
    certificate = Certificate.objects.filter(pathway="exam").order_by("id").first()
    assert certificate is not None
    assert Certificate.objects.filter(pathway="exam").count() == 2

    tab.page.context.clear_cookies()
    tab.go("/verify/")
    page.fill("#number", certificate.number)
    page.fill("#name", certificate.holder_name)
    page.get_by_role("button", name="核验").click()
    assert page.locator("#answer").get_attribute("data-result") == "valid"
    tab.shot("exam-03-verified")
