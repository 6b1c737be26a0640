"""R8 numbering: the Henan 22-character format, pure functions (no database)."""

import pytest

from chizheng.core.errors import DomainError

from ..numbering import (
    HENAN_SKILL_PATTERN,
    NumberParts,
    format_number,
    henan_skill_number,
    is_valid_number,
    parse_henan_skill_number,
    prefix_for,
)


def parts(**kw: object) -> NumberParts:
    base: dict[str, object] = {
        "institution_kind": "college",
        "institution_code": "1001",
        "station_code": "410802",
        "year": 2023,
        "level": 4,
        "serial": 1,
    }
    base.update(kw)
    return NumberParts(**base)  # type: ignore[arg-type]


def test_r08_number_format_college_and_social() -> None:
    number = henan_skill_number(parts())
    assert number == "Y100141410802234000001"
    assert len(number) == 22
    assert HENAN_SKILL_PATTERN.fullmatch(number)
    assert henan_skill_number(parts(institution_kind="social", serial=999_999)) == "S100141410802234999999"
    assert prefix_for("appraisal") == "S"
    assert prefix_for("college") == "Y"


def test_r08_number_round_trips_through_parse() -> None:
    p = parts(institution_kind="social", year=2031, level=1, serial=42)
    assert parse_henan_skill_number(henan_skill_number(p)) == p


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("institution_code", "101", "bad_institution_code"),
        ("station_code", "41080", "bad_station_code"),
        ("level", 6, "bad_level"),
        ("level", 0, "bad_level"),
        ("serial", 0, "serial_exhausted"),
        ("serial", 1_000_000, "serial_exhausted"),
    ],
)
def test_r08_number_refuses_parts_that_do_not_fit(field: str, value: object, code: str) -> None:
    with pytest.raises(DomainError) as err:
        henan_skill_number(parts(**{field: value}))
    assert err.value.code == code


@pytest.mark.parametrize(
    "number",
    ["", "Y10014141080223400000", "X100141410802234000001", "Y100142410802234000001", "Y100141410802236000001"],
)
def test_r08_number_pattern_rejects(number: str) -> None:
    assert not is_valid_number(number)
    with pytest.raises(DomainError):
        parse_henan_skill_number(number)


def test_r08_number_format_is_pluggable_by_kind() -> None:
    assert format_number("skill_level", parts()) == henan_skill_number(parts())
    assert format_number("special", parts()) == henan_skill_number(parts())  # default until a kind brings its own
