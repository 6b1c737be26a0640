"""Reads of the pathways, always from the actor's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chizheng.core.scoping import get_for

from .models import BatchCandidate, RecognitionBatch, XCertificate, XCertMapping


def batches_for(actor: Any, pathway: str | None = None) -> QuerySet[RecognitionBatch]:
    qs = RecognitionBatch.objects.restrict(actor).select_related("institution", "occupation", "school")
    return qs.filter(pathway=pathway) if pathway else qs


def get_batch_for(actor: Any, pk: int) -> RecognitionBatch:
    """A batch within the actor's scope (404 otherwise)."""
    return get_for(
        actor,
        RecognitionBatch.objects.select_related("institution", "occupation", "course_mapping", "competition", "school"),
        pk=pk,
    )


def candidates_of(batch: RecognitionBatch) -> QuerySet[BatchCandidate]:
    """The batch's candidates, qualifying first, with what the preview page shows."""
    return (
        BatchCandidate.objects.filter(batch=batch)
        .select_related("person", "occupation", "trade", "certificate")
        .order_by("-outcome", "id")  # "refused" < "qualifies": qualifying first
    )


def x_certificates_for(actor: Any) -> QuerySet[XCertificate]:
    return XCertificate.objects.restrict(actor).select_related("person", "school")


def x_mappings() -> QuerySet[XCertMapping]:
    return XCertMapping.objects.select_related("occupation", "trade")
