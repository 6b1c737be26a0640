"""Demo certificates (R8, R9): tens of thousands through the one issuance service.

- Graduates: the 2023–2026 cohorts (and the first of the graduating 2027 cohort) of the demo schools earn
  certificates in their last school year from their school's filed institution, or from a neighbour's
  when their own may not assess (never filed, suspended, revoked). Coverage is uneven on purpose, so the
  R9 pages have gaps to find: each school draws a tier (~99 % down to ~60 %), some majors of a school lag
  far behind (a factor of 0.25–0.6), earlier cohorts are a little lower; about half of the certified
  take a second certificate (another occupation, or the next level).
- Others: teachers and social learners of each institution's school, a few still in publicity; the demo
  learner account holds one.
- Some issued certificates revoked (1 in 80), some reissued (1 in 80).

Every certificate goes through `certificate_publicise` (R2/R3 gate, R8 one valid per person × occupation ×
level) and `certificate_issue_due` (gap-free serials per station, year and level), batch by batch in date
order. Deterministic for a seed and the day it runs (dates after today are not used).

The demo load is recorded as ONE audit event by the `demo` command, so the per-batch audit rows the
services write here are removed at the end (the same way the other demo builders write without audit).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from chizheng.certification import services
from chizheng.certification.choices import CertificateStatus
from chizheng.certification.models import Certificate
from chizheng.core.choices import Role
from chizheng.core.errors import DomainError
from chizheng.core.models import AuditEvent, User
from chizheng.institutions.choices import InstitutionKind, InstitutionStatus
from chizheng.institutions.models import EvaluationInstitution, InstitutionScope
from chizheng.institutions.rules import check_may_assess
from chizheng.institutions.selectors import institution_facts
from chizheng.occupations.models import Occupation
from chizheng.occupations.specs import spec_active_levels
from chizheng.people.models import Person, Student

TARGET = 1_500  # certificates of teachers and social learners (the graduates' come on top)
COHORTS = (2023, 2024, 2025, 2026, 2027)
#: Share of a school's graduates certified, by school (drawn per school), before the major and cohort factors.
SCHOOL_TIERS = (0.99, 0.98, 0.97, 0.97, 0.96, 0.95, 0.95, 0.93, 0.9, 0.85, 0.75, 0.6)
COHORT_FACTOR = {2023: 0.88, 2024: 0.93, 2025: 0.97, 2026: 1.0, 2027: 0.3}  # 2027: still in their last year
LAGGING_MAJORS = 0.12  # share of a school's majors far behind
SECOND_CERTIFICATE = 0.5

Batch = tuple[dt.date, int, int, int, str]  # publicity start, institution pk, occupation pk, level, pathway


def _kind_for(inst: EvaluationInstitution) -> str:
    if inst.kind == InstitutionKind.SPECIAL:
        return "special"
    if inst.kind == InstitutionKind.APPRAISAL:
        return "qualification"
    return "skill_level"


class _Gate:
    """The R2/R3 gate of `check_institution_may_assess` on the publicity day and the issue day, with each
    institution's facts read once (the demo asks thousands of times; the services check again anyway)."""

    def __init__(self, institutions: dict[int, EvaluationInstitution], occupations: dict[int, Occupation]) -> None:
        self.institutions, self.occupations = institutions, occupations
        self.facts = {pk: institution_facts(inst) for pk, inst in institutions.items()}
        self.memo: dict[tuple[int, int, int, dt.date], bool] = {}

    def allows(self, inst: int, occupation: int, level: int, day: dt.date) -> bool:
        occ = self.occupations[occupation]
        try:
            check_may_assess(
                self.facts[inst],
                occupation_id=occupation,
                occupation_label=occ.code,
                level=level,
                on_date=day,
                standard_levels=occ.standard_levels if occ.has_national_standard else [],
                spec_levels=[] if occ.has_national_standard else spec_active_levels(occ, day),
            )
        except DomainError:
            return False
        return True

    def __call__(self, inst: int, occupation: int, level: int, day: dt.date) -> bool:
        key = (inst, occupation, level, day)
        if key not in self.memo:
            self.memo[key] = self.allows(inst, occupation, level, day) and self.allows(
                inst, occupation, level, day + dt.timedelta(days=8)
            )
        return self.memo[key]


