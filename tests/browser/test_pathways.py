"""R5 in a real browser: the city maps a 1+X certificate to an occupation; the school imports its students'
1+X records from the Excel template, runs a direct-recognition batch (preview with the reason for whoever
does not qualify → confirm → publicity → issue) and the public verification page (no login, QR token)
answers valid for the certificate, which keeps its 1+X record as evidence."""

from __future__ import annotations

import pytest

from chizheng.certification.models import Certificate
from chizheng.core.testing import PASSWORD
from chizheng.pathways.models import RecognitionBatch, XCertificate
from chizheng.pathways.tests import factories as f

from .excel import download_template, fill_template, upload_import

pytestmark = pytest.mark.browser


def test_r05_direct_recognition_from_1x_import_to_verification(app, tab, tmp_path):
    inst = f.institution(app)  # 车工 (6-18-01-01) up to 高级工
    senior, unmapped = f.students(app, 2)
    page = tab.page

    # the city maps the 1+X certificate 数控车铣加工 to 车工, through the mapping import
    tab.login("city", PASSWORD)
    page.locator("aside").get_by_role("link", name="1+X 职业对应").click()
    template = download_template(tab, "x_mappings", tmp_path)
    rows = [{"1+X 证书名称": "数控车铣加工", "培训评价组织": "武汉华中数控股份有限公司", "职业编码": "6-18-01-01"}]
    upload_import(tab, "x_mappings", fill_template(template, tmp_path / "对应表.xlsx", rows))
    assert page.inner_text("#import-status") == "已导入"
    tab.go("/pathways/x/mappings/")
    assert "数控车铣加工" in tab.text("table")
    tab.shot("pathways-01-mapping")

    # the school imports two 1+X records; one certificate has no mapping: the import names row and rule
    tab.page.context.clear_cookies()
    tab.login("school", PASSWORD)
    page.locator("aside").get_by_role("link", name="1+X 证书").click()
    template = download_template(tab, "x_certificates", tmp_path)
    record = {"培训评价组织": "武汉华中数控股份有限公司", "证书名称": "数控车铣加工", "发证日期": "2024-01-10"}
    bad = [
        {**record, "身份证号": senior.id_number, "证书等级": "高级", "证书编号": "HZ-2024-0001"},
        {**record, "身份证号": unmapped.id_number, "证书名称": "老年照护", "证书等级": "初级", "证书编号": "LN-1"},
    ]
    upload_import(tab, "x_certificates", fill_template(template, tmp_path / "1x-有误.xlsx", bad))
    assert page.inner_text("#import-status") == "校验未通过"
    assert "老年照护" in tab.text("table")
    tab.shot("pathways-02-import-errors")
    assert not XCertificate.objects.exists()
    upload_import(tab, "x_certificates", fill_template(template, tmp_path / "1x.xlsx", bad[:1]))
    assert page.inner_text("#import-status") == "已导入"
    f.xcert(app, unmapped, "junior", name="云计算平台运维与开发")  # recorded earlier, mapping since removed

    # a batch: preview → confirm → (after publicity) issue
    page.locator("aside").get_by_role("link", name="认定批次").click()
    page.get_by_role("link", name="新建直接认定批次").click()
    page.select_option("#id_institution", str(inst.pk))
    page.fill("#id_title", "2024 年 1+X 直接认定")
    page.get_by_role("button", name="保存").click()
    assert "草稿" in tab.text("h2")
    page.get_by_role("button", name="预览").click()
    assert "已预览" in tab.text("h2")
    assert tab.text("#qualified-count") == "1"
    refused = tab.text("#refused")
    assert unmapped.name in refused
    assert "没有对应的职业" in refused
    tab.shot("pathways-03-preview")
    page.get_by_role("link", name="确认并公示").click()
    page.fill("#id_on_date", "2024-06-03")
    page.get_by_role("button", name="保存").click()
    assert "公示中" in tab.text("h2")
    page.get_by_role("link", name="公示期满发证").click()
    page.fill("#id_on_date", "2024-06-11")  # the day after the 7 days of publicity
    page.get_by_role("button", name="保存").click()
    assert "已发证" in tab.text("h2")
    tab.shot("pathways-04-issued")
    assert RecognitionBatch.objects.get().status == "issued"
    certificate = Certificate.objects.get(pathway="direct")
    assert certificate.person == senior
    assert certificate.evidence["number"] == "HZ-2024-0001"

    tab.page.context.clear_cookies()
    tab.go(f"/verify/t/{certificate.verify_token}/")
    assert page.locator("#answer").get_attribute("data-result") == "valid"
    assert "车工" in tab.text("#answer")
    tab.shot("pathways-05-verified")
