"""R3 pure rules, without the database."""

import datetime as dt
from decimal import Decimal

import pytest

from chizheng.core.errors import DomainError
from chizheng.occupations import spec_rules as r

D = dt.date


def test_r03_approvals_count_distinct_experts_and_both_kinds_of_approval():
    opinions = [(1, "approve"), (2, "approve_with_changes"), (3, "reject"), (1, "approve")]
    assert r.count_approvals(opinions) == 2


@pytest.mark.parametrize(("approvals", "ok"), [(0, False), (4, False), (5, True), (6, True)])
def test_r03_five_distinct_approvals_boundary_for_submission(approvals, ok):
    if ok:
        r.check_may_submit("under_review", approvals=approvals)
    else:
        with pytest.raises(DomainError) as err:
            r.check_may_submit("under_review", approvals=approvals)
        assert err.value.code == "not_enough_approvals"
        assert err.value.extra == {"approvals": approvals, "required": 5}


def test_r03_activating_with_four_approvals_is_refused_with_a_clear_message():
    with pytest.raises(DomainError) as err:
        r.check_may_file(
            "submitted", approvals=4, submitted_on=D(2022, 5, 1), filed_on=D(2022, 6, 1), today=D(2023, 1, 1)
        )
    assert "至少 5 位" in err.value.message
    assert "只有 4 位" in err.value.message
    r.check_may_file("submitted", approvals=5, submitted_on=D(2022, 5, 1), filed_on=D(2022, 6, 1), today=D(2023, 1, 1))


def test_r03_only_submitted_specs_are_filed_not_before_submission():
    with pytest.raises(DomainError):
        r.check_may_file("under_review", approvals=9, submitted_on=None, filed_on=D(2022, 6, 1), today=D(2023, 1, 1))
    with pytest.raises(DomainError) as err:
        r.check_may_file(
            "submitted", approvals=5, submitted_on=D(2022, 6, 2), filed_on=D(2022, 6, 1), today=D(2023, 1, 1)
        )
    assert err.value.code == "filed_before_submitted"


def test_r03_expert_of_the_drafting_school_is_refused():
    r.check_expert_independent(expert_name="王", drafting_school_id=1, expert_school_ids=[2, 3], school_name="甲校")
    with pytest.raises(DomainError) as err:
        r.check_expert_independent(expert_name="王", drafting_school_id=1, expert_school_ids=[2, 1], school_name="甲校")
    assert err.value.code == "expert_from_drafting_school"


def test_r03_opinion_rules():
    r.check_may_give_opinion("under_review", invited=True, already_given=False)
    for status, invited, given, code in [
        ("under_review", False, False, "not_invited"),
        ("under_review", True, True, "opinion_exists"),
        ("submitted", True, False, "spec_not_under_review"),
    ]:
        with pytest.raises(DomainError) as err:
            r.check_may_give_opinion(status, invited=invited, already_given=given)
        assert err.value.code == code


def test_r03_weights_levels_ratios():
    assert r.check_weights("30", "70%") == (Decimal("30.00"), Decimal("70.00"))
    assert r.check_weights(Decimal("33.33"), Decimal("66.67")) == (Decimal("33.33"), Decimal("66.67"))
    with pytest.raises(DomainError):
        r.check_weights("33.333", "66.667")
    assert r.check_levels([3, 5, 4, 5]) == [5, 4, 3]
    with pytest.raises(DomainError):
        r.check_levels([])
    assert r.check_ratio("15", label="x", field="f") == 15
    with pytest.raises(DomainError):
        r.check_ratio(0, label="x", field="f")


def test_r03_a_spec_with_a_national_standard_is_refused():
    r.check_occupation_needs_spec(code="4-04-05-05", has_national_standard=False)
    with pytest.raises(DomainError):
        r.check_occupation_needs_spec(code="6-18-01-01", has_national_standard=True)


def test_r03_withdrawal_needs_a_reason_and_not_before_filing():
    assert (
        r.check_may_withdraw("filed", on_date=D(2023, 1, 1), filed_on=D(2022, 6, 1), reason=" 标准发布 ") == "标准发布"
    )
    with pytest.raises(DomainError):
        r.check_may_withdraw("filed", on_date=D(2022, 5, 1), filed_on=D(2022, 6, 1), reason="x")
    with pytest.raises(DomainError):
        r.check_may_withdraw("withdrawn", on_date=D(2023, 1, 1), filed_on=None, reason="x")
    with pytest.raises(DomainError):
        r.check_may_withdraw("draft", on_date=D(2023, 1, 1), filed_on=None, reason=" ")


def test_r03_attachment_type_and_size():
    r.check_attachment("规范.PDF", 1000)
    with pytest.raises(DomainError) as err:
        r.check_attachment("规范.exe", 10)
    assert err.value.code == "attachment_type"
    with pytest.raises(DomainError) as err:
        r.check_attachment("规范.pdf", 21 * 1024 * 1024)
    assert err.value.code == "attachment_size"
