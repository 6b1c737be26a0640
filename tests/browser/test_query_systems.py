"""R10 in a real browser: a school admin exports a national batch, downloads it, imports the system's receipt
(a bad one first, then a good one) and sees the statuses change on the batch, the certificate and 未上报证书."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from chizheng.certification.models import Certificate
from chizheng.certification.reporting import SYSTEMS
from chizheng.certification.tests import factories as f
from chizheng.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def _receipt(path: Path, rows: list[list[object]]) -> Path:
    """The receipt workbook as the national system would return it (the columns our import reads)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["证书编号", "上报结果", "回执编号", "失败原因"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _upload_receipt(tab, path: Path) -> None:
    page = tab.page
    page.get_by_role("link", name="导入回执").click()
    assert page.locator("#id_kind").input_value() == "report_receipt_national"
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/core/imports/*/")
    page.wait_for_function("!document.querySelector('#import-job[hx-get]')")


def test_a_school_admin_exports_a_national_batch_and_imports_its_receipt(app, tab, tmp_path):
    inst = f.institution(app)
    first, second, third = f.issued(app, inst, f.people(app, 3))
    page = tab.page
    tab.login("school", PASSWORD)

    page.get_by_role("link", name="上报管理").click()
    assert page.inner_text("[data-system=national] [data-count=new]") == "3"
    tab.shot("r10-01-report-management")
    page.get_by_role("link", name="导出上报文件").click()
    page.select_option("#id_system", "national")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/certificates/reports/*/")
    assert page.inner_text("#batch-status") == "已导出待回执"
    tab.shot("r10-02-batch-exported")

    with page.expect_download() as download_info:
        page.locator("#download-batch").click()
    exported = tmp_path / "export.xlsx"
    download_info.value.save_as(exported)
    assert download_info.value.suggested_filename.startswith("全国系统上报-QG")
    rows = list(openpyxl.load_workbook(exported).active.iter_rows(values_only=True))
    assert list(rows[0]) == SYSTEMS["national"].headers
    numbers = [row[10] for row in rows[1:]]
    assert numbers == [first.number, second.number, third.number]
    assert rows[1][4] == first.holder_id_number  # the system needs the full ID number

    # a receipt with a number that is not ours: refused with the row and the reason, nothing written
    _upload_receipt(
        tab, _receipt(tmp_path / "回执-有误.xlsx", [[first.number, "成功", "QG-1"], ["Y0000000", "成功", "X"]])
    )
    assert page.inner_text("#import-status") == "校验未通过"
    assert "管理范围内没有证书编号为 Y0000000" in tab.text()
    tab.shot("r10-03-receipt-refused")
    assert Certificate.objects.get(pk=first.pk).national_report_status == "exported"

    page.go_back()
    page.go_back()
    page.wait_for_url("**/certificates/reports/*/")
    receipt = _receipt(
        tmp_path / "回执.xlsx",
        [[first.number, "成功", "QG20260001"], [second.number, "失败", "", "身份证号与姓名不一致"]],
    )
    _upload_receipt(tab, receipt)
    assert page.inner_text("#import-status") == "已导入", tab.text()
    assert page.inner_text("#count-updated") == "2"

    tab.go("/certificates/reports/")
    page.locator("table a").first.click()
    assert page.inner_text("#batch-status") == "部分回执"
    assert page.inner_text("#batch-counts") == "成功 1，失败 1，待回执 1"
    assert "身份证号与姓名不一致" in tab.text()
    tab.shot("r10-04-batch-partial")

    page.get_by_role("link", name=second.number or "").click()
    assert page.get_attribute("#report-national", "data-status") == "rejected"
    assert "身份证号与姓名不一致" in page.inner_text("#report-national")
    assert page.get_attribute("#report-henan", "data-status") == "pending"
    tab.shot("r10-05-certificate-rejected")

    page.get_by_role("link", name="未上报证书").click()
    table = page.inner_text("table")
    assert all(c.number in table for c in (first, second, third))  # none is in the Henan system yet
    page.select_option("#f-system", "national")
    page.get_by_role("button", name="筛选").click()
    table = page.inner_text("table")
    assert second.number in table
    assert third.number in table
    assert first.number not in table
    tab.shot("r10-06-unreported")
