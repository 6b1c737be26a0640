import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chizheng.core.errors import DomainError
from chizheng.core.testing import make_id_number
from chizheng.people.rules import (
    check_consistent,
    check_digit,
    check_student_years,
    mask_id_number,
    normalize_id_number,
    parse_id_number,
)

# A published sample number (GB 11643 appendix style) with a correct check digit.
SAMPLE = "11010519491231002X"


def test_a_valid_id_number_gives_birth_date_and_sex():
    info = parse_id_number(SAMPLE)
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "F"
    assert info.region == "110105"


def test_a_wrong_check_digit_is_refused_with_the_expected_digit():
    with pytest.raises(DomainError) as err:
        parse_id_number("110105194912310021")
    assert err.value.code == "id_number_check_digit"
    assert "X" in err.value.message


def test_an_impossible_birth_date_is_refused():
    first17 = "41080220060230001"  # 30 February
    with pytest.raises(DomainError) as err:
        parse_id_number(first17 + check_digit(first17))
    assert err.value.code == "id_number_birth_date"


def test_a_future_birth_date_is_refused():
    first17 = "41080230000101001"
    with pytest.raises(DomainError) as err:
        parse_id_number(first17 + check_digit(first17), today=dt.date(2026, 1, 1))
    assert err.value.code == "id_number_birth_date"


@pytest.mark.parametrize("raw", [4.10802e17, 410802200603150011, "4.10802E+17", "4.108022006E+17"])
def test_numbers_mangled_by_excel_are_refused_with_advice(raw):
    with pytest.raises(DomainError) as err:
        normalize_id_number(raw)
    assert err.value.code == "id_number_numeric"
    assert "文本" in err.value.message


def test_lowercase_x_and_spaces_are_normalised():
    assert parse_id_number(" 11010519491231002x ").number == SAMPLE


def test_short_numbers_are_refused():
    with pytest.raises(DomainError) as err:
        parse_id_number("41080220060315")
    assert err.value.code == "id_number_shape"


def test_birth_date_and_sex_typed_beside_the_number_must_agree():
    info = parse_id_number(SAMPLE)
    check_consistent(info, birth_date=dt.date(1949, 12, 31), sex="F")
    with pytest.raises(DomainError) as err:
        check_consistent(info, birth_date=dt.date(1950, 1, 1), sex=None)
    assert err.value.field == "birth_date"
    with pytest.raises(DomainError) as err:
        check_consistent(info, birth_date=None, sex="M")
    assert err.value.field == "sex"


def test_masking_keeps_region_and_last_four():
    assert mask_id_number("410802200603150011") == "410802********0011"


@given(
    birth=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2015, 12, 31)),
    seq=st.integers(min_value=0, max_value=99),
    male=st.booleans(),
)
def test_every_generated_number_round_trips(birth, seq, male):
    number = make_id_number(birth=birth.strftime("%Y%m%d"), seq=seq, male=male)
    info = parse_id_number(number)
    assert info.birth_date == birth
    assert info.sex == ("M" if male else "F")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_exactly_one_check_character_is_accepted(first17, last):
    number = first17 + last
    if last != check_digit(first17):
        with pytest.raises(DomainError, match="校验位"):
            parse_id_number(number)
        return
    try:
        parse_id_number(number)
    except DomainError as err:  # a right check digit can still carry an impossible birth date
        assert err.code == "id_number_birth_date"  # noqa: PT017


def test_student_years_must_fit_the_stage():
    check_student_years(stage="secondary", entry_year=2022, graduation_year=2025)
    with pytest.raises(DomainError) as err:
        check_student_years(stage="secondary", entry_year=2022, graduation_year=2022)
    assert err.value.field == "expected_graduation_year"
    with pytest.raises(DomainError):
        check_student_years(stage="undergraduate", entry_year=2022, graduation_year=2030)
