"""R6 in a real browser: a school creates a course-certificate mapping (课证融通方案) with three courses, imports
its students' course results from the Excel template (a course in no mapping and a pass flag against the score
refused, naming row and rule; then the corrected sheet), runs a process-assessment batch over the mapping
(preview: who qualifies and the failed practical named for the other → confirm → issue after publicity), the
certificate shows the course results it rests on, and the public verification page (no login, QR token) answers
valid for it."""

from __future__ import annotations

import pytest

from chizheng.certification.models import Certificate
from chizheng.core.testing import PASSWORD
from chizheng.pathways.models import CourseCertMapping, CourseResult, RecognitionBatch
from chizheng.pathways.tests import factories as f

from .excel import download_template, fill_template, upload_import

pytestmark = pytest.mark.browser


def test_r06_process_assessment_from_mapping_and_course_results_to_verification(app, tab, tmp_path):
    inst = f.institution(app)  # 车工 (6-18-01-01) up to 高级工
    good, failed = f.students(app, 2)  # 专科, graduating
    page = tab.page

    # the school defines its course-certificate mapping
    tab.login("school", PASSWORD)
    page.locator("aside").get_by_role("link", name="课证融通方案").click()
    page.get_by_role("link", name="新建方案").click()
    page.fill("#id_name", "数控车工课证融通方案")
    page.fill("#id_occupation", "6-18-01-01")
    page.fill("#id_major", "机电一体化技术")
    page.fill("#id_courses", "JD101 机械制图\nJD102 数控编程与加工\nJD103 车削加工实训")
    page.get_by_role("button", name="保存").click()
    assert "数控车工课证融通方案" in tab.text("h2")
    assert "车削加工实训" in tab.text("#courses")
    tab.shot("pathways-r06-01-mapping")
    mapping = CourseCertMapping.objects.get()

    # course results from the template: a course outside every mapping and a flag against the score are refused
    page.locator("aside").get_by_role("link", name="课程成绩").click()
    template = download_template(tab, "course_results", tmp_path)
    term = {"学期": "2023-2024-2", "学年": 2024}
    rows: list[dict[str, object]] = []
    for person in (good, failed):
        for code in ("JD101", "JD102", "JD103"):
            practical = 48 if (person, code) == (failed, "JD102") else 81
            rows.append({"身份证号": person.id_number, "课程代码": code, "理论成绩": 76, "实践成绩": practical, **term})
    bad = [
        *rows,
        {"身份证号": good.id_number, "课程代码": "YY201", "理论成绩": 90, "实践成绩": 90, **term},
        {"身份证号": failed.id_number, "课程代码": "JD101", "理论成绩": 52, "理论合格": "是", **term},
    ]
    upload_import(tab, "course_results", fill_template(template, tmp_path / "成绩-有误.xlsx", bad))
    assert page.inner_text("#import-status") == "校验未通过"
    errors = tab.text("table")
    assert "不在本校任何课证融通方案中" in errors
    assert "不一致" in errors
    tab.shot("pathways-r06-02-import-errors")
    assert not CourseResult.objects.exists()
    upload_import(tab, "course_results", fill_template(template, tmp_path / "成绩.xlsx", rows))
    assert page.inner_text("#import-status") == "已导入"
    page.locator("aside").get_by_role("link", name="课程成绩").click()
    assert "48.0 不合格" in tab.text("table")
    tab.shot("pathways-r06-03-results")

    # a batch over the mapping: preview → confirm → (after publicity) issue
    tab.go(f"/pathways/courses/mappings/{mapping.pk}/")
    page.get_by_role("link", name="新建过程化考核批次").click()
    page.select_option("#id_institution", str(inst.pk))
    page.fill("#id_title", "2024 届数控车工过程化考核")
    page.select_option("#id_course_mapping", str(mapping.pk))
    page.get_by_role("button", name="保存").click()
    assert "草稿" in tab.text("h2")
    page.get_by_role("button", name="预览").click()
    assert "已预览" in tab.text("h2")
    assert tab.text("#qualified-count") == "1"
    refused = tab.text("#refused")
    assert failed.name in refused
    assert "JD102 数控编程与加工 实践考核未通过（48 分）" in refused
    page.locator("#qualifying summary").first.click()
    assert "车削加工实训" in tab.text("#qualifying")
    tab.shot("pathways-r06-04-preview")
    page.get_by_role("link", name="确认并公示").click()
    page.fill("#id_on_date", "2024-06-03")
    page.get_by_role("button", name="保存").click()
    assert "公示中" in tab.text("h2")
    page.get_by_role("link", name="公示期满发证").click()
    page.fill("#id_on_date", "2024-06-11")
    page.get_by_role("button", name="保存").click()
    assert "已发证" in tab.text("h2")
    assert RecognitionBatch.objects.get().status == "issued"
    certificate = Certificate.objects.get(pathway="process")
    assert (certificate.person, certificate.level) == (good, 3)

    # the certificate shows the course results it rests on
    page.locator("#qualifying a").first.click()
    evidence = tab.text(".course-evidence")
    assert "JD103 车削加工实训" in evidence
    assert "81.0 合格" in evidence
    tab.shot("pathways-r06-05-certificate")

    tab.page.context.clear_cookies()
    tab.go(f"/verify/t/{certificate.verify_token}/")
    assert page.locator("#answer").get_attribute("data-result") == "valid"
    assert "车工" in tab.text("#answer")
    tab.shot("pathways-r06-06-verified")
