"""Reads of the exam pathway, always from `restrict(user)`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from chizheng.core.errors import NotFound
from chizheng.core.models import User

from . import rules
from .choices import StaffRole
from .models import AssessmentSession, ScoreEntry, SessionStaff


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


def entry_board(session: AssessmentSession) -> list[dict[str, Any]]:
    """Per candidate (registration order): the entries (examiner name and values), the double-entry
    state and the accepted score — for the session page, the disagreement list and the API."""
    registrations = list(session.registrations.select_related("person", "score").order_by("id"))
    entries: dict[int, list[ScoreEntry]] = {}
    for entry in ScoreEntry.objects.filter(registration__session=session).order_by("entered_at", "id"):
        entries.setdefault(entry.registration_id, []).append(entry)
    user_ids = {e.entered_by_id for rows in entries.values() for e in rows}
    names = {
        u.pk: (u.person.name if u.person is not None else u.username)
        for u in User.objects.filter(pk__in=user_ids).select_related("person")
    }
    board = []
    for r in registrations:
        rows = entries.get(r.pk, [])
        board.append(
            {
                "registration": r,
                "score": getattr(r, "score", None),
                "state": rules.entry_state([(e.theory, e.skill) for e in rows]),
                "entries": [
                    {
                        "user_id": e.entered_by_id,
                        "examiner": names.get(e.entered_by_id, ""),
                        "theory": e.theory,
                        "skill": e.skill,
                        "entered_at": e.entered_at,
                    }
                    for e in rows
                ],
            }
        )
    return board


def disagreements(session: AssessmentSession) -> list[dict[str, Any]]:
    """The candidates whose examiners' entries disagree (to be re-entered before confirmation)."""
    return [row for row in entry_board(session) if row["state"] == rules.DISAGREED]
