"""Reads of the exam pathway, always from `restrict(user)`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from chizheng.core.errors import NotFound

from .choices import StaffRole
from .models import AssessmentSession, SessionStaff


def sessions_for(user: Any) -> QuerySet[AssessmentSession]:
    """Sessions in the user's scope; an examiner or supervisor also sees sessions they are assigned to
    at other schools (external examiners)."""
    qs = AssessmentSession.objects.restrict(user)
    person_id = getattr(user, "person_id", None)
    if person_id and getattr(user, "role", "") in ("examiner", "supervisor"):
        assigned = SessionStaff.objects.filter(examiner__person_id=person_id).values("session_id")
        qs = AssessmentSession.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=assigned))
    return (
        qs.select_related("institution", "occupation", "school")
        .annotate(n_candidates=Count("registrations", distinct=True))
        .order_by("-held_on", "-id")
    )


def get_session_for(user: Any, pk: int) -> AssessmentSession:
    """One session the user may see (scope, or assigned staff); NotFound (404) otherwise."""
    session = sessions_for(user).filter(pk=pk).first()
    if session is None:
        raise NotFound()
    return session


def assigned_examiner(user: Any, session: AssessmentSession) -> bool:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return False
    return session.staff.filter(role=StaffRole.EXAMINER, examiner__person_id=int(person_id)).exists()
