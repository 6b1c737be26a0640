"""R7 竞赛取证: the batch machinery's hook for this pathway (see batches.PATHWAY_MODULES).

`compute_candidates(batch, on_date)` reads the batch's competition (its bands) and every entry of it, and
returns one `rules.Verdict` per entry (source_key "entry:<CompetitionEntry id>", evidence_type "competition",
evidence = the competition, its date, the participant kind, rank/score and the rule that applied), qualifying
at the band's level or refused: not an eligible participant, no result, outside every band, a student above
高级工. The batch machinery adds the R2/R3 gate and R8. No writes.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from . import rules
from .competition_services import bands_of, roles_at
from .models import Competition, CompetitionEntry, RecognitionBatch


def competition_facts(competition: Competition) -> rules.CompetitionFacts:
    return rules.CompetitionFacts(
        pk=competition.pk,
        name=competition.name,
        held_on=competition.held_on,
        occupation_id=competition.occupation_id,
        audience=competition.audience,
        basis=competition.basis,
        bands=tuple(bands_of(competition)),
        trade_id=competition.trade_id,
    )


def compute_candidates(batch: RecognitionBatch, on_date: dt.date) -> list[rules.Verdict]:
    """R7 for every entry of the batch's competition (in rank, then registration order)."""
    assert batch.competition_id is not None
    competition = Competition.objects.get(pk=batch.competition_id)
    facts = competition_facts(competition)
    entries = list(
        CompetitionEntry.objects.filter(competition=competition)
        .order_by(F("rank").asc(nulls_last=True), "id")
        .values_list("pk", "person_id", "person__name", "participant", "rank", "score")
    )
    students, teachers = roles_at(competition.school_id, [e[1] for e in entries])
    return [
        rules.recognise_competition(
            facts,
            rules.EntryFacts(
                pk=pk,
                person_id=person_id,
                name=name,
                participant=participant,
                rank=rank,
                score=score,
                is_student=person_id in students,
                is_teacher=person_id in teachers,
            ),
        )
        for pk, person_id, name, participant, rank, score in entries
    ]
