"""Printed certificates (R8): one A4 page per certificate, drawn with fpdf2.

What is printed follows DESIGN.md "Printed certificate": the title by kind, the holder (name, sex,
ID type and full number), occupation and trade (工种, "--" if none), level, number, the institution
name as filed, the issue date in Chinese, the holder photo frozen at issue, a QR code of the public
verification URL, and the national query addresses. Only numbered certificates are printed:
issued ones, and revoked ones under a 已撤销 watermark.

Fonts. The page embeds Noto Serif SC and Noto Sans SC (PyPI `pylopdf_fonts_zh_cn`) as subsets
holding only the glyphs the page uses, so any viewer shows it without Chinese fonts installed,
and the file stays small (~40 KB instead of 20 MB). fpdf2 cannot share one parsed font between
documents (writing a PDF subsets the font object in place), and parsing the full 65,000-glyph
fonts costs ~0.5 s per certificate. So the fonts are reduced once and kept on disk
(`VAR_DIR/cache/fonts`): the serif for names and other variable text to GB 2312 plus the fixed
wording, the sans for labels to the fixed wording and ASCII; both without layout tables, hints
or subroutines. A certificate whose text needs a character outside GB 2312 (a rare name
character) is drawn with the full serif font instead: slower, never wrong.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import io
import logging
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from chizheng.core.errors import DomainError

from .choices import CertificateKind, CertificateStatus

if TYPE_CHECKING:
    from fpdf import FPDF

    from .models import Certificate

logger = logging.getLogger(__name__)

TITLES = {
    CertificateKind.SKILL_LEVEL: "职业技能等级证书",
    CertificateKind.QUALIFICATION: "职业资格证书",
    CertificateKind.SPECIAL: "专项职业能力证书",
}
STATEMENTS = {
    CertificateKind.SKILL_LEVEL: "经评价，持证人达到上述职业（工种）相应等级的技能要求，特发此证。",
    CertificateKind.QUALIFICATION: "经鉴定，持证人达到上述职业相应等级的资格要求，特发此证。",
    CertificateKind.SPECIAL: "经考核，持证人具备上述专项职业能力，特发此证。",
}
PRINTABLE = (CertificateStatus.ISSUED, CertificateStatus.REVOKED)
ID_TYPE = "居民身份证"
NATIONAL_QUERY = "jndj.osta.org.cn"
INSTITUTION_QUERY = "pjjg.osta.org.cn"
WATERMARK = "已撤销"

LABELS = (
    "姓名",
    "性别",
    "证件类型",
    "证件号码",
    "职业",
    "工种",
    "等级",
    "证书编号",
    "发证机构",
    "发证日期",
    "照片",
    "扫码核验",
    "证书查询",
    "评价机构查询",
    "本证书信息可通过扫描二维码或登录以上网站查询核验",
    "撤销日期",
    "该证书已撤销，不作为有效证书使用",
    "不分等级",
)
# Every character the page prints besides the certificate's own data.
FIXED_TEXT = "".join(
    (
        *TITLES.values(),
        *STATEMENTS.values(),
        *LABELS,
        ID_TYPE,
        WATERMARK,
        "男女年月日—（）：，。、·/\u3000",
        "一二三四五六七八九十级初中高工技师",
        "".join(chr(c) for c in range(0x20, 0x7F)),
    )
)


# ---------------------------------------------------------------------------
# Fonts


def _gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


@functools.cache
def body_charset() -> frozenset[str]:
    """The characters of the reduced serif font (GB 2312, ASCII and the fixed wording)."""
    return frozenset(_gb2312() | set(FIXED_TEXT))


@dataclass(frozen=True)
class Fonts:
    """Paths of the fonts one certificate is drawn with."""

    body: Path  # serif, GB 2312 + fixed wording: names, occupation, institution, title
    label: Path  # sans, fixed wording + ASCII: labels, numbers, addresses
    body_full: Path  # serif, every glyph: only for text outside GB 2312


def _source_fonts() -> tuple[Path, Path]:
    from pylopdf_fonts_zh_cn import sans_path, serif_path

    return Path(serif_path()), Path(sans_path())


def font_cache_dir() -> Path:
    return Path(getattr(settings, "CHIZHENG_FONT_CACHE", Path(settings.VAR_DIR) / "cache" / "fonts"))


def _reduce(source: Path, chars: Iterable[str], name: str) -> Path:
    """`source` reduced to `chars` (no layout tables, hints or subroutines), built once and cached on disk."""
    import fontTools
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont

    codepoints = sorted({ord(c) for c in chars})
    key = hashlib.sha256(
        f"{source.name}:{source.stat().st_size}:{fontTools.version}:{codepoints}".encode()
    ).hexdigest()[:16]
    target = font_cache_dir() / f"{name}-{key}.otf"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    options = ftsubset.Options(
        notdef_outline=True, recommended_glyphs=True, desubroutinize=True, hinting=False, layout_features=[]
    )
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    font = TTFont(str(source), lazy=True, recalcTimestamp=False)
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    font.save(str(partial))
    os.replace(partial, target)  # atomic: concurrent workers never read a half-written font
    logger.info("prepared certificate font %s", target)
    return target


@functools.cache
def prepared_fonts() -> Fonts:
    """The reduced fonts (built on first use in this installation, ~20 s; then read from disk)."""
    serif, sans = _source_fonts()
    return Fonts(
        body=_reduce(serif, body_charset(), "serif-gb2312"),
        label=_reduce(sans, FIXED_TEXT, "sans-fixed"),
        body_full=serif,
    )


# ---------------------------------------------------------------------------
# Content


def verify_url(cert: Certificate) -> str:
    """The public verification address the QR code encodes (absolute, from CHIZHENG_PUBLIC_URL)."""
    base = str(settings.CHIZHENG_PUBLIC_URL).rstrip("/")
    return base + reverse("verify_token", args=[cert.verify_token])


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_printable(cert: Certificate) -> None:
    """Only numbered certificates are printed: issued ones, and revoked ones (watermarked)."""
    if cert.status in PRINTABLE and cert.number:
        return
    if cert.status == CertificateStatus.PUBLICISED:
        raise DomainError("certificate_not_issued", "证书尚在公示期，未编号发证，不能打印。")
    if cert.status == CertificateStatus.REPLACED:
        raise DomainError("certificate_replaced", "该证书已换发，原证书作废，请打印换发后的新证书。")
    raise DomainError("certificate_not_printable", "该证书没有证书编号，不能打印。")


def pdf_filename(cert: Certificate) -> str:
    return f"{cert.number}.pdf"


@dataclass(frozen=True)
class Printed:
    """The text of one printed certificate, in the order the page shows it."""

    title: str
    rows: list[tuple[str, str]]
    statement: str
    institution: str
    issued_on: str
    url: str
    revoked_on: str


def printed(cert: Certificate) -> Printed:
    check_printable(cert)
    level = "不分等级" if cert.kind == CertificateKind.SPECIAL else str(cert.get_level_display())
    rows = [
        ("姓名", cert.holder_name),
        ("性别", {"M": "男", "F": "女"}.get(cert.holder_sex, cert.holder_sex)),
        ("证件类型", ID_TYPE),
        ("证件号码", cert.holder_id_number),
        ("职业", f"{cert.occupation.code}  {cert.occupation.name}"),
        ("工种", cert.trade.name if cert.trade_id and cert.trade else "--"),
        ("等级", level),
        ("证书编号", cert.number or ""),
        ("发证机构", cert.institution.name),
        ("发证日期", chinese_date(cert.issued_on) if cert.issued_on else "--"),
    ]
    return Printed(
        title=TITLES.get(CertificateKind(cert.kind), "职业技能等级证书"),
        rows=rows,
        statement=STATEMENTS.get(CertificateKind(cert.kind), ""),
        institution=cert.institution.name,
        issued_on=chinese_date(cert.issued_on) if cert.issued_on else "",
        url=verify_url(cert),
        revoked_on=chinese_date(cert.revoked_on)
        if cert.status == CertificateStatus.REVOKED and cert.revoked_on
        else "",
    )


def _photo(cert: Certificate) -> bytes | None:
    """The photo frozen at issue, or None (missing file, unreadable): the page then draws a frame."""
    if not cert.holder_photo:
        return None
    try:
        with default_storage.open(cert.holder_photo, "rb") as fh:
            data: bytes = fh.read()
    except (OSError, ValueError):
        logger.warning("certificate %s: photo %s not readable", cert.pk, cert.holder_photo)
        return None
    return data


# ---------------------------------------------------------------------------
# Drawing (millimetres, A4 portrait 210 × 297)

INK = (30, 30, 30)
GREY = (95, 95, 95)
RED = (150, 28, 32)
GOLD = (176, 137, 64)
RULE = (150, 150, 150)

TABLE_X, TABLE_W = 24.0, 162.0
LABEL_W = 30.0
PHOTO_W = 38.0
ROW_H = 11.5
PHOTO_ROWS = 4


def _border(pdf: FPDF) -> None:
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.6)
    pdf.rect(10, 10, 190, 277)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.35)
    pdf.rect(13.5, 13.5, 183, 270)
    # small corner squares inside the inner frame
    for x, y in ((13.5, 13.5), (190.5, 13.5), (13.5, 277.5), (190.5, 277.5)):
        pdf.rect(x, y, 6, 6)


def _title(pdf: FPDF, text: str) -> None:
    from fpdf.enums import TextMode

    pdf.set_text_color(*RED)
    pdf.set_draw_color(*RED)
    pdf.set_font("body", size=30)
    pdf.set_char_spacing(6)
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.25):  # a firm, slightly bold title
        width = pdf.get_string_width(text) - 6 * 0.3528  # no spacing after the last character
        pdf.text((210 - width) / 2, 42, text)
    pdf.set_char_spacing(0)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.line(55, 50, 155, 50)
    pdf.set_line_width(0.2)
    pdf.line(55, 51.4, 155, 51.4)


def _table(pdf: FPDF, rows: list[tuple[str, str]], top: float, photo: bytes | None) -> float:
    value_w = TABLE_W - LABEL_W
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.25)
    for i, (label, value) in enumerate(rows):
        y = top + i * ROW_H
        width = value_w - (PHOTO_W if i < PHOTO_ROWS else 0)
        pdf.set_fill_color(246, 241, 232)
        pdf.rect(TABLE_X, y, LABEL_W, ROW_H, style="DF")
        pdf.rect(TABLE_X + LABEL_W, y, width, ROW_H)
        pdf.set_text_color(*GREY)
        pdf.set_font("label", size=10.5)
        pdf.set_xy(TABLE_X, y)
        pdf.cell(LABEL_W, ROW_H, _spaced(label), align="C")
        pdf.set_text_color(*INK)
        size = 13.0
        pdf.set_font("body", size=size)
        while pdf.get_string_width(value) > width - 6 and size > 9:  # long institution names shrink to fit
            size -= 0.5
            pdf.set_font("body", size=size)
        pdf.set_xy(TABLE_X + LABEL_W + 3, y)
        if pdf.get_string_width(value) > width - 6:  # still too long (up to 100 characters): two lines
            pdf.set_y(y + 1.2)
            pdf.set_x(TABLE_X + LABEL_W + 3)
            pdf.multi_cell(width - 6, 4.4, value, max_line_height=4.4)
        else:
            pdf.cell(width - 6, ROW_H, value)
    _photo_cell(pdf, TABLE_X + TABLE_W - PHOTO_W, top, PHOTO_W, PHOTO_ROWS * ROW_H, photo)
    return top + len(rows) * ROW_H


def _spaced(label: str) -> str:
    """Two-character labels spread to the width of four, as printed forms do (姓　　名)."""
    return f"{label[0]}\u3000\u3000{label[1]}" if len(label) == 2 else label


def _photo_cell(pdf: FPDF, x: float, y: float, w: float, h: float, photo: bytes | None) -> None:
    pdf.set_draw_color(*RULE)
    pdf.rect(x, y, w, h)
    pw, ph = 26.0, 35.0  # a one-inch (一寸) photo, 2.6 × 3.5 cm
    px, py = x + (w - pw) / 2, y + (h - ph) / 2
    if photo is not None:
        try:
            pdf.image(io.BytesIO(photo), x=px, y=py, w=pw, h=ph, keep_aspect_ratio=True)
            return
        except Exception:  # a damaged image must not stop the certificate: fpdf2/Pillow raise many types
            logger.warning("certificate photo not drawable", exc_info=True)
    pdf.set_draw_color(*GREY)
    pdf.set_dash_pattern(dash=1.2, gap=1)
    pdf.rect(px, py, pw, ph)
    pdf.set_dash_pattern()
    pdf.set_text_color(*GREY)
    pdf.set_font("label", size=11)
    pdf.set_xy(px, py)
    pdf.cell(pw, ph, "照片", align="C")


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code modules (True = dark) of `url`, error correction M, without the quiet zone."""
    import segno

    code = segno.make(url, error="m", micro=False, boost_error=False)
    return [[bool(v) for v in row] for row in code.matrix]


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Vector QR code: each row's run of dark modules is one filled rectangle (crisp at any zoom)."""
    matrix = qr_matrix(url)
    n = len(matrix)
    m = size / n
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            pdf.rect(x + start * m, y + r * m, (c - start) * m, m, style="F")


