"""Demo recognition pathways (R5 direct recognition; R6 and R7 add theirs here).

- R5: the city's 1+X → occupation mapping (real 1+X certificates and their 培训评价组织; two left unmapped
  on purpose), 1+X records of students at a few schools whose filed institution covers a mapped occupation,
  one batch issued (preview → confirm → after publicity issue) and one previewed, both through the batch
  machinery, so the preview pages show who qualifies and why the others do not (no mapping, already
  holds the certificate, the institution's scope stops at 中级工).

Deterministic for a seed and the day it runs. Like the other builders it leaves no per-row audit (the
`demo` command records the load as one event).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from chizheng.core.models import AuditEvent
from chizheng.institutions.choices import InstitutionStatus
from chizheng.institutions.models import EvaluationInstitution
from chizheng.occupations.models import Occupation
from chizheng.pathways import batches
from chizheng.pathways.choices import XLevel
from chizheng.pathways.models import XCertificate, XCertMapping
from chizheng.people.models import Student

#: (1+X certificate, 培训评价组织, occupation code or None for "no mapping yet")
X_CERTIFICATES: list[tuple[str, str, str | None]] = [
    ("工业机器人操作与运维", "北京新奥时代科技有限责任公司", "6-31-07-03"),
    ("工业机器人应用编程", "北京新奥时代科技有限责任公司", "6-31-07-01"),
    ("数控车铣加工", "武汉华中数控股份有限公司", "6-18-01-01"),
    ("多工序数控机床操作", "北京机床所精密机电有限公司", "6-18-01-07"),
    ("数控设备维护与维修", "北京发那科机电有限公司", "6-20-03-01"),
    ("特殊焊接技术", "中船舰客教育科技（北京）有限公司", "6-18-02-04"),
    ("机械产品三维模型设计", "北京卓创至诚技术有限公司", "6-20-01-01"),
    ("智能网联汽车检测与运维", "国汽（北京）智能网联汽车研究院有限公司", "6-22-02-01"),
    ("汽车运用与维修", "北京中车行高新技术有限公司", "4-12-01-01"),
    ("Web 前端开发", "工业和信息化部教育与考试中心", "4-04-05-01"),
    ("网络系统建设与运维", "华为技术有限公司", "4-04-04-02"),
    ("电子商务数据分析", "北京博导前程信息技术股份有限公司", "4-01-06-01"),
    ("云计算平台运维与开发", "北京新华三技术有限公司", None),
    ("老年照护", "北京中福长者文化科技有限公司", None),
]
RECORDS_PER_SCHOOL = 40
SCHOOLS = 3  # the first two run batches (one issued, one previewed), the third only has records


@transaction.atomic
def build(seed: int) -> dict[str, int]:
    counts = build_direct(seed)
    counts.update(build_competitions(seed))
    counts.update(build_process(seed))
    return counts


def build_direct(seed: int) -> dict[str, int]:
    """R5: mappings, 1+X records, one issued and one previewed batch."""
    rng = random.Random(f"pathways-direct-{seed}")
    today = timezone.localdate()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    occupations = {o.code: o for o in Occupation.objects.filter(code__in=[c for _, _, c in X_CERTIFICATES if c])}
    XCertMapping.objects.bulk_create(
        XCertMapping(certificate_name=name, organisation="", occupation=occupations[code], note="演示对应")
        for name, _, code in X_CERTIFICATES
        if code in occupations
    )
    by_occupation = {occupations[code].pk: (name, org) for name, org, code in X_CERTIFICATES if code in occupations}
    unmapped = [(name, org) for name, org, code in X_CERTIFICATES if code is None]

    # The issued batch comes from an institution whose scope reaches 高级工 (level 3); the previewed one, when
    # there is one, from an institution that stops at 中级工, so its preview shows the R2 gate's reason too.
    options: list[tuple[int, str, EvaluationInstitution, int]] = []
    for inst in (
        EvaluationInstitution.objects.filter(status=InstitutionStatus.FILED).prefetch_related("scopes").order_by("code")
    ):
        scopes = [s for s in inst.scopes.all() if s.is_active_on(today) and s.occupation_id in by_occupation]
        if scopes:
            best = min(scopes, key=lambda s: (s.highest_level, s.occupation_id))
            options.append((best.highest_level, inst.code, inst, best.occupation_id))
    full = [o for o in options if o[0] <= 3]
    partial = [o for o in options if o[0] > 3]
    ordered = full[:1] + partial[:1] + full[1:] + partial[1:]
    chosen = [(inst, occupation_id) for _, _, inst, occupation_id in ordered[:SCHOOLS]]

    records: list[XCertificate] = []
    serial = 0
    for inst, occupation_id in chosen:
        name, org = by_occupation[occupation_id]
        students = list(
            Student.objects.filter(school_id=inst.school_id, expected_graduation_year__in=[today.year, today.year + 1])
            .order_by("pk")
            .values_list("person_id", flat=True)[: RECORDS_PER_SCHOOL * 2]
        )
        for person_id in rng.sample(students, min(RECORDS_PER_SCHOOL, len(students))):
            serial += 1
            cert_name, cert_org = rng.choice(unmapped) if rng.random() < 0.1 else (name, org)
            level = rng.choices([XLevel.JUNIOR, XLevel.INTERMEDIATE, XLevel.SENIOR], weights=[3, 5, 2])[0]
            records.append(
                XCertificate(
                    person_id=person_id,
                    school_id=inst.school_id,
                    county_id=inst.county_id,
                    organisation=cert_org,
                    name=cert_name,
                    level=level,
                    number=f"{today.year - 1}{serial:010d}",
                    issued_on=today - dt.timedelta(days=rng.randrange(40, 300)),
                )
            )
    XCertificate.objects.bulk_create(records)

    batch_count = issued = 0
    for index, (inst, _) in enumerate(chosen[:2]):
        batch = batches.batch_create(
            actor=None,
            pathway="direct",
            institution=inst,
            title=f"{today.year} 年 1+X 证书直接认定（第 {index + 1} 批）",
        )
        batch_count += 1
        if index == 0:
            batch = batches.batch_preview(actor=None, batch=batch, on_date=today - dt.timedelta(days=12))
            if batch.qualified_count:
                batches.batch_confirm(actor=None, batch=batch, on_date=today - dt.timedelta(days=10))
                issued += len(batches.batch_issue(actor=None, batch=batch, on_date=today))
        else:
            batches.batch_preview(actor=None, batch=batch, on_date=today)
    AuditEvent.objects.filter(pk__gt=last_audit).delete()
    return {
        "x_mappings": XCertMapping.objects.count(),
        "x_certificates": len(records),
        "recognition_batches": batch_count,
        "recognition_issued": issued,
    }


# ---------------------------------------------------------------------------------------------- R7

#: A rank-based competition for students and teachers (rank 1 → 技师: teachers only, students stop at 高级工)
#: and a score-based one for students.
RANK_BANDS = [(1, 1, 2), (2, 4, 3), (5, 10, 4)]
SCORE_BANDS = [(Decimal(90), Decimal(100), 3), (Decimal(75), Decimal("89.9"), 4)]


def build_competitions(seed: int) -> dict[str, int]:
    """R7: two competitions of one school whose filed institution covers an occupation up to 高级工 — a rank-based
    one for students and teachers, issued through a batch (its refusals: a student ranked into 技师, outside the
    bands, no result, the institution's scope for a teacher at 技师), and a score-based one for students,
    previewed only (outside the bands, no result, already certified by the first competition)."""
    from chizheng.pathways.choices import BandBasis, CompetitionAudience, Participant
    from chizheng.pathways.models import Competition, CompetitionBand, CompetitionEntry
    from chizheng.people.choices import StudentStatus
    from chizheng.people.models import Teacher

    rng = random.Random(f"pathways-competition-{seed}")
    today = timezone.localdate()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    chosen = None
    for inst in (
        EvaluationInstitution.objects.filter(status=InstitutionStatus.FILED).prefetch_related("scopes").order_by("code")
    ):
        scopes = sorted(
            (s for s in inst.scopes.all() if s.is_active_on(today - dt.timedelta(days=60)) and s.highest_level <= 3),
            key=lambda s: s.occupation_id,
        )
        if not scopes:
            continue
        students = list(
            Student.objects.filter(school_id=inst.school_id)
            .exclude(status=StudentStatus.LEFT)
            .order_by("pk")
            .values_list("person_id", flat=True)[:200]
        )
        if len(students) >= 16:
            chosen = (inst, scopes[-1].occupation_id, students)
            break
    if chosen is None:
        return {"competitions": 0, "competition_entries": 0}
    inst, occupation_id, students = chosen
    picked = rng.sample(sorted(set(students)), 16)
    teachers = list(
        Teacher.objects.filter(school_id=inst.school_id, active=True)
        .order_by("pk")
        .values_list("person_id", flat=True)[:2]
    )

    def competition(name: str, held_on: dt.date, audience: str, basis: str) -> Competition:
        return Competition.objects.create(
            school_id=inst.school_id,
            county_id=inst.county_id,
            name=name,
            occupation_id=occupation_id,
            held_on=held_on,
            audience=audience,
            basis=basis,
        )

    ranked = competition(
        f"{today.year} 年校级职业技能竞赛（师生同赛）",
        today - dt.timedelta(days=60),
        CompetitionAudience.BOTH,
        BandBasis.RANK,
    )
    scored = competition(
        f"{today.year} 年学生技能竞赛（按成绩认定）",
        today - dt.timedelta(days=20),
        CompetitionAudience.STUDENTS,
        BandBasis.SCORE,
    )
    CompetitionBand.objects.bulk_create(
        [CompetitionBand(competition=ranked, rank_from=a, rank_to=b, level=lv) for a, b, lv in RANK_BANDS]
        + [CompetitionBand(competition=scored, score_min=a, score_max=b, level=lv) for a, b, lv in SCORE_BANDS]
    )
    recorded = timezone.now()

    def entry(comp: Competition, person_id: int, participant: str, rank: int | None, score: Decimal | None):
        return CompetitionEntry(
            competition=comp,
            person_id=person_id,
            school_id=inst.school_id,
            county_id=inst.county_id,
            participant=participant,
            rank=rank,
            score=score,
            result_recorded_at=recorded if rank is not None or score is not None else None,
        )

    # rank-based: teachers at ranks 1 (技师: the institution's scope decides) and 6; students at 2–5, 7–9, one at
    # rank 12 (outside the bands), one without a result, and one at rank 10 who is the competition's last band
    entries = [entry(ranked, t, Participant.TEACHER, rank, None) for t, rank in zip(teachers, (1, 6), strict=False)]
    student_ranks = [2, 3, 4, 5, 7, 8, 9, 10, 12, None]
    if not teachers:
        student_ranks[0] = 1  # no teacher: a student takes rank 1 and is refused 技师
    entries += [entry(ranked, p, Participant.STUDENT, r, None) for p, r in zip(picked[:10], student_ranks, strict=True)]
    # score-based: two of the first competition's winners again (already certified at 高级工), new students
    scores = ["96.5", "91", "90", "88", "82.5", "75", "74.5", "60", None]
    people = [picked[0], picked[1], *picked[10:16], picked[9]]
    entries += [
        entry(scored, p, Participant.STUDENT, None, Decimal(s) if s else None)
        for p, s in zip(people, scores, strict=True)
    ]
    CompetitionEntry.objects.bulk_create(entries)

    issued = 0
    batch = batches.batch_create(
        actor=None, pathway="competition", institution=inst, title=f"{ranked.name}认定", competition=ranked
    )
    batch = batches.batch_preview(actor=None, batch=batch, on_date=today - dt.timedelta(days=12))
    if batch.qualified_count:
        batches.batch_confirm(actor=None, batch=batch, on_date=today - dt.timedelta(days=10))
        issued = len(batches.batch_issue(actor=None, batch=batch, on_date=today))
    second = batches.batch_create(
        actor=None, pathway="competition", institution=inst, title=f"{scored.name}认定", competition=scored
    )
    batches.batch_preview(actor=None, batch=second, on_date=today)
    AuditEvent.objects.filter(pk__gt=last_audit).delete()
    return {"competitions": 2, "competition_entries": len(entries), "competition_issued": issued}


# ---------------------------------------------------------------------------------------------- R6

PROCESS_SCHOOLS = 2  # the first runs an issued batch, the second a previewed one
PROCESS_COHORT = 36  # graduating students who get course results, per school
COURSE_PARTS = ("理论基础", "专项技能", "综合实训")


def build_process(seed: int) -> dict[str, int]:
    """R6: at up to two schools whose filed institution covers an occupation at the level their graduating
    students' stage earns, a course-certificate mapping of three courses and course results for part of the
    graduating cohort (every ninth fails a practical, the next a theory exam, the next misses a course) and a few
    of next year's cohort. The first school's mapping takes any major and its batch is issued (preview → confirm
    → issue); the second's is restricted to its largest major and only previewed, so it also lists that major's
    graduating students without results and refuses the other majors' results."""
    from chizheng.pathways.models import CourseCertMapping, CourseResult, MappedCourse
    from chizheng.pathways.rules import STAGE_TO_SKILL_LEVEL, graduating_year_of
    from chizheng.people.choices import StudentStatus

    rng = random.Random(f"pathways-process-{seed}")
    today = timezone.localdate()
    year = graduating_year_of(today - dt.timedelta(days=12))  # the issued batch's preview day
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    taken = set(XCertificate.objects.values_list("school_id", flat=True).distinct())  # the R5 demo's schools
    chosen: list[tuple[EvaluationInstitution, int, str, list[int]]] = []
    for inst in (
        EvaluationInstitution.objects.filter(status=InstitutionStatus.FILED).prefetch_related("scopes").order_by("code")
    ):
        if inst.school_id in taken:
            continue
        cohort = list(
            Student.objects.filter(school_id=inst.school_id, expected_graduation_year=year)
            .exclude(status=StudentStatus.LEFT)
            .order_by("pk")
            .values_list("person_id", "major", "stage")
        )
        if len(cohort) < PROCESS_COHORT:
            continue
        needed = min(STAGE_TO_SKILL_LEVEL[stage] for _, _, stage in cohort)
        scopes = sorted(
            (
                s
                for s in inst.scopes.all()
                if s.is_active_on(today - dt.timedelta(days=12)) and s.highest_level <= needed
            ),
            key=lambda s: s.occupation_id,
        )
        if not scopes:
            continue
        major = ""
        if chosen:  # the second school: its largest major
            sizes: dict[str, int] = {}
            for _, m, _ in cohort:
                sizes[m] = sizes.get(m, 0) + 1
            major = max(sorted(sizes), key=lambda m: sizes[m])
        # the major's students first, then the others (whose results the restricted mapping refuses)
        people = [p for p, _, _ in cohort]
        if major:
            people = [p for p, m, _ in cohort if m == major][: PROCESS_COHORT - 4] + [
                p for p, m, _ in cohort if m != major
            ][:4]
        chosen.append((inst, scopes[0].occupation_id, major, people[:PROCESS_COHORT]))
        if len(chosen) == PROCESS_SCHOOLS:
            break
    if not chosen:
        return {"course_mappings": 0, "course_results": 0}
    occupations = Occupation.objects.in_bulk([occ for _, occ, _, _ in chosen])
    results: list[CourseResult] = []
    mappings: list[CourseCertMapping] = []
    for index, (inst, occupation_id, major, members) in enumerate(chosen):
        occupation = occupations[occupation_id]
        mapping = CourseCertMapping.objects.create(
            school_id=inst.school_id,
            county_id=inst.county_id,
            name=f"{occupation.name}课证融通方案" + (f"（{major}专业）" if major else ""),
            occupation=occupation,
            major=major,
        )
        mappings.append(mapping)
        courses = [(f"KZ{index + 1}{n + 1:02d}", f"{occupation.name}{part}") for n, part in enumerate(COURSE_PARTS)]
        MappedCourse.objects.bulk_create(MappedCourse(mapping=mapping, code=c, name=n) for c, n in courses)
        next_year = list(
            Student.objects.filter(school_id=inst.school_id, expected_graduation_year=year + 1)
            .exclude(status=StudentStatus.LEFT)
            .order_by("pk")
            .values_list("person_id", flat=True)[:3]
        )
        for n, person_id in enumerate(members + next_year):
            fate = n % 9 if n < len(members) else 9  # 0: a practical failed, 1: a theory failed, 2: a course missing
            for c, (code, name) in enumerate(courses):
                if fate == 2 and c == 2:
                    continue
                theory = Decimal(rng.randrange(62, 98))
                practical = Decimal(rng.randrange(60, 97))
                if fate == 0 and c == 1:
                    practical = Decimal(rng.randrange(35, 59))
                if fate == 1 and c == 0:
                    theory = Decimal(rng.randrange(40, 59))
                results.append(
                    CourseResult(
                        person_id=person_id,
                        school_id=inst.school_id,
                        county_id=inst.county_id,
                        course_code=code,
                        course_name=name,
                        theory_score=theory,
                        theory_passed=theory >= 60,
                        practical_score=practical,
                        practical_passed=practical >= 60,
                        term=f"{year - 1}-{year}-1",
                        year=year,
                    )
                )
    CourseResult.objects.bulk_create(results)
    issued = 0
    for index, ((inst, _, _, _), mapping) in enumerate(zip(chosen, mappings, strict=True)):
        batch = batches.batch_create(
            actor=None,
            pathway="process",
            institution=inst,
            title=f"{year} 届{mapping.name}认定",
            course_mapping=mapping,
        )
        if index == 0:
            batch = batches.batch_preview(actor=None, batch=batch, on_date=today - dt.timedelta(days=12))
            if batch.qualified_count:
                batches.batch_confirm(actor=None, batch=batch, on_date=today - dt.timedelta(days=10))
                issued += len(batches.batch_issue(actor=None, batch=batch, on_date=today))
        else:
            batches.batch_preview(actor=None, batch=batch, on_date=today)
    AuditEvent.objects.filter(pk__gt=last_audit).delete()
    return {"course_mappings": len(mappings), "course_results": len(results), "process_issued": issued}
