"""R3: which levels an evaluation spec makes assessable for an occupation on a given day.

The institutions gate (R2) asks `spec_active_levels` for occupations without a national
skill standard: only a spec filed with the provincial HRSS (filing number recorded) counts,
from its filing date on and until the day it is withdrawn. A spec that five experts approved
but the HRSS has not filed yet gives nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .choices import SpecStatus
from .models import EvaluationSpec, Occupation


def active_specs(occupation: Occupation | int, on_date: dt.date) -> list[EvaluationSpec]:
    """The specs of `occupation` that are filed and in force on `on_date` (oldest filing first)."""
    occupation_id = occupation if isinstance(occupation, int) else occupation.pk
    return list(
        EvaluationSpec.objects.filter(
            occupation_id=occupation_id,
            status__in=(SpecStatus.FILED, SpecStatus.WITHDRAWN),
            filed_on__isnull=False,
            filed_on__lte=on_date,
        )
        .exclude(filing_number="")
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on_date))
        .order_by("filed_on", "id")
    )


def spec_active_levels(occupation: Occupation | int, on_date: dt.date) -> frozenset[int]:
    """The levels (5..1) defined by the specs of `occupation` filed on or before `on_date` and not
    withdrawn by then; an empty frozenset when there is none."""
    levels: set[int] = set()
    for spec in active_specs(occupation, on_date):
        levels.update(int(level) for level in spec.levels)
    return frozenset(levels)