def _footer(pdf: FPDF, p: Printed, top: float) -> None:
    # statement
    pdf.set_text_color(*INK)
    pdf.set_font("body", size=12)
    pdf.set_xy(TABLE_X, top + 7)
    pdf.cell(TABLE_W, 8, p.statement, align="C")
    # QR code bottom left, institution and date bottom right
    qr_y = 212.0
    _qr(pdf, p.url, TABLE_X + 2, qr_y, 32)
    pdf.set_font("label", size=9)
    pdf.set_text_color(*GREY)
    pdf.set_xy(TABLE_X + 2, qr_y + 33)
    pdf.cell(32, 5, "扫码核验", align="C")
    pdf.set_text_color(*INK)
    size = 13.0
    pdf.set_font("body", size=size)
    area = TABLE_X + TABLE_W - 80
    while pdf.get_string_width(p.institution) > area and size > 10:
        size -= 0.5
        pdf.set_font("body", size=size)
    date_y = qr_y + 19
    if pdf.get_string_width(p.institution) > area:  # a very long name: wrapped, the date below it
        pdf.set_xy(80, qr_y + 4)
        pdf.multi_cell(area, 5, p.institution, align="R", max_line_height=5)
        date_y = max(date_y, pdf.get_y() + 1)
    else:
        pdf.set_xy(80, qr_y + 10)
        pdf.cell(area, 8, p.institution, align="R")
    pdf.set_font("body", size=12)
    pdf.set_xy(80, date_y)
    pdf.cell(TABLE_X + TABLE_W - 80, 8, p.issued_on, align="R")
    # national query addresses and the verification URL
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.2)
    pdf.line(TABLE_X, 256, TABLE_X + TABLE_W, 256)
    pdf.set_font("label", size=9.5)
    pdf.set_text_color(*GREY)
    pdf.set_xy(TABLE_X, 258)
    pdf.cell(TABLE_W, 5.5, f"证书查询：{NATIONAL_QUERY}　　评价机构查询：{INSTITUTION_QUERY}", align="C")
    pdf.set_xy(TABLE_X, 263.5)
    pdf.cell(TABLE_W, 5.5, "本证书信息可通过扫描二维码或登录以上网站查询核验", align="C")
    pdf.set_font("label", size=7.5)
    pdf.set_xy(TABLE_X, 269)
    pdf.cell(TABLE_W, 4.5, p.url, align="C")


