"""The demo builds certificates through the issuance service: valid numbers, revoked and reissued ones,
the demo learner holds one, R8 holds."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from chizheng.core.models import User

from ..models import Certificate
from ..numbering import is_valid_number

pytestmark = pytest.mark.django_db


def test_r08_demo_certificates(db) -> None:
    call_command("demo", size="small", stdout=StringIO())
    certs = Certificate.objects.all()
    assert certs.filter(status="issued").count() > 100
    assert certs.filter(status="revoked").exists()
    assert certs.filter(status="replaced").exists()
    assert certs.filter(reissue_of__isnull=False).count() == certs.filter(status="replaced").count()
    assert all(is_valid_number(n or "") for n in certs.exclude(number=None).values_list("number", flat=True))
    valid = certs.filter(status__in=["publicised", "issued"])
    dupes = valid.values("person", "occupation", "level").annotate(n=Count("id")).filter(n__gt=1)
    assert not dupes.exists()
    learner = User.objects.get(username="learner")
    assert certs.filter(person=learner.person_id).exists()
