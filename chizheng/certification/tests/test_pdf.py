"""Printed certificates (R8): the PDF itself (one A4 page, embedded font subsets, the printed fields,
the QR code, the revoked watermark), and who may download it, alone or as a ZIP of the filtered list."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import resolve, reverse
from pypdf import PdfReader

from chizheng.core.errors import DomainError
from chizheng.core.models import AuditEvent

from .. import pdf, services
from ..models import Certificate
from . import factories as f

pytestmark = pytest.mark.django_db

MM = 72 / 25.4


@pytest.fixture
def certs(world) -> list[Certificate]:
    inst = f.institution(world)
    return f.issued(world, inst, f.people(world, 3))


@pytest.fixture
def cert(certs) -> Certificate:
    return Certificate.objects.select_related("institution", "occupation", "trade").get(pk=certs[0].pk)


def _reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def _text(data: bytes) -> str:
    """The page text without whitespace and NULs (pypdf adds both between the 2-byte CID codes;
    poppler's pdftotext reads the same page cleanly)."""
    return re.sub(r"[\s\x00]+", "", _reader(data).pages[0].extract_text())


def _fonts(reader: PdfReader) -> list[dict]:
    fonts: Any = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
    out = []
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        files = [key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor]
        out.append(
            {
                "name": str(font["/BaseFont"]),
                "files": files,
                "data": descriptor[files[0]].get_object().get_data() if files else b"",
            }
        )
    return out


def CFFFontSet_from(data: bytes) -> list[str]:
    """The glyph names of an embedded CFF font program (FontFile3)."""
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    return list(cff[cff.fontNames[0]].charset)


def test_r08_pdf_is_one_a4_page_with_embedded_subset_fonts(cert) -> None:
    reader = _reader(pdf.render_certificate(cert))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    fonts = _fonts(reader)
    assert {font["name"].split("+", 1)[1] for font in fonts} == {"NotoSerifSC", "NotoSansSC"}
    for font in fonts:
        assert font["files"], f"{font['name']} is not embedded"
        assert re.fullmatch(r"/[A-Z]{6}\+.+", font["name"]), "a subset font's name has a 6-letter tag"
        assert len(font["data"]) < 200_000, "a subset, not the whole 8–11 MB font"
        glyphs = len(CFFFontSet_from(font["data"]))
        assert 20 < glyphs < 300, f"{glyphs} glyphs: only those the page uses"


def test_r08_pdf_prints_the_holder_the_certificate_and_the_query_addresses(cert) -> None:
    text = _text(pdf.render_certificate(cert))
    for expected in (
        "职业技能等级证书",
        cert.holder_name,
        "居民身份证",
        cert.holder_id_number,  # in full on the certificate itself
        cert.occupation.code,
        cert.occupation.name,
        "四级/中级工",
        cert.number,
        cert.institution.name,
        f"{cert.issued_on.year}年{cert.issued_on.month}月{cert.issued_on.day}日",
        "jndj.osta.org.cn",
        "pjjg.osta.org.cn",
        "男",
    ):
        assert expected in text, expected
    assert "工种--" in text  # no trade
    assert "已撤销" not in text


def test_r08_pdf_title_follows_the_kind_and_special_certificates_have_no_level(cert) -> None:
    cert.kind = "qualification"
    assert "职业资格证书" in _text(pdf.render_certificate(cert))
    cert.kind = "special"
    text = _text(pdf.render_certificate(cert))
    assert "专项职业能力证书" in text
    assert "不分等级" in text
    assert "四级/中级工" not in text


def _qr_from_page(data: bytes) -> list[list[bool]]:
    """Rebuild the QR module matrix from the page's filled rectangles (only the QR code uses `re f`)."""
    contents = _reader(data).pages[0].get_contents()
    assert contents is not None
    content = contents.get_data().decode("latin-1")
    rects = [
        tuple(float(v) for v in m.groups())
        for m in re.finditer(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f\b", content)
    ]
    assert rects
    boxes = [(x, min(y, y + h), w, abs(h)) for x, y, w, h in rects]
    module = min(h for *_, h in boxes)
    left = min(x for x, *_ in boxes)
    top = max(y + h for _, y, _, h in boxes)
    n = round((max(x + w for x, _, w, _ in boxes) - left) / module)
    matrix = [[False] * n for _ in range(n)]
    for x, y, w, h in boxes:
        row = round((top - (y + h)) / module)
        start = round((x - left) / module)
        for col in range(start, start + round(w / module)):
            matrix[row][col] = True
    return matrix


def test_r08_pdf_qr_code_is_the_public_verification_url_of_the_token(cert, settings) -> None:
    settings.CHIZHENG_PUBLIC_URL = "https://zs.example.gov.cn/"
    url = pdf.verify_url(cert)
    assert url == f"https://zs.example.gov.cn/verify/t/{cert.verify_token}/"
    match = resolve(url.removeprefix("https://zs.example.gov.cn"))
    assert match.url_name == "verify_token"
    assert match.kwargs == {"token": cert.verify_token}
    data = pdf.render_certificate(cert)
    assert _qr_from_page(data) == pdf.qr_matrix(url)
    assert _qr_from_page(data) != pdf.qr_matrix(url.replace(cert.verify_token, "x" * len(cert.verify_token)))
    assert url in _text(data)


def test_r08_pdf_revoked_certificate_is_printed_under_a_watermark(cert) -> None:
    services.certificate_revoke(actor=None, certificate=cert, reason="作弊", on_date=dt.date(2023, 9, 1))
    cert.refresh_from_db()
    text = _text(pdf.render_certificate(cert))
    assert "已撤销" in text
    assert "2023年9月1日" in text


def test_r08_pdf_publicised_certificate_is_refused(world) -> None:
    inst = f.institution(world)
    (cert,) = f.publicise(world, inst, f.people(world, 1))
    with pytest.raises(DomainError) as err:
        pdf.render_certificate(cert)
    assert err.value.code == "certificate_not_issued"
    assert "公示" in err.value.message


def test_r08_pdf_replaced_certificate_is_refused(cert) -> None:
    services.certificate_reissue(actor=None, certificate=cert, reason="遗失", on_date=dt.date(2023, 9, 1))
    cert.refresh_from_db()
    with pytest.raises(DomainError) as err:
        pdf.render_certificate(cert)
    assert err.value.code == "certificate_replaced"


def test_r08_pdf_draws_the_frozen_photo_or_a_placeholder_frame(cert) -> None:
    from PIL import Image

    def images(data: bytes) -> int:
        resources: Any = _reader(data).pages[0]["/Resources"]
        return len(resources.get("/XObject", {}))

    without = pdf.render_certificate(cert)
    assert images(without) == 0
    assert "照片" in _text(without)
    buffer = io.BytesIO()
    Image.new("RGB", (260, 350), (200, 210, 230)).save(buffer, "JPEG", quality=70)
    cert.holder_photo = default_storage.save("photos/holder.jpg", ContentFile(buffer.getvalue()))
    assert images(pdf.render_certificate(cert)) == 1
    cert.holder_photo = "photos/missing.jpg"  # a lost file still prints, with the frame
    assert images(pdf.render_certificate(cert)) == 0


def test_r08_pdf_a_name_outside_gb2312_is_still_printed(cert) -> None:
    cert.holder_name = "王喆"  # 喆 is not in GB 2312: drawn with the full font
    assert "喆" not in pdf.body_charset()
    assert "王喆" in _text(pdf.render_certificate(cert))


def test_r08_pdf_a_100_character_institution_name_is_wrapped_on_the_one_page(cert) -> None:
    cert.institution.name = ("焦作市职业技术学校职业技能等级评价中心（第一分站点）" * 4)[:100]
    data = pdf.render_certificate(cert)
    assert len(_reader(data).pages) == 1
    assert _text(data).count(cert.institution.name) == 2  # in the table and above the date


# --- downloads ---------------------------------------------------------------------------------


def test_r08_pdf_download_follows_the_detail_page_scope(login, world, cert) -> None:
    url = reverse("certification:certificate_pdf", args=[cert.pk])
    for persona, status in (("school", 200), ("county", 200), ("city", 200), ("hrss", 200)):
        response = login(world.user(persona)).get(url)
        assert response.status_code == status, persona
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{cert.number}.pdf"' in response["Content-Disposition"]
    assert login(world.user("other_school")).get(url).status_code == 404
    assert login(world.user("other_county")).get(url).status_code == 404
    assert login(world.user("examiner")).get(url).status_code == 403


def test_r08_pdf_download_is_audited(login, world, cert) -> None:
    login(world.user("school")).get(reverse("certification:certificate_pdf", args=[cert.pk]))
    event = AuditEvent.objects.get(object_type="certification.Certificate", object_id=str(cert.pk), action="export")
    assert event.actor == world.user("school")
    assert "完整身份证号" in event.note


def test_r08_pdf_learner_downloads_only_their_own(login, world, certs) -> None:
    learner = world.user("learner")
    (own,) = f.issued(world, certs[0].institution, [learner.person], items=f.items([learner.person], "S2"))
    client = login(learner)
    page = client.get(reverse("certification:my_certificates")).content.decode()
    assert reverse("certification:certificate_pdf", args=[own.pk]) in page
    response = client.get(reverse("certification:certificate_pdf", args=[own.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert client.get(reverse("certification:certificate_pdf", args=[certs[0].pk])).status_code == 404
    assert client.get(reverse("certification:certificate_zip")).status_code == 403


def test_r08_pdf_download_of_a_publicised_certificate_is_a_clear_error(login, world) -> None:
    inst = f.institution(world)
    (cert,) = f.publicise(world, inst, f.people(world, 1))
    response = login(world.user("school")).get(reverse("certification:certificate_pdf", args=[cert.pk]))
    assert response.status_code == 400
    assert "公示期" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export", object_id=str(cert.pk)).exists()


def _zip_names(response) -> list[str]:
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            assert zf.read(info).startswith(b"%PDF-")
        return sorted(zf.namelist())


def test_r08_pdf_zip_contains_exactly_the_filtered_certificates(login, world, certs) -> None:
    services.certificate_revoke(actor=None, certificate=certs[1], reason="作弊", on_date=dt.date(2023, 9, 1))
    inst = certs[0].institution
    f.publicise(world, inst, f.people(world, 1, start=50))  # publicised: in the list, never printed
    client = login(world.user("school"))
    url = reverse("certification:certificate_zip")

    everything = client.get(url)
    assert everything.status_code == 200
    assert everything["Content-Type"] == "application/zip"
    assert _zip_names(everything) == sorted(f"{c.number}.pdf" for c in certs)

    assert _zip_names(client.get(url, {"status": "revoked"})) == [f"{certs[1].number}.pdf"]
    assert _zip_names(client.get(url, {"status": "issued"})) == sorted(f"{c.number}.pdf" for c in (certs[0], certs[2]))
    assert _zip_names(client.get(url, {"q": certs[2].number})) == [f"{certs[2].number}.pdf"]
    event = AuditEvent.objects.filter(action="export", object_type="certification.Certificate").latest("id")
    assert event.after is not None
    assert event.after["certificates"] == 1
    assert "q=" in event.after["query"]


def test_r08_pdf_zip_is_named_by_scope_and_date(login, world, certs) -> None:
    from urllib.parse import unquote

    from django.utils import timezone

    def name(persona: str) -> str:
        response = login(world.user(persona)).get(reverse("certification:certificate_zip"))
        b"".join(response.streaming_content)
        return unquote(response["Content-Disposition"].split("filename*=utf-8''", 1)[1])

    today = f"{timezone.localdate():%Y%m%d}"
    assert name("school") == f"证书PDF-{world.school.name}-{today}.zip"
    assert name("county") == f"证书PDF-{world.county.name}-{today}.zip"
    assert name("city") == f"证书PDF-全市-{today}.zip"


def test_r08_pdf_zip_outside_scope_has_nothing_to_print(login, world, certs) -> None:
    response = login(world.user("other_school")).get(reverse("certification:certificate_zip"))
    assert response.status_code == 400
    assert "没有可打印的证书" in response.content.decode()


def test_r08_pdf_zip_over_the_cap_is_refused(login, world, certs, settings) -> None:
    settings.CHIZHENG_PDF_ZIP_MAX = 2
    response = login(world.user("county")).get(reverse("certification:certificate_zip"))
    assert response.status_code == 400
    assert "超过单次批量下载上限" in response.content.decode()
    settings.CHIZHENG_PDF_ZIP_MAX = 3
    assert len(_zip_names(login(world.user("county")).get(reverse("certification:certificate_zip")))) == 3


def test_r08_pdf_list_page_offers_the_zip_of_the_current_filter(login, world, certs) -> None:
    page = login(world.user("school")).get(reverse("certification:certificate_list"), {"status": "issued", "page": 1})
    html = page.content.decode()
    assert f"{reverse('certification:certificate_zip')}?status=issued" in html


def test_r08_pdf_prepare_fonts_command_leaves_the_reduced_fonts_on_disk() -> None:
    from io import StringIO

    from django.core.management import call_command

    from chizheng.certification.pdf import font_cache_dir, prepared_fonts

    out = StringIO()
    call_command("prepare_fonts", stdout=out)
    fonts = prepared_fonts()
    assert fonts.body.parent == font_cache_dir()
    assert fonts.body.exists()
    assert fonts.label.exists()
    assert fonts.body.name in out.getvalue()
