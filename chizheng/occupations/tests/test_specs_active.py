"""R3: `spec_active_levels` — only a filed spec counts, from its filing date on, until withdrawn."""

import datetime as dt
from decimal import Decimal

import pytest

from chizheng.occupations.choices import SpecStatus
from chizheng.occupations.models import EvaluationSpec, Occupation
from chizheng.occupations.specs import spec_active_levels

D = dt.date


def _spec(world, occupation, **fields):
    values = {
        "school": world.school,
        "county": world.county,
        "occupation": occupation,
        "title": "人工智能训练师评价规范",
        "levels": [5, 4, 3],
        "theory_weight": Decimal("30"),
        "skill_weight": Decimal("70"),
        "candidates_per_invigilator": 15,
        "candidates_per_examiner": 5,
        **fields,
    }
    return EvaluationSpec.objects.create(**values)


@pytest.fixture
def occupation(db):
    return Occupation.objects.get(code="4-04-05-05")


def test_r03_no_spec_gives_no_levels(world, occupation):
    assert spec_active_levels(occupation, D(2023, 1, 1)) == frozenset()


def test_r03_reviewed_but_not_filed_spec_gives_no_active_levels(world, occupation):
    _spec(world, occupation, status=SpecStatus.UNDER_REVIEW)
    _spec(world, occupation, status=SpecStatus.SUBMITTED, submitted_on=D(2022, 5, 1))
    assert spec_active_levels(occupation, D(2030, 1, 1)) == frozenset()


def test_r03_filed_spec_gives_its_levels_from_its_filing_date_on(world, occupation):
    _spec(
        world,
        occupation,
        status=SpecStatus.FILED,
        submitted_on=D(2022, 5, 1),
        filing_number="豫人社评规〔2022〕7号",
        filed_on=D(2022, 6, 1),
    )
    assert spec_active_levels(occupation, D(2022, 5, 31)) == frozenset()
    assert spec_active_levels(occupation, D(2022, 6, 1)) == frozenset({5, 4, 3})
    assert spec_active_levels(occupation.pk, D(2025, 1, 1)) == frozenset({5, 4, 3})
    other = Occupation.objects.get(code="4-04-05-01")
    assert spec_active_levels(other, D(2025, 1, 1)) == frozenset()


def test_r03_withdrawn_spec_stops_counting_on_its_withdrawal_date(world, occupation):
    _spec(
        world,
        occupation,
        status=SpecStatus.WITHDRAWN,
        submitted_on=D(2022, 5, 1),
        filing_number="豫人社评规〔2022〕8号",
        filed_on=D(2022, 6, 1),
        withdrawn_on=D(2023, 3, 1),
    )
    assert spec_active_levels(occupation, D(2023, 2, 28)) == frozenset({5, 4, 3})
    assert spec_active_levels(occupation, D(2023, 3, 1)) == frozenset()


def test_r03_two_filed_specs_give_the_union_of_their_levels(world, occupation):
    _spec(world, occupation, status=SpecStatus.FILED, filing_number="A-1", filed_on=D(2022, 6, 1))
    _spec(world, occupation, status=SpecStatus.FILED, filing_number="A-2", filed_on=D(2023, 6, 1), levels=[2, 1])
    assert spec_active_levels(occupation, D(2023, 5, 31)) == frozenset({5, 4, 3})
    assert spec_active_levels(occupation, D(2023, 6, 1)) == frozenset({5, 4, 3, 2, 1})


def test_r03_active_levels_is_one_query(world, occupation, django_assert_num_queries):
    _spec(world, occupation, status=SpecStatus.FILED, filing_number="Q-1", filed_on=D(2022, 6, 1))
    with django_assert_num_queries(1):
        assert spec_active_levels(occupation, D(2023, 1, 1)) == frozenset({5, 4, 3})
