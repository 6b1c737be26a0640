"""R6 过程化考核: the batch machinery's hook for this pathway (see batches.PATHWAY_MODULES).

To be completed: `compute_candidates(batch, on_date)` reads
the batch's course_mapping (MappedCourse rows) and the school's CourseResult rows and returns one
`rules.Verdict` per source row (source_key "course:<mapping id>:<person id>", evidence_type "course_results"),
qualifying at an occupation and level or refused with a reason code from `rules`. No writes.
"""

from __future__ import annotations

import datetime as dt

from chizheng.core.errors import DomainError

from . import rules
from .models import RecognitionBatch


def compute_candidates(batch: RecognitionBatch, on_date: dt.date) -> list[rules.Verdict]:
    raise DomainError("pathway_not_ready", "该取证途径的批次认定尚未开放。")
