"""The R7 demo builder on the test world: a rank-based competition issued through a batch, a score-based one
previewed with its refusals; no audit rows, nothing but pathway rows written."""

from __future__ import annotations

import pytest

from chizheng.certification.models import Certificate
from chizheng.core.models import AuditEvent
from chizheng.demo import pathways as demo
from chizheng.people.models import Person

from .. import rules
from ..models import BatchCandidate, Competition, CompetitionEntry, RecognitionBatch
from . import factories as f
from . import r07_factories as r7

pytestmark = pytest.mark.django_db


def test_r07_demo_issues_one_competition_and_previews_the_other_with_refusals(world) -> None:
    f.institution(world)  # 车工 up to 高级工
    f.students(world, 20)
    r7.teachers(world, 2)
    people, audit = Person.objects.count(), AuditEvent.objects.count()
    counts = demo.build_competitions(7)
    assert counts["competitions"] == Competition.objects.count() == 2
    assert counts["competition_entries"] == CompetitionEntry.objects.count() == 21
    ranked, scored = Competition.objects.order_by("held_on")
    assert (ranked.basis, ranked.audience, scored.basis, scored.audience) == ("rank", "both", "score", "students")
    issued = RecognitionBatch.objects.get(competition=ranked)
    previewed = RecognitionBatch.objects.get(competition=scored)
    assert (issued.status, previewed.status) == ("issued", "previewed")
    certs = Certificate.objects.filter(pathway="competition")
    assert counts["competition_issued"] == certs.count() == issued.certificate_count == 9  # ranks 2–10 but 6 → teacher
    assert all(c.evidence_type == "competition" and c.evidence["competition"] == ranked.name for c in certs)
    codes = set(BatchCandidate.objects.filter(batch=issued).values_list("reason_code", flat=True))
    assert codes == {"", rules.GATE, rules.OUTSIDE_BANDS, rules.NO_RESULT}  # the teacher at 技师: scope up to 3
    codes = set(BatchCandidate.objects.filter(batch=previewed).values_list("reason_code", flat=True))
    assert codes == {"", rules.ALREADY_CERTIFIED, rules.OUTSIDE_BANDS, rules.NO_RESULT}
    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, audit)


def test_r07_demo_without_a_suitable_school_builds_nothing(world) -> None:
    assert demo.build_competitions(7) == {"competitions": 0, "competition_entries": 0}
