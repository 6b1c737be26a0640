"""Test helpers: a filed institution of the persona school with a dated scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chizheng.core.models import OrgUnit, User
from chizheng.occupations.models import EvaluationSpec, Occupation

from .. import services
from ..models import EvaluationInstitution

STANDARD = "6-18-01-01"  # given a national standard 5..3 below
NO_STANDARD = "4-01-02-05"  # 摊商: no national standard
FILED_ON = dt.date(2022, 3, 1)
SCOPE_FROM = dt.date(2022, 2, 1)


def give_standard(code: str = STANDARD, levels: tuple[int, ...] = (5, 4, 3)) -> Occupation:
    Occupation.objects.filter(code=code).update(
        has_national_standard=True, standard_number=code, standard_levels=list(levels)
    )
    return Occupation.objects.get(code=code)


def file_institution(
    school_admin: User,
    hrss: User,
    *,
    school: OrgUnit | None = None,
    code: str = "0001",
    number: str = "豫焦人社评备〔2022〕1号",
    filed_on: dt.date = FILED_ON,
    level: int = 3,
) -> EvaluationInstitution:
    """Draft → scope → submit → approve, as the real users do."""
    occupation = give_standard()
    institution = services.institution_file(
        actor=school_admin,
        school=school or school_admin.org_unit,  # type: ignore[arg-type]
        kind="college",
        name="焦作市职业技术学校职业技能等级评价中心",
        code=code,
        contact="王老师",
        phone="0391-1234567",
    )
    services.institution_scope_add(
        actor=school_admin, institution=institution, occupation=occupation, highest_level=level, added_on=SCOPE_FROM
    )
    services.institution_submit(actor=school_admin, institution=institution)
    return services.institution_approve(actor=hrss, institution=institution, filing_number=number, filed_on=filed_on)


def filed_spec(
    school: OrgUnit, occupation: Occupation, *, filed: bool, on: dt.date, levels: list[int]
) -> EvaluationSpec:
    """A spec as the specs module leaves it: filed (number and date) or only reviewed (submitted, no number)."""
    return EvaluationSpec.objects.create(
        school=school,
        county=school.county or school,
        occupation=occupation,
        title=f"{occupation.name}评价规范",
        levels=levels,
        theory_weight=Decimal("30"),
        skill_weight=Decimal("70"),
        candidates_per_invigilator=15,
        candidates_per_examiner=5,
        status="filed" if filed else "submitted",
        submitted_on=on,
        filing_number=f"豫人社规范备{occupation.pk}" if filed else "",
        filed_on=on if filed else None,
    )


def matrix_objects(world: object) -> dict[str, int]:
    """The permission matrix's institution objects: a filed institution of the own school with a scope,
    an attachment, an examiner and a subsidy-list entry."""
    from django.core.files.base import ContentFile

    from chizheng.people.models import Person

    from ..models import InstitutionAttachment

    school_admin, hrss = world.user("school"), world.user("hrss")  # type: ignore[attr-defined]
    inst = file_institution(school_admin, hrss, code="0801", number="矩阵-备案-1")
    attachment = InstitutionAttachment(institution=inst, title="备案表", content_type="application/pdf", size=9)
    attachment.file.save("matrix.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    examiner = services.examiner_add(
        actor=school_admin,
        institution=inst,
        person=Person.objects.get(name="李明"),
        role="supervisor",
        occupation=None,
        highest_level=None,
        qualification_number="DD-1",
        valid_from=dt.date(2022, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    entry = services.subsidy_list_add(actor=hrss, year=2022, institution=inst)
    return {
        "institution": inst.pk,
        "inst_scope": inst.scopes.get().pk,
        "attachment": attachment.pk,
        "examiner": examiner.pk,
        "subsidy": entry.pk,
    }
