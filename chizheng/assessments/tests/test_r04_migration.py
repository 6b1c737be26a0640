"""The data step of migration 0003 on today's models: scores become their independent entries, an
unchecked unconfirmed score waits for its second entry, sessions stop carrying the default ratios."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from .. import services
from ..choices import SessionStatus
from ..models import AssessmentSession, Score, ScoreEntry
from . import factories as f

pytestmark = pytest.mark.django_db

step = importlib.import_module("chizheng.assessments.migrations.0003_staffing_from_standard_and_entries")


def test_r04_migration_turns_scores_into_entries(world):
    session = f.planned_session(world, f.institution(world))
    regs = [
        services.registration_add(actor=world.user("school"), session=session, person=p) for p in f.students(world, 2)
    ]
    first, second = world.user("examiner"), world.user("school")
    Score.objects.create(registration=regs[0], theory=70, skill=80, passed=True, entered_by=first, checked_by=second)
    Score.objects.create(registration=regs[1], theory=50, skill=80, passed=False, entered_by=first)
    AssessmentSession.objects.filter(pk=session.pk).update(status=SessionStatus.SCORED, candidates_per_invigilator=15)
    step.forward(apps, None)
    assert ScoreEntry.objects.filter(registration=regs[0]).count() == 2
    assert ScoreEntry.objects.filter(registration=regs[1]).count() == 1
    assert list(Score.objects.values_list("registration_id", flat=True)) == [regs[0].pk]
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS
    assert session.candidates_per_invigilator is None
    step.backward(apps, None)
    session.refresh_from_db()
    assert session.candidates_per_invigilator == 15
    assert not ScoreEntry.objects.exists()


def test_r04_staffing_facts_query_count_does_not_grow_with_candidates(world, django_assert_max_num_queries):
    session = f.planned_session(world, f.institution(world))
    staff = f.external_staff(world)
    for e in staff.examiners + staff.invigilators + staff.supervisors:
        services.staff_assign(actor=world.user("school"), session=session, examiner=e)
    for p in f.students(world, 3):
        services.registration_add(actor=world.user("school"), session=session, person=p)
    with django_assert_max_num_queries(4):
        services.staffing_facts(session)
    for p in f.students(world, 20, start=100):
        services.registration_add(actor=world.user("school"), session=session, person=p)
    with django_assert_max_num_queries(4):
        facts = services.staffing_facts(session)
    assert facts.candidates == 23
