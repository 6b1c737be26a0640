"""The roster import in a real browser: template, a good file, a bad file and its error workbook."""

from __future__ import annotations

import openpyxl
import pytest

from chizheng.core.testing import PASSWORD, make_id_number
from chizheng.people.models import Person, Student

from .excel import fill_template, upload_import

pytestmark = pytest.mark.browser


def _student(seq: int, **over: object) -> dict[str, object]:
    values: dict[str, object] = {
        "姓名": f"张{'一二三四五六七八九'[seq % 9]}",
        "身份证号": make_id_number(birth="20080101", seq=seq),
        "专业": "电子商务",
        "学段": "中职",
        "入学年份": 2024,
        "预计毕业年份": 2027,
        "优秀学生": "否",
        "学籍状态": "在读",
    }
    values.update(over)
    return values


def test_a_school_admin_imports_a_roster_then_gets_an_error_workbook_for_a_bad_one(app, tab, tmp_path):
    page = tab.page
    tab.login("school", PASSWORD)
    page.get_by_role("link", name="批量导入").click()
    page.get_by_role("link", name="上传文件").click()
    assert "模板与规则" in tab.text()
    with page.expect_download() as template_info:
        page.locator('a[href$="/template/students/"]').click()
    template = tmp_path / "template.xlsx"
    template_info.value.save_as(template)
    assert template_info.value.suggested_filename.endswith(".xlsx")

    before = Person.objects.count()
    good = fill_template(template, tmp_path / "名册.xlsx", [_student(11), _student(12, 优秀学生="是")])
    upload_import(tab, "students", good)
    assert page.inner_text("#import-status") == "已导入"
    assert page.inner_text("#count-created") == "2"
    tab.shot("10-import-done")
    assert Person.objects.count() == before + 2
    assert Student.objects.filter(school=app.school, outstanding=True).count() == 1

    wrong_digit = make_id_number(birth="20080101", seq=13)
    wrong_digit = wrong_digit[:-1] + ("0" if wrong_digit[-1] != "0" else "1")
    bad = fill_template(
        template,
        tmp_path / "名册-有误.xlsx",
        [_student(14), _student(13, 身份证号=wrong_digit), _student(15, 学段="硕士")],
    )
    upload_import(tab, "students", bad)
    assert page.inner_text("#import-status") == "校验未通过"
    table = tab.text("table")
    assert "身份证号" in table
    assert "学段" in table
    tab.shot("11-import-errors")
    assert Person.objects.count() == before + 2  # nothing of the bad file was written

    with page.expect_download() as info:
        page.get_by_role("link", name="下载错误清单").click()
    errors_path = tmp_path / "errors.xlsx"
    info.value.save_as(errors_path)
    sheet = openpyxl.load_workbook(errors_path).active
    assert sheet is not None
    rows = [[str(v) if v is not None else "" for v in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["行号", "列", "错误原因"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("3", "身份证号"), ("4", "学段")]
    assert "校验位" in rows[1][2]
