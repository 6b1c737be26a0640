"""R2 and R3: the gate `check_institution_may_assess` on its boundaries, on the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from chizheng.core.errors import DomainError
from chizheng.occupations.models import Occupation

from .. import services
from ..selectors import check_institution_may_assess, institution_may_assess
from .factories import FILED_ON, NO_STANDARD, SCOPE_FROM, STANDARD, file_institution, filed_spec, give_standard

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def inst(world):
    return file_institution(world.user("school"), world.user("hrss"))


def _code(inst, occupation, level, day):
    try:
        check_institution_may_assess(inst, occupation, level, day)
    except DomainError as err:
        return err.code
    return "ok"


def test_r02_filing_date_the_day_before_is_refused_and_the_day_itself_allowed(inst):
    occ = Occupation.objects.get(code=STANDARD)
    assert _code(inst, occ, 4, FILED_ON - dt.timedelta(days=1)) == "not_filed"
    assert _code(inst, occ, 4, FILED_ON) == "ok"
    assert institution_may_assess(inst, occ, 4, FILED_ON)


def test_r02_a_draft_or_submitted_institution_is_never_current(world):
    give_standard()
    institution = services.institution_file(
        actor=world.user("school"),
        school=world.school,
        kind="college",
        name="中心",
        code="0002",
        contact="王",
        phone="1",
    )
    occ = Occupation.objects.get(code=STANDARD)
    services.institution_scope_add(actor=world.user("school"), institution=institution, occupation=occ, highest_level=3)
    services.institution_submit(actor=world.user("school"), institution=institution)
    assert _code(institution, occ, 4, D(2030, 1, 1)) == "not_filed"


def test_r02_suspension_window_start_and_end_are_inclusive(world, inst):
    occ = Occupation.objects.get(code=STANDARD)
    services.institution_suspend(
        actor=world.user("hrss"), institution=inst, from_date=D(2022, 6, 1), until=D(2022, 6, 30), reason="整改"
    )
    assert _code(inst, occ, 4, D(2022, 5, 31)) == "ok"
    assert _code(inst, occ, 4, D(2022, 6, 1)) == "suspended"
    assert _code(inst, occ, 4, D(2022, 6, 30)) == "suspended"
    assert _code(inst, occ, 4, D(2022, 7, 1)) == "ok"


def test_r02_restoration_ends_an_open_suspension_the_day_before(world, inst):
    occ = Occupation.objects.get(code=STANDARD)
    hrss = world.user("hrss")
    services.institution_suspend(actor=hrss, institution=inst, from_date=D(2022, 6, 1), reason="检查不合格")
    assert _code(inst, occ, 4, D(2025, 1, 1)) == "suspended"
    services.institution_restore(actor=hrss, institution=inst, on_date=D(2022, 8, 10))
    assert _code(inst, occ, 4, D(2022, 8, 9)) == "suspended"
    assert _code(inst, occ, 4, D(2022, 8, 10)) == "ok"


def test_r02_scope_edge_at_the_highest_level(inst):
    occ = Occupation.objects.get(code=STANDARD)
    assert _code(inst, occ, 3, D(2022, 4, 1)) == "ok"  # the highest level itself
    assert _code(inst, occ, 2, D(2022, 4, 1)) == "level_above_scope"  # 技师 is above 高级工


def test_r02_a_removed_scope_answers_until_the_day_before_its_removal(world, inst):
    occ = Occupation.objects.get(code=STANDARD)
    scope = inst.scopes.get()
    services.institution_scope_remove(
        actor=world.user("hrss"), institution=inst, scope=scope, removed_on=D(2022, 9, 1), reason="设备不足"
    )
    assert _code(inst, occ, 4, D(2022, 8, 31)) == "ok"
    assert _code(inst, occ, 4, D(2022, 9, 1)) == "out_of_scope"
    assert _code(inst, Occupation.objects.get(code="4-01-02-01"), 4, D(2022, 4, 1)) == "out_of_scope"


def test_r02_a_scope_added_later_counts_from_its_date(world, inst):
    occ = give_standard("4-01-02-01", (5, 4))
    services.institution_scope_add(
        actor=world.user("hrss"), institution=inst, occupation=occ, highest_level=4, added_on=D(2023, 1, 10)
    )
    assert _code(inst, occ, 4, D(2023, 1, 9)) == "out_of_scope"
    assert _code(inst, occ, 4, D(2023, 1, 10)) == "ok"


def test_r02_revoked_from_its_date_on_but_not_before(world, inst):
    occ = Occupation.objects.get(code=STANDARD)
    services.institution_revoke(actor=world.user("hrss"), institution=inst, on_date=D(2023, 5, 1), reason="违规发证")
    assert _code(inst, occ, 4, D(2023, 4, 30)) == "ok"
    assert _code(inst, occ, 4, D(2023, 5, 1)) == "revoked"


def test_r02_the_reason_is_precise(world, inst):
    occ = Occupation.objects.get(code=STANDARD)
    with pytest.raises(DomainError) as err:
        check_institution_may_assess(inst, occ, 2, D(2022, 4, 1))
    assert "最高到 3 级" in err.value.message


def _no_standard_institution(world, inst):
    occ = Occupation.objects.get(code=NO_STANDARD)
    filed_spec(world.school, occ, filed=True, on=D(2022, 1, 1), levels=[5, 4])
    services.institution_scope_add(
        actor=world.user("hrss"), institution=inst, occupation=occ, highest_level=4, added_on=SCOPE_FROM
    )
    return occ


def test_r03_a_filed_spec_opens_an_occupation_without_a_standard(world, inst):
    occ = _no_standard_institution(world, inst)
    assert _code(inst, occ, 4, D(2022, 4, 1)) == "ok"
    assert _code(inst, occ, 3, D(2022, 4, 1)) == "level_above_scope"


def test_r03_a_spec_only_reviewed_and_not_filed_gives_nothing(world, inst):
    occ = Occupation.objects.get(code=NO_STANDARD)
    filed_spec(world.school, occ, filed=False, on=D(2022, 1, 1), levels=[5, 4])
    with pytest.raises(DomainError) as err:
        services.institution_scope_add(
            actor=world.user("hrss"), institution=inst, occupation=occ, highest_level=4, added_on=D(2022, 4, 1)
        )
    assert err.value.code == "occupation_without_standard"
    assert not inst.scopes.filter(occupation=occ).exists()


def test_r03_the_gate_refuses_once_the_spec_is_withdrawn(world, inst):
    occ = _no_standard_institution(world, inst)
    occ.evaluation_specs.update(status="withdrawn", withdrawn_on=D(2022, 10, 1))
    assert _code(inst, occ, 4, D(2022, 9, 30)) == "ok"
    assert _code(inst, occ, 4, D(2022, 10, 1)) == "no_standard"


def test_r03_a_spec_filed_after_the_day_does_not_count_for_that_day(world, inst):
    occ = _no_standard_institution(world, inst)
    occ.evaluation_specs.update(filed_on=D(2022, 5, 1))
    assert _code(inst, occ, 4, D(2022, 4, 30)) == "no_standard"
    assert _code(inst, occ, 4, D(2022, 5, 1)) == "ok"


def test_r03_a_level_the_national_standard_does_not_define_is_refused(world, inst):
    occ = give_standard(STANDARD, (5, 4))  # the standard changed after the scope was filed
    assert _code(inst, occ, 3, D(2022, 4, 1)) == "no_standard"
    assert _code(inst, occ, 4, D(2022, 4, 1)) == "ok"
