"""R7 in a real browser: a school creates a competition with rank bands (overlapping rules refused naming both
rows), enters two students and a teacher, imports the results from the prefilled result sheet (a duplicate rank
refused with its row, then the corrected sheet), runs a competition batch (preview: who qualifies at which
level, the reason for everyone else → confirm → issue after publicity), and the public verification page (no
login, QR token) answers valid for the certificate, which keeps the competition result as evidence."""

from __future__ import annotations

import openpyxl
import pytest

from chizheng.certification.models import Certificate
from chizheng.core.testing import PASSWORD
from chizheng.pathways.models import Competition, CompetitionEntry
from chizheng.pathways.tests import factories as f
from chizheng.pathways.tests import r07_factories as r7

from .excel import upload_import

pytestmark = pytest.mark.browser


def _band(page, row: int, low: str, high: str, level: str) -> None:
    page.fill(f"#id_bands-{row}-low", low)
    page.fill(f"#id_bands-{row}-high", high)
    page.select_option(f"#id_bands-{row}-level", level)


def test_r07_competition_from_rules_to_verification(app, tab, tmp_path):
    inst = f.institution(app)  # 车工 (6-18-01-01) up to 高级工
    winner, runner_up = f.students(app, 2)
    (teacher,) = r7.teachers(app, 1)
    page = tab.page
    tab.login("school", PASSWORD)

    # the competition and its rules; overlapping rank bands are refused naming both rows
    page.locator("aside").get_by_role("link", name="技能竞赛").click()
    page.get_by_role("link", name="新建竞赛").click()
    page.fill("#id_name", "2024 年数控车工技能竞赛")
    page.fill("#id_occupation", "6-18-01-01")
    page.fill("#id_held_on", "2024-05-10")
    page.select_option("#id_audience", "both")
    _band(page, 0, "1", "3", "3")
    _band(page, 1, "3", "10", "4")
    page.get_by_role("button", name="保存").click()
    assert "第 1 条与第 2 条规则的名次范围重叠" in tab.text("#form-errors")
    tab.shot("r07-01-overlapping-bands")
    assert not Competition.objects.exists()
    _band(page, 1, "4", "10", "4")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/pathways/competitions/*/")
    comp = Competition.objects.get()
    assert "第 1–3 名 → 三级/高级工" in tab.text("#band-list")

    # participants: two students and a teacher of the school
    for person in (winner, runner_up, teacher):
        page.get_by_role("link", name="登记参赛人员").click()
        page.fill("#id_id_number", person.id_number)
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(f"**/pathways/competitions/{comp.pk}/")
    assert "教师" in tab.text("#entries")

    # results from the prefilled sheet: a duplicate rank is refused with its row, then the corrected sheet
    with page.expect_download() as info:
        page.get_by_role("link", name="下载成绩表").click()
    sheet_path = tmp_path / "成绩.xlsx"
    info.value.save_as(sheet_path)
    book = openpyxl.load_workbook(sheet_path)
    sheet = book.active
    assert sheet is not None
    ranks = {winner.id_number: 1, runner_up.id_number: 1, teacher.id_number: 12}
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=4, value=ranks[str(sheet.cell(row=row, column=2).value)])
    book.save(tmp_path / "成绩-有误.xlsx")
    upload_import(tab, "competition_results", tmp_path / "成绩-有误.xlsx")
    assert page.inner_text("#import-status") == "校验未通过"
    assert "名次 1 与第" in tab.text("table")
    tab.shot("r07-02-duplicate-rank")
    assert not CompetitionEntry.objects.filter(rank__isnull=False).exists()
    ranks[runner_up.id_number] = 5
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=4, value=ranks[str(sheet.cell(row=row, column=2).value)])
    book.save(tmp_path / "成绩.xlsx")
    upload_import(tab, "competition_results", tmp_path / "成绩.xlsx")
    assert page.inner_text("#import-status") == "已导入"
    tab.go(f"/pathways/competitions/{comp.pk}/")
    assert "三级/高级工" in tab.text("#entries")
    tab.shot("r07-03-competition")

    # the batch: preview → confirm → (after publicity) issue
    page.get_by_role("link", name="新建竞赛取证批次").click()
    page.select_option("#id_institution", str(inst.pk))
    page.fill("#id_title", "2024 年数控车工竞赛取证")
    page.select_option("#id_competition", str(comp.pk))
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="预览").click()
    assert "已预览" in tab.text("h2")
    assert tab.text("#qualified-count") == "2"
    assert "第 1–3 名 → 三级/高级工" in tab.text("#qualifying")  # the result as evidence
    refused = tab.text("#refused")
    assert teacher.name in refused
    assert "第 12 名不在任何认定规则内" in refused
    tab.shot("r07-04-preview")
    page.get_by_role("link", name="确认并公示").click()
    page.fill("#id_on_date", "2024-06-03")
    page.get_by_role("button", name="保存").click()
    assert "公示中" in tab.text("h2")
    page.get_by_role("link", name="公示期满发证").click()
    page.fill("#id_on_date", "2024-06-11")
    page.get_by_role("button", name="保存").click()
    assert "已发证" in tab.text("h2")
    tab.shot("r07-05-issued")
    certificate = Certificate.objects.get(person=winner, pathway="competition")
    assert (certificate.level, certificate.evidence["rank"]) == (3, 1)

    tab.page.context.clear_cookies()
    tab.go(f"/verify/t/{certificate.verify_token}/")
    assert page.locator("#answer").get_attribute("data-result") == "valid"
    assert "车工" in tab.text("#answer")
    tab.shot("r07-06-verified")
