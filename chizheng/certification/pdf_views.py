"""Certificate PDF downloads: one certificate, and the filtered list as a streamed ZIP.

One certificate: whoever may open its detail page (same scope, 404 outside), a learner only their
own. The batch: roles that see the certificate list (Perm.VIEW_CERTIFICATES), the list's filters and
search, capped at CHIZHENG_PDF_ZIP_MAX; the ZIP is written while it is sent, one certificate at a
time, so memory stays flat. Every download is audited: the printed page carries the full ID number.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError
from chizheng.core.permissions import Perm, require
from chizheng.core.scoping import get_for, scope_of

from . import pdf, selectors
from .models import Certificate
from .views import _may_view, certificate_list_page


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The printed certificate (A4 PDF); publicised and replaced certificates are refused with a message."""
    _may_view(request.user)
    cert = get_for(request.user, selectors.certificates_for(request.user), pk=pk)
    data = pdf.render_certificate(cert)
    audit.record(
        request.user,
        AuditAction.EXPORT,
        cert,
        after={"format": "pdf", "number": cert.number},
        note="打印证书 PDF（含完整身份证号）",
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf.pdf_filename(cert))
    return response


def _scope_name(user: object) -> str:
    unit = getattr(user, "org_unit", None)
    if scope_of(user).kind in ("school", "county") and unit is not None:
        return str(unit.name)
    return "全市"


@login_required
@require_GET
def certificate_zip(request: HttpRequest) -> HttpResponseBase:
    """The certificates of the current list filter as `<number>.pdf` files in one ZIP (printable ones only)."""
    require(request.user, Perm.VIEW_CERTIFICATES)
    certs = (
        certificate_list_page(request)
        .filtered(request)
        .filter(status__in=pdf.PRINTABLE, number__isnull=False)
        .order_by("number")
    )
    total = certs.count()
    cap = int(settings.CHIZHENG_PDF_ZIP_MAX)
    if total == 0:
        raise DomainError("nothing_to_print", "筛选结果中没有可打印的证书（只有已发证或已撤销的证书可以打印）。")
    if total > cap:
        raise DomainError(
            "too_many_to_print",
            f"筛选结果有 {total:,} 张可打印证书，超过单次批量下载上限 {cap:,} 张，"
            "请按状态、等级或搜索缩小范围后分批下载。",
        )
    name = f"证书PDF-{_scope_name(request.user)}-{timezone.localdate():%Y%m%d}.zip"
    query = request.GET.urlencode()
    audit.record(
        request.user,
        AuditAction.EXPORT,
        object_type=Certificate._meta.label,
        object_id="",
        object_repr=f"证书 PDF 批量下载（{total} 张）",
        after={"format": "pdf-zip", "certificates": total, "query": query},
        note="批量打印证书 PDF（含完整身份证号）",
    )
    response = StreamingHttpResponse(pdf.zip_stream(certs.iterator(chunk_size=500)), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Certificate-Count"] = str(total)
    return response
