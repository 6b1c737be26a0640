"""The recognition batch machinery every pathway shares (R5, R6, R7 → R8 issuance).

    batch_create   a draft batch of one pathway for one institution (and its source: course mapping,
                   competition; R5 takes the school's 1+X records, optionally one occupation/level)
    batch_preview  computes every candidate with the pathway's rule function and the shared checks
                   (R2/R3 gate, R8 already holds, R8 duplicates in the batch) and stores the outcome
                   and, for everyone who does not qualify, the reason; may be run again until confirmed
    batch_confirm  publicises the qualifying candidates' certificates through
                   `certification.services.certificate_publicise(..., skip_existing=True)`, one call per
                   (occupation, trade, level); the batch is then closed for good
    batch_issue    `certification.services.certificate_issue_due` for the institution, then marks the
                   batches whose certificates are all numbered as issued

A pathway plugs in with a module `chizheng.pathways.<module>` (see `PATHWAY_MODULES`) that defines
`compute_candidates(batch, on_date) -> list[rules.Verdict]`: its own rule per source row, no writes.
Re-running never issues twice: a confirmed batch cannot be confirmed again, and a new batch over the
same source refuses everyone already holding the certificate (R8).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from chizheng.assessments.services import certificate_kind_for
from chizheng.certification import services as certification
from chizheng.certification.choices import CertificateStatus, Pathway
from chizheng.certification.models import VALID_STATUSES, Certificate
from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.permissions import Perm, require
from chizheng.core.scoping import get_for
from chizheng.institutions.models import EvaluationInstitution
from chizheng.institutions.selectors import check_institution_may_assess
from chizheng.occupations.models import Occupation

from . import rules
from .choices import BatchStatus, CandidateOutcome
from .models import BatchCandidate, Competition, CourseCertMapping, RecognitionBatch

#: pathway → the module whose `compute_candidates(batch, on_date)` applies its rule.
PATHWAY_MODULES: dict[str, str] = {
    Pathway.DIRECT: "chizheng.pathways.direct",
    Pathway.PROCESS: "chizheng.pathways.process",
    Pathway.COMPETITION: "chizheng.pathways.competition",
}
#: Short Chinese names of the batch pathways (page titles, audit notes).
PATHWAY_LABELS: dict[str, str] = {
    Pathway.DIRECT: "直接认定",
    Pathway.PROCESS: "过程化考核",
    Pathway.COMPETITION: "竞赛取证",
}
CHUNK = 1000


def compute(batch: RecognitionBatch, on_date: dt.date) -> list[rules.Verdict]:
    """The pathway's verdicts followed by the shared checks; reads only."""
    module = importlib.import_module(PATHWAY_MODULES[batch.pathway])
    verdicts: list[rules.Verdict] = module.compute_candidates(batch, on_date)
    qualifying = [v for v in verdicts if v.qualifies]
    groups = {(v.occupation_id, v.level) for v in qualifying}
    occupations = Occupation.objects.in_bulk(
        {occ for occ, _ in groups} | {v.occupation_id for v in verdicts if v.occupation_id}
    )
    gate_errors: dict[tuple[int, int], str] = {}
    for occupation_id, level in sorted(groups, key=lambda g: (g[0] or 0, g[1] or 0)):
        assert occupation_id is not None
        assert level is not None
        try:
            check_institution_may_assess(batch.institution, occupations[occupation_id], level, on_date)
        except DomainError as err:
            gate_errors[(occupation_id, level)] = err.message
    certified: set[tuple[int, int, int]] = set()
    persons = sorted({v.person_id for v in qualifying})
    for start in range(0, len(persons), CHUNK):
        certified.update(
            Certificate.objects.filter(
                person_id__in=persons[start : start + CHUNK],
                occupation_id__in={occ for occ, _ in groups},
                status__in=VALID_STATUSES,
            ).values_list("person_id", "occupation_id", "level")
        )
    return rules.apply_shared_checks(
        verdicts,
        gate_errors=gate_errors,
        certified=certified,
        occupation_names={pk: o.name for pk, o in occupations.items()},
    )


def _lock(actor: Any, batch: RecognitionBatch) -> RecognitionBatch:
    if actor is not None:
        require(actor, Perm.ISSUE_CERTIFICATES)
        if not RecognitionBatch.objects.restrict(actor).filter(pk=batch.pk).exists():
            raise NotFound()
    return RecognitionBatch.objects.select_for_update(of=("self",)).select_related("institution").get(pk=batch.pk)