@transaction.atomic
def build(seed: int, target: int = TARGET) -> dict[str, int]:
    """Graduates' certificates by cohort, then teachers' and learners', then revocations and reissues."""
    rng = random.Random(f"certificates-{seed}")
    today = timezone.localdate()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    institutions = list(
        EvaluationInstitution.objects.filter(
            status__in=[InstitutionStatus.FILED, InstitutionStatus.SUSPENDED, InstitutionStatus.REVOKED],
            filed_on__isnull=False,
        )
        .select_related("county", "school")
        .order_by("code")
    )
    by_pk = {inst.pk: inst for inst in institutions}
    scopes: dict[int, list[InstitutionScope]] = defaultdict(list)
    for scope in InstitutionScope.objects.filter(institution__in=institutions).order_by("institution_id", "pk"):
        scopes[scope.institution_id].append(scope)
    occupations = Occupation.objects.in_bulk({s.occupation_id for group in scopes.values() for s in group})
    gate = _Gate(by_pk, occupations)
    learner = User.objects.filter(role=Role.LEARNER, person__isnull=False).order_by("pk").first()
    learner_person = learner.person_id if learner else None

    batches: dict[Batch, list[int]] = defaultdict(list)
    _plan_graduates(rng, institutions, scopes, gate, today, learner_person, batches)
    _plan_others(rng, institutions, scopes, gate, today, learner_person, target, batches)
    _publicise_and_issue(rng, by_pk, occupations, today, batches)
    _revoke_and_reissue(rng, today)

    AuditEvent.objects.filter(pk__gt=last_audit, object_type__startswith="certification.").delete()
    counts = {s: Certificate.objects.filter(status=s).count() for s in CertificateStatus.values}
    return {
        "certificates": sum(counts.values()),
        "certificates_issued": counts["issued"],
        "certificates_revoked": counts["revoked"],
        "certificates_replaced": counts["replaced"],
    }


def _cohort_dates(rng: random.Random, year: int, today: dt.date) -> list[dt.date]:
    """Publicity days in the cohort's last school year (autumn, spring, before graduation) that are over."""
    days = [dt.date(year - 1, 11, 20), dt.date(year, 3, 25), dt.date(year, 5, 28)]
    days = [d + dt.timedelta(days=rng.randrange(10)) for d in days]
    return [d for d in days if d + dt.timedelta(days=10) <= today]


def _levels_for(stage: str, highest: int) -> list[int]:
    """Levels a student of `stage` may sit within a scope up to `highest` (R4: 中职 up to 中级工), best first."""
    wanted = [4, 5] if stage == "secondary" else [3, 4, 5]
    return [level for level in wanted if level >= highest]


def _plan_graduates(
    rng: random.Random,
    institutions: list[EvaluationInstitution],
    scopes: dict[int, list[InstitutionScope]],
    gate: _Gate,
    today: dt.date,
    learner_person: int | None,
    batches: dict[Batch, list[int]],
) -> None:
    """Which graduates get which certificates, and when: batch → person ids."""
    own = {inst.school_id: inst.pk for inst in institutions}
    by_county: dict[int, list[int]] = defaultdict(list)
    for inst in institutions:
        by_county[inst.county_id].append(inst.pk)
    everywhere = [inst.pk for inst in institutions]
    students = list(
        Student.objects.filter(expected_graduation_year__in=COHORTS)
        .exclude(status="left")
        .order_by("id")
        .values_list("person_id", "school_id", "county_id", "major", "stage", "expected_graduation_year")
    )
    schools = sorted({s[1] for s in students})
    tier = {school: rng.choice(SCHOOL_TIERS) for school in schools}
    majors = sorted({(s[1], s[3]) for s in students})
    factor = {key: (rng.uniform(0.25, 0.6) if rng.random() < LAGGING_MAJORS else 1.0) for key in majors}
    # One publicity day per institution and cohort (fewer, bigger batches), the next one if the gate says no.
    dates: dict[tuple[int, int], list[dt.date]] = {}
    for inst in institutions:
        for year in COHORTS:
            days = _cohort_dates(rng, year, today)
            first = rng.randrange(len(days)) if days else 0
            dates[(inst.pk, year)] = days[first:] + days[:first]
    # Each major of a school is taught towards one occupation of the certifying institution's scope.
    for person, school, county, major, stage, year in students:
        p = tier[school] * factor[(school, major)] * COHORT_FACTOR[year]
        if rng.random() >= p and person != learner_person:
            continue
        choices: list[tuple[dt.date, int, int]] = []
        if school in own:
            inst_pk = own[school]
            choices = _options(inst_pk, scopes, gate, dates[(inst_pk, year)], stage, major)
        if not choices and rng.random() < 0.75:  # a neighbour's centre when the own one may not assess
            for inst_pk in by_county[county] or everywhere:
                choices = _options(inst_pk, scopes, gate, dates[(inst_pk, year)], stage, major)
                if choices:
                    break
        taken: set[tuple[int, int]] = set()
        if choices:
            main = choices[0]
            extra = [c for c in choices[1:] if (c[1], c[2]) != (main[1], main[2])]
            picks = [main] + ([rng.choice(extra)] if extra and rng.random() < SECOND_CERTIFICATE else [])
            for day, occupation, level in picks:
                if (occupation, level) in taken:
                    continue
                taken.add((occupation, level))
                pathway = "process" if stage != "secondary" and (inst_pk + year) % 2 else "exam"
                batches[(day, inst_pk, occupation, level, pathway)].append(person)


