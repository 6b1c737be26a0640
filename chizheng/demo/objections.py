"""Demo objections during publicity (公示异议, R8): three certificates still in publicity get one each, through
the services — one open (the certificate waits), one not upheld (it issues with the next batch), one upheld
(the certificate is revoked before a number is used). Deterministic for a seed; no audit rows of its own
(the `demo` command records the load as one event)."""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from chizheng.certification import services
from chizheng.certification.choices import CertificateStatus
from chizheng.certification.models import Certificate
from chizheng.core.choices import Role
from chizheng.core.models import AuditEvent, User

TEXTS = [
    ("反映该学员理论考试时有替考嫌疑，请核实考场签到记录。", None, ""),
    ("学员本人反映证书上的工种填写有误。", False, "经核对报名表与考核记录，工种填写无误，异议不成立。"),
    ("举报持证人冒名顶替参加技能考核。", True, "经核查身份证件与考场照片，情况属实，撤销该证书。"),
]


@transaction.atomic
def build(seed: int) -> dict[str, int]:
    rng = random.Random(f"objections-{seed}")
    today = timezone.localdate()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    learners = User.objects.filter(role=Role.LEARNER, person__isnull=False).values("person_id")
    candidates = list(
        Certificate.objects.filter(
            status=CertificateStatus.PUBLICISED, publicity_starts__lte=today, publicity_ends__gte=today
        )
        .exclude(person__in=learners)
        .order_by("pk")
    )
    if len(candidates) < len(TEXTS):
        return {"objections": 0}
    for cert, (text, upheld, resolution) in zip(rng.sample(candidates, len(TEXTS)), TEXTS, strict=True):
        objection = services.objection_raise(actor=None, certificate=cert, text=text, on_date=cert.publicity_starts)
        if upheld is not None:
            services.objection_resolve(
                actor=None, objection=objection, upheld=upheld, resolution=resolution, on_date=today
            )
    AuditEvent.objects.filter(pk__gt=last_audit, object_type__startswith="certification.").delete()
    return {"objections": len(TEXTS), "objections_open": 1}
