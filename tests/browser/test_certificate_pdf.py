"""Printed certificates (R8) in a real browser: a school admin opens a certificate, downloads its PDF,
then downloads the filtered list as a ZIP of PDFs."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from chizheng.certification import services
from chizheng.certification.tests import factories as f
from chizheng.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def test_r08_pdf_school_admin_downloads_a_certificate_and_the_filtered_zip(app, tab):
    inst = f.institution(app)
    kept, revoked = f.issued(app, inst, f.people(app, 2))
    services.certificate_revoke(actor=None, certificate=revoked, reason="作弊", on_date=dt.date(2023, 9, 1))
    page = tab.page
    tab.login("school", PASSWORD)
    page.locator("aside").get_by_role("link", name="证书", exact=True).click()
    page.get_by_role("link", name=kept.number).click()
    assert kept.holder_name in tab.text("h2")
    tab.shot("pdf-01-certificate-detail")

    with page.expect_download() as info:
        page.locator("#download-pdf").click()
    download = info.value
    assert download.suggested_filename == f"{kept.number}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert (kept.number or "-") in reader.pages[0].extract_text().replace("\x00", "").replace(" ", "")

    tab.go("/certificates/?status=revoked")
    tab.shot("pdf-02-filtered-list")
    with page.expect_download() as info:
        page.get_by_role("link", name="批量下载 PDF（ZIP）").click()
    archive = info.value
    assert archive.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(archive.path()) as zf:
        assert zf.namelist() == [f"{revoked.number}.pdf"]
        assert zf.read(f"{revoked.number}.pdf").startswith(b"%PDF-")
