"""The demo's evaluation specs (R3): one filed and active, one under review; experts as demo logins."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command

from chizheng.core.choices import Role
from chizheng.core.models import User
from chizheng.occupations.choices import SpecStatus
from chizheng.occupations.models import EvaluationSpec
from chizheng.occupations.specs import spec_active_levels


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


@pytest.fixture
def demo(db):
    call_command("demo", size="small", stdout=_Null())


def test_r03_demo_has_a_filed_spec_and_one_under_review(demo):
    experts = User.objects.filter(role=Role.EXPERT)
    assert experts.count() >= 6
    assert {"expert", "expert_2", "expert_6"} <= set(experts.values_list("username", flat=True))
    assert User.objects.get(username="expert_2").check_password(settings.DEMO_PASSWORD)
    filed = EvaluationSpec.objects.get(status=SpecStatus.FILED)
    reviewing = EvaluationSpec.objects.get(status=SpecStatus.UNDER_REVIEW)
    for spec in (filed, reviewing):
        assert not spec.occupation.has_national_standard
        assert spec.occupation.is_digital
        assert spec.school.code == "S41080201"
    assert spec_active_levels(filed.occupation, dt.date(2022, 9, 14)) == frozenset()
    assert spec_active_levels(filed.occupation, dt.date(2022, 9, 15)) == frozenset({5, 4, 3})
    assert spec_active_levels(reviewing.occupation, dt.date(2030, 1, 1)) == frozenset()
    assert filed.opinions.filter(verdict="reject").exists()
    assert reviewing.invitations.filter(expert__username="expert").exists()
    assert not reviewing.opinions.filter(expert__username="expert").exists()
