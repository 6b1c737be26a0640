"""Certificate pages: the scoped list (Excel export), one certificate with its history, revoke and reissue,
the learner's own certificates, and the public verification page (no login, rate-limited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from chizheng.core.choices import Role
from chizheng.core.errors import DomainError, PermissionDenied
from chizheng.core.http import actor_of
from chizheng.core.listing import Column, Filter, ListPage
from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for
from chizheng.occupations.choices import SkillLevel

from . import ratelimit, selectors, services
from .choices import CertificateKind, CertificateStatus, Pathway, ReportStatus
from .models import Certificate


def _detail_url(cert: Certificate) -> str:
    return reverse("certification:certificate_detail", args=[cert.pk])


@login_required
def certificate_list(request: HttpRequest) -> HttpResponseBase:
    """School, county and city: the certificates in scope, filtered, searchable, exportable to Excel."""
    require(request.user, Perm.VIEW_CERTIFICATES)
    return certificate_list_page(request).render(request)


def certificate_list_page(request: HttpRequest) -> ListPage:
    """The certificate list; also what the batch PDF download (pdf_views.certificate_zip) filters by."""
    params = request.GET.copy()
    for name in ("page", "export", "full"):
        params.pop(name, None)
    zip_url = reverse("certification:certificate_zip") + (f"?{params.urlencode()}" if params else "")
    return ListPage(
        title="证书",
        queryset=selectors.certificates_for(request.user).order_by("-id"),
        columns=[
            Column("证书编号", lambda c: c.number or "（公示中）", link=_detail_url),
            Column("姓名", lambda c: c.holder_name),
            Column("身份证号", lambda c: c.masked_id_number),
            Column("职业", lambda c: c.occupation.name),
            Column("等级", lambda c: c.get_level_display()),
            Column("证书类型", lambda c: c.get_kind_display()),
            Column("取证途径", lambda c: c.get_pathway_display()),
            Column("发证机构", lambda c: c.institution.name),
            Column("院校", lambda c: c.school.name if c.school else ""),
            Column("状态", lambda c: c.get_status_display()),
            Column("发证日期", lambda c: c.issued_on or ""),
        ],
        filters=[
            Filter("status", "状态", "status", CertificateStatus.choices),
            Filter("level", "等级", "level", SkillLevel.choices),
            Filter("kind", "证书类型", "kind", CertificateKind.choices),
            Filter("pathway", "取证途径", "pathway", Pathway.choices),
            Filter("national", "全国系统上报", "national_report_status", ReportStatus.choices),
            Filter("henan", "河南系统上报", "henan_report_status", ReportStatus.choices),
        ],
        search_fields=["number", "holder_name", "occupation__name__icontains", "institution__name__icontains"],
        search_placeholder="证书编号、姓名、职业或发证机构",
        export_name="证书",
        actions=[("批量下载 PDF（ZIP）", zip_url)],
    )


def _may_view(user: object) -> None:
    if getattr(user, "role", None) != Role.LEARNER:
        require(user, Perm.VIEW_CERTIFICATES)


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One certificate: holder (as frozen at issue), evidence, lifecycle history, revoke and reissue."""
    _may_view(request.user)
    cert = get_for(request.user, selectors.certificates_for(request.user), pk=pk)
    user = request.user
    context = {
        "cert": cert,
        "history": selectors.history_of(cert),
        "evidence_rows": selectors.evidence_rows(cert),
        "can_revoke": has_perm(user, Perm.REVOKE_CERTIFICATE) and cert.status in ("publicised", "issued"),
        "can_reissue": has_perm(user, Perm.ISSUE_CERTIFICATES) and cert.status == "issued",
        "verify_url": request.build_absolute_uri(reverse("verify_token", args=[cert.verify_token])),
    }
    return render(request, "certification/certificate_detail.html", context)


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.REVOKE_CERTIFICATE)
    cert = get_for(request.user, selectors.certificates_for(request.user), pk=pk)
    try:
        services.certificate_revoke(
            actor=actor_of(request),
            certificate=cert,
            reason=request.POST.get("reason", ""),
            on_date=timezone.localdate(),
        )
        messages.success(request, "证书已撤销。")
    except PermissionDenied:
        raise
    except DomainError as err:
        messages.error(request, err.message)
    return redirect(_detail_url(cert))


@login_required
@require_POST
def certificate_reissue(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Perm.ISSUE_CERTIFICATES)
    cert = get_for(request.user, selectors.certificates_for(request.user), pk=pk)
    try:
        new = services.certificate_reissue(
            actor=actor_of(request), certificate=cert, reason=request.POST.get("reason", "")
        )
    except PermissionDenied:
        raise
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(_detail_url(cert))
    messages.success(request, f"已换发，新证书编号 {new.number}。")
    return redirect(_detail_url(new))


@login_required
def my_certificates(request: HttpRequest) -> HttpResponseBase:
    """我的证书: a learner's own certificates (valid, revoked and replaced ones, with their verification links)."""
    if getattr(request.user, "role", None) != Role.LEARNER:
        raise PermissionDenied("只有学员可以查看“我的证书”。")
    certs = selectors.certificates_for(request.user).order_by("-issued_on", "-id")
    return render(request, "certification/my_certificates.html", {"certs": certs})


def _limited(request: HttpRequest) -> HttpResponse | None:
    if ratelimit.allow(request):
        return None
    response = render(request, "certification/verify.html", {"limited": True}, status=429)
    response["Retry-After"] = "60"
    return response


@require_GET
def verify(request: HttpRequest) -> HttpResponseBase:
    """Public verification (no login): certificate number + holder name."""
    number, name = request.GET.get("number", ""), request.GET.get("name", "")
    answer = None
    if number or name:
        limited = _limited(request)
        if limited:
            return limited
        answer = selectors.verify_by_number(number, name)
    return render(request, "certification/verify.html", {"answer": answer, "number": number, "name": name})


@require_GET
def verify_token(request: HttpRequest, token: str) -> HttpResponseBase:
    """Public verification from the QR code printed on the certificate."""
    limited = _limited(request)
    if limited:
        return limited
    return render(request, "certification/verify.html", {"answer": selectors.verify_by_token(token), "by_token": True})
