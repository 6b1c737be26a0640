"""R8 objections during publicity in a real browser: the school records an objection on a publicised
certificate (a date outside publicity is refused on the form), finds it under 异议处理, resolves one as upheld
(the certificate is revoked before issue) and one as not upheld (it issues with the next batch)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chizheng.certification import services
from chizheng.certification.models import Certificate, Objection
from chizheng.certification.tests import factories as f
from chizheng.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def _record(tab, cert: Certificate, text: str, on: str) -> None:
    page = tab.page
    tab.go(reverse("certification:certificate_detail", args=[cert.pk]))
    page.locator("#objections").get_by_role("link", name="登记异议").click()
    page.fill("#id_text", text)
    page.fill("#id_on_date", on)
    page.get_by_role("button", name="保存").click()


def test_r08_objection_raise_list_resolve(app, tab):
    inst = f.institution(app)
    upheld, dismissed = f.publicise(app, inst, f.people(app, 2))
    page = tab.page
    tab.login("school", PASSWORD)

    _record(tab, upheld, "举报：持证人冒名顶替参加考核", "2023-06-20")
    assert "不在公示期内" in tab.text()  # 2023-06-01 … 2023-06-08
    tab.shot("objections-01-outside-publicity")
    page.fill("#id_on_date", "2023-06-03")
    page.get_by_role("button", name="保存").click()
    assert "已登记异议" in tab.text()
    assert "举报：持证人冒名顶替参加考核" in tab.text("#objections")
    tab.shot("objections-02-detail")
    _record(tab, dismissed, "反映理论成绩登记有误", "2023-06-08")

    page.locator("aside").get_by_role("link", name="异议处理").click()
    assert "异议处理" in tab.text("h2")
    assert tab.text("table").count("待处理") == 2
    tab.shot("objections-03-list")

    page.get_by_role("row", name="冒名顶替").get_by_role("link", name="待处理").click()
    page.select_option("#id_upheld", "1")
    page.fill("#id_resolution", "经核查身份证件与考场签到记录，情况属实")
    page.fill("#id_on_date", "2023-06-10")
    tab.shot("objections-04-resolve")
    page.get_by_role("button", name="保存").click()
    assert "异议成立，证书已撤销" in tab.text()

    page.get_by_role("row", name="成绩登记有误").get_by_role("link", name="待处理").click()
    page.select_option("#id_upheld", "0")
    page.fill("#id_resolution", "复核原始答卷，成绩无误")
    page.fill("#id_on_date", "2023-06-10")
    page.get_by_role("button", name="保存").click()
    assert "异议不成立" in tab.text()
    page.select_option("select[name=state]", "resolved")
    page.get_by_role("button", name="筛选").click()
    assert "待处理" not in tab.text("table")
    tab.shot("objections-05-resolved")

    upheld.refresh_from_db()
    assert upheld.status == "revoked"
    assert Objection.objects.filter(resolved_on__isnull=True).count() == 0
    (issued,) = services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON)
    assert issued.pk == dismissed.pk

    tab.go(reverse("certification:certificate_detail", args=[upheld.pk]))
    assert "公示异议成立" in tab.text()
    tab.shot("objections-06-revoked-detail")