def _watermark(pdf: FPDF, revoked_on: str) -> None:
    pdf.set_text_color(*RED)
    with pdf.local_context(fill_opacity=0.22), pdf.rotation(35, x=105, y=150):
        pdf.set_font("body", size=110)
        pdf.set_char_spacing(12)
        width = pdf.get_string_width(WATERMARK)
        pdf.text(105 - width / 2, 170, WATERMARK)
        pdf.set_char_spacing(0)
    pdf.set_font("label", size=10)
    pdf.set_xy(TABLE_X, 58)
    pdf.cell(TABLE_W, 6, f"该证书已撤销，不作为有效证书使用（撤销日期：{revoked_on}）", align="C")


def render_certificate(cert: Certificate) -> bytes:
    """The certificate as a one-page A4 PDF with embedded font subsets. DomainError if not printable."""
    from fpdf import FPDF

    p = printed(cert)
    fonts = prepared_fonts()
    text = "".join(v for _, v in p.rows) + p.institution
    needs_full = not set(text) <= body_charset()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_lang("zh-CN")
    pdf.set_title(f"{p.title} {cert.number}")
    pdf.set_author(p.institution)
    pdf.set_creator("chizheng")
    pdf.set_creation_date(dt.datetime.combine(cert.issued_on or dt.date.today(), dt.time(), tzinfo=dt.UTC))
    pdf.add_font("body", fname=str(fonts.body_full if needs_full else fonts.body))
    pdf.add_font("label", fname=str(fonts.label))
    for font in pdf.fonts.values():
        # Keep the source font's bounding boxes instead of measuring every used glyph again when the
        # subset is written (a superset, still correct): half of the per-certificate time otherwise.
        font.ttfont.recalcBBoxes = False  # type: ignore[union-attr]
    pdf.add_page()
    _border(pdf)
    _title(pdf, p.title)
    if p.revoked_on:
        _watermark(pdf, p.revoked_on)
    bottom = _table(pdf, p.rows, 68, _photo(cert))
    _footer(pdf, p, bottom)
    data = bytes(pdf.output())
    del pdf
    # fpdf2 and fontTools leave the document's parsed fonts in reference cycles (~3 MB a certificate).
    # Collected now, while they are still young, it costs ~2 ms; left to Python's rare full collections,
    # a worker printing many certificates grew by ~300 MB (measured; docs/certificate-pdf.md).
    gc.collect(1)
    return data


# ---------------------------------------------------------------------------
# Batches


# A full garbage collection every this many certificates of a batch (see render_certificate).
COLLECT_EVERY = 200


class _Sink(io.RawIOBase):
    """A write-only byte buffer that zipfile streams into; the caller drains it after each member."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def zip_stream(certs: Iterable[Certificate]) -> Iterator[bytes]:
    """A ZIP of `<number>.pdf` files, produced one certificate at a time (memory stays flat).

    Not printable certificates (publicised, replaced) are skipped. PDFs are already compressed,
    so members are stored, not deflated.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as zf:
        for done, cert in enumerate(certs, start=1):
            if cert.status not in PRINTABLE or not cert.number:
                continue
            info = zipfile.ZipInfo(pdf_filename(cert), date_time=_zip_time(cert))
            zf.writestr(info, render_certificate(cert))
            yield sink.drain()
            if done % COLLECT_EVERY == 0:
                gc.collect()  # what render_certificate's young-generation collection missed
    yield sink.drain()


def _zip_time(cert: Certificate) -> tuple[int, int, int, int, int, int]:
    day = cert.issued_on or dt.date.today()
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)
