"""Demo evaluation institutions (R2): most schools filed with the city HRSS (a few pending, one
returned, one suspended, one revoked), so that the R1 line (≥ 11 filed) shows as met; scopes on
common occupations with a national standard (and the filed demo spec's occupation, R3); examiners,
invigilators and supervisors from each school's teachers; this year's subsidy list.

Written directly (bulk, deterministic for a seed) with the same dated history the services write.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from chizheng.core.choices import OrgKind, Role
from chizheng.core.models import OrgUnit, User
from chizheng.institutions import rules
from chizheng.institutions.choices import EventKind, ExaminerRole, InstitutionKind, InstitutionStatus
from chizheng.institutions.models import (
    EvaluationInstitution,
    Examiner,
    InstitutionEvent,
    InstitutionScope,
    SubsidyListEntry,
)
from chizheng.occupations.models import EvaluationSpec, Occupation
from chizheng.people.models import Teacher

from . import names

KIND_SUFFIX = {
    InstitutionKind.COLLEGE: "职业技能等级评价中心",
    InstitutionKind.SOCIAL: "社会培训评价中心",
    InstitutionKind.SPECIAL: "专项职业能力考核站",
    InstitutionKind.APPRAISAL: "职业技能鉴定站",
}


def _status_for(index: int, total: int) -> str:
    """Most filed; two pending, one returned, one suspended, one revoked, one still a draft."""
    special = {
        total - 1: InstitutionStatus.DRAFT,
        total - 2: InstitutionStatus.SUBMITTED,
        total - 3: InstitutionStatus.SUBMITTED,
        total - 4: InstitutionStatus.RETURNED,
        2: InstitutionStatus.SUSPENDED,
        5: InstitutionStatus.REVOKED,
    }
    return special.get(index, InstitutionStatus.FILED)


@transaction.atomic
def build(seed: int) -> dict[str, int]:
    """Institutions, scopes, history, examiners and the subsidy list for the demo schools."""
    rng = random.Random(f"institutions-{seed}")
    today = timezone.localdate()
    schools = list(OrgUnit.objects.filter(kind=OrgKind.SCHOOL).select_related("county").order_by("code"))
    hrss = User.objects.filter(role=Role.HRSS_OFFICER).order_by("pk").first()
    standards = list(Occupation.objects.filter(code__in=names.STANDARDS).order_by("code"))
    spec = EvaluationSpec.objects.filter(status="filed").select_related("occupation").first()
    events: list[InstitutionEvent] = []
    scopes: list[InstitutionScope] = []
    filed: list[EvaluationInstitution] = []
    institutions: list[EvaluationInstitution] = []
    for index, school in enumerate(schools):
        kind = InstitutionKind.COLLEGE if index % 6 else rng.choice(list(InstitutionKind))
        status = _status_for(index, len(schools))
        created = dt.date(2022, 1, 10) + dt.timedelta(days=rng.randrange(0, 60))
        inst = EvaluationInstitution(
            school=school,
            county_id=school.county_id or school.pk,
            kind=kind,
            name=f"{school.name}{KIND_SUFFIX[InstitutionKind(kind)]}",
            code=f"{1001 + index:04d}",
            station_code=(school.county.code if school.county else school.code)[:6],
            status=status,
            contact=school.contact or "教务处",
            phone=school.phone or f"0391-{rng.randrange(2000000, 3999999)}",
            sites=f"{school.name}实训楼（{school.address or '校本部'}）",
        )
        if status in (InstitutionStatus.FILED, InstitutionStatus.SUSPENDED, InstitutionStatus.REVOKED):
            inst.filed_on = created + dt.timedelta(days=rng.randrange(20, 200))
            inst.filing_number = f"焦人社评备〔{inst.filed_on.year}〕{index + 1:03d}号"
            review_base = inst.filed_on
            while rules.review_due_after(review_base) < today - dt.timedelta(days=20):
                review_base = rules.review_due_after(review_base)
            inst.review_due_on = rules.review_due_after(review_base)
        if status == InstitutionStatus.RETURNED:
            inst.returned_reason = "评价场所证明材料不全，请补充实训场地产权或租赁证明。"
        if status == InstitutionStatus.REVOKED:
            inst.revoked_on = (inst.filed_on or created) + dt.timedelta(days=300)
        institutions.append(inst)
    EvaluationInstitution.objects.bulk_create(institutions)

    for inst in institutions:
        created = inst.filed_on - dt.timedelta(days=30) if inst.filed_on else dt.date(2022, 3, 1)

        def ev(kind: str, on: dt.date, *, inst: EvaluationInstitution = inst, **extra: object) -> None:
            events.append(InstitutionEvent(institution=inst, kind=kind, on_date=on, **extra))

        ev(EventKind.CREATED, created - dt.timedelta(days=5))
        for occ in rng.sample(standards, k=min(len(standards), rng.randint(1, 3))):
            level = rng.choice([3, 4]) if InstitutionKind(inst.kind) != InstitutionKind.SPECIAL else 5
            scopes.append(InstitutionScope(institution=inst, occupation=occ, highest_level=level, added_on=created))
            ev(EventKind.SCOPE_ADDED, created, detail={"occupation": occ.code, "level": level})
        if inst.status == InstitutionStatus.DRAFT:
            continue
        ev(EventKind.SUBMITTED, created + dt.timedelta(days=3))
        if inst.status == InstitutionStatus.RETURNED:
            ev(EventKind.RETURNED, created + dt.timedelta(days=10), reason=inst.returned_reason, actor=hrss)
            continue
        if inst.filed_on is None:
            continue
        ev(EventKind.APPROVED, inst.filed_on, filing_number=inst.filing_number, actor=hrss)
        if inst.status == InstitutionStatus.SUSPENDED:
            start = inst.filed_on + dt.timedelta(days=200)
            ev(EventKind.SUSPENDED, start, reason="年度审核发现考评员配备不足，限期整改。", actor=hrss)
        if inst.status == InstitutionStatus.REVOKED and inst.revoked_on:
            ev(EventKind.REVOKED, inst.revoked_on, reason="违规发放证书，撤销备案。", actor=hrss)
        if inst.status in (InstitutionStatus.FILED, InstitutionStatus.SUSPENDED):
            filed.append(inst)
    if spec is not None and spec.filed_on:
        # R3: the occupation of the filed spec, at the school that drafted it
        owner = next((i for i in filed if i.school_id == spec.school_id), None)
        if owner is not None:
            level = max(level for level in spec.levels if level >= 3) if any(v >= 3 for v in spec.levels) else 5
            scopes.append(
                InstitutionScope(
                    institution=owner, occupation=spec.occupation, highest_level=level, added_on=spec.filed_on
                )
            )
            events.append(
                InstitutionEvent(
                    institution=owner,
                    kind=EventKind.SCOPE_ADDED,
                    on_date=spec.filed_on,
                    actor=hrss,
                    detail={"occupation": spec.occupation.code, "level": level},
                )
            )
    InstitutionScope.objects.bulk_create(scopes)

    examiners = _examiners(rng, filed, scopes, today)
    entries = [
        SubsidyListEntry(
            year=today.year,
            institution=inst,
            school_id=inst.school_id,
            county_id=inst.county_id,
            added_on=dt.date(today.year, 3, 1),
        )
        for inst in filed
        if inst.status == InstitutionStatus.FILED
    ]
    for inst in filed:
        if inst.status == InstitutionStatus.FILED:
            events.append(
                InstitutionEvent(
                    institution=inst,
                    kind=EventKind.SUBSIDY_LISTED,
                    on_date=dt.date(today.year, 3, 1),
                    actor=hrss,
                    detail={"year": today.year},
                )
            )
    SubsidyListEntry.objects.bulk_create(entries)
    InstitutionEvent.objects.bulk_create(events)
    return {
        "institutions": len(institutions),
        "filed_institutions": len(filed),
        "examiners": examiners,
        "subsidy_entries": len(entries),
    }


def _examiners(
    rng: random.Random, filed: list[EvaluationInstitution], scopes: list[InstitutionScope], today: dt.date
) -> int:
    """Three examiners per scope occupation, an invigilator and a supervisor per institution, from its teachers."""
    by_inst: dict[int, list[InstitutionScope]] = {}
    for scope in scopes:
        by_inst.setdefault(scope.institution.pk, []).append(scope)
    teachers: dict[int, list[int]] = {}
    for school_id, person_id in Teacher.objects.filter(school_id__in=[i.school_id for i in filed]).values_list(
        "school_id", "person_id"
    ):
        teachers.setdefault(school_id, []).append(person_id)
    rows: list[Examiner] = []
    serial = 0
    for inst in filed:
        pool = list(teachers.get(inst.school_id, []))
        rng.shuffle(pool)
        wanted: list[tuple[str, Occupation | None, int | None]] = [
            (ExaminerRole.EXAMINER, s.occupation, s.highest_level) for s in by_inst.get(inst.pk, []) for _ in range(3)
        ]
        wanted += [(ExaminerRole.INVIGILATOR, None, None), (ExaminerRole.SUPERVISOR, None, None)]
        for (role, occupation, level), person_id in zip(wanted, pool, strict=False):
            serial += 1
            start = dt.date(today.year - rng.randint(0, 2), rng.randint(1, 12), 1)
            rows.append(
                Examiner(
                    institution=inst,
                    school_id=inst.school_id,
                    county_id=inst.county_id,
                    person_id=person_id,
                    role=role,
                    occupation=occupation,
                    highest_level=level,
                    qualification_number=f"KP41{inst.code}{serial:05d}",
                    valid_from=start,
                    valid_until=start.replace(year=start.year + 3),
                )
            )
    Examiner.objects.bulk_create(rows)
    return len(rows)
