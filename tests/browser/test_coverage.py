"""R9 in a real browser: the county admin opens graduation coverage, drills down to a school and its
majors, opens the graduates without a certificate and exports them to Excel."""

from __future__ import annotations

import io

import pytest

from chizheng.certification.tests import factories as cf
from chizheng.core.testing import PASSWORD
from chizheng.people.models import Student

pytestmark = pytest.mark.browser


def _cohort(app) -> None:
    inst = cf.institution(app)
    persons = cf.people(app, 12)
    majors = ["数控技术应用", "电子商务", "汽车运用与维修"]
    for i, p in enumerate(persons):
        school = app.school if i < 8 else app.sibling_school
        Student.objects.create(
            person=p,
            school=school,
            county=app.county,
            major=majors[i % 3],
            stage="secondary",
            entry_year=2021,
            expected_graduation_year=2024,
            status="graduated",
        )
    cf.issued(app, inst, [p for i, p in enumerate(persons) if i % 3 != 2])  # 汽车运用与维修 lags behind


def test_r09_county_admin_drills_down_to_the_gaps_and_exports_them(app, tab):
    _cohort(app)
    page = tab.page
    tab.login("county", PASSWORD)
    assert "毕业生持证覆盖" in tab.text("#r9-coverage")  # the home dashboard card
    tab.shot("coverage-00-home")
    page.locator("aside").get_by_role("link", name="持证覆盖").click()
    page.select_option("#f-year", "2024")
    page.get_by_role("button", name="查看").click()
    assert "解放区" in tab.text("h2")
    assert "2024 届" in tab.text("h2")
    assert tab.text("[data-stat=graduates]") == "12"
    assert tab.text("[data-stat=covered]") == "8"
    assert tab.text("[data-stat=share]") == "66.7%"
    assert "温县" not in tab.text("[data-test=coverage-table]")  # a sibling county is out of scope
    tab.shot("coverage-01-county")

    page.get_by_role("link", name="焦作市职业技术学校").click()
    assert "焦作市职业技术学校" in tab.text("h2")
    table = tab.text("[data-test=coverage-table]")
    assert "汽车运用与维修（中职）" in table
    assert "0.0%" in table
    tab.shot("coverage-02-school-majors")

    page.locator("tr", has_text="汽车运用与维修").get_by_role("link", name="2").click()
    assert "未持证毕业生" in tab.text("h2")
    assert "共 2 条" in tab.text()
    body = tab.text("table")
    assert "汽车运用与维修" in body
    assert "********" in body
    tab.shot("coverage-03-without-certificate")

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    download = info.value
    from python_calamine import CalamineWorkbook

    with open(download.path(), "rb") as f:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(f.read())).get_sheet_by_index(0)
    data = rows.to_python()
    assert len(data) == 1 + 2
    assert all(row[4] == "汽车运用与维修" for row in data[1:])
