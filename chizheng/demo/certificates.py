"""Demo certificates (R8): a few thousand across the filed demo institutions, issued through the one
issuance service (publicity, then numbering), for the demo years; some revoked, some reissued, a few
still in publicity. The demo learner account holds one. Deterministic for a seed.

The demo load is recorded as ONE audit event by the `demo` command, so the per-batch audit rows the
services write here are removed at the end (the same way the other demo builders write without audit).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from chizheng.certification import services
from chizheng.certification.choices import CertificateStatus
from chizheng.certification.models import Certificate
from chizheng.core.choices import Role
from chizheng.core.models import AuditEvent, User
from chizheng.institutions.choices import InstitutionStatus
from chizheng.institutions.models import EvaluationInstitution
from chizheng.institutions.selectors import institution_may_assess
from chizheng.people.models import Person

TARGET = 3_000


@transaction.atomic
def build(seed: int, target: int = TARGET) -> dict[str, int]:
    """Publicise and issue certificates per filed institution and scope; revoke and reissue a few."""
    rng = random.Random(f"certificates-{seed}")
    today = timezone.localdate()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    institutions = list(
        EvaluationInstitution.objects.filter(
            status__in=[InstitutionStatus.FILED, InstitutionStatus.SUSPENDED, InstitutionStatus.REVOKED]
        )
        .select_related("county", "school")
        .prefetch_related("scopes__occupation")
        .order_by("code")
    )
    learner = User.objects.filter(role=Role.LEARNER, person__isnull=False).order_by("pk").first()
    learner_person = learner.person_id if learner else None
    per_institution = max(20, target // max(1, len(institutions)))
    for inst in institutions:
        persons = list(Person.objects.filter(school=inst.school_id).values_list("pk", flat=True).order_by("pk"))
        if not persons or not inst.filed_on:
            continue
        scopes = list(inst.scopes.all())
        rng.shuffle(scopes)
        for n_scope, scope in enumerate(scopes[:2]):
            start = max(inst.filed_on, scope.added_on) + dt.timedelta(days=10)
            end = min(scope.removed_on or today, inst.revoked_on or today, today) - dt.timedelta(days=20)
            if end <= start:
                continue
            level = 5 if scope.highest_level == 5 else rng.choice([4, 4, 4, 5, max(3, scope.highest_level)])
            on_date = start + dt.timedelta(days=rng.randrange((end - start).days))
            if n_scope == 0 and inst.pk == institutions[-1].pk:
                on_date = today - dt.timedelta(days=2)  # still in publicity
            issue_on = on_date + dt.timedelta(days=8)
            if not institution_may_assess(inst, scope.occupation, level, on_date):
                continue
            if issue_on <= today and not institution_may_assess(inst, scope.occupation, level, issue_on):
                continue
            chosen = rng.sample(persons, min(len(persons), per_institution // 2))
            if learner_person and learner_person in persons and learner_person not in chosen and n_scope == 0:
                chosen[0] = learner_person
            items = [
                services.IssueItem(
                    person_id=pid,
                    evidence={"demo": True, "theory": rng.randrange(60, 100), "skill": rng.randrange(60, 100)},
                    evidence_type="exam_registration",
                    evidence_id=f"DEMO-{inst.code}-{scope.occupation.code}-{pid}",
                )
                for pid in chosen
            ]
            services.certificate_publicise(
                actor=None,
                institution=inst,
                occupation=scope.occupation,
                level=level,
                kind="skill_level",
                pathway="exam",
                items=items,
                on_date=on_date,
                skip_existing=True,
            )
            if issue_on <= today:
                services.certificate_issue_due(actor=None, institution=inst, on_date=issue_on)

    issued = list(Certificate.objects.filter(status=CertificateStatus.ISSUED).order_by("pk"))
    rng.shuffle(issued)
    cut = max(1, len(issued) // 60)
    for cert in issued[:cut]:
        day = min(today, (cert.issued_on or today) + dt.timedelta(days=rng.randrange(30, 300)))
        services.certificate_revoke(
            actor=None, certificate=cert, reason=rng.choice(["考核舞弊，成绩无效", "身份信息不实"]), on_date=day
        )
    for cert in issued[cut : 2 * cut]:
        day = min(today, (cert.issued_on or today) + dt.timedelta(days=rng.randrange(30, 300)))
        services.certificate_reissue(
            actor=None, certificate=cert, reason=rng.choice(["证书遗失补办", "姓名更正"]), on_date=day
        )
    AuditEvent.objects.filter(pk__gt=last_audit, object_type__startswith="certification.").delete()
    counts = {s: Certificate.objects.filter(status=s).count() for s in CertificateStatus.values}
    return {
        "certificates": sum(counts.values()),
        "certificates_issued": counts["issued"],
        "certificates_revoked": counts["revoked"],
        "certificates_replaced": counts["replaced"],
    }
