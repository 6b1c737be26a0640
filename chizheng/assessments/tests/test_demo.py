"""The exam demo builder on the test world: a session per state, issued ones with certificates."""

from __future__ import annotations

import pytest

from chizheng.certification.models import Certificate
from chizheng.demo import assessments as demo

from ..models import AssessmentSession, Score
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("first_state", range(len(demo.STATES)))
def test_demo_builds_a_session_in_each_state(world, first_state):
    f.institution(world)
    f.students(world, 12)
    counts = demo.build(7, first_state=first_state)
    assert counts["assessment_sessions"] == 1
    session = AssessmentSession.objects.get()
    state = demo.STATES[first_state]
    assert session.status == state
    assert session.registrations.count() >= 3
    if state == "issued":
        passers = Score.objects.filter(passed=True).count()
        assert Certificate.objects.filter(pathway="exam").count() == passers
        assert session.issued_on is not None
    if state in ("planned", "staffed"):
        assert not Score.objects.exists()
