"""The exam demo builder on the test world: a session per state, staffed from another school's registry
(no own-school conflicts), scores entered twice, a pending disagreement in progress, certificates."""

from __future__ import annotations

import pytest

from chizheng.certification.models import Certificate
from chizheng.demo import assessments as demo

from .. import rules, selectors, services
from ..models import AssessmentSession, Score, ScoreEntry
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("first_state", range(len(demo.STATES)))
def test_demo_builds_a_session_in_each_state(world, first_state):
    inst = f.institution(world)
    f.students(world, 12)
    f.external_staff(world)
    counts = demo.build(7, first_state=first_state)
    assert counts["assessment_sessions"] == 1
    session = AssessmentSession.objects.get(institution=inst)
    state = demo.STATES[first_state]
    assert session.status == state
    assert session.registrations.count() >= 3
    if state != "planned":
        facts = services.staffing_facts(session)
        assert not any(e.conflicts for e in facts.examiners)  # external examiners: no own-school conflicts
        assert not rules.staffing_problems(facts, services.staffing_policy_for(session).policy)
    if state == "in_progress":
        assert len(selectors.disagreements(session)) == 1
        assert Score.objects.count() < session.registrations.count()
    if state in ("scored", "confirmed", "publicised", "issued"):
        assert Score.objects.filter(checked_by__isnull=False).count() == session.registrations.count()
        assert ScoreEntry.objects.count() == 2 * session.registrations.count()
    if state == "issued":
        passers = Score.objects.filter(passed=True).count()
        assert Certificate.objects.filter(pathway="exam").count() == passers
        assert session.issued_on is not None
    if state in ("planned", "staffed"):
        assert not Score.objects.exists()