@transaction.atomic
def batch_create(
    *,
    actor: Any,
    pathway: str,
    institution: EvaluationInstitution,
    title: str,
    occupation: Occupation | None = None,
    level: int | None = None,
    course_mapping: CourseCertMapping | None = None,
    competition: Competition | None = None,
    publicity_days: int = 7,
) -> RecognitionBatch:
    """A draft batch of `pathway` run by `institution` (in the actor's scope). R6 names its course mapping,
    R7 its competition, both of the institution's school; R5 may narrow to one occupation and/or level."""
    if actor is not None:
        require(actor, Perm.ISSUE_CERTIFICATES)
        institution = get_for(actor, EvaluationInstitution, pk=institution.pk)
    if pathway not in PATHWAY_MODULES:
        raise DomainError("bad_pathway", f"取证途径“{pathway}”不能按批次认定。", field="pathway")
    title = (title or "").strip()
    if not title:
        raise DomainError("title_required", "请填写批次名称。", field="title")
    if level is not None and not 1 <= level <= 5:
        raise DomainError("bad_level", "等级应为 1–5 级。", field="level")
    if not 1 <= publicity_days <= 60:
        raise DomainError("bad_publicity_days", "公示天数应在 1–60 天之间。", field="publicity_days")
    if pathway == Pathway.PROCESS:
        if course_mapping is None:
            raise DomainError("mapping_required", "过程化考核批次须选择课证融通方案。", field="course_mapping")
        if course_mapping.school_id != institution.school_id:
            raise DomainError("mapping_other_school", "课证融通方案不属于该评价机构所在院校。", field="course_mapping")
        if not course_mapping.active:
            raise DomainError("mapping_inactive", f"方案“{course_mapping.name}”已停用。", field="course_mapping")
        occupation = course_mapping.occupation
    elif course_mapping is not None:
        raise DomainError("mapping_not_allowed", "只有过程化考核批次使用课证融通方案。", field="course_mapping")
    if pathway == Pathway.COMPETITION:
        if competition is None:
            raise DomainError("competition_required", "竞赛取证批次须选择竞赛。", field="competition")
        if competition.school_id != institution.school_id:
            raise DomainError("competition_other_school", "竞赛不属于该评价机构所在院校。", field="competition")
        occupation = competition.occupation
    elif competition is not None:
        raise DomainError("competition_not_allowed", "只有竞赛取证批次使用竞赛。", field="competition")
    batch = RecognitionBatch.objects.create(
        pathway=pathway,
        institution=institution,
        school_id=institution.school_id,
        county_id=institution.county_id,
        title=title[:100],
        occupation=occupation,
        level=level,
        course_mapping=course_mapping,
        competition=competition,
        publicity_days=publicity_days,
        created_by=actor,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        batch,
        after=audit.snapshot(batch, ["pathway", "institution_id", "title", "occupation_id", "level"]),
    )
    return batch


@transaction.atomic
def batch_preview(*, actor: Any, batch: RecognitionBatch, on_date: dt.date | None = None) -> RecognitionBatch:
    """Compute (again) every candidate of an open batch and store who qualifies at which level and, for
    everyone else, the rule that stops them. `on_date` (default today) is the day the R2/R3 gate is read."""
    batch = _lock(actor, batch)
    rules.check_batch_open(batch.status)
    day = on_date or timezone.localdate()
    verdicts = compute(batch, day)
    BatchCandidate.objects.filter(batch=batch).delete()
    BatchCandidate.objects.bulk_create(
        (
            BatchCandidate(
                batch=batch,
                person_id=v.person_id,
                school_id=batch.school_id,
                county_id=batch.county_id,
                source_key=v.source_key,
                outcome=CandidateOutcome.QUALIFIES if v.qualifies else CandidateOutcome.REFUSED,
                occupation_id=v.occupation_id,
                trade_id=v.trade_id,
                level=v.level,
                reason_code=v.reason_code,
                reason=v.reason,
                evidence_type=v.evidence_type,
                evidence_id=v.evidence_id,
                evidence=v.evidence,
                x_certificate_id=v.x_certificate_id,
                competition_entry_id=v.competition_entry_id,
            )
            for v in verdicts
        ),
        batch_size=CHUNK,
    )
    before = audit.snapshot(batch, ["status", "qualified_count", "refused_count"])
    batch.qualified_count = sum(1 for v in verdicts if v.qualifies)
    batch.refused_count = len(verdicts) - batch.qualified_count
    batch.status = BatchStatus.PREVIEWED
    batch.previewed_at = timezone.now()
    batch.save(update_fields=["qualified_count", "refused_count", "status", "previewed_at"])
    audit.record(
        actor, AuditAction.UPDATE, batch, before=before, after=audit.snapshot(batch, before), note="预览认定批次"
    )
    return batch


