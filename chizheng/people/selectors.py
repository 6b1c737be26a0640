"""Reads of the person registry, always from the actor's scope."""

from __future__ import annotations

from typing import Any

from chizheng.core.permissions import Perm, has_perm, require
from chizheng.core.scoping import get_for, scope_of

from .models import Person, SocialLearner, Student, Teacher


def get_person_for(actor: Any, pk: int) -> Person:
    """A person the actor may see: 404 outside the scope (learners: anyone but themselves).

    Roles without Perm.VIEW_PEOPLE (examiners, experts, HRSS officers) get 403 even inside
    their unit: being in a school does not make its person registry theirs to read.
    """
    if scope_of(actor).kind != "self":
        require(actor, Perm.VIEW_PEOPLE)
    return get_for(actor, Person.objects.select_related("school", "county"), pk=pk)


def person_context(actor: Any, person: Person, full_id: str | None) -> dict[str, Any]:
    return {
        "person": person,
        "full_id": full_id,
        "can_reveal": has_perm(actor, Perm.VIEW_FULL_ID),
        "students": Student.objects.filter(person=person).select_related("school"),
        "teachers": Teacher.objects.filter(person=person).select_related("school"),
        "learners": SocialLearner.objects.filter(person=person).select_related("org_unit"),
    }


def graduation_years(actor: Any) -> list[int]:
    qs = Student.objects.restrict(actor).order_by("-expected_graduation_year")
    return list(qs.values_list("expected_graduation_year", flat=True).distinct()[:12])
