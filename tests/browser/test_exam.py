"""R4 in a real browser: a school plans an exam session, registers candidates, staffs it with external
examiners and starts it; one assigned examiner enters scores on the page, a second downloads the session's
score sheet, fills it and uploads it (double entry); one disagreement is listed and re-entered; the school
confirms, publicises and issues; the public verification page (no login) answers valid for a passer's
certificate."""

from __future__ import annotations

import pytest
import python_calamine
from django.urls import reverse

from chizheng.assessments.models import AssessmentSession
from chizheng.assessments.tests import factories as f
from chizheng.certification.models import Certificate
from chizheng.core.excel import write_rows
from chizheng.core.models import ImportJob
from chizheng.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def test_r04_session_from_plan_to_certificate_to_verification(app, tab, tmp_path):
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

    marks = [("80", "75"), ("59.5", "90"), ("60", "60")]
    tab.page.context.clear_cookies()
    examiner = staff.users[staff.examiners[0].pk]
    tab.login(examiner.username, "x")
    for reg, (theory, skill) in zip(session.registrations.order_by("id"), marks, strict=True):
        tab.go(reverse("assessments:score_enter", args=[session.pk, reg.pk]))
        page.fill("#id_theory", theory)
        page.fill("#id_skill", skill)
        page.get_by_role("button", name="保存").click()
    assert "考核中" in tab.text("h2")  # one examiner's entries are not scores yet
    assert "待复核" in tab.text("#candidates")
    assert "我录入：80.0 / 75.0" in tab.text("#candidates")

    # the second examiner enters by Excel: the session's prefilled sheet, one skill score misread
    tab.page.context.clear_cookies()
    second = staff.users[staff.examiners[1].pk]
    tab.login(second.username, "x")
    tab.go(reverse("assessments:session_detail", args=[session.pk]))
    assert "80.0 / 75.0" not in tab.text("#candidates")  # the first examiner's values stay hidden
    page.get_by_role("link", name="上传成绩表").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载本场次成绩录入模板").click()
    rows = python_calamine.CalamineWorkbook.from_path(download.value.path()).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["场次编号", "准考证号", "姓名", "身份证号"]
    assert [r[2] for r in rows[1:]] == [p.name for p in persons]
    misread = [marks[0], ("59.5", "95"), marks[2]]
    sheet = tmp_path / "成绩.xlsx"
    write_rows(
        str(sheet), [str(h) for h in rows[0]], [[*r[:4], t, s] for r, (t, s) in zip(rows[1:], misread, strict=True)]
    )
    tab.shot("exam-02-score-upload")
    # first a sheet with a typo (two decimals): refused as a whole, the row and column named
    bad = tmp_path / "成绩-有误.xlsx"
    typo = [marks[0], ("59.55", "95"), marks[2]]
    write_rows(str(bad), [str(h) for h in rows[0]], [[*r[:4], t, s] for r, (t, s) in zip(rows[1:], typo, strict=True)])
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/core/imports/*/")
    assert "最多保留一位小数" in tab.text()
    assert ImportJob.objects.get(kind="exam_scores").status == "failed"
    tab.shot("exam-02b-score-upload-errors")
    tab.go(reverse("assessments:score_upload", args=[session.pk]))
    page.set_input_files("#id_file", str(sheet))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/core/imports/*/")
    job = ImportJob.objects.filter(kind="exam_scores").latest("pk")
    assert (job.status, job.created_count, job.error_count) == ("done", 3, 0)
    tab.go(reverse("assessments:session_detail", args=[session.pk]))
    assert "双人录入不一致（1 人" in tab.text("#disagreements-card")
    tab.shot("exam-03-disagreement")
    page.locator("#disagreements").get_by_role("link", name="重新录入").click()
    page.fill("#id_theory", "59.5")
    page.fill("#id_skill", "90")
    page.get_by_role("button", name="保存").click()
    assert "双人录入一致" in tab.text()
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
    tab.shot("exam-04-issued")
    certificate = Certificate.objects.filter(pathway="exam").order_by("id").first()
    assert certificate is not None
    assert Certificate.objects.filter(pathway="exam").count() == 2

    tab.page.context.clear_cookies()
    tab.go("/verify/")
    page.fill("#number", certificate.number)
    page.fill("#name", certificate.holder_name)
    page.get_by_role("button", name="核验").click()
    assert page.locator("#answer").get_attribute("data-result") == "valid"
    tab.shot("exam-05-verified")