@transaction.atomic
def batch_confirm(*, actor: Any, batch: RecognitionBatch, on_date: dt.date) -> list[Certificate]:
    """Confirm a previewed batch: the qualifying candidates' certificates are publicised from `on_date` for the
    batch's publicity days, each with its candidate's evidence, through the one issuance service (which
    checks the R2/R3 gate again and skips anyone who meanwhile holds the certificate — that candidate is
    then marked refused, R8). Returns the publicised certificates."""
    batch = _lock(actor, batch)
    rules.check_batch_previewed(batch.status, batch.qualified_count)
    qualifying = list(
        BatchCandidate.objects.filter(batch=batch, outcome=CandidateOutcome.QUALIFIES)
        .select_related("occupation", "trade")
        .order_by("id")
    )
    groups: dict[tuple[int, int | None, int], list[BatchCandidate]] = defaultdict(list)
    for c in qualifying:
        assert c.occupation_id is not None
        assert c.level is not None
        groups[(c.occupation_id, c.trade_id, c.level)].append(c)
    created: list[Certificate] = []
    skipped: list[BatchCandidate] = []
    for (_, _, level), candidates in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] or 0, g[0][2])):
        first = candidates[0]
        assert first.occupation is not None
        certs = certification.certificate_publicise(
            actor=actor,
            institution=batch.institution,
            occupation=first.occupation,
            trade=first.trade,
            level=level,
            kind=certificate_kind_for(batch.institution),
            pathway=batch.pathway,
            items=[
                certification.IssueItem(
                    person_id=c.person_id, evidence=c.evidence, evidence_type=c.evidence_type, evidence_id=c.evidence_id
                )
                for c in candidates
            ],
            on_date=on_date,
            publicity_days=batch.publicity_days,
            skip_existing=True,
        )
        by_person = {cert.person_id: cert for cert in certs}
        for c in candidates:
            cert = by_person.get(c.person_id)
            if cert is None:
                verdict = rules.refuse_already_certified(
                    rules.Verdict(c.source_key, c.person_id, c.evidence_type, c.evidence_id, level=c.level),
                    occupation_name=first.occupation.name,
                )
                c.outcome = CandidateOutcome.REFUSED
                c.reason_code, c.reason = verdict.reason_code, verdict.reason
                skipped.append(c)
            else:
                c.certificate = cert
        created.extend(certs)
    if not created:
        raise DomainError(
            "nobody_qualifies_now", "符合条件的人员现已全部持有该证书，请重新预览批次（未写入任何证书）。"
        )
    BatchCandidate.objects.bulk_update(
        [c for c in qualifying if c.certificate_id is not None], ["certificate"], batch_size=CHUNK
    )
    if skipped:
        BatchCandidate.objects.bulk_update(skipped, ["outcome", "reason_code", "reason"], batch_size=CHUNK)
    before = audit.snapshot(batch, ["status", "confirmed_on", "certificate_count", "qualified_count"])
    batch.status = BatchStatus.CONFIRMED
    batch.confirmed_on = on_date
    batch.confirmed_by = actor if actor is not None else None
    batch.certificate_count = len(created)
    batch.qualified_count -= len(skipped)
    batch.refused_count += len(skipped)
    batch.save(
        update_fields=[
            "status",
            "confirmed_on",
            "confirmed_by",
            "certificate_count",
            "qualified_count",
            "refused_count",
        ]
    )
    audit.record(
        actor, AuditAction.UPDATE, batch, before=before, after=audit.snapshot(batch, before), note="确认认定批次并公示"
    )
    return created


def batches_mark_issued(institution: EvaluationInstitution, on_date: dt.date) -> int:
    """Mark every confirmed batch of `institution` whose certificates have all left publicity as issued."""
    confirmed = RecognitionBatch.objects.filter(institution=institution, status=BatchStatus.CONFIRMED)
    waiting = BatchCandidate.objects.filter(
        batch__in=confirmed, certificate__status=CertificateStatus.PUBLICISED
    ).values("batch_id")
    return confirmed.exclude(pk__in=waiting).update(status=BatchStatus.ISSUED, issued_on=on_date)


@transaction.atomic
def batch_issue(*, actor: Any, batch: RecognitionBatch, on_date: dt.date) -> list[Certificate]:
    """Number and issue, after publicity, every due certificate of the batch's institution (the one
    `certificate_issue_due`, so other batches and sessions of the institution that are due go too), then
    mark the batches whose certificates are all issued. Returns the newly issued certificates."""
    batch = _lock(actor, batch)
    if batch.status != BatchStatus.CONFIRMED:
        raise DomainError(
            "not_confirmed", f"批次状态为“{batch.get_status_display()}”，只有已确认（公示中）的批次可以发证。"
        )
    last = (
        BatchCandidate.objects.filter(batch=batch, certificate__status=CertificateStatus.PUBLICISED)
        .order_by("-certificate__publicity_ends")
        .values_list("certificate__publicity_ends", flat=True)
        .first()
    )
    if last is not None and on_date <= last:
        raise DomainError(
            "publicity_not_over", f"公示期至 {last:%Y-%m-%d} 结束，{last + dt.timedelta(days=1):%Y-%m-%d} 起方可发证。"
        )
    issued = certification.certificate_issue_due(actor=actor, institution=batch.institution, on_date=on_date)
    batches_mark_issued(batch.institution, on_date)
    audit.record(actor, AuditAction.UPDATE, batch, after={"issued": len(issued)}, note="认定批次发证")
    return issued
