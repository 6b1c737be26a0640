"""Reads of evaluation institutions, and THE gate later modules call:

check_institution_may_assess(institution, occupation, level, on_date)  -> None or DomainError
institution_may_assess(institution, occupation, level, on_date)        -> bool
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from chizheng.core.choices import OrgKind
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.models import OrgUnit
from chizheng.core.scoping import get_for
from chizheng.occupations.models import Occupation

from . import rules
from .choices import EventKind, InstitutionStatus
from .models import EvaluationInstitution, Examiner

FILED_STATES = (InstitutionStatus.FILED, InstitutionStatus.SUSPENDED)


def institutions_for(user: Any) -> QuerySet[EvaluationInstitution]:
    return EvaluationInstitution.objects.restrict(user).select_related("school", "county")


def get_institution_for(user: Any, pk: int) -> EvaluationInstitution:
    return get_for(user, EvaluationInstitution.objects.select_related("school", "county"), pk=pk)


def public_catalog() -> QuerySet[EvaluationInstitution]:
    """Institutions the public catalog shows: every one that has been filed (suspended and revoked show as such)."""
    return (
        EvaluationInstitution.objects.filter(filed_on__isnull=False)
        .select_related("school", "county")
        .prefetch_related("scopes__occupation")
        .order_by("county__code", "code")
    )


def defined_levels(occupation: Occupation, on_date: dt.date) -> frozenset[int]:
    """Levels of the occupation defined by its national standard or by an evaluation spec filed by `on_date` (R3)."""
    from chizheng.occupations.specs import spec_active_levels

    standard = frozenset(occupation.standard_levels) if occupation.has_national_standard else frozenset()
    return standard | spec_active_levels(occupation, on_date)


def institution_facts(institution: EvaluationInstitution) -> rules.InstitutionFacts:
    """The gate's facts, read afresh (a caller may hold an instance from before a suspension or revocation)."""
    dates = EvaluationInstitution.objects.filter(pk=institution.pk).values("name", "filed_on", "revoked_on").get()
    events = institution.events.filter(kind__in=[EventKind.SUSPENDED, EventKind.RESTORED])
    windows = rules.suspension_windows(
        rules.EventFact(e.kind, e.on_date, e.until_date) for e in events.only("kind", "on_date", "until_date")
    )
    scopes = tuple(
        rules.ScopeFact(s.occupation_id, s.highest_level, s.added_on, s.removed_on)
        for s in institution.scopes.only("occupation_id", "highest_level", "added_on", "removed_on")
    )
    return rules.InstitutionFacts(
        name=dates["name"],
        filed_on=dates["filed_on"],
        revoked_on=dates["revoked_on"],
        suspensions=windows,
        scopes=scopes,
    )


def check_institution_may_assess(
    institution: EvaluationInstitution, occupation: Occupation, level: int, on_date: dt.date | None = None
) -> None:
    """R2 + R3. Raise DomainError with the precise reason unless the institution may assess
    `occupation` at `level` on `on_date` (default today)."""
    from chizheng.occupations.specs import spec_active_levels

    day = on_date or timezone.localdate()
    standard = occupation.standard_levels if occupation.has_national_standard else []
    rules.check_may_assess(
        institution_facts(institution),
        occupation_id=occupation.pk,
        occupation_label=f"{occupation.code} {occupation.name}",
        level=int(level),
        on_date=day,
        standard_levels=standard,
        spec_levels=spec_active_levels(occupation, day),
    )


def institution_may_assess(
    institution: EvaluationInstitution, occupation: Occupation, level: int, on_date: dt.date | None = None
) -> bool:
    """True when `check_institution_may_assess` would pass."""
    try:
        check_institution_may_assess(institution, occupation, level, on_date)
    except DomainError:
        return False
    return True


def examiners_for(user: Any) -> QuerySet[Examiner]:
    return Examiner.objects.restrict(user).select_related("institution", "person", "occupation")


def examiners_qualified(
    institution: EvaluationInstitution, occupation: Occupation, level: int, on_date: dt.date
) -> QuerySet[Examiner]:
    """Examiners of the institution qualified on `on_date` for `occupation` at `level` (their highest level at
    or above it; level 1 is the highest). Assessment sessions staff from this list."""
    return Examiner.objects.filter(
        institution=institution,
        role="examiner",
        occupation=occupation,
        highest_level__lte=level,
        valid_from__lte=on_date,
        valid_until__gte=on_date,
    ).select_related("person")


def examiner_conflict_with(examiner: Examiner, person_id: int) -> str | None:
    """Why `examiner` may not judge the person `person_id` (relative, or a student of the own school), or None."""
    from chizheng.people.models import Student

    return rules.examiner_conflict(
        is_relative=examiner.relatives.filter(pk=person_id).exists(),
        is_own_student=Student.objects.filter(person_id=person_id, school_id=examiner.school_id).exists(),
    )


def r1_progress(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """Filed institutions against R1's line (≥ 11 by end of 2022), by county, and annual reviews due soon."""
    day = today or timezone.localdate()
    qs = EvaluationInstitution.objects.restrict(user)
    filed = qs.filter(status__in=FILED_STATES)
    by_county = list(filed.values("county__name", "county__code").annotate(n=Count("id")).order_by("county__code"))
    soon = day + dt.timedelta(days=60)
    due = list(
        filed.filter(review_due_on__isnull=False, review_due_on__lte=soon)
        .select_related("school")
        .order_by("review_due_on")[:20]
    )
    total = filed.count()
    # R1's line is judged at its deadline: filed on or before it and not revoked by then.
    at_deadline = qs.filter(filed_on__lte=rules.R1_DEADLINE).exclude(revoked_on__lte=rules.R1_DEADLINE).count()
    counts = {r["county__code"]: r["n"] for r in by_county}
    counties = OrgUnit.objects.restrict(user).filter(kind=OrgKind.COUNTY).order_by("code").values_list("code", "name")
    return {
        "filed": total,
        "line": rules.R1_FILED_INSTITUTIONS,
        "deadline": rules.R1_DEADLINE,
        "at_deadline": at_deadline,
        "met": at_deadline >= rules.R1_FILED_INSTITUTIONS,
        "pending": qs.filter(status=InstitutionStatus.SUBMITTED).count(),
        "by_county": [{"county": name, "n": counts.get(code, 0)} for code, name in counties],
        "due": due,
        "today": day,
    }


def institution_for(user: Any, institution_id: int | None) -> EvaluationInstitution:
    """The institution an API call acts for: the one named (within the user's scope), else the user's own
    school's first institution; NotFound (404) when there is none in scope."""
    institutions = EvaluationInstitution.objects.restrict(user)
    if institution_id is not None:
        institution = institutions.filter(pk=institution_id).first()
    else:
        institution = institutions.filter(school_id=user.org_unit_id).order_by("code").first()
    if institution is None:
        raise NotFound()
    return institution