def _options(
    inst_pk: int,
    scopes: dict[int, list[InstitutionScope]],
    gate: _Gate,
    days: list[dt.date],
    stage: str,
    major: str,
) -> list[tuple[dt.date, int, int]]:
    """(day, occupation, level) the institution may certify a `stage` student on, the major's own first."""
    group = scopes.get(inst_pk, [])
    if not group or not days:
        return []
    start = sum(map(ord, major)) % len(group)  # the major's occupation: stable, spread over the scope
    out = []
    for scope in group[start:] + group[:start]:
        for level in _levels_for(stage, scope.highest_level):
            for day in days:
                if gate(inst_pk, scope.occupation_id, level, day):
                    out.append((day, scope.occupation_id, level))
                    break
    return out


def _plan_others(
    rng: random.Random,
    institutions: list[EvaluationInstitution],
    scopes: dict[int, list[InstitutionScope]],
    gate: _Gate,
    today: dt.date,
    learner_person: int | None,
    target: int,
    batches: dict[Batch, list[int]],
) -> None:
    """Teachers and social learners of each institution's school, on a day in the institution's filed life;
    the last institution's first batch is still in publicity."""
    students = set(Student.objects.values_list("person_id", flat=True))
    per_institution = max(10, target // max(1, len(institutions)))
    for inst in institutions:
        assert inst.filed_on is not None
        persons = [
            pid
            for pid in Person.objects.filter(school=inst.school_id).values_list("pk", flat=True).order_by("pk")
            if pid not in students or pid == learner_person
        ]
        group = list(scopes.get(inst.pk, []))
        rng.shuffle(group)
        for n_scope, scope in enumerate(group[:2]):
            start = max(inst.filed_on, scope.added_on) + dt.timedelta(days=10)
            end = min(scope.removed_on or today, inst.revoked_on or today, today) - dt.timedelta(days=20)
            if end <= start or not persons:
                continue
            level = 5 if scope.highest_level == 5 else rng.choice([4, 4, 4, 5, max(3, scope.highest_level)])
            day = start + dt.timedelta(days=rng.randrange((end - start).days))
            if n_scope == 0 and inst.pk == institutions[-1].pk:
                day = today - dt.timedelta(days=2)  # still in publicity
                if not gate.allows(inst.pk, scope.occupation_id, level, day):
                    continue
            elif not gate(inst.pk, scope.occupation_id, level, day):
                continue
            chosen = rng.sample(persons, min(len(persons), per_institution // 2))
            if learner_person in persons and learner_person not in chosen and n_scope == 0:
                chosen[0] = learner_person
            batches[(day, inst.pk, scope.occupation_id, level, "training")].extend(chosen)


def _publicise_and_issue(
    rng: random.Random,
    institutions: dict[int, EvaluationInstitution],
    occupations: dict[int, Occupation],
    today: dt.date,
    batches: dict[Batch, list[int]],
) -> None:
    """Day by day: publicise each batch, then issue the institution's due certificates 8 days later."""
    by_day: dict[dt.date, list[Batch]] = defaultdict(list)
    for key in batches:
        by_day[key[0]].append(key)
    for day in sorted(by_day):
        issuers: set[int] = set()
        for key in sorted(by_day[day]):
            _, inst_pk, occupation, level, pathway = key
            inst = institutions[inst_pk]
            evidence_type = {"exam": "exam_registration", "process": "course_results", "training": "training"}[pathway]
            persons = list(dict.fromkeys(batches[key]))  # one item per person, first come first
            items = [
                services.IssueItem(
                    person_id=pid,
                    evidence={"demo": True, "theory": rng.randrange(60, 100), "skill": rng.randrange(60, 100)},
                    evidence_type=evidence_type,
                    evidence_id=f"DEMO-{inst.code}-{occupations[occupation].code}-{level}-{pid}",
                )
                for pid in persons
            ]
            services.certificate_publicise(
                actor=None,
                institution=inst,
                occupation=occupations[occupation],
                level=level,
                kind=_kind_for(inst),
                pathway="training" if pathway == "training" else pathway,
                items=items,
                on_date=day,
                skip_existing=True,
            )
            issuers.add(inst_pk)
        issue_on = day + dt.timedelta(days=8)
        if issue_on <= today:
            for inst_pk in sorted(issuers):
                services.certificate_issue_due(actor=None, institution=institutions[inst_pk], on_date=issue_on)


def _revoke_and_reissue(rng: random.Random, today: dt.date) -> None:
    """1 in 80 issued certificates revoked, another 1 in 80 reissued (a new number, the old one replaced)."""
    ids = list(Certificate.objects.filter(status=CertificateStatus.ISSUED).order_by("pk").values_list("pk", flat=True))
    rng.shuffle(ids)
    cut = max(1, len(ids) // 80)
    chosen = Certificate.objects.in_bulk(ids[: 2 * cut])
    issued = [chosen[pk] for pk in ids[: 2 * cut]]
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
