"""R5 and the shared batch checks as pure functions (no database)."""

import datetime as dt

import pytest

from chizheng.core.errors import DomainError

from .. import rules

X = rules.XFacts(7, 42, "组织甲", "Web 前端开发", "junior", "X001", dt.date(2024, 1, 1))
MAPPED = rules.MappingFacts(occupation_id=3, occupation_name="车工")


@pytest.mark.parametrize(("x_level", "skill_level"), [("senior", 3), ("intermediate", 3), ("junior", 4)])
def test_r05_each_1x_level_maps_to_its_skill_level(x_level: str, skill_level: int) -> None:
    verdict = rules.recognise_x(rules.XFacts(**{**X.__dict__, "level": x_level}), MAPPED)
    assert verdict.qualifies
    assert (verdict.occupation_id, verdict.level) == (3, skill_level)


def test_r05_an_unknown_1x_level_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="unknown"):
        rules.x_skill_level("expert")


def test_r05_no_mapping_refuses_naming_the_certificate() -> None:
    verdict = rules.recognise_x(X, None)
    assert not verdict.qualifies
    assert verdict.reason_code == rules.NO_MAPPING
    assert "Web 前端开发" in verdict.reason
    assert "组织甲" in verdict.reason
    assert verdict.occupation_id is None


def test_r05_the_evidence_keeps_the_source_1x_record() -> None:
    verdict = rules.recognise_x(X, MAPPED)
    assert verdict.evidence_type == "one_x"
    assert verdict.evidence_id == "7"
    assert verdict.x_certificate_id == 7
    assert verdict.evidence["number"] == "X001"
    assert verdict.evidence["level"] == "初级"
    assert verdict.evidence["organisation"] == "组织甲"


def test_r05_a_batch_narrowed_to_a_level_refuses_the_other_level() -> None:
    verdict = rules.recognise_x(X, MAPPED, only_level=3)
    assert verdict.reason_code == rules.LEVEL_NOT_SELECTED
    assert rules.recognise_x(X, MAPPED, only_level=4).qualifies


def test_r05_a_mapping_of_the_organisation_wins_over_the_general_one() -> None:
    general = rules.MappingFacts(1, "甲")
    specific = rules.MappingFacts(2, "乙")
    mappings = {rules.x_mapping_key("Web 前端开发"): general, rules.x_mapping_key("Web前端开发", "组织甲"): specific}
    assert rules.find_x_mapping(mappings, "Web 前端开发", "组织甲") == specific
    assert rules.find_x_mapping(mappings, "Web 前端开发", "组织乙") == general
    assert rules.find_x_mapping(mappings, "云计算", "组织甲") is None


def _q(key: str, person: int, occupation: int = 3, level: int = 3) -> rules.Verdict:
    return rules.Verdict(key, person, "one_x", key, occupation_id=occupation, level=level)


def test_r08_shared_checks_gate_then_already_holds_then_duplicates() -> None:
    verdicts = [
        _q("a", 1),
        _q("b", 1),  # same person, occupation, level: duplicate of a
        _q("c", 1, level=4),  # another level: fine
        _q("d", 2),  # already holds
        _q("e", 3, occupation=9),  # the gate refuses occupation 9
        rules.recognise_x(X, None),  # already refused: untouched
    ]
    out = rules.apply_shared_checks(
        verdicts,
        gate_errors={(9, 3): "评价范围不含该职业"},
        certified={(2, 3, 3)},
        occupation_names={3: "车工", 9: "铣工"},
    )
    codes = [v.reason_code for v in out]
    assert codes == ["", rules.DUPLICATE_IN_BATCH, "", rules.ALREADY_CERTIFIED, rules.GATE, rules.NO_MAPPING]
    assert "评价范围不含该职业" in out[4].reason
    assert "车工" in out[3].reason


def test_batch_state_checks() -> None:
    rules.check_batch_open("draft")
    rules.check_batch_open("previewed")
    for closed in ("confirmed", "issued"):
        with pytest.raises(DomainError) as err:
            rules.check_batch_open(closed)
        assert err.value.code == "batch_closed"
    with pytest.raises(DomainError, match="预览"):
        rules.check_batch_previewed("draft", 3)
    with pytest.raises(DomainError) as err:
        rules.check_batch_previewed("previewed", 0)
    assert err.value.code == "nobody_qualifies"
    rules.check_batch_previewed("previewed", 1)
