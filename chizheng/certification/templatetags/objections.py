"""`{% objection_section cert %}`: the 公示异议 card of a certificate's detail page (list, record, resolve)."""

from __future__ import annotations

from typing import Any

from django import template

from chizheng.core.permissions import Perm, has_perm

from ..choices import CertificateStatus
from ..models import Certificate

register = template.Library()


@register.inclusion_tag("certification/objection_section.html", takes_context=True)
def objection_section(context: dict[str, Any], cert: Certificate) -> dict[str, Any]:
    """The school that issues the certificate records and resolves objections (Perm.ISSUE_CERTIFICATES, as
    services.objection_raise/_resolve check); others in scope see them."""
    may_handle = has_perm(context["request"].user, Perm.ISSUE_CERTIFICATES)
    return {
        "cert": cert,
        "objections": list(cert.objections.select_related("raised_by")),
        "can_raise": may_handle and cert.status == CertificateStatus.PUBLICISED,
        "can_resolve": may_handle,
    }
