"""R5 direct recognition (直接认定): a school's 1+X records → candidates, through the city's mapping."""

from __future__ import annotations

import datetime as dt

from chizheng.occupations.models import Occupation

from . import rules
from .models import RecognitionBatch, XCertificate, XCertMapping


def mapping_facts() -> dict[tuple[str, str], rules.MappingFacts]:
    """Every mapping, keyed for `rules.find_x_mapping`."""
    names = dict(Occupation.objects.values_list("pk", "name"))
    return {
        rules.x_mapping_key(m.certificate_name, m.organisation): rules.MappingFacts(
            occupation_id=m.occupation_id, occupation_name=names.get(m.occupation_id, ""), trade_id=m.trade_id
        )
        for m in XCertMapping.objects.only("certificate_name", "organisation", "occupation_id", "trade_id")
    }


def compute_candidates(batch: RecognitionBatch, on_date: dt.date) -> list[rules.Verdict]:
    """R5 for every 1+X record of the batch's school issued by `on_date`; narrowed to the batch's occupation
    (records mapped elsewhere are left out, unmapped ones are shown refused only when not narrowed) and level."""
    mappings = mapping_facts()
    records = (
        XCertificate.objects.filter(school_id=batch.school_id, issued_on__lte=on_date)
        .order_by("person_id", "id")
        .values_list("pk", "person_id", "organisation", "name", "level", "number", "issued_on")
    )
    out: list[rules.Verdict] = []
    for pk, person_id, organisation, name, level, number, issued_on in records.iterator(chunk_size=2000):
        x = rules.XFacts(pk, person_id, organisation, name, level, number, issued_on)
        mapping = rules.find_x_mapping(mappings, name, organisation)
        if batch.occupation_id is not None and (mapping is None or mapping.occupation_id != batch.occupation_id):
            continue
        out.append(rules.recognise_x(x, mapping, only_level=batch.level))
    return out
