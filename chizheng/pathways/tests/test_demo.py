"""The pathways demo builder on the test world: mappings, 1+X records, an issued and a previewed R5 batch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chizheng.certification.models import Certificate
from chizheng.core.models import AuditEvent
from chizheng.demo import pathways as demo
from chizheng.people.models import Student

from ..models import BatchCandidate, RecognitionBatch, XCertificate
from . import factories as f

pytestmark = pytest.mark.django_db


def test_demo_builds_an_issued_and_a_previewed_r5_batch(world) -> None:
    from chizheng.institutions.tests.factories import file_institution

    year = timezone.localdate().year
    f.institution(world)  # 车工 up to level 3: mapped from 数控车铣加工
    file_institution(world.user("other_school"), world.user("hrss"), code="0002", number="备案-0002")
    f.students(world, 30, grad=year)
    f.students(world, 30, start=200, grad=year, school=world.other_school)
    before = AuditEvent.objects.count()
    counts = demo.build(7)
    assert counts["x_mappings"] == sum(1 for *_, code in demo.X_CERTIFICATES if code)
    assert counts["x_certificates"] == XCertificate.objects.count() == 60
    issued, previewed = RecognitionBatch.objects.filter(pathway="direct").order_by("pk")
    assert (issued.status, previewed.status) == ("issued", "previewed")
    assert issued.certificate_count == Certificate.objects.filter(pathway="direct", status="issued").count() > 0
    assert BatchCandidate.objects.filter(batch=previewed, outcome="qualifies").exists()
    refused = set(BatchCandidate.objects.filter(outcome="refused").values_list("reason_code", flat=True))
    assert "no_mapping" in refused
    assert AuditEvent.objects.count() == before
    assert Student.objects.count() == 61
    assert all(x.issued_on < timezone.localdate() - dt.timedelta(days=12) for x in XCertificate.objects.all())
